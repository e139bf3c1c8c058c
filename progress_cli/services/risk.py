"""The risk of DESIGN 5.7 from the store: the cohort's figures per module, and stored risks."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from progress_cli.store import queries, read_connection
from progress_cli.store.derived import ModuleRisk
from progress_cli.store.models import STORED_TIME, stored_time

MR = ModuleRisk.__table__
NO_RISK = {"risk": None, "at_risk": False, "module_id": None, "reasons": []}


def store_peers(conn: Connection, moment: dt.datetime, tz: ZoneInfo) -> dict:
    """{module_id: analytics.risk.ModulePeers}: every module's peers (all learners of the
    store) as of `moment`."""
    from progress_cli.analytics.risk import ModulePeers  # the analytics load pandas: not on `learners`' fast path

    out = {}
    for module_id, row in queries.module_peers(conn, until=stored_time(moment)).items():
        first = dt.datetime.strptime(row["first"], STORED_TIME).replace(tzinfo=dt.timezone.utc)
        out[module_id] = ModulePeers(learners=row["learners"], first_day=first.astimezone(tz).date(),
                                     task_learners=row["tasks"])
    return out


def stored_rows(module_risks: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """`module_risk` rows of {learner_id: [module risk, ...]} (the learner's top one flagged)."""
    from progress_cli.analytics.risk import is_at_risk, learner_risk

    rows = []
    for learner_id, modules in module_risks.items():
        top = learner_risk(modules)["module_id"]
        rows += [{"learner_id": learner_id, "module_id": m["module_id"], "risk": m["risk"],
                  "at_risk": is_at_risk(m["risk"]), "reasons": json.dumps(m["reasons"], ensure_ascii=False),
                  "target_date": m["target_date"], "top": m["module_id"] == top} for m in modules]
    return rows


def stored_learner_risks(conn: Connection) -> dict[str, dict[str, Any]]:
    """{learner_id: {"risk", "at_risk", "module_id", "reasons"}} from the last recompute
    (without importing the analytics: `learners` stays fast)."""
    query = select(MR.c.learner_id, MR.c.module_id, MR.c.risk, MR.c.at_risk, MR.c.reasons).where(MR.c.top == True)  # noqa: E712
    return {r.learner_id: {"risk": r.risk, "at_risk": bool(r.at_risk), "module_id": r.module_id,
                           "reasons": json.loads(r.reasons)} for r in conn.execute(query)}


def analysis_risks(db: str, analysis, moment: dt.datetime, tz: ZoneInfo) -> dict[str, list[dict]]:
    """{learner_id: [module risk, ...]} of the learners of `analysis` (computed as of
    `moment`), against the whole store's peers as of the same moment."""
    from progress_cli.analytics.risk_inputs import module_risks
    from progress_cli.services.store_access import open_engine

    engine = open_engine(db)
    try:
        with read_connection(engine) as conn:
            peers = store_peers(conn, moment, tz)
    finally:
        engine.dispose()
    return module_risks(analysis, peers)
