"""Caliper events -> raw event rows (DESIGN section 2, the Caliper paragraph).

Caliper Analytics 1.0, 1.1 and 1.2: envelopes `{"sensor", "sendTime", "dataVersion",
"data": [...]}`, arrays of events, JSON Lines of events or of envelopes. 1.0 spells `@id` /
`@type` and writes types and actions as IRIs; both spellings are read, a type or an action by
its last segment. An entity an event names by id only is looked up among the entities its
envelope describes; an event that needs one not described yet waits for the end of its
envelope (so memory follows the largest envelope of such events, never the file).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from progress_cli.catalog import XapiMapping
from progress_cli.ingest.record import RowRejected, normalize
from progress_cli.ingest.sources import Member
from progress_cli.ingest.xapi import Skip

COURSE_TYPES = frozenset({"CourseOffering", "CourseSection"})
ASSESSMENT_TYPES = frozenset({"Assessment", "AssessmentItem", "AssignableDigitalResource"})
GRADE_EVENTS = frozenset({"GradeEvent", "OutcomeEvent"})  # 1.0 calls it OutcomeEvent
SESSION_ACTIONS = {"LoggedIn": "session_start", "LoggedOut": "session_end", "TimedOut": "session_end"}
_DEPTH = 8  # isPartOf chains are short; this also stops a cycle
_ENVELOPE_HEAD = re.compile(r'"(sensor|dataVersion)"\s*:')
NO_COURSE = "no course: neither a group nor a CourseOffering/CourseSection that the object is part of"

Resolve = Callable[..., "dict | None"]
Outcome = tuple[int, Any, Any]


def looks_like_caliper(first: Any, head: str = "") -> bool:
    """An envelope, or an event whose `@context` (or 1.0 `@type` IRI) names Caliper."""
    if isinstance(first, dict):
        if "sensor" in first and isinstance(first.get("data"), list):
            return True
        context = first.get("@context")
        contexts = context if isinstance(context, list) else [context]
        if any(isinstance(c, str) and "caliper" in c.lower() for c in contexts):
            return True
        kind = first.get("@type")
        if isinstance(kind, str) and "imsglobal.org/caliper" in kind:
            return True
    text = head.lstrip()
    return text.startswith("{") and bool(_ENVELOPE_HEAD.search(text[:4096])) and "caliper" in text[:4096].lower()


def read(items: Iterable[tuple[int, Any]], tz: ZoneInfo, mapping: XapiMapping) -> Iterator[Outcome]:
    """(line, raw, outcome) for every event of a stream of envelopes, events and arrays of them.

    `Member`s are the data items of one streamed top-level envelope.
    """
    streamed: _Envelope | None = None
    for line, obj in items:
        if isinstance(obj, Member):
            streamed = streamed or _Envelope(tz, mapping)
            yield from streamed.add(line, obj.value)
            continue
        if streamed is not None:  # the streamed envelope has ended
            yield from streamed.finish()
            streamed = None
        if isinstance(obj, RowRejected):
            yield line, None, obj
        else:
            yield from _item(line, obj, tz, mapping)
    if streamed is not None:
        yield from streamed.finish()


def _item(line: int, obj: Any, tz: ZoneInfo, mapping: XapiMapping) -> Iterator[Outcome]:
    if isinstance(obj, list):
        for element in obj:
            yield from _item(line, element, tz, mapping)
    elif _is_envelope(obj):
        envelope = _Envelope(tz, mapping)
        for element in obj["data"]:
            yield from envelope.add(line, element)
        yield from envelope.finish()
    elif isinstance(obj, dict) and _is_entity(obj):
        yield line, obj, Skip("a Caliper entity outside an envelope, not an event")
    else:
        yield line, obj, _outcome(obj, _Refs(None), tz, mapping)


class _Envelope:
    """The data items of one envelope: entity describes are kept to resolve references."""

    def __init__(self, tz: ZoneInfo, mapping: XapiMapping) -> None:
        self.tz, self.mapping = tz, mapping
        self.described: dict[str, dict] = {}
        self.waiting: list[tuple[int, int, Any]] = []
        self.index = -1

    def add(self, line: int, item: Any) -> Iterator[Outcome]:
        self.index += 1
        if isinstance(item, dict) and _is_entity(item):
            self.described[_id(item)] = item
            return
        refs = _Refs(self.described)
        outcome = _outcome(item, refs, self.tz, self.mapping)
        if refs.missing:
            self.waiting.append((line, self.index, item))
        else:
            yield line, item, _placed(outcome, self.index)

    def finish(self) -> Iterator[Outcome]:
        for line, index, item in self.waiting:
            yield line, item, _placed(_outcome(item, _Refs(self.described), self.tz, self.mapping), index)
        self.waiting = []


def _placed(outcome: Any, index: int) -> Any:
    """A rejected event of an envelope says where in the envelope it is."""
    if isinstance(outcome, RowRejected):
        return RowRejected(f"{outcome}: data[{index}] of the envelope")
    return outcome


class _Refs:
    """Resolves an entity given whole or by id; notes an id the envelope has not described (yet)
    where more than the id is needed (`needed`)."""

    def __init__(self, described: dict[str, dict] | None) -> None:
        self.described, self.missing = described, False

    def __call__(self, ref: Any, needed: bool = True) -> dict | None:
        if isinstance(ref, dict):
            return ref
        if isinstance(ref, str) and ref:
            if self.described is not None:
                found = self.described.get(ref)
                if found is not None:
                    return found
                self.missing = self.missing or needed
            return {"id": ref}
        return None


def _outcome(event: Any, resolve: _Refs, tz: ZoneInfo, mapping: XapiMapping) -> Any:
    try:
        row = event_to_row(event, resolve, mapping)
        return row if isinstance(row, Skip) else normalize(row, tz)
    except RowRejected as exc:
        return exc


def event_to_row(event: Any, resolve: Resolve, mapping: XapiMapping) -> dict[str, Any] | Skip:
    """One Caliper event -> a raw row for `record.normalize`, a Skip, or RowRejected."""
    if not isinstance(event, dict):
        raise RowRejected("not a JSON object")
    kind = _type(event)
    action = _segment(event.get("action"))
    if not kind and not action and "actor" not in event:
        return Skip("not a Caliper event (no type, action or actor)")
    actor = resolve(event.get("actor"), needed=False)
    if actor is None:
        raise RowRejected("event has no actor")
    if event.get("eventTime") in (None, ""):
        raise RowRejected("event has no eventTime")
    if not action:
        raise RowRejected("event has no action")
    obj = resolve(event.get("object"))
    generated = resolve(event.get("generated"))
    obj_type = _type(obj)
    attempt = obj if obj_type == "Attempt" else generated if _type(generated) == "Attempt" else None
    learner = _learner(kind, actor, attempt, resolve)
    course = _course(event, obj, attempt, resolve)
    if course is None:
        return Skip(NO_COURSE)
    task = _task(kind, obj, obj_type, attempt, resolve)
    score, scored = _score(generated)
    return {
        "event_id": event.get("id", event.get("@id")),
        "learner_id": _raw_id(learner),
        "learner_name": learner.get("name") if isinstance(learner.get("name"), str) else None,
        "session_id": _id(resolve(event.get("session"), needed=False)),
        "module_id": mapping.activity_id(course),
        "task_id": mapping.activity_id(task) if task and task != course else None,
        "type": _kind(kind, action, obj_type, task, scored),
        "timestamp": event["eventTime"],
        "score": score,
        "duration_s": attempt.get("duration") if attempt is not None else None,
        "metadata": {"caliper": kind, "action": action, "object": _id(obj)},
    }


def _learner(kind: str, actor: dict, attempt: dict | None, resolve: Resolve) -> dict:
    """The actor, except in a GradeEvent (1.0: OutcomeEvent), whose actor is the grader."""
    if kind not in GRADE_EVENTS:
        learner, who = actor, "actor"
    elif attempt is None:
        raise RowRejected(f"{kind} without an Attempt: no learner")
    else:  # 1.1 and 1.2 name the learner `assignee`, 1.0 the attempt's `actor`
        learner = resolve(_field(attempt, "assignee") or _field(attempt, "actor"), needed=False)
        who = "the attempt's assignee"
        if learner is None:
            raise RowRejected(f"{kind}: the attempt has no assignee (the learner)")
    if _raw_id(learner) is None:
        raise RowRejected(f"{who} has no id")
    return learner


def _course(event: dict, obj: dict | None, attempt: dict | None, resolve: Resolve) -> str | None:
    """`group` (up its subOrganizationOf chain to a course), else the course the object is part of."""
    group = resolve(event.get("group"))
    if group is not None:
        return _up_to_course(group, "subOrganizationOf", resolve) or _id(group)
    assignable = resolve(_field(attempt, "assignable")) if attempt is not None else None
    for start in (obj, assignable):
        found = _up_to_course(start, "isPartOf", resolve)
        if found:
            return found
    return None


def _up_to_course(entity: dict | None, link: str, resolve: Resolve) -> str | None:
    for _ in range(_DEPTH):
        if entity is None:
            return None
        if _type(entity) in COURSE_TYPES:
            return _id(entity)
        entity = resolve(_field(entity, link))
    return None


def _task(kind: str, obj: dict | None, obj_type: str, attempt: dict | None, resolve: Resolve) -> str | None:
    """The assessment or assignable the event is about (an item counts as its assessment)."""
    if obj is not None and (obj_type in ASSESSMENT_TYPES or kind == "AssignableEvent"):
        return _id(_assessment_of(obj, resolve))
    if attempt is not None:
        assignable = resolve(_field(attempt, "assignable"))
        if assignable is not None:
            return _id(_assessment_of(assignable, resolve))
    return None


def _assessment_of(entity: dict, resolve: Resolve) -> dict:
    if _type(entity) == "AssessmentItem":
        parent = resolve(_field(entity, "isPartOf"))
        if parent is not None and _type(parent) == "Assessment":
            return parent
    return entity


def _score(generated: dict | None) -> tuple[float | None, bool]:
    """(score 0..100 or None, whether the event carries a Score with a maximum).

    A Score with no maximum (1.0's totalScore alone) is no 0..100 score; maxScore 0 gives none.
    """
    if generated is None:
        return None, False
    score = generated
    if "scoreGiven" not in score and isinstance(score.get("score"), dict):
        score = score["score"]  # Open edX's event-routing-backends wraps the Score
    given, top = score.get("scoreGiven"), score.get("maxScore")
    if given is None or top is None:
        return None, False
    if not (_is_number(given) and _is_number(top)):
        raise RowRejected(f"Score has a scoreGiven or maxScore that is not a number: {given!r} / {top!r}")
    if top < 0:
        raise RowRejected(f"Score has a negative maxScore: {top!r}")
    if top == 0:
        return None, True
    try:
        return round(float(given) / float(top) * 100, 6), True
    except OverflowError:
        raise RowRejected("Score is out of range") from None


def _kind(kind: str, action: str, obj_type: str, task: str | None, scored: bool) -> str:
    if kind == "SessionEvent" and action in SESSION_ACTIONS:
        return SESSION_ACTIONS[action]
    if scored:
        return "attempt"
    if action == "Completed" and obj_type in COURSE_TYPES:
        return "module_completed"
    if action == "Completed" and kind == "AssignableEvent" and task:
        return "task_completed"
    return action.lower()


def _is_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("data"), list) and (
        "sensor" in obj or "dataVersion" in obj or "sendTime" in obj)


def _is_entity(obj: dict) -> bool:
    """An entity describe: an id and a type that is no event, and no action or eventTime."""
    if "action" in obj or "eventTime" in obj or _id(obj) is None:
        return False
    kind = _type(obj)
    return bool(kind) and not kind.endswith("Event")


def _field(entity: dict | None, key: str) -> Any:
    """A property, or the same one under `extensions` (where Open edX puts assignee, isPartOf...)."""
    if entity is None:
        return None
    value = entity.get(key)
    if value is None and isinstance(entity.get("extensions"), dict):
        value = entity["extensions"].get(key)
    return value


def _raw_id(entity: dict) -> Any:
    value = entity.get("id", entity.get("@id"))
    return None if value is None or value == "" else value


def _id(entity: dict | None) -> str | None:
    if entity is None:
        return None
    value = entity.get("id") or entity.get("@id")
    return value.strip() or None if isinstance(value, str) else None


def _type(entity: Any) -> str:
    if not isinstance(entity, dict):
        return ""
    return _segment(entity.get("type") or entity.get("@type"))


_SEGMENTS: dict[str, str] = {}  # a file uses a handful of types and actions, each many times


def _segment(value: Any) -> str:
    """The last segment of a 1.0 IRI (`.../v1/NavigationEvent`, `...action#NavigatedTo`)."""
    if type(value) is not str:
        return ""
    found = _SEGMENTS.get(value)
    if found is None:
        found = value.rsplit("#", 1)[-1].rsplit("/", 1)[-1].strip()
        if len(_SEGMENTS) < 4096:
            _SEGMENTS[value] = found
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
