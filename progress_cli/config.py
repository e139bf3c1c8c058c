"""Settings from flags and environment: where the store lives and which time zone counts.

Nothing is read at import time; the CLI callback builds a Settings and passes it down.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from progress_cli.errors import ProgressError

APP_NAME = "progress-cli"


@dataclass(frozen=True)
class Settings:
    db: str
    tz: ZoneInfo
    json: bool = False
    quiet: bool = False
    debug: bool = False


def default_db() -> str:
    """The store in the user's data dir (e.g. ~/.local/share/progress-cli/progress.db)."""
    import typer  # only for get_app_dir; config is otherwise UI-free

    return str(Path(typer.get_app_dir(APP_NAME)) / "progress.db")


def resolve_tz(name: str | None) -> ZoneInfo:
    """`--tz`/PROGRESS_TZ, else the system's zone, else UTC."""
    name = name or os.environ.get("TZ") or _system_zone_name()
    try:
        return ZoneInfo(name.lstrip(":")) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ProgressError(f"--tz: unknown time zone {name!r} (use an IANA name such as Europe/Paris)") from None


def _system_zone_name() -> str | None:
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def parse_as_of(value: str | None, tz: ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """`--as-of`: a date means the end of that day in `tz`; a datetime is taken as given."""
    if value is None:
        return now or dt.datetime.now(dt.timezone.utc)
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time.max, tzinfo=tz)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ProgressError(f"not a date or time: {value!r} (use YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
