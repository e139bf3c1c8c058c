"""What the reads compute when they answer (analytics/dated.py, achievement_progress.py, the
peak hours recompute stores) against the full computation, on random events: equal to the last
bit, not merely close."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progress_cli.analytics import analyze, dated, prepare_events
from progress_cli.analytics.achievement_progress import evaluated_rows
from progress_cli.analytics.achievements import achievement_states, evaluate
from progress_cli.analytics.insights import LearnerView, peak_hours_by_learner, peak_times
from progress_cli.analytics.rows import rows as frame_rows
from progress_cli.catalog import parse_catalog
from tests.analytics.conftest import make_frame

START = dt.datetime(2026, 3, 23, 6, 0, tzinfo=dt.timezone.utc)  # a Monday, a week before a DST change
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
CATALOG = """
weekly_goal_minutes = {goal}
streak_min_minutes = {streak_min}
[[skills]]
id = "s1"
name = "S1"
[[skills]]
id = "s2"
name = "S2"
[[modules]]
id = "m1"
title = "M1"
tasks = [{{ id = "t1", skills = ["s1"], difficulty = 4 }}, {{ id = "t2", skills = ["s1", "s2"] }}, "t3"]
[[modules]]
id = "m2"
title = "M2"
pass_mark = 80
tasks = [{{ id = "t4", skills = ["s2"], difficulty = 5 }}]
[certification]
name = "C"
min_completion = 50
module_scores = {{ m1 = 70 }}
skill_mastery = {{ s1 = 60 }}
{achievements}
"""
ACHIEVEMENTS = [
    "sessions >= 6", "total_hours >= 3", "total_progress >= 75", "module_completion[m1] >= 100", "challenge_wins[4] >= 2",
    "streak_days >= 3", "weekly_goal_weeks >= 2", "skill_mastery[any] >= 60", "skill_mastery[*] >= 40",
    "module_readiness[m1] >= PROFICIENT", "certificate_progress >= 90", "skill_improvement[any] >= 5",
    "total_hours < 1", "sessions == 3",
]

event = st.fixed_dictionaries({
    "minute": st.integers(0, 60 * 24 * 40),
    "learner_id": st.sampled_from(["ann", "ann", "bo"]),
    "session": st.integers(0, 6),
    "module_id": st.sampled_from(["m1", "m1", "m2", "x"]),
    "task_id": st.sampled_from([None, "t1", "t2", "t3", "t4"]),
    "type": st.sampled_from(["attempt", "attempt", "task_completed", "viewed"]),
    "score": st.one_of(st.none(), st.integers(300, 1000).map(lambda s: s / 10)),
    "duration_s": st.one_of(st.none(), st.integers(30, 2400)),
})
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _catalog(goal: int, streak_min: int, multi: bool):
    entries = [f'[[achievements]]\nid = "a{i}"\ntype = "milestone"\nname = "A{i}"\nrequirement = "{r}"'
               for i, r in enumerate(ACHIEVEMENTS)]
    if multi:
        entries.append('[[achievements]]\nid = "both"\ntype = "completion"\nname = "Both"\n'
                       'requirements = ["weekly_goal_weeks >= 1", "sessions >= 2"]')
    return parse_catalog(CATALOG.format(goal=goal, streak_min=streak_min, achievements="\n".join(entries)))


def _frame(drawn: list[dict]) -> pd.DataFrame:
    rows = [{"event_id": f"e{i:03d}", "ts": (START + dt.timedelta(minutes=e["minute"])).isoformat(),
             "session_id": f"{e['learner_id']}-{e['session']}" if e["session"] else None,
             **{k: v for k, v in e.items() if k not in ("minute", "session")}} for i, e in enumerate(drawn)]
    return make_frame(rows)


def _days(analysis, learner: str) -> list[dict]:
    found = frame_rows(analysis.daily, ["learner_id", "day", "practice_s", "practice_minutes", "active", "streak"])
    return [{**r, "day": r["day"][:10]} for r in found if r["learner_id"] == learner]


@SETTINGS
@given(drawn=st.lists(event, min_size=1, max_size=50), zone=st.sampled_from(ZONES), cut=st.integers(0, 60 * 24 * 45),
       goal=st.sampled_from([0, 30, 120]), streak_min=st.sampled_from([0, 10]))
def test_the_daily_figures_are_the_aggregates(drawn, zone, cut, goal, streak_min):
    catalog = _catalog(goal, streak_min, multi=False)
    full = analyze(_frame(drawn), catalog, zone, START + dt.timedelta(minutes=cut))
    today = full.prepared.today
    streak = {r["learner_id"]: r for r in frame_rows(full.streaks, ["learner_id", "streak_days", "last_active_day"])}
    for learner in full.prepared.learners:
        days = _days(full, learner)
        last = streak[learner]["last_active_day"]
        assert dated.current_streak(days, today) == (streak[learner]["streak_days"], last and last[:10])
        weeks = full.weekly[full.weekly["learner_id"].to_numpy(dtype=object) == learner]
        if len(weeks):
            assert dated.week_minutes(days, today) == weeks["practice_minutes"].iloc[-1]
        assert dated.weekly_goal_weeks(days, today, goal) == _goal_run(weeks, goal)


def _goal_run(weeks: pd.DataFrame, goal: float) -> int:
    """The run as the weekly frame says it (the complete weeks, walking back from the last)."""
    run = 0
    if goal <= 0:
        return 0
    for progress, elapsed in zip(weeks["weekly_goal_progress"][::-1], weeks["days_elapsed"][::-1]):
        if elapsed < 7:
            continue
        if not np.round(progress, 9) >= 1.0:
            break
        run += 1
    return run


@SETTINGS
@given(drawn=st.lists(event, min_size=1, max_size=50), zone=st.sampled_from(ZONES), cut=st.integers(0, 60 * 24 * 40),
       later=st.integers(0, 60 * 24 * 30), goal=st.sampled_from([0, 30, 120]), multi=st.booleans())
def test_stored_states_give_at_a_later_moment_what_the_full_evaluation_gives(drawn, zone, cut, later, goal, multi):
    """States as recompute stores them at R, finished at A >= R (no events between): the rows
    of `evaluate` at A, unless the week of R met the goal and a locked achievement reads the
    run (then the reads take the full path: services.learner_rows)."""
    catalog = _catalog(goal, 0, multi)
    recomputed = START + dt.timedelta(minutes=cut)
    frame = _frame([e for e in drawn if e["minute"] <= cut])
    if frame.empty:
        return
    moment = recomputed + dt.timedelta(minutes=later)
    then = prepare_events(frame, catalog, zone, recomputed)
    states = achievement_states(then, catalog.achievements)
    full = analyze(frame, catalog, zone, moment)
    expected = evaluate(full.prepared, catalog.achievements)
    today = full.prepared.today
    for learner in full.prepared.learners:
        days = _days(full, learner)
        mine = {s["achievement_id"]: s for s in states if s["learner_id"] == learner}
        if _goal_week_may_earn(catalog, mine, days, then.today, today, goal):
            continue
        found = evaluated_rows(catalog.achievements, mine,
                               {"streak_days": dated.current_streak(days, today)[0],
                                "weekly_goal_weeks": dated.weekly_goal_weeks(days, today, goal)}, moment, ZoneInfo(zone))
        rows = expected[expected["learner_id"].to_numpy(dtype=object) == learner]
        for row, got in zip(rows.itertuples(), found):
            earned = None if row.earned_at is pd.NaT else row.earned_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            assert (row.achievement_id, earned, row.progress, row.current, row.required, row.estimated_date) == (
                got.achievement_id, got.earned_at, got.progress, got.current, got.required, got.estimated_date)


def _goal_week_may_earn(catalog, states, days, then_day, today, goal) -> bool:
    from progress_cli.services.learner_rows import _goal_week_completed

    rows = {"achievements": list(states.values()), "days": days}
    then = dt.datetime.combine(dt.date(1970, 1, 1) + dt.timedelta(days=then_day), dt.time(12), tzinfo=dt.timezone.utc)
    moment = dt.datetime.combine(dt.date(1970, 1, 1) + dt.timedelta(days=today), dt.time(12), tzinfo=dt.timezone.utc)
    return _goal_week_completed(catalog, rows, then.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), moment, dt.timezone.utc)


@SETTINGS
@given(drawn=st.lists(event, min_size=1, max_size=60), zone=st.sampled_from(ZONES))
def test_the_peak_hours_of_every_learner_at_once_are_each_learners(drawn, zone):
    full = analyze(_frame(drawn), _catalog(60, 0, False), zone, START + dt.timedelta(days=60))
    at_once = peak_hours_by_learner(full.prepared)
    for learner in full.prepared.learners:
        assert at_once[learner] == peak_times(LearnerView(full, learner))["peak_hours"]


def test_a_goal_week_that_completes_after_the_states_earns_only_what_the_gate_sends_to_the_full_path():
    """60 minutes on Monday 2026-03-23 and on Monday 2026-03-30 against a goal of 30: stored
    on Wednesday the 1st, the run reads 1 (the week of the 30th is not over); by the next
    Monday it is 2, and `weekly_goal_weeks >= 2` was earned on the 30th. The gate sends that
    to the full path; `>= 3` stays locked and the stored states answer."""
    drawn = [{"minute": day * 60 * 24, "learner_id": "ann", "session": day + 1, "module_id": "m1", "task_id": None,
              "type": "viewed", "score": None, "duration_s": 3600} for day in (0, 7)]
    catalog = parse_catalog(CATALOG.format(goal=30, streak_min=0, achievements="\n".join(
        f'[[achievements]]\nid = "run-{n}"\ntype = "streak"\nname = "Run {n}"\nrequirement = "weekly_goal_weeks >= {n}"'
        for n in (2, 3))))
    frame = _frame(drawn)
    recomputed, moment = START + dt.timedelta(days=9), START + dt.timedelta(days=14, hours=1)
    then = prepare_events(frame, catalog, "UTC", recomputed)
    states = {s["achievement_id"]: s for s in achievement_states(then, catalog.achievements)}
    assert [s["earned_at"] for s in states.values()] == [None, None] and states["run-2"]["current"] == [1.0]
    full = analyze(frame, catalog, "UTC", moment)
    days = _days(full, "ann")
    expected = evaluate(full.prepared, catalog.achievements)
    assert expected["earned_at"].notna().tolist() == [True, False]
    assert _goal_week_may_earn(catalog, states, days, then.today, full.prepared.today, 30)
    only_three = {"run-3": states["run-3"]}
    assert not _goal_week_may_earn(catalog, only_three, days, then.today, full.prepared.today, 30)
    found = evaluated_rows(catalog.achievements, only_three, {"streak_days": 0, "weekly_goal_weeks": 2}, moment,
                           ZoneInfo("UTC"))
    assert (found[0].earned_at, found[0].current, found[0].progress) == (None, [2.0], 2 / 3)
    assert expected.iloc[1]["current"] == [2.0] and expected.iloc[1]["progress"] == 2 / 3
