"""Achievements (DESIGN 6): every metric and comparison, at, above and below its threshold.

Pure: a catalog parsed from TOML text, a small frame of events, `prepare_events`, then
`achievements.evaluate`. Every expected value is worked out from the raw events in the
comments, and every `earned_at` is the timestamp of the event written in the rows.
Naming: in each three-way check, "at" sets the threshold on the metric's value, "above" has
the value above the threshold (earned), "below" has it below (locked).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from progress_cli.analytics import prepare_events, streaks
from progress_cli.analytics.achievements import evaluate
from progress_cli.catalog import Catalog, parse_catalog


def catalog_of(head: str, achievements: dict[str, str | list[str]]) -> Catalog:
    """`head` (top-level keys first, then tables) plus one [[achievements]] per entry."""
    parts = [head]
    for aid, req in achievements.items():
        if isinstance(req, str):
            line = f"requirement = '{req}'"
        else:
            line = "requirements = [" + ", ".join(f"'{r}'" for r in req) + "]"
        parts.append(f"[[achievements]]\nid = '{aid}'\ntype = 'milestone'\npoints = 10\n{line}\n")
    return parse_catalog("\n".join(parts))


def evaluated(kit, rows, head, achievements, as_of, tz="UTC", current=None, learner="alice"):
    """{achievement_id: row} for one learner."""
    catalog = catalog_of(head, achievements)
    prepared = prepare_events(kit.frame(rows), catalog, tz, pd.Timestamp(as_of))
    out = evaluate(prepared, catalog.achievements, current)
    return {r["achievement_id"]: r for r in out.to_dict("records") if r["learner_id"] == learner}


def ev(ts: str, **fields) -> dict:
    return {"ts": ts, **fields}


def assert_earned(row: dict, ts: str) -> None:
    assert row["earned_at"] == pd.Timestamp(ts), row
    assert str(row["earned_at"].tz) == "UTC"
    assert row["progress"] == 1.0
    assert row["estimated_date"] is None


def assert_locked(row: dict, current, progress) -> None:
    assert pd.isna(row["earned_at"]), row
    current = current if isinstance(current, list) else [current]
    assert row["current"] == pytest.approx(current, rel=1e-12, abs=1e-12)
    assert row["progress"] == pytest.approx(progress, rel=1e-12, abs=1e-12)


def plus_minutes(start: str, k: int) -> str:
    """start + k minutes, ISO (for sequences of attempts one minute apart)."""
    return (pd.Timestamp(start) + pd.Timedelta(minutes=k)).isoformat()


# -- total_progress -------------------------------------------------------------------------

TWO_MODULES = """
[[modules]]
id = "m1"
tasks = ["t1", "t2", "t3"]

[[modules]]
id = "m2"
pass_mark = 80
tasks = ["u1"]
"""


def test_total_progress(kit):
    rows = [
        ev("2026-09-01T10:00:00Z", task_id="t1", score=65),  # 65 < 70: not completed -> 0/4
        ev("2026-09-01T10:05:00Z", task_id="t1", score=70),  # exactly the pass mark -> 1/4 = 25
        ev("2026-09-02T10:00:00Z", task_id="t2", type="task_completed"),  # -> 2/4 = 50
        ev("2026-09-02T10:05:00Z", task_id="t2", score=90),  # t2 again: still 50
        ev("2026-09-03T10:00:00Z", module_id="m2", task_id="u1", score=75),  # < m2's 80: 50
        ev("2026-09-03T10:05:00Z", task_id="tx", type="task_completed"),  # not in catalog: 50
        ev("2026-09-04T10:00:00Z", type="module_completed"),  # completes no task: 50
        ev("2026-09-06T10:00:00Z", module_id="m2", task_id="u1", score=80),  # -> 3/4 = 75
    ]
    reqs = {"at": "total_progress >= 50", "above": "total_progress >= 25",
            "below": "total_progress >= 75"}
    out = evaluated(kit, rows, TWO_MODULES, reqs, "2026-09-05T00:00:00Z")  # the last row is cut
    assert_earned(out["at"], "2026-09-02T10:00:00Z")
    assert_earned(out["above"], "2026-09-01T10:05:00Z")
    assert_locked(out["below"], 50.0, 50 / 75)
    later = evaluated(kit, rows, TWO_MODULES, reqs, "2026-09-07T00:00:00Z")
    assert_earned(later["below"], "2026-09-06T10:00:00Z")
    assert later["below"]["current"] == [75.0]


# -- certificate_progress -------------------------------------------------------------------

CERT = """
[[skills]]
id = "s1"

[[modules]]
id = "m1"
tasks = [{ id = "t1", skills = ["s1"] }, "t2", "t3", "t4"]

[certification]
name = "Cert"
min_completion = 50
module_scores = { m1 = 80 }
skill_mastery = { s1 = 5 }
"""


def test_certificate_progress(kit):
    # Three requirements, each min(current / required, 1), averaged, x 100.
    rows = [
        # completion 0/4 -> 0/50 = 0; m1 average 60 -> 60/80 = 0.75; s1 never practised -> 0
        # => (0 + 0.75 + 0) / 3 = 25
        ev("2026-09-01T10:00:00Z", task_id="t2", score=60),
        # t2 done: completion 25 -> 0.5; average (60 + 100) / 2 = 80 -> 1; s1 0 => 1.5 / 3 = 50
        ev("2026-09-01T11:00:00Z", task_id="t2", score=100),
        # t1 done: completion 50 -> 1; average 260 / 3 -> 1;
        # s1 mastery = 100 x 1.0 x (0.5 + 0.5 x 1) x 1/20 = 5 -> 1  => 100
        ev("2026-09-02T10:00:00Z", task_id="t1", score=100),
    ]
    reqs = {"at": "certificate_progress >= 50", "above": "certificate_progress >= 25",
            "below": "certificate_progress >= 75", "full": "certificate_progress >= 100"}
    out = evaluated(kit, rows, CERT, reqs, "2026-09-01T23:00:00Z")
    assert_earned(out["at"], "2026-09-01T11:00:00Z")
    assert_earned(out["above"], "2026-09-01T10:00:00Z")
    assert_locked(out["below"], 50.0, 50 / 75)
    assert_locked(out["full"], 50.0, 0.5)
    # The overall dashboard reads the same 50 at that moment.
    overall = kit.run(rows, catalog=catalog_of(CERT, {}), as_of="2026-09-01T23:00:00Z").overall
    assert overall["certificate_progress"].iloc[0] == pytest.approx(50.0)

    later = evaluated(kit, rows, CERT, reqs, "2026-09-03T00:00:00Z")
    assert_earned(later["below"], "2026-09-02T10:00:00Z")
    assert_earned(later["full"], "2026-09-02T10:00:00Z")


# -- streak_days ----------------------------------------------------------------------------

def daily_rows(days: list[str], times=("10:00:00",), **fields) -> list[dict]:
    return [ev(f"{d}T{t}Z", **fields) for d in days for t in times]


def test_streak_seven_days_earned_at_the_seventh_days_first_event(kit):
    days = [f"2026-09-0{d}" for d in range(1, 8)]  # Sep 1 .. Sep 7, every day
    rows = daily_rows(days, times=("10:00:00", "18:00:00"))
    reqs = {"at": "streak_days >= 7", "above": "streak_days >= 6", "below": "streak_days >= 8"}
    out = evaluated(kit, rows, "streak_min_minutes = 0\n", reqs, "2026-09-07T20:00:00Z")
    assert_earned(out["at"], "2026-09-07T10:00:00Z")  # any event makes the 7th day active
    assert_earned(out["above"], "2026-09-06T10:00:00Z")
    assert_locked(out["below"], 7.0, 7 / 8)


def test_streak_day_below_min_minutes_does_not_count(kit):
    rows = [  # durations in seconds; streak_min_minutes = 30
        ev("2026-09-01T10:00:00Z", duration_s=2400),  # Sep 1: 40 min -> active, streak 1
        ev("2026-09-02T10:00:00Z", duration_s=1200),  # Sep 2: 20 min so far -> not yet
        ev("2026-09-02T18:00:00Z", duration_s=900),  # Sep 2: 35 min -> active, streak 2
        ev("2026-09-03T10:00:00Z", duration_s=1200),  # Sep 3: 20 min -> below: not active
        ev("2026-09-04T10:00:00Z", duration_s=600),  # Sep 4: 10 min -> not yet
        ev("2026-09-04T18:00:00Z", duration_s=1200),  # Sep 4: exactly 30 -> active, streak 1
        ev("2026-09-05T10:00:00Z", duration_s=2700),  # Sep 5: 45 min -> streak 2
    ]
    reqs = {"one": "streak_days >= 1", "two": "streak_days >= 2", "three": "streak_days >= 3"}
    out = evaluated(kit, rows, "streak_min_minutes = 30\n", reqs, "2026-09-05T20:00:00Z")
    assert_earned(out["one"], "2026-09-01T10:00:00Z")
    assert_earned(out["two"], "2026-09-02T18:00:00Z")  # not Sep 2's first event (20 min)
    # Sep 1-2 then Sep 3 (20 min) breaks it; Sep 4 (exactly 30) and Sep 5 give 2, not 1.
    assert_locked(out["three"], 2.0, 2 / 3)


def test_streak_broken_by_a_missed_day(kit):
    rows = daily_rows(["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-05", "2026-09-06"])
    reqs = {"three": "streak_days >= 3", "four": "streak_days >= 4"}
    out = evaluated(kit, rows, "", reqs, "2026-09-06T20:00:00Z")
    assert_earned(out["three"], "2026-09-03T10:00:00Z")
    assert_locked(out["four"], 2.0, 2 / 4)  # Sep 4 missed: Sep 5-6 only


def test_streak_days_are_counted_in_the_zone(kit):
    rows = [ev("2026-09-01T23:30:00-04:00"), ev("2026-09-02T08:00:00-04:00")]
    reqs = {"two": "streak_days >= 2"}
    # New York: Sep 1 and Sep 2 -> 2 days; UTC: both on Sep 2 (03:30Z, 12:00Z) -> 1 day.
    ny = evaluated(kit, rows, "", reqs, "2026-09-02T23:00:00Z", tz="America/New_York")
    assert_earned(ny["two"], "2026-09-02T12:00:00Z")
    utc = evaluated(kit, rows, "", reqs, "2026-09-02T23:00:00Z", tz="UTC")
    assert_locked(utc["two"], 1.0, 1 / 2)


def test_streak_earned_in_september_stays_earned_after_it_breaks(kit):
    rows = daily_rows([f"2026-09-0{d}" for d in range(1, 8)]) + [ev("2026-10-01T10:00:00Z")]
    catalog = catalog_of("", {"seven": "streak_days >= 7", "ten": "streak_days >= 10"})
    prepared = prepare_events(kit.frame(rows), catalog, "UTC", pd.Timestamp("2026-10-10T12:00:00Z"))
    today = streaks(prepared)["streak_days"].to_numpy()
    assert list(today) == [0]  # last active day Oct 1: neither Oct 10 nor Oct 9
    out = {r["achievement_id"]: r for r in
           evaluate(prepared, catalog.achievements, {"streak_days": today}).to_dict("records")}
    assert_earned(out["seven"], "2026-09-07T10:00:00Z")
    assert out["seven"]["current"] == [0.0]  # earned, though the streak is 0 today
    assert_locked(out["ten"], 0.0, 0.0)
    assert out["ten"]["estimated_date"] is None  # not a cumulative metric


def test_streak_min_minutes_compares_rounded_minutes(kit):
    # One session without durations, 7 events 10 s apart: 60 s split evenly, 60/7 s each.
    # On paper the day has exactly 1 minute, so with streak_min_minutes = 1 it is active
    # once the 7th event lands (daily() says active, streak 1).
    rows = [ev((pd.Timestamp("2026-10-25T10:00:00Z") + pd.Timedelta(seconds=10 * k)).isoformat(),
               session_id="x") for k in range(7)]
    out = evaluated(kit, rows, "streak_min_minutes = 1\n", {"one": "streak_days >= 1"},
                    "2026-10-25T20:00:00Z")
    assert_earned(out["one"], "2026-10-25T10:01:00Z")


# -- sessions and total_hours ---------------------------------------------------------------

def test_sessions(kit):
    rows = [
        ev("2026-09-01T09:00:00Z", session_id="A"),  # 1
        ev("2026-09-01T09:10:00Z", session_id="A"),  # 1
        ev("2026-09-01T11:00:00Z", session_id="B"),  # 2
        ev("2026-09-02T09:00:00Z"),  # no id: inferred m1 session -> 3
        ev("2026-09-02T09:20:00Z"),  # 20 min gap: same -> 3
        ev("2026-09-02T09:50:00Z"),  # exactly 30 min gap: same -> 3
        ev("2026-09-02T10:21:00Z"),  # 31 min gap: new -> 4
        ev("2026-09-02T10:25:00Z", module_id="m2"),  # inferred per module: new -> 5
    ]
    reqs = {"at": "sessions >= 5", "above": "sessions >= 4", "below": "sessions >= 6"}
    out = evaluated(kit, rows, "", reqs, "2026-09-03T00:00:00Z")
    assert_earned(out["at"], "2026-09-02T10:25:00Z")
    assert_earned(out["above"], "2026-09-02T10:21:00Z")
    assert_locked(out["below"], 5.0, 5 / 6)


def test_total_hours(kit):
    rows = [
        ev("2026-09-01T10:00:00Z", session_id="d1", duration_s=1800),  # 0.5 h
        ev("2026-09-01T11:00:00Z", session_id="d1", duration_s=2700),  # + 0.75 = 1.25 h
        ev("2026-09-01T11:30:00Z", session_id="d1"),  # its session has durations: + 0
        # d2 has no durations: its 30 min span split over its 2 events, 0.25 h each
        ev("2026-09-02T09:00:00Z", session_id="d2"),  # 1.5 h
        ev("2026-09-02T09:30:00Z", session_id="d2"),  # 1.75 h
    ]
    reqs = {"at": "total_hours >= 1.75", "above": "total_hours >= 1.5", "below": "total_hours >= 2"}
    out = evaluated(kit, rows, "", reqs, "2026-09-03T00:00:00Z")
    assert_earned(out["at"], "2026-09-02T09:30:00Z")
    assert_earned(out["above"], "2026-09-02T09:00:00Z")
    assert_locked(out["below"], 1.75, 1.75 / 2)


# -- module_completion ----------------------------------------------------------------------

COMPLETION = """
[[modules]]
id = "m1"
pass_mark = 80
tasks = ["t1", "t2", "t3", "t4"]

[[modules]]
id = "m2"
tasks = ["u1"]
"""

COMPLETION_ROWS = [
    ev("2026-09-01T10:00:00Z", task_id="t1", score=79),  # < 80: m1 0
    ev("2026-09-01T10:05:00Z", task_id="t1", score=80),  # m1 1/4 = 25
    ev("2026-09-01T10:10:00Z", module_id="m2", task_id="u1", type="task_completed"),  # m2 1/1
    ev("2026-09-02T10:00:00Z", task_id="t2", type="task_completed"),  # m1 2/4 = 50
    ev("2026-09-02T10:05:00Z", task_id="t3", score=95),  # m1 3/4 = 75
    ev("2026-09-04T10:00:00Z", task_id="t4", score=85),  # m1 4/4 = 100
]


def test_module_completion(kit):
    reqs = {"at": "module_completion[m1] >= 75", "above": "module_completion[m1] >= 50",
            "below": "module_completion[m1] >= 100", "m2": "module_completion[m2] >= 100",
            "unknown": "module_completion[nope] >= 1"}
    out = evaluated(kit, COMPLETION_ROWS, COMPLETION, reqs, "2026-09-03T00:00:00Z")
    assert_earned(out["at"], "2026-09-02T10:05:00Z")
    assert_earned(out["above"], "2026-09-02T10:00:00Z")
    assert_locked(out["below"], 75.0, 0.75)
    assert_earned(out["m2"], "2026-09-01T10:10:00Z")
    assert_locked(out["unknown"], 0.0, 0.0)  # no such module: null reads 0


def test_earned_at_the_attempt_that_completes_the_last_task(kit):
    reqs = {"m1": "module_completion[m1] >= 100", "all": "total_progress >= 100"}
    out = evaluated(kit, COMPLETION_ROWS, COMPLETION, reqs, "2026-09-05T00:00:00Z")
    assert_earned(out["m1"], "2026-09-04T10:00:00Z")  # t4, the last of m1's 4 tasks
    assert_earned(out["all"], "2026-09-04T10:00:00Z")  # 5 of the catalog's 5 tasks


# -- module_readiness -----------------------------------------------------------------------

READINESS = """
[[modules]]
id = "m1"
tasks = ["t1"]

[[modules]]
id = "m2"
tasks = ["u1"]

[[modules]]
id = "m3"
tasks = ["v1"]

[[modules]]
id = "m4"
tasks = ["w1"]
"""


def readiness_rows() -> list[dict]:
    start = "2026-09-01T10:00:00Z"
    m1 = [60, 80, 90, 90, 90, 95]
    # last <= 5 scores, population sd:
    # [60]                 mean 60               -> DEVELOPING
    # [60,80]              mean 70, sd 10        -> PROFICIENT (mean exactly 70, sd < 15)
    # [60,80,90]           mean 76.7, sd 12.5    -> PROFICIENT
    # [60,80,90,90]        mean 80, sd sqrt(150) -> PROFICIENT
    # [60,80,90,90,90]     mean 82, sd sqrt(136) -> PROFICIENT
    # [80,90,90,90,95]     mean 89, sd sqrt(24)  -> ADVANCED (10:05)
    rows = [ev(plus_minutes(start, k), task_id="t1", score=s) for k, s in enumerate(m1)]
    # m2: [80, 100] mean 90 but sd exactly 10: ADVANCED needs sd < 10 -> PROFICIENT
    rows += [ev(plus_minutes("2026-09-02T10:00:00Z", k), module_id="m2", task_id="u1", score=s)
             for k, s in enumerate([80, 100])]
    # m3: every window's mean is below 85 until the 6th score; then the last 5 are
    # [86.1, 80.8, 83.4, 88.6, 86.1]: sum 425.0, mean exactly 85 on paper (84.99999999999999
    # in floats), deviations 1.1, -4.2, -1.6, 3.6, 1.1 -> sd sqrt(35.58 / 5) = 2.67 -> ADVANCED
    rows += [ev(plus_minutes("2026-09-03T10:00:00Z", k), module_id="m3", task_id="v1", score=s)
             for k, s in enumerate([79.4, 86.1, 80.8, 83.4, 88.6, 86.1])]
    return rows  # m4: never attempted -> BEGINNER


def test_module_readiness_levels_are_ordered(kit):
    rows = readiness_rows()
    reqs = {"at": "module_readiness[m1] >= PROFICIENT", "above": "module_readiness[m1] >= DEVELOPING",
            "below": "module_readiness[m1] >= ADVANCED"}
    out = evaluated(kit, rows, READINESS, reqs, "2026-09-01T10:04:30Z")  # after the 5th m1 score
    assert_earned(out["at"], "2026-09-01T10:01:00Z")
    assert_earned(out["above"], "2026-09-01T10:00:00Z")
    assert_locked(out["below"], 2.0, 2 / 3)  # PROFICIENT = 2 of 0..3, ADVANCED = 3
    assert out["below"]["required"] == [3.0]

    later = evaluated(kit, rows, READINESS, {**reqs, "lower": "module_readiness[m1] >= advanced"},
                      "2026-09-05T00:00:00Z")
    assert_earned(later["below"], "2026-09-01T10:05:00Z")
    assert_earned(later["lower"], "2026-09-01T10:05:00Z")  # level words in any case


def test_module_readiness_sd_threshold_exact_mean_and_no_attempts(kit):
    reqs = {
        "m2-adv": "module_readiness[m2] >= ADVANCED", "m2-prof": "module_readiness[m2] >= PROFICIENT",
        "m3-adv": "module_readiness[m3] >= ADVANCED",
        "m4-dev": "module_readiness[m4] >= DEVELOPING", "m4-beg": "module_readiness[m4] >= BEGINNER",
    }
    out = evaluated(kit, readiness_rows(), READINESS, reqs, "2026-09-05T00:00:00Z")
    assert_locked(out["m2-adv"], 2.0, 2 / 3)
    assert_earned(out["m2-prof"], "2026-09-02T10:00:00Z")  # [80]: mean 80, sd 0
    assert_earned(out["m3-adv"], "2026-09-03T10:05:00Z")
    assert_locked(out["m4-dev"], 0.0, 0.0)
    assert_earned(out["m4-beg"], "2026-09-01T10:00:00Z")  # BEGINNER holds from the first event


def test_module_readiness_sd_exactly_ten_is_not_advanced(kit):
    # [80, 100, 70, 85, 90]: mean 425 / 5 = 85; deviations -5, 15, -15, 0, 5;
    # variance (25 + 225 + 225 + 0 + 25) / 5 = 100 -> sd 10, not < 10 -> PROFICIENT
    # (module_progress says PROFICIENT too). No earlier window is ADVANCED either.
    rows = kit.attempts([80, 100, 70, 85, 90], start="2026-09-01T10:00:00Z", task_id="t1")
    out = evaluated(kit, rows, READINESS, {"adv": "module_readiness[m1] >= ADVANCED"},
                    "2026-09-02T00:00:00Z")
    assert_locked(out["adv"], 2.0, 2 / 3)


# -- skill_mastery --------------------------------------------------------------------------

SKILLS = """
[[skills]]
id = "s1"

[[skills]]
id = "s2"

[[skills]]
id = "s3"

[[modules]]
id = "m1"
tasks = [{ id = "t1", skills = ["s2"] }, "t2"]
"""


def test_skill_mastery_one_skill(kit):
    # 20 attempts at 90 on s1: W = 0.9, sd 0 -> consistency 1, so after k attempts
    # mastery = 100 x 0.9 x (0.5 + 0.5 x 1) x min(k/20, 1) = 4.5 k: 45 at k = 10, 90 at k = 20.
    rows = kit.attempts([90] * 20, start="2026-09-01T10:00:00Z", skill="s1", task_id="t2")
    # One attempt on t1 without a skill counts for t1's catalog skill s2:
    # 100 x 0.8 x 1 x 1/20 = 4.
    rows.append(ev("2026-09-02T10:00:00Z", task_id="t1", score=80))
    reqs = {"at": "skill_mastery[s1] >= 90", "above": "skill_mastery[s1] >= 45",
            "below": "skill_mastery[s1] >= 95", "s2-at": "skill_mastery[s2] >= 4",
            "s2-below": "skill_mastery[s2] >= 5"}
    out = evaluated(kit, rows, SKILLS, reqs, "2026-09-03T00:00:00Z")
    assert_earned(out["at"], "2026-09-01T10:19:00Z")  # the 20th attempt
    assert_earned(out["above"], "2026-09-01T10:09:00Z")  # the 10th
    assert_locked(out["below"], 90.0, 90 / 95)
    assert_earned(out["s2-at"], "2026-09-02T10:00:00Z")
    assert_locked(out["s2-below"], 4.0, 4 / 5)


def mastery_rows(kit) -> list[dict]:
    # After k attempts at a constant score x: mastery = x x min(k/20, 1) (see above).
    return (kit.attempts([90] * 20, start="2026-09-01T10:00:00Z", skill="s1")  # s1 -> 90
            + kit.attempts([80] * 20, start="2026-09-02T10:00:00Z", skill="s2")  # s2 -> 80
            + kit.attempts([85] * 20, start="2026-09-03T10:00:00Z", skill="s3"))  # s3 -> 85


def test_skill_mastery_every_and_any_skill(kit):
    reqs = {"every-at": "skill_mastery[*] >= 80", "every-above": "skill_mastery[*] >= 75",
            "every-below": "skill_mastery[*] >= 85", "any-at": "skill_mastery[any] >= 90",
            "any-below": "skill_mastery[any] >= 95"}
    # Before Sep 3, s3 was never practised and reads 0, so every skill's minimum is 0.
    early = evaluated(kit, mastery_rows(kit), SKILLS, reqs, "2026-09-02T23:00:00Z")
    assert_locked(early["every-above"], 0.0, 0.0)
    assert_earned(early["any-at"], "2026-09-01T10:19:00Z")  # s1's 20th attempt: 90
    assert_locked(early["any-below"], 90.0, 90 / 95)

    out = evaluated(kit, mastery_rows(kit), SKILLS, reqs, "2026-09-04T00:00:00Z")
    # min(90, 80, 85) = 80. s3 after k attempts is 85 k / 20:
    # >= 80 first at k = 19 (80.75; k = 18 gives 76.5), >= 75 first at k = 18 (76.5; 17 -> 72.25).
    assert_earned(out["every-at"], "2026-09-03T10:18:00Z")
    assert_earned(out["every-above"], "2026-09-03T10:17:00Z")
    assert_locked(out["every-below"], 80.0, 80 / 85)
    assert_locked(out["any-below"], 90.0, 90 / 95)


# -- skill_improvement ----------------------------------------------------------------------

def test_skill_improvement(kit):
    # s1: 5 attempts at 50 then 10 at 70. After n attempts (11 <= n <= 15) the last 10 hold
    # n - 5 scores of 70 and 15 - n of 50: mean (70(n - 5) + 50(15 - n)) / 10 = 2n + 40; the
    # earlier ones are all 50 -> improvement 2n - 10: 12, 14, 16, 18, 20. Null (reads 0) at n <= 10.
    rows = kit.attempts([50] * 5 + [70] * 10, start="2026-09-01T10:00:00Z", skill="s1")
    reqs = {"at": "skill_improvement[s1] >= 20", "above": "skill_improvement[s1] >= 16",
            "below": "skill_improvement[s1] >= 25", "any": "skill_improvement[any] >= 20",
            "every": "skill_improvement[*] >= 1"}
    out = evaluated(kit, rows, SKILLS, reqs, "2026-09-02T00:00:00Z")
    assert_earned(out["at"], "2026-09-01T10:14:00Z")  # n = 15
    assert_earned(out["above"], "2026-09-01T10:12:00Z")  # n = 13
    assert_locked(out["below"], 20.0, 20 / 25)
    assert_earned(out["any"], "2026-09-01T10:14:00Z")
    assert_locked(out["every"], 0.0, 0.0)  # s2 and s3 never practised: read 0


def test_skill_improvement_is_null_up_to_ten_attempts(kit):
    # 10 attempts: [10] + [90] x 9 rises on paper, but with <= 10 attempts it is null -> 0.
    # The 11th (90): last 10 are all 90, the earlier one is 10 -> 90 - 10 = 80.
    rows = kit.attempts([10] + [90] * 10, start="2026-09-01T10:00:00Z", skill="s1")
    reqs = {"rise": "skill_improvement[s1] >= 1", "zero": "skill_improvement[s1] == 0"}
    ten = evaluated(kit, rows, SKILLS, reqs, "2026-09-01T10:09:30Z")
    assert_locked(ten["rise"], 0.0, 0.0)
    assert_earned(ten["zero"], "2026-09-01T10:00:00Z")  # null reads 0 from the start
    eleven = evaluated(kit, rows, SKILLS, reqs, "2026-09-02T00:00:00Z")
    assert_earned(eleven["rise"], "2026-09-01T10:10:00Z")
    assert eleven["rise"]["current"] == [80.0]
    assert_earned(eleven["zero"], "2026-09-01T10:00:00Z")  # held once: stays earned


def falling_rows(kit, s2_last: float) -> list[dict]:
    # s1: [50] x 10 + [40]: last 10 mean (9 x 50 + 40) / 10 = 49, earlier 50 -> -1 (Sep 1, 10:10)
    # s2: [50] x 10 + [s2_last]: last 10 mean (450 + s2_last) / 10, earlier 50 (Sep 2, 10:10)
    return (kit.attempts([50] * 10 + [40], start="2026-09-01T10:00:00Z", skill="s1")
            + kit.attempts([50] * 10 + [s2_last], start="2026-09-02T10:00:00Z", skill="s2"))


def test_skill_improvement_any_with_an_upper_bound(kit):
    # s2's 11th is 80: (450 + 80) / 10 - 50 = 3. s1 at -1 < 0 satisfies "any skill < 0"
    # from its 11th attempt on, whatever s2 does.
    out = evaluated(kit, falling_rows(kit, 80), SKILLS, {"any": "skill_improvement[any] < 0"},
                    "2026-09-03T00:00:00Z")
    assert_earned(out["any"], "2026-09-01T10:10:00Z")


def test_skill_improvement_every_with_an_upper_bound(kit):
    # s2's 11th is 45: (450 + 45) / 10 - 50 = -0.5. Every catalog skill < 0 needs s1 (-1),
    # s2 (-0.5) and s3; s3 is never practised and reads 0, so it never holds.
    out = evaluated(kit, falling_rows(kit, 45), SKILLS, {"every": "skill_improvement[*] < 0"},
                    "2026-09-03T00:00:00Z")
    assert pd.isna(out["every"]["earned_at"])


# -- challenge_wins -------------------------------------------------------------------------

CHALLENGES = """
[[modules]]
id = "m1"
tasks = [{ id = "t1", difficulty = 2 }, { id = "t2", difficulty = 4 }, { id = "t3", difficulty = 5 }, "t4"]
"""


def test_challenge_wins(kit):
    start = "2026-09-01T10:00:00Z"
    rows = [ev(plus_minutes(start, k), **f) for k, f in enumerate([
        {"task_id": "t2", "score": 85},  # catalog difficulty 4, exactly 85: a win at D <= 4
        {"task_id": "t2", "score": 84.9},  # below 85
        {"task_id": "t1", "score": 95, "difficulty": 5},  # the event's 5 beats t1's 2: D <= 5
        {"task_id": "t3", "score": 90, "difficulty": 3},  # the event's 3 beats t3's 5: D <= 3
        {"task_id": "t3", "score": 100},  # catalog 5: D <= 5
        {"task_id": "t4", "score": 100},  # no difficulty anywhere: never a win
        {"task_id": "tx", "score": 90, "difficulty": 4},  # not in the catalog, event's 4: D <= 4
        {"task_id": "t1", "score": 100},  # catalog 2: D <= 2
        {"task_id": "t2", "type": "task_completed", "difficulty": 5},  # no score: not a win
    ])]
    # D=4: rows 0, 2, 4, 6 -> 4.   D=5: rows 2, 4 -> 2.   D=3: rows 0, 2, 3, 4, 6 -> 5.
    # D=2 and D=1: those and row 7 -> 6.
    reqs = {"at": "challenge_wins[4] >= 4", "above": "challenge_wins[4] >= 3",
            "below": "challenge_wins[4] >= 5", "d5": "challenge_wins[5] >= 2",
            "d3": "challenge_wins[3] >= 5", "d2": "challenge_wins[2] >= 6",
            "d1": "challenge_wins[1] >= 7"}
    out = evaluated(kit, rows, CHALLENGES, reqs, "2026-09-02T00:00:00Z")
    assert_earned(out["at"], plus_minutes(start, 6))
    assert_earned(out["above"], plus_minutes(start, 4))
    assert_locked(out["below"], 4.0, 4 / 5)
    assert_earned(out["d5"], plus_minutes(start, 4))
    assert_earned(out["d3"], plus_minutes(start, 6))
    assert_earned(out["d2"], plus_minutes(start, 7))
    assert_locked(out["d1"], 6.0, 6 / 7)


# -- weekly_goal_weeks ----------------------------------------------------------------------
# ISO weeks of 2026: W1 Sep 7-13, W2 Sep 14-20, W3 Sep 21-27, W4 Sep 28-Oct 4, W5 Oct 5-11.

GOAL = "weekly_goal_minutes = 60\n"


def test_weekly_goal_weeks(kit):
    rows = [
        ev("2026-09-08T10:00:00Z", duration_s=2400),  # W1: 40 min
        ev("2026-09-10T10:00:00Z", duration_s=1200),  # W1: 60, exactly the goal
        ev("2026-09-15T10:00:00Z", duration_s=4200),  # W2: 70
        ev("2026-09-22T10:00:00Z", duration_s=1800),  # W3: 30
        ev("2026-09-24T10:00:00Z", duration_s=1800),  # W3: 60
        ev("2026-10-01T10:00:00Z", duration_s=3600),  # W4: 60
    ]
    reqs = {"at": "weekly_goal_weeks >= 3", "above": "weekly_goal_weeks >= 2",
            "below": "weekly_goal_weeks >= 4", "five": "weekly_goal_weeks >= 5"}
    # as_of Fri Oct 2 is in W4: W4 met its goal but the week of as_of never counts -> 3.
    out = evaluated(kit, rows, GOAL, reqs, "2026-10-02T12:00:00Z")
    assert_earned(out["at"], "2026-09-24T10:00:00Z")  # the event completing W3's goal
    assert_earned(out["above"], "2026-09-15T10:00:00Z")
    assert_locked(out["below"], 3.0, 3 / 4)
    # as_of Tue Oct 6 (W5): W4 is complete now -> 4, earned at the event that met W4's goal.
    later = evaluated(kit, rows, GOAL, reqs, "2026-10-06T12:00:00Z")
    assert_earned(later["below"], "2026-10-01T10:00:00Z")
    assert_locked(later["five"], 4.0, 4 / 5)


def test_weekly_goal_weeks_broken_by_a_week_below_the_goal(kit):
    rows = [
        ev("2026-09-08T10:00:00Z", duration_s=3600),  # W1: 60 (at the goal)
        ev("2026-09-15T10:00:00Z", duration_s=3540),  # W2: 59 (below)
        ev("2026-09-22T10:00:00Z", duration_s=4200),  # W3: 70 (above)
        ev("2026-10-01T10:00:00Z", duration_s=3600),  # W4: 60
    ]
    reqs = {"one": "weekly_goal_weeks >= 1", "two": "weekly_goal_weeks >= 2",
            "three": "weekly_goal_weeks >= 3"}
    out = evaluated(kit, rows, GOAL, reqs, "2026-10-06T12:00:00Z")  # W5: run W3, W4 -> 2
    assert_earned(out["one"], "2026-09-08T10:00:00Z")
    assert_earned(out["two"], "2026-10-01T10:00:00Z")
    assert_locked(out["three"], 2.0, 2 / 3)


def test_weekly_goal_weeks_current_counts_up_to_the_last_complete_week(kit):
    rows = [ev("2026-09-08T10:00:00Z", duration_s=3600),  # W1: 60
            ev("2026-09-15T10:00:00Z", duration_s=3600)]  # W2: 60
    reqs = {"two": "weekly_goal_weeks >= 2", "three": "weekly_goal_weeks >= 3"}
    # as_of in W5: the last complete week is W4, which has no practice -> the run is 0.
    out = evaluated(kit, rows, GOAL, reqs, "2026-10-06T12:00:00Z")
    assert_earned(out["two"], "2026-09-15T10:00:00Z")  # held in September: stays earned
    assert_locked(out["three"], 0.0, 0.0)


# -- comparison operators -------------------------------------------------------------------

@pytest.mark.parametrize(("op", "value", "holds", "progress"), [
    # one event, so sessions = 1
    (">=", 1, True, 1.0), (">=", 0, True, 1.0), (">=", 2, False, 1 / 2),
    (">", 1, False, 1.0),  # min(1 / 1, 1) = 1, yet locked: 1 > 1 is false
    (">", 0, True, 1.0), (">", 2, False, 1 / 2),
    ("<=", 1, True, 1.0), ("<=", 0, False, 0.0), ("<=", 2, True, 1.0),
    ("<", 1, False, 0.0), ("<", 0, False, 0.0), ("<", 2, True, 1.0),
    ("==", 1, True, 1.0), ("==", 0, False, 0.0), ("==", 2, False, 0.0),
])
def test_each_comparison_at_above_and_below(kit, op, value, holds, progress):
    rows = [ev("2026-09-01T10:00:00Z", session_id="A")]
    out = evaluated(kit, rows, "", {"a": f"sessions {op} {value}"}, "2026-09-02T00:00:00Z")["a"]
    assert out["current"] == [1.0]
    assert out["required"] == [float(value)]
    if holds:
        assert_earned(out, "2026-09-01T10:00:00Z")
    else:
        assert_locked(out, 1.0, progress)


def test_upper_bounds_and_equality_over_time(kit):
    # m1 scores 90, 90, 90, 40, 40; readiness from the last 5 (0 BEGINNER .. 3 ADVANCED):
    # [90] [90,90] [90,90,90] -> ADVANCED (mean 90, sd 0);
    # [90,90,90,40] mean 77.5, sd 21.7 -> DEVELOPING (sd too high for PROFICIENT);
    # [90,90,90,40,40] mean 70, sd sqrt(600) = 24.5 -> DEVELOPING.
    rows = kit.attempts([90, 90, 90, 40, 40], start="2026-09-01T10:00:00Z", task_id="t1")
    reqs = {"le": "module_readiness[m1] <= DEVELOPING", "lt": "module_readiness[m1] < PROFICIENT",
            "lt-at": "module_readiness[m1] < DEVELOPING", "eq": "module_readiness[m1] == ADVANCED",
            "eq-now": "module_readiness[m1] == DEVELOPING", "gt": "module_readiness[m1] > PROFICIENT"}
    out = evaluated(kit, rows, READINESS, reqs, "2026-09-02T00:00:00Z")
    assert_earned(out["le"], "2026-09-01T10:03:00Z")
    assert_earned(out["lt"], "2026-09-01T10:03:00Z")
    assert_locked(out["lt-at"], 1.0, 0.0)  # DEVELOPING < DEVELOPING never held
    assert_earned(out["eq"], "2026-09-01T10:00:00Z")  # held then, not now: still earned
    assert out["eq"]["current"] == [1.0]
    assert_earned(out["eq-now"], "2026-09-01T10:03:00Z")
    assert_earned(out["gt"], "2026-09-01T10:00:00Z")


def test_threshold_compares_rounded_value(kit):
    # 3 tasks: after 2, completion is 2/3 x 100 = 66.666...; round(x, 9) = 66.666666667,
    # which the raw float (66.66666666666666) is below.
    head = '[[modules]]\nid = "m1"\ntasks = ["t1", "t2", "t3"]\n'
    rows = [ev(plus_minutes("2026-09-01T10:00:00Z", k), task_id=t, score=100)
            for k, t in enumerate(("t1", "t2", "t3"))]
    reqs = {"eq": "module_completion[m1] == 66.666666667",
            "ge": "module_completion[m1] >= 66.666666667",
            "ge-more": "module_completion[m1] >= 66.6666666671",  # beyond the 9th decimal
            "full": "module_completion[m1] == 100"}
    out = evaluated(kit, rows, head, reqs, "2026-09-02T00:00:00Z")
    assert_earned(out["eq"], "2026-09-01T10:01:00Z")  # held after the 2nd; 100 now
    assert_earned(out["ge"], "2026-09-01T10:01:00Z")
    assert_earned(out["ge-more"], "2026-09-01T10:02:00Z")
    assert_earned(out["full"], "2026-09-01T10:02:00Z")


# -- requirements lists ---------------------------------------------------------------------

LIST_ROWS = [
    ev("2026-09-01T10:00:00Z", session_id="A", task_id="t1", score=90),  # sessions 1, m1 50
    ev("2026-09-01T10:05:00Z", session_id="A", task_id="t2", score=60),  # sessions 1, m1 50
    ev("2026-09-02T10:00:00Z", session_id="B", type="session_start"),  # sessions 2, m1 50
    ev("2026-09-03T10:00:00Z", session_id="C", task_id="t2", score=75),  # sessions 3, m1 100
]
LIST_HEAD = '[[modules]]\nid = "m1"\ntasks = ["t1", "t2"]\n'


def test_requirements_list_earned_when_the_last_one_holds(kit):
    reqs = {
        "sessions-last": ["sessions >= 2", "module_completion[m1] >= 50"],
        "completion-last": ["module_completion[m1] >= 100", "sessions >= 2"],
        "never-together": ["sessions <= 1", "module_completion[m1] >= 100"],
    }
    out = evaluated(kit, LIST_ROWS, LIST_HEAD, reqs, "2026-09-04T00:00:00Z")
    assert_earned(out["sessions-last"], "2026-09-02T10:00:00Z")
    assert_earned(out["completion-last"], "2026-09-03T10:00:00Z")
    # sessions <= 1 held on Sep 1 and completion 100 on Sep 3, never after the same event.
    assert pd.isna(out["never-together"]["earned_at"])
    assert out["never-together"]["current"] == [3.0, 100.0]


def test_requirements_list_progress_is_the_minimum(kit):
    reqs = {"both": ["sessions >= 5", "module_completion[m1] >= 100"]}
    out = evaluated(kit, LIST_ROWS, LIST_HEAD, reqs, "2026-09-02T12:00:00Z")["both"]
    # sessions 2 / 5 = 0.4, completion 50 / 100 = 0.5 -> 0.4
    assert_locked(out, [2.0, 50.0], 0.4)
    assert out["required"] == [5.0, 100.0]


# -- several learners -----------------------------------------------------------------------

def test_learners_are_evaluated_apart(kit):
    rows = (daily_rows(["2026-09-01", "2026-09-02", "2026-09-03"], learner_id="alice")
            + daily_rows(["2026-09-04", "2026-09-05", "2026-09-06"], learner_id="bob")
            + [ev("2026-09-09T10:00:00Z", learner_id="carol")])  # after as_of: no events yet
    reqs = {"three": "streak_days >= 3", "four": "streak_days >= 4", "sessions": "sessions >= 3"}
    kw = {"rows": rows, "head": "", "achievements": reqs, "as_of": "2026-09-06T20:00:00Z"}
    alice = evaluated(kit, **kw, learner="alice")
    bob = evaluated(kit, **kw, learner="bob")
    carol = evaluated(kit, **kw, learner="carol")
    # alice's streak ends Sep 3 (3 days); bob's starts Sep 4 and does not extend hers.
    assert_earned(alice["three"], "2026-09-03T10:00:00Z")
    assert_earned(bob["three"], "2026-09-06T10:00:00Z")
    assert_locked(bob["four"], 3.0, 3 / 4)
    # one inferred session per day (gaps of 24 h): 3 each
    assert_earned(alice["sessions"], "2026-09-03T10:00:00Z")
    assert_earned(bob["sessions"], "2026-09-06T10:00:00Z")
    assert_locked(carol["sessions"], 0.0, 0.0)


# -- estimated date -------------------------------------------------------------------------

PACE_ROWS = [ev(f"2026-10-{d:02d}T10:00:00Z", session_id=f"S{d}") for d in (1, 5, 18, 20, 25, 30)]
# as_of Oct 31 12:00Z; 14 days earlier is Oct 17 12:00Z: 2 sessions then, 6 now.
# pace = (6 - 2) / 14 = 2/7 session a day.


def test_estimated_date_from_the_fourteen_day_pace(kit):
    reqs = {
        "ten": "sessions >= 10",  # (10 - 6) / (2/7) = 14 days -> Oct 31 + 14 = Nov 14
        "seven": "sessions >= 7",  # 1 / (2/7) = 3.5 -> 4 days -> Nov 4
        "pair": ["sessions >= 10", "sessions >= 7"],  # the later of the two
        "met-and-not": ["sessions >= 10", "sessions >= 2"],  # the met one needs 0 days
        "streak": "streak_days >= 30",  # not cumulative: no estimate
        "mixed": ["sessions >= 10", "streak_days >= 30"],  # one without estimate: none
        "mastery": "skill_mastery[s1] >= 50",  # not cumulative
        "no-pace": "challenge_wins[1] >= 1",  # cumulative but nothing gained: no estimate
    }
    out = evaluated(kit, PACE_ROWS, "", reqs, "2026-10-31T12:00:00Z")
    assert_locked(out["ten"], 6.0, 6 / 10)
    assert out["ten"]["estimated_date"] == dt.date(2026, 11, 14)
    assert out["seven"]["estimated_date"] == dt.date(2026, 11, 4)
    assert out["pair"]["estimated_date"] == dt.date(2026, 11, 14)
    assert out["met-and-not"]["estimated_date"] == dt.date(2026, 11, 14)
    for aid in ("streak", "mixed", "mastery", "no-pace"):
        assert pd.isna(out[aid]["earned_at"]), aid
        assert out[aid]["estimated_date"] is None, aid


def test_estimated_date_is_a_local_date(kit):
    # Oct 31 12:00Z is Nov 1 01:00 in Auckland (UTC+13): Nov 1 + 14 days.
    out = evaluated(kit, PACE_ROWS, "", {"ten": "sessions >= 10"}, "2026-10-31T12:00:00Z",
                    tz="Pacific/Auckland")
    assert out["ten"]["estimated_date"] == dt.date(2026, 11, 15)


def test_estimated_date_whole_days_on_paper(kit):
    # 42 min in the last 14 days: 0.7 h, 0.05 h a day; 1 h needs 0.3 / 0.05 = 6 days.
    rows = [ev("2026-10-25T10:00:00Z", duration_s=2520)]
    out = evaluated(kit, rows, "", {"hour": "total_hours >= 1"}, "2026-10-31T12:00:00Z")
    assert_locked(out["hour"], 0.7, 0.7)
    assert out["hour"]["estimated_date"] == dt.date(2026, 11, 6)


def test_earned_at_is_the_utc_time_of_the_event(kit):
    rows = [ev("2026-09-07T08:00:00+02:00", session_id="A"), ev("2026-09-07T09:30:00+02:00", session_id="B")]
    out = evaluated(kit, rows, "", {"two": "sessions >= 2"}, "2026-09-08T00:00:00Z")
    assert_earned(out["two"], "2026-09-07T07:30:00Z")
