"""`progress report`: the report object, its Markdown, terminal and JSON renderings, files
per learner, and the DESIGN spellings of --week / --month. (PDF: test_report_pdf.py.)"""

import datetime as dt
import json
import statistics
from pathlib import Path

import pytest
from typer.testing import CliRunner

from progress_cli.cli import app
from tests import by_hand
from tests.conftest import SAMPLE

EXPECTED = Path(__file__).resolve().parent / "expected"
AS_OF = ("--as-of", "2026-11-27")
LEARNERS = ["alice", "athena", "bob", "dmitry", "frank", "jose", "kenji", "lukas", "mia", "priya", "sam", "zoe"]
REPORT_KEYS = {"learner", "period", "as_of", "summary", "time", "modules", "achievements", "milestones",
               "improvements", "challenges", "recommendations", "forecast", "next_goals", "labels", "charts"}


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The sample store, built once for every report, chart and export test (read-only)."""
    path = tmp_path_factory.mktemp("sample-store") / "store.db"
    env = {"PROGRESS_DB": str(path), "PROGRESS_TZ": "UTC"}
    for args in (["init", "--catalog", SAMPLE / "catalog.toml"], ["import", SAMPLE / "events.jsonl"]):
        result = CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("font-cache")


@pytest.fixture
def sample(sample_db, font_cache, monkeypatch) -> Path:
    monkeypatch.setenv("PROGRESS_DB", str(sample_db))
    monkeypatch.setenv("PROGRESS_CACHE_DIR", str(font_cache))
    return sample_db


def _report(cli, *args):
    return cli.json("report", *args, *AS_OF)


# What the reports must say, computed by hand (tests/by_hand.py) --------------------------------

# label -> (unit, first day, last day, first and last day of the previous period)
PERIODS = {
    "2026-W47": ("week", dt.date(2026, 11, 16), dt.date(2026, 11, 22), dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
    "2026-10": ("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
}


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)


def before(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc) - dt.timedelta(microseconds=1)


def _signed(x: float) -> str:
    return "0.0" if round(x, 1) == 0 else f"{x:+.1f}"


def expected_summary(learner: str, label: str) -> dict[str, str]:
    """The summary's figures as the report displays them (rounded for display only)."""
    unit, first, last, prev_first, prev_last = PERIODS[label]
    p = by_hand.period(learner, first, last)
    progress_then, progress_now = by_hand.completion(learner, before(first)), by_hand.completion(learner, end_of(last))
    goal = by_hand.catalog()["weekly_goal_minutes"] * ((last - first).days + 1) / 7
    texts = {
        "progress": f"{progress_now:.0f}% ({_signed(progress_now - progress_then)} pts this {unit})",
        "practice": f"{p['minutes']:.0f} min on {p['active_days']} active days, {p['sessions']} sessions",
        "attempts": "0, average score —",
        "tasks": str(len(by_hand.completed_tasks(learner, end_of(last)) - by_hand.completed_tasks(learner, before(first)))),
        "streak": f"{by_hand.streak(learner, last)} days",
        "goal": f"{p['minutes']:.0f} of {goal:.0f} minutes ({p['minutes'] / goal:.0%} of the goal",
    }
    if p["attempts"]:
        mean = by_hand.mean_score(learner, first, last)
        change = mean - by_hand.mean_score(learner, prev_first, prev_last)
        texts["attempts"] = f"{p['attempts']}, average score {mean:.1f} ({change:+.1f} vs the previous {unit})"
    return texts


def expected_skill_moves(learner: str, label: str) -> tuple[list[str], list[str]]:
    """Improvements and challenges: up to 3 skills whose current level rose (fell) most over the
    period, by at least 0.1, practised before it began; as the report lists them."""
    _, first, last, _, _ = PERIODS[label]
    moves = []
    for skill, name in by_hand.skill_names().items():
        start, end = by_hand.skill_level(learner, skill, before(first)), by_hand.skill_level(learner, skill, end_of(last))
        if start is not None and abs(end - start) >= 0.1:
            moves.append((end - start, f"{name}: {start:.1f} → {end:.1f} ({end - start:+.1f})"))
    ups = [text for change, text in sorted(moves, reverse=True) if change > 0][:3]
    downs = [text for change, text in sorted(moves) if change < 0][:3]
    return ups, downs


def expected_modules(learner: str, label: str) -> dict[str, str]:
    """Per module practised in the period: its title -> "attempts | average score | minutes"."""
    _, first, last, _, _ = PERIODS[label]
    out = {}
    for module in by_hand.catalog()["modules"]:
        scores = by_hand.module_attempts(learner, module["id"], first, last)
        if scores:
            minutes = by_hand.module_minutes(learner, module["id"], first, last)
            out[module["title"]] = f"| {len(scores)} | {statistics.fmean(scores):.1f} | {minutes:.0f} min |"
    return out


# The report object -------------------------------------------------------------------------


def test_report_json_shape_and_figures(cli, sample):
    r = _report(cli, "--week", "--learner", "zoe")
    assert set(r) == REPORT_KEYS
    assert r["learner"] == {"id": "zoe", "name": "Zoë Ñúñez-Ølsen"}
    assert r["period"] == {"kind": "week", "label": "2026-W47", "start": "2026-11-16", "end": "2026-11-22",
                           "days": 7, "complete": True}
    assert r["as_of"] == "2026-11-22T23:59:59.999999+00:00"
    s = r["summary"]
    first, last = PERIODS["2026-W47"][1:3]
    hand = by_hand.period("zoe", first, last)
    progress = by_hand.completion("zoe", end_of(last))
    assert (s["total_progress"], s["progress_change"], s["streak_days"]) == (
        pytest.approx(progress), pytest.approx(progress - by_hand.completion("zoe", before(first))),
        by_hand.streak("zoe", last))
    assert (s["sessions"], s["attempts"], s["active_days"]) == (hand["sessions"], hand["attempts"], hand["active_days"])
    assert s["average_score"] == pytest.approx(by_hand.mean_score("zoe", first, last))
    assert s["practice_minutes"] == pytest.approx(hand["minutes"])
    assert r["time"]["goal_minutes"] == 150 and r["time"]["goal_progress"] == pytest.approx(hand["minutes"] / 150)
    assert [m["module_id"] for m in r["modules"]] == ["safety", "equipment", "emergency"]
    for m in r["modules"]:
        scores = by_hand.module_attempts("zoe", m["module_id"], first, last)
        assert (m["attempts"], m["average_score"], m["minutes"]) == (
            len(scores), pytest.approx(statistics.fmean(scores)),
            pytest.approx(by_hand.module_minutes("zoe", m["module_id"], first, last)))
    assert sum(m["attempts"] for m in r["modules"]) == s["attempts"]
    assert r["achievements"] == [] and r["milestones"] == []
    assert all(c["change"] > 0 for c in r["improvements"]) and all(c["change"] < 0 for c in r["challenges"])
    assert len(r["recommendations"]) <= 5
    assert all(set(g) == {"kind", "text", "minutes", "module_id", "skill"} for g in r["next_goals"])


def test_report_agrees_with_status_at_the_period_end(cli, sample):
    r = _report(cli, "--week", "2026-W47", "--learner", "dmitry")
    status = cli.json("status", "dmitry", "--as-of", "2026-11-22")
    assert r["summary"]["total_progress"] == status["overall"]["total_progress"]
    assert r["summary"]["certificate_progress"] == status["overall"]["certificate_progress"]
    assert r["time"]["minutes"] == pytest.approx(status["summary"]["week_minutes"])
    assert r["recommendations"] == status["recommendations"]
    by_module = {m["module_id"]: m for m in status["modules"]}
    for m in r["modules"]:
        assert m["completion_rate"] == by_module[m["module_id"]]["completion_rate"]


def test_monthly_report_progress_change_counts_the_tasks_of_the_month(cli, sample):
    r = _report(cli, "--month", "2026-10", "--learner", "dmitry")
    before = cli.json("status", "dmitry", "--as-of", "2026-09-30")["overall"]["total_progress"]
    after = cli.json("status", "dmitry", "--as-of", "2026-10-31")["overall"]["total_progress"]
    assert r["summary"]["progress_change"] == pytest.approx(after - before)
    assert r["summary"]["tasks_completed"] == round((after - before) / 100 * 32)  # 32 catalog tasks
    assert r["summary"]["tasks_completed"] == sum(m["tasks_completed"] for m in r["modules"])
    assert r["time"]["goal_minutes"] == pytest.approx(150 * 31 / 7)


def test_achievements_of_the_period_are_those_status_lists_with_dates_inside_it(cli, sample):
    r = _report(cli, "--month", "2026-10", "--learner", "dmitry")
    assert [a["id"] for a in r["achievements"]] == ["safety-complete", "hours-10"]
    earned = {a["id"]: a for a in cli.json("status", "dmitry", "--as-of", "2026-10-31")["achievements"]}
    assert all(a == earned[a["id"]] and a["earned_at"][:7] == "2026-10" for a in r["achievements"])
    assert r["milestones"] == cli.json("status", "dmitry", "--as-of", "2026-10-31")["upcoming_milestones"]


def test_charts_windows_colours_and_target_line(cli, sample):
    charts = _report(cli, "--week", "--learner", "zoe")["charts"]
    progress = charts["progress"]
    assert len(progress["days"]) == 30 and progress["days"][-1]["date"] == "2026-11-22"
    assert progress["days"][-1]["progress"] == 100.0
    # The target runs from 0 at the first activity (2026-08-30) to 100 at the latest module
    # target date (2026-12-04): 84 of 96 days on 2026-11-22.
    assert (progress["first_activity"], progress["target_date"]) == ("2026-08-30", "2026-12-04")
    assert progress["days"][-1]["target"] == pytest.approx(84 / 96 * 100)
    heat = charts["heatmap"]
    assert (len(heat["days"]), heat["start"], heat["end"]) == (90, "2026-08-25", "2026-11-22")
    assert all(d["level"] == (0 if d["minutes"] < 0.5 else 1 if d["minutes"] < 14.5 else 2 if d["minutes"] < 29.5
                              else 3 if d["minutes"] < 59.5 else 4) for d in heat["days"])
    assert [s["skill"] for s in charts["skills"]][:2] == ["hazard-id", "ppe"]
    curve = charts["curve"]
    assert [p["attempt"] for p in curve] == list(range(1, len(curve) + 1))


def test_progress_line_follows_status_day_by_day(cli, sample):
    days = _report(cli, "--week", "2026-W41", "--learner", "athena")["charts"]["progress"]["days"]
    for day in (days[0], days[12], days[-1]):
        status = cli.json("status", "athena", "--as-of", day["date"])
        assert day["progress"] == pytest.approx(status["overall"]["total_progress"])


def test_no_target_line_without_a_catalog_target_date(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PROGRESS_CACHE_DIR", str(tmp_path / "cache"))
    catalog = tmp_path / "c.toml"
    catalog.write_text('[[modules]]\nid = "m"\ntasks = ["t1", "t2"]\n', encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text("".join(json.dumps({"learner_id": "ann", "module_id": "m", "task_id": f"t{i % 2 + 1}",
                                          "timestamp": f"2026-03-{10 + i:02d}T10:00:00Z", "score": 60 + 2 * i}) + "\n"
                              for i in range(6)), encoding="utf-8")
    cli("init", "--catalog", catalog)
    cli("import", events)
    r = cli.json("report", "--week", "--learner", "ann", "--as-of", "2026-03-20")
    assert r["charts"]["progress"]["target_date"] is None
    assert all(d["target"] is None for d in r["charts"]["progress"]["days"])
    assert r["summary"]["total_progress"] == 50.0  # t2 passed with 70 on 03-15; t1 never reached 70
    md = cli("report", "--week", "--learner", "ann", "--as-of", "2026-03-20", "--format", "md").stdout
    assert "no target line" in md


# DESIGN spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize("args, label, complete", [
    (("--week",), "2026-W47", True),
    (("--week", "2026-W47"), "2026-W47", True),
    (("--week", "2026-11-20"), "2026-W47", True),
    (("--week", "2026-W48"), "2026-W48", False),
    (("--month",), "2026-10", True),
    (("--month", "2026-11"), "2026-11", False),
    (("--learner", "sam", "--week"), "2026-W47", True),
])
def test_design_spellings_of_week_and_month(cli, sample, args, label, complete):
    learner = () if "--learner" in args else ("--learner", "sam")
    r = _report(cli, *args, *learner)
    assert (r["period"]["label"], r["period"]["complete"]) == (label, complete)


def test_a_running_period_is_reported_to_as_of(cli, sample):
    r = _report(cli, "--month", "2026-11", "--learner", "zoe")
    assert r["as_of"].startswith("2026-11-27T23:59:59")
    assert r["charts"]["heatmap"]["end"] == "2026-11-27"


@pytest.mark.parametrize("args, code, message", [
    ((), 2, "give one of --week [DATE|YYYY-Www] or --month [YYYY-MM]"),
    (("--week", "--month"), 2, "give one of"),
    (("--week", "--learner", "zoe", "--all"), 2, "not both"),
    (("--week", "--template", "x.j2"), 2, "--template applies to --format md"),
    (("--week", "--paper", "letter"), 2, "--paper and --font apply to --format pdf"),
    (("--week", "2026-W60"), 1, "2026 has no ISO week 60"),
    (("--week", "2026-W50"), 1, "starts after the as-of time"),
    (("--week", "--learner", "zeo"), 1, "no learner 'zeo' in the store; did you mean zoe"),
    (("--week", "--format", "docx"), 2, "docx"),
])
def test_usage_and_user_errors(cli, sample, args, code, message):
    result = cli("report", *args, *AS_OF, code=code)
    assert message in result.stderr


def test_nothing_to_report_in_an_empty_store(cli):
    cli("init")
    assert "no learners" in cli("report", "--week", code=4).stderr


# Markdown ------------------------------------------------------------------------------------


MARKDOWN = [(("--week", "--learner", "zoe"), "zoe", "2026-W47", "report-zoe-2026-W47.md"),
            (("--month", "2026-10", "--learner", "dmitry"), "dmitry", "2026-10", "report-dmitry-2026-10.md"),
            (("--week", "2026-W47", "--learner", "lukas"), "lukas", "2026-W47", "report-lukas-2026-W47.md")]


@pytest.mark.parametrize("args, learner, label, expected", MARKDOWN)
def test_markdown_key_figures_are_those_computed_by_hand(cli, sample, args, learner, label, expected):
    md = cli("report", *args, "--format", "md", *AS_OF).stdout
    figures = expected_summary(learner, label)
    for row, key in (("Overall progress", "progress"), ("Practice", "practice"), ("Attempts", "attempts"),
                     ("Tasks completed", "tasks"), ("Streak", "streak")):
        assert f"| {row} | {figures[key]} |" in md, row
    assert f"\n{figures['goal']}" in md
    rows = {line.split(" | ")[0][2:]: line for line in md.splitlines() if line.startswith("| ")}
    modules = expected_modules(learner, label)
    for title, cells in modules.items():
        assert cells in rows[title], title
    if not modules:
        assert "## Modules progressed\n\nNone this" in md
    ups, downs = expected_skill_moves(learner, label)
    assert _section(md, "Improvements") == ([f"- {t}" for t in ups] or [f"None this {PERIODS[label][0]}."])
    assert _section(md, "Challenges") == ([f"- {t}" for t in downs] or [f"None this {PERIODS[label][0]}."])


def _section(md: str, heading: str) -> list[str]:
    body = md.split(f"## {heading}\n\n", 1)[1].split("\n\n## ", 1)[0]
    return body.strip().splitlines()


@pytest.mark.parametrize("args, learner, label, expected", MARKDOWN)
def test_markdown_snapshot_matches_the_expected_file(cli, sample, args, learner, label, expected):
    """SNAPSHOT, not proof: tests/expected holds the program's own output, regenerated on purpose
    when the rendering changes (run the same command, then read the diff). It pins the layout,
    charts and wording; the figures in it are proven by the test above, from the raw events."""
    got = cli("report", *args, "--format", "md", *AS_OF).stdout
    assert got == (EXPECTED / expected).read_text(encoding="utf-8")


def test_markdown_with_a_user_template(cli, sample, tmp_path):
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ name }} | {{ report.period.label }} | {{ report.summary.attempts }} attempts | "
                        "{{ report.time.minutes | num(0) }} min | {{ sections.goals }}\n", encoding="utf-8")
    out = cli("report", "--week", "--learner", "zoe", "--format", "md", "--template", template, *AS_OF).stdout
    assert out == "Zoë Ñúñez-Ølsen | 2026-W47 | 41 attempts | 154 min | Next week's goals\n"


@pytest.mark.parametrize("body, message", [
    ("{% for x in %}", "line 1"),
    ("{{ report.nope }}", "nope"),
])
def test_a_broken_user_template_is_one_line_error(cli, sample, tmp_path, body, message):
    template = tmp_path / "bad.j2"
    template.write_text(body, encoding="utf-8")
    result = cli("report", "--week", "--learner", "zoe", "--format", "md", "--template", template, *AS_OF, code=1)
    assert result.stderr.startswith(f"Error: --template {template}") and message in result.stderr
    assert result.stderr.count("\n") == 1


# Terminal ------------------------------------------------------------------------------------


def test_terminal_report_shows_the_figures(sample):
    result = CliRunner().invoke(app, ["report", "--week", "--learner", "zoe", *AS_OF], env={"COLUMNS": "100"},
                                catch_exceptions=False)
    assert result.exit_code == 0
    out = result.stdout
    assert max(len(line) for line in out.splitlines()) <= 100
    for text in ("Weekly report 2026-W47", "Zoë Ñúñez-Ølsen (zoe)", "16–22 Nov 2026", "Workplace safety",
                 "· 0  ░ 1-14  ▒ 15-29  ▓ 30-59  █ 60+  minutes of practice"):
        assert text in out, text
    for text in zoe_week_figures():
        assert text in out, text


def zoe_week_figures() -> list[str]:
    """What zoe's report of 2026-W47 must show in any medium, each figure computed by hand."""
    last = PERIODS["2026-W47"][2]
    summary = expected_summary("zoe", "2026-W47")
    ups, downs = expected_skill_moves("zoe", "2026-W47")
    goal = by_hand.catalog()["weekly_goal_minutes"]
    weak = [f"{by_hand.skill_names()[skill]}: one of your weakest skills (mastery {m:.0f})"
            for skill, m in by_hand.weaknesses("zoe", end_of(last))]
    return [summary["progress"], summary["practice"], summary["attempts"], summary["streak"],
            summary["goal"] + "): goal met", *ups, *downs, *weak, f"Practise at least {goal} minutes next week",
            f"target: 0 at the first activity ({by_hand.first_activity('zoe')}) to 100 on {by_hand.target_date()}",
            f"{len(by_hand.attempts('zoe', dt.date.min, last))} scored attempts"]


def test_terminal_report_for_every_learner(cli, sample):
    out = cli("report", "--week", *AS_OF).stdout
    assert out.count("Weekly report 2026-W47") == 12


# Files and other learners --------------------------------------------------------------------


@pytest.mark.parametrize("fmt, ext", [("md", "md"), ("json", "json"), ("terminal", "txt")])
def test_every_learner_gets_one_predictably_named_file(cli, sample, tmp_path, fmt, ext):
    out = tmp_path / "reports"
    result = cli("report", "--month", "--all", "--format", fmt, "--out", f"{out}/", *AS_OF)
    assert sorted(p.name for p in out.iterdir()) == [f"{lid}-2026-10.{ext}" for lid in LEARNERS]
    assert result.stdout == f"Wrote 12 reports (2026-10) to {out}/\n"
    if fmt == "json":
        assert json.loads((out / "zoe-2026-10.json").read_text(encoding="utf-8"))["learner"]["id"] == "zoe"


def test_one_learner_to_a_file_or_into_a_directory(cli, sample, tmp_path):
    cli("report", "--week", "--learner", "zoe", "--format", "md", "--out", tmp_path / "mine.md", *AS_OF)
    assert (tmp_path / "mine.md").read_text(encoding="utf-8").startswith("# Weekly report 2026-W47: Zoë")
    cli("report", "--week", "--learner", "zoe", "--format", "md", "--out", tmp_path, *AS_OF)
    assert (tmp_path / "zoe-2026-W47.md").exists()


def test_an_out_with_a_trailing_slash_is_a_new_folder_not_a_file(cli, sample, tmp_path):
    """`Path("new/")` drops the slash: the one report went to a file named `new`."""
    cli("report", "--week", "--learner", "zoe", "--format", "md", "--out", f"{tmp_path / 'one'}/", *AS_OF)
    assert (tmp_path / "one" / "zoe-2026-W47.md").is_file()
    cli("report", "--week", "--team", "--format", "md", "--out", f"{tmp_path / 'team' / 'deep'}/", *AS_OF)
    assert [p.name for p in (tmp_path / "team" / "deep").iterdir()] == ["team-2026-W47.md"]
    cli("export", "zoe", "--format", "json", "--out", f"{tmp_path / 'export'}/")
    assert [p.name for p in (tmp_path / "export").iterdir()] == ["zoe-export.json"]


def test_json_for_every_learner_is_one_array(cli, sample):
    reports = json.loads(cli("report", "--week", "--format", "json", *AS_OF).stdout)
    assert [r["learner"]["id"] for r in reports] == LEARNERS
    assert all(set(r) == REPORT_KEYS for r in reports)


def test_quiet_writes_files_silently(cli, sample, tmp_path):
    assert cli("--quiet", "report", "--week", "--format", "md", "--out", tmp_path, *AS_OF).stdout == ""
    assert len(list(tmp_path.glob("*-2026-W47.md"))) == 12


def test_file_names_of_unusual_ids_are_safe_and_distinct():
    from progress_cli.services.output_files import report_name

    assert report_name("zoe", "2026-W47", "pdf") == "zoe-2026-W47.pdf"
    assert report_name("ann@example.org", "2026-11", "md") == "ann@example.org-2026-11.md"
    odd = [report_name(i, "2026-11", "md") for i in ("a/b", "a:b", "../x", "Зоя")]
    assert len(set(odd)) == 4 and all("/" not in n and not n.startswith(".") for n in odd)

