"""Every command explains itself; init and learners; the installed entry point end to end."""

import json
import os
import subprocess
import sys

import pytest
import typer
from sqlalchemy import create_engine, inspect

from progress_cli.cli import app
from tests.conftest import SAMPLE, sqlalchemy_url


def _commands(group, prefix=()):
    for name, command in typer.main.get_command(group).commands.items() if prefix == () else group.commands.items():
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from _commands(command, path)


@pytest.mark.parametrize("path", [p for p, _ in _commands(app)], ids=" ".join)
def test_every_command_has_help_text(cli, path):
    result = cli(*path, "--help")
    assert "Usage:" in result.stdout
    command = dict(_commands(app))[path]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


@pytest.mark.both_backends
def test_init_reports_catalog_and_is_rerunnable(cli):
    first = cli.json("init", "--catalog", SAMPLE / "catalog.toml")
    assert first["catalog"]["modules"] == 5 and first["schema_version"] >= 1
    cli("init", "--catalog", SAMPLE / "catalog.toml")  # replacing the catalog is fine


@pytest.mark.both_backends
def test_init_with_a_bad_catalog_changes_nothing(cli, tmp_path, db, backend):
    bad = tmp_path / "c.toml"
    bad.write_text('[[modules]]\nid = "m"\ncolour = "red"\n', encoding="utf-8")
    result = cli("init", "--catalog", bad, code=1)
    assert result.stderr == f"Error: {bad}: modules[0].colour: unknown key\n"
    if backend == "sqlite":
        assert not db.exists()
    else:
        engine = create_engine(sqlalchemy_url(os.environ["PROGRESS_DB"]))
        assert inspect(engine).get_table_names() == []  # not even migrated
        engine.dispose()


@pytest.mark.both_backends
def test_learners_json_shape_and_unicode_names(cli):
    cli("import", SAMPLE / "events.jsonl")
    rows = cli.json("learners")
    assert [r["learner_id"] for r in rows] == sorted(r["learner_id"] for r in rows)
    by_id = {r["learner_id"]: r for r in rows}
    assert by_id["zoe"]["name"] == "Zoë Ñúñez-Ølsen" and by_id["dmitry"]["name"] == "Дмитрий Иванов"
    assert set(by_id["zoe"]) >= {"learner_id", "name", "total_progress", "streak_days", "last_activity", "readiness"}
    assert by_id["zoe"]["last_activity"].endswith("+00:00")


def test_bad_tz_and_as_of_are_one_line_errors(cli):
    assert cli("--tz", "Mars/Base", "learners", code=1).stderr.startswith("Error: --tz/PROGRESS_TZ: unknown time zone")
    assert cli("learners", "--as-of", "tomorrow", code=1).stderr.startswith("Error: --as-of")


def test_quick_start_as_a_subprocess(tmp_path):
    # SQLite only: tests/test_postgres_concurrency.py runs `progress` processes on PostgreSQL
    env = {**os.environ, "PROGRESS_DB": str(tmp_path / "e2e.db"), "PROGRESS_TZ": "UTC"}
    run = [sys.executable, "-m", "progress_cli"]
    subprocess.run([*run, "init", "--catalog", str(SAMPLE / "catalog.toml")], env=env, check=True,
                   capture_output=True)
    done = subprocess.run([*run, "import", str(SAMPLE / "events.jsonl"), "--json"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["rejected"] == 0
    listed = subprocess.run([*run, "learners"], env=env, capture_output=True, text=True, check=True)
    assert "Дмитрий" in listed.stdout and "zoe" in listed.stdout
    assert "\x1b[" not in listed.stdout  # no colour codes when not on a terminal
