"""DejaVu Sans cut down to the characters certificates need, built once per run.

fpdf2 parses and subsets an embedded font for every document, which costs hundreds of
milliseconds with the full DejaVu Sans (6,000 glyphs). Certificates share a small alphabet:
this keeps a working copy of each face with only the characters asked for so far (the caller
asks for a whole batch's names at once), so fpdf2 has a few hundred glyphs at most to handle.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from importlib import resources
from pathlib import Path

FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Basic Latin and the punctuation the layout itself uses.
_BASE = set(range(0x20, 0x7F)) | {0x2013, 0x2014, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026}


class FontSet:
    """Paths of the two cut-down faces covering every character asked for so far."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._covered: set[int] = set()
        self._paths: dict[str, str] = {}
        self._builds = 0

    def __enter__(self) -> "FontSet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def paths_for(self, text: str) -> dict[str, str]:
        """{"": regular, "B": bold} font files that cover `text` (rebuilt when they do not)."""
        needed = {ord(c) for c in unicodedata.normalize("NFC", text)}
        if not self._paths or not needed <= self._covered:
            self._rebuild(self._covered | _BASE | needed)
        return self._paths

    def _rebuild(self, covered: set[int]) -> None:
        from fontTools import subset, ttLib

        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="progress-cli-fonts-"))
        self._builds += 1
        paths = {}
        for style, name in FACES.items():
            path = self._dir / f"{Path(name).stem}-{self._builds}.ttf"
            with resources.as_file(resources.files("progress_cli") / "fonts" / name) as source:
                font = ttLib.TTFont(source, recalcTimestamp=False)
                subsetter = subset.Subsetter(_options(subset))
                subsetter.populate(unicodes=sorted(covered))
                subsetter.subset(font)
                font.save(path)
                font.close()
            paths[style] = str(path)
        self._covered = covered
        self._paths = paths


def _options(subset):
    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False  # smaller faces, and less for fpdf2 to re-encode in every PDF
    options.name_IDs = ["*"]  # keep the family name and the licence notice
    options.layout_features = []  # fpdf2 does no shaping here; Latin/Greek/Cyrillic need none
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "kern"]
    return options

