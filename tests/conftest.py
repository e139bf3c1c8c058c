"""Shared fixtures: every test gets its own store, never the user's.

Backends: a test (or a module, with `pytestmark`) marked `both_backends` runs twice, with ids
`[sqlite]` and `[postgresql]` (`sqlite_only` opts a test of such a module out): the autouse `_isolated_store` points PROGRESS_DB at a fresh
SQLite file, or at a fresh database on a throwaway PostgreSQL server started once per session
(`tests/pg_server.py`). Without the server binaries or psycopg the PostgreSQL runs skip with
the reason. Tests that look inside the store use `sql(...)`, which works on both.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from progress_cli.cli import app
from tests.pg_server import PgServer, PgUnavailable

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_backends: run on SQLite and on a throwaway PostgreSQL server")
    config.addinivalue_line("markers", "sqlite_only: opt one test out of its module's both_backends mark")


def pytest_generate_tests(metafunc):
    marked = metafunc.definition.get_closest_marker
    if "backend" in metafunc.fixturenames and marked("both_backends") and not marked("sqlite_only"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """"sqlite", or "postgresql" for the second run of a test marked both_backends."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server for the session (skips the test when there is none)."""
    server = PgServer()
    try:
        server.start()
    except PgUnavailable as exc:
        pytest.skip(f"PostgreSQL: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty database on the session's server, dropped after the test."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(scope="session")
def _pg_templates() -> dict[str, str]:
    return {}  # name -> URL of a database built once, then copied by prebuilt_store


@pytest.fixture
def prebuilt_store(request, backend, monkeypatch):
    """`prebuilt_store(name, build)`: on a PostgreSQL run, point PROGRESS_DB at a copy of a
    database that `build(url)` filled once per session (CREATE DATABASE ... TEMPLATE: tens of
    ms instead of seconds of init and import) and return True. On SQLite return False: the
    caller builds the store as before."""

    def use(name: str, build) -> bool:
        if backend != "postgresql":
            return False
        server = request.getfixturevalue("pg_server")
        templates = request.getfixturevalue("_pg_templates")
        if name not in templates:
            url = server.create_database()
            build(url)
            server.disconnect(url)  # a template must have no open session
            templates[name] = url
        copy = server.create_database(template=templates[name])
        request.addfinalizer(lambda: server.drop_database(copy))
        monkeypatch.setenv("PROGRESS_DB", copy)
        return True

    return use


@pytest.fixture(autouse=True)
def _isolated_store(request, backend, tmp_path, monkeypatch):
    if backend == "postgresql":
        monkeypatch.setenv("PROGRESS_DB", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "store.db"))
    # the user data dir (where a URL store keeps its signing keys), and the platform folders
    # behind it, so that no test reads or writes the real home
    monkeypatch.setenv("PROGRESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PROGRESS_TZ", "UTC")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def db(tmp_path) -> Path:
    """The SQLite store's path (on PostgreSQL runs nothing is written there)."""
    return tmp_path / "store.db"


def sqlalchemy_url(store: str) -> str:
    """A SQLAlchemy URL for a PROGRESS_DB value: a path is a SQLite file, postgresql:// is psycopg 3."""
    if store.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + store.split("://", 1)[1]
    return store if "://" in store else f"sqlite:///{Path(store).resolve()}"


def store_rows(store: str, statement: str, **params) -> list[tuple]:
    """Rows of one SQL statement on a store (path or URL), through SQLAlchemy, as plain tuples."""
    engine = create_engine(sqlalchemy_url(store))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(statement), params)]
    finally:
        engine.dispose()


@pytest.fixture
def sql():
    """`sql("select ...", name=value)`: rows from the test's store (PROGRESS_DB), either backend."""
    return lambda statement, **params: store_rows(os.environ["PROGRESS_DB"], statement, **params)


class Cli:
    """Runs `progress ...` in-process and parses --json output."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0):
        result = self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (result.exit_code, result.output)
        return result

    def json(self, *args: str, code: int | None = 0):
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path
