"""A PostgreSQL URL that cannot be used is a one-line error; `db info` on a server store hides
the password (issue 9). The server-store tests skip without a PostgreSQL server (conftest)."""

from __future__ import annotations

import importlib.util
import socket

import pytest

from tests.conftest import write_jsonl


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


def test_ids_sort_by_code_point_whatever_the_database_collation(cli, pg_server, tmp_path):
    """A database made with a linguistic collation (ICU en-US: 'a' < 'B', 'ab' < 'a-c') still
    lists learners in the order SQLite and Python give."""
    url = pg_server.url("t_icu_en_us")
    pg_server._admin.execute("CREATE DATABASE t_icu_en_us LOCALE_PROVIDER icu ICU_LOCALE 'en-US' "
                             "LOCALE 'C.UTF-8' TEMPLATE template0")
    try:
        ids = ["ab", "a-c", "B", "a"]
        rows = [{"event_id": f"{i}-1", "learner_id": i, "module_id": "m", "type": "attempt",
                 "timestamp": "2026-05-01T10:00:00Z", "score": 70} for i in ids]
        write_jsonl(tmp_path / "ids.jsonl", rows)
        cli("--db", url, "--quiet", "import", tmp_path / "ids.jsonl")
        listed = [r["learner_id"] for r in cli.json("--db", url, "learners")]
        assert listed == sorted(ids) == ["B", "a", "a-c", "ab"]
    finally:
        pg_server.drop_database(url)
