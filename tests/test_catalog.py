"""The catalog loader: DESIGN section 3's schema, errors that name the file and the key."""

import datetime as dt

import pytest

from progress_cli.catalog import load_catalog, parse_catalog
from progress_cli.errors import CatalogError
from tests.conftest import SAMPLE

GOOD = """
weekly_goal_minutes = 150
streak_min_minutes = 0
target_pace_tasks_per_week = 10

[[skills]]
id = "hazard-id"
name = "Hazard identification"

[[modules]]
id = "safety"
title = "Workplace safety"
pass_mark = 70
target_date = 2027-03-31
tasks = [
  "safety-intro",
  { id = "safety-quiz-1", title = "Quiz 1", skills = ["hazard-id"], difficulty = 2 },
]

[certification]
name = "Certified Operator"
validity_years = 2
min_completion = 80
module_scores = { safety = 80 }
skill_mastery = { hazard-id = 70 }

[[achievements]]
id = "streak-7"
type = "streak"
name = "7-Day Streak"
description = "Practise seven days in a row"
icon = "🔥"
points = 50
requirement = "streak_days >= 7"
"""


def test_design_example_loads_exactly():
    c = parse_catalog(GOOD, "c.toml")
    assert c.weekly_goal_minutes == 150 and c.streak_min_minutes == 0
    (m,) = c.modules
    assert (m.id, m.title, m.pass_mark, m.target_date) == ("safety", "Workplace safety", 70, dt.date(2027, 3, 31))
    assert [t.id for t in m.tasks] == ["safety-intro", "safety-quiz-1"]
    assert m.tasks[1].skills == ("hazard-id",) and m.tasks[1].difficulty == 2
    assert c.certification.module_scores == {"safety": 80} and c.certification.skill_mastery == {"hazard-id": 70}
    (a,) = c.achievements
    req = a.requirements[0]
    assert (a.points, a.icon, req.metric, req.op, req.value) == (50, "🔥", "streak_days", ">=", 7.0)


def test_defaults_without_optional_keys():
    c = parse_catalog('[[modules]]\nid = "m"\n')
    assert c.weekly_goal_minutes == 150 and c.modules[0].pass_mark == 70 and c.certification is None


@pytest.mark.parametrize("text, needle", [
    ('weekly_goal_minute = 3', "weekly_goal_minute: unknown key"),
    ('[[modules]]\nid = "m"\npassmark = 3', "modules[0].passmark: unknown key"),
    ('[[modules]]\ntitle = "no id"', "modules[0].id: is required"),
    ('[[modules]]\nid = "m"\npass_mark = 140', "modules[0].pass_mark: must be between 0 and 100"),
    ('[[modules]]\nid = "m"\ntasks = [{ id = "t", dificulty = 2 }]', "modules[0].tasks[0].dificulty: unknown key"),
    ('[[modules]]\nid = "m"\n[[modules]]\nid = "m"', "modules: duplicate id 'm'"),
    ('[certification]\nmodule_scores = { nope = 80 }\n[[modules]]\nid = "m"', "certification.module_scores.nope: unknown module"),
    ('[[achievements]]\nid = "a"\nrequirement = "streak_dayz >= 7"', "achievements.a.requirement: unknown metric 'streak_dayz'"),
    ('[[achievements]]\nid = "a"\nrequirement = "streak_days >="', "achievements.a.requirement: cannot read"),
    ('[[achievements]]\nid = "a"\nrequirement = "module_readiness[m] >= EXPERT"', "readiness must be one of"),
    ('[[achievements]]\nid = "a"\ntype = "badge"\nrequirement = "sessions >= 1"', "achievements.a.type: must be one of"),
    ('x = [', "invalid TOML"),
])
def test_errors_name_file_and_key(text, needle):
    with pytest.raises(CatalogError) as err:
        parse_catalog(text, "my.toml")
    assert str(err.value).startswith("my.toml: ")
    assert needle in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogError, match="nope.toml: catalog file not found"):
        load_catalog(tmp_path / "nope.toml")


def test_sample_catalog_loads():
    c = load_catalog(SAMPLE / "catalog.toml")
    assert len(c.modules) >= 5 and c.certification is not None
    assert {a.type for a in c.achievements} >= {"milestone", "streak", "mastery", "challenge", "improvement", "completion"}
