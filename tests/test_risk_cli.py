"""The risk of DESIGN 5.7 in `learners` and `status`: what recompute stores (the fast path)
equals what is computed from the events, and an import's recompute of a few learners, which
reads the stored peers, agrees with a full one."""

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

from progress_cli.services.learners import list_learners
from progress_cli.services.recompute import recompute_learners
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.store import queries, read_snapshot
from progress_cli.store.models import stored_time
from tests.test_cli_progress import sample_store  # noqa: F401  (the sample store, both backends)

pytestmark = pytest.mark.both_backends
UTC = ZoneInfo("UTC")
RISK_KEYS = ("risk", "at_risk", "risk_module", "reasons")


def _recompute(learner_ids, day: str) -> None:
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.max, tzinfo=UTC)
    engine = open_engine(os.environ["PROGRESS_DB"])
    try:
        recompute_learners(engine, learner_ids, catalog=stored_catalog(engine), tz=UTC, as_of=moment)
    finally:
        engine.dispose()


def _risks(as_of: str | None = None) -> dict[str, tuple]:
    return {r["learner_id"]: tuple(r[k] for k in RISK_KEYS)
            for r in list_learners(os.environ["PROGRESS_DB"], tz=UTC, as_of=as_of)}


@pytest.mark.parametrize("day", ["2026-09-15", "2026-10-20", "2026-11-27"])
def test_stored_risk_equals_the_computed_one(sample_store, day):
    _recompute(None, day)
    stored, computed = _risks(), _risks(day)
    assert stored == computed
    assert any(r[1] for r in stored.values()) and any(r[0] is None for r in stored.values())


def test_a_partial_recompute_reads_the_stored_peers(sample_store):
    _recompute(None, "2026-11-27")
    before = _risks()
    _recompute(["bob", "mia"], "2026-11-27")
    assert _risks() == before


@pytest.mark.parametrize("modules", [None, ["safety"], ["safety", "no-such-module"]])
def test_the_stored_peers_count_what_the_events_say(sample_store, modules):
    _recompute(None, "2026-11-27")
    until = stored_time(dt.datetime.combine(dt.date(2026, 11, 27), dt.time.max, tzinfo=UTC))
    engine = open_engine(os.environ["PROGRESS_DB"])
    try:
        with read_snapshot(engine) as conn:
            stored, scanned = queries.stored_module_peers(conn, modules), queries.module_peers(conn, until=until)
    finally:
        engine.dispose()
    assert stored == {m: v for m, v in scanned.items() if modules is None or m in modules}
    assert stored["safety"]["tasks"] and stored["safety"]["learners"] > 1


def test_learners_and_status_show_the_same_risk(cli, sample_store):
    rows = {r["learner_id"]: r for r in cli.json("learners", "--as-of", "2026-11-27")}
    assert all(set(RISK_KEYS) <= set(r) for r in rows.values())
    for learner in ("bob", "zoe", "kenji"):
        risk = cli.json("status", learner, "--as-of", "2026-11-27")["risk"]
        assert (risk["risk"], risk["at_risk"], risk["module_id"], risk["reasons"]) == tuple(
            rows[learner][k] for k in RISK_KEYS)
        assert max((m["risk"] for m in risk["modules"]), default=None) == risk["risk"]
    # zoe finished every module: no risk; kenji's safety target date (2026-10-16) has passed
    assert rows["zoe"]["risk"] is None and rows["zoe"]["at_risk"] is False
    assert rows["kenji"]["risk"] == 1.0 and rows["kenji"]["reasons"][0].startswith("target date 2026-10-16 passed")
    assert "risk 100% at risk in safety" in cli("status", "kenji", "--as-of", "2026-11-27").stdout
