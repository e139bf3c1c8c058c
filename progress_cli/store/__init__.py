"""The store: tables, engine, migrations and queries. Never commits inside a helper."""

from progress_cli.store.engine import create_store_engine, read_snapshot, write_transaction

__all__ = ["create_store_engine", "migrate", "read_snapshot", "write_transaction", "open_store"]


def open_store(db: str):
    """An engine on `db` whose schema is up to date."""
    from progress_cli.store.schema import schema_is_current

    engine = create_store_engine(db)
    if not schema_is_current(engine):
        migrate(engine)
    return engine


def migrate(engine, upto: int | None = None) -> list[int]:
    """`migrations.migrate`, imported on use: the table classes it needs cost ~0.2 s, and an
    up-to-date store (`open_store`) needs none of them to be read (DESIGN 9)."""
    from progress_cli.store.migrations import migrate as run

    return run(engine, upto)
