"""`progress achievements` and `progress leaderboard`, and the achievement parts of `status`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select

from progress_cli.catalog import Achievement, Catalog
from progress_cli.config import parse_as_of
from progress_cli.errors import UsageError
from progress_cli.services.learner_data import LearnerData, learner_rows, load_learner
from progress_cli.services.learners import learner_figures
from progress_cli.services.store_access import open_engine, read_catalog
from progress_cli.store import queries, read_snapshot
from progress_cli.store.achievements import stored_unlocks
from progress_cli.store.models import iso_time, stored_time

UPCOMING = 3
PERIODS = ("week", "month", "all")
RANKINGS = ("points", "progress", "streak")


def requirement_text(achievement: Achievement) -> list[str]:
    return [f"{r.metric}{f'[{r.arg}]' if r.arg else ''} {r.op} {r.value if isinstance(r.value, str) else f'{r.value:g}'}"
            for r in achievement.requirements]


def achievement_view(catalog: Catalog, stored: list[dict], evaluated: Iterable, as_of: dt.datetime) -> dict[str, list]:
    """Earned (stored unlocks up to as_of, else computed ones) and in-progress entries of one
    learner; `evaluated` rows carry achievement_id, earned_at (UTC text or a datetime, null
    while locked), progress, current, required and estimated_date."""
    limit = stored_time(as_of)
    kept = {u["achievement_id"]: u for u in stored if u["earned_at"] <= limit}
    earned_at = {aid: u["earned_at"] for aid, u in kept.items()}
    by_row = {}
    for row in evaluated:
        by_row[row.achievement_id] = row
        at = _utc_text(row.earned_at)
        if row.achievement_id not in earned_at and at is not None:
            earned_at[row.achievement_id] = at
    earned, locked = [], []
    for a in catalog.achievements:
        base = {"id": a.id, "name": a.name, "type": a.type, "icon": a.icon, "points": a.points,
                "description": a.description}
        if a.id in earned_at:  # an unlock keeps the points it was worth when earned
            points = kept[a.id]["points"] if a.id in kept else a.points
            earned.append(base | {"points": points, "earned_at": iso_time(earned_at[a.id])})
            continue
        row = by_row.get(a.id)
        locked.append(base | {
            "requirements": requirement_text(a),
            "current": list(row.current) if row else [0.0] * len(a.requirements),
            "required": list(row.required) if row else [0.0] * len(a.requirements),
            "progress": float(row.progress) if row else 0.0,
            "estimated_date": row.estimated_date.isoformat() if row is not None and row.estimated_date else None,
        })
    earned.sort(key=lambda e: (e["earned_at"], e["id"]))
    locked.sort(key=lambda e: (-e["progress"], e["id"]))
    return {"earned": earned, "in_progress": locked}


def _utc_text(moment) -> str | None:
    """An evaluated earned_at as stored UTC text; None (or NaT) while locked."""
    if moment is None or moment != moment:
        return None
    return moment if isinstance(moment, str) else stored_time(moment)


def badge_view(data: LearnerData, rows: dict, streak_days: int, today: int) -> dict[str, list]:
    """Earned and in-progress achievements of the learner as of `data.as_of`, from the
    learner's rows (`learner_data.learner_rows`) and today's streak (local day `today`)."""
    # numpy on use: `leaderboard` answers from the stored unlocks without it
    from progress_cli.analytics import dated
    from progress_cli.analytics.achievement_progress import evaluated_rows

    catalog = data.catalog
    today_values = {"streak_days": streak_days,
                    "weekly_goal_weeks": dated.weekly_goal_weeks(rows["days"], today, catalog.weekly_goal_minutes)}
    states = {s["achievement_id"]: s for s in rows["achievements"]}
    evaluated = evaluated_rows(catalog.achievements, states, today_values, data.as_of, data.tz)
    return achievement_view(catalog, data.unlocks, evaluated, data.as_of)


def upcoming_milestones(view: dict[str, list], skills: list[dict]) -> list[dict[str, Any]]:
    """The next milestones: locked milestone achievements and skill level bands (DESIGN 5.1)."""
    candidates = [
        {"id": a["id"], "name": a["name"], "progress": a["progress"], "estimated_date": a["estimated_date"]}
        for a in view["in_progress"] if a["type"] == "milestone"
    ]
    for s in skills:
        nxt = s.get("next_milestone")
        if nxt and s.get("current_level") is not None:
            candidates.append({"id": f"skill:{s['skill']}:{nxt['level']}", "name": f"{s['skill']} {nxt['level']}",
                               "progress": min(s["current_level"] / nxt["threshold"], 1.0), "estimated_date": None})
    candidates.sort(key=lambda c: (-c["progress"], c["id"]))
    return candidates[:UPCOMING]


def learner_achievements(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> dict[str, Any]:
    """`progress achievements LEARNER`: earned ones and progress toward the locked ones."""
    data = load_learner(db, learner_id, tz=tz, as_of=as_of, from_store=True)
    return achievements_from(data, learner_rows(data))


def achievements_from(data: LearnerData, rows: dict) -> dict[str, Any]:
    """The `achievements` answer from the learner's rows (stored or computed)."""
    from progress_cli.analytics import dated  # numpy: see badge_view

    today = dated.day_number(data.as_of.astimezone(data.tz).date())
    view = badge_view(data, rows, dated.current_streak(rows["days"], today)[0], today)
    return {"learner": {"id": data.learner_id, "name": data.name}, "as_of": data.as_of.isoformat(),
            "points": sum(e["points"] for e in view["earned"]), **view}


def leaderboard(db: str, *, tz: ZoneInfo, by: str = "points", period: str = "all", module: str | None = None,
                as_of: str | None = None) -> dict[str, Any]:
    """Competition ranking (1, 1, 3), ties listed by learner_id."""

    if by not in RANKINGS:
        raise UsageError(f"cannot rank by {by!r}: rankings are {', '.join(RANKINGS)}")
    if period not in PERIODS:
        raise UsageError(f"no leaderboard period {period!r}: periods are {', '.join(PERIODS)}")
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:  # names, figures and unlocks of one moment
            catalog = read_catalog(conn)
            if module is not None and catalog.module(module) is None:
                if module not in set(conn.execute(select(queries.MODULES.c.module_id)).scalars()):
                    raise UsageError(f"no module {module!r} in the catalog or the events")
            if by == "points":  # the stored unlocks alone: no learner's figures
                names = queries.all_learner_names(conn)
                values = _points(catalog, stored_unlocks(conn), names, moment, tz, period, module)
            else:
                figures, modules = learner_figures(conn, catalog, tz, as_of and moment)
                names = {lid: f["name"] for lid, f in figures.items()}
                values = _figure_values(figures, modules, by, module)
    finally:
        engine.dispose()
    return {"by": by, "period": period, "module": module, "as_of": moment.isoformat(), "rows": _rank(values, names)}


def _figure_values(figures: dict[str, dict], modules: dict[str, list], by: str,
                   module: str | None) -> dict[str, float | None]:
    """Each learner's progress (total, or in `module`) or streak (of those who practised
    `module`); `modules`: learner_figures' module columns (ids, levels, rates, attempts)."""
    def in_module(lid: str, column: int):  # 2: the completion rate, 3: the attempts
        listed = modules.get(lid) or ([], [], [], [])
        return dict(zip(listed[0], listed[column])).get(module)

    if by == "progress":
        return {lid: (in_module(lid, 2) if module else f["total_progress"]) for lid, f in figures.items()}
    return {lid: f["streak_days"] for lid, f in figures.items() if module is None or in_module(lid, 3)}


def _points(catalog, unlocks, learners, moment, tz, period, module) -> dict[str, float]:
    """Points each of `learners` earned in the period: those stored with each unlock, not the
    catalog's today."""
    start, end = _period_bounds(moment, tz, period)
    of_module = {a.id for a in catalog.achievements if any(r.arg == module for r in a.requirements)}
    totals = {lid: 0.0 for lid in learners}
    for u in unlocks:
        at = dt.datetime.fromisoformat(u["earned_at"].replace("Z", "+00:00"))
        if ((module is None or u["achievement_id"] in of_module) and u["learner_id"] in totals
                and (start is None or start <= at) and at <= end):
            totals[u["learner_id"]] += u["points"]
    return totals


def _period_bounds(moment: dt.datetime, tz: ZoneInfo, period: str) -> tuple[dt.datetime | None, dt.datetime]:
    """The ISO week or calendar month (in tz) containing as_of; `all` has no start."""
    local = moment.astimezone(tz)
    if period == "week":
        day = local.date() - dt.timedelta(days=local.weekday())
    elif period == "month":
        day = local.date().replace(day=1)
    else:
        return None, moment
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz), moment


def _rank(values: dict[str, float | None], names: dict[str, str | None]) -> list[dict[str, Any]]:
    scored = sorted(((v, lid) for lid, v in values.items() if v is not None), key=lambda x: (-x[0], x[1]))
    rows, previous, rank = [], None, 0
    for position, (value, lid) in enumerate(scored, 1):
        if value != previous:
            rank, previous = position, value
        rows.append({"rank": rank, "learner_id": lid, "name": names.get(lid), "value": value})
    return rows
