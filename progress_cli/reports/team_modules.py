"""The modules section of a team report: how far the team is through each module, and the
tasks whose first attempt fails most often. Collected batch by batch. Pure."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

import numpy as np

from progress_cli.analytics import Analysis, rules
from progress_cli.catalog import Catalog

HARDEST_TASKS = 3  # listed per module
MIN_FIRST_ATTEMPTS = 3  # a pass rate over fewer learners says little
HALF = 50.0


class ModuleTally:
    """Completion rates and first attempts of a team's learners, added one batch at a time."""

    def __init__(self, team_size: int = 0) -> None:
        self.team_size = team_size
        self.completion: dict[str, list[float]] = defaultdict(list)  # started learners' rates
        self.completed: dict[str, int] = defaultdict(int)
        self.first: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (module, task): [n, passed]

    def add(self, analysis: Analysis, learner_ids: list[str]) -> None:
        """Count the learners of `learner_ids` (the others of `analysis` are left out)."""
        wanted = set(learner_ids)
        m = analysis.modules
        ev = analysis.prepared.events
        started = set(zip(ev["learner_id"], ev["module_id"]))
        for lid, mid, rate in zip(m["learner_id"], m["module_id"], m["completion_rate"].to_numpy(dtype=float)):
            if lid not in wanted or (lid, mid) not in started or np.isnan(rate):
                continue
            self.completion[mid].append(float(rate))
            self.completed[mid] += bool(rules.rounded(rate) >= 100)
        self._first_attempts(analysis, wanted)

    def _first_attempts(self, analysis: Analysis, wanted: set[str]) -> None:
        """Each learner's first scored attempt on each task, passed or not (rows are in attempt order)."""
        p = analysis.prepared
        ev = p.events
        rows = np.flatnonzero(ev["is_attempt"].to_numpy() & (ev["task_idx"].to_numpy() >= 0))
        lrn, mod, task = (ev[c].to_numpy()[rows] for c in ("learner_idx", "module_idx", "task_idx"))
        key = (lrn.astype(np.int64) * len(p.modules) + mod) * max(len(p.tasks), 1) + task
        _, first = np.unique(key, return_index=True)
        rows, lrn, mod, task = rows[first], lrn[first], mod[first], task[first]
        passed = rules.rounded(ev["score"].to_numpy()[rows]) >= p.pass_marks[mod]
        for learner, module, t, ok in zip(p.learners[lrn], p.modules[mod], p.tasks[task], passed):
            if learner in wanted:
                counts = self.first[(module, t)]
                counts[0] += 1
                counts[1] += bool(ok)

    def modules(self, catalog: Catalog) -> list[dict[str, Any]]:
        """Catalog modules in catalog order, then the other modules the team started, by id."""
        listed = [m.id for m in catalog.modules]
        ids = listed + sorted(set(self.completion) - set(listed))
        titles = {m.id: m.title for m in catalog.modules}
        task_titles = {t.id: t.title for m in catalog.modules for t in m.tasks}
        out = []
        for mid in ids:
            rates = self.completion.get(mid, [])
            out.append({
                "module_id": mid,
                "title": titles.get(mid, mid),
                "in_catalog": mid in titles,
                "started": len(rates),
                "not_started": self.team_size - len(rates),
                "below_half": sum(1 for r in rates if round(r, 9) < HALF),
                "half_or_more": sum(1 for r in rates if HALF <= round(r, 9) < 100),
                "completed": self.completed.get(mid, 0),
                "median_completion": statistics.median(rates) if rates else None,
                "hardest_tasks": self._hardest(mid, task_titles),
            })
        return out

    def _hardest(self, module_id: str, titles: dict[str, str | None]) -> list[dict[str, Any]]:
        tasks = [(t, n, ok) for (m, t), (n, ok) in self.first.items() if m == module_id and n >= MIN_FIRST_ATTEMPTS]
        tasks.sort(key=lambda x: (round(x[2] / x[1], 9), -x[1], x[0]))
        return [{"task_id": t, "title": titles.get(t) or t, "first_attempts": n, "passed_first": ok,
                 "pass_rate": ok / n} for t, n, ok in tasks[:HARDEST_TASKS]]
