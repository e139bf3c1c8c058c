"""recompute, status and learners on real stores (DESIGN sections 5 and 8)."""

import csv
import datetime as dt
import json
import statistics

import pytest

from tests.conftest import FIXTURES, SAMPLE, write_jsonl

pytestmark = pytest.mark.both_backends

STATUS_KEYS = {"learner", "as_of", "overall", "modules", "skills", "summary", "recent_activity",
               "achievements", "upcoming_milestones", "recommendations", "risk"}  # risk: README addition
OVERALL_KEYS = {"total_progress", "certificate_progress", "improvement_rate", "strengths", "weaknesses",
                "predicted_completion_date", "streak_days", "total_time_s"}
MODULE_KEYS = {"module_id", "completion_rate", "average_score", "attempts", "session_count", "total_time_s",
               "last_activity", "efficiency", "readiness", "trend", "readiness_basis", "skills"}
SKILL_KEYS = {"skill", "current_level", "improvement_rate", "consistency", "mastery", "level", "next_milestone"}


def build_sample_store(cli, *db: str) -> None:
    """The sample catalog and events.jsonl, in the test's store or in `--db` db."""
    global_options = ("--db", *db) if db else ()
    cli(*global_options, "init", "--catalog", SAMPLE / "catalog.toml")
    cli(*global_options, "import", SAMPLE / "events.jsonl")


@pytest.fixture
def sample_store(cli, prebuilt_store):
    if not prebuilt_store("sample-events-jsonl", lambda url: build_sample_store(cli, url)):
        build_sample_store(cli)


def test_status_json_has_exactly_the_documented_shape(cli, sample_store):
    status = cli.json("status", "zoe", "--as-of", "2026-11-27")
    assert set(status) == STATUS_KEYS
    assert status["learner"] == {"id": "zoe", "name": "Zoë Ñúñez-Ølsen"}
    assert set(status["overall"]) == OVERALL_KEYS
    assert all(MODULE_KEYS <= set(m) for m in status["modules"])
    assert all(SKILL_KEYS <= set(s) for s in status["skills"])
    assert set(status["summary"]) == {"weekly_goal_progress", "week_minutes", "weekly_goal_minutes"}
    assert set(status["recent_activity"]) == {"sessions", "achievements", "improvements"}
    assert len(status["recommendations"]) <= 5
    assert all(set(r) == {"priority", "module_id", "skill", "reason", "estimated_minutes"}
               for r in status["recommendations"])
    assert [m["module_id"] for m in status["modules"]] == ["safety", "equipment", "quality", "maintenance", "emergency"]


def test_as_of_ignores_later_events(cli, sample_store):
    early = cli.json("status", "lukas", "--as-of", "2026-09-01")
    late = cli.json("status", "lukas", "--as-of", "2026-11-27")
    assert sum(m["attempts"] for m in early["modules"]) < sum(m["attempts"] for m in late["modules"])


def test_unknown_learner_suggests_close_ids(cli, sample_store):
    result = cli("status", "zeo", code=1)
    assert result.stderr.startswith("Error: no learner 'zeo' in the store; did you mean zoe")
    assert result.stderr.count("\n") == 1


def test_import_recomputes_only_touched_learners(cli, sql, tmp_path, sample_store):
    before = dict(sql("select learner_id, computed_as_of from learner_progress"))
    new = write_jsonl(tmp_path / "n.jsonl", [{"learner_id": "alice", "module_id": "safety", "type": "attempt",
                                               "timestamp": "2026-11-28T08:00:00Z", "score": 90}])
    assert cli.json("import", new)["learners_recomputed"] == 1
    after = dict(sql("select learner_id, computed_as_of from learner_progress"))
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"alice"}


def test_recompute_all_and_one(cli, sql, sample_store):
    assert cli.json("recompute")["learners_recomputed"] == 12
    assert cli.json("recompute", "--learner", "bob")["learners_recomputed"] == 1
    assert sql("select count(*) from learner_progress") == [(12,)]
    assert sql("select count(*) from module_progress where learner_id='bob'") == [(5,)]


def test_learners_json_after_recompute_matches_status(cli, sql, tmp_path, sample_store):
    """`learners` without --as-of reads what recompute stored; `status` computes from the events
    as of now. alice practises 15 minutes yesterday and today (the sample catalog's
    streak_min_minutes is 10; the import recomputes her), so her streak today is 2 whichever
    day the test runs."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    recent = [{"learner_id": "alice", "module_id": "safety", "task_id": "safety-intro", "type": "attempt",
               "timestamp": moment.isoformat(), "score": 64, "duration_s": 900} for moment in (now - dt.timedelta(days=1),
                                                                            now - dt.timedelta(minutes=1))]
    assert cli.json("import", write_jsonl(tmp_path / "recent.jsonl", recent))["learners_recomputed"] == 1
    rows = {r["learner_id"]: r for r in cli.json("learners")}
    stored = sql("select total_progress, streak_days from learner_progress where learner_id = 'alice'")
    assert [(rows["alice"]["total_progress"], rows["alice"]["streak_days"])] == stored
    status = cli.json("status", "alice")
    assert rows["alice"]["streak_days"] == status["overall"]["streak_days"] == 2
    assert rows["alice"]["total_progress"] == status["overall"]["total_progress"]
    assert rows["alice"]["readiness"] == {m["module_id"]: m["readiness"] for m in status["modules"]}
    assert rows["alice"]["last_activity"] == max(m["last_activity"] for m in status["modules"] if m["last_activity"])


def test_status_terminal_dashboard(cli, sample_store):
    out = cli("status", "dmitry", "--as-of", "2026-11-27").stdout
    for heading in ("Status", "Modules", "Skills", "Recommendations"):
        assert heading in out
    assert "Дмитрий Иванов" in out


def _readiness(scores):
    """DESIGN 5.2 by hand: mean and population sd of the last five scores."""
    last = scores[-5:]
    if not last:
        return "BEGINNER"
    mean, sd = statistics.fmean(last), statistics.pstdev(last)
    if round(mean, 9) >= 85 and sd < 10:
        return "ADVANCED"
    if round(mean, 9) >= 70 and sd < 15:
        return "PROFICIENT"
    return "DEVELOPING" if round(mean, 9) >= 50 else "BEGINNER"


@pytest.mark.sqlite_only
def test_oulad_readiness_and_average_scores_match_plain_python(cli, tmp_path):
    """Real data: OULAD assessment results, checked against a plain-Python computation.
    (SQLite only, to keep the suite short: the computation does not depend on the backend.)"""
    source = tmp_path / "oulad.csv"
    source.write_bytes((FIXTURES / "oulad_assessments.csv").read_bytes())
    cli("init", "--catalog", FIXTURES / "oulad_catalog.toml")
    cli("import", source, code=3)  # the '?' scores are rejected
    expected: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["score"] == "?":
                continue
            expected.setdefault((row["learner_id"], row["module_id"]), []).append(
                (row["timestamp"], row["event_id"], float(row["score"])))
    learners = sorted({learner for learner, _ in expected})
    checked = 0
    for learner in learners:
        status = cli.json("status", learner, "--as-of", "2016-01-01")
        for module in status["modules"]:
            attempts = sorted(expected.get((learner, module["module_id"]), []))
            scores = [score for _, _, score in attempts]
            if not scores:
                assert module["average_score"] is None and module["readiness"] == "BEGINNER"
                continue
            assert module["average_score"] == pytest.approx(sum(scores) / len(scores), abs=1e-9)
            assert module["readiness"] == _readiness(scores)
            assert module["readiness_basis"] == min(5, len(scores))
            checked += 1
    assert checked >= 25
