"""The read commands without pandas (DESIGN 9, issue 14): `status`, `achievements` and `cert
check` answer from what recompute stored plus the learner's own rows, and print exactly what
the full computation prints.

- byte for byte what main's code printed before the change, for every sample learner at fixed
  dates (tests/expected/reads, recorded by tests/expected/reads/record.py), on the fast path
  (as of the last recompute or later) and on the full one (before it);
- the stored rows against the full computation for every sample learner at several dates, on
  both backends, and the cases where the stored rows must not answer;
- no pandas imported by the interactive reads (a subprocess and `python -X importtime`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from progress_cli.catalog import parse_catalog
from progress_cli.json_output import to_json
from progress_cli.services.achievements import achievements_from
from progress_cli.services.learner_data import load_learner
from progress_cli.services.learner_rows import analysed_rows
from progress_cli.services.recompute import recompute_learners
from progress_cli.services.status import status_from
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.store import queries, write_transaction
from tests.conftest import REPO, write_jsonl

EXPECTED = REPO / "tests" / "expected" / "reads"
RECOMPUTED_AT = dt.datetime(2026, 11, 28, 6, 0, tzinfo=dt.timezone.utc)  # after the data's last event
UTC = ZoneInfo("UTC")
SAMPLE_LEARNERS = ["alice", "athena", "bob", "dmitry", "frank", "jose", "kenji", "lukas", "mia", "priya", "sam", "zoe"]


def _recorder():
    spec = importlib.util.spec_from_file_location("reads_record", EXPECTED / "record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected(name: str) -> dict[str, str]:
    with gzip.open(EXPECTED / name, "rt", encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- as main printed them

@pytest.mark.parametrize("zone, recording", [("UTC", "utc.json.gz"), ("America/New_York", "new_york.json.gz")])
def test_every_sample_learner_reads_as_main_printed_them(zone, recording):
    recorder = _recorder()
    recorder.build_store(zone, RECOMPUTED_AT)
    expected = _expected(recording)
    dates = sorted({key.rsplit(" ", 1)[1] for key in expected})
    found = recorder.record(zone, dates)
    assert found.keys() == expected.keys()
    differ = [key for key in expected if found[key] != expected[key]]
    assert not differ, differ[:5]
    # and the dates after the recompute were answered from the stored rows, the day before was not
    answered = {date: load_learner(os.environ["PROGRESS_DB"], "bob", tz=ZoneInfo(zone), as_of=date,
                                   from_store=True).stored is not None for date in dates}
    assert answered == {date: date >= "2026-11-28" for date in dates}


# --------------------------------------------------------------------------- stored rows = full computation

@pytest.fixture(scope="module")
def _sample_file(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("reads") / "store.db"
    _recorder().build_store("UTC", RECOMPUTED_AT, db=str(db))
    return db


@pytest.fixture
def sample_store(request, prebuilt_store, tmp_path) -> str:
    """The sample store recomputed as of RECOMPUTED_AT: a private copy, on either backend."""
    if prebuilt_store("reads-sample", lambda url: _recorder().build_store("UTC", RECOMPUTED_AT, db=url)):
        return os.environ["PROGRESS_DB"]
    copy = tmp_path / "sample.db"
    shutil.copy(request.getfixturevalue("_sample_file"), copy)
    return str(copy)


def _both_ways(db: str, learner: str, as_of: str | None, tz: ZoneInfo = UTC):
    """(stored rows' answers, full computation's answers) of status and achievements."""
    data = load_learner(db, learner, tz=tz, as_of=as_of, with_calibrations=True, with_peers=True, from_store=True)
    assert data.stored is not None, (learner, as_of)
    full = analysed_rows(data.analyze(), data.catalog, data.as_of, learner)
    answers = []
    for rows in (data.stored, full):
        status = status_from(data, rows)
        answers.append(to_json({"status": status.payload, "completion": status.completion,
                                "achievements": achievements_from(data, rows)}))
    return answers


@pytest.mark.both_backends
@pytest.mark.parametrize("as_of", [None, "2026-11-28", "2026-12-07", "2027-02-15"])
def test_the_stored_rows_answer_as_the_full_computation(sample_store, as_of):
    for learner in SAMPLE_LEARNERS:
        fast, full = _both_ways(sample_store, learner, as_of)
        assert fast == full, learner


def test_a_moment_before_the_recompute_is_computed_from_the_events(sample_store):
    assert load_learner(sample_store, "bob", tz=UTC, as_of="2026-11-27", from_store=True).stored is None


def test_another_zone_than_the_recompute_is_computed_from_the_events(sample_store):
    assert load_learner(sample_store, "bob", tz=ZoneInfo("Asia/Tokyo"), from_store=True).stored is None


def test_a_store_not_recomputed_since_the_upgrade_is_computed_from_the_events(sample_store):
    engine = open_engine(sample_store)
    with engine.begin() as conn:  # what migration 11 leaves until the next recompute
        conn.execute(text("update learner_progress set tz = null, catalog_sha = null, last_import = null"))
    engine.dispose()
    assert load_learner(sample_store, "bob", tz=UTC, from_store=True).stored is None
    engine = open_engine(sample_store)
    recompute_learners(engine, ["bob"], catalog=stored_catalog(engine), tz=UTC)
    engine.dispose()
    assert load_learner(sample_store, "bob", tz=UTC, from_store=True).stored is not None


def test_learners_lists_a_store_not_recomputed_since_the_upgrade_as_after_it(sample_store, cli):
    recomputed = cli.json("--db", sample_store, "learners")
    assert any(r["events"] for r in recomputed) and any(r["readiness"] for r in recomputed)
    engine = open_engine(sample_store)
    with engine.begin() as conn:  # migration 11's columns, empty until the next recompute (zoe's done)
        conn.execute(text("update learner_progress set events = null, modules = null where learner_id <> 'zoe'"))
    engine.dispose()
    assert cli.json("--db", sample_store, "learners") == recomputed  # counted from the events, modules from their rows


def test_another_catalog_than_the_recompute_is_computed_from_the_events(sample_store):
    source = (REPO / "sample_data" / "catalog.toml").read_text(encoding="utf-8").replace("pass_mark = 70", "pass_mark = 75", 1)
    engine = open_engine(sample_store)
    with write_transaction(engine) as conn:  # the catalog replaced, its recompute not run (it failed, say)
        queries.replace_catalog(conn, catalog=parse_catalog(source), text=source, source="changed.toml")
    engine.dispose()
    assert load_learner(sample_store, "bob", tz=UTC, from_store=True).stored is None


def test_an_import_without_recompute_is_seen_until_the_next_recompute(sample_store, cli, tmp_path):
    new = write_jsonl(tmp_path / "new.jsonl", [{"learner_id": "bob", "module_id": "safety", "type": "attempt",
                                                 "task_id": "safety-ppe", "score": 88, "timestamp": "2026-11-27T10:00:00Z"}])
    other = write_jsonl(tmp_path / "other.jsonl", [{"learner_id": "zoe", "module_id": "safety", "type": "viewed",
                                                   "timestamp": "2026-11-27T11:00:00Z"}])
    cli("--db", sample_store, "import", other, "--no-recompute")
    assert load_learner(sample_store, "bob", tz=UTC, from_store=True).stored is not None  # not bob's
    cli("--db", sample_store, "import", new, "--no-recompute")
    assert load_learner(sample_store, "bob", tz=UTC, from_store=True).stored is None
    cli("--db", sample_store, "recompute", "--learner", "bob")
    fast, full = _both_ways(sample_store, "bob", None)
    assert fast == full


def test_a_voided_event_is_seen_until_the_next_recompute(sample_store, cli, tmp_path):
    engine = open_engine(sample_store)
    with engine.connect() as conn:
        target = conn.execute(text("select event_id from events where learner_id = 'mia' and voided = false "
                                   "order by timestamp desc limit 1")).scalar_one()
    engine.dispose()
    statement = {"id": "7b7c1d0e-0000-4000-8000-00000000aaaa", "actor": {"account": {"homePage": "https://x", "name": "admin"}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                 "object": {"objectType": "StatementRef", "id": target}, "timestamp": "2026-11-27T12:00:00Z"}
    path = tmp_path / "void.json"
    path.write_text(json.dumps([statement]), encoding="utf-8")
    cli("--db", sample_store, "import", path, "--no-recompute")
    assert load_learner(sample_store, "mia", tz=UTC, from_store=True).stored is None


def test_an_event_between_the_recompute_and_the_moment_is_computed_from_the_events(sample_store, cli, tmp_path):
    later = write_jsonl(tmp_path / "later.jsonl", [{"learner_id": "jose", "module_id": "safety", "type": "viewed",
                                                   "timestamp": "2026-12-01T10:00:00Z"}])
    cli("--db", sample_store, "import", later, "--no-recompute")
    engine = open_engine(sample_store)
    recompute_learners(engine, ["jose"], catalog=stored_catalog(engine), tz=UTC, as_of=RECOMPUTED_AT)
    engine.dispose()
    assert load_learner(sample_store, "jose", tz=UTC, as_of="2026-11-30", from_store=True).stored is not None
    assert load_learner(sample_store, "jose", tz=UTC, as_of="2026-12-01", from_store=True).stored is None


def test_a_calibration_newer_than_the_moment_takes_the_full_path(sample_store):
    engine = open_engine(sample_store)
    recompute_learners(engine, ["alice"], catalog=stored_catalog(engine), tz=UTC,
                       as_of=dt.datetime(2026, 12, 20, tzinfo=dt.timezone.utc))
    engine.dispose()
    # bob's rows answer for the moment, but the calibration was computed after it
    assert load_learner(sample_store, "bob", tz=UTC, as_of="2026-12-10", from_store=True).stored is not None
    assert load_learner(sample_store, "bob", tz=UTC, as_of="2026-12-10", from_store=True,
                        with_calibrations=True).stored is None


GOAL_CATALOG = """
weekly_goal_minutes = 60
[[modules]]
id = "m"
title = "M"
tasks = ["t"]
[[achievements]]
id = "goal-1"
type = "streak"
name = "Goal met"
points = 10
requirement = "weekly_goal_weeks >= 1"
"""


def test_a_week_that_met_the_goal_completes_after_the_recompute(cli, tmp_path, db):
    """Monday 2026-11-30: 70 minutes practised; a recompute on Wednesday stores the goal
    achievement locked (the week is not over); by the next Monday the week counts, and the
    events say it was earned on Monday: the stored states cannot say so, the full path does."""
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(GOAL_CATALOG, encoding="utf-8")
    events = write_jsonl(tmp_path / "e.jsonl", [
        {"learner_id": "ann", "module_id": "m", "task_id": "t", "type": "attempt", "score": 50, "duration_s": 70 * 60,
         "session_id": "s", "timestamp": "2026-11-30T09:00:00Z"}])
    cli("init", "--catalog", catalog)
    cli("import", events, "--no-recompute")
    engine = open_engine(str(db))
    recompute_learners(engine, None, catalog=stored_catalog(engine), tz=UTC,
                       as_of=dt.datetime(2026, 12, 2, 12, tzinfo=dt.timezone.utc))
    engine.dispose()
    same_week = load_learner(str(db), "ann", tz=UTC, as_of="2026-12-06", from_store=True)
    assert same_week.stored is not None
    assert achievements_from(same_week, same_week.stored)["earned"] == []
    next_week = load_learner(str(db), "ann", tz=UTC, as_of="2026-12-07", from_store=True)
    assert next_week.stored is None
    assert cli.json("achievements", "ann", "--as-of", "2026-12-07")["earned"][0]["earned_at"] == "2026-11-30T09:00:00.000000+00:00"


# --------------------------------------------------------------------------- no pandas

def test_the_interactive_reads_import_no_pandas(cli, tmp_path, db):
    cli("init", "--catalog", REPO / "sample_data" / "catalog.toml")
    cli("import", REPO / "sample_data" / "events.jsonl")  # recomputes everyone (now, after the data)
    code = cli.json("cert", "issue", "zoe", "--out", tmp_path / "certs", "--as-of", "2026-11-27")["issued"][0]["code"]
    env = {**os.environ, "PROGRESS_DB": str(db), "NO_COLOR": "1"}
    commands = [["status", "bob"], ["status", "bob", "--json"], ["learners"], ["achievements", "bob"],
                ["leaderboard"], ["cert", "check", "bob"], ["cert", "list"], ["cert", "verify", code],
                ["cert", "check", "bob", "--as-of", "2026-11-01"]]
    for command in commands:
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "progress_cli", *command], env=env,
                             cwd=REPO, capture_output=True, text=True)
        assert run.returncode == 0, (command, run.stderr[-2000:])
        imported = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
        assert "pandas" not in imported, command
    # a date before the recompute may take the full path: it does, and says the same as the events
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "progress_cli", "achievements", "bob", "--as-of",
                          "2026-11-01"], env=env, cwd=REPO, capture_output=True, text=True)
    assert " pandas\n" in run.stderr

