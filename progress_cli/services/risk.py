"""The risk of DESIGN 5.7 from the store: the cohort's figures per module, and stored risks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Connection, select

from progress_cli.json_output import to_json
from progress_cli.store import queries
from progress_cli.store.derived import MODULE_RISK as MR
from progress_cli.store.models import STORED_TIME, stored_time

NO_RISK = {"risk": None, "at_risk": False, "module_id": None, "reasons": []}


def store_peers(conn: Connection, moment: dt.datetime, tz: ZoneInfo) -> dict:
    """{module_id: analytics.risk.ModulePeers}: every module's peers (all learners of the
    store) as of `moment`, from the events (a scan of them all: for past moments and reports)."""
    return _peers(queries.module_peers(conn, until=stored_time(moment)), tz)


def stored_peers(conn: Connection, tz: ZoneInfo, modules: list[str] | None = None) -> dict:
    """The same as of each learner's last recompute, from `peer_tasks` (for `status` and an
    import's recompute: no scan of the events)."""
    return _peers(queries.stored_module_peers(conn, modules), tz)


def _peers(found: dict[str, dict], tz: ZoneInfo) -> dict:
    from progress_cli.analytics.risk import ModulePeers  # numpy: `learners` lists the stored risks without it

    out = {}
    for module_id, row in found.items():
        first = dt.datetime.strptime(row["first"], STORED_TIME).replace(tzinfo=dt.timezone.utc)
        out[module_id] = ModulePeers(learners=row["learners"], first_day=first.astimezone(tz).date(),
                                     task_learners=row["tasks"])
    return out


def peer_rows(analysis) -> list[dict[str, Any]]:
    """`peer_tasks` rows of the learners of `analysis`: each module they touched (with their
    first event in it) and each task."""
    p = analysis.prepared
    ev = p.events
    firsts = ev.groupby(["learner_id", "module_id"], sort=False)["ts"].min()
    rows = [{"module_id": m, "task_id": "", "learner_id": lid, "first_at": stored_time(ts)}
            for (lid, m), ts in firsts.items()]
    t = analysis.tasks
    rows += [{"module_id": m, "task_id": task, "learner_id": lid, "first_at": None}
             for lid, m, task in zip(p.learners[t["learner_idx"].to_numpy()], p.modules[t["module_idx"].to_numpy()],
                                     t["task_id"])]
    return rows


def stored_rows(module_risks: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """`module_risk` rows of {learner_id: [module risk, ...]} (the learner's top one flagged)."""
    from progress_cli.analytics.risk import is_at_risk, learner_risk  # numpy: see _peers

    rows = []
    for learner_id, modules in module_risks.items():
        top = learner_risk(modules)["module_id"]
        rows += [{"learner_id": learner_id, "module_id": m["module_id"], "risk": m["risk"],
                  "at_risk": is_at_risk(m["risk"]), "reasons": to_json(m["reasons"], indent=None),
                  "target_date": m["target_date"], "top": m["module_id"] == top} for m in modules]
    return rows


def stored_learner_risks(conn: Connection) -> dict[str, dict[str, Any]]:
    """{learner_id: {"risk", "at_risk", "module_id", "reasons"}} from the last recompute
    (without importing the analytics: `learners` stays fast)."""
    query = select(MR.c.learner_id, MR.c.module_id, MR.c.risk, MR.c.at_risk, MR.c.reasons).where(MR.c.top == True)  # noqa: E712
    return {r.learner_id: {"risk": r.risk, "at_risk": bool(r.at_risk), "module_id": r.module_id,
                           "reasons": orjson.loads(r.reasons)} for r in conn.execute(query)}


def read_peers(conn: Connection, moment: dt.datetime, tz: ZoneInfo, *, stored: bool,
               modules: list[str] | None = None) -> dict:
    """The peers risks are weighed against, inside the caller's snapshot: as of `moment` from
    the events, or (`stored`) as of the last recompute, which costs no scan of the events."""
    return stored_peers(conn, tz, modules) if stored else store_peers(conn, moment, tz)
