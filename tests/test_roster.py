"""`progress roster import|list` (DESIGN 10): upsert by learner_id, empty keeps, `-` clears,
bad rows rejected with their line, learners without events, and xAPI mbox addresses."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from progress_cli.store.engine import create_store_engine
from progress_cli.store.migrations import migrate
from tests.conftest import write_jsonl

pytestmark = pytest.mark.both_backends

HEADER = "learner_id,name,email,team,manager_email\n"


def _roster(tmp_path, text: str, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _people(cli, *args) -> dict[str, dict]:
    return {r["learner_id"]: r for r in cli.json("roster", "list", *args)}


def test_import_lists_and_upserts(cli, tmp_path):
    first = _roster(tmp_path, HEADER + "zoe,Zoë Ñúñez-Ølsen,zoe@example.org,blue,lead@example.org\n"
                                      "dmitry,Дмитрий Иванов,дмитрий@пример.рф,red,\n")
    result = cli.json("roster", "import", first)
    assert (result["read"], result["added"], result["updated"], result["rejected"]) == (2, 2, 0, 0)
    assert cli.json("roster", "list") == [
        {"learner_id": "dmitry", "name": "Дмитрий Иванов", "email": "дмитрий@пример.рф", "team": "red",
         "manager_email": None},
        {"learner_id": "zoe", "name": "Zoë Ñúñez-Ølsen", "email": "zoe@example.org", "team": "blue",
         "manager_email": "lead@example.org"},
    ]
    # an empty cell keeps the stored value, `-` clears it; columns not in the header are kept too
    second = _roster(tmp_path, "learner_id,email,team\nzoe,,-\ndmitry,dima@example.org,\n", "second.csv")
    assert cli.json("roster", "import", second)["updated"] == 2
    people = _people(cli)
    assert (people["zoe"]["email"], people["zoe"]["team"], people["zoe"]["name"]) == (
        "zoe@example.org", None, "Zoë Ñúñez-Ølsen")
    assert (people["dmitry"]["email"], people["dmitry"]["team"]) == ("dima@example.org", "red")
    assert list(_people(cli, "--team", "red")) == ["dmitry"]
    assert cli.json("roster", "list", "--team", "nobody") == []


def test_bad_rows_are_rejected_with_their_line_and_the_good_ones_kept(cli, tmp_path):
    path = _roster(tmp_path, "learner_id,name,email,emial\n"
                             "ana,Ana,ana@example.org,\n"           # line 2: good (the unknown column is empty)
                             ",Nobody,nobody@example.org,\n"        # line 3: no learner_id
                             "ben,Ben,ben at example.org,\n"        # line 4: not an address
                             "cleo,Cleo,,cleo@example.org\n"        # line 5: a value in an unknown column
                             "dan,Dan,dan@example.org,\n")          # line 6: good
    result = cli("roster", "import", path, code=3)
    assert result.stdout.startswith(f"{path}: read 5, added 2, updated 0, rejected 3")
    rejects = [json.loads(line) for line in (tmp_path / "roster.csv.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (3, "empty learner_id"),
        (4, "email is not an e-mail address: 'ben at example.org'"),
        (5, "unknown column 'emial' (known: learner_id, name, email, team, manager_email)"),
    ]
    assert rejects[1]["row"] == {"learner_id": "ben", "name": "Ben", "email": "ben at example.org", "emial": ""}
    assert sorted(_people(cli)) == ["ana", "dan"]


def test_dry_run_counts_and_writes_nothing(cli, tmp_path):
    cli("roster", "import", _roster(tmp_path, HEADER + "zoe,Zoë,zoe@example.org,,\n"))
    path = _roster(tmp_path, HEADER + "zoe,,z@example.org,,\nnew,New,new@example.org,,\nbad,,x@,,\n", "next.csv")
    result = cli.json("roster", "import", path, "--dry-run", code=3)
    assert (result["added"], result["updated"], result["rejected"], result["rejects_path"]) == (1, 1, 1, None)
    assert not (tmp_path / "next.csv.rejects.jsonl").exists()
    assert cli.json("roster", "list") == [{"learner_id": "zoe", "name": "Zoë", "email": "zoe@example.org",
                                           "team": None, "manager_email": None}]


def test_unreadable_roster_is_one_line_error(cli, tmp_path):
    no_id = _roster(tmp_path, "name,email\nAna,ana@example.org\n")
    assert cli("roster", "import", no_id, code=1).stderr.startswith("Error: ") and "no learner_id column" in \
        cli("roster", "import", no_id, code=1).stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("learner_id,name\nzoe,Zoë\n".encode("latin-1"))
    error = cli("roster", "import", latin1, code=1).stderr
    assert error.startswith("Error: ") and "UTF-8" in error and error.count("\n") == 1
    assert cli.json("roster", "list") == []


def test_a_roster_learner_without_events_is_listed_with_no_activity(cli, tmp_path):
    events = write_jsonl(tmp_path / "e.jsonl", [{"learner_id": "ana", "module_id": "m", "type": "attempt",
                                                 "timestamp": "2026-01-05T10:00:00Z", "score": 80}])
    cli("import", events)
    cli("roster", "import", _roster(tmp_path, HEADER + "ana,Ana,ana@example.org,,\nnew,Newcomer,,blue,\n"))
    rows = {r["learner_id"]: r for r in cli.json("learners")}
    assert rows["new"]["name"] == "Newcomer" and rows["new"]["events"] == 0 and rows["new"]["last_activity"] is None
    assert rows["ana"]["events"] == 1
    # a later import keeps the roster's name and address (events carry no roster fields)
    cli("import", write_jsonl(tmp_path / "f.jsonl", [{"learner_id": "new", "module_id": "m", "type": "attempt",
                                                      "timestamp": "2026-01-06T10:00:00Z", "score": 70}]))
    assert _people(cli)["new"] == {"learner_id": "new", "name": "Newcomer", "email": None, "team": "blue",
                                   "manager_email": None}


def _statement(n: int, actor: dict) -> dict:
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "actor": actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": "https://example.org/activities/m1"},
            "result": {"score": {"scaled": 0.8}}, "timestamp": f"2026-01-05T10:0{n}:00Z"}


def test_an_xapi_mbox_fills_a_missing_email_but_never_the_roster_one(cli, tmp_path):
    cli("roster", "import", _roster(tmp_path, HEADER + "kept@example.org,Kept,roster@example.org,,\n"))
    statements = [
        _statement(1, {"mbox": "mailto:new@example.org", "name": "Νέα"}),
        _statement(2, {"mbox": "mailto:kept@example.org"}),
        _statement(3, {"account": {"homePage": "https://lms.example.org", "name": "acct-7"}}),
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(statements, ensure_ascii=False), encoding="utf-8")
    cli("import", path, "--format", "xapi")
    people = _people(cli)
    assert people["new@example.org"]["email"] == "new@example.org"
    assert people["new@example.org"]["name"] == "Νέα"
    assert people["kept@example.org"]["email"] == "roster@example.org"
    assert people["acct-7"]["email"] is None


def test_an_old_store_gets_the_roster_columns_and_keeps_its_learners(cli, tmp_path, sql):
    import os

    engine = create_store_engine(os.environ["PROGRESS_DB"])
    migrate(engine, upto=6)
    with engine.begin() as conn:  # a store of schema 6 had no roster columns
        conn.exec_driver_sql("ALTER TABLE learners DROP COLUMN email")
        conn.exec_driver_sql("ALTER TABLE learners DROP COLUMN team")
        conn.exec_driver_sql("ALTER TABLE learners DROP COLUMN manager_email")
        conn.exec_driver_sql("INSERT INTO learners (learner_id, name) VALUES ('old', 'Old Learner')")
    assert {c["name"] for c in inspect(engine).get_columns("learners")} == {"learner_id", "name"}
    engine.dispose()
    cli("roster", "import", _roster(tmp_path, HEADER + "old,,old@example.org,t,\n"))
    assert _people(cli)["old"] == {"learner_id": "old", "name": "Old Learner", "email": "old@example.org",
                                   "team": "t", "manager_email": None}
    assert 9 in [r[0] for r in sql("select version from schema_migrations")]
    assert sql("select count(*) from deliveries") == [(0,)]


def test_a_store_at_schema_10_without_9_gets_9_at_its_next_open(cli, tmp_path, sql):
    """Migration 9 (the roster) was numbered before it landed, after 10 (the risk tables): a
    store that a release without the roster took to 10 has a gap at 9, and the next open fills
    it, leaving 10 as it was."""
    import os

    from progress_cli.store.migrations import MIGRATIONS

    engine = create_store_engine(os.environ["PROGRESS_DB"])
    assert migrate(engine, upto=8) == [1, 2, 3, 4, 5, 6, 7, 8]
    step_10 = next(step for version, _, step in MIGRATIONS if version == 10)
    with engine.begin() as conn:  # that release's store: learners without the roster's columns, then 10
        for column in ("email", "team", "manager_email"):
            conn.exec_driver_sql(f"ALTER TABLE learners DROP COLUMN {column}")
        step_10(conn)
        conn.exec_driver_sql("INSERT INTO schema_migrations (version, name, applied_at) "
                             "VALUES (10, 'module risk', '2026-12-01T00:00:00.000000Z')")
        conn.exec_driver_sql("INSERT INTO learners (learner_id, name) VALUES ('old', 'Old Learner')")
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "module_risk" in tables and "deliveries" not in tables
    assert [v for (v,) in sql("select version from schema_migrations order by version")] == [1, 2, 3, 4, 5, 6, 7, 8, 10]

    cli("roster", "import", _roster(tmp_path, HEADER + "old,,old@example.org,t,lead@example.org\n"))
    versions = dict(sql("select version, applied_at from schema_migrations"))
    assert sorted(versions) == sorted(version for version, _, _ in MIGRATIONS)  # 9 filled in, and any after 10
    assert versions[10] == "2026-12-01T00:00:00.000000Z" and versions[9] > versions[10]  # only 9 ran
    assert _people(cli)["old"] == {"learner_id": "old", "name": "Old Learner", "email": "old@example.org",
                                   "team": "t", "manager_email": "lead@example.org"}
    assert sql("select count(*) from deliveries") == [(0,)]
    engine = create_store_engine(os.environ["PROGRESS_DB"])
    assert migrate(engine) == []  # nothing left to apply
    engine.dispose()
