"""Real Open edX events: the raw tracking-log events and their xAPI and Caliper forms.

They are read from ../shared/data/openedx_events (AGPL-3.0, from openedx/event-routing-backends;
see its SOURCE.md): never copied into the repository, and every test here skips when the folder
is absent. Expected numbers are read off the files by hand; the comments say from where.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_cli.catalog import XapiMapping
from progress_cli.ingest.reader import read_events
from progress_cli.ingest.xapi import Skip

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "openedx_events"
pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="../shared/data/openedx_events is absent (it sits next to the repo only on the team's machines); "
           "tests/test_import_caliper.py and tests/test_import_edx.py cover the readers without it")
FORMAT = {"raw": "edx", "xapi": "xapi", "caliper": "caliper"}
UTC = ZoneInfo("UTC")
BASE = "http://localhost:18000"


def records(folder: str, name: str) -> list:
    """What the reader makes of one file: records, Skips and RowRejecteds, in order."""
    return [out for _, _, out in read_events(SHARED / folder / name, FORMAT[folder], UTC, XapiMapping())]


def import_folder(cli, folder: str, tmp_path: Path, *extra: str) -> list[dict]:
    files = []
    for src in sorted((SHARED / folder).glob("*.json")):
        files.append(tmp_path / folder / src.name)
        files[-1].parent.mkdir(exist_ok=True)
        shutil.copyfile(src, files[-1])
    out = cli.json("import", *files, "--no-recompute", *extra, code=None)
    for f in out["files"]:
        assert f["read"] == f["inserted"] + f["duplicates"] + f["rejected"] + f["skipped"], f
    return out["files"]


def total(files: list[dict], key: str) -> int:
    return sum(f[key] for f in files)


def reasons(folder: str) -> Counter:
    """Why the reader skipped events of a folder's files, with a count per reason."""
    return Counter(out.reason for src in (SHARED / folder).glob("*.json")
                   for out in records(folder, src.name) if isinstance(out, Skip))


def test_every_raw_event_imports_and_the_counts_add_up(cli, tmp_path):
    files = import_folder(cli, "raw", tmp_path, "--format", "edx")
    assert len(files) == total(files, "read") == 81
    # four files carry no user we can name (..required.only.data without user, the anonymous
    # link_clicked) or no course (problem_check(browser).required.only.data): skipped, not rejected
    assert reasons("raw") == {"anonymous user (no user_id or username)": 3, "not in a course (no context.course_id)": 1}
    assert total(files, "skipped") == 4
    # the folder holds variants of one event (enterprise enrollment, .ccx, ...): same learner, course,
    # type and time give the same stable hash, so a variant is a duplicate, or a conflict when its
    # session differs
    assert total(files, "inserted") + total(files, "duplicates") + total(files, "rejected") == 77


def test_every_xapi_and_caliper_form_imports_and_the_counts_add_up(cli, tmp_path):
    xapi = import_folder(cli, "xapi", tmp_path)
    caliper = import_folder(cli, "caliper", tmp_path)
    assert {f["format"] for f in xapi} == {"xapi"} and {f["format"] for f in caliper} == {"caliper"}
    assert (len(caliper), total(caliper, "read")) == (35, 35)
    # two Caliper events name no course (no group, no isPartOf): link_clicked and problem_check(browser)
    # .required.only.data
    assert reasons("caliper") == {"no course: neither a group nor a CourseOffering/CourseSection that the object "
                                  "is part of": 2}
    assert total(caliper, "skipped") == 2


@pytest.mark.parametrize("name, grade, max_grade, score", [
    ("problem_check(server).json", 0, 1, 0.0),
    ("problem_check(server).list_answers.json", 2, 4, 50.0),
    ("problem_check(server).max_grade_0.json", 0, 0, None),
    ("problem_check(server,multiple_questions,correct).json", 3, 3, 100.0),
    ("problem_check(server,multiple_questions,incorrect).json", 0, 3, 0.0),
    ("problem_check(server,multiple_questions,partial_correct).json", 2, 3, 66.666667),  # partial credit
])
def test_a_server_problem_check_is_an_attempt_scored_grade_over_max_grade(name, grade, max_grade, score):
    raw = json.loads((SHARED / "raw" / name).read_text(encoding="utf-8"))
    data = raw.get("event", raw.get("data"))
    assert (data["grade"], data["max_grade"]) == (grade, max_grade)  # what the score below is worked out from
    (record,) = records("raw", name)
    assert (record["type"], record["task_id"], record["score"]) == ("attempt", data["problem_id"], score)
    assert record["module_id"] == "course-v1:edX+DemoX+Demo_Course"


def _iri_tail(iri: str, kind: str) -> str:
    prefix = f"{BASE}/{kind}/"
    assert iri.startswith(prefix), iri
    return iri[len(prefix):]


def _block_key(iri: str) -> str:
    return iri.removeprefix(f"{BASE}/xblock/")


def test_raw_xapi_and_caliper_forms_name_the_same_learner_course_and_problem():
    """Side by side, for every event in the three folders: the course and the problem where the
    three carry them, the learner where the xAPI and Caliper forms carry it (both the same
    anonymised id; the raw event has the LMS's own user id), the time and the score."""
    names = sorted({p.name for p in (SHARED / "caliper").glob("*.json")}
                   & {p.name for p in (SHARED / "xapi").glob("*.json")} & {p.name for p in (SHARED / "raw").glob("*.json")})
    compared = {"course": 0, "problem": 0, "learner": 0, "score": 0}
    for name in names:
        forms = {folder: records(folder, name)[0] for folder in FORMAT}
        if not all(isinstance(record, dict) for record in forms.values()):
            continue  # an anonymous or course-less event, skipped in some form
        raw, xapi, caliper = forms["raw"], forms["xapi"], forms["caliper"]
        assert xapi["module_id"] == caliper["module_id"], name
        assert _iri_tail(xapi["module_id"], "course") == raw["module_id"], name
        compared["course"] += 1
        if raw["task_id"] and xapi["task_id"] and caliper["task_id"]:
            # (the xAPI form of edx.problem.completed, a proposed event, names the block without the IRI)
            assert _block_key(xapi["task_id"]) == _block_key(caliper["task_id"]) == raw["task_id"], name
            compared["problem"] += 1
        assert _iri_tail(caliper["learner_id"], "user") == xapi["learner_id"], name
        compared["learner"] += 1
        assert xapi["timestamp"] == raw["timestamp"], name
        assert caliper["timestamp"] == raw["timestamp"][:23] + "000Z", name  # Caliper keeps milliseconds
        if raw["score"] is not None and caliper["score"] is not None:
            assert raw["score"] == xapi["score"] == caliper["score"], name
            compared["score"] += 1
    # 33 events are in all three folders; 4 are skipped in some form (the anonymous link_clicked, and
    # the .required.only.data enrollment, link_clicked and problem_check(browser): no user or no course).
    # problem_check(server), edx.grades.problem.submitted and edx.problem.completed carry the problem
    # in all three; problem_check(server) alone a score (0 of 1) in all three.
    assert len(names) == 33
    assert compared == {"course": 29, "problem": 3, "learner": 29, "score": 1}, compared


TRACKING_EVENTS = 9  # of the 12 lines: 3 and 11 are broken JSON, 6 duplicates line 7's attempt


def _tracking(tmp_path: Path) -> Path:
    path = tmp_path / "tracking.log"
    shutil.copyfile(SHARED / "tracking" / "tracking.log", path)
    return path


def test_the_real_tracking_log_imports_with_its_logger_prefix(cli, sql, tmp_path):
    path = _tracking(tmp_path)
    out = cli.json("import", path, code=3)["files"][0]
    assert (out["format"], out["read"], out["inserted"], out["skipped"], out["rejected"]) == ("edx", 12, 9, 1, 2)
    rejects = [json.loads(line) for line in Path(out["rejects_path"]).read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [3, 11]
    # line 7: the server's problem_check, grade 1 of max_grade 1, for user 6 (`context.user_id`)
    assert sql("select learner_id, task_id, score from events where type = 'attempt'") == [
        ("6", "block-v1:edX+DemoX+Demo_Course+type@problem+block@932e6f2ce8274072a355a94560216d1a", 100.0)]
    # lines 1, 2, 9, 10, 12 are server events of user 6 whose context has no user: `event.user_id`
    assert sql("select distinct learner_id from events") == [("6",)]


def test_the_gzipped_tracking_log_gives_the_same_events(cli, sql, tmp_path, monkeypatch):
    columns = "event_id, learner_id, session_id, module_id, task_id, type, timestamp, score, metadata"
    path = _tracking(tmp_path)
    cli("import", path, code=3)
    plain = sorted(sql(f"select {columns} from events"), key=repr)
    assert len(plain) == TRACKING_EVENTS
    packed = tmp_path / "tracking.log-20230524.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    again = cli.json("import", packed, code=3)["files"][0]
    assert (again["format"], again["read"], again["inserted"], again["duplicates"]) == ("edx", 12, 0, TRACKING_EVENTS)
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "fresh.db"))
    fresh = cli.json("import", packed, code=3)["files"][0]
    assert (fresh["inserted"], fresh["skipped"], fresh["rejected"]) == (TRACKING_EVENTS, 1, 2)
    assert sorted(sql(f"select {columns} from events"), key=repr) == plain
