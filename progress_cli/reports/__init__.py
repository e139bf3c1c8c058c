"""Reports (DESIGN 7): one report object per learner and period, and the chart data every
renderer draws. Pure like `analytics`: frames and an as-of time in, plain dicts out.

- periods.py: `--week` / `--month` values -> a Period (stdlib only, cheap to import);
- build.py: the report objects of many learners from two analyses;
- figures.py: what happened inside the period; charts.py: the chart data; goals.py: next
  week's goals.
Submodules are imported explicitly, so importing `periods` does not load pandas.
"""
