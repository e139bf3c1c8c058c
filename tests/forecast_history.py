"""A history whose completion-forecast calibration can be worked out by hand.

One module `m1` of 4 tasks, pass mark 70. Every learner practises once a day (one attempt
at 09:00 UTC) from their start day S on: t1, t2 and t3 are passed on S, S+1 and S+2; then t4
is failed every day until it is passed on S + 2 + d, the finish.

The replayed forecasts (analytics/calibration.py) cut on days whose number is a multiple of
7. S is chosen with S = 3 (mod 7), so the only cut before a finish with d <= 9 is S + 4:
5 active days in the window (S..S+4, the first day of activity bounds it), 3 tasks done on
3 distinct days, 1 left: the estimate is ceil(1 x 5 / 3) = 2 days, the actual time
(S + 2 + d) - (S + 4) = d - 2 days, the ratio (d - 2) / 2. The next cut, S + 11, is not
before the finish. Every such learner is one past completion (of m1, and of the whole
catalog, which is m1), with one sample.

The learner `now` starts on S + 14 and follows the same routine without passing t4; as of
the end of day S + 22 (`AS_OF`) the window holds 9 active days with 3 tasks done on 3 days:
the estimate is ceil(1 x 9 / 3) = 3 days.
"""

from __future__ import annotations

import datetime as dt

EPOCH = dt.date(1970, 1, 1)
BASE = dt.date(2026, 3, 2)
START = BASE + dt.timedelta(days=(3 - (BASE - EPOCH).days) % 7)  # S: day number = 3 (mod 7)
NOW_START = START + dt.timedelta(days=14)
AS_OF = NOW_START + dt.timedelta(days=8)
CATALOG_TOML = """
[[modules]]
id = "m1"
title = "Module one"
pass_mark = 70
tasks = ["t1", "t2", "t3", "t4"]
"""


def finish_gaps(learners: int) -> list[int]:
    """d for each history learner: 5 learners at d = 3 and 5 at d = 9, the rest spread over
    4..8. Sorted ratios (d - 2) / 2 then start with five 0.5 and end with five 3.5, so for
    30 to 40 learners the 10th percentile is 0.5 and the 90th is 3.5 however they are
    interpolated."""
    middle = [4 + i % 5 for i in range(learners - 10)]
    return [3] * 5 + middle + [9] * 5


def events(learners: int) -> list[dict]:
    """The event records (as `progress import` reads them) of `learners` history learners and `now`."""
    rows: list[dict] = []
    for i, d in enumerate(finish_gaps(learners)):
        rows += _routine(f"h{i:02d}", START, 3 + d)
    rows += _routine("now", NOW_START, 9, finish=False)
    return rows


def _routine(learner: str, start: dt.date, days: int, finish: bool = True) -> list[dict]:
    out = []
    for k in range(days):
        task, score = (f"t{k + 1}", 90.0) if k < 3 else ("t4", 90.0 if finish and k == days - 1 else 50.0)
        day = start + dt.timedelta(days=k)
        out.append({"event_id": f"{learner}-{k}", "learner_id": learner, "module_id": "m1", "task_id": task,
                    "type": "attempt", "timestamp": f"{day.isoformat()}T09:00:00Z", "score": score})
    return out


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days
