"""Learning patterns (DESIGN 5.5) on series whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from progress_cli.analytics import patterns as pt
from progress_cli.analytics.insights import LearnerView, learner_patterns, peak_times
from progress_cli.catalog import Catalog, Module, Task


# -- peak hours and weekdays -------------------------------------------------------------------

def test_peak_hours_are_the_top_three_by_practice_time():
    hours = np.array([9, 9, 18, 18, 18, 7, 21])
    practice = np.array([600, 600, 300, 300, 300, 1800, 60], dtype=float)  # 9h: 20 min, 18h: 15, 7h: 30, 21h: 1
    scores = np.array([80, np.nan, 60, 70, np.nan, 90, 50])
    top = pt.peak_hours(hours, practice, scores)
    assert [h["hour"] for h in top] == [7, 9, 18]
    assert top[0] == {"hour": 7, "practice_minutes": 30.0, "share": 1800 / 3960, "mean_score": 90.0}
    assert top[1]["mean_score"] == 80.0  # the unscored event does not count
    assert top[2]["practice_minutes"] == 15.0 and top[2]["mean_score"] == 65.0


def test_peak_hours_ties_go_to_the_earlier_hour_and_empty_hours_are_left_out():
    top = pt.peak_hours(np.array([22, 6, 14, 3]), np.array([60.0, 60.0, 60.0, 0.0]))
    assert [h["hour"] for h in top] == [6, 14, 22]
    assert pt.peak_hours(np.array([5, 6]), np.array([0.0, 0.0])) == []
    assert pt.peak_hours(np.array([], dtype=int), np.array([])) == []


def test_peak_weekdays_name_the_days():
    top = pt.peak_weekdays(np.array([0, 6, 6]), np.array([60.0, 60.0, 60.0]))
    assert [(d["weekday"], d["iso_weekday"], d["practice_minutes"]) for d in top] == [
        ("Sunday", 7, 2.0), ("Monday", 1, 1.0)]


def test_peak_hours_are_local_hours_of_the_zone(kit):
    # Sessions at 10:00Z (19:00 in Tokyo, summer and winter alike: no DST) for 40 min, and
    # one at 23:30Z (08:30 next day in Tokyo) for 10 min; durations given per event.
    rows = []
    for day in range(1, 6):
        rows.append({"ts": f"2026-03-0{day}T10:00:00Z", "session_id": f"s{day}", "score": 80, "duration_s": 2400})
    rows.append({"ts": "2026-03-06T23:30:00Z", "session_id": "late", "score": 60, "duration_s": 600})
    tokyo = LearnerView(kit.run(rows, tz="Asia/Tokyo"), "alice")
    found = peak_times(tokyo)
    assert [h["hour"] for h in found["peak_hours"]] == [19, 8]
    assert found["peak_hours"][0]["practice_minutes"] == 200.0
    # 2026-03-06 23:30Z is Saturday 08:30 in Tokyo; the five 19:00 sessions are Mon..Fri.
    assert found["peak_weekdays"][0]["practice_minutes"] == 40.0
    assert {d["weekday"] for d in found["peak_weekdays"]} <= {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
    utc = peak_times(LearnerView(kit.run(rows, tz="UTC"), "alice"))
    assert [h["hour"] for h in utc["peak_hours"]] == [10, 23]


# -- sessions, time consistency, engagement ---------------------------------------------------

def test_session_length_in_minutes():
    assert pt.session_length(np.array([600.0, 1200.0, 3600.0])) == {
        "sessions": 3, "average_minutes": 30.0, "median_minutes": 20.0}
    assert pt.session_length(np.array([])) == {"sessions": 0, "average_minutes": None, "median_minutes": None}


def test_time_consistency_on_the_24_hour_clock():
    same = pt.time_consistency(np.array([19 * 60, 19 * 60, 19 * 60]))
    assert same["score"] == pytest.approx(1.0) and same["typical_start"] == "19:00"
    # 23:30 and 00:30 average to midnight, not noon
    midnight = pt.time_consistency(np.array([23 * 60 + 30, 30]))
    assert midnight["typical_start"] == "00:00"
    assert midnight["score"] == pytest.approx(np.cos(np.pi / 24))  # two points 1 hour apart
    opposite = pt.time_consistency(np.array([0, 12 * 60]))
    assert opposite["score"] == pytest.approx(0.0, abs=1e-12) and opposite["typical_start"] is None
    assert pt.time_consistency(np.array([600])) == {"score": None, "typical_start": None, "sessions": 1}


def test_engagement_sessions_per_week_and_gaps():
    # Active on days 100, 101, 105 and 120; today is 126; 6 sessions.
    out = pt.engagement(np.array([100, 100, 101, 105, 120, 120]), np.array([100, 101, 105, 120]), 126)
    assert out["sessions"] == 6 and out["active_days"] == 4
    assert out["weeks"] == pytest.approx(27 / 7)
    assert out["sessions_per_week"] == pytest.approx(6 / (27 / 7))
    assert out["longest_gap_days"] == 14  # days 106..119
    assert out["current_gap_days"] == 6
    # A learner who began 3 days ago is not credited with a weekly rate from 3 days.
    assert pt.engagement(np.array([10, 11, 12]), np.array([10, 11, 12]), 12)["sessions_per_week"] == 3.0
    # The current gap counts when it is the longest.
    assert pt.engagement(np.array([1]), np.array([1]), 31)["longest_gap_days"] == 30
    assert pt.engagement(np.array([]), np.array([]), 5)["longest_gap_days"] is None


# -- plateaus -----------------------------------------------------------------------------------

FLAT = [70, 71, 69, 70, 71, 69, 70, 71]  # rolling means 70.2, 70, 69.8, 70.2: spread 0.4


def test_a_plateau_of_exactly_eight_attempts():
    scores = [30, 45, 55] + FLAT + [80, 95]
    assert pt.plateaus(np.array(scores, dtype=float)) == [{
        "first_attempt": 4, "last_attempt": 11, "attempts": 8, "mean": pytest.approx(70.125),
        "spread": pytest.approx(0.4)}]


def test_seven_flat_attempts_are_no_plateau():
    assert pt.plateaus(np.array([30, 45, 55] + FLAT[:7] + [95], dtype=float)) == []


def test_a_plateau_must_stay_below_85():
    assert pt.plateaus(np.array([86.0] * 12)) == []
    assert pt.plateaus(np.array([85.0] * 12)) == []  # "below 85": 85 itself is not
    assert pt.plateaus(np.array([84.9] * 12))[0]["attempts"] == 12


def test_the_rolling_mean_must_move_by_less_than_two_points():
    # Means 70 then 72 (spread exactly 2): not a plateau; 79.9 gives 71.98: a plateau.
    assert pt.plateaus(np.array([70.0] * 5 + [80.0] + [70.0] * 2)) == []
    found = pt.plateaus(np.array([70.0] * 5 + [79.9] + [70.0] * 2))
    assert len(found) == 1 and found[0]["attempts"] == 8 and found[0]["spread"] == pytest.approx(1.98)


def test_plateaus_do_not_overlap_and_the_longest_run_wins():
    scores = np.array([60.0] * 20)
    assert pt.plateaus(scores) == [{"first_attempt": 1, "last_attempt": 20, "attempts": 20, "mean": 60.0,
                                    "spread": 0.0}]


# -- breakthroughs ------------------------------------------------------------------------------

def test_a_ten_point_rise_within_five_attempts():
    # Rolling means: 50, 50 (attempts 5, 6), then 54, 58, 62, 66, 70: at attempt 9 the mean
    # is 12 above attempt 5's, 4 attempts earlier; the climb goes on to 70 at attempt 11.
    found = pt.breakthroughs(np.array([50.0] * 6 + [70.0] * 5))
    assert found == [{"first_attempt": 5, "last_attempt": 11, "from": 50.0, "to": pytest.approx(70.0),
                      "rise": pytest.approx(20.0)}]
    # Exactly 10 points within 5 attempts (50 -> 60 over attempts 5..10) counts.
    found = pt.breakthroughs(np.array([50.0] * 5 + [60.0] * 5))
    assert [(b["first_attempt"], b["last_attempt"], b["rise"]) for b in found] == [(5, 10, pytest.approx(10.0))]


def test_a_rise_just_under_ten_points_is_no_breakthrough():
    assert pt.breakthroughs(np.array([50.0] * 6 + [59.9] * 5)) == []


def test_a_slow_rise_is_no_breakthrough():
    # One point per attempt: the rolling mean rises 5 points over 5 attempts, never 10.
    assert pt.breakthroughs(np.arange(40.0, 80.0)) == []


def test_one_steep_climb_is_one_breakthrough_and_a_later_one_is_another():
    scores = np.array([40.0] * 5 + [80.0] * 10 + [40.0] * 5 + [60.0] * 5)
    found = pt.breakthroughs(scores)
    assert [(b["first_attempt"], b["last_attempt"], b["from"], b["to"]) for b in found] == [
        (5, 10, 40.0, 80.0), (20, 25, 40.0, 60.0)]


def test_rolling_mean_window_five():
    means = pt.rolling_mean(np.array([1.0, 2, 3, 4, 5, 6]))
    assert np.isnan(means[:4]).all() and list(means[4:]) == [3.0, 4.0]


# -- optimal difficulty -------------------------------------------------------------------------

def test_optimal_difficulty_is_the_success_rate_nearest_85_percent():
    difficulty = np.array([1] * 4 + [2] * 4 + [3] * 5 + [4] * 2, dtype=float)
    success = np.array([1, 1, 1, 1] + [1, 1, 1, 0] + [1, 1, 1, 1, 0] + [1, 1], dtype=bool)
    out = pt.optimal_difficulty(difficulty, success)
    assert (out["difficulty"], out["success_rate"], out["attempts"]) == (3, 0.8, 5)
    assert out["by_difficulty"][-1] == {"difficulty": 4, "attempts": 2, "success_rate": 1.0}  # listed, not judged
    assert out["reason"] is None


def test_optimal_difficulty_tie_goes_to_the_harder_level():
    difficulty = np.array([2] * 10 + [3] * 10, dtype=float)
    success = np.array([1] * 9 + [0] + [1] * 8 + [0] * 2, dtype=bool)  # 90% and 80%
    assert pt.optimal_difficulty(difficulty, success)["difficulty"] == 3


def test_optimal_difficulty_without_enough_data_is_null_with_a_reason():
    out = pt.optimal_difficulty(np.array([np.nan, np.nan]), np.array([True, False]))
    assert out["difficulty"] is None and out["reason"] == "no attempts with a known difficulty"
    out = pt.optimal_difficulty(np.array([2.0, 2.0]), np.array([True, False]))
    assert out["difficulty"] is None and "3 or more attempts" in out["reason"]


def test_difficulty_comes_from_the_catalog_task_when_the_event_has_none(kit):
    catalog = Catalog(modules=(Module("m1", "M1", tasks=(Task("t1", "T1", difficulty=4),)),))
    rows = kit.attempts([90, 90, 90, 50], task_id="t1")
    view = LearnerView(kit.run(rows, catalog=catalog), "alice")
    from progress_cli.analytics.curve import CurveFit

    found = learner_patterns(view, {"overall": CurveFit(attempts=4, reason="not enough data"),
                                    "s": CurveFit(attempts=0)})
    assert found["optimal_difficulty"]["difficulty"] == 4
    assert found["optimal_difficulty"]["success_rate"] == 0.75


# -- the recommendations read off the patterns ---------------------------------------------------

def test_plateau_and_best_hours_rules_in_the_status_recommendations():
    from progress_cli.analytics.recommend import recommendations

    plateau = {"skill": "ppe", "first_attempt": 15, "last_attempt": 32, "attempts": 18, "mean": 65.2, "spread": 1.5}
    hours = [{"hour": 19, "practice_minutes": 600.0, "share": 0.6, "mean_score": 81.0},
             {"hour": 20, "practice_minutes": 200.0, "share": 0.2, "mean_score": None}]
    out = recommendations(catalog=Catalog(weekly_goal_minutes=0), modules=[], skills=[], weaknesses=[],
                          streak_days=3, last_active_day=None, week_minutes=0, plateaus=[plateau], peak_hours=hours)
    assert [(r["priority"], r["skill"]) for r in out] == [("medium", "ppe"), ("low", None)]
    assert out[0]["reason"].startswith("stuck around 65 for the last 18 attempts")
    assert out[1]["reason"] == ("your best hours: 80% of your practice falls in the hours 19:00, 20:00 "
                                "(mean score 81 at 19:00); plan the next sessions then")
    # Without them (the callers that predate the patterns), nothing changes.
    assert recommendations(catalog=Catalog(weekly_goal_minutes=0), modules=[], skills=[], weaknesses=[],
                           streak_days=3, last_active_day=None, week_minutes=0) == []


@pytest.mark.parametrize("rates, expected", [
    ({2: 0.8, 3: 0.5}, "practise at difficulty 2: 80% of your 10 attempts at difficulty 2 passed"),
    ({1: 0.3, 2: 0.1}, "30% of your 10 attempts at difficulty 1 passed and no level you practise comes nearer 85%: "
                       "review the material"),
    ({4: 1.0, 5: 1.0}, "100% of your 10 attempts at difficulty 5 passed and no level you practise comes nearer "
                       "85%, so practice teaches little: move on to harder tasks"),
])
def test_the_difficulty_recommendation(rates, expected):
    from progress_cli.analytics.insights import difficulty_recommendation

    difficulty = np.repeat(list(rates), 10).astype(float)
    success = np.concatenate([np.arange(10) < round(r * 10) for r in rates.values()])
    rec = difficulty_recommendation(pt.optimal_difficulty(difficulty, success), 20)
    assert rec["reason"].startswith(expected) and rec["priority"] == "medium" and rec["estimated_minutes"] == 20


@pytest.mark.parametrize("between, merged", [(6, True), (7, True), (8, False), (9, False)])
def test_plateaus_fewer_than_eight_attempts_apart_are_one(between, merged):
    # Ten attempts at 60, `between` attempts at 95 (above the ceiling: no plateau there),
    # ten attempts at 62. Apart by 7 or fewer: one plateau over the whole span, stuck around
    # the 20 flat scores' mean, 61; the rolling means of its stretches are 60 and 62.
    scores = np.array([60.0] * 10 + [95.0] * between + [62.0] * 10)
    found = pt.plateaus(scores)
    if merged:
        assert found == [{"first_attempt": 1, "last_attempt": 20 + between, "attempts": 20 + between,
                          "mean": pytest.approx(61.0), "spread": pytest.approx(2.0)}]
    else:
        assert found == [
            {"first_attempt": 1, "last_attempt": 10, "attempts": 10, "mean": 60.0, "spread": 0.0},
            {"first_attempt": 11 + between, "last_attempt": 20 + between, "attempts": 10, "mean": 62.0,
             "spread": 0.0}]


def test_a_chain_of_close_stretches_is_one_plateau():
    # Three flat stretches, 3 and 5 attempts apart: one plateau from the first to the last.
    scores = np.array([60.0] * 8 + [90.0] * 3 + [61.0] * 9 + [90.0] * 5 + [60.0] * 8)
    assert [(p["first_attempt"], p["last_attempt"], p["attempts"]) for p in pt.plateaus(scores)] == [(1, 33, 33)]
