"""What a server makes normal, as real processes on a real PostgreSQL (issue 9): imports at
once, on different files and on the same file; two `cert issue --all-eligible` runs; a
report reading while an import writes; two processes creating the schema of an empty database.

Every `progress` here is a child process (`python -m progress_cli`) on its own connection;
counts are read back through SQLAlchemy. Skipped without a PostgreSQL server (conftest).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from progress_cli.services.certs import keys_dir
from progress_cli.store.migrations import MIGRATIONS
from tests.conftest import REPO, SAMPLE, store_rows
from tests.test_certs_eligibility import ELIGIBLE, build_store

PROGRESS = [sys.executable, "-m", "progress_cli"]
SUMMARY = re.compile(r"^issued (\d+), already valid (\d+), not eligible (\d+)")


def _generator():
    spec = importlib.util.spec_from_file_location("gen_events", REPO / "bench" / "gen_events.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


@pytest.fixture(scope="module")
def event_files(pg_server, tmp_path_factory) -> dict[str, Path]:
    """Generated exports (bench/gen_events.py): small ones whose learners overlap (200 learners,
    different seeds, so different event ids) and a big one for a long-running import."""
    folder = tmp_path_factory.mktemp("generated")
    generate = _generator()
    files = {}
    for name, events, learners, seed in (("a", 2000, 200, 1), ("b", 2000, 200, 2),
                                         ("big", 60_000, 10_000, 3)):
        files[name] = folder / f"{name}.jsonl"
        generate(files[name], events, n_learners=learners, seed=seed)
    return files


@pytest.fixture
def env(pg_url, tmp_path, monkeypatch) -> dict[str, str]:
    """The environment of the child processes (and of this one): the test's fresh database."""
    monkeypatch.setenv("PROGRESS_DB", pg_url)
    monkeypatch.setenv("PROGRESS_DATA_DIR", str(tmp_path / "data"))  # where a URL store's keys live
    monkeypatch.setenv("NO_COLOR", "1")
    return dict(os.environ)


def start(env: dict[str, str], *args) -> subprocess.Popen:
    return subprocess.Popen([*PROGRESS, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()  # a hung child must not outlive the test
        process.communicate()
        raise
    return process.returncode, stdout, stderr


def run(env: dict[str, str], *args) -> str:
    code, stdout, stderr = finish(start(env, *args))
    assert code == 0, (args, code, stderr)
    return stdout


def lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def count(url: str, table: str) -> int:
    return store_rows(url, f"select count(*) from {table}")[0][0]


def test_two_processes_create_the_schema_of_an_empty_database_once(env, pg_url):
    results = [finish(p) for p in [start(env, "init", "--catalog", SAMPLE / "catalog.toml") for _ in range(2)]]
    assert [code for code, _, _ in results] == [0, 0], results
    versions = [v for (v,) in store_rows(pg_url, "select version from schema_migrations order by version")]
    assert versions == sorted(version for version, _, _ in MIGRATIONS)
    assert count(pg_url, "modules") == 5


def test_two_imports_of_different_files_at_once_both_land_fully(env, pg_url, event_files):
    # on an empty database: both also create the schema (see the test above)
    a, b = event_files["a"], event_files["b"]
    results = [finish(p) for p in [start(env, "import", path, "--json") for path in (a, b)]]
    assert [code for code, _, _ in results] == [0, 0], results
    reports = [json.loads(stdout)["files"][0] for _, stdout, _ in results]
    assert [(r["inserted"], r["duplicates"], r["rejected"]) for r in reports] == [(lines(a), 0, 0), (lines(b), 0, 0)]
    assert count(pg_url, "events") == lines(a) + lines(b)
    assert count(pg_url, "imports") == 2
    # both touched the same learners; every learner has its derived row once
    learners = count(pg_url, "learners")
    assert count(pg_url, "learner_progress") == learners
    assert store_rows(pg_url, "select count(distinct learner_id) from events")[0][0] == learners


def test_two_imports_of_the_same_file_at_once_add_each_event_once(env, pg_url, event_files):
    path, n = event_files["a"], lines(event_files["a"])
    results = [finish(p) for p in [start(env, "import", path, "--json") for _ in range(2)]]
    assert [code for code, _, _ in results] == [0, 0], results
    reports = [json.loads(stdout)["files"][0] for _, stdout, _ in results]
    assert all(r["read"] == r["inserted"] + r["duplicates"] == n and r["rejected"] == 0 for r in reports), reports
    assert sum(r["inserted"] for r in reports) == n and sum(r["duplicates"] for r in reports) == n
    assert count(pg_url, "events") == n
    assert store_rows(pg_url, "select count(distinct event_id) from events")[0][0] == n


def _counts(line: str) -> tuple[int, int, int]:
    found = SUMMARY.match(line)
    assert found, line
    return tuple(int(n) for n in found.groups())


def test_two_cert_runs_at_once_certify_each_learner_exactly_once(env, pg_url, tmp_path):
    build_store(tmp_path / "handmade", db=pg_url)  # no signing key yet: both also race to create it
    out = tmp_path / "certs"
    results = [finish(p) for p in [start(env, "cert", "issue", "--all-eligible", "--out", out) for _ in range(2)]]
    assert [code for code, _, _ in results] == [0, 0], results
    counts = [_counts(stdout) for _, stdout, _ in results]
    assert sum(c[0] for c in counts) == 3 and sum(c[1] for c in counts) == 3, counts
    rows = store_rows(pg_url, "select learner_id, issue_slot from certificates order by learner_id")
    assert sorted(r[0] for r in rows) == sorted(ELIGIBLE) and {r[1] for r in rows} == {1}
    assert len(list(out.glob("*.pdf"))) == 3 and len(list(out.glob("*.jwt"))) == 3
    assert count(pg_url, "signing_keys") == 1
    assert len(list(keys_dir(pg_url).glob("*.pem"))) == 1
    assert _counts(run(env, "cert", "issue", "--all-eligible", "--out", out)) == (0, 3, 3)


def _writing(url: str) -> bool:
    """Another session of the database holds a transaction that has written something."""
    return store_rows(url, "select count(*) from pg_stat_activity where datname = current_database() "
                      "and backend_xid is not null and pid <> pg_backend_pid()")[0][0] > 0


def test_reports_read_while_an_import_writes(env, pg_url, event_files):
    run(env, "import", event_files["a"])  # something to report on (the import creates the store)
    before = {json.loads(line)["learner_id"] for line in event_files["a"].open(encoding="utf-8")}
    some_learner = min(before)
    importer = start(env, "import", event_files["big"], "--json")
    try:
        deadline = time.monotonic() + 120
        while not _writing(pg_url):  # the import is inside its write transaction
            assert importer.poll() is None, finish(importer)
            assert time.monotonic() < deadline, "the import never opened a write transaction"
            time.sleep(0.02)
        readers = [start(env, "learners", "--json"),
                   start(env, "report", "--week", "2026-W10", "--learner", some_learner, "--format", "json")]
        results = [finish(reader, timeout=120) for reader in readers]
        import_still_running = importer.poll() is None
    finally:
        code, stdout, stderr = finish(importer)
    assert [c for c, _, _ in results] == [0, 0], results
    assert import_still_running, "the import finished before the readers did (a reader waited, or make it bigger)"
    assert before <= {r["learner_id"] for r in json.loads(results[0][1])}
    assert json.loads(results[1][1])  # the learner's week, as JSON
    assert code == 0, stderr
    assert json.loads(stdout)["files"][0]["inserted"] == lines(event_files["big"])
