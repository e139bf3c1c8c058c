"""Forecasts (DESIGN 5.6): known paces and curves, honest nulls, reproducible intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from progress_cli.analytics import forecast as fc
from progress_cli.analytics.curve import fit_curve
from progress_cli.analytics.insights import LearnerView, completion_forecasts, learner_insights
from progress_cli.catalog import Catalog, Module, Task

TODAY = 20_000  # a local day number (2024-10-04)
F_KEYS = {"estimate", "low", "high", "confidence", "basis", "reason"}


def day(offset: int) -> str:
    return fc.iso_day(TODAY + offset)


def window(days: int = 28, active: int = 28) -> fc.Window:
    return fc.Window(start=TODAY - days + 1, end=TODAY, active_days=active)


def assert_null(f: dict, reason_start: str) -> None:
    assert set(f) == F_KEYS and f["confidence"] == 0.8
    assert (f["estimate"], f["low"], f["high"]) == (None, None, None)
    assert f["reason"].startswith(reason_start), f["reason"]


# -- the recent window -------------------------------------------------------------------------

def test_window_is_the_last_28_days_for_a_regular_learner():
    w = fc.recent_window(np.arange(TODAY - 40, TODAY + 1), TODAY)
    assert (w.start, w.end, w.days, w.active_days) == (TODAY - 27, TODAY, 28, 28)


def test_window_stretches_back_to_the_fifth_most_recent_active_day():
    active = TODAY + np.array([-60, -45, -30, -20, -5])
    w = fc.recent_window(active, TODAY)
    assert (w.start, w.days, w.active_days) == (TODAY - 60, 61, 5)
    assert w.enough()


def test_window_never_reaches_back_more_than_91_days():
    w = fc.recent_window(TODAY + np.array([-120, -100, -80, -50, -10]), TODAY)
    assert (w.start, w.days, w.active_days) == (TODAY - 90, 91, 3)
    assert not w.enough()
    assert w.too_little() == "too little recent data: 3 active days in the last 91 days (5 needed)"


def test_window_starts_at_the_first_active_day_of_a_new_learner():
    w = fc.recent_window(TODAY + np.array([-10, -8, -6, -4, -2, 0]), TODAY)
    assert (w.start, w.days, w.active_days) == (TODAY - 10, 11, 6)
    assert fc.recent_window(np.array([], dtype=int), TODAY).active_days == 0


# -- completion --------------------------------------------------------------------------------

def test_a_steady_pace_gives_an_exact_date():
    # One task completed every day for 28 days: 10 left take 10 days, in every simulation.
    f = fc.completion_forecast(completed_days=np.arange(TODAY - 27, TODAY + 1), remaining=10, total=38,
                               window=window(), seed=1)
    assert set(f) == F_KEYS
    assert (f["estimate"], f["low"], f["high"]) == (day(10), day(10), day(10))
    assert f["confidence"] == 0.8 and f["reason"] is None
    assert f["basis"].startswith("10 of 38 tasks left; 28 completed on 28 of the last 28 days")


def test_bootstrap_interval_is_reproducible_and_contains_the_estimate():
    done = TODAY - np.array([1, 2, 4, 7, 8, 11, 15, 16, 20, 23, 25, 26])  # 12 tasks in 28 days
    kwargs = dict(completed_days=done, remaining=9, total=21, window=window(active=18))
    first = fc.completion_forecast(**kwargs, seed=fc.seed_for("alice", "2024-10-04T21:59:59+00:00", "completion"))
    again = fc.completion_forecast(**kwargs, seed=fc.seed_for("alice", "2024-10-04T21:59:59+00:00", "completion"))
    assert first == again
    assert first["estimate"] == day(math.ceil(9 / (12 / 28)))  # 21 days at 3 tasks a week
    assert first["low"] <= first["estimate"] <= first["high"]
    assert first["low"] < first["high"]  # an irregular pace leaves real uncertainty
    others = {fc.completion_forecast(**kwargs, seed=s)["high"] for s in range(8)}
    assert len(others) > 1  # the seed matters, so fixing it is what makes output reproducible


def test_seed_is_a_stable_hash_of_learner_and_as_of():
    a = fc.seed_for("alice", "2026-11-27T23:59:59.999999+00:00", "completion")
    assert a == fc.seed_for("alice", "2026-11-27T23:59:59.999999+00:00", "completion")
    assert a != fc.seed_for("alice", "2026-11-28T23:59:59.999999+00:00", "completion")
    assert a != fc.seed_for("bob", "2026-11-27T23:59:59.999999+00:00", "completion")
    assert 0 <= a < 2 ** 64


def test_too_little_data_is_null_with_a_reason():
    f = fc.completion_forecast(completed_days=[TODAY], remaining=3, total=5, window=window(active=4), seed=1)
    assert_null(f, "too little recent data: 4 active days in the last 28 days")
    f = fc.completion_forecast(completed_days=[TODAY - 40], remaining=3, total=5, window=window(), seed=1)
    assert_null(f, "no progress in the last 28 days")
    f = fc.completion_forecast(completed_days=[TODAY - 3, TODAY - 3, TODAY], remaining=3, total=6,
                               window=window(), seed=1)
    assert_null(f, "completions on only 2 days of the last 28 (3 needed for an interval)")
    f = fc.completion_forecast(completed_days=[], remaining=0, total=0, window=window(), seed=1)
    assert_null(f, "no tasks to complete")


def test_a_finished_learner_gets_no_completion_forecast():
    f = fc.completion_forecast(completed_days=np.arange(TODAY - 9, TODAY + 1), remaining=0, total=10,
                               window=window(), seed=1)
    assert_null(f, "finished")


def test_a_pace_too_slow_for_the_horizon_is_null():
    done = TODAY - np.array([1, 10, 20])
    f = fc.completion_forecast(completed_days=done, remaining=200, total=203, window=window(), seed=1)
    assert_null(f, "at the recent pace the 200 tasks left take more than 3 years")


def test_the_chance_of_never_finishing():
    assert fc.finish_chance(stuck=2, retries=True, remaining_pass_marks=[70, 70], scores=[20, 30]) == (1.0, None)
    chance, why = fc.finish_chance(stuck=1, retries=False, remaining_pass_marks=[70], scores=[20])
    assert chance == 0.0 and "no failed task has been tried again" in why
    # Scores with mean 70 and sd 10, pass mark 70: each task passes at the first attempt with 1/2.
    chance, why = fc.finish_chance(stuck=0, retries=False, remaining_pass_marks=[70, 70], scores=[60, 80])
    assert chance == pytest.approx(0.25)
    assert fc.finish_chance(stuck=0, retries=False, remaining_pass_marks=[40], scores=[])[0] == 1.0
    f = fc.completion_forecast(completed_days=np.arange(TODAY - 27, TODAY + 1), remaining=2, total=30,
                               window=window(), seed=1, p_finish=chance, risk=why)
    assert_null(f, "too uncertain: about 75% chance the tasks left are never all done")
    # A small risk keeps the forecast and says so in the basis; some draws never finish.
    f = fc.completion_forecast(completed_days=np.arange(TODAY - 27, TODAY + 1), remaining=2, total=30,
                               window=window(), seed=1, p_finish=0.95, risk="a reason")
    assert f["estimate"] == day(2) and "95% chance all get done" in f["basis"]


# -- skills ------------------------------------------------------------------------------------

def curve(a, b, c, n):
    return a - b * np.arange(1, n + 1, dtype=float) ** -c


def test_level_in_30_days_follows_the_curve_at_the_recent_pace():
    scores = curve(90, 50, 0.7, 40)
    days = np.repeat(np.arange(TODAY - 19, TODAY + 1), 2)  # 2 attempts a day for 20 days
    out = fc.skill_forecasts(scores=scores, attempt_days=days, fit=fit_curve(scores), window=window(), seed=3)
    level = out["level_in_30_days"]
    k = round(40 / 28 * 30)  # the window's 40 attempts in 28 days, over 30 days: 43
    n = np.arange(40 + k - 9, 40 + k + 1)  # the last 10 of them
    assert level["estimate"] == pytest.approx(float(np.mean(90 - 50 * n ** -0.7)), abs=1e-3)
    assert level["low"] <= level["estimate"] <= level["high"]
    assert level["basis"].startswith("score = 90.0 - 50.0 n^-0.70")
    assert out == fc.skill_forecasts(scores=scores, attempt_days=days, fit=fit_curve(scores), window=window(), seed=3)


def test_time_to_mastery_from_the_curve():
    scores = curve(92, 60, 0.5, 20)
    days = np.arange(TODAY - 19, TODAY + 1)  # one attempt a day; window of 28 days
    out = fc.skill_forecasts(scores=scores, attempt_days=days, fit=fit_curve(scores), window=window(), seed=5)
    mastery = out["time_to_mastery_days"]
    n_star = (60 / (92 - 85)) ** 2  # 92 - 60 n^-0.5 = 85
    assert mastery["estimate"] == pytest.approx((n_star - 20) / (20 / 28), rel=1e-3)
    assert mastery["low"] <= mastery["estimate"] <= mastery["high"]


def test_time_to_mastery_when_already_there_or_never():
    high = np.full(12, 90.0) + np.tile([1.0, -1.0], 6)
    days = np.arange(TODAY - 11, TODAY + 1)
    out = fc.skill_forecasts(scores=high, attempt_days=days, fit=fit_curve(high), window=window(), seed=1)
    assert out["time_to_mastery_days"]["estimate"] == 0.0
    low = curve(70, 30, 0.8, 30)
    days = np.arange(TODAY - 29, TODAY + 1)
    out = fc.skill_forecasts(scores=low, attempt_days=days, fit=fit_curve(low), window=window(), seed=1)
    assert_null(out["time_to_mastery_days"], "the fitted curve levels off at 70.0, below 85")
    assert out["level_in_30_days"]["estimate"] is not None


def test_skill_forecasts_need_eight_attempts_and_recent_practice():
    few = curve(90, 50, 0.7, 7)
    out = fc.skill_forecasts(scores=few, attempt_days=np.full(7, TODAY), fit=fit_curve(few), window=window(), seed=1)
    assert_null(out["level_in_30_days"], "not enough data (7 attempts; 8 needed)")
    assert_null(out["time_to_mastery_days"], "not enough data")
    old = curve(90, 50, 0.7, 12)
    out = fc.skill_forecasts(scores=old, attempt_days=np.full(12, TODAY - 60), fit=fit_curve(old),
                             window=window(), seed=1)
    assert_null(out["level_in_30_days"], "no attempts at this skill in the last 28 days")
    out = fc.skill_forecasts(scores=old, attempt_days=np.full(12, TODAY), fit=fit_curve(old),
                             window=window(active=2), seed=1)
    assert_null(out["level_in_30_days"], "too little recent data")


# -- practice needed ---------------------------------------------------------------------------

def test_practice_needed_per_week_to_meet_the_target_date():
    minutes = np.full(10, 30.0)
    done = np.array([1, 0] * 5, dtype=float)  # 5 tasks in 300 minutes: 60 min a task
    f = fc.practice_needed(remaining=6, target_day=TODAY + 27, today=TODAY, day_minutes=minutes,
                           day_completions=done, seed=2, target_pace=8)
    assert f["estimate"] == pytest.approx(6 * 60 / 4)  # 6 tasks in 4 weeks
    assert f["low"] <= f["estimate"] <= f["high"]
    assert "1.50 tasks a week (catalog target pace 8) at 60 min a task" in f["basis"]
    assert_null(fc.practice_needed(remaining=6, target_day=TODAY - 1, today=TODAY, day_minutes=minutes,
                                   day_completions=done, seed=2), f"the target date {day(-1)} has passed")
    assert_null(fc.practice_needed(remaining=6, target_day=TODAY, today=TODAY, day_minutes=minutes,
                                   day_completions=done, seed=2), f"the target date {day(0)} is today")
    assert fc.practice_needed(remaining=1, target_day=TODAY + 1, today=TODAY, day_minutes=minutes,
                              day_completions=done, seed=2)["estimate"] == pytest.approx(60 / (2 / 7))  # tomorrow
    assert_null(fc.practice_needed(remaining=0, target_day=TODAY + 9, today=TODAY, day_minutes=minutes,
                                   day_completions=done, seed=2), "finished")
    assert_null(fc.practice_needed(remaining=3, target_day=TODAY + 9, today=TODAY, day_minutes=minutes,
                                   day_completions=np.zeros(10), seed=2), "no task completed yet")


@pytest.mark.parametrize("remaining, capped", [(79, False), (80, False), (81, True)])
def test_practice_over_20_hours_a_week_is_no_number(remaining, capped):
    # 60 min a task, 4 weeks to the target date: 80 tasks need exactly 1,200 min (20 h) a week.
    minutes = np.full(10, 30.0)
    done = np.array([1, 0] * 5, dtype=float)
    f = fc.practice_needed(remaining=remaining, target_day=TODAY + 27, today=TODAY, day_minutes=minutes,
                           day_completions=done, seed=2)
    if capped:
        assert_null(f, "about 20 hours a week would be needed, more than a person can do (over 20 hours a week)")
        assert f["basis"].startswith(f"{remaining} tasks by {day(27)}")
    else:
        assert f["estimate"] == pytest.approx(remaining * 60 / 4)


def test_no_time_to_mastery_from_a_curve_without_a_trend():
    scores = 63 + np.tile([2.0, -3.0, 1.0, -1.0, 3.0, -2.0], 5)
    days = np.arange(TODAY - 29, TODAY + 1)
    fit = fit_curve(scores)
    out = fc.skill_forecasts(scores=scores, attempt_days=days, fit=fit, window=window(), seed=1)
    assert_null(out["time_to_mastery_days"], f"no clear trend in the scores (R² {fit.r2:.2f})")
    assert out["level_in_30_days"]["basis"].startswith("no clear trend (R² ")


# -- through the analysis ----------------------------------------------------------------------

CATALOG = Catalog(modules=(
    Module("m1", "M1", tasks=(Task("t1", "T1"), Task("t2", "T2"))),
    Module("m2", "M2", tasks=(Task("t3", "T3"),)),
))


def test_a_learner_who_finished_has_no_completion_forecast(kit):
    rows = [{"ts": f"2026-03-0{i + 1}T09:00:00Z", "module_id": m, "task_id": t, "score": 90}
            for i, (m, t) in enumerate([("m1", "t1"), ("m1", "t2"), ("m2", "t3")])]
    out = completion_forecasts(LearnerView(kit.run(rows, catalog=CATALOG, as_of="2026-03-31T12:00:00Z"), "alice"))
    assert_null(out["completion"], "finished")
    assert_null(out["modules"]["m1"], "finished") and assert_null(out["modules"]["m2"], "finished")


def test_completion_forecast_of_a_learner_with_a_steady_pace(kit):
    # 20 tasks, one passed each day from March 1; as of March 10, 10 are left.
    catalog = Catalog(modules=(Module("m1", "M1", tasks=tuple(Task(f"t{i}", f"T{i}") for i in range(20))),))
    rows = [{"ts": f"2026-03-{d:02d}T09:00:00Z", "task_id": f"t{d - 1}", "score": 90} for d in range(1, 11)]
    analysis = kit.run(rows, catalog=catalog, as_of="2026-03-10T23:00:00Z")
    out = completion_forecasts(LearnerView(analysis, "alice"))
    assert out["completion"]["estimate"] == "2026-03-20"
    assert out["completion"]["low"] == out["completion"]["high"] == "2026-03-20"
    assert out["modules"]["m1"] == out["completion"] | {"basis": out["modules"]["m1"]["basis"]}
    full = learner_insights(analysis, "alice")
    assert set(full["forecasts"]) == {"completion", "modules", "skills", "practice_needed"}
    assert full["forecasts"]["completion"] == out["completion"]
