"""`progress watch`: the activity outbox followed from another process."""

import codecs
import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import SAMPLE, write_jsonl


def run(env, *args, check=True):
    return subprocess.run([sys.executable, "-m", "progress_cli", *args], env=env, capture_output=True, text=True,
                          check=check)


def read_until(proc, kind, timeout=20.0):
    """Read JSON lines from a running watcher until one of type `kind` (or `timeout` seconds)."""
    # the file descriptor, not the text stream: a text stream read with nothing yet to read
    # raises TypeError instead of returning nothing
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, buffer, deadline = [], "", time.monotonic() + timeout
    while not any(line["type"] == kind for line in lines) and time.monotonic() < deadline:
        try:
            chunk = decoder.decode(os.read(fd, 65536))
        except BlockingIOError:
            chunk = ""
        if chunk:
            buffer += chunk
            *done, buffer = buffer.split("\n")
            lines += [json.loads(line) for line in done if line]
        else:
            time.sleep(0.05)
    return lines


def test_watch_json_sees_commits_from_another_process_and_never_a_rollback(tmp_path):
    env = {**os.environ, "PROGRESS_DB": str(tmp_path / "w.db"), "PROGRESS_TZ": "UTC"}
    run(env, "init", "--catalog", str(SAMPLE / "catalog.toml"))
    watcher = subprocess.Popen([sys.executable, "-m", "progress_cli", "watch", "--json", "--interval", "0.1"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # let it start and take the current position
        bad = write_jsonl(tmp_path / "bad.jsonl", [
            {"learner_id": "ana", "module_id": "safety", "type": "attempt", "timestamp": "2026-03-02T09:00:00Z",
             "score": 80},
            {"learner_id": "ana", "module_id": "safety", "type": "attempt", "timestamp": "2026-03-02T09:05:00Z",
             "score": "?"}])
        assert run(env, "import", str(bad), "--strict", check=False).returncode == 3  # rolled back
        good = write_jsonl(tmp_path / "good.jsonl", [
            {"learner_id": "ana", "module_id": "safety", "type": "attempt", "timestamp": "2026-03-02T09:00:00Z",
             "score": 80}])
        run(env, "import", str(good))
        lines = read_until(watcher, "recompute")
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    # import's transaction, then recompute's: its unlocks, readiness changes and summary, in order
    assert lines[0]["type"] == "import" and lines[-1]["type"] == "recompute"
    assert lines[0]["path"] == str(good) and lines[0]["inserted"] == 1  # the rolled-back import never shows
    assert {"learner_id": "ana", "module_id": "safety", "from": None, "to": "PROFICIENT"}.items() <= next(
        line for line in lines if line["type"] == "readiness_changed").items()
    assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)
    assert all(set(line) >= {"id", "type", "learner_id", "at"} for line in lines)


def test_since_resumes_exactly(cli, tmp_path):
    cli("init", "--catalog", SAMPLE / "catalog.toml")
    cli("import", SAMPLE / "events.jsonl")
    everything = [json.loads(line) for line in cli("watch", "--json", "--since", "0", "--once").stdout.splitlines()]
    ids = [row["id"] for row in everything]
    assert ids == sorted(ids) and len(ids) > 3
    kinds = {row["type"] for row in everything}
    assert {"import", "recompute", "achievement_unlocked"} <= kinds
    middle = ids[len(ids) // 2]
    rest = [json.loads(line)["id"] for line in cli("watch", "--json", "--since", middle, "--once").stdout.splitlines()]
    assert rest == [i for i in ids if i > middle]
    only_zoe = [json.loads(line) for line in cli("watch", "zoe", "--json", "--since", "0", "--once").stdout.splitlines()]
    assert only_zoe and {row["learner_id"] for row in only_zoe} == {"zoe"}


class _Slept(Exception):
    pass


def test_batches_yields_each_polls_new_rows_and_waits_only_when_there_are_none(cli, tmp_path):
    from progress_cli.services.store_access import open_engine
    from progress_cli.services.watch import batches, start_id

    cli("init", "--catalog", SAMPLE / "catalog.toml")
    engine = open_engine(os.environ["PROGRESS_DB"])
    slept: list[float] = []
    try:
        after_init = start_id(engine, None)
        first = write_jsonl(tmp_path / "a.jsonl", [
            {"learner_id": "ana", "module_id": "safety", "type": "attempt", "timestamp": "2026-03-02T09:00:00Z",
             "score": 80}])
        cli("import", first)

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            raise _Slept

        changes = batches(engine, after_init, learner_id=None, interval=0.25, once=False, sleep=sleep)
        batch = next(changes)
        assert [row["type"] for row in batch][0] == "import" and batch[-1]["type"] == "recompute"
        assert slept == []  # rows came at once: no wait before them
        second = write_jsonl(tmp_path / "b.jsonl", [
            {"learner_id": "ana", "module_id": "safety", "type": "attempt", "timestamp": "2026-03-03T09:00:00Z",
             "score": 90}])
        cli("import", second)
        later = next(changes)
        assert later[0]["path"] == str(second) and later[0]["id"] > batch[-1]["id"]
        assert slept == []
        with pytest.raises(_Slept):  # nothing new: the next poll waits the interval
            next(changes)
        assert slept == [0.25]
        assert list(batches(engine, later[-1]["id"], learner_id=None, interval=0.25, once=True,
                            sleep=slept.append)) == []
        assert slept == [0.25]
    finally:
        engine.dispose()


def test_live_view_draws_the_dashboard_and_the_feed_from_plain_data():
    from zoneinfo import ZoneInfo

    from rich.console import Console

    from progress_cli.render.watch import watch_view

    learners = [{"learner_id": "zoe", "name": "Zoë Ñúñez-Ølsen", "total_progress": 87.5, "streak_days": 3,
                 "last_activity": "2026-11-27T07:33:00+00:00", "readiness": {"safety": "ADVANCED"}, "events": 12}]
    feed = [{"id": 7, "type": "achievement_unlocked", "learner_id": "zoe", "name": "7-Day Streak",
             "at": "2026-11-27T07:34:05Z"}]
    console = Console(record=True, width=100, color_system=None)
    console.print(watch_view({"learners": learners}, feed, ZoneInfo("Europe/Berlin")))
    text = console.export_text()
    assert "Zoë Ñúñez-Ølsen" in text and "88%" in text and "2026-11-27 08:33" in text
    assert "#7 07:34:05  🏆 zoe unlocked 7-Day Streak" in text
    console = Console(record=True, width=100, color_system=None)
    console.print(watch_view({"learners": []}, [], ZoneInfo("UTC")))
    assert "waiting for changes…" in console.export_text()
