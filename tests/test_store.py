"""The store: WAL, migrations recorded and applied in place, a newer store refused."""

import os
import sqlite3

import pytest
from sqlalchemy import insert, inspect

from progress_cli.errors import StoreError
from progress_cli.store import create_store_engine, migrate, open_store
from progress_cli.store import models
from progress_cli.store.migrations import MIGRATIONS, applied_versions

ALL_VERSIONS = sorted(version for version, _, _ in MIGRATIONS)


def _store() -> str:
    return os.environ["PROGRESS_DB"]  # the test's SQLite file or PostgreSQL URL


@pytest.mark.both_backends
def test_new_store_records_its_migrations_and_indexes(backend, db):
    engine = open_store(_store())
    with engine.connect() as conn:
        assert applied_versions(conn) == ALL_VERSIONS
    indexes = {index["name"] for index in inspect(engine).get_indexes("events")}
    engine.dispose()
    assert {"ix_events_learner_ts", "ix_events_learner_module"} <= indexes
    if backend == "sqlite":
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma journal_mode").fetchone() == ("wal",)


@pytest.mark.both_backends
def test_reopening_applies_nothing_twice():
    engine = create_store_engine(_store())
    assert migrate(engine) == ALL_VERSIONS
    assert migrate(engine) == []
    engine.dispose()


@pytest.mark.both_backends
def test_store_from_a_newer_version_is_refused():
    engine = open_store(_store())
    with engine.begin() as conn:
        conn.execute(insert(models.SCHEMA_MIGRATIONS).values(version=999, name="future", applied_at="x"))
    with pytest.raises(StoreError, match="schema version 999, newer"):
        migrate(engine)
    engine.dispose()


def test_cli_reports_a_bad_store_in_one_line(cli, tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = cli("--db", bad, "learners", code=1)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


@pytest.mark.both_backends
def test_an_old_store_upgrades_in_place_keeping_its_events(cli, sql, tmp_path):
    engine = create_store_engine(_store())
    assert migrate(engine, upto=1) == [1]  # a store written by the first release
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "events" in tables and "learner_progress" not in tables
    path = tmp_path / "e.jsonl"
    path.write_text('{"learner_id": "a", "module_id": "m", "type": "attempt", '
                    '"timestamp": "2026-01-01T00:00:00Z", "score": 70}\n', encoding="utf-8")
    cli("import", path)  # opening the store applies the later migrations, then the import recomputes
    assert [r[0] for r in sql("select version from schema_migrations order by version")] == ALL_VERSIONS
    assert sql("select learner_id, total_progress from learner_progress") == [("a", None)]


def test_a_read_command_does_not_wait_for_a_writer(cli, db, tmp_path):
    """Opening an up-to-date store only reads, so `learners` answers while another process
    holds SQLite's write lock (an import in progress); it once queued behind it at open."""
    cli("init")
    writer = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what a running import holds
        writer.execute("INSERT INTO learners (learner_id, name) VALUES ('pending', NULL)")
        assert cli.json("learners") == []  # the uncommitted learner is not seen, and no wait
    finally:
        writer.execute("ROLLBACK")
        writer.close()
