"""`progress chart progress|skills|heatmap|curve LEARNER`: one chart in the terminal, or its data."""

import pytest
from typer.testing import CliRunner

from progress_cli.cli import app
from tests.test_report_cli import AS_OF, font_cache, sample, sample_db  # noqa: F401 (fixtures)


def _chart(*args) -> str:
    result = CliRunner().invoke(app, ["chart", *args, *AS_OF], env={"COLUMNS": "90"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 90
    return result.stdout


def test_progress_chart_has_axes_dates_and_the_target_legend(sample):
    out = _chart("progress", "zoe")
    assert out.startswith("Progress vs target (last 30 days) · Zoë Ñúñez-Ølsen (zoe) · as of 2026-11-27 23:59")
    for text in ("100┤", "  0┤", "10-29", "11-27", "overall progress %",
                 "target: 0 at the first activity (2026-08-30) to 100 on 2026-12-04"):
        assert text in out, text


def test_skills_chart_names_every_skill(sample):
    out = _chart("skills", "kenji")
    for name in ("Hazard identification", "Lockout/tagout", "Evacuation and fire response"):
        assert name in out
    assert "█" in out


def test_heatmap_is_a_calendar_grid_with_the_legend(sample):
    out = _chart("heatmap", "frank")  # weekends only
    lines = out.splitlines()
    rows = {line[:3]: line[4:] for line in lines if line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
    assert set(rows) == {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    assert set(rows["Wed"].split()) == {"·"}  # never practises mid-week
    assert set(rows["Sat"].split()) - {"·"}  # practises on Saturdays
    assert "· 0  ░ 1-14  ▒ 15-29  ▓ 30-59  █ 60+  minutes of practice" in out
    assert "2026-08-30 to 2026-11-27:" in out


def test_curve_numbers_the_attempts(sample, cli):
    out = _chart("curve", "athena")
    data = cli.json("chart", "curve", "athena", *AS_OF)["data"]
    assert f"{len(data)} scored attempts, oldest first" in out
    assert data[0]["attempt"] == 1 and data[-1]["attempt"] == len(data)


def test_chart_json_is_the_report_chart_data(cli, sample):
    chart = cli.json("chart", "heatmap", "zoe", *AS_OF)
    assert set(chart) == {"learner", "as_of", "chart", "data"} and chart["chart"] == "heatmap"
    report = cli.json("report", "--month", "2026-11", "--learner", "zoe", *AS_OF)  # runs to the same as_of
    assert chart["data"] == report["charts"]["heatmap"]


def test_unknown_chart_or_learner(cli, sample):
    assert "radar" in cli("chart", "radar", "zoe", code=2).stderr
    assert cli("chart", "skills", "zeo", code=1).stderr.startswith("Error: no learner 'zeo' in the store")


def _no_progress(data) -> bool:  # 30 days, none with progress or a target (no catalog)
    return len(data["days"]) == 30 and all(d["progress"] is None and d["target"] is None for d in data["days"])


def _no_minutes(data) -> bool:  # 90 days, all empty
    return len(data["days"]) == 90 and all((d["minutes"], d["level"]) == (0.0, 0) for d in data["days"])


@pytest.mark.parametrize("kind, texts, empty", [
    ("progress", ["Progress vs target (last 30 days) · new (new)", "100┤", "  0┤", "10-29", "11-27",
                  "(no target line: the catalog sets no target date)"], _no_progress),
    ("skills", ["Skills (current level) · new (new)", "No skill practised yet."], lambda data: data == []),
    ("heatmap", ["Activity (last 90 days) · new (new)", "2026-08-30 to 2026-11-27: 0 minutes on 0 days"], _no_minutes),
    ("curve", ["Learning curve (score per attempt) · new (new)", "No scored attempts yet."], lambda data: data == []),
])
def test_a_learner_without_scores_gets_empty_charts_not_errors(cli, tmp_path, kind, texts, empty):
    events = tmp_path / "e.jsonl"
    events.write_text('{"learner_id": "new", "module_id": "m", "type": "session_start", '
                      '"timestamp": "2026-11-27T08:00:00Z"}\n', encoding="utf-8")
    cli("import", events)
    out = cli("chart", kind, "new", *AS_OF).stdout
    for text in texts:
        assert text in out, text
    body = out.split("\n", 1)[1].rsplit("\n", 3)[0]  # without the title and the legend
    assert not [c for c in body if "\u2800" <= c <= "\u28ff" or c in "█▄▀•"]  # no line (braille), bar or point
    if kind == "heatmap":
        cells = [line[4:].split() for line in out.splitlines() if line[:3] in ("Mon", "Tue", "Sat", "Sun")]
        assert len(cells) == 4 and {c for row in cells for c in row} == {"·"}
    chart = cli.json("chart", kind, "new", *AS_OF)
    assert (chart["learner"], chart["chart"]) == ({"id": "new", "name": None}, kind)
    assert empty(chart["data"]), chart["data"]
