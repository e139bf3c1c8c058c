"""Overall progress per learner (DESIGN 5.3)."""

from __future__ import annotations

import pytest

from progress_cli.catalog import Catalog, Certification, Module, Skill, Task

MODULES = (
    Module("A", "A", tasks=tuple(Task(f"a{i}", f"A{i}") for i in range(1, 5))),
    Module("B", "B", tasks=(Task("b1", "B1"),)),
)


def overall(kit, rows, **kw):
    return kit.one(kit.run(rows, **kw).overall, learner_id="alice")


def test_total_progress_is_task_weighted_over_catalog_modules(kit):
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "module_id": "A", "task_id": "a1", "score": 70},
        {"ts": "2026-03-02T09:01:00Z", "module_id": "A", "task_id": "a2", "score": 95},
        {"ts": "2026-03-02T09:02:00Z", "module_id": "B", "task_id": "b1", "type": "task_completed"},
        {"ts": "2026-03-02T09:03:00Z", "module_id": "other", "task_id": "o1", "score": 99},  # not counted
    ]
    # A: 2 of 4, B: 1 of 1 -> (2 + 1) / (4 + 1); a plain mean of rates would be 75
    assert overall(kit, rows, catalog=Catalog(modules=MODULES))["total_progress"] == kit.approx(3 / 5 * 100)


def test_total_progress_without_catalog_uses_modules_seen(kit):
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "module_id": "x", "task_id": "u1", "score": 80},
        {"ts": "2026-03-02T09:01:00Z", "module_id": "x", "task_id": "u2", "score": 10},
        {"ts": "2026-03-02T09:02:00Z", "module_id": "y", "task_id": "w1", "score": 75},
        {"ts": "2026-03-02T09:03:00Z", "module_id": "z", "score": 75},  # no tasks: weight 0
    ]
    assert overall(kit, rows)["total_progress"] == kit.approx(2 / 3 * 100)


def test_learner_without_events(kit):
    rows = [{"ts": "2027-06-01T00:00:00Z", "module_id": "A", "score": 90}]  # after as_of
    with_catalog = overall(kit, rows, catalog=Catalog(modules=MODULES))
    assert with_catalog["total_progress"] == 0  # 0 of 5 catalog tasks is a real 0
    assert with_catalog["strengths"] == [] and with_catalog["weaknesses"] == []
    assert with_catalog["total_time_s"] == 0 and with_catalog["streak_days"] == 0
    for key in ("improvement_rate", "last_activity", "certificate_progress"):
        assert kit.is_null(with_catalog[key]), key
    assert kit.is_null(overall(kit, rows)["total_progress"])  # no catalog, no tasks: null


def test_certificate_progress(kit):
    catalog = Catalog(
        skills=(Skill("s1", "S1"), Skill("s2", "S2")),
        modules=MODULES,
        certification=Certification("C", min_completion=80, module_scores={"A": 80},
                                    skill_mastery={"s1": 50, "s2": 0}),
    )
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "module_id": "A", "task_id": "a1", "score": 50},
        {"ts": "2026-03-02T09:01:00Z", "module_id": "A", "task_id": "a2", "score": 70},
        {"ts": "2026-03-02T09:02:00Z", "module_id": "B", "task_id": "b1", "type": "task_completed"},
    ]
    # total 2/5 = 40 -> 40/80; A average 60 -> 60/80; s1 never practised -> 0; s2 needs 0 -> met
    expected = (40 / 80 + 60 / 80 + 0 + 1) / 4 * 100
    assert overall(kit, rows, catalog=catalog)["certificate_progress"] == kit.approx(expected)


def test_certificate_progress_caps_at_one_and_rounds(kit):
    catalog = Catalog(modules=MODULES, certification=Certification("C", module_scores={"A": 85, "B": 50}))
    rows = (kit.attempts([85.1, 85.3, 84.6], module_id="A")  # 84.99999999999999 in floats
            + kit.attempts([100], module_id="B", start="2026-03-03T09:00:00Z"))
    assert overall(kit, rows, catalog=catalog)["certificate_progress"] == 100


def test_certificate_progress_null_without_certification(kit):
    assert kit.is_null(overall(kit, kit.attempts([80]), catalog=Catalog(modules=MODULES))["certificate_progress"])


def one_attempt_per_skill(kit, scores: dict[str, float]) -> list[dict]:
    # One attempt each, so mastery = 100 * score/100 * 1 * (1/20) = score / 20: order = score order.
    return [{"ts": f"2026-03-02T09:{i:02d}:00Z", "skill": s, "score": v} for i, (s, v) in enumerate(scores.items())]


@pytest.mark.parametrize("scores, strengths, weaknesses", [
    ({"b": 60, "a": 90}, ["a", "b"], []),
    ({"d": 30, "c": 60, "b": 60, "a": 90}, ["a", "b", "c"], ["d"]),  # b/c tie: id order
    ({"e": 10, "d": 30, "c": 60, "b": 70, "a": 90}, ["a", "b", "c"], ["d", "e"]),
    ({"g": 5, "f": 10, "e": 20, "d": 30, "c": 60, "b": 70, "a": 90}, ["a", "b", "c"], ["e", "f", "g"]),
])
def test_strengths_and_weaknesses(kit, scores, strengths, weaknesses):
    catalog = Catalog(skills=(Skill("never", "Never practised"),))
    row = overall(kit, one_attempt_per_skill(kit, scores), catalog=catalog)
    assert row["strengths"] == strengths
    assert row["weaknesses"] == weaknesses


def test_improvement_rate_is_weekly_slope(kit):
    rows = [  # ISO weeks starting Mon 2026-03-02 (x=0), 03-16 (x=2), 03-23 (x=3)
        {"ts": "2026-03-02T09:00:00Z", "score": 50}, {"ts": "2026-03-08T09:00:00Z", "score": 70},
        {"ts": "2026-03-16T09:00:00Z", "score": 70},
        {"ts": "2026-03-23T09:00:00Z", "score": 90}, {"ts": "2026-03-24T09:00:00Z", "score": 70},
    ]
    # y = 60, 70, 80 at x = 0, 2, 3: sxy = (-5/3)(-10) + (1/3)(0) + (4/3)(10) = 30,
    # sxx = 25/9 + 1/9 + 16/9 = 14/3, slope = 30 / (14/3) = 45/7 points per week
    assert overall(kit, rows)["improvement_rate"] == kit.approx(45 / 7)


def test_improvement_rate_uses_the_last_eight_weeks_with_attempts(kit):
    scores = [100, 100] + [50 + 5 * i for i in range(8)]  # 10 consecutive weeks
    rows = kit.attempts(scores, step="7D")
    assert overall(kit, rows)["improvement_rate"] == kit.approx(5)


def test_improvement_rate_counts_weeks_in_the_zone(kit):
    rows = [  # both in the local week of Mon 2026-01-05; the second is Monday 07:30 in UTC
        {"ts": "2026-01-05T10:00:00-08:00", "score": 40},
        {"ts": "2026-01-11T23:30:00-08:00", "score": 60},
    ]
    assert kit.is_null(overall(kit, rows, tz="America/Los_Angeles")["improvement_rate"])
    assert overall(kit, rows, tz="UTC")["improvement_rate"] == 20


def test_total_time_attempts_and_last_activity(kit):
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "session_id": "s", "score": 50, "duration_s": 100},
        {"ts": "2026-03-02T09:05:00Z", "session_id": "s", "type": "note", "duration_s": 50},
    ]
    row = overall(kit, rows)
    assert (row["total_time_s"], row["attempts"]) == (150, 1)
    assert str(row["last_activity"]) == "2026-03-02 09:05:00+00:00"
