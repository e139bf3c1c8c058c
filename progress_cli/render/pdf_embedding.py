"""Embedding the PDF fonts in fpdf2 documents quickly, for batches of hundreds of PDFs
(reports, exports and certificates).

fpdf2 parses every font it is given and, when it writes the document, cuts each face down to
the glyphs used with fontTools: together most of the time of a small document. Here each
face is parsed once per process and shared by every document, and the cut-down faces are
made once per glyph set and reused; documents of a batch use a handful of glyph sets
(printable ASCII, the layout's symbols, plus whole letter blocks: accented Latin, Greek,
Cyrillic). The result is the same font fpdf2 would embed. Any failure falls back to fpdf2's
own way.
"""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import fpdf.output as fpdf_output
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from progress_cli.render.pdf_fonts import FAMILY, LAYOUT_SYMBOLS, FontChoice

_LOCK = threading.RLock()


class EmbeddedFonts:
    """Mixin for an fpdf2 document class: `use_fonts(choice)` adds the faces as family FAMILY
    (see `install_fonts`), and `output()` embeds them cut down once per glyph set."""

    def use_fonts(self, choice: FontChoice) -> None:
        install_fonts(self, choice)

    def output(self, *args, **kwargs):
        # The faces are cut once the document is finished: fpdf2 draws the last page's footer
        # inside output(), and a letter only the footer uses must be in the cut too.
        kwargs.setdefault("output_producer_class", _CutFontsFirst)
        try:
            with cuts_reused():
                return super().output(*args, **kwargs)
        finally:
            after_output(self)


class _CutFontsFirst(fpdf_output.OutputProducer):
    """fpdf2's writer, giving the faces their cut (`before_output`) when it starts."""

    def bufferize(self):
        before_output(self.fpdf)
        return super().bufferize()


def install_fonts(pdf, choice: FontChoice) -> None:
    """Add the chosen faces to an fpdf2 document as family FAMILY: copies of faces parsed
    once per process, sharing the parsed tables (metrics, cmap), each with its own record of
    the glyphs used. Falls back to fpdf2's own `add_font` if that ever fails."""
    for style, path in choice.files.items():
        try:
            font = _copy_of(_parsed(path, style), path, len(pdf.fonts) + 1)
        except Exception:  # an fpdf2 whose font internals differ: the slow, documented way
            pdf.add_font(FAMILY, style, path)
            continue
        pdf.fonts[font.fontkey] = font


@lru_cache(maxsize=8)
def _parsed(path: str, style: str):
    return TTFFont(FPDF(), Path(path), f"{FAMILY.lower()}{style}", style)


def _copy_of(template, path: str, index: int):
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:  # shared: parsed, read-only while drawing
        if hasattr(template, name):
            setattr(font, name, getattr(template, name))
    # Own: the fontTools font fpdf2 cuts down when it writes (given by `before_output`), the
    # glyphs used, the missing ones.
    font.ttfont = _LazyFile(path, template.ttfont.getGlyphOrder())
    font.i = index
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


class _LazyFile:
    """Stands in for a face's fontTools font until the document is written; nothing reads
    it while drawing, and `before_output` replaces it."""

    def __init__(self, path: str, glyph_order: list[str]) -> None:
        self.path, self.glyph_order = path, glyph_order

    def open(self):
        font = ttLib.TTFont(self.path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font.setGlyphOrder(self.glyph_order)
        return font


def before_output(pdf) -> None:
    """Give each of our faces the font cut to the glyphs the document uses (see `_cut_for`);
    any failure leaves fpdf2 to cut the whole face itself."""
    for font in list(pdf.fonts.values()):
        if not isinstance(font, TTFFont) or not isinstance(font.ttfont, _LazyFile):
            continue
        lazy = font.ttfont
        try:
            font.ttfont = _cut_for(font, lazy.path)
        except Exception:
            font.ttfont = lazy.open()


def after_output(pdf) -> None:
    """Close the document's font handles and drop fpdf2's per-glyph caches, which would
    otherwise keep every document of a long batch alive."""
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont) and hasattr(font.ttfont, "close"):
            font.ttfont.close()
    for cached in (SubsetMap.pick, SubsetMap.get_glyph):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


@contextmanager
def cuts_reused():
    """While fpdf2 writes a document, skip its own subsetting for faces already cut (`_Cut`).

    fpdf2 cuts every embedded face down to the glyphs used, with fontTools, for every
    document: tens of milliseconds per face even for a hundred glyphs. Documents of a batch
    use a handful of glyph sets, so each set is cut once (exactly as fpdf2 would) and kept.
    """
    real = getattr(fpdf_output, "ftsubset", None)
    if real is None:  # an fpdf2 that subsets some other way: let it
        yield
        return
    with _LOCK:
        fpdf_output.ftsubset = _SubsetModule(real)
        try:
            yield
        finally:
            fpdf_output.ftsubset = real


class _SubsetModule:
    """`fontTools.subset` as fpdf2 uses it, but a no-op on faces already cut."""

    def __init__(self, real) -> None:
        self.Options = real.Options
        real_subsetter = real.Subsetter

        class Subsetter:
            def __init__(self, options=None) -> None:
                self._real = real_subsetter(options)

            def populate(self, *args, **kwargs) -> None:
                self._populate = (args, kwargs)

            def subset(self, font) -> None:
                if isinstance(font, _Cut):
                    return
                self._real.populate(*self._populate[0], **self._populate[1])
                self._real.subset(font)

        self.Subsetter = Subsetter


# Letters added whole to a document's glyphs when it uses one of them (names in Latin with
# accents, Greek, Cyrillic), so that documents fall into a few glyph sets.
_LETTER_BLOCKS = ((0x00C0, 0x017F), (0x0386, 0x03CE), (0x0400, 0x045F))
_CUTS: dict[tuple[str, frozenset[str]], tuple[bytes, list[str]]] = {}
_CUTS_KEPT = 64


def _cut_for(font, path: str):
    """The face cut to this document's glyphs: printable ASCII, every character it draws,
    and whole letter blocks it touches; built once per glyph set."""
    used = {cp for glyph, _ in font.subset.items() if glyph is not None and isinstance(glyph.unicode, tuple)
            for cp in glyph.unicode}
    wanted = set(range(0x20, 0x7F)) | {ord(c) for c in LAYOUT_SYMBOLS}
    for lo, hi in _LETTER_BLOCKS:
        if any(lo <= cp <= hi for cp in used):
            wanted.update(range(lo, hi + 1))
    for cp in sorted(wanted - used):
        if cp in font.glyph_ids:
            font.subset.pick(cp)
    key = (path, frozenset(font.subset.get_all_glyph_names()))
    with _LOCK:
        found = _CUTS.get(key)
    if found is None:
        found = _cut_bytes(path, key[1])
        with _LOCK:
            if len(_CUTS) >= _CUTS_KEPT:
                _CUTS.pop(next(iter(_CUTS)))
            _CUTS[key] = found
    return _Cut(*found)


def _cut_bytes(path: str, glyph_names: frozenset[str]) -> tuple[bytes, list[str]]:
    """What fpdf2 itself would embed for these glyphs (its own options), and its glyph order."""
    font = ttLib.TTFont(path, recalcTimestamp=False)
    options = subset.Options(notdef_outline=True, recommended_glyphs=True)
    options.hinting = False  # 40% smaller faces (certificates: 51 -> 31 KiB); viewers need no hints
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC",
                            "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyph_names))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    order = font.getGlyphOrder()
    font.close()
    return buffer.getvalue(), order


class _Cut(ttLib.TTFont):
    """A face already cut for one document: fpdf2 reads its glyph ids and writes its bytes."""

    def __init__(self, data: bytes, glyph_order: list[str]) -> None:
        super().__init__(io.BytesIO(data), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
        self._data = data
        self.setGlyphOrder(list(glyph_order))

    def save(self, file, reorderTables=True) -> None:  # noqa: N803 (fontTools' name)
        file.write(self._data)
