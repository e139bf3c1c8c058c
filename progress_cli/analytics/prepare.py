"""Events in, one prepared view out (DESIGN 5.0): the as_of cut, the attempt order, sessions,
practice time, local days and the event -> skills expansion that everything else uses.

Learners, modules, tasks, skills and sessions become dense integer codes once, here, so the
other modules group with numpy instead of hashing strings again. String columns are
factorized in input order and only the small code arrays are reordered: moving a million
Python strings into a new order costs more than all the arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics.rules import SESSION_GAP_S
from progress_cli.catalog import DEFAULT_PASS_MARK, Catalog

EVENT_COLUMNS = (
    "event_id", "learner_id", "session_id", "module_id", "task_id", "skill", "type", "ts",
    "score", "duration_s", "difficulty",
)
NAT = np.iinfo(np.int64).min  # how numpy and pandas store NaT
_NS = 1_000_000_000


@dataclass(frozen=True)
class Prepared:
    """The prepared view of one frame of events (see `prepare_events`)."""

    events: pd.DataFrame
    skill_events: pd.DataFrame
    learners: np.ndarray  # every learner id of the input, sorted; learner_idx points here
    modules: np.ndarray  # catalog modules in catalog order, then other seen modules sorted
    tasks: np.ndarray  # catalog tasks in catalog order, then other seen tasks sorted
    skills: np.ndarray  # catalog.skill_ids(), then other seen skills sorted
    catalog: Catalog
    tz: str | dt.tzinfo
    as_of: pd.Timestamp  # UTC
    today: int  # local day number of as_of (days since 1970-01-01 in tz)
    pass_marks: np.ndarray  # per module_idx
    in_catalog: np.ndarray  # per module_idx
    catalog_tasks: pd.DataFrame  # module_idx, task_idx of every task the catalog lists
    task_module: np.ndarray  # per catalog task_idx (they come first): the module listing it


def prepare_events(events: pd.DataFrame, catalog: Catalog, tz: str | dt.tzinfo,
                   as_of: dt.datetime) -> Prepared:
    """Cut, order and enrich events for the analytics functions.

    `events` has the columns of EVENT_COLUMNS (any number of learners, voided events removed);
    `tz` is an IANA name or a tzinfo; `as_of` must be zone-aware.
    `Prepared.events` holds the events with ts <= as_of, sorted by (learner_id, ts, event_id),
    with their original columns plus: learner_idx, module_idx, task_idx, skill_idx (int codes
    into Prepared.learners / modules / tasks / skills, -1 when absent), session_key (the
    session_id, else an inferred "inferred:<module>:<UTC start>"), session_idx (its int code),
    session_inferred, practice_s (practice seconds credited to the event), day_num (local day,
    days since 1970-01-01 in tz), day (that local date as a naive midnight), is_attempt.
    `Prepared.skill_events` has one row per (event, skill it counts for): event_row (row in
    events), learner_idx, module_idx, skill_idx, skill, score, practice_s, day_num, is_attempt;
    sorted by (learner, skill, ts, event_id).
    """
    _check_frame(events)
    as_of = _utc_timestamp(as_of)
    ts_all = _utc_ns(events["ts"])
    learner_all, learners = pd.factorize(events["learner_id"].to_numpy(dtype=object), sort=True)
    learners = np.asarray(learners, dtype=object)
    keep = np.flatnonzero(ts_all <= as_of.value)
    event_ids = events["event_id"].to_numpy(dtype=object)
    rows = keep[attempt_order(learner_all[keep], ts_all[keep], event_ids[keep])]
    ts = ts_all[rows]

    module_idx, modules = _codes(events["module_id"], rows, [m.id for m in catalog.modules])
    task_idx, tasks = _codes(events["task_id"], rows, [t.id for m in catalog.modules for t in m.tasks])
    skill_idx, skills = _codes(events["skill"], rows, catalog.skill_ids())
    type_codes, types = pd.factorize(events["type"].to_numpy(dtype=object))
    session_codes, session_ids = pd.factorize(events["session_id"].to_numpy(dtype=object))
    session_codes = session_codes[rows]
    session_labels = _labels(session_ids, session_codes)
    score = events["score"].to_numpy(dtype=float)[rows]
    out = g.frame({
        "event_id": event_ids[rows],
        "learner_id": learners[learner_all[rows]],
        "session_id": session_labels,
        "module_id": _labels(modules, module_idx),
        "task_id": _labels(tasks, task_idx),
        "skill": _labels(skills, skill_idx),
        "type": _labels(types, type_codes[rows]),
        "ts": pd.DatetimeIndex(ts.view("datetime64[ns]")).tz_localize("UTC"),
        "score": score,
        "duration_s": events["duration_s"].to_numpy(dtype=float)[rows],
        "difficulty": events["difficulty"].to_numpy(dtype=float)[rows],
        "learner_idx": learner_all[rows].astype(np.int64),
        "module_idx": module_idx,
        "task_idx": task_idx,
        "skill_idx": skill_idx,
    })
    session_idx, keys, inferred = sessions(out, session_codes, session_labels.copy(), ts)
    out["session_key"] = keys
    out["session_idx"] = session_idx
    out["session_inferred"] = inferred
    out["practice_s"] = practice_seconds(out["learner_idx"].to_numpy(), session_idx, ts,
                                         out["duration_s"].to_numpy())
    out["day_num"] = local_days(ts, tz)
    out["day"] = out["day_num"].to_numpy().astype("datetime64[D]").astype("datetime64[s]")
    out["is_attempt"] = ~np.isnan(score)

    n_catalog = len(catalog.modules)
    task_index = pd.Index(tasks)
    catalog_tasks = pd.DataFrame({
        "module_idx": np.array([i for i, m in enumerate(catalog.modules) for _ in m.tasks], dtype=np.int64),
        "task_idx": task_index.get_indexer([t.id for m in catalog.modules for t in m.tasks]).astype(np.int64),
    })
    listed = catalog.task_modules()
    return Prepared(
        events=out,
        skill_events=expand_skills(out, catalog, skills, tasks),
        learners=learners,
        modules=modules,
        tasks=tasks,
        skills=skills,
        catalog=catalog,
        tz=tz,
        as_of=as_of,
        today=int(local_days(np.array([as_of.value]), tz)[0]),
        pass_marks=np.array([m.pass_mark for m in catalog.modules]
                            + [DEFAULT_PASS_MARK] * (len(modules) - n_catalog), dtype=float),
        in_catalog=np.arange(len(modules)) < n_catalog,
        catalog_tasks=catalog_tasks,
        task_module=pd.Index(modules).get_indexer([listed[t] for t in tasks[:len(listed)]]),
    )


def attempt_order(learner_idx: np.ndarray, ts_ns: np.ndarray, event_id: np.ndarray) -> np.ndarray:
    """Row order by (learner, ts, event_id).

    Sorting a million string ids is the slow part, and ties in time are rare, so strings are
    only compared inside blocks of rows that share learner and timestamp.
    """
    # One int64 key (learner, rank of ts) sorts faster than a two-key lexsort.
    ts_rank = np.empty(len(ts_ns), dtype=np.int64)
    ts_rank[np.argsort(ts_ns)] = np.arange(len(ts_ns))
    order = np.argsort(learner_idx.astype(np.int64) * max(len(ts_ns), 1) + ts_rank)
    lrn, t = learner_idx[order], ts_ns[order]
    same = (lrn[1:] == lrn[:-1]) & (t[1:] == t[:-1])
    if same.any():
        tied = np.zeros(len(order), dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        pos = np.flatnonzero(tied)
        sub = order[pos]
        eid_rank = pd.factorize(event_id[sub], sort=True)[0]
        order[pos] = sub[np.lexsort((eid_rank, t[pos], lrn[pos]))]
    return order


def sessions(ev: pd.DataFrame, session_codes: np.ndarray, keys: np.ndarray,
             ts_ns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(session_idx, session_key, inferred) of each event, rows in attempt order.

    `session_codes` are the codes of the given session ids (-1 where absent) and `keys`
    those ids (filled in here where absent).

    Events without session_id are grouped per learner and module; a gap of more than
    SESSION_GAP_S between consecutive ones starts a new session (exactly the gap stays). The
    inferred key names the module and the UTC time of the first event, so it is the same on
    every recompute.
    """
    inferred = session_codes < 0
    session_idx = session_codes.astype(np.int64)
    n_given = int(session_idx.max()) + 1 if len(session_idx) else 0
    if not inferred.any():
        return session_idx, keys, inferred
    rows = np.flatnonzero(inferred)
    lrn, mod = ev["learner_idx"].to_numpy(), ev["module_idx"].to_numpy()
    rows = rows[g.order_by(lrn[rows], mod[rows])]  # stable: per learner+module, time order kept
    lrn, mod, t = lrn[rows], mod[rows], ts_ns[rows]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (lrn[1:] != lrn[:-1]) | (mod[1:] != mod[:-1]) | (np.diff(t) > SESSION_GAP_S * _NS)
    run = np.cumsum(new) - 1
    starts = rows[new]
    stamps = np.datetime_as_string(t[new].view("datetime64[ns]"), unit="us")
    module_ids = ev["module_id"].to_numpy(dtype=object)[starts]
    labels = np.array([f"inferred:{m}:{s}Z" for m, s in zip(module_ids, stamps)], dtype=object)
    keys[rows] = labels[run]
    session_idx[rows] = n_given + run
    return session_idx, keys, inferred


def practice_seconds(learner_idx: np.ndarray, session_idx: np.ndarray, ts_ns: np.ndarray,
                     duration_s: np.ndarray) -> np.ndarray:
    """Practice seconds credited to each event (DESIGN 5.0).

    A session with any duration_s: each event brings its own duration (absent = 0).
    Otherwise the session's last-minus-first span is split evenly over its events, so the
    minutes land on the local day of each event.
    """
    if len(session_idx) == 0:
        return np.zeros(0)
    gid, keys = g.group_ids(learner_idx, session_idx)
    n = len(keys)
    has_duration = g.total(gid, (~np.isnan(duration_s)).astype(float), n) > 0
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, NAT)
    np.minimum.at(first, gid, ts_ns)
    np.maximum.at(last, gid, ts_ns)
    share = (last - first) / _NS / g.count(gid, n)
    return np.where(has_duration[gid], np.nan_to_num(duration_s, nan=0.0), share[gid])


def local_days(ts_ns: np.ndarray, tz: str) -> np.ndarray:
    """Local calendar day of each UTC instant, as days since 1970-01-01 in `tz`."""
    utc = pd.DatetimeIndex(np.asarray(ts_ns, dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC")
    local = utc.tz_convert(tz).tz_localize(None)
    return local.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def expand_skills(ev: pd.DataFrame, catalog: Catalog, skills: np.ndarray, tasks: np.ndarray) -> pd.DataFrame:
    """One row per (event, skill): the event's skill, else every skill of its catalog task."""
    skill_idx = ev["skill_idx"].to_numpy()
    task_idx = ev["task_idx"].to_numpy()
    direct = np.flatnonzero(skill_idx >= 0)

    # Catalog tasks come first in the task codes, so task_idx < n_catalog_tasks finds them.
    index = pd.Index(skills)
    task_skills = catalog.task_skills()
    per_task = [tuple(dict.fromkeys(task_skills[t])) for t in tasks[:len(task_skills)]]
    lengths = np.array([len(s) for s in per_task] + [0], dtype=np.int64)  # last: not in catalog
    flat = np.array([index.get_loc(s) for ss in per_task for s in ss], dtype=np.int64)
    firsts = np.cumsum(lengths) - lengths
    task_pos = np.where((task_idx >= 0) & (task_idx < len(per_task)), task_idx, len(per_task))
    cand = np.flatnonzero((skill_idx < 0) & (lengths[task_pos] > 0))
    via_task = np.repeat(cand, lengths[task_pos[cand]])
    starts = np.repeat(firsts[task_pos[cand]], lengths[task_pos[cand]])
    via_skill = flat[starts + g.position_within(via_task)] if len(via_task) else via_task

    rows = np.concatenate([direct, via_task]).astype(np.int64)
    sidx = np.concatenate([skill_idx[direct], via_skill]).astype(np.int64)
    learner_idx = ev["learner_idx"].to_numpy()[rows]
    sizes = (max(len(skills), 1), max(len(ev), 1))
    order = np.argsort(g.combine(learner_idx, sidx, rows, sizes=(1, *sizes)))  # keys are unique
    rows, sidx = rows[order], sidx[order]
    return g.frame({
        "event_row": rows,
        "learner_idx": learner_idx[order],
        "module_idx": ev["module_idx"].to_numpy()[rows],
        "skill_idx": sidx,
        "skill": _labels(skills, sidx),
        "score": ev["score"].to_numpy()[rows],
        "practice_s": ev["practice_s"].to_numpy()[rows],
        "day_num": ev["day_num"].to_numpy()[rows],
        "is_attempt": ev["is_attempt"].to_numpy()[rows],
    })


def event_ns(frame: pd.DataFrame) -> np.ndarray:
    """The `ts` column of prepared events as int64 nanoseconds since the epoch (UTC)."""
    return pd.DatetimeIndex(frame["ts"]).asi8


def _codes(column: pd.Series, rows: np.ndarray, first: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of column[rows] into a universe: `first` in its order, then other ids seen in
    those rows, sorted; -1 where absent."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    codes = codes[rows]
    present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(uniques)))
    seen = np.asarray(uniques, dtype=object)[present]
    known = dict.fromkeys(first)
    universe = np.array(list(known) + sorted(set(seen) - set(known)), dtype=object)
    remap = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: absent stays -1
    remap[present] = pd.Index(universe).get_indexer(seen)
    return remap[codes], universe


def _labels(universe: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """universe[codes] with None where the code is -1."""
    return np.append(np.asarray(universe, dtype=object), None)[codes]


def _check_frame(events: pd.DataFrame) -> None:
    """Refuse what the importer never produces, rather than computing nonsense from it."""
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"events frame lacks columns: {', '.join(missing)}")
    for column in ("event_id", "learner_id", "module_id"):
        if pd.isna(events[column].to_numpy(dtype=object)).any():
            raise ValueError(f"events frame has rows without {column}")
    if events["ts"].isna().any():
        raise ValueError("events frame has rows without ts")


def _utc_timestamp(value: dt.datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise ValueError("as_of must be time-zone aware")
    return stamp.tz_convert("UTC").as_unit("ns")


def _utc_ns(ts: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch of a tz-aware timestamp column, whatever its unit."""
    return pd.DatetimeIndex(ts).tz_convert("UTC").as_unit("ns").asi8
