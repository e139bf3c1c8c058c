"""`progress import --format edx`: Open edX tracking logs (DESIGN section 2, the Open edX paragraph).

tests/fixtures/edx/tracking.log is ours, written line by line in the shape of a real LMS
tracking log (logger prefix, then the event); the expected rows below are read off it by hand.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_cli.ingest import edx
from tests.conftest import FIXTURES

LOG = FIXTURES / "edx" / "tracking.log"
COURSE = "course-v1:Acme+Safety101+2026_T1"
BLOCK = "block-v1:Acme+Safety101+2026_T1+type@"
PROBLEM_1 = BLOCK + "problem+block@5e1f0c2a9d8b4c7e8a1b2c3d4e5f6a7b"
PROBLEM_2 = BLOCK + "problem+block@0a1b2c3d4e5f40718293a4b5c6d7e8f9"
PROBLEM_3 = BLOCK + "problem+block@9f8e7d6c5b4a43219876fedcba012345"
HANDLER = f"/courses/{COURSE}/xblock/{PROBLEM_1}/handler/xmodule_handler/problem_check"
SESSION = "6c1f3a0e9b8d7c6b5a4f3e2d1c0b9a88"

# (learner, session, task, type, timestamp, score), one per kept line of the fixture
EXPECTED = sorted([
    ("41", SESSION, None, "play_video", "2026-03-02T09:01:12.449730Z", None),  # line 3
    ("41", SESSION, None, HANDLER, "2026-03-02T09:07:41.317995Z", None),  # 4: an implicit event keeps its name
    ("41", SESSION, None, "problem_check", "2026-03-02T09:07:41.321508Z", None),  # 5: the browser's
    # 6 (edx.grades.problem.submitted, 2 / 3) is the same attempt as 7: skipped
    ("41", SESSION, PROBLEM_1, "attempt", "2026-03-02T09:07:41.411880Z", 66.666667),  # 7: grade 2 / max_grade 3
    ("41", SESSION, PROBLEM_2, "attempt", "2026-03-02T09:12:05.009114Z", None),  # 8: max_grade 0
    ("41", SESSION, BLOCK + "html+block@1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6", "task_completed",
     "2026-03-02T09:12:05.019551Z", None),  # 9: completion 1.0
    ("41", SESSION, BLOCK + "video+block@7c6b5a4d3e2f41a0b9c8d7e6f5a4b3c2", "edx.completion.block_completion.changed",
     "2026-03-02T09:14:30.499876Z", None),  # 10: completion 0.5
    ("41", None, PROBLEM_3, "attempt", "2026-03-02T09:20:00.000733Z", 50.0),  # 11: a rescore, 1 / 2, user in `event`
    ("41", None, None, "module_completed", "2026-03-02T09:25:13.776420Z", None),  # 12
    ("tomasz", "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a", None, "pause_video", "2026-03-02T09:31:00.249006Z", None),  # 13
    ("41", SESSION, None, "edx.ui.lms.sequence.next_selected", "2026-03-02T09:36:20.123456Z", None),  # 16: no prefix
], key=repr)


def copy(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    dst = tmp_path / (name or src.name)
    shutil.copyfile(src, dst)
    return dst


def gzipped(src: Path, dst: Path) -> Path:
    with src.open("rb") as fin, gzip.open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dst


def events(sql) -> list[tuple]:
    return sorted(sql("select learner_id, session_id, task_id, type, timestamp, score from events"), key=repr)


def rejects_of(path: Path) -> list[tuple[int, str]]:
    target = path.with_name(path.name + ".rejects.jsonl")
    return [(r["line"], r["reason"]) for r in map(json.loads, target.read_text(encoding="utf-8").splitlines())]


@pytest.mark.both_backends
def test_a_tracking_log_maps_as_the_design_says(cli, sql, tmp_path):
    path = copy(LOG, tmp_path)
    out = cli.json("import", path, code=3)["files"][0]
    assert (out["format"], out["read"], out["inserted"], out["duplicates"], out["skipped"], out["rejected"]) == \
        ("edx", 16, 11, 0, 3, 2)
    assert events(sql) == EXPECTED
    assert set(sql("select module_id from events")) == {(COURSE,)}
    assert rejects_of(path) == [(14, "invalid JSON: Unterminated string starting at"), (15, "missing timestamp")]


def test_the_summary_counts_skips_per_reason(cli, tmp_path):
    text = cli("import", copy(LOG, tmp_path), code=3).stdout
    for line in ("1 × skipped: not in a course (no context.course_id)",
                 "1 × skipped: anonymous user (no user_id or username)",
                 f"1 × skipped: {edx.PAIRED}"):
        assert line in text, text


def test_auto_detects_tracking_logs_with_or_without_the_prefix_and_gzipped(cli, tmp_path):
    bare = tmp_path / "events.txt"  # no logger prefix, no telling extension: the content says it
    bare.write_text("".join(line[line.index("{"):] for line in LOG.read_text(encoding="utf-8").splitlines(True)),
                    encoding="utf-8")
    renamed = copy(LOG, tmp_path, "tracking-2026-03-02")
    packed = gzipped(LOG, tmp_path / "tracking.log-20260302.gz")
    out = cli.json("import", bare, renamed, packed, code=3)["files"]
    assert [f["format"] for f in out] == ["edx"] * 3
    assert [f["inserted"] for f in out] == [11, 0, 0]  # the same events three times


def test_gzipped_log_gives_the_same_events(cli, sql, tmp_path, monkeypatch):
    cli("import", copy(LOG, tmp_path), code=3)
    plain = events(sql)
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "other.db"))
    out = cli.json("import", gzipped(LOG, tmp_path / "tracking.log.gz"), code=3)["files"][0]
    assert (out["read"], out["inserted"], out["skipped"], out["rejected"]) == (16, 11, 3, 2)
    assert events(sql) == plain == EXPECTED


def test_reimport_and_a_rotated_log_add_only_new_lines(cli, sql, tmp_path):
    lines = LOG.read_text(encoding="utf-8").splitlines(True)
    yesterday = tmp_path / "tracking.log.1"
    yesterday.write_text("".join(lines[:10]), encoding="utf-8")
    first = cli.json("import", yesterday, "--format", "edx")["files"][0]
    assert (first["read"], first["inserted"], first["skipped"]) == (10, 7, 3)
    stored = len(sql("select event_id from events"))
    again = cli.json("import", copy(yesterday, tmp_path, "copy-of-yesterday.log"))["files"][0]
    assert (again["read"], again["inserted"], again["duplicates"], again["skipped"]) == (10, 0, 7, 3)
    # rotation that kept yesterday's last lines and added today's
    today = tmp_path / "tracking.log"
    today.write_text("".join(lines[6:]), encoding="utf-8")
    rotated = cli.json("import", today, code=3)["files"][0]
    # lines 7-10 again (4 duplicates), 11, 12, 13 and 16 new, 14 and 15 rejected
    assert (rotated["read"], rotated["duplicates"], rotated["inserted"], rotated["rejected"]) == (10, 4, 4, 2)
    assert len(sql("select event_id from events")) == stored + 4
    assert events(sql) == EXPECTED


def test_a_truncated_gzip_is_one_line_error_and_keeps_nothing(cli, sql, tmp_path):
    body = LOG.read_text(encoding="utf-8").splitlines(True)[2]  # play_video
    lines = [body.replace("09:01:12.449730", f"09:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}000")
             for i in range(4000)]
    packed = tmp_path / "tracking.log.gz"
    packed.write_bytes(gzip.compress("".join(lines).encode()))
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(packed.read_bytes()[: packed.stat().st_size * 3 // 4])
    result = cli("import", cut, code=1)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"Error: {cut}: ")
    assert "truncated or corrupt" in result.stderr
    assert sql("select count(*) from events") == [(0,)]  # the file's transaction was rolled back
    tiny = tmp_path / "tiny.log.gz"
    tiny.write_bytes(gzip.compress(LOG.read_bytes())[:100])
    assert cli("import", tiny, code=1).stderr.startswith(f"Error: {tiny}: not a readable gzip file")
    assert cli.json("import", packed)["files"][0]["inserted"] == 4000


def _event(name: str, time: str, data: dict, **context) -> dict:
    return {"name": name, "event_type": name, "time": time, "event_source": "server", "username": "amara",
            "session": "s1", "event": data, "context": {"course_id": COURSE, "user_id": 41, **context}}


def _check(time: str, problem: str, grade: int = 1) -> dict:
    return _event("problem_check", time, {"problem_id": problem, "grade": grade, "max_grade": 2})


def _submitted(time: str, problem: str, earned: int = 1) -> dict:
    return _event(edx.SUBMITTED, time, {"problem_id": problem, "weighted_earned": earned, "weighted_possible": 2})


def _read(events_: list[dict]) -> list:
    items = [(n, event) for n, event in enumerate(events_, 1)]
    return [(line, (out["type"], out["task_id"], out["score"]) if isinstance(out, dict) else out)
            for line, _, out in edx.read(items, ZoneInfo("UTC"))]


def test_a_submitted_event_pairs_with_its_problem_check_in_either_order():
    t = "2026-03-02T09:00:00.{}+00:00"
    got = _read([
        _check(t.format("100000"), "p1"), _submitted(t.format("110000"), "p1"),  # check first
        _submitted(t.format("200000"), "p2"), _check(t.format("210000"), "p2", grade=2),  # submitted first
        _submitted(t.format("300000"), "p3"),  # alone: kept as the attempt
    ])
    assert sorted(got, key=lambda item: item[0]) == [
        (1, ("attempt", "p1", 50.0)), (2, edx.Skip(edx.PAIRED)),
        (3, edx.Skip(edx.PAIRED)), (4, ("attempt", "p2", 100.0)),
        (5, ("attempt", "p3", 50.0)),
    ]


def test_pairing_is_one_to_one_and_within_the_window():
    got = dict(_read([
        _submitted("2026-03-02T09:00:00+00:00", "p1"), _submitted("2026-03-02T09:00:01+00:00", "p1"),
        _check("2026-03-02T09:00:01.5+00:00", "p1"),  # takes the first submitted only
        _submitted("2026-03-02T09:10:00+00:00", "p2"),
        _check("2026-03-02T09:10:06+00:00", "p2"),  # 6 s later: another attempt
        _check("2026-03-02T09:20:00+00:00", "p3"), _submitted("2026-03-02T09:20:00+00:00", "p3"),
    ]))
    assert got == {1: edx.Skip(edx.PAIRED), 2: ("attempt", "p1", 50.0), 3: ("attempt", "p1", 50.0),
                   4: ("attempt", "p2", 50.0), 5: ("attempt", "p2", 50.0),
                   6: ("attempt", "p3", 50.0), 7: edx.Skip(edx.PAIRED)}


@pytest.mark.parametrize("data, score", [
    ({"grade": 1, "max_grade": 4}, 25.0), ({"grade": 3, "max_grade": 3}, 100.0), ({"grade": 0, "max_grade": 0}, None),
    ({"grade": 1}, None), ({"grade": 5, "max_grade": 4}, "score out of range"),
    ({"grade": "1", "max_grade": 4}, "grade / max_grade are not numbers"),
])
def test_problem_check_scores(data, score):
    (_, got), = _read([_event("problem_check", "2026-03-02T09:00:00+00:00", {"problem_id": "p", **data})])
    if isinstance(score, str):
        assert str(got).startswith(score)
    else:
        assert got == ("attempt", "p", score)


@pytest.mark.parametrize("context, event_user, username, learner", [
    ({"user_id": 7}, None, "amara", "7"),
    ({"user_id": None}, "8", "", "8"),  # server events carry the user in `event`
    ({}, None, "amara", "amara"),
    ({"user_id": None}, None, "", None),
    ({"user_id": ""}, None, None, None),
])
def test_the_learner_and_anonymous_users(context, event_user, username, learner):
    event = _event("play_video", "2026-03-02T09:00:00+00:00", {"user_id": event_user} if event_user else "{}")
    event["context"] = {"course_id": COURSE, **context}
    event["username"] = username
    (_, _, got), = edx.read([(1, event)], ZoneInfo("UTC"))
    assert (got == edx.Skip(edx.ANONYMOUS)) if learner is None else (got["learner_id"] == learner)
