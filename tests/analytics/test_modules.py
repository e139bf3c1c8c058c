"""Module progress (DESIGN 5.2) from hand-made events."""

from __future__ import annotations

import pandas as pd
import pytest

from progress_cli.catalog import Catalog, Module, Task

CATALOG = Catalog(modules=(
    Module("m1", "M1", tasks=tuple(Task(f"t{i}", f"T{i}") for i in range(1, 5))),
    Module("m2", "M2", pass_mark=80, tasks=(Task("u1", "U1"),)),
    Module("m3", "M3", tasks=(Task("v1", "V1"), Task("v2", "V2"))),
))


def module_row(kit, rows, module_id="m1", **kw):
    return kit.one(kit.run(rows, **kw).modules, module_id=module_id)


def test_completion_counts_catalog_tasks_done_by_pass_mark_or_event(kit):
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "task_id": "t1", "score": 69.99},  # below the pass mark
        {"ts": "2026-03-02T09:01:00Z", "task_id": "t2", "score": 70},  # exactly the pass mark
        {"ts": "2026-03-02T09:02:00Z", "task_id": "t3", "type": "task_completed"},
        {"ts": "2026-03-02T09:03:00Z", "task_id": "t9", "score": 100},  # not in the catalog module
        {"ts": "2026-03-02T09:04:00Z", "type": "module_completed"},  # completes no task
        {"ts": "2026-03-02T09:05:00Z", "module_id": "m2", "task_id": "u1", "score": 75},  # pass mark 80
    ]
    out = kit.run(rows, catalog=CATALOG).modules
    assert list(out["module_id"]) == ["m1", "m2", "m3"]  # catalog order, untouched m3 included
    m1 = kit.one(out, module_id="m1")
    assert (m1["completed_tasks"], m1["tasks_total"]) == (2, 4)
    assert m1["completion_rate"] == 2 / 4 * 100
    assert m1["in_catalog"]
    assert kit.one(out, module_id="m2")["completion_rate"] == 0


def test_untouched_catalog_module(kit):
    out = kit.run(kit.attempts([80], task_id="t1"), catalog=CATALOG).modules
    m3 = kit.one(out, module_id="m3")
    assert m3["completion_rate"] == 0 and m3["completed_tasks"] == 0 and m3["tasks_total"] == 2
    assert m3["readiness"] == "BEGINNER" and m3["readiness_basis"] == 0
    assert m3["attempts"] == 0 and m3["session_count"] == 0 and m3["total_time_s"] == 0
    for key in ("average_score", "efficiency", "trend_slope", "trend_direction", "last_activity"):
        assert kit.is_null(m3[key]), key


def test_completion_without_catalog_uses_tasks_seen(kit):
    rows = [
        {"ts": "2026-03-02T09:00:00Z", "module_id": "x", "task_id": "u1", "score": 80},
        {"ts": "2026-03-02T09:01:00Z", "module_id": "x", "task_id": "u2", "score": 60},
        {"ts": "2026-03-02T09:02:00Z", "module_id": "x", "task_id": "u3", "type": "task_completed"},
        {"ts": "2026-03-02T09:03:00Z", "module_id": "x", "task_id": "u2", "score": 65},
        {"ts": "2026-03-02T09:04:00Z", "module_id": "y", "score": 65},  # no task seen at all
    ]
    out = kit.run(rows).modules
    x = kit.one(out, module_id="x")
    assert (x["completed_tasks"], x["tasks_total"]) == (2, 3)
    assert x["completion_rate"] == kit.approx(2 / 3 * 100)
    assert not x["in_catalog"]
    assert kit.is_null(kit.one(out, module_id="y")["completion_rate"])  # 0 of 0: null, not 0


def test_module_not_in_catalog_is_flagged(kit):
    rows = kit.attempts([80], module_id="extra", task_id="z1")
    out = kit.run(rows, catalog=CATALOG).modules
    assert list(out["module_id"]) == ["m1", "m2", "m3", "extra"]
    extra = kit.one(out, module_id="extra")
    assert not extra["in_catalog"] and extra["completion_rate"] == 100.0


def test_activity_time_and_efficiency(kit):
    rows = [
        # s1: any duration present -> practice = sum of durations = 600 s
        {"ts": "2026-03-02T10:00:00Z", "session_id": "s1", "task_id": "t1", "score": 80, "duration_s": 600},
        {"ts": "2026-03-02T10:20:00Z", "session_id": "s1", "task_id": "t2", "score": 90},
        # s2: no durations -> practice = last - first = 30 min = 1800 s
        {"ts": "2026-03-02T14:00:00Z", "session_id": "s2", "score": 70},
        {"ts": "2026-03-02T14:30:00Z", "session_id": "s2", "score": 50},
    ]
    m1 = module_row(kit, rows, catalog=CATALOG)
    assert m1["attempts"] == 4
    assert m1["average_score"] == (80 + 90 + 70 + 50) / 4
    assert m1["session_count"] == 2
    assert m1["total_time_s"] == 600 + 1800
    assert m1["last_activity"] == pd.Timestamp("2026-03-02T14:30:00Z")
    assert m1["efficiency"] == kit.approx(2 / ((600 + 1800) / 3600))  # completed tasks per hour


def test_no_practice_time_gives_null_efficiency(kit):
    m1 = module_row(kit, [{"ts": "2026-03-02T10:00:00Z", "task_id": "t1", "score": 90}], catalog=CATALOG)
    assert m1["total_time_s"] == 0
    assert kit.is_null(m1["efficiency"])


@pytest.mark.parametrize("scores, readiness, basis", [
    ([90], "ADVANCED", 1),
    ([80, 100], "PROFICIENT", 2),  # mean 90 but sd exactly 10: not < 10
    ([70, 80, 85, 90, 100], "PROFICIENT", 5),  # mean 85, sd sqrt(500 / 5) = 10
    ([84.7, 85.3, 85.0], "ADVANCED", 3),  # mean exactly 85
    ([85.1, 85.3, 84.6], "ADVANCED", 3),  # mean 84.99999999999999 in floats, 85 on paper
    ([60, 90], "DEVELOPING", 2),  # mean 75, sd exactly 15: not < 15
    ([60.1, 90.1], "DEVELOPING", 2),  # sd 14.999999999999996 in floats, 15 on paper
    ([70.1, 70.3, 69.6], "PROFICIENT", 3),  # mean 70 on paper
    ([49.7, 49.9, 50.3, 50.1], "DEVELOPING", 4),  # mean 50 on paper
    ([49.9, 49.9], "BEGINNER", 2),
    ([0, 90, 90, 90, 90, 90], "ADVANCED", 5),  # only the last 5 count
    ([90, 90, 90, 90, 0], "DEVELOPING", 5),  # mean 72, sd 36: only mean >= 50 holds
])
def test_readiness_from_the_last_five_scores(kit, scores, readiness, basis):
    m1 = module_row(kit, kit.attempts(scores))
    assert (m1["readiness"], m1["readiness_basis"]) == (readiness, basis)


def test_readiness_without_scores(kit):
    m1 = module_row(kit, [{"ts": "2026-03-02T10:00:00Z", "type": "task_completed", "task_id": "t1"}])
    assert (m1["readiness"], m1["readiness_basis"]) == ("BEGINNER", 0)
    assert kit.is_null(m1["average_score"])


@pytest.mark.parametrize("scores, slope, direction", [
    ([50, 60], 10, "improving"),
    ([60, 60.4], 0.4, "steady"),
    ([60, 60.5], 0.5, "improving"),  # |slope| < 0.5 is steady; 0.5 is not
    ([60, 59.5], -0.5, "declining"),
    ([70, 70, 70], 0, "steady"),
    ([0] + [50] * 10, 0, "steady"),  # only the last 10 attempts
    ([10, 20, 30, 40, 50], 10, "improving"),
])
def test_trend(kit, scores, slope, direction):
    m1 = module_row(kit, kit.attempts(scores))
    assert m1["trend_slope"] == kit.approx(slope)
    assert m1["trend_direction"] == direction


def test_trend_is_null_under_two_attempts(kit):
    m1 = module_row(kit, kit.attempts([70]))
    assert kit.is_null(m1["trend_slope"]) and kit.is_null(m1["trend_direction"])


def test_trend_orders_ties_by_event_id(kit):
    rows = [
        {"event_id": "z", "ts": "2026-03-02T09:00:00Z", "score": 40},
        {"event_id": "y", "ts": "2026-03-02T09:00:00Z", "score": 80},
    ]
    # y (80) before z (40): the slope is 40 - 80 = -40
    assert module_row(kit, rows)["trend_slope"] == -40
