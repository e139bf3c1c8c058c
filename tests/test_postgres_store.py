"""A PostgreSQL URL that cannot be used is a one-line error; `db info` on a server store hides
the password (issue 9). The server-store tests skip without a PostgreSQL server (conftest)."""

from __future__ import annotations

import importlib.util
import socket

import pytest


def _one_line_error(result) -> str:
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_a_server_that_does_not_answer_is_a_one_line_error(cli):
    with socket.socket() as sock:  # a port nobody listens on (closed again before the command runs)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _one_line_error(cli("--db", f"postgresql://postgres@127.0.0.1:{port}/nothing", "learners", code=1))


@pytest.mark.skipif(importlib.util.find_spec("psycopg2") is not None, reason="psycopg2 is installed here")
def test_a_driver_that_is_not_installed_names_the_extra(cli):
    message = _one_line_error(cli("--db", "postgresql+psycopg2://postgres@127.0.0.1/x", "learners", code=1))
    assert "progress-cli[postgres]" in message


def test_a_database_that_does_not_exist_is_a_one_line_error(cli, pg_server):
    message = _one_line_error(cli("--db", pg_server.url("no_such_database"), "learners", code=1))
    assert "no_such_database" in message


def test_db_info_on_a_new_store_hides_the_password(cli, pg_url):
    with_password = pg_url.replace("postgres@", "postgres:s3cret-pw@")  # the test server trusts any password
    cli("--db", with_password, "init")
    info = cli.json("--db", with_password, "db", "info")
    assert info["backend"] == "postgresql" and "s3cret-pw" not in info["url"]
    assert isinstance(info["schema_version"], int) and info["tables"]["events"] == 0
    assert "s3cret-pw" not in cli("--db", with_password, "db", "info").stdout
