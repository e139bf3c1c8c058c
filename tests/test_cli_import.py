"""`progress import`: counts, idempotency, rejects, --strict, --dry-run, file errors (DESIGN section 2)."""

import json
import os
import shutil

import pytest

from tests.conftest import SAMPLE, store_rows, write_jsonl

pytestmark = pytest.mark.both_backends


def rows(statement):
    return store_rows(os.environ["PROGRESS_DB"], statement)


def events(where="1=1"):
    return rows(f"select event_id, learner_id, voided from events where {where} order by event_id")


def ev(i, **extra):
    return {"event_id": f"e{i}", "learner_id": "ana", "module_id": "m", "type": "attempt",
            "timestamp": f"2026-05-01T10:{i % 60:02d}:00Z", "score": 50 + i % 50, **extra}


def test_sample_data_three_formats_store_each_event_once(cli, db):
    cli("init", "--catalog", SAMPLE / "catalog.toml")
    n_lines = sum(1 for line in (SAMPLE / "events.jsonl").open(encoding="utf-8") if line.strip())
    out = cli.json("import", SAMPLE / "events.jsonl", SAMPLE / "events.csv", SAMPLE / "events.xapi.json")
    jsonl, csv_, xapi = out["files"]
    assert (jsonl["format"], csv_["format"], xapi["format"]) == ("jsonl", "csv", "xapi")
    assert jsonl["read"] == jsonl["inserted"] == n_lines
    assert csv_["read"] == csv_["duplicates"] == n_lines and csv_["inserted"] == 0
    # the xAPI file has one more statement: a voiding one (stored), the rest are duplicates
    assert (xapi["read"], xapi["duplicates"], xapi["inserted"], xapi["rejected"]) == (n_lines + 1, n_lines, 1, 0)
    assert len(events()) == n_lines
    assert len(events("voided")) == 1


def test_reimport_adds_nothing_and_counts_add_up(cli, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ev(i) for i in range(7)])
    first = cli.json("import", path)["files"][0]
    again = cli.json("import", path)["files"][0]
    assert (first["inserted"], first["duplicates"]) == (7, 0)
    assert (again["inserted"], again["duplicates"], again["read"]) == (0, 7, 7)


def test_rejects_are_written_with_line_and_reason_and_good_rows_kept(cli, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ev(1), {**ev(2), "score": "?"}, "{broken", ev(3), {**ev(4), "score": 101}])
    out = cli.json("import", path, code=3)["files"][0]
    assert (out["read"], out["inserted"], out["rejected"]) == (5, 2, 3)
    assert out["rejects_path"] == str(tmp_path / "a.jsonl.rejects.jsonl")
    rejects = [json.loads(line) for line in open(out["rejects_path"], encoding="utf-8")]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejects] == [
        (2, "score is not a number"), (3, "invalid JSON"), (5, "score out of range 0..100")]
    assert rejects[0]["row"]["event_id"] == "e2"
    assert [e[0] for e in events()] == ["e1", "e3"]


def test_rejects_option_and_conflict_is_not_an_overwrite(cli, db, tmp_path):
    cli("import", write_jsonl(tmp_path / "a.jsonl", [ev(1)]))
    changed = write_jsonl(tmp_path / "b.jsonl", [{**ev(1), "score": 99}, ev(2)])
    out = cli.json("import", changed, "--rejects", tmp_path / "bad.jsonl", code=3)["files"][0]
    assert (out["inserted"], out["rejected"], out["rejects_path"]) == (1, 1, str(tmp_path / "bad.jsonl"))
    (reject,) = [json.loads(line) for line in open(tmp_path / "bad.jsonl", encoding="utf-8")]
    assert reject["reason"].startswith("conflict: event_id e1") and reject["line"] == 1
    assert rows("select score from events where event_id='e1'")[0] == (51.0,)


def test_strict_keeps_nothing_from_a_file_with_rejects(cli, db, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [ev(10)])
    bad = write_jsonl(tmp_path / "bad.jsonl", [ev(1), ev(2), {**ev(3), "score": "?"}])
    out = cli.json("import", good, bad, "--strict", code=3)["files"]
    assert [f["committed"] for f in out] == [True, False]
    assert [e[0] for e in events()] == ["e10"]


def test_dry_run_writes_nothing(cli, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ev(1), ev(2), {**ev(3), "score": -1}])
    out = cli.json("import", path, "--dry-run", code=3)["files"][0]
    assert (out["inserted"], out["rejected"], out["committed"], out["rejects_path"]) == (2, 1, False, None)
    assert events() == []
    assert not (tmp_path / "a.jsonl.rejects.jsonl").exists()


@pytest.mark.sqlite_only  # the file is refused before the store is opened: nothing backend-specific
@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
    ('{"learner_id": "zoë"}\n'.encode("latin-1"), "not UTF-8 text"),
])
def test_unreadable_files_are_one_line_errors_naming_the_file(cli, tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    result = cli("import", path, code=1)
    assert result.stderr.strip() == f"Error: {path}: {message}" or (
        result.stderr.startswith(f"Error: {path}: {message}") and result.stderr.count("\n") == 1)


@pytest.mark.sqlite_only
def test_missing_file_and_directory(cli, tmp_path):
    assert cli("import", tmp_path / "nope.jsonl", code=1).stderr == f"Error: {tmp_path / 'nope.jsonl'}: no such file\n"
    assert "is a directory" in cli("import", tmp_path, code=1).stderr


def test_bad_encoding_after_good_batches_rolls_the_whole_file_back(cli, db, tmp_path):
    path = tmp_path / "big.jsonl"
    write_jsonl(path, [ev(i, event_id=f"x{i}") for i in range(12000)])
    with path.open("ab") as fh:
        fh.write(b'{"learner_id": "\xff"}\n')
    assert "not UTF-8 text" in cli("import", path, code=1).stderr
    assert events() == []


def test_csv_with_map_and_json_seed_sessions(cli, db, tmp_path):
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("student,course,when,grade,type\ns1,c1,2026-01-01T10:00:00Z,77,attempt\n", encoding="utf-8")
    out = cli.json("import", csv_path, "--map", "learner_id=student", "--map", "module_id=course",
                   "--map", "timestamp=when", "--map", "score=grade")["files"][0]
    assert out["inserted"] == 1
    sessions = [{"session_id": "s9", "learner_id": "kim", "module_id": "m", "start_time": "2026-01-01T10:00:00Z",
                 "end_time": "2026-01-01T10:20:00Z",
                 "events": [{"timestamp": "2026-01-01T10:01:00Z", "type": "attempt", "score": 60,
                             "data": {"task_id": "t1", "hint": 2}},
                            {"timestamp": "2026-01-01T10:10:00Z", "type": "task_completed", "data": {"task_id": "t1"}}]}]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(sessions), encoding="utf-8")
    out = cli.json("import", path)["files"][0]
    assert (out["format"], out["read"], out["inserted"]) == ("json", 2, 2)
    stored = rows("select session_id, task_id, type, metadata from events where learner_id='kim' order by timestamp")
    assert stored == [("s9", "t1", "attempt", '{"hint":2}'), ("s9", "t1", "task_completed", None)]


def statement(sid, verb, obj, when="2026-02-01T10:00:00Z", **extra):
    return {"id": sid, "actor": {"account": {"homePage": "https://x.org", "name": "lee"}, "name": "Lee"},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"}, "object": obj, "timestamp": when, **extra}


def test_xapi_voiding_works_in_either_order(cli, db, tmp_path):
    target = "6f1c2a34-0000-4000-8000-000000000001"
    void = statement("6f1c2a34-0000-4000-8000-000000000009", "voided", {"objectType": "StatementRef", "id": target})
    real = statement(target, "answered", {"id": "https://x.org/act/q1"},
                     result={"score": {"raw": 3, "min": 0, "max": 4}},
                     context={"contextActivities": {"parent": [{"id": "https://x.org/act/course"}]}})
    void_file = tmp_path / "void.json"
    void_file.write_text(json.dumps([void]), encoding="utf-8")
    real_file = tmp_path / "real.json"
    real_file.write_text(json.dumps({"statements": [real], "more": ""}), encoding="utf-8")
    cli("import", void_file)                      # the void arrives first
    out = cli.json("import", real_file)["files"][0]
    assert (out["format"], out["inserted"]) == ("xapi", 1)
    assert events() == [(target, "lee", 1)]
    assert rows("select module_id, task_id, score from events")[0] == (
        "https://x.org/act/course", "https://x.org/act/q1", 75.0)


def test_import_summary_table_on_terminal_output(cli, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ev(1), {**ev(2), "score": "?"}])
    result = cli("import", path, code=3)
    assert "a.jsonl" in result.stdout and "1 × score is not a number" in result.stdout
    assert "rejected rows written to" in result.stdout


@pytest.mark.sqlite_only
def test_unknown_format_is_a_usage_error(cli, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ev(1)])
    refused = cli("import", path, "--format", "xml", code=2).stderr
    assert "'--format'" in refused and "'xml' is not one of 'auto', 'jsonl', 'csv', 'json', 'xapi'" in refused


def test_sample_copy_import_in_one_command(cli, db, tmp_path):
    shutil.copy(SAMPLE / "events.csv", tmp_path / "e.csv")
    out = cli.json("import", tmp_path / "e.csv")["files"][0]
    assert out["read"] == out["inserted"] > 1000


def test_same_file_and_options_is_recognised_without_rereading(cli, db, tmp_path):
    naive = [{**ev(i), "timestamp": f"2026-05-01T10:0{i}:00"} for i in range(3)]
    path = write_jsonl(tmp_path / "naive.jsonl", naive)
    cli("--tz", "UTC", "import", path)
    again = cli.json("--tz", "UTC", "import", path)["files"][0]
    assert (again["read"], again["inserted"], again["duplicates"], again["rejected"]) == (3, 0, 3, 0)
    # Another zone reads the naive times differently: the file is re-read and every row conflicts.
    other = cli.json("--tz", "Europe/Paris", "import", path, code=3)["files"][0]
    assert (other["inserted"], other["rejected"]) == (0, 3)
    assert rows("select count(*) from imports")[0] == (3,)
