"""Streaming readers of raw objects: JSON Lines, CSV, JSON arrays and JSON documents.

Each yields (line number, object) pairs in file order; a piece that cannot be parsed yields
(line number, RowRejected) and reading goes on where it can. Memory stays flat for lines,
CSV rows and array elements; a JSON document that is a single object is read whole.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator, TextIO

import orjson

from progress_cli.ingest.record import RowRejected

_CHUNK = 1 << 20
_LENIENT = json.JSONDecoder(strict=False)  # control characters inside strings are accepted
_WS = " \t\r\n"
Item = tuple[int, Any]


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _LENIENT.decode(text)  # raises ValueError (JSONDecodeError) when really invalid


def json_lines(fh: TextIO) -> Iterator[Item]:
    """One JSON value per line; blank lines are not rows."""
    for number, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            yield number, _loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: also a >4300-digit integer
            yield number, RowRejected(f"invalid JSON: {getattr(exc, 'msg', exc)}")


def csv_rows(fh: TextIO, delimiter: str = ",") -> Iterator[Item]:
    """CSV with a header row, comma- or tab-separated; yields dicts keyed by the header's names."""
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, RowRejected(f"unreadable CSV header: {exc}")
        return
    header = [name.strip() for name in header]
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, RowRejected(f"unreadable CSV row: {exc}")
            continue
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) != width:
            yield reader.line_num, RowRejected(f"row has {len(cells)} fields, the header has {width}")
            continue
        yield reader.line_num, dict(zip(header, cells))


def json_document(fh: TextIO) -> Iterator[Item]:
    """A JSON file: an array is streamed element by element, any other value read whole."""
    buffer = fh.read(_CHUNK)
    start = _skip_ws(buffer, 0)
    if start < len(buffer) and buffer[start] == "[":
        yield from _array_items(fh, buffer, start + 1)
        return
    text = buffer + fh.read()
    try:
        value = _loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also a >4300-digit integer
        if _holds_object_lines(text):  # JSON Lines whose first lines are broken: keep every good line
            yield from json_lines(io.StringIO(text))
            return
        yield getattr(exc, "lineno", 1), RowRejected(f"invalid JSON: {getattr(exc, 'msg', exc)}")
        return
    yield 1 + text.count("\n", 0, start), value


def _holds_object_lines(text: str) -> bool:
    """Is some line of `text` a whole JSON object (so `text` is JSON Lines, not one document)?"""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                if isinstance(_loads(stripped), dict):
                    return True
            except (ValueError, RecursionError):
                continue
    return False


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _array_items(fh: TextIO, buffer: str, pos: int) -> Iterator[Item]:
    line = 1 + buffer.count("\n", 0, pos)
    eof = False
    while True:
        # Skip separators, counting lines, and refill the buffer when it runs low.
        while True:
            nxt = pos
            while nxt < len(buffer) and buffer[nxt] in _WS + ",":
                nxt += 1
            line += buffer.count("\n", pos, nxt)
            pos = nxt
            if pos < len(buffer) or eof:
                break
            buffer, pos, eof = _refill(fh, buffer, pos)
        if pos >= len(buffer):
            yield line, RowRejected("invalid JSON: the array is not closed")
            return
        if buffer[pos] == "]":
            return
        try:
            value, end = _LENIENT.raw_decode(buffer, pos)
            if end == len(buffer) and not eof:  # a number may go on in the next chunk
                raise json.JSONDecodeError("element reaches the end of the buffer", buffer, end)
        except (ValueError, RecursionError) as exc:  # ValueError: also a >4300-digit integer
            if not eof:
                buffer, pos, eof = _refill(fh, buffer, pos)
                continue
            yield line, RowRejected(f"invalid JSON, the rest of the array cannot be read: "
                                    f"{getattr(exc, 'msg', exc)}")
            return
        yield line, value
        line += buffer.count("\n", pos, end)
        pos = end


def _refill(fh: TextIO, buffer: str, pos: int) -> tuple[str, int, bool]:
    more = fh.read(_CHUNK)
    return buffer[pos:] + more, 0, not more
