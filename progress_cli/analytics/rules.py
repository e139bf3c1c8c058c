"""The thresholds and windows of DESIGN section 5, in one place, and the banding they drive."""

from __future__ import annotations

import numpy as np

DECIMALS = 9  # thresholds compare round(x, 9), so 84.7/85.3/85.0 averages to exactly 85
SESSION_GAP_S = 30 * 60  # inferred sessions: a gap of more than this starts a new one

LEVEL_WINDOW = 10  # current_level, improvement split, next-milestone slope
CONSISTENCY_WINDOW = 20
CONSISTENCY_SCALE = 50.0  # consistency = max(0, 1 - sd / 50)
MASTERY_VOLUME = 20  # min(n / 20, 1)
MASTERY_HALF_LIFE = 10  # weight 0.5 ** (k / 10), k = 0 for the newest attempt

READINESS_WINDOW = 5
TREND_WINDOW = 10
TREND_STEADY = 0.5  # |slope| below this is steady

IMPROVEMENT_WEEKS = 8  # overall improvement_rate: last 8 ISO weeks with attempts
TOP_N = 3  # strengths, weaknesses, weekly top skills

SKILL_BANDS = (("beginner", 0.0), ("developing", 50.0), ("proficient", 70.0), ("advanced", 85.0))
# (level, minimum mean, sd strictly below), checked best first; BEGINNER is the fallback.
READINESS_RULES = (("ADVANCED", 85.0, 10.0), ("PROFICIENT", 70.0, 15.0), ("DEVELOPING", 50.0, np.inf))


def rounded(x: np.ndarray | float) -> np.ndarray:
    """The value a threshold sees (DESIGN 5.0)."""
    return np.round(np.asarray(x, dtype=float), DECIMALS)


def consistency(sd: np.ndarray) -> np.ndarray:
    """5.1: max(0, 1 - sd / 50) of the sd of the last CONSISTENCY_WINDOW scores."""
    return np.maximum(0.0, 1.0 - sd / CONSISTENCY_SCALE)


def mastery(recency_mean: np.ndarray, consistency: np.ndarray, attempts: np.ndarray) -> np.ndarray:
    """5.1: 100 x W x (0.5 + 0.5 x consistency) x min(n / 20, 1); W the recency-weighted mean
    score on 0..1. skills.skill_stats gives the values now, metrics.Timeline after each attempt
    (tests/analytics/test_running_equals_final.py holds the two equal)."""
    return 100.0 * recency_mean * (0.5 + 0.5 * consistency) * np.minimum(attempts / MASTERY_VOLUME, 1.0)


def requirement_share(current: np.ndarray, required: float) -> np.ndarray:
    """5.3: how much of one certification requirement is met, min(current / required, 1) on
    the rounded ratio; a null current reads 0, and a requirement of 0 is met."""
    if required == 0:
        return np.ones(np.shape(current))
    return np.minimum(rounded(np.nan_to_num(current, nan=0.0) / required), 1.0)


def skill_level(current_level: np.ndarray) -> np.ndarray:
    """Band of each current level; None where the level is null."""
    x = rounded(current_level)
    out = np.full(x.shape, None, dtype=object)
    for name, floor in SKILL_BANDS:
        out[x >= floor] = name  # later (higher) bands overwrite lower ones
    return out


def next_band(current_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(next level name, its threshold) of each level; None/NaN at advanced or when null."""
    x = rounded(current_level)
    names = np.full(x.shape, None, dtype=object)
    thresholds = np.full(x.shape, np.nan)
    # Walk bands from the top so the lowest band above x wins.
    for name, floor in reversed(SKILL_BANDS[1:]):
        below = x < floor
        names[below] = name
        thresholds[below] = floor
    return names, thresholds


def readiness(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Readiness word from the mean and sd of the recent scores; BEGINNER when there are none."""
    m, s = rounded(mean), rounded(sd)
    out = np.full(m.shape, "BEGINNER", dtype=object)
    for name, floor, sd_below in reversed(READINESS_RULES):
        out[(m >= floor) & (s < sd_below)] = name
    return out


def trend_direction(slope: np.ndarray) -> np.ndarray:
    """steady / improving / declining, None where the slope is null."""
    s = rounded(slope)
    out = np.full(s.shape, None, dtype=object)
    out[np.abs(s) < TREND_STEADY] = "steady"
    out[s >= TREND_STEADY] = "improving"
    out[s <= -TREND_STEADY] = "declining"
    return out
