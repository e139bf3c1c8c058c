"""The PDF certificate: landscape A4, DejaVu Sans, the verification code and its QR code.

The compact VC-JWT is attached to the PDF (an embedded file, `credential.jwt`, stored
uncompressed), so `progress cert verify certificate.pdf` can check the PDF itself
(`certs.credential.token_in_pdf`). Fonts as for reports (`pdf_fonts`, `pdf_embedding`):
each face parsed once per process, cut once per glyph set.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from contextlib import contextmanager
from typing import Iterator
from zoneinfo import ZoneInfo

from fpdf import FPDF

from progress_cli.certs.model import Certificate
from progress_cli.render.pdf_embedding import EmbeddedFonts
from progress_cli.render.pdf_fonts import FAMILY, choose_fonts
from progress_cli.render.qr import qr_runs

PAGE_W, PAGE_H = 297.0, 210.0
ACCENT = (29, 78, 216)  # #1d4ed8
ACCENT_LIGHT = (59, 130, 246)  # rgb(59,130,246)
TEXT = (31, 41, 55)
MUTED = (107, 114, 128)
ATTACHMENT = "credential.jwt"
MAX_SKILL_LINES = 16


class _Page(EmbeddedFonts, FPDF):
    pass


def render_certificate_pdf(cert: Certificate, *, token: str, issuer: str, tz: ZoneInfo,
                           issuer_name: str | None = None, page_url: str | None = None) -> bytes:
    """The certificate as PDF bytes; `token` is attached, `issuer` (the DID) and `issuer_name`
    printed; the QR code and the link lead to `page_url` when the issuer publishes one."""
    with _quiet_fpdf():  # a glyph DejaVu lacks (CJK, say) shows as a box; not cron noise
        return _render(cert, token=token, issuer=issuer, tz=tz, issuer_name=issuer_name, page_url=page_url)


def _render(cert: Certificate, *, token: str, issuer: str, tz: ZoneInfo, issuer_name: str | None,
            page_url: str | None) -> bytes:
    texts = _texts(cert, issuer, tz, issuer_name, page_url)
    pdf = _Page(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.use_fonts(choose_fonts("".join(texts.values()) + "".join(s.name for s in cert.skills) + "\u2022\u2026"))
    pdf.set_title(f"{cert.certification}: {cert.display_name}")
    pdf.set_subject(f"Certificate {cert.code}")
    pdf.set_author(issuer_name or "progress-cli")
    pdf.set_creator("progress-cli")
    pdf.set_keywords(cert.code)
    pdf.set_creation_date(cert.issued_at)
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, cert, texts)
    _skills(pdf, cert)
    _footer(pdf, texts)
    _qr(pdf, cert.code, page_url or cert.code)
    pdf.embed_file(bytes=token.encode("ascii"), basename=ATTACHMENT, desc="Open Badges 3.0 credential (VC-JWT)",
                   mime_type="application/jwt", modification_date=cert.issued_at, compress=False)
    return bytes(pdf.output())


@contextmanager
def _quiet_fpdf() -> Iterator[None]:
    logger = logging.getLogger("fpdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _texts(cert: Certificate, issuer: str, tz: ZoneInfo, issuer_name: str | None,
           page_url: str | None) -> dict[str, str]:
    score = "" if cert.overall_score is None else f"Overall score {cert.overall_score:.1f} / 100"
    by = f" by {_nfc(issuer_name)}" if issuer_name else ""
    return {
        "certification": _nfc(cert.certification),
        "name": _nfc(cert.display_name),
        "score": score,
        "issued": f"Issued {_day(cert.issued_at, tz)}{by}",
        "until": f"Valid until {_day(cert.valid_until, tz)}",
        "code": cert.code,
        "id": f"Certificate urn:uuid:{cert.certificate_id}",
        "issuer": f"Issuer {issuer}",
        "verify": f"Verify: {page_url}" if page_url else f"Verify offline: progress cert verify {cert.code}",
    }


def _frame(pdf) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_draw_color(*ACCENT_LIGHT)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)


def _heading(pdf, cert: Certificate, texts: dict[str, str]) -> None:
    _centred(pdf, 24, "CERTIFICATE", size=13, color=MUTED, spacing=2)
    _centred(pdf, 34, texts["certification"], size=26, bold=True, color=ACCENT, fit=250)
    _centred(pdf, 52, "awarded to", size=12, color=MUTED)
    _centred(pdf, 62, texts["name"], size=32, bold=True, color=TEXT, fit=250)
    pdf.set_draw_color(*ACCENT_LIGHT)
    pdf.set_line_width(0.4)
    pdf.line(70, 79, PAGE_W - 70, 79)
    _centred(pdf, 83, "for meeting every requirement of the certification", size=11, color=MUTED)
    if texts["score"]:
        _centred(pdf, 91, texts["score"], size=12, color=TEXT)


def _skills(pdf, cert: Certificate) -> None:
    if not cert.skills:
        return
    x, y = 24.0, 104.0
    pdf.set_text_color(*TEXT)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(x, y)
    pdf.cell(text="Verified skills")
    shown = list(cert.skills)
    if len(shown) > MAX_SKILL_LINES:
        shown = shown[:MAX_SKILL_LINES - 1]
    per_column = 8
    pdf.set_font(FAMILY, "", 10)
    for i, skill in enumerate(shown):
        column, row = divmod(i, per_column)
        mastery = "" if skill.mastery is None else f"  mastery {skill.mastery:.1f}"
        pdf.set_xy(x + column * 92, y + 7 + row * 6)
        pdf.cell(w=90, text=_fit(pdf, f"\u2022 {_nfc(skill.name)}{mastery}", 88))
    if len(shown) < len(cert.skills):
        pdf.set_xy(x + 92, y + 7 + (per_column - 1) * 6)
        pdf.cell(text=f"\u2026 and {len(cert.skills) - len(shown)} more")


def _footer(pdf, texts: dict[str, str]) -> None:
    pdf.set_text_color(*TEXT)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(24, 164)
    pdf.cell(text=f"{texts['issued']}   \u2022   {texts['until']}")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FAMILY, "", 8)
    for i, key in enumerate(("id", "issuer", "verify")):
        pdf.set_xy(24, 172 + i * 5)
        pdf.cell(text=_fit(pdf, texts[key], 190))


def _qr(pdf, code: str, content: str) -> None:
    qr = qr_runs(content)
    side = 34.0
    module = side / qr.size
    left, top = PAGE_W - 24 - side, 136.0
    pdf.set_fill_color(0, 0, 0)
    for row, col, length in qr.runs:
        pdf.rect(left + col * module, top + row * module, length * module, module, style="F")
    pdf.set_text_color(*TEXT)
    pdf.set_font(FAMILY, "B", 12)
    width = pdf.get_string_width(code)
    pdf.set_xy(left + side / 2 - width / 2 - 1, top + side + 3)
    pdf.cell(text=code)


def _centred(pdf, y: float, text: str, *, size: float, bold: bool = False, color=TEXT, fit: float | None = None,
             spacing: float = 0) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_char_spacing(spacing)
    while fit and size > 12 and pdf.get_string_width(text) > fit:
        size -= 1
        pdf.set_font_size(size)
    pdf.set_text_color(*color)
    pdf.set_xy(0, y)
    pdf.cell(w=PAGE_W, h=size * 0.45, text=text, align="C")
    pdf.set_char_spacing(0)


def _fit(pdf, text: str, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "\u2026") > width:
        text = text[:-1]
    return text + "\u2026"


def _day(moment: dt.datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
