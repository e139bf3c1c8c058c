"""How long a certificate is valid, and what it is at a given moment."""

from __future__ import annotations

import datetime as dt

VALID, EXPIRED, REVOKED, INVALID = "VALID", "EXPIRED", "REVOKED", "INVALID"


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    """The same time `years` later; Feb 29 becomes Feb 28 when that year has none."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # Feb 29 -> a year without one
        return moment.replace(year=moment.year + years, day=28)


def expired(valid_until: dt.datetime, as_of: dt.datetime) -> bool:
    """After `valid_until`, to the second (credentials carry whole seconds; `--as-of DAY` means
    23:59:59.999999, which is still DAY)."""
    return as_of.replace(microsecond=0) > valid_until


def status_at(*, valid_until: dt.datetime, revoked: bool, as_of: dt.datetime) -> str:
    """REVOKED whenever revoked (a revocation is not undone by looking at an earlier date),
    else EXPIRED after `valid_until`, else VALID."""
    if revoked:
        return REVOKED
    return EXPIRED if expired(valid_until, as_of) else VALID


def days_left(valid_until: dt.datetime, as_of: dt.datetime) -> int:
    """Whole days from `as_of` until `valid_until` (negative once expired)."""
    return (valid_until - as_of.replace(microsecond=0)) // dt.timedelta(days=1)
