"""Progress bars on stderr, shown only on a terminal: the one Rich set-up of every command
(import, report, cert issue, db copy)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


Advance = Callable[[int], None]


@contextmanager
def progress_bars(enabled: bool, *, in_bytes: bool = False) -> Iterator[Callable[[str, int], Advance] | None]:
    """Yields `start(label, total)` -> `advance(n)`, a bar per call (counts, or sizes with
    `in_bytes`); None when disabled or when stderr is not a terminal."""
    if not enabled:
        yield None
        return
    # on use: Rich's console and progress take 30-60 ms to import, which a run without a bar
    # (cron, --quiet, --json) does not need
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return

    done = DownloadColumn() if in_bytes else MofNCompleteColumn()
    with Progress(TextColumn("{task.description}"), BarColumn(), done, TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        def start(label: str, total: int) -> Advance:
            task = progress.add_task(label, total=total)
            return lambda n: progress.advance(task, n)
        yield start


@contextmanager
def row_progress(enabled: bool, label: str) -> Iterator[Callable[[int], Advance] | None]:
    """Yields `on_start(total)` -> `advance(n)`, or None (see `progress_bars`)."""
    with progress_bars(enabled) as start:
        yield (lambda total: start(label, total)) if start else None


@contextmanager
def count_progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[], None]]:
    """Yields `advance()` (one step); a no-op when no bar is shown."""
    with row_progress(enabled, label) as on_start:
        advance = on_start(total) if on_start else None
        yield (lambda: advance(1)) if advance else (lambda: None)


@contextmanager
def file_progress(enabled: bool) -> Iterator[Callable[[Path, int], Advance] | None]:
    """Yields `on_start(path, size)` -> `advance(bytes)`: a byte-count bar per file, or None."""
    with progress_bars(enabled, in_bytes=True) as start:
        yield (lambda path, size: start(path.name, size)) if start else None
