"""Opening the store and reading the catalog it holds."""

from __future__ import annotations

import difflib
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from progress_cli.catalog import Catalog, parse_catalog
from progress_cli.errors import UnknownLearner
from progress_cli.store import open_store, read_snapshot
from progress_cli.store import queries
from progress_cli.store.engine import database_url


def open_engine(db: str) -> Engine:
    return open_store(db)


def store_exists(db: str) -> bool:
    """False for a SQLite file that is not there (nothing is created to find out)."""
    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).exists()
    return True


def stored_catalog(engine: Engine) -> Catalog:
    """The catalog loaded by `progress init --catalog`, or an empty one."""
    with read_snapshot(engine) as conn:
        return read_catalog(conn)


def read_catalog(conn: Connection) -> Catalog:
    """`stored_catalog` inside a read the caller holds (so it is of the same snapshot)."""
    found = queries.catalog_text(conn)
    if found is None:
        return Catalog()
    text, source = found
    return parse_catalog(text, source=source)


def require_learners(engine: Engine, learner_ids: list[str]) -> None:
    """Raise UnknownLearner, suggesting the closest ids, for an id the store does not have."""

    with read_snapshot(engine) as conn:
        if len(learner_ids) == 1 and queries.learner_names(conn, learner_ids):
            return  # the common case, without reading every id
        known = queries.learner_ids(conn)
    known_set = set(known)
    for learner_id in learner_ids:
        if learner_id not in known_set:
            close = difflib.get_close_matches(learner_id, known, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownLearner(f"no learner {learner_id!r} in the store{hint}")
