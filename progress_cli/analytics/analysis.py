"""Everything of section 5.0-5.4 for a frame of events in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Collection

import pandas as pd

from progress_cli.analytics.aggregates import daily, monthly, session_summary, streaks, weekly
from progress_cli.analytics.modules import module_progress, task_status
from progress_cli.analytics.overall import overall_progress
from progress_cli.analytics.prepare import Prepared, prepare_events
from progress_cli.analytics.skills import skill_progress
from progress_cli.catalog import Catalog


@dataclass(frozen=True)
class Analysis:
    """The frames of one analysis; see each function for its columns."""

    prepared: Prepared
    tasks: pd.DataFrame  # task_status
    skills: pd.DataFrame  # skill_progress
    module_skills: pd.DataFrame  # skill_progress(by_module=True)
    modules: pd.DataFrame  # module_progress
    overall: pd.DataFrame  # overall_progress, plus streak_days
    sessions: pd.DataFrame  # session_summary
    daily: pd.DataFrame
    weekly: pd.DataFrame
    monthly: pd.DataFrame
    streaks: pd.DataFrame


OPTIONAL = ("module_skills", "sessions", "weekly", "monthly")  # the frames a caller may leave out


def analyze(events: pd.DataFrame, catalog: Catalog, tz: str, as_of: dt.datetime, *, light: bool = False,
            skip: Collection[str] = ()) -> Analysis:
    """Run every analytics function once, sharing the intermediate frames.

    `overall` is `overall_progress(...)` with the `streak_days` of `streaks(...)` added, the
    shape of the `overall` object of `status --json`. `skip` leaves out some of OPTIONAL (they
    are empty frames); `light` all of them, which team reports do not read: a third less work.
    """
    skip = set(OPTIONAL if light else skip)
    prepared = prepare_events(events, catalog, tz, as_of)
    tasks = task_status(prepared)
    skills = skill_progress(prepared)
    modules = module_progress(prepared, tasks)
    days = daily(prepared)
    streak = streaks(prepared, days)
    overall = overall_progress(prepared, modules, skills)
    overall["streak_days"] = streak["streak_days"].to_numpy()  # both are one row per learner, same order
    empty = pd.DataFrame()
    return Analysis(
        prepared=prepared,
        tasks=tasks,
        skills=skills,
        module_skills=empty if "module_skills" in skip else skill_progress(prepared, by_module=True),
        modules=modules,
        overall=overall,
        sessions=empty if "sessions" in skip else session_summary(prepared),
        daily=days,
        weekly=empty if "weekly" in skip else weekly(prepared, days),
        monthly=empty if "monthly" in skip else monthly(prepared, days, tasks),
        streaks=streak,
    )
