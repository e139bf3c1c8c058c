#!/usr/bin/env python3
"""Generate the sample training catalog and a 90-day session export for progress-cli.

Deterministic: fixed seeds and a fixed end date (no clock), stdlib only, so two runs give
byte-identical files. Run from the repo root:  python sample_data/generate.py

Writes, next to this script:
  catalog.toml      the training catalog (DESIGN section 3, plus the [xapi] table)
  events.jsonl      the events, one JSON object per line
  events.csv        the same events as CSV (same ids)
  events.xapi.json  the same events as xAPI 1.0.3 statements (same ids), plus one voiding statement
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).resolve().parent
SEED = "progress-cli sample data v1"
END = dt.date(2026, 11, 27)                       # last day of the export
START = END - dt.timedelta(days=89)               # 90 days: 2026-08-30 .. 2026-11-27
NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://training.example.org/progress-cli/sample-data")
SITE = "https://training.example.org"
ACTIVITY_BASE = SITE + "/activities/"
VERBS = "http://adlnet.gov/expapi/verbs/"
FIELDS = ["event_id", "learner_id", "learner_name", "session_id", "module_id", "task_id",
          "skill", "type", "timestamp", "score", "duration_s", "difficulty", "metadata"]
UTC = dt.timezone.utc

# ---------------------------------------------------------------- catalog

SKILLS = [
    ("hazard-id", "Hazard identification"), ("ppe", "Personal protective equipment"),
    ("lockout-tagout", "Lockout/tagout"), ("machine-operation", "Machine operation"),
    ("measurement", "Measurement and gauging"), ("defect-detection", "Defect detection"),
    ("preventive-maintenance", "Preventive maintenance"), ("troubleshooting", "Troubleshooting"),
    ("first-aid", "First aid"), ("evacuation", "Evacuation and fire response"),
]


@dataclass(frozen=True)
class Task:
    id: str
    title: str | None = None          # None: written as a plain string task
    skills: tuple[str, ...] = ()
    difficulty: int | None = None


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    pass_mark: int
    target_date: dt.date | None
    tasks: tuple[Task, ...]


def T(tid: str, title: str | None = None, skills: str = "", difficulty: int | None = None) -> Task:
    return Task(tid, title, tuple(skills.split()), difficulty)


MODULES = [
    Module("safety", "Workplace safety", 70, dt.date(2026, 10, 16), (
        T("safety-intro"),
        T("safety-hazards", "Spotting hazards", "hazard-id", 2),
        T("safety-ppe", "Choosing PPE", "ppe hazard-id", 1),
        T("safety-loto", "Lockout/tagout procedure", "lockout-tagout hazard-id", 3),
        T("safety-chemicals", "Chemical handling", "hazard-id ppe", 3),
        T("safety-audit", "Floor safety audit", "hazard-id", 4),
    )),
    Module("equipment", "Equipment operation", 70, None, (
        T("equipment-orientation"),
        T("equipment-startup", "Start-up checklist", "machine-operation", 2),
        T("equipment-controls", "Control panel", "machine-operation", 2),
        T("equipment-loto", "Isolating a machine", "lockout-tagout machine-operation", 4),
        T("equipment-changeover", "Product changeover", "machine-operation measurement", 3),
        T("equipment-fault", "Fault response", "troubleshooting machine-operation", 5),
    )),
    Module("quality", "Quality control", 75, None, (
        T("quality-basics"),
        T("quality-gauges", "Using gauges", "measurement", 2),
        T("quality-spc", "Reading SPC charts", "measurement defect-detection", 3),
        T("quality-visual", "Visual inspection", "defect-detection", 2),
        T("quality-nonconformance", "Non-conformance report", "defect-detection", 3),
        T("quality-calibration", "Gauge calibration", "measurement", 4),
        T("quality-audit", "Process audit", "defect-detection measurement", 4),
    )),
    Module("maintenance", "Preventive maintenance", 65, None, (
        T("maintenance-intro"),
        T("maintenance-lubrication", "Lubrication round", "preventive-maintenance", 1),
        T("maintenance-inspection", "Inspection checklist", "preventive-maintenance hazard-id", 2),
        T("maintenance-loto", "Maintenance lockout", "lockout-tagout", 3),
        T("maintenance-diagnosis", "Diagnosing faults", "troubleshooting preventive-maintenance", 4),
    )),
    Module("emergency", "Emergency response", 80, dt.date(2026, 12, 4), (
        T("emergency-intro"),
        T("emergency-alarm", "Raising the alarm", "evacuation", 1),
        T("emergency-evacuation", "Evacuation drill", "evacuation", 2),
        T("emergency-fire", "Fire extinguishers", "evacuation ppe", 3),
        T("emergency-first-aid", "First aid basics", "first-aid", 2),
        T("emergency-cpr", "CPR and AED", "first-aid", 4),
        T("emergency-spill", "Chemical spill response", "hazard-id ppe", 5),
        T("emergency-debrief"),
    )),
]
BY_ID = {m.id: m for m in MODULES}
CERTIFICATION = {
    "name": "Certified Line Operator", "validity_years": 2, "min_completion": 90,
    "module_scores": {"safety": 85, "equipment": 80, "emergency": 85},
    "skill_mastery": {"hazard-id": 80, "lockout-tagout": 75, "machine-operation": 75, "first-aid": 75},
}
# id, type, name, description, icon, points, requirement (a list: all must hold)
ACHIEVEMENTS = [
    ("sessions-20", "milestone", "Regular", "Complete 20 practice sessions", "🎯", 20, "sessions >= 20"),
    ("hours-10", "milestone", "Ten Hours In", "Practise for 10 hours in total", "⏳", 30, "total_hours >= 10"),
    ("halfway", "milestone", "Halfway There", "Reach 50% overall progress", "🏁", 40, "total_progress >= 50"),
    ("streak-7", "streak", "7-Day Streak", "Practise seven days in a row", "🔥", 50, "streak_days >= 7"),
    ("goal-weeks-4", "streak", "Goal Getter", "Meet the weekly goal four weeks running", "📅", 60,
     "weekly_goal_weeks >= 4"),
    ("first-mastery", "mastery", "First Mastery", "Reach 85 mastery in any skill", "⭐", 50,
     "skill_mastery[any] >= 85"),
    ("all-round-master", "mastery", "Master of All Trades", "Reach 85 mastery in every skill", "🏆", 200,
     "skill_mastery[*] >= 85"),
    ("safety-proficient", "mastery", "Safety Proficient", "Reach PROFICIENT readiness in Workplace safety",
     "🦺", 40, "module_readiness[safety] >= PROFICIENT"),
    ("challenge-5", "challenge", "Challenge Seeker", "Score 85+ five times on tasks of difficulty 4 or 5",
     "⚡", 75, "challenge_wins[4] >= 5"),
    ("on-the-rise", "improvement", "On the Rise", "Improve a skill by 10 points", "📈", 40,
     "skill_improvement[any] >= 10"),
    ("safety-complete", "completion", "Safety First", "Complete every task of Workplace safety", "✅", 50,
     "module_completion[safety] >= 100"),
    ("cert-ready", "completion", "Ready to Certify", "Meet every certification requirement", "🎓", 100,
     "certificate_progress >= 100"),
    ("first-responder", "completion", "First Responder",
     "Complete Emergency response and reach PROFICIENT readiness in it", "🚑", 80,
     ["module_completion[emergency] >= 100", "module_readiness[emergency] >= PROFICIENT"]),
]


def q(value: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML for this text)."""
    return json.dumps(value, ensure_ascii=False)


def catalog_toml() -> str:
    out = ["# Sample training catalog for progress-cli (DESIGN section 3).",
           "# Generated by sample_data/generate.py; edit that script, not this file.", "",
           "weekly_goal_minutes = 150", "streak_min_minutes = 10", "target_pace_tasks_per_week = 8", "",
           "# xAPI activity IRIs -> ids: anything under activity_base is the rest of the IRI;",
           "# `activities` maps other IRIs explicitly (and wins).",
           "[xapi]", f"activity_base = {q(ACTIVITY_BASE)}",
           'activities = { "https://lms.example.org/course/view.php?id=42" = "safety" }', ""]
    for sid, name in SKILLS:
        out += ["[[skills]]", f"id = {q(sid)}", f"name = {q(name)}", ""]
    for m in MODULES:
        out += ["[[modules]]", f"id = {q(m.id)}", f"title = {q(m.title)}", f"pass_mark = {m.pass_mark}"]
        if m.target_date:
            out.append(f"target_date = {m.target_date.isoformat()}")
        out.append("tasks = [")
        for t in m.tasks:
            if t.title is None:
                out.append(f"  {q(t.id)},")
            else:
                skills = ", ".join(q(s) for s in t.skills)
                out.append(f"  {{ id = {q(t.id)}, title = {q(t.title)}, skills = [{skills}], "
                           f"difficulty = {t.difficulty} }},")
        out += ["]", ""]
    c = CERTIFICATION
    table = lambda d: "{ " + ", ".join(f"{k} = {v}" for k, v in d.items()) + " }"  # noqa: E731
    out += ["[certification]", f"name = {q(c['name'])}", f"validity_years = {c['validity_years']}",
            f"min_completion = {c['min_completion']}", f"module_scores = {table(c['module_scores'])}",
            f"skill_mastery = {table(c['skill_mastery'])}", ""]
    for aid, kind, name, desc, icon, points, req in ACHIEVEMENTS:
        out += ["[[achievements]]", f"id = {q(aid)}", f"type = {q(kind)}", f"name = {q(name)}",
                f"description = {q(desc)}", f"icon = {q(icon)}", f"points = {points}"]
        if isinstance(req, list):
            out.append("requirements = [" + ", ".join(q(r) for r in req) + "]")
        else:
            out.append(f"requirement = {q(req)}")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- learners and habits
# A schedule maps (rng, day index, local date) to the sessions of that day:
# a list of (local start hour, possibly >= 24 for after midnight, number of attempts).

def in_burst(day: dt.date) -> Module | None:
    """The module whose target date is 1..14 days ahead (the crammer's burst), if any."""
    return next((m for m in MODULES if m.target_date and 1 <= (m.target_date - day).days <= 14), None)


def daily(p: float, h0: float, h1: float, a: int, b: int, when=lambda i, day: True):
    """With probability p on the days `when` allows: one session starting h0..h1, a..b attempts."""
    def schedule(rng, i, day):
        return [(rng.uniform(h0, h1), rng.randint(a, b))] if when(i, day) and rng.random() < p else []
    return schedule


def crammer(rng, i, day):
    if in_burst(day):
        hours = sorted(rng.sample([9.5, 13.0, 16.5, 20.5], rng.randint(2, 3)))
        return [(h + rng.uniform(0, 0.5), rng.randint(7, 9)) for h in hours]
    return [(rng.uniform(18, 21), rng.randint(2, 4))] if rng.random() < 0.1 else []


def weekend(rng, i, day):
    if day.weekday() < 5:
        return []
    second = [(rng.uniform(14, 15), rng.randint(5, 7))] if rng.random() < 0.5 else []
    return [(rng.uniform(10, 11), rng.randint(6, 8))] + second


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    zone: str
    habit: str
    schedule: object
    start: float        # expected score at the first attempt ...
    top: float          # ... rising towards this with practice
    tau: float          # attempts for ~63% of the rise
    sd: float           # noise of one score
    penalty: float      # points lost per difficulty level above 2
    practice: float     # share of attempts spent redoing tasks already passed
    review: tuple[str, ...] = ()   # modules revisited once everything is done (default: all)


LEARNERS = [  # id, name, zone, habit, schedule, start, top, tau, sd, penalty, practice[, review]
    Learner("alice", "Alice Martin", "Europe/Paris", "steady: nearly every evening, 19:00-20:30",
            daily(0.92, 19, 20.5, 4, 6), 55, 82, 70, 7, 2.5, 0.9),
    Learner("bob", "Bob Smith", "America/New_York",
            "crammer: 2-3 long sessions a day in the 14 days before a target date, rare otherwise",
            crammer, 45, 80, 60, 10, 3.0, 0.9),
    Learner("kenji", "Kenji Watanabe", "Asia/Tokyo", "plateau: scores stuck around 60-65",
            daily(0.6, 21, 22, 4, 6), 63, 63, 1, 3, 1.0, 0.2),
    Learner("dmitry", "Дмитрий Иванов", "Europe/Moscow", "night owl: starts 23:00-01:30, crosses midnight",
            daily(0.7, 23, 25.5, 5, 7, lambda i, day: day < END), 55, 82, 80, 8, 2.5, 0.92),
    Learner("zoe", "Zoë Ñúñez-Ølsen", "Europe/Oslo",
            "ready to certify: daily at 07:00, high consistent scores, all tasks done",
            daily(0.95, 7, 7.75, 6, 8), 90, 94, 100, 2.2, 0.4, 0.0, ("safety", "equipment", "emergency")),
    Learner("athena", "Αθηνά Παπαδοπούλου", "Europe/Athens", "fast improver: from ~38 to ~92",
            daily(0.75, 18, 21, 5, 7), 38, 93, 45, 6, 1.0, 0.8),
    Learner("frank", "Frank O'Connor", "America/Chicago", "weekend only: Saturday and Sunday mornings",
            weekend, 60, 80, 60, 8, 2.0, 0.88),
    Learner("lukas", "Lukas Müller", "Europe/Berlin", "dropout: active the first 3 weeks, then nothing",
            daily(0.85, 17.5, 18.5, 4, 6, lambda i, day: i < 21), 50, 70, 60, 9, 2.0, 0.3),
    Learner("priya", "Priya Raman", "Asia/Kolkata", "struggling beginner: low scores, many retries",
            daily(0.5, 20, 21, 3, 5), 30, 55, 90, 12, 3.0, 0.2),
    Learner("jose", "José García", "America/Mexico_City",
            "lunch break: short weekday sessions (some under the 10-minute streak minimum)",
            daily(0.8, 12.5, 13, 2, 3, lambda i, day: day.weekday() < 5), 65, 78, 60, 7, 2.0, 0.5),
    Learner("sam", "Sam Taylor", "UTC", "sporadic early bird: ~4 mornings a week at 06:00 (timestamps in Z)",
            daily(0.55, 6, 6.75, 4, 6), 70, 85, 70, 8, 2.5, 0.9),
    Learner("mia", "Mia Chen", "America/Los_Angeles", "returner: a month on, a 3-week break, then back",
            daily(0.8, 20.5, 21.5, 4, 6, lambda i, day: i < 30 or i >= 52), 55, 80, 60, 8, 2.0, 0.85),
]

# ---------------------------------------------------------------- events


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def stamp(t: dt.datetime, zone: ZoneInfo) -> str:
    """The local ISO 8601 time with its offset (Z for the UTC zone)."""
    text = t.astimezone(zone).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z") if str(zone) == "UTC" else text


@dataclass
class State:
    done: set[str] = field(default_factory=set)    # tasks passed so far
    attempts: int = 0


def pick_module(lr: Learner, rng: random.Random, st: State, day: dt.date) -> Module:
    burst = in_burst(day) if lr.schedule is crammer else None
    if burst and not all(t.id in st.done for t in burst.tasks):
        return burst
    todo = [m for m in MODULES if not all(t.id in st.done for t in m.tasks)]
    started = [m for m in MODULES if any(t.id in st.done for t in m.tasks)]
    if not todo:
        return BY_ID[rng.choice(lr.review)] if lr.review else rng.choice(MODULES)
    if rng.random() < 0.2:   # now and then: revisit a started module, or peek at the next one
        return rng.choice(started + todo[:2])
    return todo[0]


def session(lr: Learner, rng: random.Random, st: State, n: int, begin: dt.datetime, k: int) -> list[dict]:
    zone = ZoneInfo(lr.zone)
    module = pick_module(lr, rng, st, begin.date())
    sid = uid(f"session:{lr.id}:{n}")
    t = begin.astimezone(UTC)
    events: list[dict] = []

    def emit(kind: str, task: Task | None = None, **extra) -> None:
        events.append({
            "event_id": uid(f"event:{lr.id}:{n}:{len(events)}"), "learner_id": lr.id,
            "learner_name": lr.name, "session_id": sid, "module_id": module.id,
            "task_id": task.id if task else None, "skill": None, "type": kind, "timestamp": stamp(t, zone),
            "score": None, "duration_s": None, "difficulty": None, "metadata": None, **extra})

    emit("session_start")
    for _ in range(k):
        todo = [x for x in module.tasks if x.id not in st.done]
        passed = [x for x in module.tasks if x.id in st.done]
        if todo and not (passed and rng.random() < lr.practice):
            task = rng.choice(todo[:2])
        else:                    # practise a task already passed
            task = rng.choice(passed or module.tasks)
        level = task.difficulty or 1
        mean = lr.start + (lr.top - lr.start) * (1 - math.exp(-st.attempts / lr.tau))
        score = round(min(100.0, max(0.0, rng.gauss(mean - lr.penalty * (level - 2), lr.sd))), 1)
        duration = int(rng.uniform(60, 120) * (1 + level / 2))
        t += dt.timedelta(seconds=duration + rng.randint(10, 60))
        st.attempts += 1
        emit("attempt", task, skill=task.skills[0] if task.skills else None, score=score,
             duration_s=duration, difficulty=task.difficulty)
        if score >= module.pass_mark and task.id not in st.done:
            st.done.add(task.id)
            t += dt.timedelta(seconds=1)
            emit("task_completed", task)
            if all(x.id in st.done for x in module.tasks):
                t += dt.timedelta(seconds=1)
                emit("module_completed")
    t += dt.timedelta(seconds=rng.randint(5, 90))
    emit("session_end")
    return events


def learner_events(lr: Learner) -> list[dict]:
    rng = random.Random(f"{SEED}:{lr.id}")
    zone, st, events = ZoneInfo(lr.zone), State(), []
    n = 0
    for i in range(90):
        day = START + dt.timedelta(days=i)
        for hour, k in lr.schedule(rng, i, day):
            # wall-clock arithmetic: the offset is the zone's at the resulting local time
            begin = dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(
                minutes=int(hour * 60), seconds=rng.randint(0, 59))
            events += session(lr, rng, st, n, begin, k)
            n += 1
    return events


def statement(e: dict) -> dict:
    """The xAPI 1.0.3 statement of an event (CONTRACT.md's mapping, read backwards)."""
    verb = {"attempt": "answered", "task_completed": "completed", "module_completed": "completed",
            "session_start": "initialized", "session_end": "terminated"}[e["type"]]
    module = {"objectType": "Activity", "id": ACTIVITY_BASE + e["module_id"]}
    s = {"id": e["event_id"],
         "actor": {"objectType": "Agent", "name": e["learner_name"],
                   "account": {"homePage": SITE, "name": e["learner_id"]}},
         "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
         "object": module}
    context: dict = {"registration": e["session_id"]}
    if e["task_id"]:
        s["object"] = {"objectType": "Activity", "id": ACTIVITY_BASE + e["task_id"]}
        context["contextActivities"] = {"parent": [module]}
    result: dict = {}
    if e["score"] is not None:
        result["score"] = {"scaled": e["score"] / 100, "raw": e["score"], "min": 0, "max": 100}
    if e["duration_s"] is not None:
        result["duration"] = f"PT{e['duration_s']}S"
    if e["type"] in ("task_completed", "module_completed"):
        result["completion"] = True
    if result:
        s["result"] = result
    ext = {f"urn:progress-cli:{k}": e[k] for k in ("skill", "difficulty") if e[k] is not None}
    if ext:
        context["extensions"] = ext
    s["context"] = context
    s["timestamp"] = e["timestamp"]
    return s


def voiding(events: list[dict]) -> dict:
    """Void one failed attempt of the plateau learner (kenji): the middle one, deterministically."""
    failed = [e for e in events if e["learner_id"] == "kenji" and e["type"] == "attempt"
              and e["score"] < BY_ID[e["module_id"]].pass_mark]
    target = failed[len(failed) // 2]
    return {"id": uid("void:" + target["event_id"]),
            "actor": {"objectType": "Agent", "name": "Training Admin",
                      "account": {"homePage": SITE, "name": "training-admin"}},
            "verb": {"id": VERBS + "voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target["event_id"]},
            "timestamp": f"{END.isoformat()}T12:00:00Z"}


def main() -> None:
    (OUT / "catalog.toml").write_text(catalog_toml(), encoding="utf-8")
    per_learner = {lr.id: learner_events(lr) for lr in LEARNERS}
    events = sorted((e for evs in per_learner.values() for e in evs),
                    key=lambda e: (dt.datetime.fromisoformat(e["timestamp"]).astimezone(UTC), e["learner_id"]))
    with open(OUT / "events.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    with open(OUT / "events.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        w.writerows([("" if e[k] is None else e[k]) for k in FIELDS] for e in events)
    statements = [statement(e) for e in events] + [voiding(events)]
    with open(OUT / "events.xapi.json", "w", encoding="utf-8", newline="\n") as f:
        f.write("[\n" + ",\n".join(json.dumps(s, ensure_ascii=False) for s in statements) + "\n]\n")
    for lr in LEARNERS:
        print(f"{lr.id:8} {lr.zone:20} {len(per_learner[lr.id]):5}  {lr.name}")
    print(f"total    {len(events)} events, {len(statements)} xAPI statements")


if __name__ == "__main__":
    main()
