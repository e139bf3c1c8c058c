"""Streaming readers of raw objects: JSON Lines, CSV, JSON arrays and JSON documents.

Each yields (line number, object) pairs in file order; a piece that cannot be parsed yields
(line number, RowRejected) and reading goes on where it can. Memory stays flat for lines,
CSV rows and array elements; a JSON document that is a single object is read whole.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Iterator, NamedTuple, TextIO

import orjson

from progress_cli.ingest.record import RowRejected

_CHUNK = 1 << 20
_LENIENT = json.JSONDecoder(strict=False)  # control characters inside strings are accepted
_WS = " \t\r\n"
Item = tuple[int, Any]


class Member(NamedTuple):
    """One element of the array a top-level JSON object holds under a streamed key (a Caliper
    envelope's `data`): yielded on its own, so the object is never read whole."""

    value: Any


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _LENIENT.decode(text)  # raises ValueError (JSONDecodeError) when really invalid


def json_lines(fh: Iterable[str], first: int = 1) -> Iterator[Item]:
    """One JSON value per line (numbered from `first`); blank lines are not rows."""
    for number, line in enumerate(fh, first):
        if not line.strip():
            continue
        try:
            yield number, _loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: also a >4300-digit integer
            yield number, RowRejected(f"invalid JSON: {getattr(exc, 'msg', exc)}")


def prefixed_json_lines(fh: TextIO) -> Iterator[Item]:
    """One JSON object per line, after whatever a logger wrote before it (`... INFO ... - {`)."""
    for number, line in enumerate(fh, 1):
        start = line.find("{")
        if start < 0:
            if line.strip():
                yield number, RowRejected("no JSON object on the line")
            continue
        try:
            yield number, _loads(line[start:])
        except (ValueError, RecursionError) as exc:
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


def json_document(fh: TextIO, member: str | None = None) -> Iterator[Item]:
    """A JSON file: an array is streamed element by element, any other value read whole.

    With `member`, a top-level object holding an array under that key yields that array's
    elements one by one as `Member`s (its other keys are dropped); an object without it is
    yielded whole. Whatever follows the first object is read as JSON Lines (envelopes one a
    line, the first of them longer than the sniff).
    """
    buffer = fh.read(_CHUNK)
    start = _skip_ws(buffer, 0)
    if start < len(buffer) and buffer[start] == "[":
        tape = _Tape(fh, buffer)
        items = _array_items(tape, buffer, start + 1)
        first = next(items, None)
        if first is not None and isinstance(first[1], RowRejected):
            text = tape.replay()  # an array broken before its first element: JSON Lines whose
            if _holds_object_lines(text):  # first line is broken? keep every good line
                yield from json_lines(io.StringIO(text))
                return
        tape.stop()
        if first is not None:
            yield first
        yield from items
        return
    if member is not None and start < len(buffer) and buffer[start] == "{":
        tape = _Tape(fh, buffer)
        outcome = yield from _object_members(tape, buffer, start + 1, member)
        if outcome is not None:
            whole, after = outcome
            tape.stop()
            if whole is not _STREAMED:
                yield 1 + buffer.count("\n", 0, start), whole
            if after is not None:
                rest, pos, line = after
                yield from json_lines(_lines(rest[pos:], tape), line)
            return
        buffer, fh = tape.replay(), io.StringIO("")  # not one readable object: as below
    yield from _whole_value(buffer + fh.read(), start)


def _lines(text: str, fh) -> Iterator[str]:
    """The lines of `text` and then of the rest of `fh`, each with its "\n"."""
    while True:
        more = fh.read(_CHUNK)
        text += more
        *whole, text = text.split("\n")
        for line in whole:
            yield line + "\n"
        if not more:
            if text:
                yield text
            return


def _whole_value(text: str, start: int) -> Iterator[Item]:
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


def _array_items(fh: TextIO, buffer: str, pos: int, line: int | None = None):
    """Yield the elements of an array whose `[` ends before `pos`; returns (buffer, pos after
    the `]`, line, eof), or None when the array is broken (a RowRejected was yielded)."""
    line = 1 + buffer.count("\n", 0, pos) if line is None else line
    eof = False
    while True:
        buffer, pos, line, eof = _skip_separators(fh, buffer, pos, line, eof, _WS + ",")
        if pos >= len(buffer):
            yield line, RowRejected("invalid JSON: the array is not closed")
            return None
        if buffer[pos] == "]":
            return buffer, pos + 1, line, eof
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
            return None
        yield line, value
        line += buffer.count("\n", pos, end)
        pos = end


def _skip_separators(fh, buffer: str, pos: int, line: int, eof: bool, chars: str):
    """Skip `chars`, counting lines, refilling the buffer when it runs out."""
    while True:
        nxt = pos
        while nxt < len(buffer) and buffer[nxt] in chars:
            nxt += 1
        line += buffer.count("\n", pos, nxt)
        pos = nxt
        if pos < len(buffer) or eof:
            return buffer, pos, line, eof
        buffer, pos, eof = _refill(fh, buffer, pos)


_STREAMED = object()  # _object_members: the member array was streamed


class _Tape:
    """A text file that remembers what was read from it until told to forget (`stop`)."""

    def __init__(self, fh: TextIO, first: str) -> None:
        self._fh, self._parts = fh, [first]

    def read(self, size: int) -> str:
        text = self._fh.read(size)
        if self._parts is not None:
            self._parts.append(text)
        return text

    def stop(self) -> None:
        self._parts = None

    def replay(self) -> str:
        """Everything read so far, then the rest of the file."""
        return "".join(self._parts or ()) + self._fh.read()


def _object_members(tape: _Tape, buffer: str, pos: int, member: str):
    """The members of an object whose `{` ends before `pos`: its `member` array streamed as
    Members, or the object whole when it has no such array. Returns (_STREAMED or the object,
    (buffer, position after the `}`, line) or None after an error), or None when it cannot be
    read this way (nothing was yielded then)."""
    line, eof = 1 + buffer.count("\n", 0, pos), False
    found: dict[str, Any] = {}
    streamed = False
    while True:
        buffer, pos, line, eof = _skip_separators(tape, buffer, pos, line, eof, _WS + ",")
        if pos < len(buffer) and buffer[pos] == "}":
            return (_STREAMED if streamed else found), (buffer, pos + 1, line)
        decoded = _decode(tape, buffer, pos, eof)
        if decoded is None or not isinstance(decoded[0], str):
            break
        key, start, pos, buffer, eof = decoded
        line += buffer.count("\n", start, pos)
        buffer, pos, line, eof = _skip_separators(tape, buffer, pos, line, eof, _WS)
        if pos >= len(buffer) or buffer[pos] != ":":
            break
        buffer, pos, line, eof = _skip_separators(tape, buffer, pos + 1, line, eof, _WS)
        if key == member and not streamed and pos < len(buffer) and buffer[pos] == "[":
            tape.stop()
            streamed = True
            state = yield from _members_of(_array_items(tape, buffer, pos + 1, line))
            if state is None:
                return _STREAMED, None
            buffer, pos, line, eof = state
            continue
        decoded = _decode(tape, buffer, pos, eof, limited=not streamed)
        if decoded is None:
            break
        value, start, pos, buffer, eof = decoded
        line += buffer.count("\n", start, pos)
        if not streamed:
            found[key] = value
    if streamed:
        yield line, RowRejected("invalid JSON after the streamed array: the rest of the object cannot be read")
        return _STREAMED, None
    return None


def _members_of(items):
    """Wrap each element an _array_items generator yields as a Member; pass on its result."""
    while True:
        try:
            line, value = next(items)
        except StopIteration as stop:
            return stop.value
        yield line, value if isinstance(value, RowRejected) else Member(value)


_MAX_REFILLS = 2  # a member value longer than this many chunks: the object is read whole instead


def _decode(tape, buffer: str, pos: int, eof: bool, limited: bool = True):
    """(value, start, end, buffer, eof) of the JSON value at `pos`, refilling as needed; None if
    invalid, or if `limited` and the value runs past _MAX_REFILLS chunks (parsing it again from
    its start on every chunk would take time quadratic in its length)."""
    refills = 0
    while True:
        try:
            value, end = _LENIENT.raw_decode(buffer, pos)
            if end == len(buffer) and not eof:
                raise json.JSONDecodeError("value reaches the end of the buffer", buffer, end)
            return value, pos, end, buffer, eof
        except (ValueError, RecursionError):
            if eof or (limited and refills == _MAX_REFILLS):
                return None
            buffer, pos, eof = _refill(tape, buffer, pos)
            refills += 1


def _refill(fh: TextIO, buffer: str, pos: int) -> tuple[str, int, bool]:
    more = fh.read(_CHUNK)
    return buffer[pos:] + more, 0, not more
