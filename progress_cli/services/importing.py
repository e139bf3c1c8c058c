"""`progress import`: read files, store their events, one transaction per file.

Counts always add up: read = inserted + duplicates + rejected + skipped.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from progress_cli import __version__
from progress_cli.catalog import Catalog
from progress_cli.errors import UsageError
from progress_cli.ingest.reader import FORMATS, check_column_map, check_file, detect_format, file_sha256
from progress_cli.ingest.record import RowRejected, parse_timestamp
from progress_cli.ingest.xapi import Skip, Void
from progress_cli.json_output import JsonOutputError, to_json
from progress_cli.store import activity, queries, write_transaction
from progress_cli.services.batch_writer import BatchWriter
from progress_cli.services.parsing import default_workers, parsed_blocks
from progress_cli.store.writes import apply_voids, mark_voided, write_voids

ProgressCallback = Callable[[int], None]


@dataclass
class FileSummary:
    path: str
    format: str
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    rejects_path: str | None = None
    committed: bool = False
    reasons: Counter = field(default_factory=Counter)  # rejected and skipped, by reason


@dataclass
class ImportSummary:
    files: list[FileSummary]
    learners_touched: set[str]


class _Rollback(Exception):
    """Raised inside the file's transaction to undo it (dry run, or --strict with rejects)."""


class RejectsLog:
    """Rejected rows as JSON Lines: {"file", "line", "reason", "row"}; opened on first use."""

    def __init__(self, path: Path | None, enabled: bool = True) -> None:
        self.path, self.enabled, self._fh = path, enabled, None

    def write(self, file: Path, line: int, reason: str, raw: Any) -> None:
        if not self.enabled or self.path is None:
            return
        if self._fh is None:
            self._fh = self.path.open("w", encoding="utf-8")
        self._fh.write(rejects_line({"file": str(file), "line": line, "reason": reason, "row": raw}) + "\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def remove_stale(self) -> None:
        """Delete what an earlier run left at this path, when this run wrote nothing there."""
        if self.path is not None and not self.written:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:  # cannot be removed (a folder, no permission): the import itself went fine
                pass

    @property
    def written(self) -> bool:
        return self._fh is not None


def rejects_line(entry: dict[str, Any]) -> str:
    """One line of a rejects file. The row is the input as read, and input may hold what JSON
    cannot (the lenient reader takes NaN and Infinity; a JSON string may escape a lone
    surrogate): such a number is written as its word in a string (`"NaN"`), and a line with a
    lone surrogate is written with ASCII escapes, so every line is still valid UTF-8 JSON."""
    try:
        text = to_json(entry, indent=None, compact=True)
    except JsonOutputError:
        entry = {**entry, "row": _non_finite_as_words(entry["row"])}
        text = to_json(entry, indent=None, compact=True)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = to_json(entry, indent=None, compact=True, ascii_only=True)
    return text


def _non_finite_as_words(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _non_finite_as_words(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_non_finite_as_words(item) for item in value]
    return value


def import_files(
    engine: Engine,
    paths: list[Path],
    *,
    catalog: Catalog,
    tz: ZoneInfo,
    fmt: str = "auto",
    dry_run: bool = False,
    strict: bool = False,
    rejects: Path | None = None,
    column_map: Mapping[str, str] | None = None,
    on_start: Callable[[Path, int], ProgressCallback] | None = None,
    workers: int | None = None,
) -> ImportSummary:
    """Import each file in its own transaction; `on_start(path, size)` returns a byte callback.

    A large line-oriented file is parsed by `workers` processes (default: one per CPU).
    """
    workers = default_workers() if workers is None else workers
    if fmt not in FORMATS:
        raise UsageError(f"no import format {fmt!r}: formats are {', '.join(FORMATS)}")
    check_column_map(column_map or {})
    for path in paths:  # refuse a bad file before anything is written
        check_file(path)
    shared_log = RejectsLog(rejects, enabled=not dry_run) if rejects else None
    summary = ImportSummary(files=[], learners_touched=set())
    try:
        for path in paths:
            log = shared_log or RejectsLog(path.with_name(path.name + ".rejects.jsonl"), enabled=not dry_run)
            advance = on_start(path, path.stat().st_size) if on_start else None
            result, touched = _import_file(engine, path, catalog=catalog, tz=tz, fmt=fmt, dry_run=dry_run,
                                           strict=strict, log=log, column_map=column_map, advance=advance,
                                           workers=workers)
            if log is not shared_log:
                log.close()
                if not (dry_run or result.rejected):
                    log.remove_stale()
            result.rejects_path = str(log.path) if log.written and result.rejected else None
            summary.files.append(result)
            summary.learners_touched |= touched
    finally:
        if shared_log:
            shared_log.close()
    return summary


def _import_file(engine, path, *, catalog, tz, fmt, dry_run, strict, log, column_map, advance, workers):
    fmt = detect_format(path, check_file(path)) if fmt == "auto" else fmt
    result = FileSummary(path=str(path), format=fmt)
    touched: set[str] = set()
    try:
        with write_transaction(engine) as conn:
            sha256 = file_sha256(path)
            fingerprint = _fingerprint(sha256, fmt, tz, catalog, column_map)
            import_id = queries.start_import(conn, path=str(path), sha256=sha256, fingerprint=fingerprint, fmt=fmt)
            earlier = queries.clean_import(conn, fingerprint=fingerprint)
            if earlier is not None:
                _repeat_of(result, earlier)
                queries.finish_import(conn, import_id=import_id, counts=_counts(result))
                activity.record(conn, "import", None, path=str(path), format=fmt, **_counts(result))
                if dry_run:
                    raise _Rollback
                result.committed = True
                return result, set()
            writer = BatchWriter(conn)
            voids: list[dict] = []
            flagged: list[str] = []
            try:
                for parsed, sources in parsed_blocks(path, fmt, tz, catalog.xapi, column_map, import_id=import_id,
                                                     on_bytes=advance, workers=workers):
                    result.read += parsed.read
                    flagged += [row["event_id"] for row in parsed.rows if row["voided"]]
                    writer.submit(parsed.rows, sources)
                    for line, raw, outcome in parsed.others:
                        if isinstance(outcome, Void):
                            _add_void(result, log, path, line, raw, outcome, voids, tz, import_id)
                        elif isinstance(outcome, Skip):
                            result.skipped += 1
                            result.reasons[f"skipped: {outcome.reason}"] += 1
                        else:
                            _reject(result, log, path, line, raw, str(outcome))
            except BaseException:
                writer.abort()
                raise
            totals = writer.close()
            result.inserted += totals.inserted
            result.duplicates += totals.duplicates
            touched |= totals.learners
            for line, raw, event_id in totals.conflicts:
                _reject(result, log, path, line, raw, f"conflict: event_id {event_id} is already stored with other content")
            new_voids = write_voids(conn, voids)
            result.inserted += new_voids
            result.duplicates += len(voids) - new_voids
            mark_voided(conn, flagged)
            if voids or flagged or queries.has_voids(conn):
                touched |= apply_voids(conn)
            queries.finish_import(conn, import_id=import_id, counts=_counts(result))
            activity.record(conn, "import", None, path=str(path), format=fmt, **_counts(result))
            if dry_run or (strict and result.rejected):
                raise _Rollback
    except _Rollback:
        return result, set()
    result.committed = True
    return result, touched


def _fingerprint(sha256: str, fmt: str, tz: ZoneInfo, catalog: Catalog, column_map) -> str:
    """What decides the rows a file gives: its bytes, format, zone, column map, xAPI mapping, our version."""
    mapping = catalog.xapi
    key = [sha256, fmt, tz.key, sorted((column_map or {}).items()), mapping.activity_base,
           sorted(mapping.activities.items()), __version__]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def _repeat_of(result: FileSummary, earlier) -> None:
    """The same file was imported before, cleanly: every row it gave is stored already."""
    result.read = earlier.read
    result.duplicates = earlier.inserted + earlier.duplicates
    result.skipped = earlier.skipped
    result.reasons["already imported (same content and options): nothing re-read"] += 1


def _counts(result: FileSummary) -> dict[str, int]:
    return {"read": result.read, "inserted": result.inserted, "duplicates": result.duplicates,
            "rejected": result.rejected, "skipped": result.skipped}


def _reject(result: FileSummary, log: RejectsLog, path: Path, line: int, raw: Any, reason: str) -> None:
    result.rejected += 1
    result.reasons[reason.split(":", 1)[0]] += 1
    log.write(path, line, reason, raw)


def _add_void(result, log, path, line, raw, void: Void, voids: list, tz, import_id) -> None:
    try:
        when = parse_timestamp(void.timestamp, tz) if void.timestamp is not None else None
    except RowRejected as exc:
        _reject(result, log, path, line, raw, str(exc))
        return
    voids.append({"event_id": void.event_id, "target_event_id": void.target_event_id,
                  "learner_id": void.learner_id, "timestamp": when, "import_id": import_id})
