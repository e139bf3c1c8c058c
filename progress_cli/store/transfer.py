"""Whole-store reads and copies (`progress db info`, `progress db copy`): every table, row for row."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, Integer, Table, func, select, text

from progress_cli.store import achievements, activity, certs, deliveries, derived, models  # noqa: F401  (their tables)
from progress_cli.store.writes import bulk_insert

COPY_CHUNK = 5000


def store_tables() -> list[Table]:
    """Every table of the store's schema, in a stable order (schema_migrations first)."""
    return sorted(models.metadata.tables.values(),
                  key=lambda t: (t.name != models.SCHEMA_MIGRATIONS.name, t.name))


def row_counts(conn: Connection, present: set[str] | None = None) -> dict[str, int]:
    """table name -> rows, for every table of the schema (or those of it in `present`)."""
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in store_tables() if present is None or t.name in present}


def copy_table(source: Connection, target: Connection, table: Table,
               on_rows: Callable[[int], None] | None = None) -> int:
    """Stream one table's rows from `source` into `target` (COPY on PostgreSQL); returns the rows copied."""
    keys = [c.key for c in table.columns]
    copied = 0
    result = source.execute(select(table).execution_options(yield_per=COPY_CHUNK))
    for part in result.partitions():
        rows = [dict(zip(keys, row)) for row in part]
        bulk_insert(target, table, rows)
        copied += len(rows)
        if on_rows:
            on_rows(len(rows))
    return copied


def reset_sequences(conn: Connection) -> None:
    """After rows arrive with their ids, PostgreSQL's serial counters continue after the largest id."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's rowids already follow the largest id
    for table in store_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name, column = table.name, keys[0].name
        conn.execute(text(f'SELECT setval(pg_get_serial_sequence(:table, :column), '
                          f'COALESCE((SELECT max("{column}") FROM "{name}"), 0) + 1, false)'),
                     {"table": name, "column": column})
