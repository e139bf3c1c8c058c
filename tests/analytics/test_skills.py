"""Skill progress (DESIGN 5.1); every expected value is worked out from the raw scores."""

from __future__ import annotations

import math

import pytest

from progress_cli.analytics import next_milestone
from progress_cli.catalog import Catalog, Module, Skill, Task


def skill_row(kit, rows, skill="s1", **kw):
    return kit.one(kit.run(rows, **kw).skills, skill=skill)


def test_catalog_skill_without_attempts_is_all_null(kit):
    catalog = Catalog(skills=(Skill("s1", "S1"), Skill("s2", "S2")))
    # s2 only appears on an unscored event: still no attempts.
    rows = kit.attempts([80], skill="s1") + [{"ts": "2026-03-02T10:00:00Z", "skill": "s2", "type": "note"}]
    out = kit.run(rows, catalog=catalog).skills
    assert list(out["skill"]) == ["s1", "s2"]
    s2 = kit.one(out, skill="s2")
    assert s2["attempts"] == 0
    for key in ("current_level", "improvement_rate", "consistency", "mastery", "level",
                "next_level", "next_threshold", "attempts_needed"):
        assert kit.is_null(s2[key]), key
    assert next_milestone(s2["next_level"], s2["next_threshold"], s2["attempts_needed"]) is None


def test_one_attempt(kit):
    row = skill_row(kit, kit.attempts([80], skill="s1"))
    assert row["attempts"] == 1
    assert row["current_level"] == 80
    assert kit.is_null(row["improvement_rate"])
    assert row["consistency"] == 1  # one attempt: sd 0
    assert row["mastery"] == kit.approx(100 * 0.80 * (0.5 + 0.5 * 1) * (1 / 20))  # = 4.0
    assert row["level"] == "proficient"
    # n < 2: no slope, so no attempts_needed, but the milestone itself is there.
    assert next_milestone(row["next_level"], row["next_threshold"], row["attempts_needed"]) == {
        "level": "advanced", "threshold": 85.0, "attempts_needed": None}


def test_exactly_ten_attempts(kit):
    scores = [50, 52, 54, 56, 58, 60, 62, 64, 66, 68]
    row = skill_row(kit, kit.attempts(scores, skill="s1"))
    assert row["current_level"] == kit.approx(590 / 10)
    assert kit.is_null(row["improvement_rate"])  # 10 attempts or fewer
    sd = math.sqrt(sum((s - 59) ** 2 for s in scores) / 10)  # = 2 * sqrt(99 / 12)
    assert row["consistency"] == kit.approx(1 - sd / 50)
    assert row["mastery"] == kit.approx(100 * kit.recency_mean(scores) * (0.5 + 0.5 * (1 - sd / 50)) * (10 / 20))
    assert row["level"] == "developing"
    # slope of the last 10 is +2 per attempt: ceil((70 - 59) / 2) = ceil(5.5) = 6
    assert (row["next_level"], row["next_threshold"], row["attempts_needed"]) == ("proficient", 70.0, 6)


def test_eleven_attempts_improvement_and_flat_slope(kit):
    scores = [30] + [60] * 10
    row = skill_row(kit, kit.attempts(scores, skill="s1"))
    assert row["current_level"] == 60
    assert row["improvement_rate"] == 60 - 30
    # the last 10 are equal: slope 0, so attempts_needed is null
    assert row["next_level"] == "proficient"
    assert kit.is_null(row["attempts_needed"])


def test_twenty_attempts_sd_ten_and_full_volume(kit):
    scores = [40, 60] * 10  # newest is 60
    row = skill_row(kit, kit.attempts(scores, skill="s1"))
    assert row["current_level"] == 50  # exactly on the developing threshold
    assert row["level"] == "developing"
    assert row["improvement_rate"] == 50 - 50
    assert row["consistency"] == kit.approx(1 - 10 / 50)  # population sd of 40/60 pairs = 10
    assert row["mastery"] == kit.approx(100 * kit.recency_mean(scores) * (0.5 + 0.5 * 0.8) * 1)
    # the last 10 zig-zag: least-squares slope = sum((x - 4.5)(y - 50)) / 82.5
    # = (10 * 2.5 + 10 * 2.5) / 82.5 = 50 / 82.5; (70 - 50) / (50 / 82.5) = 33 exactly on paper,
    # which floats may put a hair above 33: round(x, 9) before ceil keeps it 33.
    assert row["attempts_needed"] == 33


def test_consistency_uses_only_the_last_twenty(kit):
    scores = [0] + [70] * 20
    row = skill_row(kit, kit.attempts(scores, skill="s1"))
    assert row["consistency"] == 1  # the 0 is the 21st most recent
    # mastery still weighs all 21 attempts
    assert row["mastery"] == kit.approx(100 * kit.recency_mean(scores) * 1 * 1)
    assert row["mastery"] < 70


def test_all_equal_scores(kit):
    row = skill_row(kit, kit.attempts([72.5] * 5, skill="s1"))
    assert row["current_level"] == 72.5
    assert row["consistency"] == 1
    assert row["mastery"] == kit.approx(100 * 0.725 * 1 * (5 / 20))
    assert row["level"] == "proficient"
    assert kit.is_null(row["attempts_needed"])


@pytest.mark.parametrize("scores, level", [
    ([84.7, 85.3, 85.0], "advanced"),
    ([85.1, 85.3, 84.6], "advanced"),  # float mean is 84.99999999999999: round(x, 9) makes it 85
    ([70.1, 70.3, 69.6], "proficient"),  # 69.99999999999999 in floats
    ([49.7, 49.9, 50.3, 50.1], "developing"),  # 49.99999999999999 in floats
    ([84.9, 84.9, 85.0], "proficient"),  # 84.9333...: really below
])
def test_level_bands_compare_rounded_means(kit, scores, level):
    row = skill_row(kit, kit.attempts(scores, skill="s1"))
    assert row["level"] == level
    if level == "advanced":
        assert row["next_level"] is None and kit.is_null(row["attempts_needed"])


def test_ties_in_time_are_ordered_by_event_id(kit):
    # Same instant; listed newest-id first so the frame order is not the answer.
    rows = [
        {"event_id": "b", "ts": "2026-03-02T09:00:00Z", "score": 90, "skill": "s1"},
        {"event_id": "a", "ts": "2026-03-02T09:00:00Z", "score": 10, "skill": "s1"},
    ]
    row = skill_row(kit, rows)
    # order a (10) then b (90): slope +80, so ceil((70 - 50) / 80) = 1
    assert row["current_level"] == 50
    assert row["attempts_needed"] == 1
    weights = [0.5 ** (1 / 10), 1.0]  # a is one step older than b
    w = (weights[0] * 0.10 + weights[1] * 0.90) / sum(weights)
    assert row["mastery"] == kit.approx(100 * w * (0.5 + 0.5 * (1 - 40 / 50)) * (2 / 20))


def test_attempt_counts_for_every_skill_of_its_catalog_task(kit):
    catalog = Catalog(
        skills=(Skill("s1", "S1"), Skill("s2", "S2"), Skill("s3", "S3")),
        modules=(Module("m1", "M1", tasks=(Task("t1", "T1", skills=("s1", "s2")),)),),
    )
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "score": 60, "task_id": "t1"},  # -> s1 and s2
        {"ts": "2026-03-02T09:01:00Z", "score": 90, "task_id": "t1", "skill": "s3"},  # own skill wins
        {"ts": "2026-03-02T09:02:00Z", "score": 40},  # no skill at all: module only
    ]
    out = kit.run(rows, catalog=catalog)
    assert kit.one(out.skills, skill="s1")["current_level"] == 60
    assert kit.one(out.skills, skill="s2")["current_level"] == 60
    assert kit.one(out.skills, skill="s3")["current_level"] == 90
    assert kit.one(out.modules, module_id="m1")["attempts"] == 3


def test_module_breakdown_restricts_to_the_module(kit):
    rows = (kit.attempts([50, 60], skill="s1", module_id="m1")
            + kit.attempts([90], skill="s1", module_id="m2", start="2026-03-03T09:00:00Z"))
    out = kit.run(rows)
    assert kit.one(out.skills, skill="s1")["current_level"] == kit.approx((50 + 60 + 90) / 3)
    assert kit.one(out.module_skills, module_id="m1", skill="s1")["current_level"] == 55
    assert kit.one(out.module_skills, module_id="m2", skill="s1")["current_level"] == 90
