"""One raw row -> one stored event record (DESIGN section 2)."""

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

import pytest

from progress_cli.ingest.record import RowRejected, core, normalize, parse_iso_duration, parse_timestamp

PARIS = ZoneInfo("Europe/Paris")
BASE = {"learner_id": "a", "module_id": "m", "type": "attempt", "timestamp": "2026-03-29T01:30:00Z"}


def rec(**fields):
    return normalize({**BASE, **fields}, PARIS)


@pytest.mark.parametrize("value, expected", [
    ("2026-06-01T10:00:00+02:00", "2026-06-01T08:00:00.000000Z"),
    ("2026-06-01T08:00:00Z", "2026-06-01T08:00:00.000000Z"),
    ("2026-06-01T10:00:00", "2026-06-01T08:00:00.000000Z"),       # naive: read in --tz (CEST, +2)
    ("2026-01-15T10:00:00", "2026-01-15T09:00:00.000000Z"),       # naive in winter (CET, +1)
    (1780300800, "2026-06-01T08:00:00.000000Z"),                  # epoch seconds
    (1780300800000, "2026-06-01T08:00:00.000000Z"),               # >= 1e11: milliseconds
    ("1780300800123", "2026-06-01T08:00:00.123000Z"),             # numeric text, ms
    (100000000000, "1973-03-03T09:46:40.000000Z"),                # exactly 1e11: milliseconds
])
def test_timestamps_are_stored_in_utc(value, expected):
    assert parse_timestamp(value, PARIS) == expected


@pytest.mark.parametrize("value", [
    "yesterday", "", True, None, float("nan"), {"t": 1}, 10**400,
    99999999999,               # just under 1e11: seconds, so the year 5138: outside 1678..2261
    "1500-01-01T00:00:00Z",    # before the range the analytics can hold
])
def test_bad_timestamps_are_rejected(value):
    with pytest.raises(RowRejected):
        parse_timestamp(value, PARIS)


@pytest.mark.parametrize("score", ["?", "abc", -0.01, 100.01, float("inf"), True, [1]])
def test_bad_scores_are_rejected_never_clamped(score):
    with pytest.raises(RowRejected, match="score"):
        rec(score=score)


@pytest.mark.parametrize("score, expected", [(0, 0.0), (100, 100.0), ("84.7", 84.7), (55.5, 55.5)])
def test_scores_in_range_are_kept(score, expected):
    assert rec(score=score)["score"] == expected


@pytest.mark.parametrize("text, seconds", [("PT4M30S", 270), ("PT1H0M0S", 3600), ("PT2H30M5S", 9005),
                                           ("PT0.5S", 0.5), ("P1DT1S", 86401)])
def test_iso_durations(text, seconds):
    assert parse_iso_duration(text) == seconds
    assert rec(duration_s=text)["duration_s"] == seconds


def test_aliases_and_numeric_ids():
    r = normalize({"userId": 123, "moduleId": "m", "type": "x", "timestamp": 0}, PARIS)
    assert (r["learner_id"], r["module_id"]) == ("123", "m")
    assert normalize({"user_id": "u", "module": "m", "type": "x", "timestamp": 0}, PARIS)["learner_id"] == "u"


@pytest.mark.parametrize("missing", ["learner_id", "module_id", "timestamp"])
def test_required_fields(missing):
    row = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(RowRejected, match=f"missing {missing}"):
        normalize(row, PARIS)


def test_difficulty_and_metadata():
    assert rec(difficulty="3")["difficulty"] == 3
    for bad in (0, 6, 2.5, "hard"):
        with pytest.raises(RowRejected, match="difficulty"):
            rec(difficulty=bad)
    with pytest.raises(RowRejected, match="metadata"):
        rec(metadata="[1, 2]")
    # unknown columns are kept in metadata, never dropped
    assert json.loads(rec(platform="web", metadata='{"k": 1}')["metadata"]) == {"platform": "web", "k": 1}


def test_stable_event_id_is_the_documented_hash():
    r = rec(score=80, task_id="t1")
    key = ["a", "m", "t1", None, "attempt", "2026-03-29T01:30:00.000000Z", 80.0]
    expected = "h-" + hashlib.sha256(json.dumps(key, separators=(",", ":")).encode()).hexdigest()[:32]
    assert r["event_id"] == expected
    # the same facts written another way give the same id: offset vs Z, int vs float score
    same = normalize({**BASE, "timestamp": "2026-03-29T03:30:00+02:00", "score": "80.0", "task_id": "t1"}, PARIS)
    assert same["event_id"] == expected and core(same) == core(r)


def test_core_fields_ignore_name_and_metadata_only():
    a = core(rec(event_id="e", score=80))
    assert core(rec(event_id="e", score=80, learner_name="Zoë", metadata={"x": 1})) == a
    assert core(rec(event_id="e", score=81)) != a
    assert core(rec(event_id="e", score=80, session_id="s")) != a


def test_type_defaults_to_attempt_only_with_a_score():
    row = {k: v for k, v in BASE.items() if k != "type"}
    assert normalize({**row, "score": 50}, PARIS)["type"] == "attempt"
    with pytest.raises(RowRejected, match="missing type"):
        normalize(row, PARIS)
