"""Unlocked achievements: stored once, never taken away (DESIGN 6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select

from progress_cli.store.models import counter, metadata, pk, stamp


EARNED = Table(
    "achievements_earned", metadata,
    pk("learner_id"),
    pk("achievement_id"),
    stamp("earned_at", index=True),  # the satisfying event's time
    counter("points"),
    stamp("unlocked_at"),  # when the tool noticed (import or recompute)
)


def stored_unlocks(conn: Connection, learner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The stored unlocks (of these learners, or everyone's), oldest first."""
    query = select(EARNED).order_by(EARNED.c.earned_at, EARNED.c.learner_id, EARNED.c.achievement_id)
    if learner_ids is not None:
        query = query.where(EARNED.c.learner_id.in_(learner_ids))
    return [dict(r._mapping) for r in conn.execute(query)]
