"""Worker processes for work that holds the GIL (recompute's analysis, rendering e-mailed
reports: pandas and Python code), with the results taken back in order and a bounded number
in flight, so memory stays flat.

Ctrl-C belongs to the parent: workers ignore SIGINT, the parent stops submitting, waits for
the few tasks in hand and lets its transaction roll back (exit 130, nothing half-written).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_JOBS = 8  # past this the single writer, not the analysis, sets the pace
IN_FLIGHT_PER_WORKER = 2
AHEAD_PER_JOB = 4  # results waiting per worker (computed_ahead): enough to keep them busy, little memory


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity, where the system says), at most MAX_JOBS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


@contextmanager
def worker_pool(workers: int, initializer: Callable[..., None] | None = None,
                initargs: tuple = ()) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes, each set up once by `initializer(*initargs)`, all started
    before this returns: no thread the caller starts later (a progress bar's) is copied into a
    worker (a fork pool starts every worker at its first submission)."""
    # Objects the garbage collector scans in a forked worker are copied into its memory:
    # frozen, the parent's objects (pandas, the catalog) stay shared pages.
    gc.freeze()
    pool = None
    try:
        with _ctrl_c_held():
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start,
                                       initargs=(initializer, initargs))
            pool.submit(int)
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def in_order(pool: ProcessPoolExecutor, work: Callable[[Any], Any], items: Iterable[Any],
             workers: int) -> Iterator[Any]:
    """`work(item)` of each item, computed on the pool, yielded in the order of `items`, with
    at most IN_FLIGHT_PER_WORKER items per worker submitted and not yet taken back."""
    for _item, future in _ahead(pool, work, items, workers * IN_FLIGHT_PER_WORKER):
        yield future.result()


def computed_ahead(items: Iterable[T], work: Callable[[T], R], *, jobs: int) -> Iterator[tuple[T, Callable[[], R]]]:
    """(item, get) for each item in order; `get()` returns `work(item)` (or raises its error).

    With one job, `work` runs only when `get` is called. With more, it runs in `jobs` worker
    processes (`work` and the items must pickle), at most jobs x AHEAD_PER_JOB items ahead.
    """
    if jobs <= 1:
        for item in items:
            yield item, partial(work, item)
        return
    with worker_pool(jobs) as pool:
        for item, future in _ahead(pool, work, items, jobs * AHEAD_PER_JOB):
            yield item, future.result


def _ahead(pool: ProcessPoolExecutor, work: Callable, items: Iterable, window: int) -> Iterator[tuple[Any, Future]]:
    """(item, its future) in the order of `items`, at most `window` submitted ahead."""
    pending: deque = deque()
    for item in items:
        pending.append((item, pool.submit(work, item)))
        if len(pending) >= window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C waits while the pool starts: between forking the workers and starting the thread
    that feeds and stops them, it would leave workers nobody stops, and a process that never
    exits (it waits for them). The workers are born with it held, until they ignore it."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks (and no fork)
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _start(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C (see the module's docstring)
    if initializer is not None:
        initializer(*initargs)


def _context():
    """Fork on Linux: a worker starts at once and shares the parent's pages instead of importing
    the program again; it runs only the work it is given and touches no connection it
    inherits. Elsewhere fork is not safe (macOS) or not there (Windows): spawn."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
