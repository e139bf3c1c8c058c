"""The store: WAL, migrations recorded and applied in place, a newer store refused."""

import sqlite3

import pytest
from sqlalchemy import insert

from progress_cli.errors import StoreError
from progress_cli.store import create_store_engine, migrate, open_store
from progress_cli.store import models
from progress_cli.store.migrations import MIGRATIONS, applied_versions

ALL_VERSIONS = sorted(version for version, _, _ in MIGRATIONS)


def test_new_store_is_wal_and_records_its_migrations(db):
    engine = open_store(str(db))
    with engine.connect() as conn:
        assert applied_versions(conn) == ALL_VERSIONS
    engine.dispose()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma journal_mode").fetchone() == ("wal",)
        indexes = {r[1] for r in conn.execute("pragma index_list('events')")}
    assert {"ix_events_learner_ts", "ix_events_learner_module"} <= indexes


def test_reopening_applies_nothing_twice(db):
    engine = create_store_engine(str(db))
    assert migrate(engine) == ALL_VERSIONS
    assert migrate(engine) == []
    engine.dispose()


def test_store_from_a_newer_version_is_refused(db):
    engine = open_store(str(db))
    with engine.begin() as conn:
        conn.execute(insert(models.SchemaMigration.__table__).values(version=999, name="future", applied_at="x"))
    with pytest.raises(StoreError, match="schema version 999, newer"):
        migrate(engine)
    engine.dispose()


def test_cli_reports_a_bad_store_in_one_line(cli, tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = cli("--db", bad, "learners", code=1)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_an_old_store_upgrades_in_place_keeping_its_events(cli, db, tmp_path):
    engine = create_store_engine(str(db))
    assert migrate(engine, upto=1) == [1]  # a store written by the first release
    engine.dispose()
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert "events" in tables and "learner_progress" not in tables
    path = tmp_path / "e.jsonl"
    path.write_text('{"learner_id": "a", "module_id": "m", "type": "attempt", '
                    '"timestamp": "2026-01-01T00:00:00Z", "score": 70}\n', encoding="utf-8")
    cli("import", path)  # opening the store applies the later migrations, then the import recomputes
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("select version from schema_migrations order by version")] == ALL_VERSIONS
        assert conn.execute("select learner_id, total_progress from learner_progress").fetchall() == [("a", None)]
