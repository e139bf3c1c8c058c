"""A learner's name: set by the first row that has one, changed only by a different non-null name."""

import pytest

from tests.conftest import write_jsonl

pytestmark = pytest.mark.both_backends


def _event(i, name):
    return {"event_id": f"n{i}", "learner_id": "ana", "learner_name": name, "module_id": "m", "type": "attempt",
            "timestamp": f"2026-05-01T10:0{i}:00Z", "score": 70}


def _name(cli):
    return {r["learner_id"]: r["name"] for r in cli.json("learners")}["ana"]


def test_a_missing_name_keeps_the_stored_one_and_a_new_name_replaces_it(cli, tmp_path):
    cli("import", write_jsonl(tmp_path / "a.jsonl", [_event(1, None), _event(2, "Ana")]))
    assert _name(cli) == "Ana"  # a null first row does not hide a later name of the same batch
    cli("import", write_jsonl(tmp_path / "b.jsonl", [_event(3, None)]))
    assert _name(cli) == "Ana"
    cli("import", write_jsonl(tmp_path / "c.jsonl", [_event(4, "Ana María")]))
    assert _name(cli) == "Ana María"
