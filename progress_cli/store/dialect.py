"""Backend-specific statements, kept in one small place: `INSERT ... ON CONFLICT`, and COPY."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, String, Table, Text, TypeDecorator, and_, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn


@compiles(CreateColumn, "postgresql")
def _text_in_code_point_order(element: CreateColumn, compiler, **kw) -> str:
    """Create string columns with COLLATE "C" on PostgreSQL.

    Ids then sort and compare by code point, as on SQLite and in Python, whatever collation the
    database was created with (en-US would put 'ab' before 'a-c' and 'a' before 'B'), so every
    listing comes out in the same order on both backends.
    """
    spec = compiler.visit_create_column(element, **kw)
    column = element.element
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if not isinstance(kind, String) or isinstance(kind, Text) or spec is None:
        return spec
    head = f"{compiler.preparer.format_column(column)} " \
           f"{compiler.dialect.type_compiler_instance.process(column.type, type_expression=column)}"
    return spec.replace(head, head + ' COLLATE "C"', 1) if spec.startswith(head) else spec


def _insert_for(dialect: Dialect, table: Table):
    # The dialect's module on use: SQLAlchemy's PostgreSQL one takes 20 ms to import, which a
    # SQLite store never needs (and the reverse).
    if dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def insert_ignore(conn: Connection, table: Table):
    """INSERT that skips rows whose primary key is already stored."""
    return insert_ignore_for(conn.dialect, table)


def insert_ignore_for(dialect: Dialect, table: Table):
    return _insert_for(dialect, table).on_conflict_do_nothing()


def upsert_non_null(conn: Connection, table: Table, keys: list[str], update: list[str],
                    rows: list[dict[str, Any]]) -> None:
    """Insert rows (every column, unique `keys` within the batch); for a stored key, set each
    `update` column that arrives non-null and different, and touch no row otherwise."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        changed = " OR ".join(f"(EXCLUDED.{quote(c)} IS NOT NULL AND {quote(table.name)}.{quote(c)} "
                              f"IS DISTINCT FROM EXCLUDED.{quote(c)})" for c in update)
        assign = ", ".join(f"{quote(c)} = COALESCE(EXCLUDED.{quote(c)}, {quote(table.name)}.{quote(c)})" for c in update)
        conflict = f"({', '.join(quote(k) for k in keys)}) DO UPDATE SET {assign} WHERE {changed}"
        copy_rows(conn, table, rows, on_conflict=conflict)
        return
    stmt = _insert_for(conn.dialect, table)
    excluded = stmt.excluded
    changed = or_(*(and_(excluded[c].is_not(None), table.c[c].is_distinct_from(excluded[c])) for c in update))
    assign = {c: func.coalesce(excluded[c], table.c[c]) for c in update}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=assign, where=changed), rows)


def copy_rows(conn: Connection, table: Table, rows: list, *, on_conflict: str | None = None,
              as_tuples: bool = False) -> int:
    """PostgreSQL's fast path for a batch: COPY, through a staging table when keys may be stored.

    With `on_conflict` (e.g. "DO NOTHING"), rows are copied into a temporary staging table and
    moved into `table` by one INSERT ... SELECT ... ON CONFLICT in the same transaction, so
    idempotency and the caller's conflict check work as with INSERT. Rows are dicts, or
    (`as_tuples`) tuples in the table's column order. Returns the rows written.
    """
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in table.columns)
    keys = [c.key for c in table.columns]
    if as_tuples:
        values = tuple
    else:
        values = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    target = quote(table.name)
    with conn.connection.driver_connection.cursor() as cursor:
        if on_conflict is None:
            _copy(cursor, target, names, rows, values)
            return len(rows)
        stage = quote(f"progress_stage_{table.name}")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {target}) ON COMMIT DELETE ROWS")
        _copy(cursor, stage, names, rows, values)
        cursor.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} ON CONFLICT {on_conflict}")
        written = cursor.rowcount
        cursor.execute(f"TRUNCATE {stage}")
        return written


def _copy(cursor, target: str, names: str, rows: list, values) -> None:
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values(row))


def driver_rows(conn: Connection, query) -> list[tuple]:
    """Every row of a SELECT as plain tuples. On SQLite straight from the driver's cursor:
    SQLAlchemy's Row objects cost a quarter of reading a recompute's million events. Elsewhere
    through a server-side cursor, so the client holds the rows once, as tuples."""
    if conn.dialect.name != "sqlite":
        return [tuple(r) for r in conn.execute(query.execution_options(yield_per=5000))]
    # executed as any query (compiled once, logged, seen by event hooks); only the rows skip Core
    result = conn.execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
