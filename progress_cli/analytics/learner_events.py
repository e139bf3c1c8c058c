"""One learner's events in plain Python, for the read commands that answer without pandas.

`status`, `achievements` and `cert check` answer from the stored tables (DESIGN 9), but some of
what they show is about another moment than the last recompute (skill levels a week ago, the
certification's figures one to four weeks ago) or about the attempts one by one (plateaus, the
completion forecast's inputs, each module's skills). Those come from the learner's own rows
through this view: the definitions of `prepare.prepare_events` and `modules.task_status`
(DESIGN 5.0: the as_of cut, the attempt order, local days, the skills an attempt counts for, a
task's completion), and the statistics of the same numpy functions (`skills.skill_stats`,
`_groups.mean`), so every figure is the full computation's to the last bit.
tests/analytics/test_learner_events.py holds the two equal on random events.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules
from progress_cli.analytics.skills import skill_stats
from progress_cli.catalog import DEFAULT_PASS_MARK, Catalog

_EPOCH = dt.date(1970, 1, 1).toordinal()
STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # how the store writes UTC times (store.models)
# The store's event columns (store.queries.EVENT_FRAME_COLUMNS), in that order.
_ID, _LEARNER, _SESSION, _MODULE, _TASK, _SKILL, _TYPE, _TS, _SCORE, _DURATION, _DIFFICULTY = range(11)
SKILL_COLUMNS = ("attempts", "current_level", "improvement_rate", "consistency", "mastery", "level",
                 "next_level", "next_threshold", "attempts_needed")


@dataclass(frozen=True)
class Event:
    ts: str  # stored UTC text: sorts in time order
    event_id: str
    module_id: str
    task_id: str | None
    skills: tuple[str, ...]  # the skills it counts for: its own, else its catalog task's
    type: str
    score: float | None
    day: int  # local day number (days since 1970-01-01 in the zone)


@dataclass(frozen=True)
class TaskState:
    module_id: str
    task_id: str
    seen_day: int
    completed_day: int | None
    catalog_task: bool  # the catalog lists the task under this module


class LearnerEvents:
    """A learner's live events in attempt order (time, then event_id), up to a moment."""

    def __init__(self, rows: Iterable[tuple], catalog: Catalog, tz: dt.tzinfo) -> None:
        task_skills = catalog.task_skills()
        self.catalog = catalog
        self.tz = tz
        self._skill_order = {s: i for i, s in enumerate(catalog.skill_ids())}
        self._module_order = {m.id: i for i, m in enumerate(catalog.modules)}
        self.events = [_event(row, task_skills, tz) for row in sorted(rows, key=lambda r: (r[_TS], r[_ID]))]
        self.has_events = bool(self.events)  # any event at all, also after a cut (the full path's learner rows)
        self._stamps = [e.ts for e in self.events]

    def until(self, moment: dt.datetime) -> LearnerEvents:
        """The events at or before `moment` (DESIGN 5: later ones are ignored)."""
        cut = LearnerEvents.__new__(LearnerEvents)
        cut.catalog, cut.tz, cut.has_events = self.catalog, self.tz, self.has_events
        cut._skill_order, cut._module_order = self._skill_order, self._module_order
        end = bisect.bisect_right(self._stamps, utc_text(moment))
        cut.events, cut._stamps = self.events[:end], self._stamps[:end]
        return cut

    # -- what the events say ----------------------------------------------------------------

    @cached_property
    def attempts(self) -> list[Event]:
        return [e for e in self.events if e.score is not None]

    @cached_property
    def started_modules(self) -> set[str]:
        return {e.module_id for e in self.events}

    def pass_mark(self, module_id: str) -> float:
        module = self.catalog.module(module_id)
        return module.pass_mark if module is not None else DEFAULT_PASS_MARK

    @cached_property
    def tasks(self) -> dict[tuple[str, str], TaskState]:
        """(module, task) -> its state, for every task an event names (`modules.task_status`)."""
        listed = self.catalog.task_modules()
        seen: dict[tuple[str, str], int] = {}
        done: dict[tuple[str, str], int] = {}
        for e in self.events:
            if e.task_id is None:
                continue
            key = (e.module_id, e.task_id)
            seen.setdefault(key, e.day)
            if key not in done and (e.type == "task_completed" or self._passes(e)):
                done[key] = e.day
        return {key: TaskState(key[0], key[1], day, done.get(key), listed.get(key[1]) == key[0])
                for key, day in seen.items()}

    def _passes(self, e: Event) -> bool:
        return e.score is not None and bool(rules.rounded(e.score) >= self.pass_mark(e.module_id))

    @cached_property
    def attempted_tasks(self) -> set[tuple[str, str]]:
        """(module, task) pairs with a scored attempt."""
        return {(e.module_id, e.task_id) for e in self.attempts if e.task_id is not None}

    def retried_after_failure(self) -> bool:
        """Has a task been attempted again after an attempt on it that failed?"""
        last = {(e.module_id, e.task_id): i for i, e in enumerate(self.attempts) if e.task_id is not None}
        return any(e.task_id is not None and not self._passes(e) and last[(e.module_id, e.task_id)] != i
                   for i, e in enumerate(self.attempts))

    def module_scores(self) -> dict[str, np.ndarray]:
        """module -> its attempts' scores, oldest first."""
        out: dict[str, list[float]] = {}
        for e in self.attempts:
            out.setdefault(e.module_id, []).append(e.score)
        return {m: np.array(s, dtype=float) for m, s in out.items()}

    def skill_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """skill -> (scores, local days) of its attempts, oldest first; skills in catalog order,
        then the others by id (`insights.LearnerView.skill_series`)."""
        out: dict[str, tuple[list, list]] = {}
        for e in self.attempts:
            for skill in e.skills:
                scores, days = out.setdefault(skill, ([], []))
                scores.append(e.score)
                days.append(e.day)
        order = sorted(out, key=self.skill_key)
        return {s: (np.array(out[s][0], dtype=float), np.array(out[s][1], dtype=np.int64)) for s in order}

    # -- DESIGN 5.1 - 5.3 figures from those ------------------------------------------------

    def skills(self) -> dict[str, dict]:
        """skill -> its row of `skills.skill_progress` (every catalog skill, and those touched)."""
        groups: dict[str, list[float]] = {s: [] for s in self._skill_order}
        for e in self.events:
            for skill in e.skills:
                groups.setdefault(skill, [])
        for e in self.attempts:
            for skill in e.skills:
                groups[skill].append(e.score)
        return {s: row for s, row in zip(*_stats(sorted(groups, key=self.skill_key), groups))}

    def module_skills(self) -> list[dict]:
        """`skills.skill_progress(by_module=True)` rows: each catalog module's task skills, and
        each (module, skill) an event touched; by module, then skill."""
        groups: dict[tuple[str, str], list[float]] = {}
        for module in self.catalog.modules:
            for skill in dict.fromkeys(s for t in module.tasks for s in t.skills):
                groups[(module.id, skill)] = []
        for e in self.events:
            for skill in e.skills:
                groups.setdefault((e.module_id, skill), [])
        for e in self.attempts:
            for skill in e.skills:
                groups[(e.module_id, skill)].append(e.score)
        keys = sorted(groups, key=lambda k: (self.module_key(k[0]), self.skill_key(k[1])))
        return [{"module_id": k[0], "skill": k[1], **row} for k, row in zip(*_stats(keys, groups))]

    def module_average(self, module_id: str) -> float | None:
        """average_score of `modules.module_progress` (the mean of all the module's attempts)."""
        scores = [e.score for e in self.attempts if e.module_id == module_id]
        if not scores:
            return None
        return float(g.mean(np.zeros(len(scores), dtype=np.int64), np.array(scores, dtype=float), 1)[0])

    def total_progress(self) -> float | None:
        """`overall.total_progress`: completed over counted tasks, the catalog's modules' when
        it has any, else every module seen's; None for a learner without events."""
        if not self.has_events:
            return None
        tasks = self.tasks.values()
        if self.catalog.modules:
            total = sum(len(m.tasks) for m in self.catalog.modules)
            done = sum(1 for t in tasks if t.catalog_task and t.completed_day is not None)
        else:
            total = len(tasks)
            done = sum(1 for t in tasks if t.completed_day is not None)
        return done / max(total, 1) * 100.0 if total > 0 else None

    # -- orders ------------------------------------------------------------------------------

    def skill_key(self, skill: str) -> tuple:
        return _order(self._skill_order, skill)

    def module_key(self, module_id: str) -> tuple:
        return _order(self._module_order, module_id)


def utc_text(moment: dt.datetime) -> str:
    """A zone-aware moment as the store's UTC text, which sorts in time order."""
    return moment.astimezone(dt.timezone.utc).strftime(STORED_TIME)


def _order(first: dict[str, int], item: str) -> tuple:
    """Catalog order, then the others by id (`prepare._codes`)."""
    return (0, first[item], "") if item in first else (1, 0, item)


def _stats(keys: list, groups: dict) -> tuple[list, list[dict]]:
    """(keys, 5.1 rows): `skill_stats` over the groups with attempts, nulls for the others."""
    scored = [k for k in keys if groups[k]]
    counts = np.array([len(groups[k]) for k in scored], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    rows = {}
    if scored:
        gid = np.repeat(np.arange(len(scored)), counts)
        stats = skill_stats(gid, starts, counts, np.array([s for k in scored for s in groups[k]], dtype=float))
        for i, k in enumerate(scored):
            rows[k] = {"attempts": int(counts[i]), **{name: _plain(values[i]) for name, values in stats.items()}}
    empty = dict.fromkeys(SKILL_COLUMNS) | {"attempts": 0}
    return keys, [rows.get(k, empty) for k in keys]


def _plain(value):
    """A numpy value as the stored rows hold it: None for NaN, Python numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def _event(row: tuple, task_skills: dict[str, tuple[str, ...]], tz: dt.tzinfo) -> Event:
    skill, task = row[_SKILL], row[_TASK]
    skills = (skill,) if skill is not None else tuple(dict.fromkeys(task_skills.get(task, ()))) if task is not None else ()
    local = dt.datetime.fromisoformat(row[_TS]).astimezone(tz)
    score = row[_SCORE]
    return Event(ts=row[_TS], event_id=row[_ID], module_id=row[_MODULE], task_id=task, skills=skills,
                 type=row[_TYPE], score=None if score is None else float(score), day=local.toordinal() - _EPOCH)
