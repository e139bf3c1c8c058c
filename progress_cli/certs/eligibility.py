"""Eligibility for the catalog's certification (DESIGN sections 5.3 and 6). Pure.

A learner is eligible when every requirement holds: `min_completion` on total_progress (a
requirement only when above 0, as in certificate_progress), `module_scores` on each module's
average score, `skill_mastery` on each skill's mastery. A threshold compares round(x, 9); a
requirement of 0 is met; a missing current value counts as 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from progress_cli.catalog import Catalog, Certification

DECIMALS = 9  # DESIGN 5.0: comparisons with a threshold use round(x, 9)
COMPLETION, MODULE_SCORE, SKILL_MASTERY = "completion", "module_score", "skill_mastery"

TREND_WEEKS = 4  # the estimate looks at the last 4 weeks, one point a week
MIN_TREND_POINTS = 3
MAX_ESTIMATE_DAYS = 730


@dataclass(frozen=True)
class Figures:
    """What the requirements read, for one learner at one moment (None: no data)."""

    total_progress: float | None = None
    module_scores: dict[str, float | None] = field(default_factory=dict)
    skill_mastery: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RequirementCheck:
    kind: str  # completion | module_score | skill_mastery
    id: str | None  # the module or skill id (None for completion)
    name: str
    required: float
    current: float | None
    met: bool

    @property
    def progress(self) -> float:
        """min(current / required, 1), on 0..1; 1 for a requirement of 0."""
        if self.required == 0:
            return 1.0
        return min(round((self.current or 0.0) / self.required, DECIMALS), 1.0)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.kind, self.id)

    def describe(self) -> str:
        sign = ">=" if self.met else "<"
        return f"{self.name} {shown(self.current)} {sign} {self.required:g}"


@dataclass(frozen=True)
class Eligibility:
    certification: str
    requirements: tuple[RequirementCheck, ...]

    @property
    def eligible(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def progress(self) -> float:
        """certificate_progress on 0..100 (100 when nothing is required)."""
        if not self.requirements:
            return 100.0
        return sum(r.progress for r in self.requirements) / len(self.requirements) * 100.0

    def unmet(self) -> list[RequirementCheck]:
        return [r for r in self.requirements if not r.met]


@dataclass(frozen=True)
class Estimate:
    """When the learner should become eligible: a date, or None with the reason."""

    date: dt.date | None
    basis: str
    reason: str | None


def shown(value: float | None) -> str:
    """A figure for people: one decimal, cut rather than rounded (after the round(x, 9) that
    thresholds see), so 79.99 shows as 79.9 and never as the 80 it does not reach."""
    if value is None:
        return "no data"
    return f"{math.floor(round(value, DECIMALS) * 10) / 10:.1f}"


def check(catalog: Catalog, figures: Figures) -> Eligibility:
    """Each requirement of the catalog's certification against the learner's figures."""
    cert: Certification = catalog.certification
    checks = []
    if cert.min_completion > 0:
        checks.append(_check(COMPLETION, None, "Overall completion", cert.min_completion, figures.total_progress))
    for module_id, required in cert.module_scores.items():
        module = catalog.module(module_id)
        name = f"Average score in {module.title if module else module_id}"
        checks.append(_check(MODULE_SCORE, module_id, name, required, figures.module_scores.get(module_id)))
    skill_names = {s.id: s.name for s in catalog.skills}
    for skill_id, required in cert.skill_mastery.items():
        name = f"Mastery of {skill_names.get(skill_id, skill_id)}"
        checks.append(_check(SKILL_MASTERY, skill_id, name, required, figures.skill_mastery.get(skill_id)))
    return Eligibility(certification=cert.name, requirements=tuple(checks))


def overall_score(catalog: Catalog, figures: Figures) -> float | None:
    """The mean of the certification's modules' average scores (those with a score)."""
    scores = [figures.module_scores.get(m) for m in catalog.certification.module_scores]
    scores = [s for s in scores if s is not None]
    return sum(scores) / len(scores) if scores else None


def verified_skills(catalog: Catalog, result: Eligibility) -> list[dict]:
    """The certification's skills whose requirement holds, with their mastery, in catalog order."""
    names = {s.id: s.name for s in catalog.skills}
    return [{"id": r.id, "name": names.get(r.id, r.id), "mastery": r.current}
            for r in result.requirements if r.kind == SKILL_MASTERY and r.met]


def estimate(now: Eligibility, history: list[tuple[dt.date, Eligibility]], today: dt.date) -> Estimate:
    """The day every unmet requirement reaches its threshold at its recent linear trend.

    `history` holds earlier checks (date, result), e.g. one a week for TREND_WEEKS weeks. A
    requirement needs MIN_TREND_POINTS points with data and a rising trend; the estimate is the
    latest of the unmet requirements' days, or None with the reason when one cannot be given.
    """
    basis = f"linear trend of each unmet requirement over the last {TREND_WEEKS} weeks, one point a week"
    if now.eligible:
        return Estimate(date=today, basis="every requirement is met", reason=None)
    points: dict[tuple, list[tuple[float, float]]] = {}
    for day, past in [*history, (today, now)]:
        for r in past.requirements:
            if r.current is not None:
                points.setdefault(r.key, []).append(((day - today).days, r.current))
    days_needed = []
    for r in now.unmet():
        series = points.get(r.key, [])
        if r.current is None:
            return Estimate(None, basis, f"{r.name}: no data yet")
        if len(series) < MIN_TREND_POINTS:
            return Estimate(None, basis, f"{r.name}: too little history for a trend "
                                         f"({len(series)} of {MIN_TREND_POINTS} weekly points)")
        slope = _slope(series)
        if slope <= 0:
            return Estimate(None, basis, f"{r.name} is not rising ({shown(r.current)}, {r.required:g} required)")
        days_needed.append(math.ceil((r.required - r.current) / slope))
    days = max(days_needed)
    if days > MAX_ESTIMATE_DAYS:
        return Estimate(None, basis, "more than two years away at the current pace")
    return Estimate(date=today + dt.timedelta(days=days), basis=basis, reason=None)


def _check(kind: str, ident: str | None, name: str, required: float, current: float | None) -> RequirementCheck:
    met = required == 0 or (current is not None and round(current, DECIMALS) >= required)
    return RequirementCheck(kind=kind, id=ident, name=name, required=required, current=current, met=met)


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of value over day."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
