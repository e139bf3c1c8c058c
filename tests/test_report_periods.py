"""Report periods (pure): --week / --month values, the last complete period, the report's moment."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from progress_cli.errors import ProgressError
from progress_cli.reports.palette import heat_level
from progress_cli.reports.periods import LAST, resolve_period, report_moment

UTC = ZoneInfo("UTC")
FRIDAY = dt.datetime(2026, 11, 27, 23, 59, 59, 999999, tzinfo=UTC)  # the sample data's last day


@pytest.mark.parametrize("value", [None, LAST, "2026-W47", "2026-w47", "2026W47", "2026-11-16", "2026-11-22"])
def test_week_values_name_the_same_iso_week(value):
    period = resolve_period("week", value, UTC, FRIDAY)
    assert (period.label, period.start, period.end, period.days) == (
        "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22), 7)


def test_last_complete_week_includes_a_week_ending_exactly_at_as_of():
    sunday_end = dt.datetime(2026, 11, 22, 23, 59, 59, 999999, tzinfo=UTC)
    assert resolve_period("week", None, UTC, sunday_end).label == "2026-W47"
    assert resolve_period("week", None, UTC, sunday_end - dt.timedelta(seconds=1)).label == "2026-W46"


def test_last_complete_week_is_counted_in_the_zone():
    # Monday 00:30 in Tokyo is still Sunday in UTC: in Tokyo the week before is complete.
    moment = dt.datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert resolve_period("week", None, ZoneInfo("Asia/Tokyo"), moment).label == "2026-W47"
    assert resolve_period("week", None, UTC, moment).label == "2026-W46"


def test_iso_week_year_boundaries():
    period = resolve_period("week", "2026-W53", UTC, FRIDAY.replace(year=2027))
    assert (period.start, period.end) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert resolve_period("week", "2027-01-02", UTC, FRIDAY.replace(year=2027)).label == "2026-W53"
    assert resolve_period("week", "2026-W01", UTC, FRIDAY).start == dt.date(2025, 12, 29)


def test_month_values():
    assert resolve_period("month", None, UTC, FRIDAY).label == "2026-10"
    november = resolve_period("month", "2026-11", UTC, FRIDAY)
    assert (november.start, november.end, november.days) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), 30)
    assert resolve_period("month", "2024-02-10", UTC, FRIDAY).end == dt.date(2024, 2, 29)
    assert november.previous().label == "2026-10"


@pytest.mark.parametrize("kind, value, message", [
    ("week", "2026-W54", "2026 has no ISO week 54"),
    ("week", "next week", "cannot read 'next week'"),
    ("month", "2026-13", "no month 13"),
    ("month", "Nov", "cannot read 'Nov'"),
])
def test_bad_values_are_one_line_errors(kind, value, message):
    with pytest.raises(ProgressError, match=message):
        resolve_period(kind, value, UTC, FRIDAY)


def test_a_running_period_is_reported_to_as_of_and_a_future_one_refused():
    week48 = resolve_period("week", "2026-W48", UTC, FRIDAY)
    assert report_moment(week48, UTC, FRIDAY) == (FRIDAY, False)
    week47 = resolve_period("week", "2026-W47", UTC, FRIDAY)
    assert report_moment(week47, UTC, FRIDAY) == (week47.end_moment(UTC), True)
    with pytest.raises(ProgressError, match="starts after"):
        report_moment(resolve_period("week", "2026-W49", UTC, FRIDAY), UTC, FRIDAY)


@pytest.mark.parametrize("minutes, level", [
    (0, 0), (0.49, 0), (0.5, 1), (1, 1), (14.49, 1), (14.5, 2), (15, 2), (29.4, 2), (29.5, 3), (30, 3),
    (59.4, 3), (59.5, 4), (60, 4), (500, 4),
])
def test_heatmap_levels_are_the_five_bands_of_design_7(minutes, level):
    assert heat_level(minutes) == level
