"""The `sessions` table (DESIGN 4) that recompute writes: one row per learner and session,
given or inferred (DESIGN 2: a gap of more than 30 minutes starts a new one), with the practice
time of DESIGN 5.0 (sum of duration_s when any event has one, else last minus first)."""

import pytest

from tests.conftest import write_jsonl

pytestmark = pytest.mark.both_backends

COLUMNS = "session_id, module_id, started_at, ended_at, practice_s, events, attempts, average_score, inferred"


def _event(i, time, type_="attempt", session=None, score=None, duration=None):
    return {"event_id": f"e{i}", "learner_id": "ana", "module_id": "m", "session_id": session, "type": type_,
            "timestamp": f"2026-05-01T{time}:00Z", "score": score, "duration_s": duration}


def _sessions(sql):
    return [(*row[:-1], bool(row[-1]))
            for row in sql(f"select {COLUMNS} from sessions where learner_id = 'ana' order by session_id")]


def test_given_and_inferred_sessions_with_their_practice_time(cli, sql, tmp_path):
    events = [
        # a session with an id; two attempts with durations: practice = 60 + 120 s
        _event(1, "10:00", "session_start", session="s1"),
        _event(2, "10:01", session="s1", score=80, duration=60),
        _event(3, "10:05", session="s1", score=60, duration=120),
        _event(4, "10:10", "session_end", session="s1"),
        # no session id: 12:00 and 12:20 are one session (20 min apart), no durations: 20 min span
        _event(5, "12:00", score=70),
        _event(6, "12:20", score=90),
        # 40 minutes later: a new inferred session of one event, practice 0
        _event(7, "13:00", score=50),
    ]
    cli("import", write_jsonl(tmp_path / "ana.jsonl", events))
    first, second = "inferred:m:2026-05-01T12:00:00.000000Z", "inferred:m:2026-05-01T13:00:00.000000Z"
    assert _sessions(sql) == [
        (first, "m", "2026-05-01T12:00:00.000000Z", "2026-05-01T12:20:00.000000Z", 1200.0, 2, 2, 80.0, True),
        (second, "m", "2026-05-01T13:00:00.000000Z", "2026-05-01T13:00:00.000000Z", 0.0, 1, 1, 50.0, True),
        ("s1", "m", "2026-05-01T10:00:00.000000Z", "2026-05-01T10:10:00.000000Z", 180.0, 4, 2, 70.0, False),
    ]


def test_a_session_without_attempts_has_no_average_and_recompute_rewrites_them(cli, sql, tmp_path):
    cli("import", write_jsonl(tmp_path / "a.jsonl", [_event(1, "09:00", "session_start", session="s9"),
                                                     _event(2, "09:30", "session_end", session="s9")]))
    assert _sessions(sql) == [("s9", "m", "2026-05-01T09:00:00.000000Z", "2026-05-01T09:30:00.000000Z",
                               1800.0, 2, 0, None, False)]
    cli("recompute")
    assert len(_sessions(sql)) == 1
