"""`progress export LEARNER --format json|csv|pdf`: everything of one learner, and the
events part goes back in with `progress import` unchanged (round trips)."""

import csv
import io
import json
import sqlite3
import zipfile

import pytest
from pypdf import PdfReader

from tests.conftest import SAMPLE
from tests.test_report_cli import font_cache, sample, sample_db  # noqa: F401 (fixtures)

CORE = ("event_id", "learner_id", "session_id", "module_id", "task_id", "skill", "type", "timestamp", "score",
        "duration_s", "difficulty", "metadata")
EVENT_FIELDS = ["event_id", "learner_id", "learner_name", "session_id", "module_id", "task_id", "skill", "type",
                "timestamp", "score", "duration_s", "difficulty", "metadata"]


def _stored_events(db, learner):
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"select {', '.join(CORE)}, voided from events where learner_id = ? "
                            "order by event_id", (learner,)).fetchall()
        name = conn.execute("select name from learners where learner_id = ?", (learner,)).fetchone()[0]
    return rows, name


def test_json_export_shape(cli, sample):
    data = json.loads(cli("export", "zoe").stdout)
    assert set(data) == {"format", "version", "exported_at", "learner", "events", "voided_events", "tables"}
    assert (data["format"], data["version"]) == ("progress-cli-export", 1)
    assert data["learner"] == {"id": "zoe", "name": "Zoë Ñúñez-Ølsen"}
    assert len(data["events"]) == 826 and data["voided_events"] == []
    assert all(list(e) == EVENT_FIELDS for e in data["events"])
    assert {"learner_progress", "module_progress", "skill_progress", "daily_activity"} <= set(data["tables"])
    assert len(data["tables"]["module_progress"]["rows"]) == 5
    assert all(r["learner_id"] == "zoe" for t in data["tables"].values() for r in t["rows"])


def test_json_round_trip_imports_the_same_events(cli, sample, tmp_path):
    cli("export", "zoe", "--format", "json", "--out", tmp_path / "zoe.json")
    data = json.loads((tmp_path / "zoe.json").read_text(encoding="utf-8"))
    events_file = tmp_path / "events.json"
    events_file.write_text(json.dumps(data["events"], ensure_ascii=False), encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    summary = cli.json("--db", fresh, "import", events_file)
    assert summary["files"][0]["inserted"] == 826 and summary["files"][0]["rejected"] == 0
    assert _stored_events(fresh, "zoe") == _stored_events(sample, "zoe")
    again = json.loads(cli("--db", fresh, "export", "zoe").stdout)
    assert again["events"] == data["events"]


def test_csv_export_is_a_directory_of_tables_and_its_events_reimport(cli, sample, tmp_path):
    out = tmp_path / "zoe-csv"
    assert cli("export", "zoe", "--format", "csv", "--out", out).stdout == f"Wrote {out}\n"
    names = {p.name for p in out.iterdir()}
    assert {"learner.csv", "events.csv", "voided_events.csv", "learner_progress.csv", "module_progress.csv",
            "skill_progress.csv", "daily_activity.csv"} <= names
    with open(out / "events.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EVENT_FIELDS and len(rows) == 827
    fresh = tmp_path / "fresh.db"
    assert cli.json("--db", fresh, "import", out / "events.csv")["files"][0]["inserted"] == 826
    assert _stored_events(fresh, "zoe") == _stored_events(sample, "zoe")


def test_csv_export_as_a_zip(cli, sample, tmp_path):
    target = tmp_path / "zoe.zip"
    cli("export", "zoe", "--format", "csv", "--out", target)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        learner = archive.read("learner.csv").decode("utf-8")
    assert "events.csv" in names and "module_progress.csv" in names
    assert learner == "learner_id,name\nzoe,Zoë Ñúñez-Ølsen\n"


def test_default_targets_are_in_the_current_directory(cli, sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli("export", "dmitry", "--format", "csv")
    assert (tmp_path / "dmitry-export" / "events.csv").exists()
    cli("export", "dmitry", "--format", "pdf", "--as-of", "2026-11-27")
    assert (tmp_path / "dmitry-export.pdf").exists()


def test_pdf_export_is_the_learner_record(cli, sample, tmp_path):
    path = tmp_path / "athena.pdf"
    cli("export", "athena", "--format", "pdf", "--out", path, "--as-of", "2026-11-27", "--paper", "letter")
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in ("Learner record", "Αθηνά Παπαδοπούλου", "Overview", "Modules", "Skills", "Achievements",
                   "Progress vs target (last 30 days)", "Activity (last 90 days)", "Sessions", "Workplace safety",
                   f"Page 1 of {len(reader.pages)}"):
        assert needle in text, needle
    events = json.loads(cli("export", "athena").stdout)["events"]
    sessions = {e["session_id"] for e in events}
    assert f"{len(events)} events in {len(sessions)} sessions" in text
    assert text.count("Workplace safety") > 10  # one line per session, and more
    assert float(reader.pages[0].mediabox.width) == pytest.approx(612)


def test_voided_events_are_exported_apart_and_not_reimported(cli, tmp_path):
    cli("import", SAMPLE / "events.xapi.json")
    data = json.loads(cli("export", "kenji").stdout)
    assert [e["event_id"] for e in data["voided_events"]] == ["850f52a3-129a-5e2d-8e48-361bf6910b42"]
    assert "850f52a3-129a-5e2d-8e48-361bf6910b42" not in {e["event_id"] for e in data["events"]}
    assert len(data["events"]) == 394 - 1


def test_a_whole_export_file_imports_as_its_events_with_the_voided_ones_voided(cli, db, tmp_path):
    cli("import", SAMPLE / "events.xapi.json")
    cli("export", "kenji", "--out", tmp_path / "kenji.json")
    fresh = tmp_path / "fresh.db"
    summary = cli.json("--db", fresh, "import", tmp_path / "kenji.json")["files"][0]
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (394, 394, 0)
    # the same rows, voided flag and metadata included: not a seed session whose other keys
    # (learner, tables, ...) would land in every event's metadata
    assert _stored_events(fresh, "kenji") == _stored_events(db, "kenji")


def test_export_errors(cli, sample, tmp_path):
    assert cli("export", "zeo", code=1).stderr.startswith("Error: no learner 'zeo' in the store")
    assert "--paper and --font apply to --format pdf" in cli("export", "zoe", "--paper", "letter", code=2).stderr
    assert "xml" in cli("export", "zoe", "--format", "xml", code=2).stderr


def test_json_export_stays_parseable_with_any_metadata(cli, tmp_path):
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps({"learner_id": "m", "module_id": "x", "timestamp": "2026-01-01T00:00:00Z",
                                  "score": 50, "metadata": {"note": "a \"quoted\" ünïcode, line\nbreak"}}) + "\n",
                      encoding="utf-8")
    cli("import", events)
    data = json.loads(cli("export", "m").stdout)
    assert data["events"][0]["metadata"] == {"note": "a \"quoted\" ünïcode, line\nbreak"}
    out = tmp_path / "csv"
    cli("export", "m", "--format", "csv", "--out", out)
    row = next(csv.DictReader(io.StringIO((out / "events.csv").read_text(encoding="utf-8"))))
    assert json.loads(row["metadata"]) == data["events"][0]["metadata"]
