"""Many learners in one frame give each learner exactly what they get alone."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progress_cli.analytics import analyze
from progress_cli.catalog import Catalog, Certification, Module, Skill, Task

CATALOG = Catalog(
    streak_min_minutes=5,
    skills=(Skill("s1", "S1"), Skill("s2", "S2")),
    modules=(
        Module("m1", "M1", tasks=(Task("t1", "T1", skills=("s1",)), Task("t2", "T2", skills=("s1", "s2")))),
        Module("m2", "M2", pass_mark=80, tasks=(Task("u1", "U1"),)),
    ),
    certification=Certification("C", min_completion=50, module_scores={"m1": 70}, skill_mastery={"s2": 40}),
)
PER_LEARNER = ("skills", "module_skills", "modules", "overall", "daily", "weekly", "monthly", "streaks")


def assert_same_as_alone(frame: pd.DataFrame, catalog: Catalog, tz: str, as_of: pd.Timestamp) -> None:
    together = analyze(frame, catalog, tz, as_of)
    for learner in frame["learner_id"].unique():
        alone = analyze(frame[frame["learner_id"] == learner], catalog, tz, as_of)
        for name in PER_LEARNER:
            mixed = getattr(together, name)
            mine = mixed[mixed["learner_id"] == learner].reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, getattr(alone, name), rtol=1e-9, obj=f"{name}[{learner}]")


def test_three_learners_hand_made(kit):
    rows = (
        kit.attempts([50, 60, 70, 80], learner_id="ann", task_id="t1", start="2026-03-02T22:50:00Z", step="20min")
        + kit.attempts([90, 40], learner_id="bob", module_id="m2", task_id="u1", skill="s2", step="2D")
        + kit.attempts([65] * 12, learner_id="cyd", task_id="t2", step="9h")
        + [{"learner_id": "ann", "ts": "2026-03-09T08:00:00Z", "type": "task_completed", "task_id": "t2"},
           {"learner_id": "bob", "ts": "2026-03-02T09:00:00Z", "type": "module_completed", "module_id": "m2",
            "duration_s": 600, "session_id": "b1"},
           {"learner_id": "cyd", "ts": "2026-03-02T09:00:00Z", "score": 10, "task_id": "t2"}]  # ties with cyd's first
    )
    assert_same_as_alone(kit.frame(rows), CATALOG, "Europe/Paris", pd.Timestamp("2026-03-12T12:00:00Z"))


LEARNERS = ("ann", "bob", "cyd")
event = st.fixed_dictionaries({
    "learner_id": st.sampled_from(LEARNERS),
    "minute": st.integers(0, 60 * 24 * 40),  # 40 days from the start; whole minutes make ties
    "module_id": st.sampled_from(["m1", "m2", "x"]),
    "task_id": st.sampled_from([None, "t1", "t2", "u1", "z"]),
    "skill": st.sampled_from([None, None, "s1", "s2", "s3"]),
    "type": st.sampled_from(["attempt", "attempt", "task_completed", "module_completed", "note"]),
    "score": st.one_of(st.none(), st.integers(0, 1000).map(lambda s: s / 10)),
    "duration_s": st.one_of(st.none(), st.integers(0, 1800).map(float)),
    "session_id": st.sampled_from([None, None, "a", "b"]),
})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(event, min_size=1, max_size=25),
    tz=st.sampled_from(["UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kolkata"]),
    with_catalog=st.booleans(),
    as_of_day=st.integers(0, 45),
)
def test_any_mix_of_learners(kit, events, tz, with_catalog, as_of_day):
    start = pd.Timestamp("2026-03-20T00:00:00Z")  # spans the March DST changes
    rows = [{**{k: v for k, v in e.items() if k != "minute"},
             "ts": (start + pd.Timedelta(minutes=e["minute"])).isoformat()} for e in events]
    as_of = start + pd.Timedelta(days=as_of_day, hours=13)
    assert_same_as_alone(kit.frame(rows), CATALOG if with_catalog else Catalog(), tz, as_of)
