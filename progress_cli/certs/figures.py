"""The analytics frames -> each learner's figures for the certification's requirements. Pure."""

from __future__ import annotations

import math

from progress_cli.catalog import Certification
from progress_cli.certs.eligibility import Figures


def figures_by_learner(analysis, certification: Certification) -> dict[str, Figures]:
    """learner_id -> Figures, from an `analytics.Analysis` (every learner it covers)."""
    modules = set(certification.module_scores)
    skills = set(certification.skill_mastery)
    scores: dict[str, dict[str, float | None]] = {}
    frame = analysis.modules
    for learner, module, value in zip(frame["learner_id"], frame["module_id"], frame["average_score"]):
        if module in modules:
            scores.setdefault(learner, {})[module] = _plain(value)
    mastery: dict[str, dict[str, float | None]] = {}
    frame = analysis.skills
    for learner, skill, value in zip(frame["learner_id"], frame["skill"], frame["mastery"]):
        if skill in skills:
            mastery.setdefault(learner, {})[skill] = _plain(value)
    overall = analysis.overall
    return {
        learner: Figures(total_progress=_plain(total), module_scores=scores.get(learner, {}),
                         skill_mastery=mastery.get(learner, {}))
        for learner, total in zip(overall["learner_id"], overall["total_progress"])
    }


def _plain(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value
