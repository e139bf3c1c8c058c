"""Backend-specific statements, kept in one small place: `INSERT ... ON CONFLICT`, and COPY."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table):
    return _insert_for(conn.dialect, table)


def _insert_for(dialect: Dialect, table: Table):
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(conn: Connection, table: Table):
    """INSERT that skips rows whose primary key is already stored."""
    return insert_ignore_for(conn.dialect, table)


def insert_ignore_for(dialect: Dialect, table: Table):
    return _insert_for(dialect, table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: list[str], update: list[str], keep_existing_when_null=()):
    """INSERT, or UPDATE the `update` columns of the row with the same `keys`.

    Columns in `keep_existing_when_null` keep their stored value when the new one is NULL.
    """
    from sqlalchemy import func

    stmt = _insert(conn, table)
    values = {
        col: func.coalesce(stmt.excluded[col], table.c[col]) if col in keep_existing_when_null
        else stmt.excluded[col]
        for col in update
    }
    return stmt.on_conflict_do_update(index_elements=keys, set_=values)


def copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]], *, ignore: bool) -> int:
    """PostgreSQL's fast path for a batch: COPY, then (to skip stored keys) one INSERT ... SELECT.

    With `ignore`, rows go through a temporary staging table and into `table` with ON CONFLICT
    DO NOTHING, so idempotency and the caller's conflict check work as with INSERT; returns how
    many rows were new.
    """
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in table.columns)
    keys = [c.key for c in table.columns]
    values = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    target = quote(table.name)
    with conn.connection.driver_connection.cursor() as cursor:
        if not ignore:
            _copy(cursor, target, names, rows, values)
            return len(rows)
        stage = quote(f"progress_stage_{table.name}")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {target}) ON COMMIT DELETE ROWS")
        _copy(cursor, stage, names, rows, values)
        cursor.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING")
        inserted = cursor.rowcount
        cursor.execute(f"TRUNCATE {stage}")
        return inserted


def _copy(cursor, target: str, names: str, rows: list[dict[str, Any]], values) -> None:
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values(row))
