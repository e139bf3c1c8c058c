"""`progress report --week --team`: a small team whose figures are worked out by hand, the
learners without activity, teams of the roster, the certification pipeline at its day
boundaries, and the team report of the sample learners in every medium."""

import datetime as dt
import json
import os

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from progress_cli.certs.register import team_certificates
from tests import by_hand
from tests.conftest import sqlalchemy_url, write_jsonl
from tests.test_report_cli import LEARNERS, before, end_of, font_cache, sample, sample_db  # noqa: F401  (shared fixtures)

CATALOG = """
weekly_goal_minutes = 60

[[modules]]
id = "m"
title = "Module M"
pass_mark = 70
target_date = 2026-12-31
tasks = ["t1", "t2", "t3", "t4"]

[certification]
name = "Cert"
min_completion = 50
"""
WEEK = ("--week", "--as-of", "2026-11-27")  # the last complete week: 2026-W47, 16-22 Nov


def _event(learner, day, task, score, minutes):
    return {"event_id": f"{learner}-{day}-{task}", "learner_id": learner, "session_id": f"{learner}-{day}-{task}",
            "module_id": "m", "task_id": task, "type": "attempt", "timestamp": f"2026-11-{day:02d}T10:00:00Z",
            "score": score, "duration_s": minutes * 60}


@pytest.fixture
def team(cli, tmp_path):
    """ana: 40 min in W46 (t1 80), 70 min in W47 (t2 75, t3 60); ben: 70 min in W46 (t1 50),
    nothing in W47; cy: 60 min in W47 only (t1 90); dee: a learner with no events at all."""
    (tmp_path / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    cli("init", "--catalog", tmp_path / "catalog.toml")
    events = [_event("ana", 10, "t1", 80, 40), _event("ana", 17, "t2", 75, 30), _event("ana", 18, "t3", 60, 40),
              _event("ben", 11, "t1", 50, 70), _event("cy", 19, "t1", 90, 60)]
    cli("import", write_jsonl(tmp_path / "events.jsonl", events))
    sql_write("insert into learners (learner_id, name) values ('dee', 'Dee')")


def sql_write(statement: str) -> None:
    """One write to the test's store (the `sql` fixture only reads)."""
    engine = create_engine(sqlalchemy_url(os.environ["PROGRESS_DB"]))
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


@pytest.mark.both_backends
def test_headline_counts_and_changes_by_hand(cli, team):
    r = cli.json("report", *WEEK, "--team")
    assert r["team"] is None
    assert r["period"] == {"kind": "week", "label": "2026-W47", "start": "2026-11-16", "end": "2026-11-22",
                           "days": 7, "complete": True}
    h = r["headline"]
    # active in W47: ana, cy (2); in W46: ana, ben (2). Minutes 70 + 60 = 130 against 40 + 70 = 110.
    # Goal (60 min) met: ana 70, cy 60 exactly (2); in W46 only ben's 70 (1).
    assert (h["learners"], h["active"], h["goal_met"], h["goal_minutes"]) == (4, 2, 2, 60.0)
    assert h["practice_minutes"] == pytest.approx(130.0)
    assert h["minutes_per_learner"] == pytest.approx(32.5)
    assert h["previous"] == pytest.approx({"active": 2, "practice_minutes": 110.0, "minutes_per_learner": 27.5,
                                           "goal_met": 1})
    assert h["change"] == pytest.approx({"active": 0, "practice_minutes": 20.0, "minutes_per_learner": 5.0,
                                         "goal_met": 1})


@pytest.mark.both_backends
def test_learner_rows_by_hand(cli, team):
    rows = {r["learner_id"]: r for r in cli.json("report", *WEEK, "--team")["learners"]}
    ana, ben, cy, dee = rows["ana"], rows["ben"], rows["cy"], rows["dee"]
    # ana: t1 done before the week (1 of 4 = 25%), t2 in it (50%); scores 75, 60 against 80 before
    assert (ana["total_progress"], ana["progress_change"], ana["goal_met"], ana["active_days"]) == (50.0, 25.0, True, 2)
    assert (ana["average_score"], ana["score_change"]) == (67.5, -12.5)
    # readiness: 80 alone was PROFICIENT; 80, 75, 60 (mean 71.7, sd 8.5) still is
    assert ana["readiness_changes"] == []
    assert ana["certificate"] == {"status": None, "code": None, "valid_until": None, "days_left": None,
                                  "eligible": True}
    # ben: nothing in the week: listed, "no activity", not an error
    assert (ben["active"], ben["week_minutes"], ben["goal_met"], ben["average_score"]) == (False, 0.0, False, None)
    assert (ben["total_progress"], ben["progress_change"]) == (0.0, 0.0)
    # cy: first events in the week, from 0% (the catalog's tasks, none done before)
    assert (cy["total_progress"], cy["progress_change"], cy["week_minutes"], cy["goal_met"]) == (25.0, 25.0, 60.0, True)
    assert cy["readiness_changes"] == [{"module_id": "m", "from": "BEGINNER", "to": "ADVANCED"}]  # 90 alone
    # dee: in the learners' list (a roster) without any event
    assert (dee["active"], dee["total_progress"], dee["risk"], dee["streak_days"]) == (False, None, None, 0)
    assert set(ana) >= {"learner_id", "name", "total_progress", "progress_change", "week_minutes", "goal_met",
                        "active_days", "average_score", "score_change", "readiness_changes", "streak_days",
                        "certificate", "risk", "at_risk", "reasons"}


@pytest.mark.both_backends
def test_modules_pipeline_and_most_improved_by_hand(cli, team):
    r = cli.json("report", *WEEK, "--team")
    assert set(r) == {"team", "period", "as_of", "headline", "learners", "at_risk", "certification", "modules",
                      "most_improved"}
    (m,) = r["modules"]
    # started: ana 50%, ben 0%, cy 25%; dee not. First attempts at t1: 80, 50, 90 -> 2 of 3 passed.
    assert {k: m[k] for k in ("started", "not_started", "below_half", "half_or_more", "completed",
                              "median_completion")} == {"started": 3, "not_started": 1, "below_half": 2,
                                                        "half_or_more": 1, "completed": 0, "median_completion": 25.0}
    assert m["hardest_tasks"] == [{"task_id": "t1", "title": "t1", "first_attempts": 3, "passed_first": 2,
                                   "pass_rate": pytest.approx(2 / 3)}]
    assert r["certification"] == {"name": "Cert", "eligible": [{"learner_id": "ana", "name": None}], "issued": [],
                                  "expiring": [], "revoked": []}
    # a tie on +25 points: the bigger score change first (cy has none to compare: 0; ana -12.5)
    assert [(x["learner_id"], x["progress_change"]) for x in r["most_improved"]] == [("cy", 25.0), ("ana", 25.0)]


def test_no_activity_in_every_medium(cli, team):
    out = cli("report", *WEEK, "--team").stdout
    for learner in ("ana", "ben", "cy", "Dee (dee)"):
        assert learner in out
    assert out.count("no activity") == 2  # ben and dee
    md = cli("report", *WEEK, "--team", "--format", "md").stdout
    assert md.count("no activity") == 2 and "| Dee (dee) | — | — | no activity |" in md
    html = cli("report", *WEEK, "--team", "--format", "html").stdout
    assert html.count(">no activity<") == 2


@pytest.mark.both_backends
def test_roster_teams(cli, team, tmp_path):
    result = cli("report", *WEEK, "--team", "blue", code=4)  # no roster yet: nobody is in a team
    assert result.stderr == "Error: no learners in team 'blue'\n"
    roster = tmp_path / "roster.csv"
    roster.write_text("learner_id,team\nana,blue\ndee,blue\nben,green\n", encoding="utf-8")
    cli("roster", "import", roster)
    r = cli.json("report", *WEEK, "--team", "blue")
    assert r["team"] == "blue" and [x["learner_id"] for x in r["learners"]] == ["ana", "dee"]
    assert r["headline"]["learners"] == 2
    result = cli("report", *WEEK, "--team", "red", code=4)
    assert result.stderr == "Error: no learners in team 'red'\n"


@pytest.mark.both_backends
def test_an_empty_team_is_one_line_and_exit_4(cli):
    cli("init")
    result = cli("report", *WEEK, "--team", code=4)
    assert result.stderr == "Error: no learners in the store: import some events first\n"


def test_team_excludes_learner_and_all(cli, team):
    assert "exclude each other" in cli("report", *WEEK, "--team", "--learner", "ana", code=2).stderr


# The certification pipeline at its day boundaries (pure) -------------------------------------

AS_OF = dt.datetime(2026, 11, 22, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)
START = dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)


def _cert(learner, slot, issued, until, revoked=None):
    return {"certificate_id": f"{learner}-{slot}", "code": f"C-{learner}-{slot}", "learner_id": learner,
            "certification": "Cert", "issue_slot": slot, "issued_at": issued, "valid_until": until,
            "revoked_at": revoked, "revoked_reason": "mistake" if revoked else None}


def test_pipeline_buckets_at_their_day_boundaries():
    rows = [
        _cert("a", 1, "2026-11-16T00:00:00.000000Z", "2028-11-16T23:59:59.000000Z"),  # first second of the week
        _cert("b", 1, "2026-11-15T23:59:59.000000Z", "2028-11-15T23:59:59.000000Z"),  # last second before it
        _cert("c", 1, "2025-01-21T10:00:00.000000Z", "2027-01-21T23:59:59.000000Z"),  # 60 days left: expiring
        _cert("d", 1, "2025-01-22T10:00:00.000000Z", "2027-01-22T23:59:59.000000Z"),  # 61 days left: not
        _cert("e", 1, "2024-01-01T10:00:00.000000Z", "2026-01-01T23:59:59.000000Z"),  # expired, eligible again
        _cert("f", 1, "2025-06-01T10:00:00.000000Z", "2027-06-01T23:59:59.000000Z", "2026-02-01T10:00:00.000000Z"),
        _cert("g", 1, "2026-11-23T00:00:00.000000Z", "2028-11-23T23:59:59.000000Z"),  # after as_of: not seen
    ]
    eligible = {"a": True, "b": True, "c": True, "d": True, "e": True, "f": True, "g": True, "h": True, "i": False}
    per_learner, pipeline = team_certificates(rows, "Cert", eligible, {}, START, AS_OF)
    assert [e["learner_id"] for e in pipeline["issued"]] == ["a"]
    assert [(e["learner_id"], e["days_left"]) for e in pipeline["expiring"]] == [("c", 60)]
    assert [e["learner_id"] for e in pipeline["revoked"]] == ["f"]
    assert [e["learner_id"] for e in pipeline["eligible"]] == ["e", "g", "h"]  # i is not eligible
    assert per_learner["d"]["status"] == "VALID" and per_learner["d"]["days_left"] == 61
    assert per_learner["e"]["status"] == "EXPIRED" and per_learner["g"]["status"] is None


# The sample learners --------------------------------------------------------------------------


def test_sample_team_rows_and_headline_by_hand(cli, sample):
    """Every sample learner's row and the headline of 2026-W47 against tests/by_hand.py."""
    r = cli.json("report", "--week", "--team", "--as-of", "2026-11-27")
    first, last, prev_first, prev_last = (dt.date(2026, 11, 16), dt.date(2026, 11, 22), dt.date(2026, 11, 9),
                                          dt.date(2026, 11, 15))
    goal = by_hand.catalog()["weekly_goal_minutes"]
    rows = {x["learner_id"]: x for x in r["learners"]}
    assert sorted(rows) == LEARNERS
    now = {lid: by_hand.period(lid, first, last) for lid in LEARNERS}
    then = {lid: by_hand.period(lid, prev_first, prev_last) for lid in LEARNERS}
    for lid, row in rows.items():
        p, progress = now[lid], by_hand.completion(lid, end_of(last))
        assert row["total_progress"] == pytest.approx(progress), lid
        assert row["progress_change"] == pytest.approx(progress - by_hand.completion(lid, before(first))), lid
        assert row["week_minutes"] == pytest.approx(p["minutes"]), lid
        assert (row["goal_met"], row["active"], row["active_days"], row["streak_days"]) == (
            p["minutes"] >= goal, p["events"] > 0, p["active_days"], by_hand.streak(lid, last)), lid
        mean = by_hand.mean_score(lid, first, last) if p["attempts"] else None
        before_mean = by_hand.mean_score(lid, prev_first, prev_last) if then[lid]["attempts"] else None
        assert row["average_score"] == pytest.approx(mean), lid
        assert row["score_change"] == (None if mean is None or before_mean is None
                                       else pytest.approx(mean - before_mean)), lid
    h = r["headline"]
    minutes, minutes_before = sum(p["minutes"] for p in now.values()), sum(p["minutes"] for p in then.values())
    assert (h["learners"], h["goal_minutes"]) == (12, goal)
    assert h["active"] == sum(p["events"] > 0 for p in now.values())
    assert h["goal_met"] == sum(p["minutes"] >= goal for p in now.values())
    assert (h["practice_minutes"], h["minutes_per_learner"]) == (pytest.approx(minutes), pytest.approx(minutes / 12))
    assert h["previous"] == {"active": sum(p["events"] > 0 for p in then.values()),
                             "practice_minutes": pytest.approx(minutes_before),
                             "minutes_per_learner": pytest.approx(minutes_before / 12),
                             "goal_met": sum(p["minutes"] >= goal for p in then.values())}
    assert h["change"]["practice_minutes"] == pytest.approx(minutes - minutes_before)


def test_sample_team_fits_one_screen(cli, sample, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    out = cli("report", "--week", "--team", "--as-of", "2026-11-27").stdout
    lines = out.splitlines()
    assert len(lines) < 80, len(lines)
    assert max(len(line) for line in lines) <= 120
    first = next(i for i, line in enumerate(lines) if line.startswith("Learners ─"))
    last = next(i for i, line in enumerate(lines) if line.startswith("Done: "))
    assert last - first - 3 == 12  # the header, its rule, then one line a learner


def test_sample_team_json_md_pdf(cli, sample, tmp_path):
    r = cli.json("report", "--week", "--team", "--as-of", "2026-11-27")
    assert len(r["learners"]) == 12
    at_risk = [x["learner_id"] for x in r["learners"] if x["at_risk"]]
    assert [x["learner_id"] for x in r["learners"][:len(at_risk)]] == at_risk  # the at-risk learners first
    assert [x["learner_id"] for x in r["at_risk"]] == at_risk
    assert all(x["reasons"] for x in r["at_risk"])
    assert [x["risk"] for x in r["at_risk"]] == sorted((x["risk"] for x in r["at_risk"]), reverse=True)
    md = cli("report", "--week", "--team", "--as-of", "2026-11-27", "--format", "md").stdout
    assert md.startswith("# Weekly team report 2026-W47\n") and md.count("\n| ") >= 12
    cli("report", "--week", "--team", "--as-of", "2026-11-27", "--format", "pdf", "--out", tmp_path)
    pdf = tmp_path / "team-2026-W47.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Weekly team report 2026-W47" in text and "Дмитрий Иванов (dmitry)" in text
    assert f"{r['headline']['practice_minutes']:.0f} min in total" in text
    written = cli("report", "--week", "--team", "--as-of", "2026-11-27", "--format", "json", "--out", tmp_path / "t.json")
    assert json.loads((tmp_path / "t.json").read_text(encoding="utf-8")) == r
    assert written.stdout == f"Wrote {tmp_path / 't.json'}\n"
