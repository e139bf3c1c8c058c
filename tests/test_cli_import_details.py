"""`progress import`: tab-separated files, `--map` checks, and what happens to an old rejects
file (issue 13). Nothing here depends on the backend: SQLite only."""

import gzip
import json

import pytest

from tests.conftest import write_jsonl

HEADER = ["event_id", "learner_id", "module_id", "type", "timestamp", "score"]
ROWS = [["t1", "ana", "m", "attempt", "2026-05-01T10:00:00Z", "71.5"],
        ["t2", "ana", "m", "attempt", "2026-05-01T10:05:00Z", "80"],
        ["t3", "ben", "m", "task_completed", "2026-05-01T11:00:00Z", ""]]


def tab_separated(path, rows=ROWS):
    path.write_text("\n".join("\t".join(cells) for cells in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# Tab-separated values ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["e.tsv", "e.tab", "e.txt", "export"])
def test_a_tab_separated_file_is_read_with_tabs(cli, sql, tmp_path, name):
    """By extension (.tsv, .tab), else by a header with tabs and no commas."""
    path = tab_separated(tmp_path / name)
    out = cli.json("import", path)["files"][0]
    assert (out["format"], out["read"], out["inserted"], out["rejected"]) == ("csv", 3, 3, 0)
    assert sql("select event_id, learner_id, score from events order by event_id") == [
        ("t1", "ana", 71.5), ("t2", "ana", 80.0), ("t3", "ben", None)]


def test_format_csv_on_a_tsv_file_still_splits_on_tabs(cli, tmp_path):
    out = cli.json("import", tab_separated(tmp_path / "e.tsv"), "--format", "csv")["files"][0]
    assert (out["inserted"], out["rejected"]) == (3, 0)


def test_a_comma_file_whose_values_hold_tabs_stays_comma_separated(cli, sql, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text('learner_id,learner_name,module_id,type,timestamp\nana,"Ana\tMaria",m,session_start,2026-05-01T10:00:00Z\n',
                    encoding="utf-8")
    out = cli.json("import", path)["files"][0]
    assert (out["inserted"], out["rejected"]) == (1, 0)
    assert sql("select learner_id, module_id from events") == [("ana", "m")]


@pytest.mark.parametrize("name", ["e.tsv.gz", "e.tab.gz"])
def test_a_gzipped_tab_separated_file_is_told_by_the_name_inside(cli, sql, tmp_path, name):
    plain = tab_separated(tmp_path / name.removesuffix(".gz"))
    path = tmp_path / name
    path.write_bytes(gzip.compress(plain.read_bytes()))
    out = cli.json("import", path)["files"][0]
    assert (out["format"], out["read"], out["inserted"], out["rejected"]) == ("csv", 3, 3, 0)
    assert sql("select event_id, learner_id, score from events order by event_id") == [
        ("t1", "ana", 71.5), ("t2", "ana", 80.0), ("t3", "ben", None)]


def test_a_gzipped_json_file_that_is_not_json_is_one_line_error(cli, sql, tmp_path):
    path = tmp_path / "a.json.gz"
    path.write_bytes(gzip.compress(b"hello\n"))
    assert cli("import", path, code=1).stderr == (
        f"Error: {path}: does not start with JSON, so its format cannot be told; use --format to say what it is\n")
    assert sql("select count(*) from events") == [(0,)]


# --map FIELD=COLUMN -------------------------------------------------------------------------------

FIELD_NAMES = ("event_id, learner_id, learner_name, session_id, module_id, task_id, skill, type, timestamp, "
               "score, duration_s, difficulty, metadata")


def test_map_to_an_unknown_field_is_a_usage_error_naming_the_fields(cli, sql, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("uid,module_id,type,timestamp\ns1,m,session_start,2026-05-01T10:00:00Z\n", encoding="utf-8")
    result = cli("import", path, "--map", "learner=uid", code=2)
    assert "'learner'" in result.stderr and FIELD_NAMES in result.stderr
    assert result.stderr.count("\n") == 1
    assert sql("select count(*) from events") == [(0,)]
    assert not (tmp_path / "p.csv.rejects.jsonl").exists()
    assert cli.json("import", path, "--map", "learner_id=uid")["files"][0]["inserted"] == 1


# An old rejects file ------------------------------------------------------------------------------

GOOD = [["g1", "ana", "m", "attempt", "2026-05-01T10:00:00Z", "70"],
        ["g2", "ana", "m", "attempt", "2026-05-01T10:05:00Z", "75"]]
BAD = [*GOOD, ["g3", "ana", "m", "attempt", "2026-05-01T10:10:00Z", "170"]]


def test_a_clean_import_of_the_fixed_file_removes_its_old_rejects_file(cli, tmp_path):
    path = tab_separated(tmp_path / "e.tsv", BAD)
    rejects = tmp_path / "e.tsv.rejects.jsonl"
    assert cli.json("import", path, code=3)["files"][0]["rejects_path"] == str(rejects)
    assert rejects.exists()
    tab_separated(path, GOOD)  # fixed: the bad row is gone
    out = cli.json("import", path)["files"][0]
    assert (out["read"], out["duplicates"], out["rejected"], out["rejects_path"]) == (2, 2, 0, None)
    assert not rejects.exists()


def test_a_file_recognised_from_an_earlier_clean_import_also_removes_it(cli, tmp_path):
    path = tab_separated(tmp_path / "e.tsv", GOOD)
    rejects = tmp_path / "e.tsv.rejects.jsonl"
    cli("import", path)
    tab_separated(path, BAD)  # someone edits the file: one bad row
    cli("import", path, code=3)
    assert rejects.exists()
    tab_separated(path, GOOD)  # and puts the clean file back: recognised without re-reading
    out = cli.json("import", path)["files"][0]
    assert (out["read"], out["duplicates"], out["rejected"]) == (2, 2, 0)
    assert not rejects.exists()


def test_a_dry_run_and_a_rejects_path_given_by_the_user_are_left_alone(cli, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"learner_id": "ana", "module_id": "m", "type": "attempt",
                                                "timestamp": "2026-05-01T10:00:00Z", "score": 80}])
    default, mine = tmp_path / "a.jsonl.rejects.jsonl", tmp_path / "mine.jsonl"
    default.write_text('{"old": true}\n', encoding="utf-8")
    mine.write_text('{"mine": true}\n', encoding="utf-8")
    cli("import", path, "--dry-run")
    cli("import", path, "--rejects", mine)
    assert default.read_text(encoding="utf-8") == '{"old": true}\n'  # this run wrote its rejects elsewhere
    assert mine.read_text(encoding="utf-8") == '{"mine": true}\n'  # nothing rejected: not written, not removed
    cli("import", path)
    assert not default.exists() and mine.exists()
