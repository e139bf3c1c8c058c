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
_LOCALTIME = Path("/etc/localtime")
_TIMEZONE_FILE = Path("/etc/timezone")  # Debian's name of the system zone, when localtime is a copy


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
    """`--tz`/PROGRESS_TZ (a zone it does not name is an error), else TZ, else the system's, else UTC.

    TZ is read quietly: C programs also take a file path (`:/etc/localtime`) or a POSIX rule
    (`CET-1CEST,M3.5.0,M10.5.0/3`) there, so a TZ that names no zone means the system's zone.
    """
    if name:
        zone = _zone(name)
        if zone is None:
            raise ProgressError(f"--tz/PROGRESS_TZ: unknown time zone {name!r} (use an IANA name such as Europe/Paris)")
        return zone
    return (_zone(os.environ.get("TZ", "")) or _zone(str(_LOCALTIME)) or _zone(_read_text(_TIMEZONE_FILE))
            or ZoneInfo("UTC"))


def _zone(value: str) -> ZoneInfo | None:
    """The zone that `value` names: an IANA name or the path of a zoneinfo file, after an optional ':'."""
    key = value.strip().removeprefix(":")
    if key.startswith("/"):
        key = _zoneinfo_key(Path(key))
    if not key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _zoneinfo_key(path: Path) -> str:
    """`Europe/Paris` for a path that is (or links to) `.../zoneinfo/Europe/Paris`, else ''."""
    try:
        target = str(path.resolve())
    except OSError:
        return ""
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else ""


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


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
        raise ProgressError(f"--as-of: not a date or time: {value!r} (use YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
