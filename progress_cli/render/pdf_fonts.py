"""Fonts for PDF reports and exports: DejaVu Sans (shipped), or the user's `--font TTF`.

fpdf2 parses and subsets an embedded font for every document, which costs a few hundred
milliseconds with the whole of DejaVu Sans (6,000 glyphs). Most text of a report is Latin,
Greek or Cyrillic, so the default is a compact cut of DejaVu Sans with those scripts
(about 1,500 glyphs) that fpdf2 handles several times faster. It is built once and kept in
the user cache dir (PROGRESS_CACHE_DIR, else XDG_CACHE_HOME or ~/.cache, then
progress-cli/fonts); when that is not writable, once per process in a temp dir. A document
with a character outside the cut uses the whole font.

A character that the chosen font lacks (CJK with DejaVu, say) is never a crash or a
silent blank: `FontChoice.missing` lists it, the caller warns naming `--font TTF`, and the
text is drawn with a replacement (the learner id stands in for a name).

How the chosen faces get into a document cheaply is `pdf_embedding.py`.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from fontTools import subset, ttLib

from progress_cli.errors import ProgressError

FAMILY = "ReportSans"
DEJAVU = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CUT_VERSION = 1  # bump when the ranges below change
CUT_RANGES = (
    (0x0020, 0x007E), (0x00A0, 0x024F),  # Latin, Latin-1, Latin Extended-A and B
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF), (0x1F00, 0x1FFF),  # Greek, Greek Extended
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F), (0x20A0, 0x20CF),  # general punctuation, currency
    (0x2190, 0x21FF), (0x2212, 0x2212), (0x2248, 0x2248), (0x2260, 0x2265),  # arrows, a little maths
    (0x25A0, 0x25FF), (0x2610, 0x2612), (0x2713, 0x2714),  # shapes, ballot boxes, ticks
)
REPLACEMENT = "?"
LAYOUT_SYMBOLS = "☐—–→·•…"  # what the layouts themselves draw, in every document
_LOCK = threading.RLock()


@dataclass(frozen=True, eq=False)
class FontChoice:
    """The font files of one document and the characters they can draw."""

    files: dict[str, str]  # style ("" regular, "B" bold) -> path
    name: str  # for messages
    coverage: frozenset[int]
    user_font: bool

    def missing(self, text: str) -> list[str]:
        """Distinct characters of `text` the font lacks, in order of appearance (whitespace aside)."""
        return list(dict.fromkeys(c for c in text if ord(c) not in self.coverage and not c.isspace()))

    def drawable(self, text: str) -> str:
        """`text` with each character the font lacks replaced by REPLACEMENT."""
        if self._chars.issuperset(text):
            return text
        return "".join(c if c.isspace() or ord(c) in self.coverage else REPLACEMENT for c in text)

    @cached_property
    def _chars(self) -> frozenset[str]:
        return frozenset(map(chr, self.coverage))


def choose_fonts(text: str, user_font: str | None = None) -> FontChoice:
    """The fonts for a document that will draw `text` (all of its strings joined)."""
    if user_font:
        return _user_font(str(Path(user_font).expanduser()))
    needed = {ord(c) for c in text if not c.isspace()}
    cut = _cut_fonts()
    if cut is not None and needed <= cut.coverage:
        return cut
    return _full_fonts()


@lru_cache(maxsize=4)
def _user_font(path: str) -> FontChoice:
    if not Path(path).is_file():
        raise ProgressError(f"--font {path}: no such file")
    try:
        coverage = _coverage(path)
    except Exception as exc:  # fontTools raises many kinds on a file that is not a font
        raise ProgressError(f"--font {path}: not a TrueType/OpenType font ({type(exc).__name__})") from None
    return FontChoice(files={"": path, "B": path}, name=Path(path).name, coverage=coverage, user_font=True)


@lru_cache(maxsize=1)
def _full_fonts() -> FontChoice:
    files = {style: str(_shipped(name)) for style, name in DEJAVU.items()}
    coverage = _coverage(files[""]) & _coverage(files["B"])
    return FontChoice(files=files, name="DejaVu Sans", coverage=coverage, user_font=False)


@lru_cache(maxsize=1)
def _cut_fonts() -> FontChoice | None:
    """The compact cut (built on first use, then read from the cache dir); None if it cannot be built."""
    with _LOCK:
        try:
            files = {style: str(_cut_file(style, name)) for style, name in DEJAVU.items()}
        except OSError:
            return None
    coverage = _coverage(files[""]) & _coverage(files["B"])
    return FontChoice(files=files, name="DejaVu Sans", coverage=coverage, user_font=False)


def _cut_file(style: str, name: str) -> Path:
    source = _shipped(name)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target_name = f"{Path(name).stem}-cut{CUT_VERSION}-{digest}.ttf"
    for folder in (_cache_dir(), _process_dir()):
        target = folder / target_name
        if target.is_file():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_cut(source, target)
            return target
        except OSError:
            continue
    raise OSError("no writable folder for the font cut")


def _write_cut(source: Path, target: Path) -> None:
    font = ttLib.TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.layout_features = []  # fpdf2 does not shape text without text shaping on
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH", "hdmx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for lo, hi in CUT_RANGES for u in range(lo, hi + 1)])
    subsetter.subset(font)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        font.save(temporary)
        os.replace(temporary, target)  # atomic: a concurrent run sees the old state or the whole file
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
        font.close()


def _cache_dir() -> Path:
    explicit = os.environ.get("PROGRESS_CACHE_DIR")
    if explicit:
        return Path(explicit) / "fonts"
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "progress-cli" / "fonts"


@lru_cache(maxsize=1)
def _process_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="progress-cli-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _shipped(name: str) -> Path:
    return Path(str(resources.files("progress_cli") / "fonts" / name))


@lru_cache(maxsize=8)
def _coverage(path: str) -> frozenset[int]:
    font = ttLib.TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
