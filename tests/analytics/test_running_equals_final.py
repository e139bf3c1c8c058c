"""Formulas of DESIGN 5 written twice, for speed, held equal on random score series.

The values now (`skill_progress`, `module_progress`, `overall_progress`: one vectorised
pass, tens of milliseconds on 200,000 events) and the values after each event
(`metrics.Timeline`, which achievements read to find `earned_at`: pandas rolling and ewm per
group, about 6 s on the same events) are two implementations of mastery, improvement rate,
readiness and certificate progress; the certificate check (`certs.eligibility`) is a third of
certificate progress. After a series' last attempt, the running value must be the value now;
after its k-th attempt, the value of the first k attempts alone.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progress_cli.analytics import analyze, prepare_events, skill_progress
from progress_cli.analytics.metrics import Timeline, readiness_ordinal
from progress_cli.catalog import Catalog, Certification, Module, Skill, Task
from progress_cli.certs.eligibility import Figures, check
from tests.analytics.conftest import AS_OF, attempts, make_frame

CATALOG = Catalog(
    skills=(Skill("s1", "Skill 1"),),
    modules=(Module(id="m1", title="M1", pass_mark=70, tasks=(Task("t1", "T1", skills=("s1",)),
                                                              Task("t2", "T2", skills=("s1",)))),),
    certification=Certification(name="C", min_completion=50, module_scores={"m1": 75}, skill_mastery={"s1": 70}),
)
# Scores as they come from exports: tenths of a point, never all the same.
scores_strategy = st.lists(st.integers(0, 1000).map(lambda s: s / 10), min_size=2, max_size=45).filter(
    lambda xs: len(set(xs)) > 1)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _frame(scores: list[float]) -> pd.DataFrame:
    # alternate the two tasks, so completion moves too; minutes apart, in one module and skill
    rows = attempts(scores, task_id="t1", skill="s1")
    for i, row in enumerate(rows):
        row["task_id"] = ("t1", "t2")[i % 2]
    return make_frame(rows)


def _close(a: float | None, b: float | None, abs_tol: float = 1e-9) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=abs_tol)


def _now(frame: pd.DataFrame):
    return analyze(frame, CATALOG, "UTC", pd.Timestamp(AS_OF))


@SETTINGS
@given(scores=scores_strategy, data=st.data())
def test_mastery_and_improvement_after_each_attempt_equal_the_values_now(scores, data):
    timeline = Timeline(prepare_events(_frame(scores), CATALOG, "UTC", pd.Timestamp(AS_OF)))
    k = data.draw(st.integers(1, len(scores)), label="attempts so far")
    now = skill_progress(prepare_events(_frame(scores[:k]), CATALOG, "UTC", pd.Timestamp(AS_OF)))
    row = now[now["skill"] == "s1"].iloc[0]
    assert _close(timeline.values("skill_mastery", "s1")[k - 1], row["mastery"])
    assert _close(timeline.values("skill_improvement", "s1")[k - 1], row["improvement_rate"])


@SETTINGS
@given(scores=scores_strategy)
def test_readiness_and_certificate_progress_after_the_last_attempt_equal_the_values_now(scores):
    frame = _frame(scores)
    analysis = _now(frame)
    timeline = Timeline(analysis.prepared)
    module = analysis.modules[analysis.modules["module_id"] == "m1"].iloc[0]
    assert timeline.values("module_readiness", "m1")[-1] == readiness_ordinal(module["readiness"])
    # status rounds each requirement's ratio to 9 decimals, the timeline does not: at most
    # 0.5e-9 per ratio, x 100 on the percentage scale
    assert _close(timeline.values("certificate_progress")[-1], analysis.overall["certificate_progress"].iloc[0],
                  abs_tol=5e-8)


@SETTINGS
@given(scores=scores_strategy)
def test_the_certificate_check_reads_the_same_progress_as_status(scores):
    analysis = _now(_frame(scores))
    overall = analysis.overall.iloc[0]
    figures = Figures(
        total_progress=float(overall["total_progress"]),
        module_scores={"m1": float(analysis.modules["average_score"].iloc[0])},
        skill_mastery={"s1": float(analysis.skills[analysis.skills["skill"] == "s1"]["mastery"].iloc[0])},
    )
    assert _close(check(CATALOG, figures).progress, float(overall["certificate_progress"]))


def test_the_series_are_not_trivial():
    """The strategy gives series that move every figure (a constant one would prove little)."""
    scores = [40.0, 95.5, 62.0, 88.0, 71.5, 99.0, 55.0, 80.0, 90.0, 85.0, 77.0, 93.0]
    analysis = _now(_frame(scores))
    skill = analysis.skills[analysis.skills["skill"] == "s1"].iloc[0]
    assert 0 < skill["mastery"] < 100 and not np.isnan(skill["improvement_rate"])
    assert 0 < analysis.overall["certificate_progress"].iloc[0] < 100
