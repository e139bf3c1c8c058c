"""`progress watch`: the activity outbox followed from another process."""

import json
import os
import subprocess
import sys
import time

from tests.conftest import SAMPLE, write_jsonl


def run(env, *args, check=True):
    return subprocess.run([sys.executable, "-m", "progress_cli", *args], env=env, capture_output=True, text=True,
                          check=check)


def read_until(proc, kind, timeout=20.0):
    """Read JSON lines from a running watcher until one of type `kind` (or `timeout` seconds)."""
    os.set_blocking(proc.stdout.fileno(), False)
    lines, buffer, deadline = [], "", time.monotonic() + timeout
    while not any(line["type"] == kind for line in lines) and time.monotonic() < deadline:
        chunk = proc.stdout.read()
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
