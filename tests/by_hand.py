"""Figures of the sample data computed by hand: plain Python over sample_data/events.jsonl and
catalog.toml, following DESIGN section 5 line by line, with nothing from progress_cli.

The report tests compare the program's output with these, so a figure there is evidence of
the formula, not a copy of what the program printed once. Days are UTC days (the tests run
with PROGRESS_TZ=UTC).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from tests.conftest import SAMPLE

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Event:
    learner: str
    module: str
    task: str | None
    skill: str | None
    session: str | None
    type: str
    when: dt.datetime
    score: float | None
    duration_s: float | None


@cache
def catalog() -> dict:
    return tomllib.loads((SAMPLE / "catalog.toml").read_text(encoding="utf-8"))


@cache
def _events() -> tuple[Event, ...]:
    out = []
    for line in (SAMPLE / "events.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            out.append(Event(e["learner_id"], e["module_id"], e["task_id"], e["skill"], e["session_id"], e["type"],
                             dt.datetime.fromisoformat(e["timestamp"]).astimezone(UTC), e["score"], e["duration_s"]))
    return tuple(out)


def events(learner: str, until: dt.date) -> list[Event]:
    """The learner's events up to the end of `until`, in time order."""
    return sorted((e for e in _events() if e.learner == learner and e.when.date() <= until), key=lambda e: e.when)


def attempts(learner: str, first: dt.date, last: dt.date) -> list[Event]:
    return [e for e in events(learner, last) if e.score is not None and e.when.date() >= first]


def mean_score(learner: str, first: dt.date, last: dt.date) -> float:
    return statistics.fmean(e.score for e in attempts(learner, first, last))


def practice_minutes_by_day(learner: str, until: dt.date, module: str | None = None) -> dict[dt.date, float]:
    """DESIGN 5.0: a session's practice is the sum of its events' durations when any has one, else
    its last minus first timestamp split evenly over its events; minutes go to each event's day.
    (The sample's sessions each belong to one module.)"""
    sessions = defaultdict(list)
    for e in events(learner, until):
        if module is None or e.module == module:
            sessions[e.session].append(e)
    minutes = defaultdict(float)
    for session in sessions.values():
        if any(e.duration_s is not None for e in session):
            for e in session:
                minutes[e.when.date()] += (e.duration_s or 0) / 60
        else:
            span = (session[-1].when - session[0].when).total_seconds() / 60
            for e in session:
                minutes[e.when.date()] += span / len(session)
    return minutes


def module_minutes(learner: str, module: str, first: dt.date, last: dt.date) -> float:
    return sum(m for day, m in practice_minutes_by_day(learner, last, module).items() if first <= day)


def period(learner: str, first: dt.date, last: dt.date) -> dict:
    """Practice of a period: minutes, events, active days (5.0: a day with an event and, as the
    catalog sets streak_min_minutes, at least that much practice), sessions, attempts."""
    inside = [e for e in events(learner, last) if e.when.date() >= first]
    by_day = practice_minutes_by_day(learner, last)
    need = catalog().get("streak_min_minutes", 0)
    return {"minutes": sum(m for day, m in by_day.items() if first <= day <= last),
            "events": len(inside),
            "active_days": len({e.when.date() for e in inside if by_day[e.when.date()] >= need}),
            "sessions": len({e.session for e in inside}),
            "attempts": sum(e.score is not None for e in inside)}


def streak(learner: str, today: dt.date) -> int:
    """Consecutive days ending today or yesterday whose practice reaches streak_min_minutes."""
    need = catalog().get("streak_min_minutes", 0)
    by_day = practice_minutes_by_day(learner, today)
    active = {day for day, m in by_day.items() if m >= need} if need else set(by_day)
    day = today if today in active else today - dt.timedelta(days=1)
    count = 0
    while day in active:
        count, day = count + 1, day - dt.timedelta(days=1)
    return count


def skill_names() -> dict[str, str]:
    return {s["id"]: s["name"] for s in catalog()["skills"]}


def _task_skills() -> dict[str, list[str]]:
    out = {}
    for module in catalog()["modules"]:
        for task in module["tasks"]:
            if isinstance(task, dict):
                out[task["id"]] = task.get("skills", [])
    return out


def skill_scores(learner: str, skill: str, until: dt.datetime) -> list[float]:
    """Scores that count for a skill (5.0: the event's skill, else its task's catalog skills), oldest first."""
    skills_of = _task_skills()
    return [e.score for e in events(learner, until.date()) if e.score is not None and e.when <= until
            and skill in ([e.skill] if e.skill else skills_of.get(e.task, []))]


def skill_level(learner: str, skill: str, until: dt.datetime) -> float | None:
    """current_level (5.1): the mean of the last 10 scores."""
    scores = skill_scores(learner, skill, until)
    return statistics.fmean(scores[-10:]) if scores else None


def mastery(learner: str, skill: str, until: dt.datetime) -> float | None:
    """5.1: 100 x W x (0.5 + 0.5 x consistency) x min(n/20, 1), W the mean of score/100 weighted
    0.5^(k/10) for the k-th most recent, consistency = max(0, 1 - sd(last 20)/50)."""
    scores = skill_scores(learner, skill, until)
    if not scores:
        return None
    weights = [0.5 ** (k / 10) for k in range(len(scores))]
    recent = sum(w * s / 100 for w, s in zip(weights, reversed(scores))) / sum(weights)
    consistency = max(0.0, 1 - statistics.pstdev(scores[-20:]) / 50)
    return 100 * recent * (0.5 + 0.5 * consistency) * min(len(scores) / 20, 1)


def weaknesses(learner: str, until: dt.datetime) -> list[tuple[str, float]]:
    """5.3: practised skills by (mastery desc, id); the last 3 that are not among the first 3."""
    ranked = sorted(((skill, m) for skill in skill_names() if (m := mastery(learner, skill, until)) is not None),
                    key=lambda pair: (-pair[1], pair[0]))
    return [pair for pair in ranked[-3:] if pair not in ranked[:3]]


def completed_tasks(learner: str, until: dt.datetime) -> set[tuple[str, str]]:
    """(module, task) of the catalog's tasks completed by `until` (5.2): by a task_completed
    event or an attempt scoring at least the module's pass mark."""
    tasks = {(m["id"], t if isinstance(t, str) else t["id"]) for m in catalog()["modules"] for t in m["tasks"]}
    marks = {m["id"]: m.get("pass_mark", 70) for m in catalog()["modules"]}
    done = {(e.module, e.task) for e in events(learner, until.date()) if e.when <= until and (
        e.type == "task_completed" or (e.score is not None and e.score >= marks.get(e.module, 70)))}
    return done & tasks


def completion(learner: str, until: dt.datetime) -> float:
    """total_progress (5.3): the task-weighted mean of module completion, i.e. completed catalog
    tasks over all catalog tasks x 100."""
    n_tasks = sum(len(m["tasks"]) for m in catalog()["modules"])
    return 100 * len(completed_tasks(learner, until)) / n_tasks


def target_date() -> dt.date:
    """The catalog's target date: the last of its modules'."""
    return max(m["target_date"] for m in catalog()["modules"] if "target_date" in m)


def module_attempts(learner: str, module: str, first: dt.date, last: dt.date) -> list[float]:
    return [e.score for e in attempts(learner, first, last) if e.module == module]


def first_activity(learner: str) -> dt.date:
    return min(e.when for e in _events() if e.learner == learner).date()
