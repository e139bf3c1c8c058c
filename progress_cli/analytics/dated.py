"""Figures of the as-of day rather than of the events, from a learner's daily rows (DESIGN 5.4).

Recompute stores one row per local day with activity (`daily_activity`: day, practice_s,
practice_minutes, active, streak). The streak today, this week's minutes, the run of weeks that
met the weekly goal and the practice of the last weeks follow from those rows and the as-of
day alone, so `status`, `achievements` and `learners` compute them when they answer, from the
stored rows or from the full computation's (the same rows), through these functions. Sums run
day by day in day order, as the vectorised aggregates add them, so the figures are the same
to the last bit. Days are local day numbers (days since 1970-01-01 in the zone). Pure.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

_EPOCH = dt.date(1970, 1, 1)
Day = Mapping  # a daily_activity row: "day" (ISO date), "practice_s", "practice_minutes", "active", "streak"


def day_number(day: str | dt.date) -> int:
    """An ISO date (or a date) as a local day number."""
    return ((dt.date.fromisoformat(day) if isinstance(day, str) else day) - _EPOCH).days


def iso_day(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=int(day))).isoformat()


def week_of(day: int) -> int:
    """ISO week index (Monday first), as `periods.week_of`."""
    return (day + 3) // 7


def streak_on(last_active_day: str | None, run: int, today: int) -> int:
    """The streak as of `today`: the run of active days ending on the last active day, when
    that day is today or yesterday; else 0 (DESIGN 5.4)."""
    if last_active_day is None or today - day_number(last_active_day) > 1:
        return 0
    return run


def current_streak(days: Iterable[Day], today: int) -> tuple[int, str | None]:
    """(streak_days, last_active_day) as of `today`, from the daily rows (sorted by day)."""
    last = None
    for d in days:
        if d["active"] and day_number(d["day"]) <= today:
            last = d
    if last is None:
        return 0, None
    return streak_on(last["day"], int(last["streak"]), today), last["day"]


def week_minutes(days: Iterable[Day], today: int) -> float:
    """Practice minutes in the ISO week of `today`, up to it."""
    week, total = week_of(today), 0.0
    for d in days:
        n = day_number(d["day"])
        if week_of(n) == week and n <= today:
            total += d["practice_s"]
    return total / 60.0


def weekly_goal_weeks(days: list[Day], today: int, goal_minutes: float) -> int:
    """Consecutive complete ISO weeks, ending with the last complete one, whose practice met
    the weekly goal (DESIGN 6), counted over the weeks from the learner's first active week."""
    from progress_cli.analytics import rules  # numpy on use: `learners` reads the streak alone

    numbers = [day_number(d["day"]) for d in days]
    if goal_minutes <= 0 or not numbers:
        return 0
    first, last = week_of(min(numbers)), week_of(today)
    practice = [0.0] * max(last - first + 1, 0)
    for d, n in zip(days, numbers):
        if n <= today:
            practice[week_of(n) - first] += d["practice_s"]
    run = 0
    for offset in range(len(practice) - 1, -1, -1):
        if today - ((first + offset) * 7 - 3) + 1 < 7:  # the week of today is not complete yet
            continue
        if not rules.rounded(practice[offset] / 60.0 / goal_minutes) >= 1.0:
            break
        run += 1
    return run


def recent_practice_minutes(days: Iterable[Day], today: int, weeks: int) -> float:
    """Practice minutes over the last `weeks` weeks, today included (the risk's practice)."""
    import numpy as np  # on use, as in weekly_goal_weeks

    from progress_cli.analytics import _groups as g

    minutes = [d["practice_minutes"] for d in days if today - 7 * weeks < day_number(d["day"]) <= today]
    return float(g.segment_sums(np.array(minutes, dtype=float), np.array([0]))[0]) if minutes else 0.0


def active_days(days: Iterable[Day], today: int) -> list[int]:
    """The active local days up to `today` (the forecasts' window reads them)."""
    return [n for d in days if d["active"] and (n := day_number(d["day"])) <= today]
