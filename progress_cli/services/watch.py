"""`progress watch`: follow the activity outbox by id (a cheap indexed read per poll)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

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


def batches(engine: Engine, since: int, *, learner_id: str | None, interval: float, once: bool,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[list[dict[str, Any]]]:
    """Each poll's new activity rows after `since`, as they are committed (empty polls are not
    yielded; the next poll waits `interval` seconds); stops after one poll with `once`."""
    while True:
        rows = poll(engine, since, learner_id)
        if rows:
            since = rows[-1]["id"]
            yield rows
        if once:
            return
        if not rows:
            sleep(interval)


def follow(engine: Engine, since: int, *, learner_id: str | None, interval: float, once: bool,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[dict[str, Any]]:
    """Yield activity rows after `since` one by one (see `batches`)."""
    for rows in batches(engine, since, learner_id=learner_id, interval=interval, once=once, sleep=sleep):
        yield from rows


def dashboard_data(db: str, learner_id: str | None, *, tz: ZoneInfo) -> dict[str, Any]:
    """What the live view shows above the feed: {"status": Status} of one learner (services.status),
    or {"learners": [...]}."""
    # status imports pandas (~0.3 s); the JSON stream never calls this
    from progress_cli.services.learners import list_learners
    from progress_cli.services.status import learner_status

    if learner_id:
        return {"status": learner_status(db, learner_id, tz=tz)}
    return {"learners": list_learners(db, tz=tz)}
