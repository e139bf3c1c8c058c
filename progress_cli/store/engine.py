"""Opening the store: URL resolution, the engine, and the SQLite-specific settings.

This file and `dialect.py` are the only places that know which backend is in use.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from progress_cli.errors import StoreError

_DRIVER_EXTRAS = {"postgresql": "postgres"}
# A URL without a driver means psycopg 3 (SQLAlchemy's own default for PostgreSQL is psycopg2).
_DEFAULT_DRIVERS = {"postgresql://": "postgresql+psycopg://", "postgres://": "postgresql+psycopg://"}
# Every writer of a PostgreSQL store holds this transaction-level advisory lock, as a SQLite
# writer holds the file's write lock: imports, recomputes and certificate runs never interleave
# (no deadlocks between upserts, activity ids committed in order for `watch`); readers never wait.
WRITER_LOCK = 0x70726F67  # "prog"


def database_url(db: str) -> str:
    """A SQLAlchemy URL from `--db`: a URL as given, or a path to a SQLite file."""
    if "://" in db:
        for prefix, driver in _DEFAULT_DRIVERS.items():
            if db.startswith(prefix):
                return driver + db[len(prefix):]
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def create_store_engine(db: str, *, cache_kib: int = 65536) -> Engine:
    """An engine for `db`, with WAL, a busy timeout and explicit transactions on SQLite, and
    a page cache of `cache_kib` per connection (SQLite's; a reader that visits each page once
    needs little)."""
    url = database_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"the store {db!r} is neither a path nor a database URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store's folder for {parsed.database}: {exc.strerror}") from None
    # The import's writer thread uses the connection its parser thread opened (one at a time).
    connect_args = {"check_same_thread": False} if parsed.get_backend_name() == "sqlite" else {}
    try:
        engine = create_engine(url, connect_args=connect_args)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        backend = parsed.get_backend_name()
        extra = _DRIVER_EXTRAS.get(backend)
        hint = f"; install it with: pip install 'progress-cli[{extra}]'" if extra else ""
        if extra and parsed.get_driver_name() != "psycopg":
            hint += f" and write the URL as {backend}://... (psycopg 3), or install {parsed.get_driver_name()}"
        raise StoreError(f"no database driver for {backend}{hint} ({exc})") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, cache_kib)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _configure_sqlite(engine: Engine, cache_kib: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; safe in WAL
        cursor.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front, so two writers queue on the busy timeout
        # instead of failing when a read lock cannot be upgraded; readers never block (WAL).
        if conn.get_execution_options().get("progress_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("progress_write")
        if mode == "shared":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({WRITER_LOCK})")
        elif mode:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


@contextmanager
def write_transaction(engine: Engine, *, shared: bool = False) -> Iterator[Connection]:
    """One transaction that commits on success and leaves the store untouched on any error.

    `shared`: it may run alongside other shared writers, which write rows no other one writes
    (recompute shards: each its own learners' derived rows), and still one at a time with
    every other writer. On PostgreSQL (the shared mode of the writers' lock); SQLite has one
    writer at a time whatever the mode."""
    try:
        with engine.connect() as conn:
            conn.execution_options(progress_write="shared" if shared else "exclusive")
            with conn.begin():
                yield conn
    except DBAPIError as exc:
        raise _store_error(engine, exc) from None


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one snapshot of the store until it closes.

    On SQLite the BEGIN before the first read fixes it (WAL). PostgreSQL's default, READ
    COMMITTED, gives each statement what has committed by then, so a recompute committing
    between two SELECTs would show half of it: REPEATABLE READ takes one snapshot at the first.
    """
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            yield conn
    except DBAPIError as exc:
        raise _store_error(engine, exc) from None


def _store_error(engine: Engine, exc: DBAPIError) -> StoreError:
    """The driver's message on one line (psycopg's span several), with the URL minus its password."""
    message = "; ".join(line.strip() for line in str(exc.orig).splitlines() if line.strip())
    return StoreError(f"store {engine.url.render_as_string(hide_password=True)}: {message}")
