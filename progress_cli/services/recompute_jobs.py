"""Where recompute's batches are derived (services/derive.py): in recompute's own process, or
on worker processes that read their learners' events through their own connections.

A worker's reads see what the recompute sees: the recompute holds the store's write lock
(SQLite's, or the PostgreSQL advisory lock every writer takes) from before the first worker
reads until it commits, so no events change in between, and the workers read only events,
never the derived rows the recompute is rewriting.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from progress_cli.catalog import Catalog
from progress_cli.services.derive import Derived, derive
from progress_cli.services.derived_rows import Stamp
from progress_cli.services.workers import in_order, worker_pool
from progress_cli.store import queries, read_snapshot
from progress_cli.store.engine import create_store_engine
from progress_cli.store.models import stored_time

Selection = tuple[str, str] | list[str]  # an inclusive id range, or the ids


@dataclass
class Work:
    results: Iterator[Derived]  # one per selection, in order
    peers: Callable[[], dict[str, dict[str, Any]]]  # `queries.module_peers` over every learner, as of as_of


@contextmanager
def derived(engine: Engine, conn: Connection, selections: list[Selection], *, catalog: Catalog, tz: ZoneInfo,
            as_of: dt.datetime, stamp: Stamp, jobs: int, shard_peers: bool = False) -> Iterator[Work]:
    """The Derived of each selection of learners, on min(jobs, selections) processes (1: in this
    process, reading through `conn`). With `shard_peers`, `Work.peers` is counted from every
    learner's events meanwhile (on a worker)."""
    workers = min(jobs, len(selections))
    if workers <= 1:
        yield Work((derive(_events(conn, s), catalog=catalog, tz=tz, as_of=as_of, stamp=stamp) for s in selections),
                   lambda: queries.module_peers(conn, until=stored_time(as_of)))
        return
    url = engine.url.render_as_string(hide_password=False)
    with worker_pool(workers, _start_worker, (url, catalog, tz, as_of, stamp)) as pool:
        peers = pool.submit(_module_peers) if shard_peers else None
        yield Work(in_order(pool, _derive, selections, workers), peers.result if peers else _no_peers)


def _events(conn: Connection, selection: Selection) -> list[tuple]:
    if isinstance(selection, tuple):
        return queries.live_events(conn, between=selection)
    return queries.live_events(conn, learner_ids=selection)


def _no_peers() -> dict:
    raise RuntimeError("peers were not asked for")


# --------------------------------------------------------------------------- in a worker

_worker: dict[str, Any] = {}


def _start_worker(url: str, catalog: Catalog, tz: ZoneInfo, as_of: dt.datetime, stamp: Stamp) -> None:
    # Its own engine: the parent's connections (copied by fork) are never touched here. A
    # small page cache: a batch reads each page of its learners' events once, and a full
    # cache would be 60 MB more per worker.
    _worker.update(engine=create_store_engine(url, cache_kib=4096), catalog=catalog, tz=tz, as_of=as_of, stamp=stamp)


def _derive(selection: Selection) -> Derived:
    engine = _worker["engine"]
    try:
        with read_snapshot(engine) as conn:
            events = _events(conn, selection)
    finally:
        engine.dispose()  # no connection left open when the pool ends the process
    return derive(events, catalog=_worker["catalog"], tz=_worker["tz"], as_of=_worker["as_of"], stamp=_worker["stamp"])


def _module_peers() -> dict[str, dict[str, Any]]:
    engine = _worker["engine"]
    try:
        with read_snapshot(engine) as conn:
            return queries.module_peers(conn, until=stored_time(_worker["as_of"]))
    finally:
        engine.dispose()
