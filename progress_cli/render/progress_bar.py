"""Count progress bars on stderr, shown only on a terminal (reports, exports, db copy)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def count_progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[], None]]:
    """Yields `advance()`; a no-op when disabled or when stderr is not a terminal."""
    with row_progress(enabled, label) as on_start:
        advance = on_start(total) if on_start else None
        yield (lambda: advance(1)) if advance else (lambda: None)


@contextmanager
def row_progress(enabled: bool, label: str) -> Iterator[Callable[[int], Callable[[int], None]] | None]:
    """Yields `on_start(total)` -> `advance(n)`, or None when disabled or stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        def on_start(total: int) -> Callable[[int], None]:
            task = progress.add_task(label, total=total)
            return lambda n: progress.advance(task, n)
        yield on_start
