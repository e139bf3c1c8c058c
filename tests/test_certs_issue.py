"""`cert issue` under cron: exit codes, one summary line, idempotence, revocation, renewal,
`cert list`, and two processes racing on one store."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from progress_cli.services.certs import keys_dir
from tests.conftest import SAMPLE, store_rows
from tests.test_certs_eligibility import ELIGIBLE, LEARNERS, build_store, copy_store
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)

SUMMARY = re.compile(r"^issued (\d+), already valid (\d+), not eligible (\d+)")


def _counts(line: str) -> tuple[int, int, int]:
    found = SUMMARY.match(line)
    assert found, line
    return tuple(int(n) for n in found.groups())


def _rows(db: Path | str) -> list[tuple]:
    return store_rows(str(db), "select learner_id, issue_slot, code, revoked_at from certificates "
                      "order by learner_id, issue_slot")


@pytest.mark.both_backends
def test_all_eligible_prints_one_summary_line_and_is_idempotent(cli, store, tmp_path):
    out = tmp_path / "certs"
    first = cli("cert", "issue", "--all-eligible", "--out", out)
    assert first.stdout.count("\n") == 1 and first.stderr == ""  # no progress bar off a terminal
    assert _counts(first.stdout) == (3, 0, 3)
    assert sorted(p.name.split("-")[0] for p in out.glob("*.pdf")) == sorted(ELIGIBLE)
    assert len(list(out.glob("*.jwt"))) == 3
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in out.iterdir())  # meant to be handed out
    second = cli("cert", "issue", "--all-eligible", "--out", out)
    assert _counts(second.stdout) == (0, 3, 3)
    assert len(list(out.iterdir())) == 6 and len(_rows(store)) == 3


@pytest.mark.both_backends
def test_nobody_eligible_still_exits_0(cli, db, tmp_path):
    cli("init", "--catalog", SAMPLE / "catalog.toml")
    cli("import", SAMPLE / "events.jsonl")
    result = cli("cert", "issue", "--all-eligible", "--out", tmp_path / "certs", "--as-of", "2026-09-01")
    assert _counts(result.stdout) == (0, 0, 12)
    assert not (tmp_path / "certs").exists()
    assert not keys_dir(os.environ["PROGRESS_DB"]).exists()  # the key pair is made for the first certificate


@pytest.mark.both_backends
def test_one_learner_exit_codes(cli, store, tmp_path):
    not_eligible = cli("cert", "issue", "low-score", "--out", tmp_path, code=4)
    assert not_eligible.stderr.startswith("Error: low-score is not eligible: Average score in Safety basics 79.9 < 80")
    assert not_eligible.stderr.count("\n") == 1
    issued = cli("cert", "issue", "zoe", "--out", tmp_path)
    assert issued.stdout.startswith("Issued ") and _counts(issued.stdout.splitlines()[-1]) == (1, 0, 0)
    again = cli("cert", "issue", "zoe", "--out", tmp_path)
    assert "already holds a valid certificate" in again.stdout
    assert _counts(again.stdout.splitlines()[-1]) == (0, 1, 0)
    assert cli("cert", "issue", "nobody", code=1).stderr.startswith("Error: no learner 'nobody'")
    assert cli("cert", "issue", code=2).stderr.startswith("Error: give a LEARNER or --all-eligible")
    assert cli("cert", "issue", "zoe", "--all-eligible", code=2).stderr.startswith("Error: give a LEARNER")


@pytest.mark.both_backends
def test_issue_json(cli, store, tmp_path):
    result = cli.json("cert", "issue", "--all-eligible", "--out", tmp_path)
    assert set(result) == {"issued", "already_valid", "not_eligible", "revoked", "summary"}
    assert {e["learner_id"] for e in result["issued"]} == ELIGIBLE
    entry = result["issued"][0]
    assert set(entry) == {"learner_id", "certificate_id", "code", "valid_until", "pdf", "credential", "renewed"}
    assert Path(entry["pdf"]).exists() and Path(entry["credential"]).exists() and entry["renewed"] is False
    low = {e["learner_id"]: e["unmet"] for e in result["not_eligible"]}
    assert set(low) == set(LEARNERS) - ELIGIBLE
    assert low["low-mastery"] == ["Mastery of Spotting hazards 79.9 < 80"]
    assert result["summary"] == "issued 3, already valid 0, not eligible 3"


@pytest.mark.both_backends
def test_a_revoked_certificate_is_never_reissued_by_all_eligible(cli, store, tmp_path):
    issued = cli.json("cert", "issue", "--all-eligible", "--out", tmp_path)["issued"]
    zoe = next(e for e in issued if e["learner_id"] == "zoe")
    cli("cert", "revoke", zoe["code"], "--reason", "Identity not confirmed")
    for _ in range(2):
        line = cli("cert", "issue", "--all-eligible", "--out", tmp_path).stdout.strip()
        assert line == "issued 0, already valid 2, not eligible 4 (of which 1 revoked, not re-issued)"
    assert cli.json("cert", "issue", "--all-eligible", "--out", tmp_path)["revoked"] == ["zoe"]
    # an admin who names the learner issues a new one
    again = cli.json("cert", "issue", "zoe", "--out", tmp_path)["issued"]
    assert len(again) == 1 and again[0]["code"] != zoe["code"]
    assert [(r[0], r[1]) for r in _rows(store) if r[0] == "zoe"] == [("zoe", 1), ("zoe", 2)]


@pytest.mark.both_backends
def test_issues_and_revocations_reach_the_activity_outbox(cli, store, sql, tmp_path):
    issued = cli.json("cert", "issue", "zoe", "--out", tmp_path)["issued"][0]
    cli("cert", "revoke", issued["code"], "--reason", "wrong person")
    rows = sql("select type, learner_id, payload from activity where type like 'certificate%' order by id")
    assert [(t, learner) for t, learner, _ in rows] == [("certificate_issued", "zoe"), ("certificate_revoked", "zoe")]
    assert json.loads(rows[0][2])["code"] == issued["code"]
    assert json.loads(rows[1][2])["reason"] == "wrong person"


@pytest.mark.both_backends
def test_list_shows_status_and_expiring(cli, store, tmp_path):
    assert cli.json("cert", "list") == []
    issued = cli.json("cert", "issue", "--all-eligible", "--out", tmp_path)["issued"]
    cli("cert", "revoke", issued[0]["code"], "--reason", "test")
    rows = cli.json("cert", "list")
    assert len(rows) == 3
    assert set(rows[0]) == {"certificate_id", "code", "status", "issued_at", "valid_until", "days_left", "learner_id",
                            "learner_name", "certification", "overall_score", "skills", "revoked_at",
                            "revoked_reason", "superseded_by"}
    assert sorted(r["status"] for r in rows) == ["REVOKED", "VALID", "VALID"]
    assert all(r["days_left"] >= 729 for r in rows)
    assert cli.json("cert", "list", "--expiring-within", "30") == []
    assert len(cli.json("cert", "list", "--expiring-within", "800")) == 2  # not the revoked one
    until = rows[0]["valid_until"][:10]
    later = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()
    assert {r["status"] for r in cli.json("cert", "list", "--as-of", later)} == {"EXPIRED", "REVOKED"}
    table = cli("cert", "list").stdout
    assert "Certified Tester (3)" in table and "REVOKED" in table


@pytest.mark.both_backends
def test_renew_before_reissues_certificates_about_to_expire(cli, db, tmp_path, backend):
    if backend == "sqlite":
        copy_store(build_store(tmp_path / "old", days_ago=720), db.parent)
    else:
        build_store(tmp_path / "old", days_ago=720, db=os.environ["PROGRESS_DB"])
    then = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=715)).date().isoformat()
    first = cli.json("cert", "issue", "--all-eligible", "--out", tmp_path / "certs", "--as-of", then)
    assert len(first["issued"]) == 3 and first["issued"][0]["valid_until"][:10] > dt.date.today().isoformat()
    expiring = cli.json("cert", "list", "--expiring-within", "30")
    assert sorted(r["learner_id"] for r in expiring) == sorted(ELIGIBLE)
    assert _counts(cli("cert", "issue", "--all-eligible", "--out", tmp_path / "certs").stdout) == (0, 3, 3)
    renewed = cli.json("cert", "issue", "--all-eligible", "--renew-before", "30", "--out", tmp_path / "certs")
    assert len(renewed["issued"]) == 3 and all(e["renewed"] for e in renewed["issued"])
    assert cli.json("cert", "list", "--expiring-within", "30") == []
    superseded = [r for r in cli.json("cert", "list") if r["superseded_by"]]
    assert len(superseded) == 3 and all(r["status"] == "VALID" for r in superseded)
    again = cli("cert", "issue", "--all-eligible", "--renew-before", "30", "--out", tmp_path / "certs")
    assert _counts(again.stdout) == (0, 3, 3)


def test_two_processes_at_once_certify_each_learner_exactly_once(built_store, tmp_path):
    db = copy_store(built_store, tmp_path)  # no signing key yet: both also race to create it
    out = tmp_path / "certs"
    env = {**os.environ, "PROGRESS_DB": str(db), "PROGRESS_TZ": "UTC", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "progress_cli", "cert", "issue", "--all-eligible", "--out", str(out)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert [code for code, _, _ in results] == [0, 0], results
    counts = [_counts(stdout) for _, stdout, _ in results]
    assert sum(c[0] for c in counts) == 3 and sum(c[1] for c in counts) == 3, counts
    rows = _rows(db)
    assert sorted(r[0] for r in rows) == sorted(ELIGIBLE) and {r[1] for r in rows} == {1}
    assert len(list(out.glob("*.pdf"))) == 3 and len(list(out.glob("*.jwt"))) == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from signing_keys").fetchone() == (1,)
    assert len(list(db.with_name("store.db.keys").glob("*.pem"))) == 1
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert _counts(again.stdout) == (0, 3, 3)


def test_the_credential_files_are_compact_tokens(cli, store, tmp_path):
    entry = cli.json("cert", "issue", "zoe", "--out", tmp_path)["issued"][0]
    text = Path(entry["credential"]).read_text()
    assert text.count(".") == 2 and "\n" not in text
    assert json.loads(cli("cert", "verify", entry["credential"], "--json").stdout)["status"] == "VALID"
