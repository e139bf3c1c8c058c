"""`--format html`: one self-contained page (no script, nothing fetched) that headless
Chromium renders with the figures of the JSON, for a learner and for a team."""

import re
from html.parser import HTMLParser

import pytest

from progress_cli.render import team_text
from tests.browser import dump_dom, require_chromium, screenshot
from tests.test_report_cli import font_cache, sample, sample_db  # noqa: F401  (shared fixtures)

AS_OF = ("--as-of", "2026-11-27")
SEED_COLOURS = ("rgb(59,130,246)", "rgb(156,163,175)", "rgba(59,130,246,0.2)",
                "#f3f4f6", "#bfdbfe", "#60a5fa", "#2563eb", "#1d4ed8")


class Page(HTMLParser):
    """The parts of a rendered report the tests compare: elements with data-* attributes and
    their text, table rows with their cells."""

    VOID = {"meta", "br", "img", "input", "hr", "link", "col", "source", "wbr", "area", "base"}

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[tuple[dict, list[str]]] = []  # (attributes, text pieces)
        self.rows: dict[str, list[str]] = {}
        self._stack: list[tuple[str, dict, list[str] | None]] = []  # tag, attributes, text if collected
        self._row: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        if tag == "tr" and "data-learner" in attrs:
            self._row = attrs["data-learner"]
            self.rows[self._row] = []
        collect = tag == "td" and self._row is not None or any(
            k.startswith("data-") and k != "data-label" for k in attrs)
        self._stack.append((tag, attrs, [] if collect else None))

    def handle_endtag(self, tag):
        if tag in self.VOID or not self._stack:
            return
        open_tag, attrs, text = self._stack.pop()
        assert open_tag == tag, (open_tag, tag)
        if tag == "td" and self._row is not None:
            self.rows[self._row].append("".join(text).strip())
        elif tag == "tr":
            self._row = None
        if text is not None and (tag != "td" or "data-value" in attrs):
            self.marked.append((attrs, text))

    def handle_data(self, data):
        for _, _, text in self._stack:
            if text is not None:
                text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def assert_self_contained(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<link" not in lowered and "@import" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", lowered)
    assert re.findall(r"https?://[^\s\"'<>]+", html) == ["http://www.w3.org/2000/svg"] * html.count("xmlns=")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "@media (max-width:640px)" in html


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


def test_team_page_has_the_json_figures(cli, sample, chromium, tmp_path):
    report = cli.json("report", "--week", "--team", *AS_OF)
    cli("report", "--week", "--team", *AS_OF, "--format", "html", "--out", tmp_path / "team.html")
    html = (tmp_path / "team.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    page = parse(dump_dom(tmp_path / "team.html"))
    cards = {a["data-key"]: (a["data-value"], "".join(t)) for a, t in page.marked if "data-key" in a}
    h = report["headline"]
    for key in ("learners", "active", "goal_met", "at_risk"):
        assert int(cards[key][0]) == h[key] and str(h[key]) in cards[key][1]
    assert float(cards["practice_minutes"][0]) == h["practice_minutes"]
    assert f"{h['practice_minutes']:.0f}" in cards["practice_minutes"][1]
    # every learner, in the JSON's order, each cell as the JSON's figures read
    assert list(page.rows) == [r["learner_id"] for r in report["learners"]]
    for row in report["learners"]:
        cells = page.rows[row["learner_id"]]
        assert cells == team_text.learner_cells(row, report)
        progress = "—" if row["total_progress"] is None else f"{row['total_progress']:.0f}%"
        assert cells[1] == progress
        assert cells[3] == ("no activity" if not row["active"] else
                            f"{row['week_minutes']:.0f}/{h['goal_minutes']:.0f}" + ("✓" if row["goal_met"] else ""))
        assert cells[10].startswith("—" if row["risk"] is None else f"{row['risk'] * 100:.0f}%")
    risks = [(a["data-learner"], float(a["data-risk"])) for a, _ in page.marked if "data-risk" in a]
    assert risks == [(x["learner_id"], x["risk"]) for x in report["at_risk"]]
    buckets = [int(a["data-count"]) for a, _ in page.marked if "data-bucket" in a]
    c = report["certification"]
    assert buckets == [len(c["eligible"]), len(c["issued"]), len(c["expiring"]), len(c["revoked"])]
    desktop = screenshot(tmp_path / "team.html", tmp_path / "team.png", width=1280, height=2200)
    phone = screenshot(tmp_path / "team.html", tmp_path / "team-phone.png", width=390, height=3000)
    assert desktop.stat().st_size > 50_000 and phone.stat().st_size > 50_000


def test_learner_page_has_the_json_figures_and_the_charts(cli, sample, chromium, tmp_path):
    report = cli.json("report", "--week", "--learner", "zoe", *AS_OF)
    cli("report", "--week", "--learner", "zoe", *AS_OF, "--format", "html", "--out", tmp_path / "zoe.html")
    html = (tmp_path / "zoe.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert html.count("<svg") == 4 and all(colour in html for colour in SEED_COLOURS)
    dom = dump_dom(tmp_path / "zoe.html")
    page = parse(dom)
    minutes = [float(a["data-minutes"]) for a, _ in page.marked if "data-minutes" in a]
    assert minutes == [report["time"]["minutes"]]
    completion = [a["data-value"] for a, _ in page.marked if "data-value" in a]
    assert "Zoë Ñúñez-Ølsen" in dom and f"{report['summary']['attempts']}, average score" in dom
    assert [m["completion_rate"] for m in report["modules"]] == [float(v) for v in completion]
    assert dom.count("<rect") >= len(report["charts"]["heatmap"]["days"])
    desktop = screenshot(tmp_path / "zoe.html", tmp_path / "zoe.png", width=1280, height=3000)
    phone = screenshot(tmp_path / "zoe.html", tmp_path / "zoe-phone.png", width=390, height=4000)
    assert desktop.stat().st_size > 50_000 and phone.stat().st_size > 50_000


def test_html_for_several_learners_goes_to_files(cli, sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = cli("report", "--week", *AS_OF, "--format", "html").stdout
    assert out.startswith("Wrote 12 reports (2026-W47) to ./")
    assert len(list(tmp_path.glob("*-2026-W47.html"))) == 12
