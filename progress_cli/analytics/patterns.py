"""Learning patterns of one learner (DESIGN 5.5), as small pure functions over plain arrays.

Every function takes the numbers it needs (scores in attempt order, local hours, day numbers,
practice seconds) and returns plain Python values, so each can be checked against a series
built by hand. No store, no clock (today is passed in), no terminal. `insights.py` feeds them
from the prepared view of `prepare.py`.
"""

from __future__ import annotations

import math

import numpy as np

from progress_cli.analytics import rules

ROLLING_WINDOW = 5  # attempts per skill
PLATEAU_MIN_ATTEMPTS = 8
PLATEAU_CEILING = 85.0  # every attempt of a plateau scores below this
PLATEAU_MAX_SPREAD = 2.0  # the rolling mean varies by less than this over the plateau
BREAKTHROUGH_RISE = 10.0  # the rolling mean rises at least this much ...
BREAKTHROUGH_SPAN = 5  # ... within this many attempts
TARGET_SUCCESS = 0.85  # optimal difficulty: success rate nearest to this
MIN_DIFFICULTY_ATTEMPTS = 3  # a difficulty needs this many attempts to be judged
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def peak_hours(hours: np.ndarray, practice_s: np.ndarray, scores: np.ndarray | None = None,
               top: int = rules.TOP_N) -> list[dict]:
    """The `top` local hours (0-23) with the most practice time, most first (ties: earlier hour).

    `hours` is the local hour of each event, `practice_s` the practice seconds credited to it,
    `scores` its score (NaN for events without one). Hours without practice time are left
    out. Each item: {"hour", "practice_minutes", "share" (of all practice, 0..1),
    "mean_score" (of the attempts in that hour, null without any)}.
    """
    return _peaks(np.asarray(hours, dtype=np.int64), 24, practice_s, scores, top, "hour", lambda h: h)


def peak_weekdays(weekdays: np.ndarray, practice_s: np.ndarray, scores: np.ndarray | None = None,
                  top: int = rules.TOP_N) -> list[dict]:
    """Like `peak_hours` for local weekdays (0 = Monday); items carry "weekday" (its English
    name) and "iso_weekday" (1 = Monday .. 7 = Sunday)."""
    items = _peaks(np.asarray(weekdays, dtype=np.int64), 7, practice_s, scores, top, "iso_weekday",
                   lambda d: d + 1)
    return [{"weekday": WEEKDAYS[item["iso_weekday"] - 1], **item} for item in items]


def _peaks(slots: np.ndarray, size: int, practice_s, scores, top: int, key: str, label) -> list[dict]:
    practice = np.bincount(slots, weights=np.asarray(practice_s, dtype=float), minlength=size)
    if not len(slots):
        return []
    counts = sums = None
    if scores is not None:
        scores = np.asarray(scores, dtype=float)
        scored = ~np.isnan(scores)
        counts = np.bincount(slots[scored], minlength=size)
        sums = np.bincount(slots[scored], weights=scores[scored], minlength=size)
    return peaks_from_sums(practice, sums, counts, top, key, label)


def peak_hours_from_sums(practice_s: np.ndarray, score_sums: np.ndarray, attempts: np.ndarray,
                         top: int = rules.TOP_N) -> list[dict]:
    """`peak_hours` from each local hour's practice seconds, score total and attempt count
    (24 values each): what recompute sums for every learner at once."""
    return peaks_from_sums(np.asarray(practice_s, dtype=float), np.asarray(score_sums, dtype=float),
                           np.asarray(attempts), top, "hour", lambda h: h)


def peaks_from_sums(practice: np.ndarray, sums: np.ndarray | None, counts: np.ndarray | None, top: int, key: str,
                    label) -> list[dict]:
    """The top slots of `_peaks` from per-slot totals (slots without practice left out)."""
    total = practice.sum()
    if rules.rounded(total) <= 0:
        return []
    mean_score = np.full(len(practice), np.nan)
    if counts is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_score = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    size = len(practice)
    order = np.lexsort((np.arange(size), -rules.rounded(practice)))  # most practice, then slot
    chosen = [int(s) for s in order if rules.rounded(practice[s]) > 0][:top]
    return [{key: label(s), "practice_minutes": float(practice[s] / 60.0), "share": float(practice[s] / total),
             "mean_score": _num(mean_score[s])} for s in chosen]


def session_length(session_practice_s: np.ndarray) -> dict:
    """Average and median practice per session, in minutes (null without sessions)."""
    values = np.asarray(session_practice_s, dtype=float) / 60.0
    if not len(values):
        return {"sessions": 0, "average_minutes": None, "median_minutes": None}
    return {"sessions": int(len(values)), "average_minutes": float(values.mean()),
            "median_minutes": float(np.median(values))}


def time_consistency(start_minutes: np.ndarray) -> dict:
    """How regular the time of day of practice is, from each session's local start time.

    `start_minutes` are minutes after local midnight (0..1439). The score is the mean
    resultant length of those times on the 24-hour clock: 1 when every session starts at the
    same time, near 0 when start times spread evenly over the day. `typical_start` is their
    circular mean ("HH:MM"), so 23:30 and 00:30 average to 00:00, not noon. Null with fewer
    than 2 sessions, and `typical_start` null when the score is 0.
    """
    minutes = np.asarray(start_minutes, dtype=float)
    if len(minutes) < 2:
        return {"score": None, "typical_start": None, "sessions": int(len(minutes))}
    angle = minutes / 1440.0 * 2 * math.pi
    x, y = np.cos(angle).mean(), np.sin(angle).mean()
    score = float(min(1.0, math.hypot(x, y)))
    typical = None
    if rules.rounded(score) > 0:
        mean_minute = round((math.atan2(y, x) % (2 * math.pi)) / (2 * math.pi) * 1440) % 1440
        typical = f"{mean_minute // 60:02d}:{mean_minute % 60:02d}"
    return {"score": score, "typical_start": typical, "sessions": int(len(minutes))}


def engagement(session_days: np.ndarray, active_days: np.ndarray, today: int) -> dict:
    """Sessions per week and gaps, from local day numbers.

    `session_days`: the local day each session started; `active_days`: the learner's active
    days (DESIGN 5.0); `today`: the local day of as_of. The span runs from the first active
    day to today; sessions_per_week = sessions / max(span / 7, 1) (a learner who started
    three days ago is not credited with a weekly rate from three days). A gap is a run of days
    without practice between two active days; `current_gap_days` counts the days after the
    last active day up to today, and `longest_gap_days` is the longest of all of them, the
    current one included. Nulls without any active day.
    """
    days = np.unique(np.asarray(active_days, dtype=np.int64))
    days = days[days <= today]
    sessions = int(len(session_days))
    if not len(days):
        return {"sessions": sessions, "sessions_per_week": None, "active_days": 0, "weeks": None,
                "longest_gap_days": None, "current_gap_days": None}
    span = int(today - days[0] + 1)
    weeks = span / 7.0
    gaps = np.diff(days) - 1
    current = int(today - days[-1])
    return {
        "sessions": sessions,
        "sessions_per_week": sessions / max(weeks, 1.0),
        "active_days": int(len(days)),
        "weeks": weeks,
        "longest_gap_days": int(max(gaps.max() if len(gaps) else 0, current)),
        "current_gap_days": current,
    }


def rolling_mean(scores: np.ndarray, window: int = ROLLING_WINDOW) -> np.ndarray:
    """Mean of each attempt and the window - 1 before it; NaN for the first window - 1."""
    x = np.asarray(scores, dtype=float)
    out = np.full(len(x), np.nan)
    if len(x) >= window:
        csum = np.concatenate([[0.0], np.cumsum(x)])
        out[window - 1:] = (csum[window:] - csum[:-window]) / window
    return out


def current_plateaus(series: dict[str, np.ndarray]) -> list[dict]:
    """The plateaus that reach a skill's latest attempt, from each skill's scores in attempt
    order: {"skill", "first_attempt", "last_attempt", "attempts", "mean", "spread"}."""
    out = []
    for skill, scores in series.items():
        found = plateaus(scores)
        if found and found[-1]["last_attempt"] == len(scores):
            out.append({"skill": skill, **found[-1]})
    return out


def plateaus(scores: np.ndarray) -> list[dict]:
    """Plateaus: stretches of >= 8 consecutive attempts, all below 85, whose rolling mean
    varies by < 2; stretches that follow each other with fewer than 8 attempts between them
    are one plateau (DESIGN 5.5: a person reads "stuck around 63 for 113 attempts", not ten
    lines).

    The rolling mean (window 5) is taken inside the stretch, so a stretch does not depend on
    the attempts before it: a stretch of n attempts has n - 4 rolling means, and their max
    minus min must be below 2 points. Stretches are found left to right, each as long as it
    can be, and do not overlap. Each item: {"first_attempt", "last_attempt" (1-based
    positions in `scores`), "attempts" (last - first + 1: the few attempts between merged
    stretches count, the learner was stuck all along), "mean" (of the scores of its
    stretches: the level it is stuck at), "spread" (max - min of its stretches' rolling
    means: under 2 for one stretch, how far apart the stuck levels are for several)}.
    """
    x = np.asarray(scores, dtype=float)
    merged: list[list[tuple[int, int]]] = []
    for first, last in _flat_stretches(x):
        if merged and first - merged[-1][-1][1] - 1 < PLATEAU_MIN_ATTEMPTS:
            merged[-1].append((first, last))
        else:
            merged.append([(first, last)])
    out = []
    for stretches in merged:
        first, last = stretches[0][0], stretches[-1][1]
        flat = np.concatenate([x[a:b + 1] for a, b in stretches])
        means = np.concatenate([rolling_mean(x[a:b + 1])[ROLLING_WINDOW - 1:] for a, b in stretches])
        out.append({"first_attempt": first + 1, "last_attempt": last + 1, "attempts": last - first + 1,
                    "mean": float(flat.mean()), "spread": float(means.max() - means.min())})
    return out


def _flat_stretches(x: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) 0-based indices of each stretch of the plateau conditions, left to right."""
    n = len(x)
    means = rolling_mean(x)  # means[j] covers attempts j-w+1..j
    out = []
    start = 0
    while start + PLATEAU_MIN_ATTEMPTS <= n:
        end = _longest_flat_run(x, means, start)
        if end - start + 1 >= PLATEAU_MIN_ATTEMPTS:
            out.append((start, end))
            start = end + 1
        else:
            start += 1
    return out


def _longest_flat_run(x: np.ndarray, means: np.ndarray, start: int) -> int:
    """Last index of the longest stretch from `start` that keeps the plateau conditions
    (start - 1 when even x[start] is not below the ceiling)."""
    w = ROLLING_WINDOW
    low, high = math.inf, -math.inf
    end = start - 1
    for j in range(start, len(x)):
        if rules.rounded(x[j]) >= PLATEAU_CEILING:
            break
        if j - start + 1 >= w:
            low, high = min(low, means[j]), max(high, means[j])
            if rules.rounded(high - low) >= PLATEAU_MAX_SPREAD:
                break
        end = j
    return end


def breakthroughs(scores: np.ndarray) -> list[dict]:
    """Rises of the rolling mean (window 5) of >= 10 points within 5 attempts.

    A breakthrough is found at the first attempt j whose rolling mean is at least 10 points
    above the rolling mean at one of the 5 attempts before it (j - 5 .. j - 1, where
    defined); it starts at the lowest of those and runs on while the rolling mean keeps
    rising, so one steep climb is one breakthrough. The next one is looked for after it.
    Each item: {"first_attempt", "last_attempt" (1-based), "from", "to", "rise"}.
    """
    means = rolling_mean(scores)
    out = []
    floor = 0  # earliest index a new breakthrough may start from
    j = 0
    while j < len(means):
        if np.isnan(means[j]):
            j += 1
            continue
        lo = max(floor, j - BREAKTHROUGH_SPAN)
        earlier = means[lo:j]
        valid = np.flatnonzero(~np.isnan(earlier))
        if len(valid):
            i = lo + int(valid[np.argmin(earlier[valid])])
            if rules.rounded(means[j] - means[i]) >= BREAKTHROUGH_RISE:
                while j + 1 < len(means) and means[j + 1] > means[j]:
                    j += 1
                out.append({"first_attempt": i + 1, "last_attempt": j + 1, "from": float(means[i]),
                            "to": float(means[j]), "rise": float(means[j] - means[i])})
                floor = j
        j += 1
    return out


def optimal_difficulty(difficulty: np.ndarray, success: np.ndarray) -> dict:
    """The difficulty whose success rate is nearest 85%.

    `difficulty` per attempt (NaN where unknown), `success` per attempt (score >= pass mark).
    Only difficulties with >= 3 attempts are judged; on a tie the harder one wins (it
    stretches the learner as much for the same success). `by_difficulty` lists every
    difficulty seen with its attempts and success rate. Null with a reason when none
    qualifies.
    """
    d = np.asarray(difficulty, dtype=float)
    ok = np.asarray(success, dtype=bool)
    known = ~np.isnan(d)
    levels = np.unique(d[known]).astype(int)
    table = []
    for level in levels:
        rows = known & (d == level)
        table.append({"difficulty": int(level), "attempts": int(rows.sum()),
                      "success_rate": float(ok[rows].mean())})
    judged = [t for t in table if t["attempts"] >= MIN_DIFFICULTY_ATTEMPTS]
    if not judged:
        reason = ("no attempts with a known difficulty" if not table
                  else f"no difficulty has {MIN_DIFFICULTY_ATTEMPTS} or more attempts")
        return {"difficulty": None, "success_rate": None, "attempts": None, "by_difficulty": table, "reason": reason}
    best = min(judged, key=lambda t: (rules.rounded(abs(t["success_rate"] - TARGET_SUCCESS)), -t["difficulty"]))
    return {**best, "by_difficulty": table, "reason": None}


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
