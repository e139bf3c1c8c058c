"""`LearnerEvents` (plain Python over one learner's stored rows, for the reads without pandas)
against the full computation (`prepare_events`, `task_status`, `skill_progress`, the insights
view), on random events: every figure equal to the last bit, not merely close."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progress_cli.analytics import analyze
from progress_cli.analytics.insights import LearnerView, _attempted, _retries_after_failure
from progress_cli.analytics.learner_events import LearnerEvents, utc_text
from progress_cli.analytics.rows import rows as frame_rows
from progress_cli.catalog import Catalog, Module, Skill, Task
from progress_cli.store.queries import EVENT_FRAME_COLUMNS
from tests.analytics.conftest import make_frame

CATALOG = Catalog(
    skills=(Skill("s1", "One"), Skill("s2", "Two")),
    modules=(
        Module(id="m1", title="M1", pass_mark=70, tasks=(Task("t1", "T1", skills=("s1",)),
                                                         Task("t2", "T2", skills=("s1", "s2")))),
        Module(id="m2", title="M2", pass_mark=80, tasks=(Task("t3", "T3", skills=("s2", "s1", "s2")),
                                                         Task("t4", "T4", skills=("s3",)))),
    ),
)
ZONES = ("UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Europe/Berlin")
START = dt.datetime(2026, 3, 27, 20, 0, tzinfo=dt.timezone.utc)  # a DST change in Berlin and New York

event = st.fixed_dictionaries({
    "minute": st.one_of(st.integers(0, 60 * 24 * 20), st.sampled_from([600, 601, 2000])),  # ties in time too
    "micro": st.sampled_from([0, 0, 250_000, 999_999]),
    "module_id": st.sampled_from(["m1", "m1", "m2", "x9"]),
    "task_id": st.sampled_from([None, "t1", "t2", "t3", "t4", "q7"]),
    "skill": st.sampled_from([None, None, None, "s1", "s2", "z9"]),
    "type": st.sampled_from(["attempt", "attempt", "task_completed", "module_completed", "viewed"]),
    "score": st.one_of(st.none(), st.integers(0, 1000).map(lambda s: s / 10)),
    "event_id": st.text("abcAB09-", min_size=1, max_size=4),
})
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rows(drawn: list[dict]) -> list[tuple]:
    """Store rows (EVENT_FRAME_COLUMNS) of one learner; event ids made unique, ties in time kept."""
    out = []
    for i, e in enumerate(drawn):
        ts = START + dt.timedelta(minutes=e["minute"], microseconds=e["micro"])
        values = {**e, "event_id": f"{e['event_id']}{i}", "learner_id": "ann", "session_id": None,
                  "timestamp": utc_text(ts), "duration_s": None, "difficulty": None}
        out.append(tuple(values[c] for c in EVENT_FRAME_COLUMNS))
    return out


def _analysis(rows: list[tuple], tz: str, as_of: dt.datetime):
    frame = make_frame([{**dict(zip(EVENT_FRAME_COLUMNS, r)), "ts": r[7]} for r in rows])
    return analyze(frame, CATALOG, tz, as_of)


def _same(a, b) -> bool:
    """Equal to the last bit; NaN and None both mean null."""
    null = lambda v: v is None or (isinstance(v, float) and v != v)  # noqa: E731
    if null(a) or null(b):
        return null(a) and null(b)
    return a == b


def _assert_rows(expected: list[dict], found: list[dict], keys) -> None:
    assert len(expected) == len(found)
    for e, f in zip(expected, found):
        for k in keys:
            assert _same(e[k], f[k]), (k, e, f)


@SETTINGS
@given(drawn=st.lists(event, min_size=1, max_size=60), zone=st.sampled_from(ZONES), cut=st.integers(0, 60 * 24 * 21))
def test_learner_events_give_the_full_computations_figures(drawn, zone, cut):
    rows = _rows(drawn)
    as_of = START + dt.timedelta(minutes=cut)
    mine = LearnerEvents(rows, CATALOG, ZoneInfo(zone)).until(as_of)
    full = _analysis(rows, zone, as_of)

    skill_keys = ["skill", "attempts", "current_level", "improvement_rate", "consistency", "mastery", "level",
                  "next_level", "next_threshold", "attempts_needed"]
    _assert_rows(frame_rows(full.skills, skill_keys), [{"skill": s, **r} for s, r in mine.skills().items()], skill_keys)
    _assert_rows(frame_rows(full.module_skills, ["module_id", *skill_keys]), mine.module_skills(),
                 ["module_id", *skill_keys])

    tasks = full.tasks
    expected = {(full.prepared.modules[m], t): (seen, None if done != done else int(done), bool(listed))
                for m, t, seen, done, listed in zip(tasks["module_idx"], tasks["task_id"], tasks["seen_day"],
                                                    tasks["completed_day"], tasks["catalog_task"])}
    assert {k: (s.seen_day, s.completed_day, s.catalog_task) for k, s in mine.tasks.items()} == expected

    for m in frame_rows(full.modules, ["module_id", "average_score"]):
        assert _same(m["average_score"], mine.module_average(m["module_id"])), m
    assert _same(float(full.overall["total_progress"].iloc[0]), mine.total_progress())

    view = LearnerView(full, "ann")
    series = view.skill_series
    assert list(series) == list(mine.skill_series())
    for skill, (scores, days) in mine.skill_series().items():
        assert scores.tolist() == series[skill][0].tolist() and days.tolist() == series[skill][1].tolist()
    assert mine.retried_after_failure() == _retries_after_failure(view)
    attempted = _attempted(view, view.tasks)
    assert {(full.prepared.modules[m], full.prepared.tasks[t]) for m, t, a in
            zip(view.tasks["module_idx"], view.tasks["task_idx"], attempted) if a} == mine.attempted_tasks
    att = view.attempts
    by_module = {m: att["score"].to_numpy()[att["module_id"].to_numpy(dtype=object) == m].tolist()
                 for m in pd.unique(att["module_id"])}
    assert {m: s.tolist() for m, s in mine.module_scores().items()} == by_module
    assert mine.started_modules == set(view.events["module_id"])


def test_a_cut_before_every_event_keeps_the_learner_with_nothing_done():
    rows = _rows([{"minute": 10, "micro": 0, "module_id": "m1", "task_id": "t1", "skill": None,
                   "type": "attempt", "score": 90.0, "event_id": "e"}])
    before = LearnerEvents(rows, CATALOG, ZoneInfo("UTC")).until(START)
    assert before.events == [] and before.total_progress() == 0.0  # the learner has events, none yet: 0 of 4 tasks
    assert LearnerEvents([], CATALOG, ZoneInfo("UTC")).total_progress() is None
    assert np.isnan(_analysis(rows, "UTC", START).overall["total_progress"].iloc[0]) is np.False_
