"""`progress import --format caliper` (DESIGN section 2, the Caliper paragraph).

The fixtures in tests/fixtures/caliper/ are ours, written in the shapes of the Caliper 1.0,
1.1 and 1.2 specifications' examples; every expected row below is read off the fixture by hand.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from progress_cli.ingest import sources
from tests.conftest import FIXTURES

CALIPER = FIXTURES / "caliper"
EDU = "https://lms.example.edu"
SECTION = f"{EDU}/terms/2026/courses/safety/sections/1"
QUIZ = f"{SECTION}/assess/quiz-1"
LEARNER = f"{EDU}/users/554433"
SESSION = f"{EDU}/sessions/1f6442a482de72ea6ad134943812bff564a76259"
COLUMNS = "event_id, learner_id, session_id, module_id, task_id, type, timestamp, score, duration_s"


def copy(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    dst = tmp_path / (name or src.name)
    dst.write_bytes(src.read_bytes())
    return dst


def stored(sql) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in sql(f"select {COLUMNS} from events")}


def rejects_of(path: Path) -> list[dict]:
    target = path.with_name(path.name + ".rejects.jsonl")
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()] if target.exists() else []


@pytest.mark.both_backends
def test_an_envelope_maps_as_the_design_says(cli, sql, tmp_path):
    path = copy(CALIPER / "envelope_v1p2.json", tmp_path)
    out = cli.json("import", path)["files"][0]
    # 6 events; the CourseSection and Assessment describes are entities, not rows
    assert (out["format"], out["read"], out["inserted"], out["rejected"], out["skipped"]) == ("caliper", 6, 6, 0, 0)
    assert stored(sql) == {
        "urn:uuid:3a648e68-f00d-4c08-aa59-8738e1884f2c":  # LoggedIn, course from `group`
            (LEARNER, SESSION, SECTION, None, "session_start", "2026-03-02T09:00:00.000000Z", None, None),
        "urn:uuid:ff9ec22a-fc59-4ae1-ae8d-2c9463ee2f8f":  # page isPartOf the section, described later
            (LEARNER, SESSION, SECTION, None, "navigatedto", "2026-03-02T09:01:30.250000Z", None, None),
        "urn:uuid:7e10e4f3-a0d8-4430-95bd-783ffae4d916":  # object given by id: the described Assessment
            (LEARNER, SESSION, SECTION, QUIZ, "started", "2026-03-02T09:05:00.000000Z", None, None),
        "urn:uuid:a50ca17f-5971-47bb-8fca-4e6e6879001d":  # graded by the autograder: learner = assignee; 7 / 8
            (LEARNER, None, SECTION, QUIZ, "attempt", "2026-03-02T09:09:31.000000Z", 87.5, 270.0),
        "urn:uuid:c9a1b2f0-45de-4d55-9e0a-0e4c1b77a001":  # scoreGiven without maxScore: activity, no score
            (LEARNER, None, SECTION, QUIZ, "graded", "2026-03-02T09:20:00.000000Z", None, None),
        "urn:uuid:c5b2f9a4-0f2d-4bba-8d0e-7d1f0a0c5e11":
            (LEARNER, SESSION, SECTION, None, "session_end", "2026-03-02T09:30:00.000000Z", None, None),
    }
    # the grader is not a learner; the name comes with the embedded Person
    assert sql("select learner_id, name from learners") == [(LEARNER, "Zoë Παπαδοπούλου")]


def test_caliper_1_0_at_id_at_type_and_iris(cli, sql, tmp_path):
    path = copy(CALIPER / "events_v1p0.json", tmp_path)
    out = cli.json("import", path)["files"][0]
    assert (out["format"], out["read"], out["inserted"]) == ("caliper", 2, 2)
    course = "https://example.edu/politicalScience/2015/american-revolution-101"
    learner = "https://example.edu/user/554433"
    assert stored(sql) == {
        "urn:uuid:9b4c7a20-1b8a-4a3b-9c21-2f3c0e9d0a10":
            (learner, None, course + "/section/001", None, "navigatedto", "2015-09-15T10:15:00.000000Z", None, None),
        # OutcomeEvent: the learner is the attempt's actor; totalScore alone is no 0..100 score
        "urn:uuid:9b4c7a20-1b8a-4a3b-9c21-2f3c0e9d0a11":
            (learner, None, course + "/section/001", course + "/assessment1", "graded",
             "2015-09-15T10:20:00.000000Z", None, None),
    }
    assert sql("select name from learners") == [("Nikolai Сергеевич",)]


def test_json_lines_of_events_entities_and_events_without_a_course(cli, sql, tmp_path):
    path = copy(CALIPER / "events_v1p1.jsonl", tmp_path)
    out = cli.json("import", path)["files"][0]
    # a Person entity alone and a ToolUseEvent outside any course are skipped, not rejected
    assert (out["format"], out["read"], out["inserted"], out["skipped"], out["rejected"]) == ("caliper", 4, 2, 2, 0)
    learner, course = "urn:instructure:canvas:user:21070000000000007", "urn:instructure:canvas:course:10000000000042"
    assert stored(sql) == {
        "urn:uuid:1d1d7f0c-6a0b-4f2d-8a5a-6b2f5e3a0001":
            (learner, None, course, None, "paused", "2026-03-03T14:00:00.000000Z", None, None),
        "urn:uuid:1d1d7f0c-6a0b-4f2d-8a5a-6b2f5e3a0002":
            (learner, "urn:instructure:canvas:session:ab12", course, "urn:instructure:canvas:assignment:77",
             "task_completed", "2026-03-03T14:10:00.000000Z", None, None),
    }


def test_reimport_adds_nothing(cli, tmp_path):
    path = copy(CALIPER / "envelope_v1p2.json", tmp_path)
    cli.json("import", path)
    again = copy(CALIPER / "envelope_v1p2.json", tmp_path, "again.json")  # same events, re-read
    second = cli.json("import", again)["files"][0]
    assert (second["read"], second["inserted"], second["duplicates"]) == (6, 0, 6)


def _broken_envelope() -> dict:
    envelope = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))
    del envelope["data"][3]["actor"]  # the GradeEvent
    del envelope["data"][5]["eventTime"]  # LoggedOut
    return envelope


@pytest.mark.parametrize("pretty", [False, True])
def test_a_broken_event_in_an_envelope_is_rejected_with_its_position(cli, sql, tmp_path, pretty):
    envelope = _broken_envelope()
    text = json.dumps(envelope, indent=2 if pretty else None, ensure_ascii=False)
    path = tmp_path / "envelope.json"
    path.write_text(text + "\n", encoding="utf-8")
    out = cli.json("import", path, code=3)["files"][0]
    assert (out["read"], out["inserted"], out["rejected"]) == (6, 4, 2)
    kept = set(stored(sql))
    assert "urn:uuid:a50ca17f-5971-47bb-8fca-4e6e6879001d" not in kept
    assert "urn:uuid:c5b2f9a4-0f2d-4bba-8d0e-7d1f0a0c5e11" not in kept
    # each data item of the pretty envelope opens on a line of its own: "    {"
    starts = [n for n, line in enumerate(text.split("\n"), 1) if line == "    {"] if pretty else [1] * 8
    assert sorted((r["line"], r["reason"]) for r in rejects_of(path)) == sorted([
        (starts[3], "event has no actor: data[3] of the envelope"),
        (starts[5], "event has no eventTime: data[5] of the envelope"),
    ])


def test_a_grade_event_without_the_learner_is_rejected(cli, tmp_path):
    envelope = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))
    del envelope["data"][3]["object"]["assignee"]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(envelope), encoding="utf-8")
    out = cli.json("import", path, code=3)["files"][0]
    assert out["rejected"] == 1
    assert rejects_of(path)[0]["reason"] == "GradeEvent: the attempt has no assignee (the learner): data[3] of the envelope"


@pytest.mark.parametrize("given, score, kind", [
    ({"scoreGiven": 0, "maxScore": 3}, 0.0, "attempt"),
    ({"scoreGiven": 2, "maxScore": 3}, 66.666667, "attempt"),
    ({"scoreGiven": 0, "maxScore": 0}, None, "attempt"),  # no maximum to score against
    ({"scoreGiven": 4}, None, "graded"),
])
def test_scores_from_the_score_entity(cli, sql, tmp_path, given, score, kind):
    event = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))["data"][3]
    event["generated"] = {"id": "urn:x:score", "type": "Score", **given}
    event["group"] = {"id": SECTION, "type": "CourseSection"}
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    cli.json("import", path, "--format", "caliper")
    assert sql("select type, score from events") == [(kind, score)]


@pytest.mark.parametrize("given", [{"scoreGiven": 9, "maxScore": 8}, {"scoreGiven": "7", "maxScore": 8},
                                   {"scoreGiven": 1, "maxScore": -2}])
def test_a_score_that_is_no_0_to_100_score_is_rejected_never_clamped(cli, tmp_path, given):
    event = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))["data"][3]
    event["generated"] = {"id": "urn:x:score", "type": "Score", **given}
    event["group"] = SECTION
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    assert cli.json("import", path, "--format", "caliper", code=3)["files"][0]["rejected"] == 1


def test_the_catalog_xapi_table_names_caliper_courses_and_tasks(cli, sql, tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(f'[[modules]]\nid = "safety"\ntasks = ["quiz-1"]\n\n[xapi]\n'
                       f'activities = {{ "{SECTION}" = "safety", "{QUIZ}" = "quiz-1" }}\n', encoding="utf-8")
    cli("init", "--catalog", catalog)
    cli.json("import", copy(CALIPER / "envelope_v1p2.json", tmp_path))
    assert set(sql("select module_id, task_id from events where type = 'attempt'")) == {("safety", "quiz-1")}


def test_auto_detects_caliper_in_every_container(cli, tmp_path):
    one_line = tmp_path / "one-line.json"
    one_line.write_text(json.dumps(_broken_envelope()), encoding="utf-8")
    paths = [copy(CALIPER / name, tmp_path) for name in ("envelope_v1p2.json", "events_v1p0.json", "events_v1p1.jsonl")]
    out = cli.json("import", *paths, one_line, code=3)["files"]
    assert [f["format"] for f in out] == ["caliper"] * 4


class _CountingText(io.StringIO):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.chars_read = 0

    def read(self, size: int = -1) -> str:
        text = super().read(size)
        self.chars_read += len(text)
        return text


def test_a_big_envelope_is_streamed_item_by_item():
    event = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))["data"][1]
    envelope = {"sensor": "s", "sendTime": "2026-03-02T09:30:05.000Z",
                "data": [event] * 20_000, "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p2"}
    text = json.dumps(envelope, indent=1)
    assert len(text) > 8 * sources._CHUNK
    fh = _CountingText(text)
    items = sources.json_document(fh, member="data")
    line, first = next(items)
    assert isinstance(first, sources.Member) and first.value == event and line == 5
    assert fh.chars_read <= 2 * sources._CHUNK  # the first event came before the rest was read
    rest = list(items)
    assert len(rest) == 19_999 and all(isinstance(item, sources.Member) for _, item in rest)


def test_an_object_without_the_streamed_member_is_read_whole():
    text = json.dumps({"statements": [1, 2], "more": ""}, indent=2)
    assert list(sources.json_document(io.StringIO(text), member="data")) == [(1, {"statements": [1, 2], "more": ""})]
    # a member longer than a few read chunks: the object is read whole, in one pass
    export = {"format": "progress-cli-export", "events": [{"event_id": f"e{i}"} for i in range(300_000)]}
    fh = _CountingText(json.dumps(export))
    assert list(sources.json_document(fh, member="data")) == [(1, export)]
    assert fh.chars_read == len(fh.getvalue())
    broken = list(sources.json_document(io.StringIO('{"sensor": "s", "data": [1, 2}'), member="data"))
    assert broken[:2] == [(1, sources.Member(1)), (1, sources.Member(2))]
    assert str(broken[2][1]).startswith("invalid JSON, the rest of the array cannot be read")
    assert len(broken) == 3


def test_json_lines_of_envelopes_longer_than_the_sniff_are_all_read(cli, sql, tmp_path):
    """Regression: the first line, one envelope past the 64 KiB sniff, was streamed by its data
    and the envelopes on the lines after it were dropped."""
    event = json.loads((CALIPER / "envelope_v1p2.json").read_text(encoding="utf-8"))["data"][0]
    lines = []
    for envelope in range(3):
        data = [{**event, "id": f"urn:uuid:{envelope:08d}-0000-4000-8000-{i:012d}"} for i in range(200)]
        lines.append(json.dumps({"sensor": "s", "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p2",
                                 "data": data}))
    assert len(lines[0]) > 64 * 1024
    path = tmp_path / "envelopes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli.json("import", path)["files"][0]
    assert (out["format"], out["read"], out["inserted"]) == ("caliper", 600, 600)
    assert sql("select count(distinct event_id) from events") == [(600,)]


def test_what_follows_a_streamed_object_is_read_as_json_lines():
    text = '{"sensor": "s",\n "data": [1,\n 2]}\n{"data": [3], "sensor": "t"}\n\n[4]\n{bad\n'
    got = list(sources.json_document(io.StringIO(text), member="data"))
    assert got[:4] == [(2, sources.Member(1)), (3, sources.Member(2)), (4, {"data": [3], "sensor": "t"}), (6, [4])]
    assert got[4][0] == 7 and str(got[4][1]).startswith("invalid JSON")
