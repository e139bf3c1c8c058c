"""`progress db copy --to URL`: SQLite -> PostgreSQL -> SQLite on the sample data gives the
same learners, status, certificates and row counts in all three stores (issue 9).

`db info --json`: {"backend", "url", "schema_version", "tables": {table: rows}}. The copy goes
into an empty target only (exit 1 with a one-line error otherwise). Skipped without a
PostgreSQL server (conftest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Cli, store_rows

AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def stores(pg_server, tmp_path_factory) -> dict[str, str]:
    """The sample store on SQLite with certificates, its copy on PostgreSQL, and the copy of that
    copy back on SQLite. Built once: the tests only read them (or fail to write to them)."""
    tmp_path = tmp_path_factory.mktemp("copies")
    target = pg_server.create_database()
    cli = Cli()
    with pytest.MonkeyPatch.context() as patch:  # the keys of a URL store go to the user data dir
        patch.setenv("PROGRESS_DATA_DIR", str(tmp_path / "data"))
        patch.setenv("PROGRESS_TZ", "UTC")
        original = str(tmp_path / "original.db")
        cli("--db", original, "init", "--catalog", SAMPLE / "catalog.toml")
        cli("--db", original, "import", SAMPLE / "events.jsonl", SAMPLE / "events.csv", SAMPLE / "events.xapi.json")
        issued = cli.json("--db", original, "cert", "issue", "--all-eligible", "--as-of", AS_OF,
                          "--out", tmp_path / "certs")["issued"]
        assert issued, "no sample learner is eligible: the round trip would not carry certificates"
        back = str(tmp_path / "back.db")
        cli("--db", original, "db", "copy", "--to", target)
        cli("--db", target, "db", "copy", "--to", back)
        yield {"sqlite": original, "postgresql": target, "sqlite again": back}
    pg_server.drop_database(target)


@pytest.fixture(autouse=True)
def _user_data_dir(stores, monkeypatch):
    """Every test reads the keys where the fixture's copies put them."""
    monkeypatch.setenv("PROGRESS_DATA_DIR", str(Path(stores["sqlite"]).parent / "data"))


def _same(outputs: dict[str, object], what: str) -> None:
    (first_name, first), *others = outputs.items()
    for name, other in others:
        assert other == first, f"{what}: {name} differs from {first_name}"


def test_round_trip_keeps_every_output_and_row_count(cli, stores):
    infos = {name: cli.json("--db", db, "db", "info") for name, db in stores.items()}
    assert [info["backend"] for info in infos.values()] == ["sqlite", "postgresql", "sqlite"]
    _same({name: info["schema_version"] for name, info in infos.items()}, "schema_version")
    _same({name: info["tables"] for name, info in infos.items()}, "row counts")
    tables = infos["sqlite"]["tables"]
    assert tables["events"] == 5396 and tables["certificates"] >= 1 and tables["learner_progress"] == 12

    learners = {name: cli.json("--db", db, "learners") for name, db in stores.items()}
    _same(learners, "learners --json")
    _same({name: cli.json("--db", db, "learners", "--as-of", AS_OF) for name, db in stores.items()},
          f"learners --json --as-of {AS_OF}")
    for learner in [row["learner_id"] for row in learners["sqlite"]]:
        _same({name: cli.json("--db", db, "status", learner, "--as-of", AS_OF) for name, db in stores.items()},
              f"status {learner} --json")
    _same({name: cli.json("--db", db, "cert", "list", "--as-of", AS_OF) for name, db in stores.items()},
          "cert list --json")


def test_certificates_still_verify_and_keys_travel_with_the_copy(cli, stores):
    code = cli.json("--db", stores["sqlite"], "cert", "list", "--as-of", AS_OF)[0]["code"]
    for name, db in stores.items():
        verdict = cli.json("--db", db, "cert", "verify", code, "--as-of", AS_OF)
        assert verdict["status"] == "VALID", (name, verdict)
        key = cli.json("--db", db, "keys", "show")["current"]
        assert key["private_key_present"], name  # the copy can go on issuing certificates


def test_copy_refuses_a_target_that_holds_data(cli, stores, tmp_path):
    before = store_rows(stores["postgresql"], "select count(*) from events")
    result = cli("--db", stores["sqlite"], "db", "copy", "--to", stores["postgresql"], code=1)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert store_rows(stores["postgresql"], "select count(*) from events") == before
    again = cli("--db", stores["postgresql"], "db", "copy", "--to", stores["sqlite again"], code=1)
    assert again.stderr.startswith("Error: ") and again.stderr.count("\n") == 1, again.stderr
