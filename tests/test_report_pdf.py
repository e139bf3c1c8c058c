"""PDF reports: extracted text (names in any script, period, headings, figures), pages,
paper sizes, vector charts, and the warning for a name the font cannot draw."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from progress_cli.render.report_text import SECTIONS
from tests.test_report_cli import AS_OF, LEARNERS, font_cache, sample, sample_db  # noqa: F401 (fixtures)
from tests.test_report_cli import zoe_week_figures

HEADINGS = list(SECTIONS.values())


def _pdf(cli, tmp_path, learner, *args) -> PdfReader:
    path = tmp_path / f"{learner}.pdf"
    result = cli("report", "--learner", learner, "--format", "pdf", "--out", path, *args, *AS_OF)
    assert result.stdout == f"Wrote {path}\n"
    return PdfReader(io.BytesIO(path.read_bytes()))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("learner, name", [
    ("zoe", "Zoë Ñúñez-Ølsen"),
    ("dmitry", "Дмитрий Иванов"),
    ("athena", "Αθηνά Παπαδοπούλου"),
    ("frank", "Frank O'Connor"),
])
def test_pdf_text_has_the_name_period_headings_and_figures(cli, sample, tmp_path, learner, name):
    reader = _pdf(cli, tmp_path, learner, "--week")
    text = _text(reader)
    report = cli.json("report", "--week", "--learner", learner, *AS_OF)
    assert name in text
    assert "Weekly report 2026-W47" in text and "16–22 Nov 2026" in text
    for heading in HEADINGS:
        assert heading in text, heading
    minutes = report["time"]["minutes"]
    assert f"{minutes:.0f} of 150 minutes" in text
    assert f"Attempts {report['summary']['attempts']}," in text or f"{report['summary']['attempts']}, average" in text
    for m in report["modules"]:
        assert m["title"] in text
    assert len(reader.pages) == 2
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
    assert reader.metadata.title == f"Weekly report 2026-W47: {name}"


def test_zoe_figures_in_the_pdf(cli, sample, tmp_path):
    text = " ".join(_text(_pdf(cli, tmp_path, "zoe", "--week")).split())  # a long line may wrap
    for figure in [*zoe_week_figures(), "minutes of practice"]:  # computed by hand from the events
        assert figure in text, figure


@pytest.mark.parametrize("paper, size", [("a4", (595.28, 841.89)), ("letter", (612, 792))])
def test_paper_sizes(cli, sample, tmp_path, paper, size):
    reader = _pdf(cli, tmp_path, "zoe", "--week", "--paper", paper)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size, abs=0.01)


def test_charts_are_vector_drawings_not_pictures(cli, sample, tmp_path):
    reader = _pdf(cli, tmp_path, "zoe", "--week")
    charts = reader.pages[1]
    assert "/XObject" not in charts["/Resources"]  # no embedded image anywhere
    content = charts.get_contents().get_data().decode("latin-1")
    assert content.count(" re ") > 90  # heatmap cells and legend swatches (90 days + 5)
    assert re.search(r"\[[\d.]+ [\d.]+\] [\d.]+ d", content)  # the dashed target line
    assert "0.2314 0.5098 0.9647 RG" in content  # rgb(59,130,246): progress line, radar, curve
    assert "0.6118 0.6392 0.6863 RG" in content  # rgb(156,163,175): the target line
    assert re.search(r"/GS\d+ gs", content)  # the radar's translucent fill
    states = charts["/Resources"]["/ExtGState"]
    assert any(float(state.get_object().get("/ca", 1)) == 0.2 for state in states.values())


def test_monthly_pdf_and_a_learner_without_activity(cli, sample, tmp_path):
    text = _text(_pdf(cli, tmp_path, "lukas", "--month", "2026-11"))
    assert "Monthly report 2026-11" in text and "1–30 Nov 2026 (to date)" in text
    assert "None this month." in text


def test_every_learner_renders_as_pdf(cli, sample, tmp_path):
    out = tmp_path / "pdf"
    cli("report", "--week", "--format", "pdf", "--out", out, *AS_OF)
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"{lid}-2026-W47.pdf" for lid in LEARNERS]
    for f in files:
        reader = PdfReader(f)
        assert len(reader.pages) == 2 and "Weekly report 2026-W47" in reader.pages[0].extract_text()


def test_a_name_the_font_cannot_draw_warns_and_shows_the_id(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PROGRESS_CACHE_DIR", str(tmp_path / "cache"))
    events = tmp_path / "e.jsonl"
    events.write_text("".join(json.dumps({"learner_id": "wang", "learner_name": "王小明", "module_id": "m",
                                          "task_id": "t", "timestamp": f"2026-03-1{i}T10:00:00Z", "score": 80})
                              + "\n" for i in range(3)), encoding="utf-8")
    cli("import", events)
    path = tmp_path / "wang.pdf"
    result = cli("report", "--week", "--learner", "wang", "--format", "pdf", "--out", path, "--as-of", "2026-03-20")
    assert "Warning:" in result.stderr and "王小明" in result.stderr and "--font TTF" in result.stderr
    text = _text(PdfReader(path))
    assert "wang" in text and "Weekly report 2026-W11" in text
    assert "王" not in text


def test_font_option_takes_a_ttf_and_refuses_other_files(cli, sample, tmp_path):
    from progress_cli.render.pdf_fonts import _shipped

    dejavu = _shipped("DejaVuSans.ttf")
    reader = _pdf(cli, tmp_path, "dmitry", "--week", "--font", dejavu)
    assert "Дмитрий Иванов" in _text(reader)
    bad = tmp_path / "not-a-font.ttf"
    bad.write_text("hello", encoding="utf-8")
    result = cli("report", "--week", "--learner", "zoe", "--format", "pdf", "--font", bad, "--out", tmp_path,
                 *AS_OF, code=1)
    assert result.stderr.startswith(f"Error: --font {bad}: not a TrueType/OpenType font")


def test_letters_only_the_last_footer_draws_are_in_the_embedded_font(font_cache, monkeypatch):  # noqa: F811
    # fpdf2 draws the last page's footer inside output(): the faces are cut after it
    monkeypatch.setenv("PROGRESS_CACHE_DIR", str(font_cache))
    from progress_cli.render.pdf_doc import Document
    from progress_cli.render.pdf_fonts import choose_fonts

    pdf = Document(paper="a4", fonts=choose_fonts("Team красные"), footer="Team красные", title="Team")
    pdf.add_page()
    pdf.title_block("Weekly team report", "Team", "16–22 Nov 2026")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    assert "Team красные" in reader.pages[0].extract_text()
