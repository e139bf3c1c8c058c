"""The calibration in the store: recompute writes it, status, reports and insights read it
(DESIGN 5.6). The history of tests/forecast_history.py gives a 10th percentile of 0.5 and a
90th of 3.5 for actual / estimated time; the learner `now` has an estimate 3 days out, so
the calibrated 80% interval runs from 1 (floor 1.5) to 11 (ceil 10.5) days from as_of."""

from __future__ import annotations

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import pytest

from progress_cli.config import parse_as_of
from progress_cli.services.recompute import recompute_learners
from progress_cli.services.status import learner_status
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.store.models import stored_time
from tests import forecast_history as h
from tests.conftest import write_jsonl

pytestmark = pytest.mark.both_backends
AS_OF = ("--as-of", h.AS_OF.isoformat())
ESTIMATE, LOW, HIGH = ((h.AS_OF + dt.timedelta(days=n)).isoformat() for n in (3, 1, 11))


def words(terminal_text: str) -> str:
    """A Rich panel's text as one line of words (borders and wrapping removed)."""
    return " ".join(terminal_text.replace("│", " ").split())


@pytest.fixture
def history(cli, tmp_path):
    """A store with `learners` history learners and `now` (import recomputes, as of the clock)."""
    def build(learners: int) -> None:
        catalog = tmp_path / "catalog.toml"
        catalog.write_text(h.CATALOG_TOML, encoding="utf-8")
        cli("init", "--catalog", catalog)
        cli("import", write_jsonl(tmp_path / "history.jsonl", h.events(learners)))
    return build


def test_recompute_stores_the_samples_and_the_calibration(history, sql):
    history(40)
    assert sql("select count(*), count(distinct learner_id) from forecast_samples") == [(80, 40)]
    assert sql("select scope, cut_date, estimate_days, actual_days from forecast_samples "
               "where learner_id = 'h00' order by scope") == [
        ("module:m1", (h.START + dt.timedelta(days=4)).isoformat(), 2, 1),
        ("overall", (h.START + dt.timedelta(days=4)).isoformat(), 2, 1)]
    rows = sql("select scope, horizon, completions, samples, quantiles from forecast_calibration "
               "order by scope, horizon")
    assert [r[:4] for r in rows] == [("modules", "1-7", 40, 40), ("modules", "all", 40, 40),
                                     ("overall", "1-7", 40, 40), ("overall", "all", 40, 40)]
    quantiles = json.loads(rows[0][4])
    assert len(quantiles) == 101 and quantiles[10] == 0.5 and quantiles[90] == 3.5


def test_insights_status_and_report_show_the_calibrated_interval(cli, history):
    history(40)
    out = cli.json("insights", "now", *AS_OF)["forecasts"]
    for f in (out["completion"], out["modules"]["m1"]):
        assert (f["estimate"], f["low"], f["high"], f["confidence"]) == (ESTIMATE, LOW, HIGH, 0.8)
    assert "interval calibrated on 40 past module completions" in out["modules"]["m1"]["basis"]
    status = cli.json("status", "now", *AS_OF)
    assert status["overall"]["predicted_completion_date"] == ESTIMATE
    assert set(status["overall"]) == {"total_progress", "certificate_progress", "improvement_rate", "strengths",
                                      "weaknesses", "predicted_completion_date", "streak_days", "total_time_s"}
    text = words(cli("status", "now", *AS_OF).stdout)
    assert f"completion: around {ESTIMATE} (80%: {LOW} to {HIGH})" in text
    assert "interval calibrated on 40 past completions of the catalog" in text
    report = cli.json("report", "--week", h.AS_OF.isoformat(), "--learner", "now", *AS_OF)
    assert (report["forecast"]["low"], report["forecast"]["high"]) == (LOW, HIGH)
    md = cli("report", "--week", h.AS_OF.isoformat(), "--learner", "now", "--format", "md", *AS_OF).stdout
    assert f"| Completion forecast | around {ESTIMATE} (80%: {LOW} to {HIGH}) |" in md


def test_a_recompute_as_of_that_day_is_read_as_stored(history):
    """The fast path: the stored quantiles, computed as of the moment status is asked about."""
    history(40)
    moment = parse_as_of(h.AS_OF.isoformat(), ZoneInfo("UTC"))
    engine = open_engine(os.environ["PROGRESS_DB"])
    recompute_learners(engine, None, catalog=stored_catalog(engine), tz=ZoneInfo("UTC"), as_of=moment)
    engine.dispose()
    found = learner_status(os.environ["PROGRESS_DB"], "now", tz=ZoneInfo("UTC"), as_of=h.AS_OF.isoformat())
    assert (found.completion["estimate"], found.completion["low"], found.completion["high"]) == (ESTIMATE, LOW, HIGH)
    assert found.payload["overall"]["predicted_completion_date"] == ESTIMATE


def test_a_past_as_of_uses_only_the_completions_known_then(cli, history):
    history(40)
    # The day before the first finish (S + 5) nobody had finished: the interval is not calibrated.
    day = (h.START + dt.timedelta(days=4)).isoformat()
    f = cli.json("insights", "h00", "--as-of", day)["forecasts"]["modules"]["m1"]
    assert f["estimate"] is not None
    assert "interval not calibrated: 0 past module completions in the store (30 needed)" in f["basis"]


@pytest.mark.parametrize("learners, calibrated", [(29, False), (30, True)])
def test_under_30_past_completions_status_falls_back_and_says_so(cli, history, learners, calibrated):
    history(learners)
    text = words(cli("status", "now", *AS_OF).stdout)
    if calibrated:
        assert f"(80%: {LOW} to {HIGH})" in text
    else:
        assert ("interval not calibrated: 29 past completions of the whole catalog in the store (30 needed), "
                "so it is a bootstrap of the recent pace") in text


def _recompute(learners, moment: dt.datetime) -> None:
    engine = open_engine(os.environ["PROGRESS_DB"])
    recompute_learners(engine, learners, catalog=stored_catalog(engine), tz=ZoneInfo("UTC"), as_of=moment)
    engine.dispose()


def test_an_import_recompute_refreshes_the_calibration_only_when_it_could_change(cli, history, sql, tmp_path):
    """The quantiles depend on the samples and the day alone: a recompute of some learners on
    the day of the last refresh that leaves their samples as they were keeps the stored rows;
    a new sample, or a new day, rewrites them."""
    history(40)
    first = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
    _recompute(None, first)
    stored = "select scope, horizon, completions, samples, quantiles, computed_as_of from forecast_calibration " \
             "order by scope, horizon"
    rows = sql(stored)
    assert {r[5] for r in rows} == {stored_time(first)}

    _recompute(["now"], first + dt.timedelta(hours=10))  # same day, `now` finished nothing
    assert sql(stored) == rows

    # `now` passes t4 on its 10th day: one more completion (d = 7, ratio 2.5) of m1 and of the catalog
    passed = h.NOW_START + dt.timedelta(days=9)
    cli("import", write_jsonl(tmp_path / "finish.jsonl", [{
        "event_id": "now-finish", "learner_id": "now", "module_id": "m1", "task_id": "t4", "type": "attempt",
        "timestamp": f"{passed.isoformat()}T09:00:00Z", "score": 90.0}]), "--no-recompute")
    _recompute(["now"], first + dt.timedelta(hours=11))
    assert [r[:4] for r in sql(stored)] == [("modules", "1-7", 41, 41), ("modules", "all", 41, 41),
                                           ("overall", "1-7", 41, 41), ("overall", "all", 41, 41)]
    assert {r[5] for r in sql(stored)} == {stored_time(first + dt.timedelta(hours=11))}

    next_day = first + dt.timedelta(days=1)
    _recompute(["h00"], next_day)  # nothing changed but the day: the replays known may have
    assert {r[5] for r in sql(stored)} == {stored_time(next_day)}
