"""Achievements end to end: unlocked on import at the satisfying event's time, once, and ranked."""

import json
import os

import pytest

from tests.conftest import store_rows, write_jsonl

pytestmark = pytest.mark.both_backends

CATALOG = """
weekly_goal_minutes = 60

[[modules]]
id = "m"
tasks = ["t1", "t2"]

[[achievements]]
id = "streak-3"
type = "streak"
name = "3-Day Streak"
icon = "🔥"
points = 30
requirement = "streak_days >= 3"

[[achievements]]
id = "done"
type = "completion"
name = "Module Done"
points = 50
requirement = "module_completion[m] >= 100"
"""


def attempt(learner, day, task, score, hour=9):
    return {"learner_id": learner, "module_id": "m", "task_id": task, "type": "attempt",
            "timestamp": f"2026-03-{day:02d}T{hour:02d}:00:00Z", "score": score}


def setup(cli, tmp_path):
    catalog = tmp_path / "c.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    cli("init", "--catalog", catalog)


def unlocks(db):
    """The stored unlocks of the test's store (PROGRESS_DB: the SQLite file `db`, or a PostgreSQL URL)."""
    return store_rows(os.environ["PROGRESS_DB"], "select learner_id, achievement_id, earned_at, points "
                      "from achievements_earned order by learner_id, achievement_id")


def test_unlock_is_stored_once_at_the_satisfying_event(cli, db, tmp_path):
    setup(cli, tmp_path)
    path = write_jsonl(tmp_path / "a.jsonl", [attempt("ana", 2, "t1", 40), attempt("ana", 3, "t1", 80, hour=10),
                                              attempt("ana", 4, "t2", 90, hour=11), attempt("ana", 5, "t2", 95)])
    out = cli.json("import", path)
    # day 2, 3, 4 active -> the streak reaches 3 with the first event of 4 March (11:00), which
    # also completes t2 (t1 was completed on the 3rd by the 80 >= pass mark 70).
    assert [(u["achievement_id"], u["earned_at"]) for u in out["achievements_unlocked"]] == [
        ("done", "2026-03-04T11:00:00.000000+00:00"), ("streak-3", "2026-03-04T11:00:00.000000+00:00")]
    assert unlocks(db) == [("ana", "done", "2026-03-04T11:00:00.000000Z", 50),
                           ("ana", "streak-3", "2026-03-04T11:00:00.000000Z", 30)]
    result = cli("import", path)
    assert "unlocked" not in result.stdout  # nothing new the second time
    cli("recompute")
    assert len(unlocks(db)) == 2


def test_import_prints_unlocks(cli, tmp_path):
    setup(cli, tmp_path)
    path = write_jsonl(tmp_path / "a.jsonl", [attempt("ana", d, "t1", 80) for d in (2, 3, 4)])
    assert "🏆 ana unlocked 3-Day Streak" in cli("import", path).stdout


def test_older_events_can_earn_an_achievement_in_the_past(cli, db, tmp_path):
    setup(cli, tmp_path)
    cli("import", write_jsonl(tmp_path / "late.jsonl", [attempt("bo", 20, "t1", 80)]))
    assert unlocks(db) == []
    out = cli.json("import", write_jsonl(tmp_path / "early.jsonl", [attempt("bo", d, "t1", 60) for d in (1, 2, 3)]))
    assert [(u["achievement_id"], u["earned_at"]) for u in out["achievements_unlocked"]] == [
        ("streak-3", "2026-03-03T09:00:00.000000+00:00")]


def test_an_unlock_is_never_taken_away(cli, db, tmp_path):
    setup(cli, tmp_path)
    cli("import", write_jsonl(tmp_path / "a.jsonl", [attempt("cy", d, "t1", 80) for d in (2, 3, 4)]))
    changed = tmp_path / "c2.toml"
    changed.write_text(CATALOG.replace("streak_days >= 3", "streak_days >= 30"), encoding="utf-8")
    cli("init", "--catalog", changed)  # the bar is raised and everyone recomputed
    assert ("cy", "streak-3", "2026-03-04T09:00:00.000000Z", 30) in unlocks(db)


def test_points_are_those_stored_when_the_achievement_was_earned(cli, db, tmp_path):
    setup(cli, tmp_path)
    cli("import", write_jsonl(tmp_path / "a.jsonl", [attempt("cy", d, "t1", 80) for d in (2, 3, 4)]))
    richer = tmp_path / "c2.toml"
    richer.write_text(CATALOG.replace("points = 30", "points = 300"), encoding="utf-8")
    cli("init", "--catalog", richer)  # the streak is worth ten times more from now on
    cli("import", write_jsonl(tmp_path / "b.jsonl", [attempt("dee", d, "t1", 80) for d in (2, 3, 4)]))
    assert [(u[0], u[1], u[3]) for u in unlocks(db)] == [("cy", "streak-3", 30), ("dee", "streak-3", 300)]
    board = cli.json("leaderboard", "--as-of", "2026-03-31")["rows"]
    assert [(r["rank"], r["learner_id"], r["value"]) for r in board] == [(1, "dee", 300.0), (2, "cy", 30.0)]
    month = cli.json("leaderboard", "--period", "month", "--as-of", "2026-03-31")["rows"]
    assert [(r["learner_id"], r["value"]) for r in month] == [("dee", 300.0), ("cy", 30.0)]
    mine = cli.json("achievements", "cy", "--as-of", "2026-03-31")
    assert (mine["points"], [a["points"] for a in mine["earned"]]) == (30, [30])


def test_achievements_command_lists_earned_and_in_progress(cli, tmp_path):
    setup(cli, tmp_path)
    cli("import", write_jsonl(tmp_path / "a.jsonl", [attempt("di", d, "t1", 80) for d in (2, 3, 4)]))
    out = cli.json("achievements", "di", "--as-of", "2026-03-04")
    assert [a["id"] for a in out["earned"]] == ["streak-3"] and out["points"] == 30
    (locked,) = out["in_progress"]
    # one of two tasks done: module_completion 50 of 100
    assert (locked["id"], locked["current"], locked["required"], locked["progress"]) == ("done", [50.0], [100.0], 0.5)
    assert "3-Day Streak" in cli("achievements", "di", "--as-of", "2026-03-04").stdout


def test_leaderboard_ties_share_a_rank_and_list_by_id(cli, tmp_path):
    setup(cli, tmp_path)
    rows = [attempt(who, d, "t1", 80) for who in ("zed", "amy", "kim") for d in (2, 3, 4)]
    rows += [attempt("amy", 5, "t2", 90), attempt("lou", 6, "t1", 50)]
    cli("import", write_jsonl(tmp_path / "a.jsonl", rows))
    board = cli.json("leaderboard", "--as-of", "2026-03-31")["rows"]
    # amy 30 + 50 = 80; kim and zed 30 each (tied, by id); lou 0
    assert [(r["rank"], r["learner_id"], r["value"]) for r in board] == [
        (1, "amy", 80.0), (2, "kim", 30.0), (2, "zed", 30.0), (4, "lou", 0.0)]
    by_progress = cli.json("leaderboard", "--by", "progress", "--as-of", "2026-03-31")["rows"]
    assert [(r["rank"], r["learner_id"]) for r in by_progress] == [(1, "amy"), (2, "kim"), (2, "zed"), (4, "lou")]
    week = cli.json("leaderboard", "--period", "week", "--as-of", "2026-03-31")["rows"]
    assert {r["value"] for r in week} == {0.0}  # nothing earned in the week of 31 March
    refused = cli("leaderboard", "--by", "speed", code=2).stderr
    assert "'--by'" in refused and "'speed' is not one of 'points', 'progress', 'streak'" in refused
