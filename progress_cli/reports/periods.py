"""Report periods: an ISO week or a calendar month, in the `--tz` zone.

`--week` and `--month` take an optional value. Without one they mean the last complete
period as of `as_of`; `--week` reads a date (`2026-11-20`, its ISO week) or `2026-W47`;
`--month` reads `2026-11` (or a date, its month).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from progress_cli.errors import ProgressError

LAST = "last"  # the value `--week` / `--month` get when given without one
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Period:
    """One report period: first and last local day (inclusive)."""

    kind: str  # "week" | "month"
    label: str  # "2026-W47" | "2026-11"
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def start_moment(self, tz: ZoneInfo) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)

    def end_moment(self, tz: ZoneInfo) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time.max, tzinfo=tz)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the analytics' local day numbers."""
    return (day - _EPOCH).days


def from_day_number(number: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(number))


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period("week", f"{year:04d}-W{week:02d}", start, start + dt.timedelta(days=6))
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period("month", f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last))
    raise ValueError(f"unknown period kind {kind!r}")


def resolve_period(kind: str, value: str | None, tz: ZoneInfo, as_of: dt.datetime) -> Period:
    """The period `--week VALUE` / `--month VALUE` names (`None` or LAST: the last complete one)."""
    if value is None or value == LAST:
        today = as_of.astimezone(tz).date()
        current = period_containing(kind, today)
        return current if current.end_moment(tz) <= as_of else current.previous()
    return named_period(kind, value)


def named_period(kind: str, value: str) -> Period:
    """The week (`2026-W47`, or a date in it) or month (`2026-11`, or a date in it) `value` names."""
    text = value.strip()
    if kind == "week":
        match = _ISO_WEEK.match(text)
        if match:
            year, week = int(match.group(1)), int(match.group(2))
            try:
                return period_containing("week", dt.date.fromisocalendar(year, week, 1))
            except ValueError:
                raise ProgressError(f"{year} has no ISO week {week}") from None
    else:
        match = _MONTH.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise ProgressError(f"no month {month} (use YYYY-MM)")
            return period_containing("month", dt.date(year, month, 1))
    try:
        return period_containing(kind, dt.date.fromisoformat(text))
    except ValueError:
        expected = "YYYY-Www or YYYY-MM-DD" if kind == "week" else "YYYY-MM or YYYY-MM-DD"
        raise ProgressError(f"cannot read {value!r} as a {kind} (use {expected})") from None


def report_moment(period: Period, tz: ZoneInfo, as_of: dt.datetime) -> tuple[dt.datetime, bool]:
    """(the moment the report is computed at, whether the period is complete).

    A period still running at `as_of` is reported up to `as_of`; one that starts after it
    is an error.
    """
    if as_of < period.start_moment(tz):
        raise ProgressError(f"the {period.kind} {period.label} starts after the as-of time "
                            f"{as_of.astimezone(tz):%Y-%m-%d %H:%M}; nothing to report yet")
    end = period.end_moment(tz)
    return (end, True) if end <= as_of else (as_of, False)
