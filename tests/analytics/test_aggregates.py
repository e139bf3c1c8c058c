"""Daily, weekly, monthly aggregates and streaks (DESIGN 5.4), in the learner's zone."""

from __future__ import annotations

import pytest

from progress_cli.catalog import Catalog, Module, Task


def dates(frame, column="day"):
    return [str(d.date()) for d in frame[column]]


def test_daily_rows(kit):
    rows = [
        {"ts": "2026-03-02T10:00:00Z", "session_id": "s", "duration_s": 600, "score": 60, "skill": "a"},
        {"ts": "2026-03-02T10:10:00Z", "session_id": "s", "duration_s": 300, "score": 80, "skill": "b"},
        {"ts": "2026-03-02T10:20:00Z", "session_id": "s", "type": "module_completed"},
        {"ts": "2026-03-02T10:21:00Z", "session_id": "s", "type": "module_completed"},  # same module
        {"ts": "2026-03-02T10:22:00Z", "session_id": "s", "type": "module_completed", "module_id": "m2"},
        {"ts": "2026-03-03T10:00:00Z", "skill": "a", "type": "note"},
    ]
    days = kit.run(rows).daily
    assert dates(days) == ["2026-03-02", "2026-03-03"]
    first, second = days.iloc[0], days.iloc[1]
    assert first["practice_minutes"] == (600 + 300) / 60
    assert (first["events"], first["attempts"], first["mean_score"]) == (5, 2, (60 + 80) / 2)
    assert (first["modules_completed"], first["skills_practised"]) == (2, 2)
    assert (second["events"], second["attempts"], second["skills_practised"]) == (1, 0, 1)
    assert kit.is_null(second["mean_score"])
    assert list(days["streak"]) == [1, 2]


def test_streak_needs_the_catalog_minimum(kit):
    rows = [
        {"ts": "2026-03-02T10:00:00Z", "duration_s": 600},  # 10 min: active
        {"ts": "2026-03-03T10:00:00Z", "duration_s": 300},  # 5 min: not enough
        {"ts": "2026-03-04T10:00:00Z", "duration_s": 900},
    ]
    out = kit.run(rows, catalog=Catalog(streak_min_minutes=10), as_of="2026-03-04T20:00:00Z")
    assert list(out.daily["active"]) == [True, False, True]
    assert list(out.daily["streak"]) == [1, 0, 1]
    assert kit.one(out.streaks, learner_id="alice")["streak_days"] == 1
    # with the default 0, any event makes the day active
    assert kit.one(kit.run(rows, as_of="2026-03-04T20:00:00Z").streaks, learner_id="alice")["streak_days"] == 3


@pytest.mark.parametrize("as_of, streak", [
    ("2026-03-06T20:00:00Z", 5),  # today (the 6th) is active
    ("2026-03-07T20:00:00Z", 5),  # yesterday was the last active day
    ("2026-03-08T00:00:00Z", 0),  # two days later: lapsed
])
def test_streak_ends_today_or_yesterday(kit, as_of, streak):
    rows = kit.attempts([50] * 5, start="2026-03-02T10:00:00Z", step="1D")  # 2nd to 6th
    assert kit.one(kit.run(rows, as_of=as_of).streaks, learner_id="alice")["streak_days"] == streak


def test_a_missing_day_breaks_the_streak(kit):
    rows = [{"ts": f"2026-03-0{d}T10:00:00Z"} for d in (1, 2, 4, 5)]
    out = kit.run(rows, as_of="2026-03-05T12:00:00Z")
    assert kit.one(out.streaks, learner_id="alice")["streak_days"] == 2
    assert str(kit.one(out.streaks, learner_id="alice")["last_active_day"].date()) == "2026-03-05"


def test_streak_across_the_spring_dst_change_in_paris(kit):
    rows = [  # 23:30 local each day; Paris moves from UTC+1 to UTC+2 on Sunday 2026-03-29
        {"ts": "2026-03-27T22:30:00Z"},  # Fri 23:30 +01:00
        {"ts": "2026-03-28T22:30:00Z"},  # Sat 23:30 +01:00
        {"ts": "2026-03-29T21:30:00Z"},  # Sun 23:30 +02:00 (a 23-hour day)
        {"ts": "2026-03-30T21:30:00Z"},  # Mon 23:30 +02:00
    ]
    out = kit.run(rows, tz="Europe/Paris", as_of="2026-03-31T10:00:00+02:00")
    assert dates(out.daily) == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    assert kit.one(out.streaks, learner_id="alice")["streak_days"] == 4


def test_streak_across_midnight_in_new_york(kit):
    rows = [{"ts": "2026-01-05T23:30:00-05:00"}, {"ts": "2026-01-06T00:15:00-05:00"}]  # one UTC day
    out = kit.run(rows, tz="America/New_York", as_of="2026-01-06T12:00:00-05:00")
    assert kit.one(out.streaks, learner_id="alice")["streak_days"] == 2
    assert kit.one(kit.run(rows, tz="UTC", as_of="2026-01-06T12:00:00-05:00").streaks,
                   learner_id="alice")["streak_days"] == 1


def test_learner_active_only_at_half_past_eleven_at_night(kit):
    # 23:30 in Los Angeles is 07:30 the next day in UTC; Sunday the 11th is still week 2.
    rows = [{"ts": "2026-01-10T23:30:00-08:00"}, {"ts": "2026-01-11T23:30:00-08:00"}]
    tz = "America/Los_Angeles"
    out = kit.run(rows, tz=tz, as_of="2026-01-12T23:59:00-08:00")
    assert dates(out.daily) == ["2026-01-10", "2026-01-11"]
    assert kit.one(out.streaks, learner_id="alice")["streak_days"] == 2
    week = kit.one(out.weekly, week="2026-W02")
    assert (week["active_days"], week["days_elapsed"]) == (2, 7)
    assert kit.one(out.weekly, week="2026-W03")["active_days"] == 0
    # Tuesday 01:00 local: Monday (yesterday) had nothing, so the streak lapsed,
    # although in UTC the last event fell on Monday.
    late = kit.run(rows, tz=tz, as_of="2026-01-13T01:00:00-08:00")
    assert kit.one(late.streaks, learner_id="alice")["streak_days"] == 0


def weekly_rows(kit):
    return [
        {"ts": "2026-02-16T10:00:00Z", "score": 100},  # week 8, so week 9 is an empty week
        # week 10 (Mon 2 March)
        {"ts": "2026-03-02T10:00:00Z", "score": 60, "skill": "a", "duration_s": 1800},
        {"ts": "2026-03-03T10:00:00Z", "score": 80, "skill": "b", "duration_s": 600},
        # week 11 (Mon 9 March); as_of is Wednesday the 11th
        {"ts": "2026-03-09T10:00:00Z", "score": 90, "skill": "c", "duration_s": 600},
        {"ts": "2026-03-09T11:00:00Z", "score": 70, "skill": "b", "duration_s": 600},
        {"ts": "2026-03-09T12:00:00Z", "score": 75, "skill": "d", "duration_s": 60},
        {"ts": "2026-03-11T10:00:00Z", "score": 80, "skill": "a", "duration_s": 300},
    ]


def test_weekly_rows(kit):
    out = kit.run(weekly_rows(kit), as_of="2026-03-11T12:00:00Z").weekly
    assert list(out["week"]) == ["2026-W08", "2026-W09", "2026-W10", "2026-W11"]
    assert dates(out, "week_start") == ["2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09"]
    w9, w10, w11 = (kit.one(out, week=w) for w in ("2026-W09", "2026-W10", "2026-W11"))

    assert (w9["practice_minutes"], w9["active_days"], w9["consistency"]) == (0, 0, 0)
    assert kit.is_null(w9["mean_score"]) and kit.is_null(w9["improvement"]) and w9["top_skills"] == []

    assert w10["practice_minutes"] == (1800 + 600) / 60
    assert (w10["active_days"], w10["days_elapsed"]) == (2, 7)
    assert w10["consistency"] == 2 / 7
    assert w10["mean_score"] == (60 + 80) / 2
    assert w10["trend"] == 80 - 60  # daily means 60 then 80, one day apart
    assert kit.is_null(w10["improvement"])  # the previous week is empty
    assert w10["top_skills"] == ["a", "b"]
    assert w10["weekly_goal_progress"] == kit.approx(40 / 150)

    assert (w11["active_days"], w11["days_elapsed"]) == (2, 3)  # Mon, Tue, Wed so far
    assert w11["consistency"] == 2 / 3
    assert w11["mean_score"] == kit.approx((90 + 70 + 75 + 80) / 4)
    assert w11["improvement"] == kit.approx((90 + 70 + 75 + 80) / 4 - 70)
    # daily means: Monday (90+70+75)/3 = 78.33.., Wednesday 80, two days apart
    assert w11["trend"] == kit.approx((80 - 235 / 3) / 2)
    assert w11["top_skills"] == ["b", "c", "a"]  # b and c tie at 600 s: id order; d (60 s) is 4th
    assert w11["weekly_goal_progress"] == kit.approx((600 + 600 + 60 + 300) / 60 / 150)


def test_weekly_goal_follows_the_catalog(kit):
    out = kit.run(weekly_rows(kit), catalog=Catalog(weekly_goal_minutes=20), as_of="2026-03-11T12:00:00Z")
    assert kit.one(out.weekly, week="2026-W10")["weekly_goal_progress"] == kit.approx(40 / 20)


MONTH_CATALOG = Catalog(modules=(Module("m1", "M1", tasks=tuple(Task(f"t{i}", f"T{i}") for i in range(1, 5))),))


def test_monthly_progress_and_growth(kit):
    rows = [
        {"ts": "2026-02-10T10:00:00Z", "task_id": "t1", "score": 90, "duration_s": 600},
        {"ts": "2026-03-05T10:00:00Z", "task_id": "t2", "type": "task_completed"},
        {"ts": "2026-03-06T10:00:00Z", "task_id": "t3", "score": 75},
        {"ts": "2026-03-07T10:00:00Z", "task_id": "t3", "score": 95},  # already completed
        {"ts": "2026-03-08T10:00:00Z", "type": "module_completed"},
    ]
    out = kit.run(rows, catalog=MONTH_CATALOG, as_of="2026-04-15T00:00:00Z")
    months = out.monthly
    assert list(months["month"]) == ["2026-02", "2026-03", "2026-04"]
    assert list(months["tasks_completed"]) == [1, 2, 0]
    assert list(months["total_progress"]) == [1 / 4 * 100, 3 / 4 * 100, 3 / 4 * 100]
    assert list(months["growth_rate"]) == [25.0, 50.0, 0.0]
    assert list(months["modules_completed"]) == [0, 1, 0]
    assert list(months["attempts"]) == [1, 2, 0]
    assert months["mean_score"].iloc[1] == (75 + 95) / 2
    assert months["practice_minutes"].iloc[0] == 10
    assert kit.one(out.overall, learner_id="alice")["total_progress"] == months["total_progress"].iloc[-1]


def test_monthly_progress_without_catalog(kit):
    rows = [
        {"ts": "2026-02-10T10:00:00Z", "task_id": "u1", "score": 90},
        {"ts": "2026-02-11T10:00:00Z", "task_id": "u2", "score": 10},
        {"ts": "2026-03-05T10:00:00Z", "task_id": "u3", "score": 80},
    ]
    months = kit.run(rows, as_of="2026-03-31T00:00:00Z").monthly
    assert list(months["total_progress"]) == [kit.approx(1 / 2 * 100), kit.approx(2 / 3 * 100)]
    assert kit.is_null(months["growth_rate"].iloc[0])  # nothing seen before February
    assert months["growth_rate"].iloc[1] == kit.approx(2 / 3 * 100 - 50)


def test_month_is_the_local_calendar_month(kit):
    rows = [{"ts": "2026-01-31T23:30:00Z", "score": 50}]  # 1 February 00:30 in Paris
    months = kit.run(rows, tz="Europe/Paris", as_of="2026-02-02T00:00:00Z").monthly
    assert list(months["month"]) == ["2026-02"]
