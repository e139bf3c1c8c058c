"""The risk of DESIGN 5.7 from the store: the cohort's figures per module, and stored risks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.json_output import to_json
from progress_cli.store import queries
from progress_cli.store.models import STORED_TIME, stored_time

NO_RISK = {"risk": None, "at_risk": False, "module_id": None, "reasons": []}


def store_peers(conn: Connection, moment: dt.datetime, tz: ZoneInfo) -> dict:
    """{module_id: analytics.risk.ModulePeers}: every module's peers (all learners of the
    store) as of `moment`, from the events (a scan of them all: for past moments and reports)."""
    return as_peers(queries.module_peers(conn, until=stored_time(moment)), tz)


def stored_peers(conn: Connection, tz: ZoneInfo, modules: list[str] | None = None) -> dict:
    """The same as of each learner's last recompute, from `peer_tasks` (for `status` and an
    import's recompute: no scan of the events)."""
    return as_peers(queries.stored_module_peers(conn, modules), tz)


def as_peers(found: dict[str, dict], tz: ZoneInfo) -> dict:
    """{module_id: ModulePeers} of the counts `queries.module_peers` returns."""
    from progress_cli.analytics.risk import ModulePeers  # numpy: `learners` lists the stored risks without it

    out = {}
    for module_id, row in found.items():
        first = dt.datetime.strptime(row["first"], STORED_TIME).replace(tzinfo=dt.timezone.utc)
        out[module_id] = ModulePeers(learners=row["learners"], first_day=first.astimezone(tz).date(),
                                     task_learners=row["tasks"])
    return out


def add_peers(found: dict[str, dict], rows: list[tuple]) -> None:
    """Count `peer_rows` of some learners into `found` (the shape of `queries.module_peers`):
    the rows of every learner, added batch by batch, give what that query gives from the events."""
    for module_id, task_id, _learner, first in rows:
        entry = found.setdefault(module_id, {"learners": 0, "first": None, "tasks": {}})
        if task_id == "":
            entry["learners"] += 1
            if entry["first"] is None or first < entry["first"]:
                entry["first"] = first
        else:
            entry["tasks"][task_id] = entry["tasks"].get(task_id, 0) + 1


def merge_peers(found: dict[str, dict], part: dict[str, dict]) -> None:
    """Add the counts `add_peers` made of other learners (no learner in both) into `found`."""
    for module_id, counts in part.items():
        entry = found.setdefault(module_id, {"learners": 0, "first": None, "tasks": {}})
        entry["learners"] += counts["learners"]
        if entry["first"] is None or (counts["first"] is not None and counts["first"] < entry["first"]):
            entry["first"] = counts["first"]
        for task_id, n in counts["tasks"].items():
            entry["tasks"][task_id] = entry["tasks"].get(task_id, 0) + n


def stored_rows(module_risks: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """`module_risk` rows of {learner_id: [module risk, ...]} (the learner's top one flagged)."""
    from progress_cli.analytics.risk import is_at_risk, learner_risk  # numpy: see as_peers

    rows = []
    for learner_id, modules in module_risks.items():
        top = learner_risk(modules)["module_id"]
        rows += [{"learner_id": learner_id, "module_id": m["module_id"], "risk": m["risk"],
                  "at_risk": is_at_risk(m["risk"]), "reasons": to_json(m["reasons"], indent=None),
                  "target_date": m["target_date"], "top": m["module_id"] == top} for m in modules]
    return rows


def read_peers(conn: Connection, moment: dt.datetime, tz: ZoneInfo, *, stored: bool,
               modules: list[str] | None = None) -> dict:
    """The peers risks are weighed against, inside the caller's snapshot: as of `moment` from
    the events, or (`stored`) as of the last recompute, which costs no scan of the events."""
    return stored_peers(conn, tz, modules) if stored else store_peers(conn, moment, tz)
