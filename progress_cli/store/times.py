"""How the store writes moments: fixed-width UTC text that sorts in time order on every backend.

Apart from the table classes (store/models.py re-exports these), so that the reads that answer
without them (store/reads.py) need not import SQLModel.
"""

from __future__ import annotations

import datetime as dt

TS = 27  # len('2026-01-31T23:59:59.000000Z')
STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def stored_time(moment: dt.datetime | None = None) -> str:
    """A moment (default: now) as stored UTC text; pandas Timestamps are datetimes too."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime(STORED_TIME)


def iso_time(text: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 with +00:00, as every --json date is written."""
    return None if text is None else text[:-1] + "+00:00"
