"""A QR code (segno) as rectangles to draw: vector, sharp at any zoom, no image needed."""

from __future__ import annotations

from dataclasses import dataclass

import segno


@dataclass(frozen=True)
class QrRuns:
    size: int  # modules per side, without the quiet zone
    runs: tuple[tuple[int, int, int], ...]  # (row, first column, length) of each run of dark modules


def qr_runs(text: str) -> QrRuns:
    """The dark modules of the QR code of `text` (error correction M), merged into horizontal runs."""
    matrix = segno.make_qr(text, error="m", boost_error=False).matrix
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return QrRuns(size=len(matrix), runs=tuple(runs))
