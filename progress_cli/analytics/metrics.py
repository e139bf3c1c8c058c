"""Achievement metrics (DESIGN 6) as timelines: the value of a metric after each event.

Rows are `Prepared.events` (sorted by learner, time, event_id). A timeline lets an
achievement find the first event after which its requirements hold (its `earned_at`), and
its last value per learner is the metric today. Everything is vectorised across learners.
Metrics that read a null value (a skill never practised) read 0, as DESIGN 5.0 says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import periods, rules
from progress_cli.analytics.achievement_progress import readiness_ordinal
from progress_cli.analytics.prepare import Prepared, event_ns

CHALLENGE_SCORE = 85.0
DECAY = 0.5 ** (1 / rules.MASTERY_HALF_LIFE)  # weight of an attempt one step older


class Timeline:
    """Metric values after each event of `prepared.events`, computed on demand and cached."""

    def __init__(self, prepared: Prepared) -> None:
        self.p = prepared
        ev = prepared.events
        self.n = len(ev)
        self.learner = ev["learner_idx"].to_numpy()
        self.ts = event_ns(ev)
        _, starts, counts = g.segments(self.learner)
        self._starts = starts
        self.start_row = np.repeat(starts, counts)  # first row of each row's learner
        self.last_rows = starts + counts - 1
        self._cache: dict[tuple[str, str | None], np.ndarray] = {}
        self._per_skill_stats: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]] | None = None

    def values(self, metric: str, arg: str | None = None) -> np.ndarray:
        """The metric after each event (float; NaN where the metric has no value yet)."""
        key = (metric, arg)
        if key not in self._cache:
            self._cache[key] = getattr(self, f"_{metric}")(arg)
        return self._cache[key]

    # -- helpers ---------------------------------------------------------------------------

    def cumulative(self, x: np.ndarray) -> np.ndarray:
        """Running total of x within each learner, summed from the learner's first row: the same
        figures whichever learners share the batch (recompute stores them; `status` reads them)."""
        x = np.asarray(x, dtype=float)
        if np.array_equal(x, np.floor(x)):  # counts add up exactly whatever comes before them
            total = np.cumsum(x)
            return total - np.where(self.start_row > 0, total[np.maximum(self.start_row - 1, 0)], 0.0)
        out = np.empty(self.n)
        for start, end in zip(self._starts, self.last_rows + 1):
            out[start:end] = np.cumsum(x[start:end])
        return out

    def carried(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Values known at some rows, carried forward to later rows of the same learner."""
        out = np.full(self.n, np.nan)
        out[rows] = values
        known = ~np.isnan(out)
        source = np.maximum.accumulate(np.where(known, np.arange(self.n), self.start_row))
        return np.where(known[source], out[source], np.nan)

    def _first_of(self, *codes: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """1.0 on the first row (per learner) of each combination of codes, within mask."""
        rows = np.flatnonzero(mask) if mask is not None else np.arange(self.n)
        key = g.combine(self.learner[rows], *(c[rows] for c in codes))
        _, first = np.unique(key, return_index=True)
        out = np.zeros(self.n)
        out[rows[first]] = 1.0
        return out

    def _completions(self) -> tuple[np.ndarray, np.ndarray]:
        """(first completion of a catalog task listed under the event's module, module per row)."""
        ev = self.p.events
        task, module = ev["task_idx"].to_numpy(), ev["module_idx"].to_numpy()
        score = ev["score"].to_numpy()
        listed = (task >= 0) & (task < len(self.p.task_module))
        listed[listed] = self.p.task_module[task[listed]] == module[listed]
        completing = listed & ((ev["type"].to_numpy(dtype=object) == "task_completed")
                               | (rules.rounded(score) >= self.p.pass_marks[module]))
        return self._first_of(task, mask=completing), module

    # -- metrics (DESIGN 6 and README "Achievements") ----------------------------------------

    def _sessions(self, _arg) -> np.ndarray:
        return self.cumulative(self._first_of(self.p.events["session_idx"].to_numpy()))

    def _total_hours(self, _arg) -> np.ndarray:
        return self.cumulative(self.p.events["practice_s"].to_numpy()) / 3600.0

    def _total_progress(self, _arg) -> np.ndarray:
        done, _ = self._completions()
        tasks = len(self.p.task_module)
        if tasks:
            return self.cumulative(done) / tasks * 100.0
        seen = self.cumulative(self._first_of(self.p.events["task_idx"].to_numpy(),
                                              mask=self.p.events["task_idx"].to_numpy() >= 0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(seen > 0, self.cumulative(self._seen_completions()) / seen * 100.0, np.nan)

    def _seen_completions(self) -> np.ndarray:
        ev = self.p.events
        task = ev["task_idx"].to_numpy()
        completing = (task >= 0) & ((ev["type"].to_numpy(dtype=object) == "task_completed") | (
            rules.rounded(ev["score"].to_numpy()) >= self.p.pass_marks[ev["module_idx"].to_numpy()]))
        return self._first_of(task, mask=completing)

    def _module_completion(self, module_id: str) -> np.ndarray:
        m = self._module_idx(module_id)
        tasks = int(np.sum(self.p.task_module == m)) if m is not None else 0
        if not tasks:
            return np.full(self.n, np.nan)
        done, module = self._completions()
        return self.cumulative(done * (module == m)) / tasks * 100.0

    def _challenge_wins(self, level: str) -> np.ndarray:
        ev = self.p.events
        difficulty = ev["difficulty"].to_numpy(dtype=float).copy()
        task = ev["task_idx"].to_numpy()
        catalog_difficulty = np.array([t.difficulty if t.difficulty is not None else np.nan
                                       for m in self.p.catalog.modules for t in m.tasks], dtype=float)
        from_catalog = np.isnan(difficulty) & (task >= 0) & (task < len(catalog_difficulty))
        difficulty[from_catalog] = catalog_difficulty[task[from_catalog]]
        wins = (difficulty >= float(level)) & (rules.rounded(ev["score"].to_numpy()) >= CHALLENGE_SCORE)
        return self.cumulative(wins)

    def _streak_days(self, _arg) -> np.ndarray:
        """The streak as of each event: yesterday's streak, plus today once today is active."""
        ev = self.p.events
        day = ev["day_num"].to_numpy()
        if not self.n:
            return np.zeros(0)
        day_key = g.combine(self.learner, day - day.min())
        minutes = self._within(day_key, ev["practice_s"].to_numpy()) / 60.0
        minimum = self.p.catalog.streak_min_minutes
        active_now = rules.rounded(minutes) >= minimum if minimum > 0 else np.ones(self.n, dtype=bool)
        # Streak at the end of each (learner, day), then yesterday's for each row.
        last_of_day = np.r_[day_key[1:] != day_key[:-1], True] if self.n else np.zeros(0, dtype=bool)
        days_active = active_now[last_of_day]
        owner, day_of = self.learner[last_of_day], day[last_of_day]
        streak = np.zeros(len(owner), dtype=float)
        for i in range(len(owner)):  # one step per active learner-day; a few per learner
            if days_active[i]:
                follows = i > 0 and owner[i - 1] == owner[i] and day_of[i - 1] == day_of[i] - 1
                streak[i] = (streak[i - 1] if follows else 0) + 1
        base = day.min() - 1  # so that "yesterday" of the first day is a valid code
        sizes = (len(self.p.learners), int(day.max() - base) + 1)
        before = _lookup(g.combine(owner, day_of - base, sizes=sizes), streak,
                         g.combine(self.learner, day - 1 - base, sizes=sizes))
        return np.where(active_now, before + 1, before)

    def _weekly_goal_weeks(self, _arg) -> np.ndarray:
        """Consecutive weeks meeting the goal, ending with the last complete one; a week counts
        from the event that completes its goal, but never in the week of as_of."""
        goal = self.p.catalog.weekly_goal_minutes
        ev = self.p.events
        week = periods.week_of(ev["day_num"].to_numpy())
        if goal <= 0 or not self.n:
            return np.zeros(self.n)
        base = week.min()
        week_key = g.combine(self.learner, week - base)
        minutes = self._within(week_key, ev["practice_s"].to_numpy()) / 60.0
        met_now = rules.rounded(minutes) >= goal
        last_of_week = np.r_[week_key[1:] != week_key[:-1], True]
        owner, week_of = self.learner[last_of_week], week[last_of_week]
        met = met_now[last_of_week]
        run = np.zeros(len(owner))
        for i in range(len(owner)):
            if met[i]:
                follows = i > 0 and owner[i - 1] == owner[i] and week_of[i - 1] == week_of[i] - 1
                run[i] = (run[i - 1] if follows else 0) + 1
        sizes = (len(self.p.learners), int(week.max() - base) + 2)
        before = _lookup(g.combine(owner, week_of - base + 1, sizes=sizes), run,
                         g.combine(self.learner, week - base, sizes=sizes))
        current_week = periods.week_of(np.array([self.p.today]))[0]
        return np.where(met_now & (week != current_week), before + 1, before)

    def _skill_mastery(self, skill: str) -> np.ndarray:
        return self._over_skills(skill, self._mastery_rows)

    def _skill_improvement(self, skill: str) -> np.ndarray:
        return self._over_skills(skill, self._improvement_rows)

    def _module_readiness(self, module_id: str) -> np.ndarray:
        """Readiness as an ordinal (0 BEGINNER .. 3 ADVANCED) from the last 5 module scores."""
        m = self._module_idx(module_id)
        ev = self.p.events
        rows = np.flatnonzero((ev["module_idx"].to_numpy() == m) & ev["is_attempt"].to_numpy()) \
            if m is not None else np.zeros(0, dtype=np.int64)
        scores = pd.Series(ev["score"].to_numpy()[rows])
        keys = pd.Series(self.learner[rows])
        window = scores.groupby(keys.to_numpy()).rolling(rules.READINESS_WINDOW, min_periods=1)
        mean, sd = _flat(window.mean()), _flat(window.std(ddof=0))
        words = rules.readiness(mean, sd)
        level = np.array([readiness_ordinal(w) for w in words], dtype=float)
        out = self.carried(rows, level)
        return np.where(np.isnan(out), 0.0, out)

    def _certificate_progress(self, _arg) -> np.ndarray:
        cert = self.p.catalog.certification
        if cert is None:
            return np.full(self.n, np.nan)
        parts = []
        if cert.min_completion > 0:
            parts.append((self.values("total_progress"), cert.min_completion))
        for module_id, required in cert.module_scores.items():
            parts.append((self._module_average(module_id), required))
        for skill, required in cert.skill_mastery.items():
            parts.append((self.values("skill_mastery", skill), required))
        if not parts:
            return np.full(self.n, 100.0)
        # Unlike rules.requirement_share (status, reports), each ratio is not rounded here, as
        # achievements have always shown it; the two differ by under 1e-8 (test_running_equals_final).
        ratios = [np.ones(self.n) if req == 0 else np.minimum(np.nan_to_num(cur) / req, 1.0) for cur, req in parts]
        return np.mean(ratios, axis=0) * 100.0

    # -- per-skill and per-module running statistics ----------------------------------------

    def _over_skills(self, skill: str, per_skill) -> np.ndarray:
        """One skill's series, or for `*` / `any` one row per catalog skill (see `holds`)."""
        if skill not in ("*", "any"):
            return per_skill(skill)
        skills = self.p.catalog.skill_ids()
        if not skills:
            return np.zeros((1, self.n))
        return np.vstack([np.nan_to_num(per_skill(s)) for s in skills])

    def holds(self, metric: str, arg: str | None, op, required: float) -> np.ndarray:
        """After each event, does `metric[arg] op required` hold? `*`: every catalog skill, `any`: one."""
        series = np.nan_to_num(self.values(metric, arg))  # null reads 0 (DESIGN 5.0)
        ok = op(rules.rounded(series), required)
        if series.ndim == 2:
            return ok.all(axis=0) if arg == "*" else ok.any(axis=0)
        return ok

    def current(self, metric: str, arg: str | None, op_name: str, rows: np.ndarray) -> np.ndarray:
        """The value a requirement reads at `rows` (-1: no event yet, 0); for `*` / `any` the
        skill that decides: the worst for `*`, the best for `any`, in the comparison's direction."""
        series = np.nan_to_num(self.values(metric, arg))
        if series.ndim == 2:
            upward = op_name in (">=", ">", "==")
            worst = series.min(axis=0) if upward else series.max(axis=0)
            best = series.max(axis=0) if upward else series.min(axis=0)
            series = worst if arg == "*" else best
        return np.where(rows >= 0, series[np.maximum(rows, 0)] if len(series) else 0.0, 0.0)

    def _mastery_rows(self, skill: str) -> np.ndarray:
        return self._carried_skill("mastery", skill)

    def _improvement_rows(self, skill: str) -> np.ndarray:
        return self._carried_skill("improvement", skill)

    def _carried_skill(self, kind: str, skill: str) -> np.ndarray:
        found = self._per_skill().get(skill)
        if found is None:
            return np.full(self.n, np.nan)
        rows, stats = found
        return self.carried(rows, stats[kind])

    def _per_skill(self) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
        """skill -> (its attempt rows in time order, mastery and improvement after each of them).

        One grouped pass over every (skill, learner) series at once; a pass per skill cost
        a pandas group-by each, which dominated a one-learner evaluation.
        """
        if self._per_skill_stats is not None:
            return self._per_skill_stats
        se = self.p.skill_events
        mask = se["is_attempt"].to_numpy()
        codes, names = pd.factorize(se["skill"].to_numpy(dtype=object)[mask])
        rows = se["event_row"].to_numpy()[mask]
        if not len(rows):
            self._per_skill_stats = {}
            return self._per_skill_stats
        order = np.lexsort((rows, codes))  # by skill, then event row: (learner, time) order
        rows, codes = rows[order], codes[order]
        scores = pd.Series(se["score"].to_numpy()[mask][order])
        by = scores.groupby(g.combine(codes, self.learner[rows]))
        count = by.cumcount().to_numpy() + 1
        weighted = _flat(by.ewm(alpha=1 - DECAY, adjust=True).mean()) / 100.0  # weights 0.5^(k/10)
        sd = _flat(by.rolling(rules.CONSISTENCY_WINDOW, min_periods=1).std(ddof=0))
        mastery = rules.mastery(weighted, rules.consistency(sd), count)
        window = rules.LEVEL_WINDOW
        recent = _flat(by.rolling(window, min_periods=1).sum())
        total = by.cumsum().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            improvement = np.where(count > window, recent / window - (total - recent) / (count - window), np.nan)
        bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
        self._per_skill_stats = {
            names[codes[start]]: (rows[start:end], {"mastery": mastery[start:end], "improvement": improvement[start:end]})
            for start, end in zip(bounds[:-1], bounds[1:])
        }
        return self._per_skill_stats

    def _module_average(self, module_id: str) -> np.ndarray:
        m = self._module_idx(module_id)
        ev = self.p.events
        if m is None:
            return np.full(self.n, np.nan)
        scored = (ev["module_idx"].to_numpy() == m) & ev["is_attempt"].to_numpy()
        total = self.cumulative(np.where(scored, ev["score"].to_numpy(), 0.0))
        count = self.cumulative(scored)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.nan)

    def _within(self, sorted_key: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Running total of x within runs of equal keys (rows sorted by key)."""
        return g.cumsum_within(np.asarray(x, dtype=float), sorted_key)

    def _module_idx(self, module_id: str) -> int | None:
        found = np.flatnonzero(self.p.modules == module_id)
        return int(found[0]) if len(found) else None


def _flat(grouped: pd.Series) -> np.ndarray:
    """A groupby-rolling/ewm result back in the original row order."""
    return grouped.reset_index(level=0, drop=True).sort_index().to_numpy()


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == q] for each q of query (keys sorted), 0 where absent."""
    if not len(keys):
        return np.zeros(len(query))
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0.0)
