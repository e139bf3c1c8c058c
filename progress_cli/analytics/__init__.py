"""Pure analytics (DESIGN section 5): a frame of events + catalog + zone + as_of -> frames.

No store, no clock, no terminal: `as_of` is always passed in. Every function works on many
learners at once and returns one row per key; nulls are NaN / NaT / None, never 0; string
columns are object dtype. A call has a fixed cost of some tens of milliseconds and then well
under a millisecond per learner, so recompute learners in batches, not one call each.
"""

from progress_cli.analytics.aggregates import daily, monthly, session_summary, streaks, weekly
from progress_cli.analytics.analysis import Analysis, analyze
from progress_cli.analytics.modules import module_progress, task_status
from progress_cli.analytics.overall import overall_progress
from progress_cli.analytics.prepare import EVENT_COLUMNS, Prepared, prepare_events
from progress_cli.analytics.skills import next_milestone, skill_progress

__all__ = [
    "EVENT_COLUMNS", "Analysis", "Prepared", "analyze", "daily", "module_progress", "monthly",
    "next_milestone", "overall_progress", "prepare_events", "session_summary", "skill_progress", "streaks",
    "task_status", "weekly",
]
