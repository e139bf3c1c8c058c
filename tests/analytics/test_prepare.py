"""The preparation step (DESIGN 5.0): as_of cut, order, sessions, practice time, local days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from progress_cli.analytics import prepare_events
from progress_cli.catalog import Catalog


def prepared(kit, rows, tz="UTC", as_of=None, catalog=None):
    return prepare_events(kit.frame(rows), catalog or Catalog(), tz, pd.Timestamp(as_of or kit.AS_OF))


def test_events_after_as_of_are_ignored(kit):
    rows = kit.attempts([50, 60, 70], step="1D")  # 2026-03-02, 03, 04 at 09:00Z
    p = prepared(kit, rows, as_of="2026-03-03T09:00:00Z")  # exactly the second one: kept
    assert list(p.events["score"]) == [50, 60]
    # the learner is known even when all their events are later
    late = prepared(kit, rows, as_of="2026-03-01T00:00:00Z")
    assert len(late.events) == 0 and list(late.learners) == ["alice"]


def test_as_of_must_be_zone_aware(kit):
    with pytest.raises(ValueError, match="time-zone aware"):
        prepare_events(kit.frame(kit.attempts([50])), Catalog(), "UTC", dt.datetime(2026, 3, 1))


def test_order_is_learner_then_time_then_event_id(kit):
    rows = [
        {"event_id": "c", "ts": "2026-03-02T10:00:00Z", "score": 1},
        {"event_id": "b", "ts": "2026-03-02T09:00:00+00:00", "score": 2},
        {"event_id": "a", "ts": "2026-03-02T10:00:00+00:00", "score": 3},
        {"event_id": "x", "ts": "2026-03-02T11:00:00+02:00", "score": 4},  # 09:00Z, like b
        {"event_id": "d", "learner_id": "bob", "ts": "2026-03-01T00:00:00Z", "score": 5},
    ]
    assert list(prepared(kit, rows).events["event_id"]) == ["b", "x", "a", "c", "d"]


def test_session_inference_gap_of_exactly_thirty_minutes_stays(kit):
    rows = [
        {"ts": "2026-03-02T10:00:00Z"},
        {"ts": "2026-03-02T10:30:00Z"},  # exactly 30 min: same session
        {"ts": "2026-03-02T11:00:01Z"},  # 30 min + 1 s: a new one
    ]
    ev = prepared(kit, rows).events
    assert list(ev["session_key"]) == [
        "inferred:m1:2026-03-02T10:00:00.000000Z",
        "inferred:m1:2026-03-02T10:00:00.000000Z",
        "inferred:m1:2026-03-02T11:00:01.000000Z",
    ]
    assert ev["session_inferred"].all()
    # no durations: the 1800 s span of the first session is split over its 2 events
    assert list(ev["practice_s"]) == [900, 900, 0]


def test_inferred_sessions_are_per_module_and_keep_given_ids(kit):
    rows = [
        {"ts": "2026-03-02T10:00:00Z", "module_id": "a"},
        {"ts": "2026-03-02T10:10:00Z", "module_id": "b"},
        {"ts": "2026-03-02T10:20:00Z", "module_id": "a"},
        {"ts": "2026-03-02T10:25:00Z", "module_id": "a", "session_id": "given"},
    ]
    ev = prepared(kit, rows).events
    assert list(ev["session_key"]) == [
        "inferred:a:2026-03-02T10:00:00.000000Z",
        "inferred:b:2026-03-02T10:10:00.000000Z",
        "inferred:a:2026-03-02T10:00:00.000000Z",
        "given",
    ]
    assert list(ev["session_inferred"]) == [True, True, True, False]
    # session a spans 20 min over 2 events; b and "given" have one event, so no span
    assert list(ev["practice_s"]) == [600, 0, 600, 0]


def test_practice_uses_durations_when_any_event_has_one(kit):
    rows = [
        {"ts": "2026-03-02T10:00:00Z", "session_id": "s", "duration_s": 300},
        {"ts": "2026-03-02T10:40:00Z", "session_id": "s"},  # no duration: brings nothing
        {"ts": "2026-03-02T11:00:00Z", "session_id": "s", "duration_s": 120},
    ]
    assert list(prepared(kit, rows).events["practice_s"]) == [300, 0, 120]


def test_practice_span_is_split_across_local_midnight(kit):
    rows = [  # Paris is UTC+1 in January: 23:50 and 00:20 local
        {"ts": "2026-01-10T22:50:00Z", "session_id": "s"},
        {"ts": "2026-01-10T23:20:00Z", "session_id": "s"},
    ]
    out = kit.run(rows, tz="Europe/Paris", as_of="2026-01-11T12:00:00Z")
    days = out.daily
    assert [str(d.date()) for d in days["day"]] == ["2026-01-10", "2026-01-11"]
    assert list(days["practice_s"]) == [900, 900]  # 30 min span, half on each local day


def test_local_day_of_each_event(kit):
    rows = [{"ts": "2026-07-01T22:30:00Z"}, {"ts": "2026-07-01T21:59:59Z"}]  # Paris UTC+2
    ev = prepared(kit, rows, tz="Europe/Paris").events
    assert [str(d.date()) for d in ev["day"]] == ["2026-07-01", "2026-07-02"]


def test_skill_expansion_rows(kit):
    p = prepared(kit, [
        {"ts": "2026-03-02T10:00:00Z", "skill": "s2", "score": 10},
        {"ts": "2026-03-02T10:01:00Z", "skill": "s1", "score": 20},
        {"ts": "2026-03-02T10:02:00Z", "score": 30},  # no skill, no task: counts for none
        {"ts": "2026-03-02T10:03:00Z", "skill": "s2"},  # not an attempt, still practice
    ])
    se = p.skill_events
    assert list(se["skill"]) == ["s1", "s2", "s2"]  # by skill, then time
    assert list(se["is_attempt"]) == [True, True, False]
    assert list(p.events.loc[se["event_row"], "ts"].astype(str)) == [
        "2026-03-02 10:01:00+00:00", "2026-03-02 10:00:00+00:00", "2026-03-02 10:03:00+00:00"]


def test_zone_may_be_a_tzinfo(kit):
    from zoneinfo import ZoneInfo

    rows = [{"ts": "2026-07-01T22:30:00Z"}]
    by_name = prepared(kit, rows, tz="Europe/Paris").events["day"]
    by_zone = prepared(kit, rows, tz=ZoneInfo("Europe/Paris")).events["day"]
    assert list(by_name) == list(by_zone)


@pytest.mark.parametrize("column", ["learner_id", "module_id", "event_id", "ts"])
def test_rows_without_required_fields_are_refused(kit, column):
    frame = kit.frame(kit.attempts([50, 60]))
    frame.loc[1, column] = None
    with pytest.raises(ValueError, match=column):
        prepare_events(frame, Catalog(), "UTC", pd.Timestamp(kit.AS_OF))


def test_missing_columns_are_named(kit):
    frame = kit.frame(kit.attempts([50])).drop(columns=["duration_s"])
    with pytest.raises(ValueError, match="duration_s"):
        prepare_events(frame, Catalog(), "UTC", pd.Timestamp(kit.AS_OF))
