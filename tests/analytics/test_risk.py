"""The risk of DESIGN 5.7: the model's arithmetic, its reasons, the tasks due, and the inputs
read off an analysis, each checked against figures worked out by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from progress_cli.analytics import analyze
from progress_cli.analytics.risk import ModulePeers, RiskInputs, due_tasks, learner_risk, module_risk
from progress_cli.analytics.risk_inputs import risk_inputs
from progress_cli.catalog import parse_catalog

TODAY = dt.date(2026, 3, 10)


def inputs(**changes) -> RiskInputs:
    base = dict(learner_id="ana", module_id="m", today=TODAY, target_date=dt.date(2026, 6, 30), tasks_total=8,
                completed_tasks=3, due=4, due_not_started=2, recent_score=60.0, pass_mark=70.0, idle_days=9,
                practice_minutes=150.0, goal_minutes=600.0)
    return RiskInputs(**(base | changes))


def logistic(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_risk_is_the_documented_logistic_model():
    # -0.0925 + 4.4408 x 2/4 - 0.4963 x (60 - 70)/10 + 0.2298 x ln(1 + 9) + 0.5 x (1 - 150/600)
    z = -0.0925 + 4.4408 * 0.5 + 0.4963 + 0.2298 * math.log(10) + 0.5 * 0.75
    assert module_risk(inputs())["risk"] == pytest.approx(logistic(z), abs=1e-12)
    # Unknown practice (no practice time in the learner's events) and no score yet are neutral.
    neutral = module_risk(inputs(practice_minutes=None, recent_score=None, due=0, due_not_started=0, idle_days=0))
    assert neutral["risk"] == pytest.approx(logistic(-0.0925), abs=1e-12)


def test_reasons_are_the_inputs_that_raise_the_risk_most_in_words_with_numbers():
    r = module_risk(inputs())
    # pushes above an on-track learner: not started 2.22, score 0.99, practice 0.375, idle
    # 0.2298 x (ln 10 - ln 8) = 0.05 (under 0.2: no reason)
    assert r["reasons"] == ["2 of 4 due tasks not started", "recent scores 60, pass mark 70",
                            "150 of 600 min practised in 4 weeks"]
    # idle 0.2298 x (ln 31 - ln 8) = 0.311 before score 0.4963 x (10 - 5)/10 = 0.248
    assert module_risk(inputs(due_not_started=0, recent_score=75.0, practice_minutes=600.0, idle_days=30))["reasons"] == [
        "no activity in 30 days", "recent scores 75, only 5 above the pass mark"]
    # a mean above the pass mark by less than half a point reads "at" it, not "only 0 above";
    # score 0.4963 x (10 - 0.4)/10 = 0.476 before idle 0.311
    assert module_risk(inputs(due_not_started=0, recent_score=70.4, practice_minutes=600.0, idle_days=30))["reasons"] == [
        "recent scores 70, at the pass mark", "no activity in 30 days"]
    on_track = module_risk(inputs(due_not_started=0, recent_score=95.0, practice_minutes=700.0, idle_days=1))
    assert on_track["reasons"] == []
    assert on_track["risk"] == pytest.approx(logistic(-0.0925 - 0.4963 * 2.5 + 0.2298 * math.log(2)), abs=1e-12)


def test_a_target_date_that_has_passed_unfinished_is_certain():
    r = module_risk(inputs(target_date=dt.date(2026, 3, 9)))
    assert r == {"module_id": "m", "risk": 1.0, "target_date": "2026-03-09",
                 "reasons": ["target date 2026-03-09 passed with 3 of 8 tasks done"]}
    assert module_risk(inputs(target_date=TODAY))["risk"] < 1.0  # the day itself still counts


def test_due_tasks_by_peers_then_by_time():
    tasks = ["t1", "t2", "t3", "t4", "t5"]
    peers = ModulePeers(learners=6, first_day=dt.date(2026, 1, 1), task_learners={"t1": 6, "t2": 3, "t3": 2, "x": 6})
    assert due_tasks(tasks, peers, TODAY, None, ordered=True) == {"t1", "t2"}  # 3 of 6 is half: due
    few = ModulePeers(learners=4, first_day=dt.date(2026, 1, 1), task_learners={"t1": 4})
    # 68 of 100 days from the first event to the target: floor(0.68 x 5) = 3 tasks due
    assert due_tasks(tasks, few, TODAY, dt.date(2026, 4, 11), ordered=True) == {"t1", "t2", "t3"}
    # no target date: 12 weeks from today; 68 / (68 + 84) x 5 = 2.2
    assert due_tasks(tasks, few, TODAY, None, ordered=True) == {"t1", "t2"}
    assert due_tasks(tasks, few, TODAY, None, ordered=False) == set()
    assert due_tasks(tasks, None, TODAY, None, ordered=True) == set()


def test_a_learners_risk_is_their_highest_module():
    assert learner_risk([]) == {"risk": None, "at_risk": False, "module_id": None, "reasons": []}
    modules = [{"module_id": "a", "risk": 0.4, "reasons": ["x"]}, {"module_id": "b", "risk": 0.5, "reasons": ["y"]},
               {"module_id": "c", "risk": 0.5, "reasons": ["z"]}]
    assert learner_risk(modules) == {"risk": 0.5, "at_risk": True, "module_id": "b", "reasons": ["y"]}
    assert learner_risk(modules[:1])["at_risk"] is False


CATALOG = parse_catalog("""
weekly_goal_minutes = 60
[[modules]]
id = "m"
pass_mark = 70
target_date = 2026-06-30
tasks = ["t1", "t2", "t3", "t4"]
""", source="test")


def _event(learner, task, day, score=None, minutes=None, kind="attempt"):
    return {"event_id": f"{learner}-{task}-{day}-{score}", "learner_id": learner, "session_id": None, "module_id": "m",
            "task_id": task, "skill": None, "type": kind,
            "ts": pd.Timestamp(f"2026-03-{day:02d}T10:00:00Z"), "score": score,
            "duration_s": None if minutes is None else minutes * 60.0, "difficulty": None}


def test_inputs_read_off_an_analysis():
    events = [_event("ana", "t1", d, s) for d, s in ((1, 50), (2, 80), (3, 60), (4, 62), (5, 64), (6, 66))]
    events += [_event("ana", "t2", 1, 90, minutes=30)]  # the session's only duration: 30 min
    events += [_event("ben", "t1", 9, kind="viewed")]  # started, nothing scored, no practice time
    events += [_event("cat", t, 2, 95) for t in ("t1", "t2", "t3", "t4")]  # finished: no risk
    frame = pd.DataFrame(events)
    as_of = dt.datetime(2026, 3, 10, 23, 59, tzinfo=dt.timezone.utc)
    peers = {"m": ModulePeers(learners=5, first_day=dt.date(2026, 3, 1), task_learners={"t1": 5, "t2": 3, "t3": 1})}
    found = {x.learner_id: x for x in risk_inputs(analyze(frame, CATALOG, "UTC", as_of), peers)}
    assert set(found) == {"ana", "ben"}
    ana, ben = found["ana"], found["ben"]
    assert (ana.due, ana.due_not_started, ana.completed_tasks, ana.tasks_total) == (2, 0, 2, 4)
    # attempts in order: 50 and 90 (day 1, by event id), 80, 60, 62, 64, 66: the last five
    assert ana.recent_score == pytest.approx((80 + 60 + 62 + 64 + 66) / 5)
    assert ana.idle_days == 4  # last event on the 6th, today the 10th
    assert ana.practice_minutes == pytest.approx(30.0) and ana.goal_minutes == 240.0
    assert (ben.due, ben.due_not_started, ben.recent_score, ben.idle_days, ben.practice_minutes) == (2, 1, None, 1, None)
