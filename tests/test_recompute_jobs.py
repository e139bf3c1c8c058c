"""`recompute --jobs N` and `--shard K/N` write exactly what a one-process recompute writes
(issue 14): a generated store with a catalog (target date, certification, achievements of
every kind the recompute evaluates) is recomputed one way, its derived tables read back,
cleared, and recomputed the next way, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from progress_cli.services.recompute import recompute_learners
from progress_cli.services.shards import Shard, parse_shard, shard_of
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.errors import UsageError
from progress_cli.store.engine import WRITER_LOCK
from tests.conftest import REPO, sqlalchemy_url, store_rows

pytestmark = pytest.mark.both_backends

# Day 60 of the 105 days of generated data (later events are left out): module-04 and -05 are
# under way, and with the peers of one shard only, 11 of its 16 risks would differ.
AS_OF = dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.timezone.utc)
SEED, MODULES, SKILLS = 7, 5, 8  # module-04 and -05: 8 learners each, 3 of them in shard 0 of 2
LEARNERS = 39  # of the 40 the generator draws from, those with an event
# Columns that say when the recompute ran, not what it found (the same as_of here anyway).
WHEN = {"computed_as_of", "unlocked_at"}
DERIVED = ("learner_progress", "module_progress", "skill_progress", "daily_activity", "sessions",
           "forecast_samples", "forecast_calibration", "module_risk", "peer_tasks", "achievements_earned")
KEYS = {"forecast_calibration": "scope, horizon", "peer_tasks": "module_id, task_id, learner_id",
        "achievements_earned": "learner_id, achievement_id"}


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalog_toml() -> str:
    """The generator's modules, tasks and skills (bench/gen_events.py draws them first from its
    seed), a target date on the last module, a certification, and achievements that read the
    streak, sessions, hours, completion and the weekly goal."""
    generated = _bench("gen_events")._Catalog(random.Random(SEED), MODULES, SKILLS)
    lines = ["weekly_goal_minutes = 60", "streak_min_minutes = 5", ""]
    for m, module_id in enumerate(generated.modules):
        tasks = ", ".join(f'{{ id = "{t}", skills = ["{s}"], difficulty = {d} }}' for t, s, d in generated.tasks[m])
        lines += ["[[modules]]", f'id = "{module_id}"', "pass_mark = 70"]
        if m == MODULES - 1:
            lines.append("target_date = 2026-05-31")
        lines += [f"tasks = [{tasks}]", ""]
    lines += ["[certification]", 'name = "Generated"', "min_completion = 60",
              f'module_scores = {{ "{generated.modules[0]}" = 70 }}', ""]
    for aid, kind, requirement in (("streak-3", "streak", "streak_days >= 3"),
                                   ("sessions-5", "milestone", "sessions >= 5"),
                                   ("hours-2", "milestone", "total_hours >= 2"),
                                   ("goal-weeks-2", "streak", "weekly_goal_weeks >= 2"),
                                   ("module-1-done", "completion", f"module_completion[{generated.modules[0]}] >= 100")):
        lines += ["[[achievements]]", f'id = "{aid}"', f'type = "{kind}"', f'name = "{aid}"', "points = 10",
                  f'requirement = "{requirement}"', ""]
    return "\n".join(lines)


@pytest.fixture
def generated_store(cli, tmp_path, prebuilt_store):
    """39 learners, 6,000 events over 15 weeks, in a store with the catalog; nothing recomputed."""

    def build(url=None):
        events = tmp_path / "events.jsonl"
        _bench("gen_events").generate(events, 6000, n_learners=40, n_modules=MODULES, n_skills=SKILLS, days=105,
                                      seed=SEED)
        (tmp_path / "catalog.toml").write_text(catalog_toml(), encoding="utf-8")
        db = ["--db", url] if url else []
        cli(*db, "init", "--catalog", tmp_path / "catalog.toml")
        cli(*db, "import", events, "--no-recompute", "--quiet")

    if not prebuilt_store("recompute-jobs", build):
        build()
    return os.environ["PROGRESS_DB"]


def _engine(store: str):
    return create_engine(sqlalchemy_url(store))


def clear(store: str) -> None:
    """Back to the store as imported: no derived rows, no unlocks, no outbox."""
    engine = _engine(store)
    with engine.begin() as conn:
        for table in (*DERIVED, "activity"):
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def derived_rows(store: str) -> dict[str, list[tuple]]:
    """Every derived table, rows sorted, without the columns that record when it ran; the
    outbox's unlocks and readiness changes in the order written."""
    engine = _engine(store)
    out = {}
    with engine.connect() as conn:
        for table in DERIVED:
            result = conn.execute(text(f"SELECT * FROM {table}"))
            keep = [i for i, c in enumerate(result.keys()) if c not in WHEN]
            out[table] = sorted((tuple(row[i] for i in keep) for row in result), key=repr)
        outbox = conn.execute(text("SELECT type, learner_id, payload FROM activity ORDER BY id"))
        out["activity"] = [(kind, learner, json.loads(payload)) for kind, learner, payload in outbox]
    engine.dispose()
    return out


def recompute(store: str, **how) -> list[dict]:
    engine = open_engine(store)
    try:
        done = recompute_learners(engine, None, catalog=stored_catalog(engine), tz=ZoneInfo("UTC"), as_of=AS_OF,
                                  batch_size=7, **how)
    finally:
        engine.dispose()
    return done.unlocked


def test_jobs_and_shards_write_what_one_process_writes(generated_store):
    store = generated_store
    clear(store)  # the outbox of init and import
    recompute(store, jobs=1)
    one = derived_rows(store)
    # the store exercises what is global and what is not
    assert len(one["learner_progress"]) == LEARNERS  # those the generator gave any event
    assert len({row[0] for row in one["module_risk"]}) > 10
    assert one["forecast_samples"] and one["forecast_calibration"]
    assert {row[1] for row in one["achievements_earned"]} >= {"streak-3", "sessions-5", "goal-weeks-2"}

    clear(store)
    recompute(store, jobs=2)
    two = derived_rows(store)
    assert two == one  # the outbox too: batches are written in the same order

    clear(store)
    first = recompute(store, jobs=2, shard=Shard(0, 2))
    after_first = derived_rows(store)
    second = recompute(store, jobs=1, shard=Shard(1, 2))
    sharded = derived_rows(store)
    for table in DERIVED:
        assert sharded[table] == one[table], table
    changes = [row for row in sharded["activity"] if row[0] != "recompute"]
    assert sorted(changes, key=repr) == sorted((row for row in one["activity"] if row[0] != "recompute"), key=repr)
    counts = [row[2]["learners"] for row in sharded["activity"] if row[0] == "recompute"]
    assert len(counts) == 2 and sum(counts) == LEARNERS and 0 < counts[0] < LEARNERS

    # the first shard wrote its own learners only, with the risks of every peer
    mine = {lid for (lid, *_rest) in one["learner_progress"] if shard_of(lid, 2) == 0}
    assert {row[0] for row in after_first["learner_progress"]} == mine
    assert sorted(r for r in after_first["module_risk"] if r[0] in mine) == sorted(
        r for r in one["module_risk"] if r[0] in mine)
    assert {u["learner_id"] for u in first} <= mine and {u["learner_id"] for u in second}.isdisjoint(mine)


# --------------------------------------------------------------------------- the CLI

from tests.test_cli_progress import sample_store  # noqa: E402,F401  (a fixture: the sample catalog and events)

SAMPLE_LEARNERS = 12


def test_shards_through_the_cli_split_the_learners(cli, sql, sample_store):  # noqa: F811
    ids = [lid for (lid,) in sql("SELECT learner_id FROM learners")]
    assert len(ids) == SAMPLE_LEARNERS
    # shard of an id: the first 8 bytes of its SHA-256, big-endian, mod N
    expected = [sum(int.from_bytes(hashlib.sha256(i.encode()).digest()[:8], "big") % 2 == k for i in ids)
                for k in (0, 1)]
    done = [cli.json("recompute", "--shard", f"{k}/2", "--jobs", "2")["learners_recomputed"] for k in (0, 1)]
    assert done == expected and sum(done) == SAMPLE_LEARNERS
    assert cli.json("recompute", "--jobs", "1")["learners_recomputed"] == SAMPLE_LEARNERS
    assert cli("recompute").stdout == f"Recomputed {SAMPLE_LEARNERS} learner(s).\n"


@pytest.mark.sqlite_only
def test_a_learner_belongs_to_the_shard_of_the_first_8_bytes_of_its_sha256():
    # sha256("bob") begins 81b637d8fcd2c6da (even), sha256("alice") 2bd806c97f0e00af (odd)
    assert shard_of("bob", 2) == 0 and shard_of("alice", 2) == 1
    assert shard_of("Zoë", 3) == 0xc6a12698582fc110 % 3 == 2  # the UTF-8 bytes of the id
    assert Shard(1, 2).takes("alice") and not Shard(1, 2).takes("bob")
    assert parse_shard("1/3") == Shard(1, 3) and parse_shard("0/1") == Shard(0, 1)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("bad", ["3/2", "2/2", "x/2", "0/0", "1", "1/2/3", "-1/2", "", "½/2"])
def test_a_bad_shard_is_a_usage_error_in_one_line(cli, bad):
    with pytest.raises(UsageError):
        parse_shard(bad)
    result = cli("recompute", f"--shard={bad}", code=2)
    assert result.stderr.startswith("Error: --shard: ") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.sqlite_only
def test_shard_and_learner_together_or_no_jobs_are_usage_errors(cli, sample_store):  # noqa: F811
    result = cli("recompute", "--shard", "0/2", "--learner", "bob", code=2)
    assert result.stderr == "Error: --shard splits a recompute of every learner; it cannot be combined with --learner\n"
    cli("recompute", "--jobs", "0", code=2)


@pytest.mark.parametrize("command", [("learners",), ("leaderboard",), ("leaderboard", "--by", "progress"),
                                     ("leaderboard", "--by", "streak", "--period", "week")])
def test_as_of_reads_in_batches_give_what_one_frame_gives(cli, sample_store, monkeypatch, command):  # noqa: F811
    """`learners --as-of` and `leaderboard --as-of` read the events a batch of learners at a
    time, as recompute does: batches of 5 of the 12 sample learners give the same answer."""
    whole = [cli.json(*command, "--as-of", day) for day in ("2026-10-15", "2026-11-27")]
    monkeypatch.setattr("progress_cli.services.recompute.BATCH_LEARNERS", 5)
    assert [cli.json(*command, "--as-of", day) for day in ("2026-10-15", "2026-11-27")] == whole
    rows = whole[1] if command == ("learners",) else whole[1]["rows"]
    assert len(rows) >= 5


@pytest.mark.sqlite_only
def test_ctrl_c_during_a_parallel_recompute_rolls_it_all_back(cli, db, tmp_path):
    """Ctrl-C reaches the whole foreground process group, workers too: the recompute exits 130
    with its one line, writes nothing, and leaves no worker behind."""
    events = tmp_path / "events.jsonl"
    _bench("gen_events").generate(events, 40_000, n_learners=1500, seed=3)
    cli("import", events, "--no-recompute", "--quiet")
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "progress_cli", "recompute", "--jobs", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers = _children_once_forked(process.pid)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the parent and its workers
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # leave nothing behind, then fail
        process.communicate()
        raise AssertionError("the recompute did not end after Ctrl-C") from None
    assert (process.returncode, stdout, stderr) == (130, "", "Interrupted; any unfinished write was rolled back.\n")
    assert all(not os.path.exists(f"/proc/{pid}") for pid in workers)
    assert store_rows(str(db), "SELECT count(*) FROM learner_progress") == [(0,)]
    assert store_rows(str(db), "SELECT count(*) FROM activity WHERE type = 'recompute'") == [(0,)]


def _children_once_forked(pid: int, timeout: float = 60) -> list[int]:
    """The child processes of `pid` (Linux /proc), as soon as there are two."""
    path = f"/proc/{pid}/task/{pid}/children"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = [int(c) for c in open(path).read().split()]
        except FileNotFoundError:
            children = []
        if len(children) >= 2:
            return children
        time.sleep(0.005)
    raise AssertionError("the recompute never started its workers")


def test_on_postgresql_a_shard_writes_its_learners_while_another_shard_runs(backend, sql, sample_store):  # noqa: F811
    """Shards on several machines overlap: a shard writes its learners under the shared mode
    of the writers' lock, then waits for a moment alone (no shard writing) for the outbox and
    the calibration. Here this test holds the shared lock, as another shard would."""
    if backend != "postgresql":
        pytest.skip("the writers' lock has a shared mode on PostgreSQL; SQLite has one writer at a time")
    store = os.environ["PROGRESS_DB"]
    mine = sorted(lid for (lid,) in sql("SELECT learner_id FROM learners") if shard_of(lid, 2) == 0)
    runs = "SELECT count(*) FROM activity WHERE type = 'recompute'"
    (before,), = sql(runs)
    engine = _engine(store)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM learner_progress"))
    held = engine.connect()
    held.execute(text(f"SELECT pg_advisory_lock_shared({WRITER_LOCK})"))
    process = subprocess.Popen([sys.executable, "-m", "progress_cli", "recompute", "--shard", "0/2", "--jobs", "1"],
                               env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while sql("SELECT learner_id FROM learner_progress ORDER BY learner_id") != [(lid,) for lid in mine]:
            assert time.monotonic() < deadline, "the shard's learners never appeared while another shard ran"
            assert process.poll() is None, "the shard ended before its learners were written"
            time.sleep(0.05)
        time.sleep(0.2)
        assert process.poll() is None and sql(runs) == [(before,)]  # its learners committed; now waiting
    finally:
        held.execute(text(f"SELECT pg_advisory_unlock_shared({WRITER_LOCK})"))
        held.close()
        engine.dispose()
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert (process.returncode, stderr) == (0, "") and stdout == f"Recomputed {len(mine)} learner(s).\n"
    assert sql(runs) == [(before + 1,)]
