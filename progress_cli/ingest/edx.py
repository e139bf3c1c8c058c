"""Open edX tracking-log events -> raw event rows (DESIGN section 2, the Open edX paragraph).

A tracking log holds one event a line, perhaps after a logger prefix
(`2023-05-23 13:53:13,461 INFO 20 [tracking] ... - {...}`); events processed by Open edX's
event routing (`name`, `timestamp`, `data`) read the same as the log's (`event_type`, `time`,
`event`). There is no event id: `record.normalize` gives the stable hash of DESIGN 2.

The LMS logs one graded submission twice: `edx.grades.problem.submitted` and, some
milliseconds later (or earlier), the server's `problem_check`. The problem_check is the attempt;
a submitted event of the same learner and problem within `PAIR_WINDOW` of one is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from progress_cli.ingest.record import RowRejected, normalize
from progress_cli.ingest.sources import _loads
from progress_cli.ingest.xapi import Skip

PROBLEM_CHECK = "problem_check"
SUBMITTED = "edx.grades.problem.submitted"
PASSED = "edx.course.grade.passed.first_time"
COMPLETION = "edx.completion.block_completion.changed"
PAIR_WINDOW = dt.timedelta(seconds=5)
_MAX_WAITING = 10_000  # a submitted event waits at most this many for its problem_check
ANONYMOUS = "anonymous user (no user_id or username)"
NO_COURSE = "not in a course (no context.course_id)"
PAIRED = "same attempt as a problem_check"  # an edx.grades.problem.submitted

Outcome = tuple[int, Any, Any]


def is_edx_event(obj: Any) -> bool:
    """An event name (`event_type` or `name`) and a context that has a `course_id` key."""
    if not isinstance(obj, dict) or not isinstance(obj.get("context"), dict):
        return False
    name = obj.get("name") or obj.get("event_type")
    return isinstance(name, str) and "course_id" in obj["context"]


def looks_like_tracking_log(head: str) -> bool:
    """Does one of the first lines hold an Open edX event, after a logger prefix or not?"""
    lines = [line for line in head.split("\n")[:-1] if line.strip()][:5]  # the last may be cut
    for line in lines:
        start = line.find("{")
        if start < 0:
            continue
        try:
            if is_edx_event(_loads(line[start:])):
                return True
        except (ValueError, RecursionError):
            continue
    return False


def read(items: Iterable[tuple[int, Any]], tz: ZoneInfo) -> Iterator[Outcome]:
    """(line, raw, outcome) for every event; a submitted event that duplicates a problem_check is skipped."""
    pairs = _Pairs()
    for line, obj in items:
        if isinstance(obj, RowRejected):
            yield line, None, obj
            continue
        for event in obj if isinstance(obj, list) else (obj,):
            yield from pairs.add(line, event, _outcome(event, tz))
    yield from pairs.flush()


def _outcome(event: Any, tz: ZoneInfo) -> Any:
    try:
        row = event_to_row(event)
        return row if isinstance(row, Skip) else normalize(row, tz)
    except RowRejected as exc:
        return exc


def event_to_row(event: Any) -> dict[str, Any] | Skip:
    """One Open edX event -> a raw row for `record.normalize`, a Skip, or RowRejected."""
    if not isinstance(event, dict):
        raise RowRejected("not a JSON object")
    name = event.get("name") or event.get("event_type")
    if not isinstance(name, str) or not name.strip():
        raise RowRejected("not an Open edX event (no event_type or name)")
    context = event.get("context") if isinstance(event.get("context"), dict) else {}
    payload = event.get("event", event.get("data"))
    data = payload if isinstance(payload, dict) else {}
    learner = _learner(event, context, data)
    if learner is None:
        return Skip(ANONYMOUS)
    course = _text(context.get("course_id")) or _text(data.get("course_id"))
    if course is None:
        return Skip(NO_COURSE)
    source = event.get("event_source") or context.get("event_source")
    kind, task, score = _kind(name, source, data, context)
    username = _text(event.get("username")) or _text(context.get("username"))
    return {
        "learner_id": learner,
        "session_id": _text(event.get("session")) or _text(context.get("session")),
        "module_id": course,
        "task_id": task,
        "type": kind,
        "timestamp": event.get("time", event.get("timestamp")),
        "score": score,
        "metadata": {"edx_event": name, "event_source": source, "username": username},
    }


def _learner(event: dict, context: dict, data: dict) -> Any:
    """context.user_id, else the user_id server events carry in their data, else the username."""
    for value in (context.get("user_id"), data.get("user_id"), event.get("username"), context.get("username")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip():
            return value
    return None


def _kind(name: str, source: Any, data: dict, context: dict) -> tuple[str, Any, float | None]:
    """(type, task_id, score) of an event."""
    problem = data.get("problem_id")
    if name == PROBLEM_CHECK and data and source != "browser":  # the browser's carries the answers only
        module = context.get("module") if isinstance(context.get("module"), dict) else {}
        return "attempt", problem or module.get("usage_key"), _ratio(data, "grade", "max_grade")
    if name == SUBMITTED:
        return "attempt", problem, _ratio(data, "weighted_earned", "weighted_possible")
    if name == PASSED:
        return "module_completed", None, None
    if name == COMPLETION:
        done = data.get("completion") == 1
        return ("task_completed" if done else name), data.get("block_id"), None
    return name, problem if isinstance(problem, str) else None, None


def _ratio(data: dict, earned_key: str, possible_key: str) -> float | None:
    """earned / possible x 100; no score when possible is 0 or absent."""
    earned, possible = data.get(earned_key), data.get(possible_key)
    if possible is None or possible == 0:
        return None
    if not (_is_number(earned) and _is_number(possible)):
        raise RowRejected(f"{earned_key} / {possible_key} are not numbers: {earned!r} / {possible!r}")
    try:
        return round(float(earned) / float(possible) * 100, 6)
    except OverflowError:
        raise RowRejected(f"{earned_key} / {possible_key} is out of range") from None


class _Pairs:
    """Holds submitted events back until a problem_check of the same attempt shows up, or time moves on."""

    def __init__(self) -> None:
        self.waiting: deque[tuple[dt.datetime, tuple, int, Any, dict]] = deque()
        self.checks: deque[tuple[dt.datetime, tuple]] = deque()

    def add(self, line: int, raw: Any, outcome: Any) -> Iterator[Outcome]:
        if not isinstance(outcome, dict):
            yield line, raw, outcome
            return
        name = _event_name(raw)
        if name not in (PROBLEM_CHECK, SUBMITTED) or outcome["type"] != "attempt":
            if self.waiting or self.checks:
                yield from self._expire(_moment(outcome))
            yield line, raw, outcome
            return
        when, key = _moment(outcome), (outcome["learner_id"], outcome["module_id"], outcome["task_id"])
        yield from self._expire(when)
        if name == PROBLEM_CHECK:
            partner = _take(self.waiting, key, when)
            if partner is not None:
                yield partner[2], partner[3], Skip(PAIRED)
            else:
                self.checks.append((when, key))
            yield line, raw, outcome
        elif _take(self.checks, key, when) is not None:
            yield line, raw, Skip(PAIRED)
        else:
            self.waiting.append((when, key, line, raw, outcome))
            if len(self.waiting) > _MAX_WAITING:
                _, _, old_line, old_raw, old = self.waiting.popleft()
                yield old_line, old_raw, old

    def _expire(self, now: dt.datetime) -> Iterator[Outcome]:
        limit = now - PAIR_WINDOW
        while self.waiting and self.waiting[0][0] < limit:
            _, _, line, raw, outcome = self.waiting.popleft()
            yield line, raw, outcome
        while self.checks and self.checks[0][0] < limit:
            self.checks.popleft()

    def flush(self) -> Iterator[Outcome]:
        while self.waiting:
            _, _, line, raw, outcome = self.waiting.popleft()
            yield line, raw, outcome


def _take(queue: deque, key: tuple, when: dt.datetime) -> tuple | None:
    """Remove and return the first entry of `key` within PAIR_WINDOW of `when`."""
    for entry in queue:
        if entry[1] == key and abs(entry[0] - when) <= PAIR_WINDOW:
            queue.remove(entry)
            return entry
    return None


def _moment(record: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(record["timestamp"])


def _event_name(event: dict) -> Any:
    return event.get("name") or event.get("event_type")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
