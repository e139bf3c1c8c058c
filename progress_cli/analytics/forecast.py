"""Forecasts with their uncertainty (DESIGN 5.6), as pure functions of day numbers and scores.

Every forecast is `{"estimate", "low", "high", "confidence": 0.8, "basis", "reason"}`: low and
high bound an 80% interval (the 10th and 90th percentiles of simulated outcomes, or, for a
completion date with a calibration, of the store's real ones: `calibration.py`), `basis`
says what the numbers stand on, and `reason` why there is no forecast. A forecast is honest:
with too little data estimate, low and high are null together and `reason` says why.

The recent window. Forecasts read the learner's recent pace from the last 28 local days,
stretched back to the 5th most recent active day when those 28 days hold fewer than 5 (a
learner who practises once a week still gets a pace), never more than 91 days back and never
before the learner's first active day. Fewer than 5 active days in it: no forecast.

Randomness comes from a generator seeded with a stable hash of (learner_id, as_of) and the
forecast's name (`seed_for`), so the same store and the same as_of always print the same
intervals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics.curve import LOWER, UPPER, CurveFit, attempts_to_reach

CONFIDENCE = 0.8
LOW_PERCENTILE, HIGH_PERCENTILE = 10.0, 90.0
WINDOW_DAYS = 28
MAX_WINDOW_DAYS = 91
MIN_ACTIVE_DAYS = 5
MIN_COMPLETION_DAYS = 3  # days with a completion in the window (DESIGN 5.6's example)
DRAWS = 2000
HORIZON_DAYS = 3 * 365  # no forecast further out than this: the past says little about it
SKILL_DAYS = 30
MASTERY = 85.0
LEVEL_WINDOW = 10  # current_level is the mean of the last 10 attempts (DESIGN 5.1)
MIN_SCORE_SD = 5.0  # a learner's score spread is never taken as narrower than this
MAX_WEEKLY_MINUTES = 20 * 60  # practice a week beyond which a plan is not one a person can follow


@dataclass(frozen=True)
class Window:
    """The recent window: local days start..end (end = the day of as_of)."""

    start: int
    end: int
    active_days: int

    @property
    def days(self) -> int:
        return self.end - self.start + 1

    def enough(self) -> bool:
        return self.active_days >= MIN_ACTIVE_DAYS

    def too_little(self) -> str:
        return (f"too little recent data: {self.active_days} active day{'s' if self.active_days != 1 else ''} "
                f"in the last {self.days} days ({MIN_ACTIVE_DAYS} needed)")


def recent_window(active_days, today: int) -> Window:
    """The window of the module docstring, from the learner's active local day numbers."""
    days = g.unique(np.asarray(active_days, dtype=np.int64))  # np.unique would load numpy.ma (~10 ms)
    start, active = window_starts(days, np.array([today], dtype=np.int64))
    return Window(start=int(start[0]), end=today, active_days=int(active[0]))


def window_starts(active_days: np.ndarray, todays: np.ndarray,
                  first: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(first day, active days) of the recent window ending on each of `todays`, at once.

    `active_days` sorted and distinct; days after a given today do not count for it. Many
    learners at once: `active_days` holds each one's days after the previous one's as keys
    far apart (`day_keys`), `todays` are keys too, and `first[i]` is where the days of today
    i's learner begin in `active_days` (default 0: one learner)."""
    days = np.asarray(active_days, dtype=np.int64)
    todays = np.asarray(todays, dtype=np.int64)
    first = np.zeros(len(todays), dtype=np.int64) if first is None else first
    upto = np.searchsorted(days, todays, side="right")  # past the active days <= today
    start = todays - WINDOW_DAYS + 1
    few = (upto - np.searchsorted(days, start, side="left") < MIN_ACTIVE_DAYS) & (upto - first >= MIN_ACTIVE_DAYS)
    if few.any():
        start[few] = np.minimum(start[few], days[upto[few] - MIN_ACTIVE_DAYS])
    start = np.maximum(start, todays - MAX_WINDOW_DAYS + 1)
    seen = upto > first  # some active day on or before today
    if seen.any():
        start = np.where(seen, np.maximum(start, days[np.where(seen, first, 0)]), start)
    start = np.minimum(start, todays)
    return start, upto - np.searchsorted(days, start, side="left")


def day_keys(groups: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Day numbers of many groups (learners, sets of tasks) as one sortable int64 key each:
    group-major, and a day's difference to another day of its group is kept."""
    return np.asarray(groups, dtype=np.int64) * _GROUP_SPAN + (np.asarray(days, dtype=np.int64) + _GROUP_SPAN // 2)


def key_days(keys: np.ndarray) -> np.ndarray:
    """The day numbers of `day_keys`."""
    return keys % _GROUP_SPAN - _GROUP_SPAN // 2


_GROUP_SPAN = 1 << 32  # wider than any two days' distance plus a window


def seed_for(learner_id: str, as_of: str, *parts: str) -> int:
    """A stable 64-bit seed from the learner, as_of (ISO text) and the forecast's name."""
    text = "\x1f".join([learner_id, as_of, *parts])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def forecast(estimate, low, high, basis: str) -> dict:
    """A forecast whose interval always contains its estimate."""
    if estimate is not None:
        low, high = min(low, estimate), max(high, estimate)
    return {"estimate": _plain(estimate), "low": _plain(low), "high": _plain(high),
            "confidence": CONFIDENCE, "basis": basis, "reason": None}


def no_forecast(reason: str, basis: str | None = None) -> dict:
    return {"estimate": None, "low": None, "high": None, "confidence": CONFIDENCE, "basis": basis,
            "reason": reason}


def iso_day(day_num: int) -> str:
    """A local day number (days since 1970-01-01) as an ISO date."""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day_num))).isoformat()


def daily_counts(days, window: Window, weights=None) -> np.ndarray:
    """Per day of the window (oldest first): how many of `days` fall on it (or the sum of
    `weights`)."""
    d = np.asarray(days, dtype=np.int64)
    inside = (d >= window.start) & (d <= window.end)
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    return np.bincount(d[inside] - window.start, weights=w, minlength=window.days).astype(float)


# -- completion ------------------------------------------------------------------------------

def completion_forecast(*, completed_days, remaining: int, total: int, window: Window, seed: int,
                        what: str = "tasks", p_finish: float = 1.0, risk: str | None = None,
                        calibration: Callable[[int], tuple[Any, str]] | None = None) -> dict:
    """When the remaining tasks will be done, at the recent daily pace.

    `completed_days`: the local day of each completed task (any time; the window picks the
    recent ones); `remaining`: tasks not completed yet, of `total`. The estimate is today +
    remaining / pace, pace = completions per day of the window. The interval simulates the
    future day by day: each draw resamples the window's days (a bootstrap of the recent
    daily pace: active days with their completions, idle days as zero), then draws future
    days from that resample until the remaining tasks are done; low and high are the 10th
    and 90th percentiles of the finishing day. Dates are local ISO dates.

    `p_finish` is the chance that the remaining tasks get done at all (`finish_chance`);
    that many draws finish, the others never do. Below 90% the 90th percentile is "never",
    so there is no bounded 80% interval and no forecast; `risk` says why the chance is low.

    `calibration`, given the estimate's days from today, returns the store's record of how
    wrong such estimates have been (`calibration.Calibration`), or None and why not (see
    `calibration.pick`). With a record, the interval is the estimate scaled by its error
    quantiles instead of the bootstrap, and the basis names what calibrated it; without
    one, the basis says why the interval is the bootstrap.
    """
    if total <= 0:
        return no_forecast(f"no {what} to complete")
    if remaining <= 0:
        return no_forecast("finished")
    if not window.enough():
        return no_forecast(window.too_little())
    counts = daily_counts(completed_days, window)
    done = int(counts.sum())
    active_completion_days = int(np.count_nonzero(counts))
    basis = (f"{remaining} of {total} {what} left; {done} completed on {active_completion_days} of the last "
             f"{window.days} days ({window.active_days} active)")
    if done == 0:
        return no_forecast(f"no progress in the last {window.days} days", basis)
    if p_finish < HIGH_PERCENTILE / 100:
        return no_forecast(f"too uncertain: about {(1 - p_finish) * 100:.0f}% chance the {what} left are never all "
                           f"done ({risk})", basis)
    if active_completion_days < MIN_COMPLETION_DAYS:
        return no_forecast(f"completions on only {active_completion_days} day"
                           f"{'s' if active_completion_days != 1 else ''} of the last {window.days} "
                           f"({MIN_COMPLETION_DAYS} needed for an interval)", basis)
    pace = done / window.days
    days_needed = remaining * window.days / done  # as completion_estimate_days computes it
    basis += f"; pace {pace * 7:.2f} a week"
    if p_finish < 1:
        basis += f"; {p_finish * 100:.0f}% chance all get done ({risk})"
    if days_needed > HORIZON_DAYS:
        return no_forecast(f"at the recent pace the {remaining} {what} left take more than "
                           f"{HORIZON_DAYS // 365} years", basis)
    found, uncalibrated = calibration(math.ceil(days_needed)) if calibration is not None else (None, None)
    if found is not None:
        low, high = found.bounds(math.ceil(days_needed), p_finish)
        basis += f"; {found.describe()}"
    else:
        rng = np.random.default_rng(seed)
        finish = simulate_finish(counts, remaining, rng)
        finish[rng.random(len(finish)) >= p_finish] = np.inf
        low, high = _percentiles(finish)
        if uncalibrated:
            basis += f"; {uncalibrated}"
    if high > HORIZON_DAYS:
        return no_forecast(f"too uncertain: in over {100 - HIGH_PERCENTILE:.0f}% of "
                           f"{'past forecasts like it' if found is not None else 'simulated futures'} the "
                           f"{what} left take more than {HORIZON_DAYS // 365} years", basis)
    today = window.end
    estimate = today + math.ceil(days_needed)
    low_day, high_day = today + math.ceil(low), today + math.ceil(high)
    return forecast(iso_day(estimate), iso_day(min(low_day, estimate)), iso_day(max(high_day, estimate)), basis)


def completion_estimate_days(active_days: np.ndarray | None, completed_days: np.ndarray, total, todays: np.ndarray,
                             *, window: tuple[np.ndarray, np.ndarray] | None = None,
                             done_from: np.ndarray | None = None) -> np.ndarray:
    """For each of `todays`: the days from it to the estimate `completion_forecast` gives
    (ceil(remaining / pace)), or 0 where its rules give no date (finished, too little data,
    no progress, completions on under 3 days, beyond the horizon). The chance of finishing
    is not looked at. `active_days` sorted and distinct; `completed_days` sorted, one per
    completed task of the `total`. Vectorised over `todays`, for `calibration`; and over many
    sets of tasks at once: `completed_days` and `todays` as `day_keys` of the sets, `window`
    the (first day as a key of the set, active days) of each today's window (`window_starts`
    over its learner's days), `total` per today and `done_from` where its set's completions
    begin."""
    todays = np.asarray(todays, dtype=np.int64)
    done = np.asarray(completed_days, dtype=np.int64)
    start, active = window_starts(active_days, todays) if window is None else window
    upto = np.searchsorted(done, todays, side="right")
    in_window = upto - np.searchsorted(done, start, side="left")
    distinct = np.unique(done)
    completion_days = (np.searchsorted(distinct, todays, side="right")
                       - np.searchsorted(distinct, start, side="left"))
    remaining = total - (upto if done_from is None else upto - done_from)
    ok = (remaining > 0) & (active >= MIN_ACTIVE_DAYS) & (in_window > 0) & (completion_days >= MIN_COMPLETION_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(ok, remaining * (todays - start + 1) / np.maximum(in_window, 1), 0.0)
    ok &= needed <= HORIZON_DAYS
    return np.where(ok, np.ceil(needed), 0).astype(np.int64)


def finish_chance(*, stuck: int, retries: bool, remaining_pass_marks, scores) -> tuple[float, str | None]:
    """(chance that every remaining task gets done, why it is below 1).

    A failed task is normally tried again. When the learner's history shows no task tried
    again after a failed attempt (`retries` False), a task attempted without success
    (`stuck`) may never be done, and each remaining task must pass at its first attempt:
    its chance is P(score >= pass mark) under a normal model of the learner's scores (their
    mean and sd, the sd at least MIN_SCORE_SD). With retries, or without scores, 1.
    """
    if retries:
        return 1.0, None
    if stuck:
        return 0.0, f"{stuck} attempted without success, and no failed task has been tried again"
    y = np.asarray(scores, dtype=float)
    marks = np.asarray(remaining_pass_marks, dtype=float)
    if not len(y) or not len(marks):
        return 1.0, None
    mean, sd = float(y.mean()), max(float(y.std()), MIN_SCORE_SD)
    fail = 0.5 * np.array([math.erfc((mean - mark) / sd / math.sqrt(2)) for mark in marks])
    chance = float(np.prod(1.0 - fail))
    return chance, (f"failed tasks are not tried again, and at your scores (mean {mean:.0f}, sd {sd:.0f}) each "
                    f"task left is passed at the first attempt with probability {float(np.mean(1 - fail)) * 100:.0f}%")


def simulate_finish(counts: np.ndarray, remaining: float, rng: np.random.Generator,
                    draws: int = DRAWS, horizon: int = HORIZON_DAYS) -> np.ndarray:
    """Days from today until `remaining` is reached in each simulated future (inf when not
    within `horizon`): each draw resamples the window's daily counts, then draws future days
    from that resample. Futures are drawn in chunks, and only the unfinished ones go on."""
    n = len(counts)
    resampled = counts.astype(np.int32)[rng.integers(0, n, size=(draws, n))]
    out = np.full(draws, np.inf)
    todo = np.arange(draws)
    done_so_far = np.zeros(draws, dtype=np.int64)
    step = max(32, min(horizon, math.ceil(1.5 * remaining * n / max(float(counts.sum()), 1e-9))))
    elapsed = 0
    while len(todo) and elapsed < horizon:
        span = min(step, horizon - elapsed)
        picks = rng.integers(0, n, size=(len(todo), span))
        future = np.take_along_axis(resampled[todo], picks, axis=1)
        cum = done_so_far[todo, None] + np.cumsum(future, axis=1, dtype=np.int64)
        reached = cum[:, -1] >= remaining
        first = np.argmax(cum >= remaining, axis=1)
        out[todo[reached]] = elapsed + first[reached] + 1
        done_so_far[todo] = cum[:, -1]
        todo = todo[~reached]
        elapsed += span
    return out


# -- skills ----------------------------------------------------------------------------------

def skill_forecasts(*, scores, attempt_days, fit: CurveFit, window: Window, seed: int) -> dict:
    """{"level_in_30_days": F, "time_to_mastery_days": F} of one skill, from its fitted curve.

    `scores` in attempt order with `attempt_days` (local day numbers). The level is what
    current_level (the mean of the last 10 attempts) will read in 30 days: the attempts of
    the next 30 days follow the curve, their number is the recent pace of this skill.
    Draws take the curve's parameters from their fitted covariance, the number of attempts
    from a bootstrap of the window's days and each new score's noise from the fit's
    residuals. Time to mastery is the days until the curve reaches 85 at that pace (0 when
    the current level already is 85 or more).
    """
    y = np.asarray(scores, dtype=float)
    n_done = len(y)
    current = float(y[-LEVEL_WINDOW:].mean()) if n_done else None
    if not fit.ok:
        return {"level_in_30_days": no_forecast(fit.reason), "time_to_mastery_days": no_forecast(fit.reason)}
    if not window.enough():
        reason = window.too_little()
        return {"level_in_30_days": no_forecast(reason), "time_to_mastery_days": no_forecast(reason)}
    counts = daily_counts(attempt_days, window)
    recent = int(counts.sum())
    if recent == 0:
        reason = f"no attempts at this skill in the last {window.days} days"
        return {"level_in_30_days": no_forecast(reason), "time_to_mastery_days": no_forecast(reason)}
    rng = np.random.default_rng(seed)
    rate = recent / window.days
    curve = fit.describe()
    pace = f"{recent} attempt{'s' if recent != 1 else ''} in the last {window.days} days"
    resampled_rate = counts[rng.integers(0, len(counts), size=(DRAWS, len(counts)))]
    return {
        "level_in_30_days": _level_in(y, fit, rate, resampled_rate, rng, f"{curve}; {pace}"),
        "time_to_mastery_days": _time_to_mastery(current, n_done, fit, rate, _parameter_draws(fit, rng),
                                                 resampled_rate, f"{curve}; {pace}"),
    }


def _parameter_draws(fit: CurveFit, rng: np.random.Generator) -> np.ndarray:
    """Up to DRAWS parameter sets (a, b, c) from the fit's covariance, inside the bounds
    (draws outside them are dropped, not clipped: a clipped draw is a curve nobody fitted)."""
    theta = np.array([fit.a, fit.b, fit.c])
    if fit.cov is None:
        return theta[None, :]
    draws = rng.multivariate_normal(theta, fit.cov, size=DRAWS, method="eigh", check_valid="ignore")
    inside = np.all((draws >= LOWER) & (draws <= UPPER), axis=1)
    return draws[inside] if inside.any() else theta[None, :]


def _level_in(y, fit, rate, resampled_rate, rng, basis) -> dict:
    n_done = len(y)
    tail = y[-LEVEL_WINDOW:]
    # Point estimate: the expected number of attempts, on the fitted curve, no noise.
    k = int(round(rate * SKILL_DAYS))
    expected = np.concatenate([tail, fit.predict(np.arange(n_done + 1, n_done + k + 1))])[-LEVEL_WINDOW:]
    estimate = float(np.clip(expected, 0, 100).mean())
    # Draws: the number of attempts in the next 30 days from the resampled window, and each
    # new score on the curve plus the fit's residual noise. The residual sd already holds
    # the curve's misfit; adding the parameters' own error on top made the intervals too
    # wide in the backtests (91% of actual levels inside an 80% interval; 84-85% without).
    n_window = resampled_rate.shape[1]
    days = rng.integers(0, n_window, size=(DRAWS, SKILL_DAYS))
    k_draw = np.take_along_axis(resampled_rate, days, axis=1).sum(axis=1).astype(np.int64)
    k_max = int(k_draw.max())
    if k_max == 0:
        return forecast(estimate, estimate, estimate, basis)
    n_new = np.arange(n_done + 1, n_done + k_max + 1, dtype=float)
    noise = rng.normal(0.0, fit.residual_sd or 0.0, size=(DRAWS, k_max))
    new = np.clip(fit.predict(n_new)[None, :] + noise, 0.0, 100.0)
    seq = np.concatenate([np.tile(tail, (DRAWS, 1)), new], axis=1)  # old tail, then new scores
    m = len(tail)
    # The last m values of each draw's series: positions k .. k + m - 1 of seq.
    cols = k_draw[:, None] + np.arange(m)[None, :]
    levels = np.take_along_axis(seq, cols, axis=1).mean(axis=1)
    low, high = _percentiles(levels)
    return forecast(estimate, float(low), float(high), basis)


def _time_to_mastery(current, n_done, fit, rate, params, resampled_rate, basis) -> dict:
    if current is not None and round(current, 9) >= MASTERY:
        return forecast(0.0, 0.0, 0.0, f"current level {current:.1f} is already {MASTERY:g} or more")
    if not fit.clear_trend:
        return no_forecast(f"no clear trend in the scores (R² {fit.r2:.2f}): the curve cannot say when "
                           f"{MASTERY:g} comes", basis)
    target = attempts_to_reach(fit, MASTERY)
    if target is None:
        return no_forecast(f"the fitted curve levels off at {fit.a:.1f}, below {MASTERY:g}", basis)
    estimate = max(target - n_done, 0.0) / rate
    if estimate > HORIZON_DAYS:
        return no_forecast(f"at the recent pace mastery is more than {HORIZON_DAYS // 365} years away", basis)
    a, b, c = params[:, 0], params[:, 1], params[:, 2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rises = (b > 0) & (c > 0) & (a > MASTERY)
        n_star = np.where(rises, np.power(np.where(rises, b / (a - MASTERY), 1.0), 1.0 / np.where(c > 0, c, 1.0)),
                          np.inf)
        draw_rate = resampled_rate.mean(axis=1)[:len(n_star)]
        days = np.where(draw_rate > 0, np.maximum(n_star - n_done, 0.0) / draw_rate, np.inf)
    low, high = _percentiles(days)
    if high > HORIZON_DAYS:
        return no_forecast(f"too uncertain: in over {100 - HIGH_PERCENTILE:.0f}% of the plausible curves "
                           f"mastery takes more than {HORIZON_DAYS // 365} years or never comes", basis)
    return forecast(float(estimate), float(low), float(high), basis)


# -- practice needed -------------------------------------------------------------------------

def practice_needed(*, remaining: int, target_day: int, today: int, day_minutes, day_completions,
                    seed: int, target_pace: float | None = None) -> dict:
    """Practice minutes per week needed to finish `remaining` tasks by `target_day`.

    The cost of a task is the learner's practice minutes per completed task over their
    active days (all of them: a task's cost changes less than the pace does); the interval
    bootstraps those days. `day_minutes` and `day_completions` are per active day. A target
    date that is today or past, or an estimate over 20 hours a week, gives no number: the
    reason says so.
    """
    if remaining <= 0:
        return no_forecast("finished")
    if target_day <= today:
        return no_forecast(f"the target date {iso_day(target_day)} "
                           f"{'is today' if target_day == today else 'has passed'}: no practice per week meets it")
    minutes = np.asarray(day_minutes, dtype=float)
    done = np.asarray(day_completions, dtype=float)
    if len(minutes) < MIN_ACTIVE_DAYS:
        return no_forecast(f"too little data: {len(minutes)} active days ({MIN_ACTIVE_DAYS} needed)")
    if done.sum() == 0:
        return no_forecast("no task completed yet, so the practice a task takes is unknown")
    if minutes.sum() <= 0:
        return no_forecast("no practice time recorded")
    weeks = (target_day - today + 1) / 7.0
    per_task = minutes.sum() / done.sum()
    needed = remaining * per_task / weeks
    rate = remaining / weeks
    basis = (f"{remaining} tasks by {iso_day(target_day)} ({weeks:.1f} weeks): {rate:.2f} tasks a week"
             + (f" (catalog target pace {target_pace:g})" if target_pace else "")
             + f" at {per_task:.0f} min a task")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(minutes), size=(DRAWS, len(minutes)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(done[picks].sum(axis=1) > 0, minutes[picks].sum(axis=1) / done[picks].sum(axis=1), np.inf)
    if round(needed, 9) > MAX_WEEKLY_MINUTES:
        return no_forecast(f"about {needed / 60:.0f} hours a week would be needed, more than a person can do "
                           f"(over {MAX_WEEKLY_MINUTES // 60} hours a week)", basis)
    low, high = _percentiles(remaining * ratio / weeks)
    if not math.isfinite(high):
        return no_forecast("too uncertain: too few completed tasks to price a task", basis)
    return forecast(float(needed), float(low), float(high), basis)


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    """The 10th and 90th percentiles, each an actual draw (inverted CDF), so an inf draw
    stays inf instead of turning the interpolation into nan."""
    low, high = np.percentile(np.asarray(values, dtype=float), [LOW_PERCENTILE, HIGH_PERCENTILE],
                              method="inverted_cdf")
    return float(low), float(high)


def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    return value
