"""`progress init`: create or upgrade the store and load the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoneinfo import ZoneInfo

from progress_cli.catalog import load_catalog
from progress_cli.services.recompute import recompute_learners, unlock_json
from progress_cli.store import open_store, write_transaction
from progress_cli.store import queries
from progress_cli.store.engine import database_url
from progress_cli.store.migrations import SCHEMA_VERSION


def init_store(db: str, catalog_path: Path | None, tz: ZoneInfo) -> dict[str, Any]:
    """Open (creating or migrating) the store; load `catalog_path` if given, then recompute."""
    catalog = load_catalog(catalog_path) if catalog_path else None  # validate before touching the store
    engine = open_store(db)
    summary: dict[str, Any] = {"db": database_url(db), "schema_version": SCHEMA_VERSION, "catalog": None}
    if catalog is not None:
        text = catalog_path.read_text(encoding="utf-8")
        with write_transaction(engine) as conn:
            queries.replace_catalog(conn, catalog=catalog, text=text, source=str(catalog_path))
        summary["catalog"] = {
            "source": str(catalog_path),
            "modules": len(catalog.modules),
            "tasks": sum(len(m.tasks) for m in catalog.modules),
            "skills": len(catalog.skill_ids()),
            "achievements": len(catalog.achievements),
        }
        done = recompute_learners(engine, None, catalog=catalog, tz=tz)
        summary["learners_recomputed"] = done.learners
        summary["achievements_unlocked"] = [unlock_json(u) for u in done.unlocked]
    engine.dispose()
    return summary
