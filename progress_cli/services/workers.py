"""Running a slow function over a stream of items in worker processes, in order, a few ahead."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
AHEAD_PER_JOB = 4  # results waiting per worker: enough to keep them busy, little memory


def computed_ahead(items: Iterable[T], work: Callable[[T], R], *, jobs: int) -> Iterator[tuple[T, Callable[[], R]]]:
    """(item, get) for each item in order; `get()` returns `work(item)` (or raises its error).

    With one job, `work` runs only when `get` is called. With more, it runs in `jobs` worker
    processes (`work` and the items must pickle), at most jobs x AHEAD_PER_JOB items ahead.
    """
    if jobs <= 1:
        for item in items:
            yield item, partial(work, item)
        return
    window = jobs * AHEAD_PER_JOB
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        waiting: deque = deque()
        for item in items:
            waiting.append((item, pool.submit(work, item)))
            if len(waiting) >= window:
                first, future = waiting.popleft()
                yield first, future.result
        while waiting:
            first, future = waiting.popleft()
            yield first, future.result
