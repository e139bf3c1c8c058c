"""The store: tables, engine, migrations and queries. Never commits inside a helper."""

from progress_cli.store.engine import create_store_engine, read_snapshot, write_transaction
from progress_cli.store.migrations import migrate

__all__ = ["create_store_engine", "migrate", "read_snapshot", "write_transaction", "open_store"]


def open_store(db: str):
    """An engine on `db` whose schema is up to date."""
    engine = create_store_engine(db)
    migrate(engine)
    return engine
