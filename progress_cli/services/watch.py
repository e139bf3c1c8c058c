"""`progress watch`: follow the activity outbox by id (a cheap indexed read per poll)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator

from sqlalchemy import Engine

from progress_cli.store import activity, read_snapshot


def start_id(engine: Engine, since: int | None) -> int:
    """Where to start: after `since`, or after the newest row (only changes from now on)."""
    if since is not None:
        return since
    with read_snapshot(engine) as conn:
        return activity.last_id(conn)


def poll(engine: Engine, since: int, learner_id: str | None = None) -> list[dict[str, Any]]:
    with read_snapshot(engine) as conn:
        return activity.after(conn, since, learner_id)


def follow(engine: Engine, since: int, *, learner_id: str | None, interval: float, once: bool,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[dict[str, Any]]:
    """Yield activity rows after `since` as they are committed; stops after one pass with `once`."""
    while True:
        rows = poll(engine, since, learner_id)
        for row in rows:
            since = row["id"]
            yield row
        if once:
            return
        if not rows:
            sleep(interval)
