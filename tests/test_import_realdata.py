"""`progress import` on real exports (DESIGN sections 2 and 8).

The fixtures in tests/fixtures/ are small cuts of public data (see tests/fixtures/SOURCE.md);
every expected count below is computed here from the fixture itself, never copied from the
importer's output. Tests that read the shared data folder (../shared/data next to the repo)
skip when it is absent; the fixture tests prove the behaviour without it.

Every import runs on a copy in tmp_path, so rejects files never land next to the fixtures.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sqlite3
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from progress_cli.catalog import load_catalog
from progress_cli.cli import app

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SHARED = TESTS.parent.parent / "shared" / "data"
XAPI_SHARED = SHARED / "xapi_examples"
SHARED_ABSENT = (
    "../shared/data/xapi_examples is absent (it sits next to the repo only on the team's "
    "machines); the tests on tests/fixtures/ cover the importer without it"
)

OULAD_CSV = FIXTURES / "oulad_assessments.csv"
OULAD_CATALOG = FIXTURES / "oulad_catalog.toml"
EDNET = FIXTURES / "ednet_u.jsonl"
XAPI_FIXTURES = FIXTURES / "xapi"

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
SESSION_GAP = dt.timedelta(minutes=30)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def run(db: Path, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def import_json(db: Path, *files: Path, extra: tuple[str, ...] = ()):
    """Run `import FILE... --json`; return (result, parsed JSON summary or None)."""
    result = run(db, "import", *map(str, files), "--json", *extra)
    summary = json.loads(result.stdout) if result.exit_code in (0, 3) else None
    return result, summary


def copy_fixture(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "in" / src.name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def check_balance(summary: dict) -> None:
    """The section 8 shape, and read = inserted + duplicates + rejected + skipped per file."""
    assert set(summary) >= {"files", "learners_recomputed", "achievements_unlocked"}, summary
    assert isinstance(summary["achievements_unlocked"], list)
    for f in summary["files"]:
        assert set(f) >= {"path", "format", "read", "inserted", "duplicates", "rejected", "skipped",
                          "rejects_path"}, f
        assert f["read"] == f["inserted"] + f["duplicates"] + f["rejected"] + f["skipped"], f


def query(db: Path, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_rejects(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reject_line(record: dict) -> int:
    for key in ("line", "line_number", "lineno"):
        if key in record:
            return int(record[key])
    raise AssertionError(f"reject record carries no line number: {record}")


def reject_reason(record: dict) -> str:
    for key in ("reason", "error", "message"):
        if key in record:
            return str(record[key])
    raise AssertionError(f"reject record carries no reason: {record}")


def assert_import_never_crashes(result, summary, path: Path) -> None:
    """Exit 0 or 3 with a balanced summary, or exit 1 with a short message naming the file."""
    if result.exit_code == 1:
        message = result.output.strip()
        assert message, "exit 1 without a message"
        assert len(message.splitlines()) <= 2, message
        assert path.name in message, message
        return
    assert result.exit_code in (0, 3), (result.exit_code, result.output)
    check_balance(summary)
    assert len(summary["files"]) == 1
    counts = summary["files"][0]
    assert (result.exit_code == 3) == (counts["rejected"] > 0), counts


# --------------------------------------------------------------------------------------------
# what the fixtures hold, computed independently of the importer
# --------------------------------------------------------------------------------------------

def oulad_rows() -> list[tuple[int, dict]]:
    """(line number in the file, row); the header is line 1."""
    with open(OULAD_CSV, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return [(reader.line_num, row) for row in reader]


def presentation_start(module_id: str) -> dt.datetime:
    presentation = module_id.split("-")[1]  # e.g. 2014B: February 1, 2013J: October 1
    month = {"B": 2, "J": 10}[presentation[4]]
    return dt.datetime(int(presentation[:4]), month, 1, tzinfo=dt.timezone.utc)


def ednet_events() -> list[dict]:
    return [json.loads(line) for line in EDNET.read_text(encoding="utf-8").splitlines() if line.strip()]


def ednet_key(e: dict) -> tuple:
    """What makes two EdNet events the same event (the hashed fields of DESIGN section 2)."""
    return (e["learner_id"], e["module_id"], e["task_id"], e.get("skill"), e["type"], e["timestamp"],
            float(e["score"]))


def ms_to_utc(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


# --------------------------------------------------------------------------------------------
# the fixtures themselves
# --------------------------------------------------------------------------------------------

def test_fixtures_are_small():
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files
    for p in files:
        assert p.stat().st_size < 100_000, f"{p.relative_to(FIXTURES)} is {p.stat().st_size} bytes"


def test_oulad_fixture_has_the_edge_cases():
    rows = [r for _, r in oulad_rows()]
    assert {r["module_id"] for r in rows} == {"AAA-2014J", "BBB-2014B", "DDD-2013J"}
    assert len({r["learner_id"] for r in rows}) == 30
    assert sum(r["score"] == "?" for r in rows) >= 5
    assert sum(json.loads(r["metadata"])["is_banked"] == 1 for r in rows) >= 5
    assert any(json.loads(r["metadata"])["date_submitted"] < 0 for r in rows)


def test_oulad_catalog_loads_and_names_every_task():
    catalog = load_catalog(OULAD_CATALOG)
    assert [m.id for m in catalog.modules] == ["AAA-2014J", "BBB-2014B", "DDD-2013J"]
    assert all(m.pass_mark == 40 for m in catalog.modules)
    task_modules = catalog.task_modules()
    for _, row in oulad_rows():
        assert task_modules[row["task_id"]] == row["module_id"], row["event_id"]
    # the raw TOML lists each module's tasks once, all as strings
    raw = tomllib.loads(OULAD_CATALOG.read_text(encoding="utf-8"))
    for module in raw["modules"]:
        ids = [t["id"] for t in module["tasks"]]
        assert len(ids) == len(set(ids)) and all(isinstance(i, str) for i in ids)


# --------------------------------------------------------------------------------------------
# OULAD: '?' scores are rejected with their line numbers, everything else is kept
# --------------------------------------------------------------------------------------------

def test_oulad_import_rejects_question_mark_scores(tmp_path):
    src = copy_fixture(OULAD_CSV, tmp_path)
    rows = oulad_rows()
    qmark_lines = sorted(line for line, r in rows if r["score"] == "?")
    assert qmark_lines  # the fixture must hold some

    result, summary = import_json(tmp_path / "s.db", src)

    assert result.exit_code == 3, result.output
    check_balance(summary)
    (counts,) = summary["files"]
    assert counts["format"] == "csv"
    assert Path(counts["path"]).name == src.name
    assert (counts["read"], counts["inserted"], counts["duplicates"], counts["rejected"], counts["skipped"]) == (
        len(rows), len(rows) - len(qmark_lines), 0, len(qmark_lines), 0)

    rejects = src.parent / (src.name + ".rejects.jsonl")
    assert Path(counts["rejects_path"]).resolve() == rejects.resolve()
    records = read_rejects(rejects)
    assert sorted(reject_line(r) for r in records) == qmark_lines
    for r in records:
        assert "score" in reject_reason(r).lower(), r


def test_oulad_stored_events_match_the_source(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(OULAD_CSV, tmp_path)
    result, _ = import_json(db, src)
    assert result.exit_code == 3, result.output

    expected = {}
    for _, r in oulad_rows():
        if r["score"] == "?":
            continue
        meta = json.loads(r["metadata"])
        when = presentation_start(r["module_id"]) + dt.timedelta(days=meta["date_submitted"])
        expected[r["event_id"]] = (r["learner_id"], r["module_id"], r["task_id"], None, "attempt",
                                   utc_text(when), float(r["score"]), None)
    stored = {row[0]: row[1:] for row in query(
        db, "SELECT event_id, learner_id, module_id, task_id, skill, type, timestamp, score, duration_s "
            "FROM events")}
    assert stored == expected

    # no '?' row came in as a score of 0, and banked rows (often before the start) are kept
    qmark_ids = {r["event_id"] for _, r in oulad_rows() if r["score"] == "?"}
    assert not qmark_ids & set(stored)
    banked = {r["event_id"] for _, r in oulad_rows() if json.loads(r["metadata"])["is_banked"] == 1
              and r["score"] != "?"}
    assert banked and banked <= set(stored)


def test_oulad_import_twice_adds_nothing(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(OULAD_CSV, tmp_path)
    rows = oulad_rows()
    n_qmark = sum(r["score"] == "?" for _, r in rows)

    first, _ = import_json(db, src)
    assert first.exit_code == 3, first.output
    second, summary = import_json(db, src)

    assert second.exit_code == 3, second.output
    check_balance(summary)
    (counts,) = summary["files"]
    assert (counts["read"], counts["inserted"], counts["duplicates"], counts["rejected"], counts["skipped"]) == (
        len(rows), 0, len(rows) - n_qmark, n_qmark, 0)
    assert query(db, "SELECT count(*) FROM events") == [(len(rows) - n_qmark,)]


def test_oulad_rejects_option_writes_where_asked(tmp_path):
    src = copy_fixture(OULAD_CSV, tmp_path)
    target = tmp_path / "out" / "bad-rows.jsonl"
    target.parent.mkdir()
    n_qmark = sum(r["score"] == "?" for _, r in oulad_rows())

    result, summary = import_json(tmp_path / "s.db", src, extra=("--rejects", str(target)))

    assert result.exit_code == 3, result.output
    assert Path(summary["files"][0]["rejects_path"]).resolve() == target.resolve()
    assert len(read_rejects(target)) == n_qmark
    assert not (src.parent / (src.name + ".rejects.jsonl")).exists()


def test_oulad_strict_keeps_nothing_from_the_file(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(OULAD_CSV, tmp_path)
    n_qmark = sum(r["score"] == "?" for _, r in oulad_rows())

    result, summary = import_json(db, src, extra=("--strict",))

    assert result.exit_code == 3, result.output
    check_balance(summary)
    (counts,) = summary["files"]
    assert counts["rejected"] == n_qmark
    # the counts say what the file holds; nothing of it reaches the store
    assert counts.get("committed", False) is False
    assert query(db, "SELECT count(*) FROM events") == [(0,)]


def test_oulad_import_with_its_catalog(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(OULAD_CSV, tmp_path)
    rows = oulad_rows()
    n_qmark = sum(r["score"] == "?" for _, r in rows)

    init = run(db, "init", "--catalog", str(OULAD_CATALOG))
    assert init.exit_code == 0, init.output
    result, summary = import_json(db, src)

    assert result.exit_code == 3, result.output
    check_balance(summary)
    assert summary["files"][0]["inserted"] == len(rows) - n_qmark
    assert query(db, "SELECT count(*) FROM events") == [(len(rows) - n_qmark,)]


def test_oulad_import_recomputes_the_learners_it_touched(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(OULAD_CSV, tmp_path)
    rows = oulad_rows()

    init = run(db, "init", "--catalog", str(OULAD_CATALOG))
    assert init.exit_code == 0, init.output
    result, summary = import_json(db, src)

    assert result.exit_code == 3, result.output
    learners_with_events = {r["learner_id"] for _, r in rows if r["score"] != "?"}
    recomputed = summary["learners_recomputed"]
    if isinstance(recomputed, int):
        assert recomputed == len(learners_with_events)
    else:
        assert set(recomputed) == learners_with_events


# --------------------------------------------------------------------------------------------
# EdNet: epoch milliseconds, hashed ids, the exact duplicate row, inferred sessions
# --------------------------------------------------------------------------------------------

def test_ednet_import_counts_the_exact_duplicate(tmp_path):
    events = ednet_events()
    distinct = {ednet_key(e) for e in events}
    assert len(distinct) < len(events)  # u1's duplicated respond row is in the cut

    result, summary = import_json(tmp_path / "s.db", copy_fixture(EDNET, tmp_path))

    assert result.exit_code == 0, result.output
    check_balance(summary)
    (counts,) = summary["files"]
    assert counts["format"] == "jsonl"
    assert (counts["read"], counts["inserted"], counts["duplicates"], counts["rejected"], counts["skipped"]) == (
        len(events), len(distinct), len(events) - len(distinct), 0, 0)


def test_ednet_millisecond_timestamps_land_in_2019(tmp_path):
    db = tmp_path / "s.db"
    result, _ = import_json(db, copy_fixture(EDNET, tmp_path))
    assert result.exit_code == 0, result.output

    expected = {(e["learner_id"], e["module_id"], e["task_id"], e.get("skill"), e["type"],
                 utc_text(ms_to_utc(e["timestamp"])), float(e["score"])) for e in ednet_events()}
    stored = set(query(db, "SELECT learner_id, module_id, task_id, skill, type, timestamp, score FROM events"))
    assert stored == expected
    years = {ts[:4] for (ts,) in query(db, "SELECT timestamp FROM events")}
    assert years == {"2019"}
    # the duplicated row, to the microsecond: 1567115277665 ms
    assert query(db, "SELECT timestamp FROM events WHERE learner_id = 'u1' AND task_id = 'q4790'") == [
        ("2019-08-29T21:47:57.665000Z",)]
    # ids were hashed: one per event, none empty
    ids = [i for (i,) in query(db, "SELECT event_id FROM events")]
    assert len(ids) == len(set(ids)) == len(expected) and all(ids)


def test_ednet_sessions_are_inferred_with_a_30_minute_gap(tmp_path):
    """No session_id in the file: sessions per learner and module split on gaps of more than
    30 minutes (DESIGN section 2), seen through `status --json` (modules[].session_count)."""
    db = tmp_path / "s.db"
    result, _ = import_json(db, copy_fixture(EDNET, tmp_path))
    assert result.exit_code == 0, result.output

    times = defaultdict(set)
    for e in ednet_events():
        times[(e["learner_id"], e["module_id"])].add(ms_to_utc(e["timestamp"]))
    sessions = {}
    for key, moments in times.items():
        ordered = sorted(moments)
        sessions[key] = 1 + sum(b - a > SESSION_GAP for a, b in zip(ordered, ordered[1:]))
    assert max(sessions.values()) > 1  # the cut holds gaps that split sessions (u1: 10 sessions)
    for (learner, module), expected in sorted(sessions.items()):
        status = CliRunner().invoke(app, ["--db", str(db), "status", learner, "--json", "--as-of", "2019-12-31"])
        assert status.exit_code == 0, status.output
        modules = {m["module_id"]: m for m in json.loads(status.stdout)["modules"]}
        assert modules[module]["session_count"] == expected, (learner, module)


def test_ednet_import_twice_adds_nothing(tmp_path):
    db = tmp_path / "s.db"
    src = copy_fixture(EDNET, tmp_path)
    events = ednet_events()
    first, _ = import_json(db, src)
    assert first.exit_code == 0, first.output

    second, summary = import_json(db, src)

    assert second.exit_code == 0, second.output
    (counts,) = summary["files"]
    assert (counts["read"], counts["inserted"], counts["duplicates"], counts["rejected"]) == (
        len(events), 0, len(events), 0)


# --------------------------------------------------------------------------------------------
# xAPI on the copied statements (tests/fixtures/xapi)
# --------------------------------------------------------------------------------------------

XAPI_FIXTURE_FILES = sorted(p for p in XAPI_FIXTURES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", XAPI_FIXTURE_FILES, ids=lambda p: str(p.relative_to(XAPI_FIXTURES)))
def test_xapi_fixture_never_crashes(tmp_path, path):
    src = copy_fixture(path, tmp_path)
    result, summary = import_json(tmp_path / "s.db", src, extra=("--format", "xapi"))
    assert_import_never_crashes(result, summary, src)


# (file, event_id, learner_id, module_id, task_id, type, UTC timestamp, score, duration_s), per the
# xAPI mapping of the internal contract.
XAPI_MAPPED = [
    pytest.param(
        "jisc__moodle_asssignment_graded.json", "b7452940-87e3-4578-9c3c-f175dc862475", "stu1",
        "https://moodle.data.alpha.jisc.ac.uk/course/view.php?id=8",
        "https://moodle.data.alpha.jisc.ac.uk/mod/assign/view.php?id=33",
        "attempt", "2017-11-17T10:23:26.000000Z", 75.0, None, id="scored-scaled"),
    pytest.param(
        "jisc__blackboard_attempt_completed.json", "9c0fad59-43eb-4a5b-a54d-8ad7d4038d37", "mkratchounov",
        "https://jisc.blackboard.com/webapps/blackboard/execute/courseMain?course_id=461&sc=",
        "https://jisc.blackboard.com/webapps/gradebook/do/instructor/enterGradeCenter?course_id=_461_1&cvid=fullGC#",
        "task_completed", "2017-10-16T12:31:16.000000Z", None, None, id="completed-with-grouping"),
    pytest.param(
        "adl-xapi-spec__Data-L2190.json", "6690e6c9-3ef0-4ed3-8b37-7f3964730bee", "teampb@example.com",
        "http://www.example.com/meetings/series/267", "http://www.example.com/meetings/occurances/34534",
        "attended", "2013-05-18T05:32:34.804000Z", None, 3600.0, id="group-mbox-parent-duration"),
    pytest.param(
        # Learning Locker storage document: the statement sits under "statement";
        # scaled 0 wins over raw 20 of 100 (the contract: scaled first)
        "lrs_wrapped/jisc__blackboard_assignment_graded.json", "cd9c119a-1485-4146-83aa-9af3999a80c2", "jisc1",
        "https://blackboard.jisc.ac.uk/webapps/blackboard/execute/courseMain?course_id=12345&sc=",
        "https://blackboard.jisc.ac.uk/webapps/gradebook/do/instructor/enterGradeCenter?course_id=_12345_1&cvid=fullGC#",
        "attempt", "2019-01-01T00:00:00.000000Z", 0.0, None, id="lrs-wrapped-scaled-wins"),
]


@pytest.mark.parametrize(
    "name, event_id, learner_id, module_id, task_id, type_, timestamp, score, duration_s", XAPI_MAPPED)
def test_xapi_fixture_maps_to_the_event_record(
        tmp_path, name, event_id, learner_id, module_id, task_id, type_, timestamp, score, duration_s):
    db = tmp_path / "s.db"
    src = copy_fixture(XAPI_FIXTURES / name, tmp_path)

    result, summary = import_json(db, src, extra=("--format", "xapi"))

    assert result.exit_code == 0, result.output
    (counts,) = summary["files"]
    assert (counts["read"], counts["inserted"]) == (1, 1), counts
    assert query(db, "SELECT event_id, learner_id, module_id, task_id, type, timestamp, score, duration_s "
                     "FROM events") == [
        (event_id, learner_id, module_id, task_id, type_, timestamp, score, duration_s)]


def test_xapi_fixture_with_a_raw_tab_is_read(tmp_path):
    """A raw control character inside a string (as the spec published it) loses no statement."""
    db = tmp_path / "s.db"
    src = copy_fixture(XAPI_FIXTURES / "not_strict_json" / "adl-xapi-spec__Data-L2121.json.txt", tmp_path)

    result, summary = import_json(db, src, extra=("--format", "xapi"))

    assert result.exit_code == 0, result.output
    assert summary["files"][0]["inserted"] == 1
    assert query(db, "SELECT event_id, learner_id, module_id, timestamp FROM events") == [
        ("fd41c918-b88b-4b20-a0a5-a4c32391aaa0", "user@example.com",
         "http://example.com/xapi/activity/simplestatement", "2015-11-18T12:17:00.000000Z")]


# --------------------------------------------------------------------------------------------
# xAPI on the shared data folder (read in place: some of it is GPL / EPL)
# --------------------------------------------------------------------------------------------

def shared_params(folder: str, pattern: str) -> list:
    root = XAPI_SHARED / folder
    if not root.is_dir():
        return [pytest.param(None, id="shared-data-absent")]
    return [pytest.param(p, id=str(p.relative_to(XAPI_SHARED))) for p in sorted(root.glob(pattern))]


def shared_import(tmp_path: Path, path: Path | None):
    if path is None:
        pytest.skip(SHARED_ABSENT)
    src = copy_fixture(path, tmp_path)  # the rejects file must not land in the shared folder
    result, summary = import_json(tmp_path / "s.db", src, extra=("--format", "xapi"))
    assert_import_never_crashes(result, summary, src)
    return result, summary


def test_shared_all_statements(tmp_path):
    path = XAPI_SHARED / "all_statements.json"
    if not path.is_file():
        pytest.skip(SHARED_ABSENT)
    statements = json.loads(path.read_text(encoding="utf-8"))

    result, summary = shared_import(tmp_path, path)

    assert result.exit_code in (0, 3), result.output
    assert summary["files"][0]["read"] == len(statements)


@pytest.mark.parametrize("path", shared_params("lrs_wrapped", "*.json"))
def test_shared_lrs_wrapped(tmp_path, path):
    shared_import(tmp_path, path)


@pytest.mark.parametrize("path", shared_params("not_strict_json", "*.txt"))
def test_shared_not_strict_json(tmp_path, path):
    shared_import(tmp_path, path)


@pytest.mark.parametrize("path", shared_params("conformance_templates", "**/*.json"))
def test_shared_conformance_template(tmp_path, path):
    shared_import(tmp_path, path)
