"""xAPI statements -> raw event rows (DESIGN section 2, the xAPI paragraph).

A statement becomes a raw row for `record.normalize`, a `Void` (a voiding statement), a
`Skip` (nothing we can use), or raises RowRejected (a statement that is malformed).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from progress_cli.addresses import is_address
from progress_cli.catalog import XapiMapping
from progress_cli.ingest.record import RowRejected

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SKILL_EXTENSION = "urn:progress-cli:skill"
DIFFICULTY_EXTENSION = "urn:progress-cli:difficulty"
_VERB_TYPES = {
    "completed": "task_completed", "passed": "task_completed", "mastered": "task_completed",
    "failed": "attempt", "answered": "attempt", "attempted": "attempt", "scored": "attempt",
    "initialized": "session_start", "launched": "session_start", "resumed": "session_start",
    "terminated": "session_end", "exited": "session_end", "suspended": "session_end",
}


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Void:
    event_id: str
    target_event_id: str
    learner_id: str | None
    timestamp: Any


def is_statement_like(obj: Any) -> bool:
    """True for an xAPI statement or an LRS document wrapping one."""
    return isinstance(obj, dict) and (("actor" in obj and "verb" in obj) or isinstance(obj.get("statement"), dict))


def unwrap(obj: Any) -> tuple[Any, bool]:
    """An LRS storage document -> (its statement, the LRS's voided flag)."""
    if isinstance(obj, dict) and isinstance(obj.get("statement"), dict) and "verb" not in obj:
        return obj["statement"], obj.get("voided") is True
    return obj, False


def statement_to_row(statement: Any, mapping: XapiMapping) -> dict[str, Any] | Void | Skip:
    if not isinstance(statement, dict):
        return Skip("not an xAPI statement")
    if "verb" not in statement and "actor" not in statement:
        return Skip("not an xAPI statement (no actor and no verb)")
    verb_id = _verb_id(statement.get("verb"))
    obj = statement.get("object")
    if not isinstance(obj, dict) or not obj.get("id"):
        raise RowRejected("statement has no object id")
    learner_id, learner_name = _actor(statement.get("actor"))
    timestamp = statement.get("timestamp") or statement.get("stored")
    if verb_id == VOIDED:
        if obj.get("objectType") != "StatementRef":
            raise RowRejected("voiding statement whose object is not a StatementRef")
        void_id = statement.get("id") or _void_id(learner_id, str(obj["id"]), timestamp)
        return Void(str(void_id), str(obj["id"]), learner_id, timestamp)
    if obj.get("objectType") in ("Agent", "Group", "StatementRef", "SubStatement"):
        return Skip(f"object is a {obj['objectType']}, not an activity")
    if timestamp is None:
        raise RowRejected("statement has no timestamp (nor stored time)")
    context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
    parent = _context_activity(context)
    activity = mapping.activity_id(str(obj["id"]))
    if parent is not None:
        module_id, task_id = mapping.activity_id(parent), activity
    else:
        module_id, task_id = activity, None
    verb_name = verb_id.rstrip("/").rsplit("/", 1)[-1]
    kind = _VERB_TYPES.get(verb_name, verb_name)
    if kind == "task_completed" and task_id is None:
        kind = "module_completed"
    result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
    extensions = context.get("extensions") if isinstance(context.get("extensions"), dict) else {}
    return {
        "event_id": statement.get("id"),
        "learner_id": learner_id,
        "learner_name": learner_name,
        "session_id": context.get("registration"),
        "module_id": module_id,
        "task_id": task_id,
        "skill": extensions.get(SKILL_EXTENSION),
        "type": kind,
        "timestamp": timestamp,
        "score": _score(result.get("score")),
        "duration_s": result.get("duration"),
        "difficulty": extensions.get(DIFFICULTY_EXTENSION),
        "metadata": {"verb": verb_id, "object": str(obj["id"])},
    }


def _void_id(learner_id: str, target: str, timestamp: Any) -> str:
    """A stable id for a voiding statement that has none, like an event's (DESIGN 2)."""
    key = json.dumps([learner_id, "voided", target, str(timestamp)], separators=(",", ":"))
    return "h-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _verb_id(verb: Any) -> str:
    if isinstance(verb, dict) and isinstance(verb.get("id"), str) and verb["id"]:
        return verb["id"]
    raise RowRejected("statement has no verb id")


def _actor(actor: Any) -> tuple[str, str | None]:
    if not isinstance(actor, dict):
        raise RowRejected("statement has no actor")
    name = actor.get("name") if isinstance(actor.get("name"), str) else None
    account = actor.get("account")
    if isinstance(account, dict) and account.get("name"):
        return str(account["name"]), name
    for key in ("mbox", "mbox_sha1sum", "openid"):
        value = actor.get(key)
        if isinstance(value, str) and value:
            return value.removeprefix("mailto:"), name
    raise RowRejected("actor has no account, mbox or openid to identify the learner")


def actor_email(statement: Any) -> str | None:
    """The address of the statement's actor when it is identified by `mbox` (DESIGN 10: it fills
    a learner's email when the roster has none); None otherwise."""
    actor = statement.get("actor") if isinstance(statement, dict) else None
    mbox = actor.get("mbox") if isinstance(actor, dict) else None
    if not isinstance(mbox, str) or not mbox.lower().startswith("mailto:"):
        return None
    address = mbox[len("mailto:"):].strip()
    return address if is_address(address) else None


def _context_activity(context: dict) -> str | None:
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return None
    for key in ("parent", "grouping"):
        value = activities.get(key)
        if isinstance(value, dict):
            value = [value]
        if isinstance(value, list):
            for activity in value:
                if isinstance(activity, dict) and activity.get("id"):
                    return str(activity["id"])
    return None


def _score(score: Any) -> float | None:
    """scaled x 100, else (raw - min) / (max - min) x 100; rounded to 6 places (float noise)."""
    if not isinstance(score, dict):
        return None
    try:
        scaled = score.get("scaled")
        if _is_number(scaled):
            return round(float(scaled) * 100, 6)
        raw, low, high = score.get("raw"), score.get("min", 0), score.get("max")
        if _is_number(raw) and _is_number(low) and _is_number(high):
            if high <= low:
                raise RowRejected(f"result.score has max {high} <= min {low}")
            return round((float(raw) - float(low)) / (float(high) - float(low)) * 100, 6)
    except OverflowError:
        raise RowRejected("result.score is out of range") from None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
