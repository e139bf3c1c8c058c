"""Parsing an export file on every core: blocks of rows go to worker processes (processes, not
threads: parsing is Python code that holds the GIL), and their outcomes come back in file
order, so counts, line numbers and "the first of two equal ids wins" are those of one stream.

The main process only finds where blocks end and stores what comes back; memory stays flat
because a few blocks per worker are in flight at most.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from progress_cli.catalog import XapiMapping
from progress_cli.ingest.blocks import Block, LineFormat, ParsedBlock, blocks, line_format, parse_block, raw_rows
from progress_cli.ingest.reader import check_file, read_events

# Below this size a file is read in one stream: starting workers would cost more than it saves.
PARALLEL_MIN_BYTES = 8 << 20
IN_FLIGHT_PER_WORKER = 3
MAX_WORKERS = 8
STREAM_BATCH = 5000  # outcomes per ParsedBlock when the file is read in one stream
Sources = Sequence[tuple[int, Any]]  # (line, raw object) of each stored row of a ParsedBlock


def default_workers() -> int:
    """One parsing process per CPU (the main process mostly waits on the database meanwhile)."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def parsed_blocks(path: Path, fmt: str, tz: ZoneInfo, xapi: XapiMapping, column_map: Mapping[str, str] | None,
                  *, import_id: int | None, on_bytes: Callable[[int], None] | None = None,
                  workers: int = 1) -> Iterator[tuple[ParsedBlock, Sources]]:
    """The file's outcomes in blocks, in file order, with the (line, raw) of each stored row; in
    parallel on `workers` processes when the file is large and line-oriented."""
    kind = None
    if workers > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES:
        kind = line_format(path, fmt, check_file(path))
    if kind is None:
        yield from _stream(path, fmt, tz, xapi, column_map, import_id, on_bytes)
        return
    args = (tz, xapi, dict(column_map or {}))
    # Objects the garbage collector scans in a forked worker are copied into its memory: frozen,
    # the parent's objects stay shared (about 40 MB less per worker).
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        pending: deque[tuple[Block, Future]] = deque()
        for block in blocks(path, kind, on_bytes):
            pending.append((block, pool.submit(parse_block, kind, path, block, *args, import_id)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield _done(kind, path, *pending.popleft(), args)
        while pending:
            yield _done(kind, path, *pending.popleft(), args)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _done(kind: LineFormat, path: Path, block: Block, future: Future, args: tuple) -> tuple[ParsedBlock, Sources]:
    parsed = future.result()
    return parsed, _BlockSources(parsed.lines, lambda: raw_rows(kind, path, block, *args))


class _BlockSources(Sequence):
    """(line, raw) of a parallel block's rows; the raw objects are read again on first use
    (a conflict, written to the rejects file with its row): few blocks ever need them."""

    def __init__(self, lines: list[int], read_raws: Callable[[], list[Any]]) -> None:
        self._lines, self._read_raws, self._raws = lines, read_raws, None

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index):
        if self._raws is None:
            self._raws = self._read_raws()
        return self._lines[index], self._raws[index]


def _stream(path, fmt, tz, xapi, column_map, import_id, on_bytes) -> Iterator[tuple[ParsedBlock, Sources]]:
    """`read_events` in ParsedBlocks of STREAM_BATCH outcomes."""
    parsed, sources = ParsedBlock(0, [], [], []), []
    for line, raw, outcome in read_events(path, fmt, tz, xapi, column_map, on_bytes):
        if parsed.add(line, raw, outcome, import_id):
            sources.append((line, raw))
        if parsed.read >= STREAM_BATCH:
            yield parsed, sources
            parsed, sources = ParsedBlock(0, [], [], []), []
    if parsed.read:
        yield parsed, sources


def _context():
    """Fork on Linux: a worker starts at once and shares the parent's pages instead of importing
    the program again; it only runs `parse_block` and touches no lock, file or connection it
    inherits. Elsewhere fork is not safe (macOS) or not there (Windows): spawn."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
