"""`progress insights` on the sample store: the --json contract, honesty and reproducibility."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from progress_cli.cli import app
from tests.conftest import SAMPLE

F_KEYS = {"estimate", "low", "high", "confidence", "basis", "reason"}
PATTERN_KEYS = {"peak_hours", "peak_weekdays", "session_length", "time_consistency", "learning_curve", "skills",
                "plateaus", "breakthroughs", "optimal_difficulty", "engagement"}
REC_KEYS = {"priority", "module_id", "skill", "reason", "estimated_minutes"}
MODULES = ["safety", "equipment", "quality", "maintenance", "emergency"]
AS_OF = ("--as-of", "2026-11-27")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The sample store, built once for this module (the tests only read it)."""
    db = tmp_path_factory.mktemp("insights") / "store.db"
    runner = CliRunner()
    for args in (("init", "--catalog", SAMPLE / "catalog.toml"), ("import", SAMPLE / "events.jsonl")):
        result = runner.invoke(app, ["--db", str(db), "--tz", "UTC", *map(str, args)])
        assert result.exit_code == 0, result.output
    return db


def insights(cli, store, learner, *extra, tz="UTC"):
    return cli.json("--db", store, "--tz", tz, "insights", learner, *AS_OF, *extra)


def check_forecast(f: dict, kind: str) -> None:
    assert set(f) == F_KEYS and f["confidence"] == 0.8
    values = (f["estimate"], f["low"], f["high"])
    if f["estimate"] is None:
        assert values == (None, None, None) and f["reason"]
        return
    assert f["reason"] is None and f["basis"]
    if kind == "date":
        days = [dt.date.fromisoformat(v) for v in values]
        assert days[1] <= days[0] <= days[2]
    else:
        assert f["low"] <= f["estimate"] <= f["high"]


def test_json_has_the_documented_shape(cli, store):
    out = insights(cli, store, "alice")
    assert {"learner_id", "as_of", "patterns", "forecasts", "recommendations"} <= set(out)
    assert out["learner_id"] == "alice" and out["as_of"].startswith("2026-11-27T23:59:59")
    assert set(out["patterns"]) == PATTERN_KEYS
    forecasts = out["forecasts"]
    assert {"completion", "modules", "skills", "practice_needed"} == set(forecasts)
    check_forecast(forecasts["completion"], "date")
    assert list(forecasts["modules"]) == MODULES
    for f in forecasts["modules"].values():
        check_forecast(f, "date")
    assert forecasts["skills"]
    for skill, f in forecasts["skills"].items():
        assert set(f) == {"level_in_30_days", "time_to_mastery_days"}, skill
        check_forecast(f["level_in_30_days"], "number")
        check_forecast(f["time_to_mastery_days"], "number")
    assert set(forecasts["practice_needed"]) == {"safety", "emergency"}  # the modules with a target date
    assert 3 <= len(out["recommendations"]) <= 5
    assert all(set(r) == REC_KEYS for r in out["recommendations"])
    order = {"high": 0, "medium": 1, "low": 2}
    assert [order[r["priority"]] for r in out["recommendations"]] == sorted(order[r["priority"]]
                                                                           for r in out["recommendations"])
    curve = out["patterns"]["learning_curve"]
    assert set(curve) == {"a", "b", "c", "r2", "clear_trend", "attempts", "residual_sd", "reason"} and curve["a"] is not None


def test_alice_has_a_completion_date_that_status_shows_too(cli, store):
    out = insights(cli, store, "alice")
    completion = out["forecasts"]["completion"]
    assert completion["estimate"] is not None  # 3 tasks left, steady evening practice
    status = cli.json("--db", store, "--tz", "UTC", "status", "alice", *AS_OF)
    assert status["overall"]["predicted_completion_date"] == completion["estimate"]


def test_a_learner_who_finished_gets_no_completion_forecast(cli, store):
    out = insights(cli, store, "zoe")
    assert out["forecasts"]["completion"]["reason"] == "finished"
    assert out["forecasts"]["completion"]["estimate"] is None
    assert all(f["reason"] == "finished" for f in out["forecasts"]["modules"].values())
    status = cli.json("--db", store, "--tz", "UTC", "status", "zoe", *AS_OF)
    assert status["overall"]["predicted_completion_date"] is None


def test_output_is_reproducible(cli, store):
    assert insights(cli, store, "mia") == insights(cli, store, "mia")


def test_a_learner_who_stopped_gets_reasons_not_dates(cli, store):
    out = insights(cli, store, "lukas")  # active the first 3 weeks only
    assert out["forecasts"]["completion"]["estimate"] is None
    assert out["patterns"]["engagement"]["current_gap_days"] == 69
    assert any("no practice for 69 days" in r["reason"] for r in out["recommendations"])


def test_the_plateau_learner(cli, store):
    out = insights(cli, store, "kenji")
    current = [p for p in out["patterns"]["plateaus"] if p["current"]]
    assert current and all(p["attempts"] >= 8 and p["mean"] < 85 for p in current)
    assert out["patterns"]["skills"][current[0]["skill"]]["on_plateau"] is True
    assert any(r["skill"] == current[0]["skill"] and r["reason"].startswith("stuck around")
               for r in out["recommendations"])


def test_what_a_coach_reads_about_the_plateau_learner(cli, store):
    """Issue 19: one plateau line per skill, no curve shown as a trend at R² 0.01, no minutes
    a week for a target date that is today or out of reach, no forecast of unstarted modules."""
    out = cli.json("--db", store, "--tz", "UTC", "insights", "kenji", "--as-of", "2026-12-04")
    plateaus = out["patterns"]["plateaus"]
    assert [p["skill"] for p in plateaus] == ["hazard-id", "ppe", "lockout-tagout"]
    assert plateaus[0]["first_attempt"] == 1 and plateaus[0]["start_date"] == "2026-08-30"
    assert out["patterns"]["learning_curve"]["clear_trend"] is False
    needed = out["forecasts"]["practice_needed"]
    assert needed["emergency"]["estimate"] is None
    assert needed["emergency"]["reason"].startswith("the target date 2026-12-04 is today")
    assert list(out["forecasts"]["modules"]) == ["safety", "equipment"]  # the modules he has started
    week_before = cli.json("--db", store, "--tz", "UTC", "insights", "kenji", *AS_OF)
    assert week_before["forecasts"]["practice_needed"]["emergency"]["reason"].startswith(
        "about 32 hours a week would be needed")
    text = cli("--db", store, "--tz", "UTC", "insights", "kenji", "--as-of", "2026-12-04").stdout
    assert text.count("plateau: ") == 3
    assert "plateau: hazard-id: stuck around 63 for 121 attempts since 2026-08-30" in text
    assert "no clear trend (R² 0.01" in text and "score = " not in text


def test_peak_hours_are_in_the_zone_of_tz(cli, store):
    # Alice practises nearly every evening at 19:00-20:30 in Paris.
    paris = insights(cli, store, "alice", tz="Europe/Paris")["patterns"]
    assert {h["hour"] for h in paris["peak_hours"]} <= {19, 20, 21}
    utc = insights(cli, store, "alice")["patterns"]
    assert {h["hour"] for h in utc["peak_hours"]} <= {17, 18, 19, 20}
    assert paris["time_consistency"]["typical_start"][:2] == "19"


def test_before_any_event_everything_is_null_with_a_reason(cli, store):
    out = cli.json("--db", store, "--tz", "UTC", "insights", "alice", "--as-of", "2026-08-01")
    assert out["forecasts"]["completion"]["reason"].startswith("too little recent data")
    assert out["patterns"]["peak_hours"] == [] and out["patterns"]["learning_curve"]["a"] is None
    assert out["patterns"]["engagement"]["sessions_per_week"] is None


def test_terminal_output_has_the_panels(cli, store):
    result = cli("--db", store, "--tz", "UTC", "insights", "alice", *AS_OF)
    for title in ("Insights", "Patterns", "Learning curve", "Forecasts (80% intervals)", "Recommendations"):
        assert title in result.stdout
    assert "score = " in result.stdout and "\x1b[" not in result.stdout  # no colour off a terminal


def test_unknown_learner_is_a_one_line_error(cli, store):
    result = cli("--db", store, "insights", "alicia", code=1)
    assert "no learner 'alicia'" in result.stderr and "alice" in result.stderr
