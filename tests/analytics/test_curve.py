"""The learning curve score = a - b n^-c (DESIGN 5.5): known curves are recovered."""

from __future__ import annotations

import numpy as np
import pytest

from progress_cli.analytics.curve import LOWER, MIN_ATTEMPTS, UPPER, CurveFit, attempts_to_reach, fit_curve, power_curve


def curve(a, b, c, n):
    return a - b * np.arange(1, n + 1, dtype=float) ** -c


def test_an_exact_curve_is_recovered():
    fit = fit_curve(curve(90, 50, 0.7, 40))
    assert (fit.a, fit.b, fit.c) == (pytest.approx(90, abs=1e-4), pytest.approx(50, abs=1e-4),
                                     pytest.approx(0.7, abs=1e-5))
    assert fit.r2 == pytest.approx(1.0)
    assert fit.residual_sd == pytest.approx(0.0, abs=1e-4)
    assert fit.reason is None and fit.attempts == 40


@pytest.mark.parametrize("a, b, c", [(85.0, 45.0, 0.5), (72.0, 30.0, 1.2), (90.0, 55.0, 0.45), (60.0, 40.0, 0.8)])
def test_noisy_curves_are_recovered_within_tolerance(a, b, c):
    rng = np.random.default_rng(7)
    scores = curve(a, b, c, 150) + rng.normal(0, 3, 150)  # noise sd 3 points
    fit = fit_curve(scores)
    assert fit.a == pytest.approx(a, abs=2)
    assert fit.b == pytest.approx(b, abs=2)
    assert fit.c == pytest.approx(c, abs=0.15)
    n = np.arange(1, 151)
    assert np.abs(fit.predict(n) - curve(a, b, c, 150)).max() < 1.5
    assert fit.residual_sd == pytest.approx(3, abs=0.5)
    # R^2 as defined: 1 - SSE / SST of the fitted values
    sse = np.sum((scores - power_curve(n, fit.a, fit.b, fit.c)) ** 2)
    assert fit.r2 == pytest.approx(1 - sse / np.sum((scores - scores.mean()) ** 2))


def test_below_eight_attempts_there_is_no_fit():
    fit = fit_curve(curve(90, 50, 0.7, MIN_ATTEMPTS - 1))
    assert not fit.ok
    assert fit.as_dict() == {"a": None, "b": None, "c": None, "r2": None, "clear_trend": None, "attempts": 7,
                             "residual_sd": None,
                             "reason": "not enough data (7 attempts; 8 needed)"}
    assert fit_curve(curve(90, 50, 0.7, MIN_ATTEMPTS)).ok


def test_a_slow_curve_is_fitted_where_the_data_are():
    # With c = 0.3 the asymptote is far beyond the data and trades off against c; the fitted
    # values still follow the true curve over the attempts seen.
    rng = np.random.default_rng(7)
    scores = curve(95, 60, 0.3, 150) + rng.normal(0, 3, 150)
    fit = fit_curve(scores)
    assert np.abs(fit.predict(np.arange(1, 151)) - curve(95, 60, 0.3, 150)).max() < 1.5


def test_the_fit_stays_within_its_bounds():
    declining = np.linspace(90, 40, 30)  # gets worse: b < 0
    flat_high = np.full(20, 100.0)
    for scores in (declining, flat_high, np.full(12, 0.0)):
        fit = fit_curve(scores)
        assert fit.ok
        for value, low, high in zip((fit.a, fit.b, fit.c), LOWER, UPPER):
            assert low <= value <= high
    assert fit_curve(declining).b < 0
    assert fit_curve(flat_high).r2 == 1.0  # no spread and no error


def test_attempts_to_reach_a_level():
    fit = fit_curve(curve(90, 50, 0.7, 40))
    assert attempts_to_reach(fit, 85) == pytest.approx((50 / 5) ** (1 / 0.7), rel=1e-4)
    assert attempts_to_reach(fit, 95) is None  # the asymptote is 90
    assert attempts_to_reach(CurveFit(attempts=3, reason="not enough data"), 85) is None
    assert attempts_to_reach(CurveFit(attempts=20, a=90, b=-10, c=0.5), 85) is None  # falling curve


def test_formula_shows_the_sign_of_b():
    assert CurveFit(attempts=9, a=80, b=30, c=0.5).formula() == "score = 80.0 - 30.0 n^-0.50"
    assert CurveFit(attempts=9, a=80, b=-3, c=0.5).formula() == "score = 80.0 + 3.0 n^-0.50"


@pytest.mark.parametrize("r2, clear", [(0.0, False), (0.1999, False), (0.2, True), (0.2001, True), (0.95, True)])
def test_a_curve_under_r2_0_2_is_no_clear_trend(r2, clear):
    fit = CurveFit(attempts=40, a=80.0, b=30.0, c=0.5, r2=r2, residual_sd=3.0)
    assert fit.clear_trend is clear and fit.as_dict()["clear_trend"] is clear
    if clear:
        assert fit.describe() == f"score = 80.0 - 30.0 n^-0.50 (R² {r2:.2f}, 40 attempts)"
    else:
        assert fit.describe() == f"no clear trend (R² {r2:.2f}, under 0.2; 40 attempts)"


def test_flat_noise_is_fitted_but_called_no_clear_trend():
    scores = 63 + np.tile([2.0, -3.0, 1.0, -1.0, 3.0, -2.0], 10)  # a plateau learner: no trend at all
    fit = fit_curve(scores)
    assert fit.ok and fit.r2 < 0.2 and fit.clear_trend is False
    assert CurveFit(attempts=7, reason="not enough data").clear_trend is None
