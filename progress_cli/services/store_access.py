"""Opening the store and reading the catalog it holds."""

from __future__ import annotations

from sqlalchemy import Engine

from progress_cli.catalog import Catalog, parse_catalog
from progress_cli.store import open_store, read_connection
from progress_cli.store import queries


def open_engine(db: str) -> Engine:
    return open_store(db)


def stored_catalog(engine: Engine) -> Catalog:
    """The catalog loaded by `progress init --catalog`, or an empty one."""
    with read_connection(engine) as conn:
        found = queries.catalog_text(conn)
    if found is None:
        return Catalog()
    text, source = found
    return parse_catalog(text, source=source)
