"""Recompute derived progress for learners (the engine lands with the progress-engine issue)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from progress_cli.catalog import Catalog


def recompute_learners(engine: Engine, learner_ids: list[str], *, catalog: Catalog, tz: ZoneInfo) -> int:
    """Rebuild the derived tables of these learners; returns how many were recomputed."""
    return 0
