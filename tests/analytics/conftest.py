"""Small event frames built by hand for the analytics tests (no store, no clock)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from progress_cli.analytics import EVENT_COLUMNS, analyze
from progress_cli.catalog import Catalog

AS_OF = "2026-12-31T12:00:00Z"
DEFAULTS = {
    "learner_id": "alice", "session_id": None, "module_id": "m1", "task_id": None, "skill": None,
    "type": "attempt", "score": None, "duration_s": None, "difficulty": None,
}


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as the store would hand them over: defaults filled, ids e000, e001... by default."""
    full = [{"event_id": f"e{i:03d}", **DEFAULTS, **row} for i, row in enumerate(rows)]
    frame = pd.DataFrame(full, columns=list(EVENT_COLUMNS))
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    for column in ("score", "duration_s", "difficulty"):
        frame[column] = frame[column].astype(float)
    return frame


def attempts(scores: list[float], start: str = "2026-03-02T09:00:00Z", step: str = "1min", **common) -> list[dict]:
    """One attempt per score, `step` apart, oldest first."""
    times = pd.date_range(pd.Timestamp(start), periods=len(scores), freq=step)
    return [{"ts": t.isoformat(), "score": s, **common} for t, s in zip(times, scores)]


def run(rows: list[dict], catalog: Catalog | None = None, tz: str = "UTC", as_of: str = AS_OF):
    return analyze(make_frame(rows), catalog or Catalog(), tz, pd.Timestamp(as_of))


def one(frame: pd.DataFrame, **keys) -> dict:
    """The single row of `frame` matching every key=value."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in keys.items():
        mask &= frame[column].to_numpy(dtype=object) == value
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row for {keys}, got {len(rows)}"
    return rows.iloc[0].to_dict()


def pstd(values: list[float]) -> float:
    """Population sd written out, to state expected values from raw scores."""
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def recency_mean(scores: list[float]) -> float:
    """DESIGN 5.1's W: weight 0.5 ** (k / 10), k = 0 for the newest, normalised."""
    weights = [0.5 ** (k / 10) for k in range(len(scores))]
    newest_first = list(reversed(scores))
    return sum(w * s / 100 for w, s in zip(weights, newest_first)) / sum(weights)


def is_null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, as one fixture (fixtures resolve whatever the import mode)."""
    return SimpleNamespace(
        frame=make_frame, attempts=attempts, run=run, one=one, pstd=pstd,
        recency_mean=recency_mean, is_null=is_null, AS_OF=AS_OF,
        approx=lambda value: pytest.approx(value, rel=1e-12, abs=1e-12),
    )
