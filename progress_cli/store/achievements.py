"""Unlocked achievements: stored once, never taken away (DESIGN 6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Field, SQLModel

from progress_cli.store.models import TS


class EarnedAchievement(SQLModel, table=True):
    __tablename__ = "achievements_earned"
    learner_id: str = Field(primary_key=True)
    achievement_id: str = Field(primary_key=True)
    earned_at: str = Field(max_length=TS, index=True)  # the satisfying event's time (UTC)
    points: int = 0
    unlocked_at: str = Field(max_length=TS)  # when the tool noticed (import or recompute)


EARNED = EarnedAchievement.__table__


def stored_unlocks(conn: Connection, learner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The stored unlocks (of these learners, or everyone's), oldest first."""
    query = select(EARNED).order_by(EARNED.c.earned_at, EARNED.c.learner_id, EARNED.c.achievement_id)
    if learner_ids is not None:
        query = query.where(EARNED.c.learner_id.in_(learner_ids))
    return [dict(r._mapping) for r in conn.execute(query)]
