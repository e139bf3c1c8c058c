"""Per-group statistics over integer group ids, vectorised across every group at once.

A group id (`gid`) is a dense int array 0..n_groups-1, one per row. Every helper takes the
rows it should use (already masked) and returns one value per group, NaN for a group with no
rows, so "no data" stays null instead of becoming 0.
"""

from __future__ import annotations

import numpy as np


def group_ids(*codes: np.ndarray, sizes: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of the distinct combinations of integer codes: (gid per row, combined key per group).

    The combined key orders groups like the codes do (first code most significant).
    """
    key = combine(*codes, sizes=sizes)
    uniq, gid = np.unique(key, return_inverse=True)
    return gid.reshape(-1), uniq


def unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique without an inverse takes a slow hashing path)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def frame(columns: dict):
    """A DataFrame whose object arrays stay object dtype (None for null): inferring the str
    dtype would scan every value again."""
    import pandas as pd  # on use: the read commands use the numpy helpers here without pandas (DESIGN 9)

    return pd.DataFrame({
        name: pd.Series(values, dtype=object, copy=False)
        if isinstance(values, np.ndarray) and values.dtype == object else values
        for name, values in columns.items()
    })


def combine(*codes: np.ndarray, sizes: tuple[int, ...] | None = None) -> np.ndarray:
    """One int64 key from several non-negative int codes (first most significant)."""
    sizes = sizes or tuple(int(c.max()) + 1 if len(c) else 1 for c in codes)
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code, size in zip(codes, sizes):
        key = key * np.int64(max(size, 1)) + code.astype(np.int64)
    return key


def dense_rank(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, equal values share a rank, no gaps."""
    order = np.argsort(values)
    ordered = values[order]
    steps = np.zeros(len(values), dtype=np.int64)
    steps[1:] = ordered[1:] != ordered[:-1]
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.cumsum(steps)
    return ranks


def order_by(*codes: np.ndarray) -> np.ndarray:
    """Row order by several non-negative int codes, first most significant: one int64 argsort,
    several times faster than np.lexsort on a million rows."""
    return np.argsort(combine(*codes), kind="stable")


def split(key: np.ndarray, *sizes: int) -> list[np.ndarray]:
    """Inverse of `combine`: the codes of each combined key."""
    out = []
    for size in reversed(sizes[1:]):
        out.append(key % size)
        key = key // size
    out.append(key)
    return out[::-1]


def segments(sorted_key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by key: (gid per row, start row of each group, size of each group)."""
    n = len(sorted_key)
    new = np.ones(n, dtype=bool)
    if n:
        new[1:] = sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(new)
    gid = np.cumsum(new) - 1
    counts = np.diff(np.append(starts, n))
    return gid, starts, counts


def rank_from_end(gid: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """k of each row in its (time-sorted) group: 0 for the last row, 1 for the one before..."""
    pos = np.arange(len(gid)) - starts[gid]
    return counts[gid] - 1 - pos


def count(gid: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(gid, minlength=n)


def total(gid: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum per group (0 for an empty group: callers decide whether that means null)."""
    # astype: bincount of no rows returns ints even with float weights
    return np.bincount(gid, weights=np.asarray(values, dtype=float), minlength=n).astype(float, copy=False)


def mean(gid: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    c = count(gid, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, total(gid, values, n) / np.maximum(c, 1), np.nan)


def pstd(gid: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Population sd (ddof=0), two-pass so equal values give exactly 0."""
    m = mean(gid, values, n)
    dev = values - m[gid]
    c = count(gid, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, np.sqrt(total(gid, dev * dev, n) / np.maximum(c, 1)), np.nan)


def slope(gid: np.ndarray, x: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """Least-squares slope of y on x per group; NaN under 2 points or when x does not vary."""
    mx, my = mean(gid, x, n), mean(gid, y, n)
    dx = x - mx[gid]
    sxx = total(gid, dx * dx, n)
    sxy = total(gid, dx * (y - my[gid]), n)
    ok = (count(gid, n) >= 2) & (sxx > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, sxy / np.where(ok, sxx, 1.0), np.nan)


def first_and_last_rows(gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first and of the last row of each group (groups must all be non-empty)."""
    order = np.argsort(gid, kind="stable")
    _, starts, counts = segments(gid[order])
    return order[starts], order[starts + counts - 1]


def position_within(sorted_key: np.ndarray) -> np.ndarray:
    """0-based position of each row inside its group, rows sorted by key."""
    gid, starts, _ = segments(sorted_key)
    return np.arange(len(sorted_key)) - starts[gid]


def cumsum_within(values: np.ndarray, sorted_key: np.ndarray) -> np.ndarray:
    """Running total of `values` restarting at each group (rows sorted by key)."""
    gid, starts, _ = segments(sorted_key)
    run = np.cumsum(values)
    before = np.concatenate([[0], run])[starts]  # total of the rows before each group
    return run - before[gid]


def lists(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """An object array of n Python lists: the `values` of each owner 0..n-1 (rows sorted by
    owner, order kept)."""
    import pandas as pd  # on use, as in `frame`

    # One slice per owner: the loop only builds output objects, the work is already done.
    bounds = np.searchsorted(owner, np.arange(n + 1))
    vals = values.tolist()
    # Through a Series: np.array would make a 2-D array of equal-length lists.
    return pd.Series([vals[a:b] for a, b in zip(bounds[:-1], bounds[1:])], dtype=object).to_numpy()


def segment_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of each run of rows starting at `starts` (sorted, the first 0), with numpy's own
    summation (what pandas' group-by sum and mean do on sorted groups): a run's sum depends on
    its own values only, so one learner alone gets the figure a batch of learners gets."""
    return np.add.reduceat(np.asarray(values, dtype=float), np.asarray(starts, dtype=np.intp))
