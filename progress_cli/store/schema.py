"""Which schema versions an up-to-date store has applied, and checking that without the
migrations (which import every table class: SQLModel and its ORM, ~0.2 s, for nothing when
the store is current, as it nearly always is)."""

from __future__ import annotations

from sqlalchemy import Engine, column, inspect, select, table

from progress_cli.store.engine import read_snapshot

# The versions of store/migrations.py MIGRATIONS (tests/test_store.py holds the two equal).
SCHEMA_VERSIONS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 10, 11})
_APPLIED = table("schema_migrations", column("version"))


def schema_is_current(engine: Engine) -> bool:
    """Has the store applied exactly the migrations this version knows? (A missing table, an
    older or a newer store: no; `migrations.migrate` then upgrades or refuses.)"""
    with read_snapshot(engine) as conn:
        if not inspect(conn).has_table(_APPLIED.name):
            return False
        return set(conn.execute(select(_APPLIED.c.version)).scalars()) == SCHEMA_VERSIONS
