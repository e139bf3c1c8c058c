"""Writing import batches on a second thread while the first one parses the file.

SQLite does its B-tree work with the GIL released, so parsing the next batch and storing the
previous one overlap on two cores. The queue holds at most two batches: memory stays flat.
Only this thread touches the connection between `start` and `close`.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from progress_cli.store.writes import write_events

_DONE = object()


@dataclass
class WriteTotals:
    inserted: int = 0
    duplicates: int = 0
    learners: set[str] = field(default_factory=set)
    conflicts: list[tuple[int, Any, str]] = field(default_factory=list)  # (line, raw, event_id)


class BatchWriter:
    def __init__(self, conn: Connection) -> None:
        self.totals = WriteTotals()
        self._conn = conn
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="progress-import-writer", daemon=True)
        self._thread.start()

    def submit(self, rows: list[dict], sources: list[tuple[int, Any]]) -> None:
        """Queue a batch (rows and their (line, raw) sources); raises the writer's error, if any."""
        self._raise_if_failed()
        self._queue.put((rows, sources))

    def close(self) -> WriteTotals:
        """Wait for every queued batch to be written; re-raises a failure of the writer."""
        self._queue.put(_DONE)
        self._thread.join()
        self._raise_if_failed()
        return self.totals

    def abort(self) -> None:
        """Stop after the batch in hand, for when the parsing side failed; never raises."""
        self._error = self._error or RuntimeError("import aborted")
        self._queue.put(_DONE)
        self._thread.join()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is not None:
                continue  # drain without writing, so submit() never blocks forever
            rows, sources = item
            try:
                outcome = write_events(self._conn, rows)
            except BaseException as exc:  # handed to the parsing thread
                self._error = exc
                continue
            self.totals.inserted += outcome.inserted
            self.totals.duplicates += outcome.duplicates
            self.totals.learners |= outcome.learners
            for index in outcome.conflicts:
                line, raw = sources[index]
                self.totals.conflicts.append((line, raw, rows[index]["event_id"]))
