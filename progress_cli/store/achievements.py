"""Unlocked achievements: stored once, never taken away (DESIGN 6)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from progress_cli.store.reads import stored_unlocks  # noqa: F401  (its home is reads.py)
from progress_cli.store.times import TS


class EarnedAchievement(SQLModel, table=True):
    __tablename__ = "achievements_earned"
    learner_id: str = Field(primary_key=True)
    achievement_id: str = Field(primary_key=True)
    earned_at: str = Field(max_length=TS, index=True)  # the satisfying event's time (UTC)
    points: int = 0
    unlocked_at: str = Field(max_length=TS)  # when the tool noticed (import or recompute)


EARNED = EarnedAchievement.__table__
