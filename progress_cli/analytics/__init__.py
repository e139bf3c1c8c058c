"""Pure analytics (DESIGN section 5): a frame of events + catalog + zone + as_of -> frames.

No store, no clock, no terminal: `as_of` is always passed in. Every function works on many
learners at once and returns one row per key; nulls are NaN / NaT / None, never 0; string
columns are object dtype. A call has a fixed cost of some tens of milliseconds and then well
under a millisecond per learner, so recompute learners in batches, not one call each.

The names below load on first use (PEP 562): they bring pandas (~0.3 s), and the read commands
import modules of this package that need no pandas (`rules`, `risk`, `dated`, ...) without
paying for it (DESIGN 9).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "daily": "aggregates", "monthly": "aggregates", "session_summary": "aggregates", "streaks": "aggregates",
    "weekly": "aggregates", "Analysis": "analysis", "analyze": "analysis", "module_progress": "modules",
    "task_status": "modules", "overall_progress": "overall", "EVENT_COLUMNS": "prepare", "Prepared": "prepare",
    "prepare_events": "prepare", "next_milestone": "skills", "skill_progress": "skills",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
