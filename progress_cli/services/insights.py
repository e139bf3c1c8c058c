"""`progress insights LEARNER`: patterns, forecasts and recommendations (DESIGN 5.5, 5.6);
and the forecast pieces that `status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.analytics import forecast as fc
from progress_cli.analytics.insights import LearnerView, completion_forecasts, current_plateaus, peak_times
from progress_cli.analytics.insights import learner_insights as compute
from progress_cli.analytics.recommend import learner_recommendations, ranked
from progress_cli.services.learner_data import load_learner

MIN_RECOMMENDATIONS = 3


@dataclass(frozen=True)
class Insights:
    payload: dict[str, Any]  # what --json prints (README "Insights and forecasts")
    curve_scores: list[float]  # every attempt's score, oldest first, for the chart
    curve_fit: Any  # analytics.curve.CurveFit of those scores


def learner_insights(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> Insights:
    """Everything `insights` shows, computed from the learner's events as of `as_of`."""

    data = load_learner(db, learner_id, tz=tz, as_of=as_of, with_calibrations=True)
    analysis = data.analyze()
    found = compute(analysis, learner_id, data.calibrations)
    recommendations = _with_status_rules(found["recommendations"], data.catalog, analysis, learner_id)
    payload = {
        "learner_id": learner_id,
        "name": data.name,
        "as_of": data.as_of.isoformat(),
        "window": found["window"],
        "patterns": found["patterns"],
        "forecasts": found["forecasts"],
        "recommendations": recommendations,
    }
    return Insights(payload, found["curve"]["scores"], found["curve"]["fit"])


def status_extras(analysis, learner_id: str, calibrations: dict | None) -> dict[str, Any]:
    """What `status` takes from the forecasts and patterns (no curve fitting, no scipy): the
    completion forecast (its estimate is predicted_completion_date), the skills on a
    plateau now, and the peak hours."""

    if learner_id not in set(analysis.prepared.learners):  # no events at all: nothing to read
        return {"completion": fc.no_forecast("no events yet"), "plateaus": [], "peak_hours": []}
    view = LearnerView(analysis, learner_id)
    return {
        "completion": completion_forecasts(view, calibrations or {}, per_module=False)["completion"],
        "plateaus": current_plateaus(view),
        "peak_hours": peak_times(view)["peak_hours"],
    }


def _with_status_rules(found: list[dict], catalog, analysis, learner_id: str) -> list[dict]:
    """The pattern-derived recommendations, topped up to 3 from the rules `status` uses."""
    if len(found) >= MIN_RECOMMENDATIONS:
        return found
    extra = learner_recommendations(analysis, catalog, [learner_id])[learner_id]
    targets = {(r["module_id"], r["skill"]) for r in found if r["module_id"] or r["skill"]}
    out = list(found)
    for r in extra:
        if len(out) >= MIN_RECOMMENDATIONS:
            break
        if (r["module_id"], r["skill"]) not in targets or not (r["module_id"] or r["skill"]):
            out.append(r)
    return ranked(out)
