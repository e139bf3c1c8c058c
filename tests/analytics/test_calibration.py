"""Calibrated completion intervals (DESIGN 5.6, analytics/calibration.py) on a history whose
calibration is worked out by hand (tests/forecast_history.py explains the arithmetic)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from progress_cli.analytics import forecast as fc
from progress_cli.analytics.calibration import (
    ALL, LEVELS, MODULES, OVERALL, Calibration, calibrate, completion_samples, horizon_of, pick,
)
from progress_cli.analytics.insights import LearnerView, completion_forecasts
from progress_cli.catalog import parse_catalog
from tests import forecast_history as h

CATALOG = parse_catalog(h.CATALOG_TOML)
TODAY = h.day_number(h.AS_OF)


def analysis_of(kit, learners: int, as_of: dt.date = h.AS_OF):
    rows = [{**{k: v for k, v in e.items() if k != "timestamp"}, "ts": e["timestamp"]} for e in h.events(learners)]
    return kit.run(rows, catalog=CATALOG, as_of=f"{as_of.isoformat()}T23:59:59Z")


def iso(day: dt.date, offset: int = 0) -> str:
    return (day + dt.timedelta(days=offset)).isoformat()


def test_each_finish_is_replayed_at_the_weekly_cut_before_it(kit):
    samples = completion_samples(analysis_of(kit, 30))
    gaps = h.finish_gaps(30)
    cut = h.day_number(h.START) + 4
    for scope in ("module:m1", OVERALL):
        rows = samples[samples["scope"] == scope].sort_values("learner_id")
        assert rows["learner_id"].tolist() == [f"h{i:02d}" for i in range(30)]
        assert rows["cut_day"].tolist() == [cut] * 30
        assert rows["estimate_days"].tolist() == [2] * 30  # ceil(1 task x 5 days / 3 done)
        assert rows["actual_days"].tolist() == [d - 2 for d in gaps]
        assert rows["completed_day"].tolist() == [h.day_number(h.START) + 2 + d for d in gaps]
    assert "now" not in set(samples["learner_id"])  # not finished: nothing to replay


def test_calibration_quantiles_of_the_known_history(kit):
    found = calibrate(completion_samples(analysis_of(kit, 40)), TODAY)
    assert set(found) == {(MODULES, ALL), (MODULES, "1-7"), (OVERALL, ALL), (OVERALL, "1-7")}
    c = found[(MODULES, "1-7")]
    assert (c.completions, c.samples) == (40, 40)
    assert c.ratio(0.1) == pytest.approx(0.5) and c.ratio(0.9) == pytest.approx(3.5)
    assert c.ratio(0.0) == 0.5 and c.ratio(1.0) == 3.5


def test_a_calibrated_forecast_scales_the_estimate_by_the_ratios(kit):
    analysis = analysis_of(kit, 40)
    found = calibrate(completion_samples(analysis), TODAY)
    out = completion_forecasts(LearnerView(analysis, "now"), found)
    for f in (out["completion"], out["modules"]["m1"]):
        # estimate 3 days; 80%: floor(3 x 0.5) = 1 to ceil(3 x 3.5) = 11 days from today
        assert (f["estimate"], f["low"], f["high"]) == (iso(h.AS_OF, 3), iso(h.AS_OF, 1), iso(h.AS_OF, 11))
        assert f["confidence"] == 0.8 and f["reason"] is None
    assert ("interval calibrated on 40 past module completions (40 replayed forecasts, forecasts 1-7 days out: "
            "actual/estimated time 0.50 to 3.50)") in out["modules"]["m1"]["basis"]
    assert "interval calibrated on 40 past completions of the catalog" in out["completion"]["basis"]


@pytest.mark.parametrize("learners, calibrated", [(29, False), (30, True), (31, True)])
def test_under_30_past_completions_the_interval_falls_back_and_says_so(kit, learners, calibrated):
    analysis = analysis_of(kit, learners)
    out = completion_forecasts(LearnerView(analysis, "now"), calibrate(completion_samples(analysis), TODAY))
    f = out["modules"]["m1"]
    assert f["estimate"] == iso(h.AS_OF, 3)
    if calibrated:
        assert (f["low"], f["high"]) == (iso(h.AS_OF, 1), iso(h.AS_OF, 11))
        assert f"interval calibrated on {learners} past module completions" in f["basis"]
    else:
        assert f["basis"].endswith("interval not calibrated: 29 past module completions in the store (30 needed), "
                                   "so it is a bootstrap of the recent pace")
        bootstrap = completion_forecasts(LearnerView(analysis, "now"))["modules"]["m1"]
        assert (f["low"], f["high"]) == (bootstrap["low"], bootstrap["high"])


def test_without_any_history_the_basis_says_none_calibrated_it(kit):
    analysis = analysis_of(kit, 0)
    f = completion_forecasts(LearnerView(analysis, "now"), {})["completion"]
    assert f["estimate"] == iso(h.AS_OF, 3)
    assert "interval not calibrated: 0 past completions of the whole catalog in the store (30 needed)" in f["basis"]


def test_completions_after_as_of_are_not_replayed(kit):
    # As of the day before the first finishes (S + 2 + 3), nobody has finished yet.
    assert completion_samples(analysis_of(kit, 40, as_of=h.START + dt.timedelta(days=4))).empty


def test_a_replay_counts_once_watched_for_twice_its_estimate(kit):
    # Every replay is cut on S + 4 with an estimate of 2 days; d = 3 finishes on S + 5.
    samples = completion_samples(analysis_of(kit, 40))
    start = h.day_number(h.START)
    assert calibrate(samples, start + 7) == {}  # S + 4 + 2 x 2 = S + 8 is not yet
    on_day_8 = calibrate(samples, start + 8)[(MODULES, "1-7")]  # watched long enough: only d <= 6 have finished
    assert on_day_8.completions == sum(1 for d in h.finish_gaps(40) if d <= 6)
    assert on_day_8.ratio(1.0) == (6 - 2) / 2


def test_bounds_follow_the_quantiles_and_the_chance_of_finishing():
    c = Calibration(MODULES, ALL, 50, 500, tuple(2 * LEVELS))  # the quantile at level q is 2q
    assert c.bounds(10) == (2, 18)  # floor(10 x 0.2), ceil(10 x 1.8)
    # 90% of futures finish: the 10th and 90th percentiles of all are the finishing ones' at 1/9 and 1
    assert c.bounds(10, p_finish=0.9) == (2, 20)  # floor(10 x 2/9) = 2, ceil(10 x 2) = 20
    assert c.bounds(1) == (1, 2)  # a finish comes after today: low is at least 1


@pytest.mark.parametrize("days, horizon", [(1, "1-7"), (7, "1-7"), (8, "8-28"), (28, "8-28"), (29, "29-91"),
                                           (91, "29-91"), (92, "92+"), (900, "92+")])
def test_horizons(days, horizon):
    assert horizon_of(days) == horizon


def test_pick_prefers_the_horizon_then_every_horizon_of_the_scope():
    def cal(horizon, completions):
        return Calibration(MODULES, horizon, completions, completions, tuple(LEVELS))

    found = {(MODULES, ALL): cal(ALL, 45), (MODULES, "1-7"): cal("1-7", 30), (MODULES, "8-28"): cal("8-28", 29)}
    assert pick(found, "m1", 5)[0].horizon == "1-7"
    assert pick(found, "m1", 10)[0].horizon == ALL  # 29 behind 8-28: the scope's row instead
    assert pick(found, None, 5) == (None, "interval not calibrated: 0 past completions of the whole catalog in the "
                                          "store (30 needed), so it is a bootstrap of the recent pace")


def test_the_replayed_estimate_is_the_forecast_estimate():
    """completion_estimate_days (vectorised, for the replay) gives what completion_forecast
    dates, rule for rule, over irregular histories."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        active = np.unique(rng.integers(0, 120, size=rng.integers(3, 60)))
        done = np.sort(rng.choice(active, size=min(len(active), rng.integers(1, 12))))
        total = len(done) + int(rng.integers(0, 6))
        todays = np.arange(0, 130, 3)
        got = fc.completion_estimate_days(active, done, total, todays)
        for today, estimate in zip(todays, got):
            f = fc.completion_forecast(completed_days=done[done <= today], remaining=total - int((done <= today).sum()),
                                       total=total, window=fc.recent_window(active, int(today)), seed=1)
            expected = 0 if f["estimate"] is None else fc_days(f["estimate"]) - int(today)
            assert estimate == expected, (today, f)


def fc_days(iso_date: str) -> int:
    return (dt.date.fromisoformat(iso_date) - dt.date(1970, 1, 1)).days


def test_samples_of_an_empty_analysis_have_the_columns(kit):
    out = completion_samples(kit.run([{"ts": "2026-03-01T09:00:00Z", "score": 50}]))
    assert out.empty and list(out.columns) == ["learner_id", "scope", "completed_day", "cut_day", "estimate_days",
                                               "actual_days"]
    assert calibrate(pd.DataFrame(out), TODAY) == {}
