"""Line-oriented export files cut into blocks of whole rows, so that blocks parse on other cores.

JSON Lines (our events, xAPI statements) and CSV rows stand alone: a block of whole lines
gives the same outcomes, with the same line numbers, as the same lines read in one stream.
`blocks` finds where blocks end (main process, bytes only, cheap); `parse_block` reads and
parses one block (a worker process) through the same dispatch as `reader.read_events`.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from progress_cli.catalog import XapiMapping
from progress_cli.errors import InputFileError
from progress_cli.ingest import reader, sources

BLOCK_BYTES = 1 << 20
_FIRST_LINE_LIMIT = 16 << 20  # a longer first line is read as a document, in one stream


@dataclass(frozen=True)
class LineFormat:
    """How one file's blocks are read: its format, and for CSV the header that every block needs."""

    fmt: str
    header: str | None = None
    delimiter: str = ","


@dataclass(frozen=True)
class Block:
    """Whole lines of a file: `length` bytes from `offset`, the first of them line `first_line`."""

    first_line: int
    offset: int
    length: int

    def read(self, path: Path) -> bytes:
        with path.open("rb") as fh:
            fh.seek(self.offset)
            return fh.read(self.length)


def line_format(path: Path, fmt: str, head: str) -> LineFormat | None:
    """The LineFormat of a file whose rows can be read in blocks, else None (read it as one stream).

    JSON documents (arrays, LRS pages, a Caliper envelope) are one value; Open edX logs pair
    lines with each other; a gzipped file has no byte offsets to cut at; a file with bare
    carriage returns as line ends would cut differently from how a text stream reads it.
    """
    if reader.is_gzip(path) or "\r" in head.replace("\r\n", ""):
        return None
    if fmt == "csv":
        header = head.split("\n", 1)[0].rstrip("\r")
        if "\n" not in head or header.count('"') % 2:  # a header that runs over lines: no blocks
            return None
        return LineFormat("csv", header, reader.csv_delimiter(path, head))
    if fmt == "jsonl" or (fmt in ("xapi", "caliper") and (reader.is_json_lines(head) or _first_line_is_object(path))):
        return LineFormat(fmt)
    return None


def _first_line_is_object(path: Path) -> bool:
    """Whether the first line, however long, is one whole JSON object: Caliper envelopes one a
    line often run past the sniffed head (100 events are about 80 KB)."""
    with path.open("rb") as fh:
        first = fh.readline(_FIRST_LINE_LIMIT)
    if not first.endswith(b"\n"):
        return False
    try:
        return isinstance(sources._loads(first.decode("utf-8-sig")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def blocks(path: Path, kind: LineFormat, on_bytes: Callable[[int], None] | None = None,
           size: int | None = None) -> Iterator[Block]:
    """Blocks of whole lines (whole CSV rows: never inside a quoted field), in file order.

    The file is read here only to find where blocks end; a worker reads its block itself.
    """
    size = size or BLOCK_BYTES
    line = 1
    carry = b""
    with path.open("rb") as fh:
        offset = len(codecs.BOM_UTF8) if fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else 0
        fh.seek(offset)
        if kind.header is not None:  # the header is not a row: skip its line
            offset += len(fh.readline())
            line = 2
        while True:
            chunk = fh.read(size)
            if on_bytes is not None and chunk:
                on_bytes(len(chunk))
            data = carry + chunk
            if not chunk:
                if data:
                    yield Block(line, offset, len(data))
                return
            cut = _last_row_end(data, quoted=kind.fmt == "csv")
            if cut < 0:
                carry = data  # no whole row yet: read on
                continue
            yield Block(line, offset, cut + 1)
            line += data.count(b"\n", 0, cut + 1)
            offset += cut + 1
            carry = data[cut + 1:]


def _last_row_end(data: bytes, quoted: bool) -> int:
    """Offset of the last newline that ends a row (-1: none); in CSV, not one inside quotes."""
    cut = data.rfind(b"\n")
    if quoted:
        while cut >= 0 and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut)
    return cut


@dataclass
class ParsedBlock:
    """A block's outcomes: the stored rows apart from the rest, each kind in file order."""

    read: int  # outcomes (rows read), as the import counts them
    rows: list[dict]  # normalised events, with the import's id
    lines: list[int]  # the line of each row
    others: list[tuple[int, Any, Any]]  # (line, raw, outcome) of rejected and skipped rows, voids

    def add(self, line: int, raw: Any, outcome: Any, import_id: int | None) -> bool:
        """Count one outcome and keep it where it belongs; True when it is a row to store."""
        self.read += 1
        if type(outcome) is dict:
            outcome["import_id"] = import_id
            self.rows.append(outcome)
            self.lines.append(line)
            return True
        self.others.append((line, raw, outcome))
        return False


def parse_block(kind: LineFormat, path: Path, block: Block, tz: ZoneInfo, xapi: XapiMapping,
                column_map: Mapping[str, str] | None, import_id: int | None) -> ParsedBlock:
    """Read and parse one block (in a worker process): its outcomes as `reader.read_events`
    gives them, stored rows apart. Their raw objects stay behind (sending them back would
    double what crosses between processes): `raw_rows` reads them again when one is needed."""
    parsed = ParsedBlock(0, [], [], [])
    for line, raw, outcome in _outcomes(kind, path, block, tz, xapi, column_map):
        parsed.add(line, raw, outcome, import_id)
    return parsed


def raw_rows(kind: LineFormat, path: Path, block: Block, tz: ZoneInfo, xapi: XapiMapping,
             column_map: Mapping[str, str] | None) -> list[Any]:
    """The raw object of each stored row of a block, in the order of `ParsedBlock.rows`."""
    return [raw for _, raw, outcome in _outcomes(kind, path, block, tz, xapi, column_map) if type(outcome) is dict]


def _outcomes(kind: LineFormat, path: Path, block: Block, tz: ZoneInfo, xapi: XapiMapping,
              column_map: Mapping[str, str] | None) -> Iterator[tuple[int, Any, Any]]:
    data = block.read(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = block.first_line + data.count(b"\n", 0, exc.start)
        raise InputFileError(f"{path}: not UTF-8 text (bad byte {data[exc.start:exc.start + 1]!r} "
                             f"on line {line})") from None
    if kind.header is not None:
        rows = sources.csv_rows(io.StringIO(kind.header + "\n" + text, newline=""), kind.delimiter)
        # line 1 of that text is the header, line 2 the block's first line
        objects = ((line + block.first_line - 2, obj) for line, obj in rows)
    else:
        objects = sources.json_lines(io.StringIO(text, newline=""), first=block.first_line)
    return reader.outcomes(objects, kind.fmt, tz, xapi, column_map)
