"""Settings from flags and environment: where the store lives and which time zone counts.

Nothing is read at import time; the CLI callback builds a Settings and passes it down.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from progress_cli.errors import ProgressError

APP_NAME = "progress-cli"
DATA_DIR_ENV = "PROGRESS_DATA_DIR"
STORE_FILE = "progress.db"
KEYS_FOLDER = "keys"  # under data_dir(): the private signing keys of database URL stores
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
    """The default store: `progress.db` in `data_dir()` (on Linux ~/.local/share/progress-cli/)."""
    return str(data_dir() / STORE_FILE)


def data_dir() -> Path:
    """Where the default store and the signing keys of URL stores live.

    PROGRESS_DATA_DIR when set; else the platform's user data dir, unless it holds none of
    our files and the folder earlier versions used (typer's app dir) does: then that one, so
    an existing store and its keys are never silently left behind.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    new, old = platform_data_dir(), legacy_app_dir()
    return old if not _holds_our_files(new) and _holds_our_files(old) else new


def platform_data_dir() -> Path:
    """The user data dir: XDG_DATA_HOME (~/.local/share) on Linux, Application Support on macOS,
    %LOCALAPPDATA% on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = _absolute(os.environ.get("XDG_DATA_HOME")) or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def legacy_app_dir() -> Path:
    """Where earlier versions kept the store: `typer.get_app_dir(APP_NAME)` (click's rules),
    ~/.config/progress-cli on Linux, %APPDATA% on Windows, as `platform_data_dir()` on macOS."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home()) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / APP_NAME


def _absolute(path: str | None) -> str | None:
    """The XDG spec ignores a relative path."""
    return path if path and os.path.isabs(path) else None


def _holds_our_files(folder: Path) -> bool:
    return any((folder / name).exists() for name in (STORE_FILE, STORE_FILE + ".keys", KEYS_FOLDER))


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
        raise ProgressError(f"not a date or time: {value!r} (use YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
