"""`progress db info` and `progress db copy`: what a store holds, and moving it to another backend."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Engine, inspect

from progress_cli.certs.keys import copy_private_keys
from progress_cli.errors import StoreError
from progress_cli.services.certs import keys_dir
from progress_cli.services.store_access import store_exists
from progress_cli.store import create_store_engine, open_store, read_snapshot, write_transaction
from progress_cli.store.migrations import applied_versions
from progress_cli.store.transfer import copy_table, reset_sequences, row_counts, store_tables

MIGRATIONS_TABLE = "schema_migrations"


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def store_info(db: str) -> dict[str, Any]:
    """Backend, URL (no password), schema version and the row count of every table.

    Only reads: an older store is shown as it is (its version, the tables it has), not upgraded.
    """
    if not store_exists(db):
        raise StoreError(f"no store at {db}; create one with `progress init`")
    engine = create_store_engine(db)
    try:
        with read_snapshot(engine) as conn:
            present = set(inspect(conn).get_table_names())
            versions = applied_versions(conn) if MIGRATIONS_TABLE in present else []
            counts = row_counts(conn, present)
    finally:
        engine.dispose()
    return {"backend": engine.dialect.name, "url": _url(engine),
            "schema_version": max(versions, default=0), "tables": counts}


def copy_store(source_db: str, target_db: str, *,
               on_start: Callable[[int], Callable[[int], None]] | None = None) -> dict[str, Any]:
    """Copy every row of `source_db` into the empty store `target_db` in one transaction.

    Both stores are brought to the current schema first. `on_start(total_rows)` returns a
    callback that is given the rows copied as they go. The private signing keys kept beside the
    source are copied beside the target, so the copy can go on issuing certificates.
    """

    source, target = open_store(source_db), open_store(target_db)
    try:
        if _url(source) == _url(target):
            raise StoreError("db copy: the target is the source store")
        tables = [t for t in store_tables() if t.name != MIGRATIONS_TABLE]
        with read_snapshot(source) as src, write_transaction(target) as dst:
            held = {name: n for name, n in row_counts(dst).items() if n and name != MIGRATIONS_TABLE}
            if held:
                name = max(held, key=held.get)
                raise StoreError(f"db copy: {_url(target)} already holds data ({held[name]} rows in {name}); "
                                 "copy into a new, empty store")
            counts = {name: n for name, n in row_counts(src).items() if name != MIGRATIONS_TABLE}
            advance = on_start(sum(counts.values())) if on_start else None
            copied = {t.name: copy_table(src, dst, t, advance) for t in tables}
            reset_sequences(dst)
        keys = copy_private_keys(keys_dir(source_db), keys_dir(target_db))
    finally:
        source.dispose()
        target.dispose()
    return {"from": _url(source), "to": _url(target), "tables": copied, "private_keys_copied": keys}
