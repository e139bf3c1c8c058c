"""One event record (DESIGN section 2): validation and normalisation of a raw row.

`normalize` turns whatever a reader produced (a dict of field -> value) into the stored
shape, or raises RowRejected with a reason. Values are never clamped or guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from typing import Any
from zoneinfo import ZoneInfo

import orjson

# The stored shape, in column order.
FIELDS = (
    "event_id", "learner_id", "learner_name", "session_id", "module_id", "task_id", "skill",
    "type", "timestamp", "score", "duration_s", "difficulty", "metadata",
)
# The facts of an event: a second row with the same id must agree on these (else: conflict).
CORE_FIELDS = (
    "learner_id", "session_id", "module_id", "task_id", "skill", "type", "timestamp", "score",
    "duration_s", "difficulty",
)
ALIASES = {
    "user_id": "learner_id", "userId": "learner_id", "learnerId": "learner_id",
    "moduleId": "module_id", "module": "module_id",
    "eventId": "event_id", "sessionId": "session_id", "taskId": "task_id",
    "learnerName": "learner_name",
}
_KNOWN = set(FIELDS)
UTC = dt.timezone.utc
_EPOCH_MS_FROM = 1e11  # an epoch number at or above this is milliseconds (DESIGN section 2)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# The analytics hold times as 64-bit nanoseconds (1677-09-21 .. 2262-04-11): whole years inside.
_FIRST_YEAR, _LAST_YEAR = 1678, 2261
_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


class RowRejected(ValueError):
    """A row that cannot be stored; the message is the reason written to the rejects file."""


def normalize(raw: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Validate one raw row and return it in the stored shape (timestamps in UTC)."""
    if raw.keys() <= _KNOWN:  # the common case: our own field names, nothing to move
        row, extra = raw, {}
    else:
        row, extra = _rename(raw)
    get = row.get

    learner = _optional_text(get("learner_id"), "learner_id")
    if learner is None:
        raise RowRejected("missing learner_id")
    module = _optional_text(get("module_id"), "module_id")
    if module is None:
        raise RowRejected("missing module_id")
    timestamp = get("timestamp")
    if timestamp is None or timestamp == "":
        raise RowRejected("missing timestamp")
    score = _score(get("score"))
    kind = _optional_text(get("type"), "type")
    if kind is None:
        if score is None:
            raise RowRejected("missing type")
        kind = "attempt"  # DESIGN 5: an event with a score is an attempt
    out = {
        "event_id": _optional_text(get("event_id"), "event_id"),
        "learner_id": learner,
        "learner_name": _optional_text(get("learner_name"), "learner_name"),
        "session_id": _optional_text(get("session_id"), "session_id"),
        "module_id": module,
        "task_id": _optional_text(get("task_id"), "task_id"),
        "skill": _optional_text(get("skill"), "skill"),
        "type": kind,
        "timestamp": parse_timestamp(timestamp, tz),
        "score": score,
        "duration_s": _duration(get("duration_s")),
        "difficulty": _difficulty(get("difficulty")),
        "metadata": _metadata(get("metadata"), extra),
        "voided": False,
    }
    if out["event_id"] is None:
        out["event_id"] = stable_event_id(out)
    return out


def _rename(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Aliases -> field names; unknown non-empty fields -> `extra` (kept in metadata)."""
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _KNOWN:
            row[key] = value
        elif key in ALIASES:
            if value is not None and value != "":
                row[ALIASES[key]] = value
        elif value is not None and value != "":
            extra[key] = value
    return row, extra


def core(row: dict[str, Any]) -> tuple:
    """The facts that a second row with the same event_id must repeat (else: conflict)."""
    return tuple(row[f] for f in CORE_FIELDS)


def stable_event_id(row: dict[str, Any]) -> str:
    """DESIGN 2: a hash of the canonical JSON of the identifying fields."""
    score = None if row["score"] is None else float(row["score"])
    key = [row["learner_id"], row["module_id"], row["task_id"], row["skill"], row["type"],
           row["timestamp"], score]
    return "h-" + hashlib.sha256(orjson.dumps(key)).hexdigest()[:32]


def parse_timestamp(value: Any, tz: ZoneInfo) -> str:
    """ISO 8601 (offset or naive, read in `tz`) or epoch s/ms -> 'YYYY-MM-DDTHH:MM:SS.ffffffZ'."""
    if isinstance(value, bool):
        raise RowRejected(f"timestamp is not a time: {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                raise RowRejected(f"timestamp is not ISO 8601 or epoch: {value!r}") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
            return _utc_text(moment)
        value = float(text)
    if isinstance(value, (int, float)):
        try:
            value = float(value)
        except OverflowError:
            raise RowRejected(f"timestamp out of range: {value!r}") from None
        if not math.isfinite(value):
            raise RowRejected(f"timestamp is not a time: {value!r}")
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_FROM else value
        try:
            return _utc_text(dt.datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError):
            raise RowRejected(f"timestamp out of range: {value!r}") from None
    raise RowRejected(f"timestamp is not a time: {value!r}")


def _utc_text(moment: dt.datetime) -> str:
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RowRejected("timestamp out of range") from None
    if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise RowRejected(f"timestamp out of range {_FIRST_YEAR}..{_LAST_YEAR}: {moment.isoformat()}")
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"  # faster than strftime


def parse_iso_duration(text: str) -> float | None:
    """'PT4M30S' -> 270.0; None when it is not an ISO 8601 duration we can read."""
    match = _ISO_DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    return parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)


def _optional_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        if not value.isascii():
            _check_unicode(value, field)
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids such as OULAD's id_student
    raise RowRejected(f"{field} must be text, got {type(value).__name__}")


def _check_unicode(text: str, field: str) -> None:
    """A JSON escape can carry a lone surrogate, which no database or file can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RowRejected(f"{field} is not valid Unicode text") from None


def _number(value: Any, field: str) -> float:
    kind = type(value)
    if kind is float or kind is int:  # the common case, checked first
        try:
            number = float(value)
        except OverflowError:
            raise RowRejected(f"{field} is out of range: {value}") from None
        if not math.isfinite(number):
            raise RowRejected(f"{field} is not a finite number: {value!r}")
        return number
    if isinstance(value, bool):
        raise RowRejected(f"{field} is not a number: {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise RowRejected(f"{field} is not a number: {value!r}") from None
    else:
        raise RowRejected(f"{field} is not a number: {value!r}")
    if not math.isfinite(number):
        raise RowRejected(f"{field} is not a finite number: {value!r}")
    return number


def _score(value: Any) -> float | None:
    if value is None or value == "":
        return None
    score = _number(value, "score")
    if not 0 <= score <= 100:
        raise RowRejected(f"score out of range 0..100: {value!r}")
    return score


def _duration(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().upper().startswith("P"):
        seconds = parse_iso_duration(value.strip().upper())
        if seconds is None:
            raise RowRejected(f"duration_s is not seconds or an ISO 8601 duration: {value!r}")
        return seconds
    seconds = _number(value, "duration_s")
    if seconds < 0:
        raise RowRejected(f"duration_s is negative: {value!r}")
    return seconds


def _difficulty(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = _number(value, "difficulty")
    if number != int(number) or not 1 <= number <= 5:
        raise RowRejected(f"difficulty must be a whole number 1..5: {value!r}")
    return int(number)


def _metadata(value: Any, extra: dict[str, Any]) -> str | None:
    if (value is None or value == "") and not extra:
        return None
    if value == "":
        value = None
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise RowRejected("metadata is not a JSON object") from None
    if value is not None and not isinstance(value, dict):
        raise RowRejected("metadata is not a JSON object")
    merged = {**extra, **(value or {})}  # unknown columns are kept, never dropped
    if not merged:
        return None
    try:
        return orjson.dumps(merged).decode()
    except TypeError:  # integers beyond 64 bits, lone surrogates: the stdlib decides
        try:
            return json.dumps(merged, ensure_ascii=False, allow_nan=False).encode("utf-8").decode()
        except (TypeError, ValueError, UnicodeEncodeError):
            raise RowRejected("metadata cannot be stored as JSON") from None
