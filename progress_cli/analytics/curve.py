"""The learning curve (DESIGN 5.5): score = a - b * n^-c fitted to scores in attempt order.

n is the attempt number (1 for the first). a is the level the learner tends to, b how far
below it the first attempt starts, c how fast the gap closes. The fit is least squares with
bounds (scipy.optimize.curve_fit, method "trf"), from a few starting points, keeping the
best. Fewer than 8 attempts give no fit ("not enough data"): a power law through a handful
of noisy scores says nothing. A fit with R² under 0.2 is reported, but called "no clear
trend" (`clear_trend` False): the scores barely follow it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

MIN_ATTEMPTS = 8
MIN_R2 = 0.2  # below this the curve explains too little of the scores to be called a trend
# a: the asymptote, a score; b: first-attempt gap (negative for a learner who gets worse);
# c: the rate. a - b is the level at n = 1, which must be a score too (checked by the bounds
# on a and b together with the data; a fit outside 0..100 would not be a learning curve).
LOWER = (0.0, -100.0, 0.0)
UPPER = (100.0, 100.0, 3.0)
_GRID_C = np.linspace(0.02, UPPER[2], 150)  # starting point: c on a grid, a and b solved exactly


def power_curve(n, a: float, b: float, c: float):
    """a - b * n^-c (n >= 1; works on arrays and on arrays of parameters that broadcast)."""
    return a - b * np.power(n, -c)


@dataclass(frozen=True)
class CurveFit:
    """A fitted curve, or the reason there is none (a, b, c None then)."""

    attempts: int
    a: float | None = None
    b: float | None = None
    c: float | None = None
    r2: float | None = None
    residual_sd: float | None = None
    cov: np.ndarray | None = None  # 3x3 parameter covariance
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.a is not None

    def predict(self, n) -> np.ndarray:
        return power_curve(np.asarray(n, dtype=float), self.a, self.b, self.c)

    @property
    def clear_trend(self) -> bool | None:
        """Does the curve explain enough of the scores (R² >= 0.2) to be called a trend?
        None without a fit."""
        return None if not self.ok else bool(round(self.r2, 9) >= MIN_R2)

    def formula(self) -> str:
        """'score = 90.0 - 40.0 n^-0.70' (the sign follows b)."""
        sign = "-" if self.b >= 0 else "+"
        return f"score = {self.a:.1f} {sign} {abs(self.b):.1f} n^-{self.c:.2f}"

    def describe(self) -> str:
        """The curve in words: its formula and R², or "no clear trend" when R² < 0.2."""
        if not self.ok:
            return f"no curve: {self.reason}"
        if not self.clear_trend:
            return f"no clear trend (R² {self.r2:.2f}, under {MIN_R2:g}; {self.attempts} attempts)"
        return f"{self.formula()} (R² {self.r2:.2f}, {self.attempts} attempts)"

    def as_dict(self) -> dict:
        """The JSON object: {"a", "b", "c", "r2", "clear_trend", "attempts", "residual_sd", "reason"}."""
        return {"a": self.a, "b": self.b, "c": self.c, "r2": self.r2, "clear_trend": self.clear_trend,
                "attempts": self.attempts, "residual_sd": self.residual_sd, "reason": self.reason}


def fit_curve(scores) -> CurveFit:
    """Fit score = a - b n^-c to scores in attempt order (NaN-free)."""
    from scipy.optimize import OptimizeWarning, curve_fit  # ~0.5 s to import: only when a curve is fitted

    y = np.asarray(scores, dtype=float)
    n_att = len(y)
    if n_att < MIN_ATTEMPTS:
        return CurveFit(attempts=n_att, reason=f"not enough data ({n_att} attempts; {MIN_ATTEMPTS} needed)")
    n = np.arange(1, n_att + 1, dtype=float)
    start = _grid_start(n, y)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, _pcov = curve_fit(power_curve, n, y, p0=start, bounds=(LOWER, UPPER), method="trf",
                                    jac=lambda x, a, b, c: jacobian(x, a, b, c), maxfev=2000)
    except (RuntimeError, ValueError):
        popt = start  # the grid's best is a least-squares fit on the grid; keep it
    sse = float(np.sum((y - power_curve(n, *popt)) ** 2))
    grid_sse = float(np.sum((y - power_curve(n, *start)) ** 2))
    if grid_sse < sse:
        popt, sse = start, grid_sse
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - sse / sst if sst > 0 else (1.0 if sse <= 1e-9 else 0.0)
    a, b, c = (float(v) for v in popt)
    sd = math.sqrt(sse / (n_att - 3))
    # sd^2 (J'J)^+ rather than curve_fit's pcov, which is infinite when a parameter is not
    # identified (e.g. a at its bound): the pseudo-inverse still gives the directions that
    # the data pin down, which is what the predictions near the data need.
    jac = jacobian(n, a, b, c)
    cov = sd * sd * np.linalg.pinv(jac.T @ jac)
    return CurveFit(attempts=n_att, a=a, b=b, c=c, r2=r2, residual_sd=sd, cov=cov)


def jacobian(n, a: float, b: float, c: float) -> np.ndarray:
    """d(a - b n^-c) / d(a, b, c) at each n: rows [1, -n^-c, b n^-c ln n]."""
    n = np.asarray(n, dtype=float)
    p = np.power(n, -c)
    return np.stack([np.ones_like(n), -p, b * p * np.log(n)], axis=-1)


def _grid_start(n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The best (a, b, c) with c on a grid: for a fixed c the curve is linear in a and b, so
    they are solved exactly (then clipped to their bounds). curve_fit starts from it, which
    keeps it away from the local minima of the power law and needs few iterations."""
    p = np.power(n[None, :], -_GRID_C[:, None])  # one row per c
    pm, ym = p.mean(axis=1), y.mean()
    dp = p - pm[:, None]
    sxx = np.einsum("ij,ij->i", dp, dp)
    slope = np.where(sxx > 0, dp @ (y - ym) / np.where(sxx > 0, sxx, 1.0), 0.0)
    a = np.clip(ym - slope * pm, LOWER[0], UPPER[0])
    b = np.clip(-slope, LOWER[1], UPPER[1])
    sse = np.sum((y[None, :] - (a[:, None] - b[:, None] * p)) ** 2, axis=1)
    best = int(np.argmin(sse))
    return np.array([a[best], b[best], _GRID_C[best]])


def attempts_to_reach(fit: CurveFit, level: float) -> float | None:
    """The (fractional) attempt number at which the fitted curve reaches `level`; None when it
    never does (the asymptote a is at or below it, or the curve does not rise)."""
    if not fit.ok:
        return None
    if fit.b <= 0 or fit.c <= 0 or fit.a <= level:
        return None
    return max(1.0, (fit.b / (fit.a - level)) ** (1.0 / fit.c))
