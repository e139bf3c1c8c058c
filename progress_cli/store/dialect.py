"""Backend-specific statements, kept in one small place: `INSERT ... ON CONFLICT`."""

from __future__ import annotations

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
