"""A read command sees one snapshot of the store, even while another process commits a
recompute between its SELECTs (issue 13). On PostgreSQL each statement at READ COMMITTED sees
what has committed by then; the read commands run in one REPEATABLE READ transaction instead.
On SQLite one BEGIN already gives a snapshot (WAL): the same test holds both.

The other process is real (`python -m progress_cli import`, which recomputes); it runs from a
SQLAlchemy event hook just before the command's SELECT on the table named below, so the
interleaving is not left to timing.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import Engine, event

from tests.conftest import write_jsonl
from tests.test_cli_achievements import CATALOG  # module m of tasks t1, t2; "done" (50 points) completes it

pytestmark = pytest.mark.both_backends


def attempt(learner: str, task: str, minute: int, score: float) -> dict:
    return {"learner_id": learner, "module_id": "m", "task_id": task, "type": "attempt",
            "timestamp": f"2026-05-04T10:{minute:02d}:00Z", "score": score}


@pytest.fixture
def half_done(cli, tmp_path):
    """ana and ben have done t1 of two tasks; `later` completes the module for ana (an unlock)."""
    (tmp_path / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    cli("init", "--catalog", tmp_path / "catalog.toml")
    cli("import", write_jsonl(tmp_path / "first.jsonl", [attempt("ana", "t1", 0, 90), attempt("ben", "t1", 1, 80)]))
    return write_jsonl(tmp_path / "later.jsonl", [attempt("ana", "t2", 5, 95)])


def import_from_another_process(path) -> None:
    done = subprocess.run([sys.executable, "-m", "progress_cli", "import", str(path)], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def before_select_from(request):
    """`before_select_from(table, action)`: run `action` once, just before the first SELECT that
    reads `table` (on any engine of this process)."""
    hooks = []

    def install(table: str, action) -> None:
        fired = []

        def hook(conn, cursor, statement, parameters, context, executemany):
            if not fired and statement.lstrip().upper().startswith("SELECT") and table in statement:
                fired.append(True)
                action()

        event.listen(Engine, "before_cursor_execute", hook)
        hooks.append(hook)

    yield install
    for hook in hooks:
        event.remove(Engine, "before_cursor_execute", hook)


def _rows(output):
    return output["rows"] if isinstance(output, dict) else output  # (leaderboard: without its as_of, now)


@pytest.mark.parametrize("command, table", [(("learners",), "learner_progress"),
                                            (("leaderboard", "--by", "points"), "achievements_earned")])
def test_a_read_command_sees_the_store_as_it_was_when_it_began(cli, half_done, before_select_from, command, table):
    before = _rows(cli.json(*command))
    before_select_from(table, lambda: import_from_another_process(half_done))
    during = _rows(cli.json(*command))  # the import committed between this command's SELECTs
    after = _rows(cli.json(*command))
    assert during == before
    assert after != before  # the import did change what the command shows


def test_the_concurrent_import_changes_progress_events_and_points(cli, half_done):
    import_from_another_process(half_done)
    rows = {r["learner_id"]: r for r in cli.json("learners")}
    assert (rows["ana"]["total_progress"], rows["ana"]["events"]) == (100.0, 2)
    assert cli.json("leaderboard", "--by", "points")["rows"][0] == {"rank": 1, "learner_id": "ana", "name": None,
                                                                   "value": 50.0}
