"""Skill progress (DESIGN 5.1), per (learner, skill) or per (learner, module, skill)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules

if TYPE_CHECKING:  # prepare loads pandas; `skill_stats` serves the read commands without it (DESIGN 9)
    import pandas as pd

    from progress_cli.analytics.prepare import Prepared

SKILL_COLUMNS = [
    "learner_id", "skill", "attempts", "current_level", "improvement_rate", "consistency",
    "mastery", "level", "next_level", "next_threshold", "attempts_needed",
]


def skill_progress(prepared: Prepared, by_module: bool = False) -> pd.DataFrame:
    """One row per (learner, skill), or per (learner, module, skill) with `by_module`.

    Rows: every catalog skill for every learner (for `by_module`: the skills of each catalog
    module's tasks), plus every skill a learner's events touched. Sorted by learner, then
    module and skill in catalog order (others after, by id).
    Columns: learner_id, [module_id], skill, attempts (int), current_level, improvement_rate,
    consistency, mastery (floats, NaN = null), level ("beginner".."advanced" or None),
    next_level / next_threshold / attempts_needed (the next milestone; next_level None when
    there is none; attempts_needed a whole number stored as float, NaN = null).
    """
    se = prepared.skill_events
    sizes = _sizes(prepared, by_module)
    codes = _codes(se, by_module)
    att = se["is_attempt"].to_numpy()
    key = g.combine(*(c[att] for c in codes), sizes=sizes)
    order = np.argsort(key, kind="stable")  # stable: rows stay in attempt order in a group
    key, scores = key[order], se["score"].to_numpy()[att][order]
    gid, starts, counts = g.segments(key)
    stats = skill_stats(gid, starts, counts, scores)

    keys = g.unique(np.r_[_grid(prepared, by_module, sizes), g.combine(*codes, sizes=sizes)])
    at = np.searchsorted(keys, key[starts])
    out = _id_columns(prepared, g.split(keys, *sizes), by_module)
    out["attempts"] = np.zeros(len(keys), dtype=np.int64)
    out["attempts"][at] = counts
    for name, values in stats.items():
        out[name] = np.full(len(keys), None if values.dtype == object else np.nan, dtype=values.dtype)
        out[name][at] = values
    return g.frame(out)


def skill_stats(gid: np.ndarray, starts: np.ndarray, counts: np.ndarray, scores: np.ndarray) -> dict:
    """5.1 for every group at once; rows sorted by group, oldest attempt first in each."""
    n = len(counts)
    k = g.rank_from_end(gid, starts, counts)  # 0 = newest attempt
    recent = k < rules.LEVEL_WINDOW
    current = g.mean(gid[recent], scores[recent], n)
    earlier = g.mean(gid[~recent], scores[~recent], n)
    improvement = np.where(counts > rules.LEVEL_WINDOW, current - earlier, np.nan)

    window = k < rules.CONSISTENCY_WINDOW
    consistency = rules.consistency(g.pstd(gid[window], scores[window], n))

    weight = 0.5 ** (k / rules.MASTERY_HALF_LIFE)  # normalised below, over all attempts
    recency_mean = g.total(gid, weight * scores / 100.0, n) / g.total(gid, weight, n)
    mastery = rules.mastery(recency_mean, consistency, counts)

    # Slope of the last 10 scores per attempt, x = 0 for the oldest of them.
    used = np.minimum(counts, rules.LEVEL_WINDOW)
    x = (used[gid] - 1 - k)[recent].astype(float)
    slope = g.slope(gid[recent], x, scores[recent], n)
    next_level, threshold = rules.next_band(current)
    needed = attempts_needed(current, threshold, slope, counts)
    return {
        "current_level": current,
        "improvement_rate": improvement,
        "consistency": consistency,
        "mastery": mastery,
        "level": rules.skill_level(current),
        "next_level": next_level,
        "next_threshold": threshold,
        "attempts_needed": needed,
    }


def attempts_needed(current: np.ndarray, threshold: np.ndarray, slope: np.ndarray,
                    counts: np.ndarray) -> np.ndarray:
    """ceil((threshold - current) / slope); NaN when the slope is <= 0, n < 2 or no threshold."""
    ok = (rules.rounded(slope) > 0) & (counts >= 2) & ~np.isnan(threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        steps = rules.rounded((threshold - current) / np.where(ok, slope, 1.0))
    return np.where(ok, np.ceil(steps), np.nan)


def next_milestone(next_level: str | None, next_threshold: float, needed: float) -> dict | None:
    """The JSON object of DESIGN 8 from a skill row's three next_* columns."""
    if next_level is None:
        return None
    return {
        "level": next_level,
        "threshold": float(next_threshold),
        "attempts_needed": None if needed is None or math.isnan(needed) else int(needed),
    }


def _sizes(prepared: Prepared, by_module: bool) -> tuple[int, ...]:
    n_l, n_m, n_s = (max(len(a), 1) for a in (prepared.learners, prepared.modules, prepared.skills))
    return (n_l, n_m, n_s) if by_module else (n_l, n_s)


def _codes(se: pd.DataFrame, by_module: bool) -> list[np.ndarray]:
    names = ["learner_idx", "module_idx", "skill_idx"] if by_module else ["learner_idx", "skill_idx"]
    return [se[c].to_numpy() for c in names]


def _grid(prepared: Prepared, by_module: bool, sizes: tuple[int, ...]) -> np.ndarray:
    """Keys of the rows every learner gets even without attempts (catalog skills)."""
    import pandas as pd  # on use: see the imports

    index = pd.Index(prepared.skills)
    if by_module:
        pairs = np.array(
            [(m, index.get_loc(s)) for m, mod in enumerate(prepared.catalog.modules)
             for s in dict.fromkeys(s for t in mod.tasks for s in t.skills)],
            dtype=np.int64,
        ).reshape(-1, 2)
    else:
        known = np.arange(len(prepared.catalog.skill_ids()), dtype=np.int64)
        pairs = known.reshape(-1, 1)
    learners = np.repeat(np.arange(len(prepared.learners)), len(pairs))
    cols = [np.tile(pairs[:, j], len(prepared.learners)) for j in range(pairs.shape[1])]
    return g.combine(learners, *cols, sizes=sizes)


def _id_columns(prepared: Prepared, codes: list[np.ndarray], by_module: bool) -> dict:
    out = {"learner_id": prepared.learners[codes[0]]}
    if by_module:
        out["module_id"] = prepared.modules[codes[1]]
    out["skill"] = prepared.skills[codes[-1]]
    return out
