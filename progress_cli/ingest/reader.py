"""Reading one export file: checks, format detection, and raw objects -> event records.

`read_events` yields (line, raw, outcome) where outcome is a normalised record (dict), a
`Void`, a `Skip`, or a `RowRejected`; the caller counts and stores. Pure apart from
reading the file.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import itertools
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from progress_cli.catalog import XapiMapping
from progress_cli.errors import InputFileError, UnknownFormat, UsageError
from progress_cli.ingest import caliper, edx, sources
from progress_cli.ingest.record import FIELDS, RowRejected, normalize
from progress_cli.ingest.xapi import Skip, Void, actor_email, is_statement_like, statement_to_row, unwrap

FORMATS = ("auto", "jsonl", "csv", "json", "xapi", "caliper", "edx")
EXPORT_FORMAT = "progress-cli-export"  # the "format" of `progress export --format json`: re-imported as events
_SNIFF = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_TAB_SUFFIXES = (".tsv", ".tab")
_SEED_EVENT_FIELDS = ("task_id", "skill", "duration_s", "difficulty", "event_id", "score", "type", "timestamp")


def check_file(path: Path) -> str:
    """Refuse what is not a readable UTF-8 export; returns the first bytes as text."""
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not an export file")
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    if head[:2] == _GZIP_MAGIC:
        head = _gunzipped_head(path)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputFileError(f"{path}: the file is empty")
    if b"\x00" in head:
        raise InputFileError(f"{path}: a binary file, not a text export")
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(head) < _SNIFF or exc.start < len(head) - 4:  # a character cut by the sniff is fine
            raise InputFileError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
        return head[:exc.start].decode("utf-8-sig")


def _gunzipped_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(_SNIFF)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputFileError(f"{path}: not a readable gzip file ({exc})") from None


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def _inner_name(path: Path) -> Path:
    """The name that tells the format: `tracking.log.gz` -> `tracking.log`."""
    return path.with_suffix("") if path.suffix.lower() == ".gz" else path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path, head: str) -> str:
    """jsonl, csv (tab-separated included), json, xapi, caliper or edx, from the extension
    (inside .gz) and the first object."""
    suffix = _inner_name(path).suffix.lower()
    if suffix in (".csv", *_TAB_SUFFIXES):
        return "csv"
    if suffix == ".log" or edx.looks_like_tracking_log(head):
        return "edx"
    text = head.lstrip()
    if text[:1] not in ("[", "{"):
        if suffix in (".json", ".jsonl", ".ndjson"):
            raise UnknownFormat(f"{path}: does not start with JSON, so its format cannot be told")
        return "csv"
    try:
        first = _first_object(path)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (bad byte {exc.object[exc.start:exc.start + 1]!r})") from None
    if is_statement_like(first) or (isinstance(first, dict) and isinstance(first.get("statements"), list)):
        return "xapi"
    if caliper.looks_like_caliper(first, head):
        return "caliper"
    if edx.is_edx_event(first):
        return "edx"
    return "jsonl" if _container(head, _inner_name(path)) == "lines" else "json"


def csv_delimiter(path: Path, head: str) -> str:
    """A tab for .tsv/.tab files (gzipped too) and for a header with tabs and no commas; else a comma."""
    if _inner_name(path).suffix.lower() in _TAB_SUFFIXES:
        return "\t"
    header = head.split("\n", 1)[0]
    return "\t" if "\t" in header and "," not in header else ","


def _container(head: str, path: Path | None = None) -> str:
    """'lines' for JSON Lines, else 'document'.

    A file whose first line is a whole JSON value followed by more lines is JSON Lines (an
    array on one line included); a lone `[` opens a document. Otherwise a .jsonl/.ndjson file
    is lines, and any other file is lines when its first or second non-blank line is a whole
    JSON object, so one bad first line does not turn JSON Lines into one unreadable document.
    """
    lines = [line for line in head.lstrip().split("\n") if line.strip()]
    if not lines:
        return "document"
    if lines[0].lstrip().startswith("["):
        return "lines" if len(lines) > 1 and _whole_value(lines[0]) is not None else "document"
    if path is not None and path.suffix.lower() in (".jsonl", ".ndjson"):
        return "lines"
    return "lines" if any(isinstance(_whole_value(line), dict) for line in lines[:2]) else "document"


def _whole_value(line: str) -> Any:
    """The JSON value of a line that holds exactly one, else None."""
    try:
        return sources._loads(line)
    except Exception:
        return None


class _CountingReader(io.RawIOBase):
    """A raw file that reports how many bytes were read, for the progress bar."""

    def __init__(self, raw: io.RawIOBase, on_bytes: Callable[[int], None]) -> None:
        self._raw, self._on_bytes = raw, on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        if count:
            self._on_bytes(count)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


class _GzipReader(gzip.GzipFile):
    """A GzipFile that also closes the file it reads (GzipFile leaves a given fileobj open)."""

    def __init__(self, source: io.BufferedReader) -> None:
        super().__init__(fileobj=source, mode="rb")
        self._source = source

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


def _open(path: Path, on_bytes: Callable[[int], None] | None = None):
    """The file as text; a gzipped file is decompressed as it is read (`on_bytes` counts its bytes on disk)."""
    gzipped = is_gzip(path)
    if on_bytes is None and not gzipped:
        return path.open("r", encoding="utf-8-sig", newline="")
    raw = io.FileIO(path, "r") if on_bytes is None else _CountingReader(io.FileIO(path, "r"), on_bytes)
    binary = io.BufferedReader(raw, 1 << 16)
    return io.TextIOWrapper(_GzipReader(binary) if gzipped else binary, encoding="utf-8-sig", newline="")


def _first_object(path: Path) -> Any:
    with _open(path) as fh:
        head = fh.read(_SNIFF)
        fh.seek(0)
        lines = _container(head, _inner_name(path)) == "lines"
        items = sources.json_lines(fh) if lines else sources.json_document(fh, member="data")
        for _, obj in itertools.islice(items, 1):
            if isinstance(obj, sources.Member):  # the first event of a Caliper envelope, read alone
                return obj.value
            if isinstance(obj, dict) and isinstance(obj.get("statements"), list) and obj["statements"]:
                return obj["statements"][0]
            if isinstance(obj, list) and obj:
                return obj[0]
            return obj
    return None


def check_column_map(column_map: Mapping[str, str]) -> None:
    """Refuse a column map whose target is not a field of the event record."""
    for field in column_map:
        if field not in FIELDS:
            raise UsageError(f"cannot map a column to {field!r}: not a field of the event record "
                             f"(the fields: {', '.join(FIELDS)})")


def read_events(
    path: Path,
    fmt: str,
    tz: ZoneInfo,
    xapi: XapiMapping,
    column_map: Mapping[str, str] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Any, Any]]:
    """Stream (line, raw, outcome) for every row of an export file of format `fmt`."""
    head = check_file(path)
    try:
        with _open(path, on_bytes) as fh:
            if fmt in ("caliper", "edx"):
                yield from _platform_events(fh, head, fmt, tz, xapi)
                return
            if fmt == "csv":
                objects = sources.csv_rows(fh, csv_delimiter(path, head))
            elif fmt == "jsonl" or is_json_lines(head):
                objects = sources.json_lines(fh)
            else:
                objects = sources.json_document(fh)
            yield from outcomes(objects, fmt, tz, xapi, column_map)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (bad byte {exc.object[exc.start:exc.start + 1]!r})") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputFileError(f"{path}: the gzip data is truncated or corrupt ({exc})") from None


def _platform_events(fh, head: str, fmt: str, tz: ZoneInfo, xapi: XapiMapping) -> Iterator[tuple[int, Any, Any]]:
    """Caliper (envelopes streamed by their data) and Open edX logs (logger prefixes allowed)."""
    if fmt == "edx":
        # one pretty-printed event or array (event routing's form) opens on a line of its own;
        # anything else is a log, whatever its first lines hold
        opener = head.lstrip().split("\n", 1)[0].strip()
        yield from edx.read(sources.json_document(fh) if opener in ("{", "[") else sources.prefixed_json_lines(fh), tz)
    elif head.lstrip()[:1] in ("{", "[") and _container(head) == "document":
        yield from caliper.read(sources.json_document(fh, member="data"), tz, xapi)
    else:
        yield from outcomes(sources.json_lines(fh), fmt, tz, xapi, None)


def is_json_lines(head: str, path: Path | None = None) -> bool:
    """Does a JSON file hold one value per line (rather than one document)?"""
    return _container(head, path) == "lines"


def outcomes(objects: Iterator[tuple[int, Any]], fmt: str, tz: ZoneInfo, xapi: XapiMapping,
             column_map: Mapping[str, str] | None) -> Iterator[tuple[int, Any, Any]]:
    """(line, raw, outcome) for each (line, raw object) a source read, in format `fmt`."""
    if fmt == "caliper":
        yield from caliper.read(objects, tz, xapi)
        return
    for line, obj in objects:
        if isinstance(obj, RowRejected):
            yield line, None, obj
        elif fmt == "xapi":
            yield from _statements(line, obj, tz, xapi)
        elif type(obj) is dict and not column_map and "events" not in obj:
            yield line, obj, _normalize(obj, tz)  # the hot path of a plain event export
        else:
            yield from _events(line, obj, tz, column_map or {})


def _events(line: int, obj: Any, tz: ZoneInfo, column_map: Mapping[str, str]) -> Iterator[tuple[int, Any, Any]]:
    if isinstance(obj, list):  # a JSON array of events read whole (nested in a document)
        for item in obj:
            yield from _events(line, item, tz, column_map)
        return
    if not isinstance(obj, dict):
        yield line, obj, RowRejected("not a JSON object")
        return
    if obj.get("format") == EXPORT_FORMAT and isinstance(obj.get("events"), list):
        yield from _export_events(line, obj, tz, column_map)
        return
    if isinstance(obj.get("events"), list):
        yield from _seed_session(line, obj, tz)
        return
    raw = dict(obj)
    for field, column in column_map.items():
        if column in raw:
            raw[field] = raw.pop(column)
    yield line, obj, _normalize(raw, tz)


def _export_events(line: int, export: dict, tz: ZoneInfo, column_map) -> Iterator[tuple[int, Any, Any]]:
    """A whole `progress export --format json` file: its events, and its voided events marked so."""
    yield from _events(line, export["events"], tz, column_map)
    for raw_line, raw, outcome in _events(line, export.get("voided_events") or [], tz, column_map):
        if isinstance(outcome, dict):
            outcome["voided"] = True
        yield raw_line, raw, outcome


def _seed_session(line: int, session: dict, tz: ZoneInfo) -> Iterator[tuple[int, Any, Any]]:
    """The seed's session shape: {session_id, learner_id, module_id, ..., events: [...]}."""
    shared = {k: v for k, v in session.items() if k not in ("events", "start_time", "end_time")}
    if not session["events"]:
        yield line, session, Skip("session without events")
    for event in session["events"]:
        if not isinstance(event, dict):
            yield line, event, RowRejected("session event is not a JSON object")
            continue
        raw = {**shared, **{k: v for k, v in event.items() if k != "data"}}
        data = event.get("data")
        if isinstance(data, dict):
            for key in _SEED_EVENT_FIELDS:
                if key in data and key not in raw:
                    raw[key] = data[key]
            rest = {k: v for k, v in data.items() if k not in _SEED_EVENT_FIELDS}
            metadata = raw.get("metadata")
            if rest and (metadata is None or isinstance(metadata, dict)):
                raw["metadata"] = {**rest, **(metadata or {})}
            # any other metadata is left for normalize to accept (JSON text) or reject
        yield line, event, _normalize(raw, tz)


def _statements(line: int, obj: Any, tz: ZoneInfo, xapi: XapiMapping) -> Iterator[tuple[int, Any, Any]]:
    if isinstance(obj, list):
        for item in obj:
            yield from _statements(line, item, tz, xapi)
        return
    if isinstance(obj, dict) and isinstance(obj.get("statements"), list) and "verb" not in obj:
        for item in obj["statements"]:  # an LRS page: {"statements": [...], "more": ...}
            yield from _statements(line, item, tz, xapi)
        return
    statement, voided = unwrap(obj)
    try:
        row = statement_to_row(statement, xapi)
    except RowRejected as exc:
        yield line, obj, exc
        return
    if isinstance(row, (Skip, Void)):
        yield line, obj, row
        return
    record = _normalize(row, tz)
    if isinstance(record, dict):
        record["voided"] = voided
        record["learner_email"] = actor_email(statement)  # not an event field: for the learner row
    yield line, obj, record


def _normalize(raw: dict, tz: ZoneInfo) -> dict | RowRejected:
    try:
        return normalize(raw, tz)
    except RowRejected as exc:
        return exc
