"""Certification eligibility (DESIGN 5.3, 6) on hand-made learners, exactly at and just below
each threshold; and the small pure pieces: validity dates, codes, did:key, decisions, estimates.

The hand-made store (also used by the other test_certs modules) has one module of four tasks,
one skill and a certification requiring completion >= 50, an m1 average >= 80 and s1 mastery
>= 80. Twenty attempts all scoring 80 give an average and a mastery of exactly 80 (mastery =
100 x W x (0.5 + 0.5 x consistency) x min(n/20, 1) with W = 0.8, consistency 1, n = 20).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from progress_cli.catalog import parse_catalog
from progress_cli.certs import codes, didkey, eligibility, issuing
from progress_cli.certs.eligibility import Eligibility, Figures, RequirementCheck
from progress_cli.certs.validity import add_years, status_at
from progress_cli.cli import app
from tests.conftest import SAMPLE, write_jsonl

CATALOG = """
[[skills]]
id = "s1"
name = "Spotting hazards"

[[modules]]
id = "m1"
title = "Safety basics"
pass_mark = 70
tasks = [{ id = "t1", title = "Hazards", skills = ["s1"] }, "t2", "t3", "t4"]

[certification]
name = "Certified Tester"
validity_years = 2
min_completion = 50
module_scores = { m1 = 80 }
skill_mastery = { s1 = 80 }
"""

# learner id -> (name, what their events are)
LEARNERS = {
    "zoe": "Zoë Ñúñez-Ølsen",  # exactly at every threshold
    "dmitry": "Дмитрий Иванов",  # the same, in Cyrillic
    "athena": "Αθηνά Παπαδοπούλου",  # the same, in Greek
    "low-completion": "Low Completion",  # 1 task of 4 (25 < 50)
    "low-score": "Low Score",  # m1 average 79.99... (< 80)
    "low-mastery": "Low Mastery",  # s1 mastery 79.9... (< 80), average exactly 80
}
ELIGIBLE = {"zoe", "dmitry", "athena"}


def _events(learner: str, name: str, start: dt.datetime) -> list[dict]:
    def event(i: int, **fields) -> dict:
        ts = (start + dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"learner_id": learner, "learner_name": name, "module_id": "m1", "session_id": f"{learner}-s",
                "timestamp": ts, **fields}

    scores = [79.9 if i % 2 else 80.1 for i in range(20)] if learner == "low-mastery" else [80.0] * 20
    rows = [event(i, type="attempt", task_id="t1", score=s) for i, s in enumerate(scores)]
    if learner != "low-completion":
        rows.append(event(30, type="task_completed", task_id="t2"))
    if learner == "low-score":
        rows.append(event(31, type="attempt", task_id="t3", score=79.8))  # no skill: only the average moves
    return rows


def build_store(folder: Path, *, days_ago: int = 10, db: str | Path | None = None) -> Path | str:
    """A store with the hand-made learners, their events `days_ago` days before now: the SQLite
    file folder/store.db, or `db` (a path or a database URL)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = db or folder / "store.db"
    catalog = folder / "catalog.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=days_ago)
    rows = [e for learner, name in LEARNERS.items() for e in _events(learner, name, start)]
    events = write_jsonl(folder / "events.jsonl", rows)
    runner = CliRunner()
    for args in (["init", "--catalog", str(catalog)], ["import", str(events)]):
        result = runner.invoke(app, ["--db", str(db), "--tz", "UTC", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return db


def handmade_store(request, prebuilt_store, db: Path) -> Path | str:
    """The test's private hand-made store (events 10 days ago): on SQLite a copy of the module's
    `built_store` file at db; on PostgreSQL a copy of a database built once (PROGRESS_DB is set)."""
    if prebuilt_store("certs-handmade", lambda url: build_store(db.parent / "handmade-pg", db=url)):
        return os.environ["PROGRESS_DB"]
    return copy_store(request.getfixturevalue("built_store"), db.parent)


def copy_store(source: Path, target_dir: Path) -> Path:
    """A private copy of a built store (and its key folder, if any) at target_dir/store.db."""
    target = target_dir / "store.db"
    shutil.copy(source, target)
    keys = source.with_name(source.name + ".keys")
    if keys.exists():
        shutil.copytree(keys, target.with_name(target.name + ".keys"))
    return target


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("handmade"))


@pytest.fixture
def store(request, prebuilt_store, db) -> Path | str:
    return handmade_store(request, prebuilt_store, db)


# --------------------------------------------------------------------------- cert check

def _requirements(cli, learner: str) -> dict[str, dict]:
    result = cli.json("cert", "check", learner)
    return {r["type"]: r for r in result["requirements"]}


@pytest.mark.both_backends
def test_exactly_at_every_threshold_is_eligible(cli, store):
    for learner in ELIGIBLE:
        result = cli.json("cert", "check", learner)
        assert result["eligible"] is True
        assert result["certificate_progress"] == 100.0
        reqs = {r["type"]: r for r in result["requirements"]}
        assert reqs["completion"]["current"] == 50.0 and reqs["completion"]["met"]
        assert round(reqs["module_score"]["current"], 9) == 80.0 and reqs["module_score"]["met"]
        assert round(reqs["skill_mastery"]["current"], 9) == 80.0 and reqs["skill_mastery"]["met"]


@pytest.mark.both_backends
@pytest.mark.parametrize("learner, unmet", [
    ("low-completion", "completion"), ("low-score", "module_score"), ("low-mastery", "skill_mastery")])
def test_just_below_one_threshold_is_not_eligible(cli, store, learner, unmet):
    result = cli.json("cert", "check", learner)
    assert result["eligible"] is False
    missed = [r for r in result["requirements"] if not r["met"]]
    assert [r["type"] for r in missed] == [unmet]
    assert missed[0]["current"] < missed[0]["required"]
    assert 79.9 < missed[0]["current"] or unmet == "completion"
    assert result["certificate_progress"] < 100


@pytest.mark.both_backends
def test_check_json_shape(cli, store):
    result = cli.json("cert", "check", "low-score")
    assert set(result) == {"learner", "as_of", "certification", "eligible", "certificate_progress", "requirements",
                           "estimated_eligibility", "certificate"}
    assert result["learner"] == {"id": "low-score", "name": "Low Score"}
    assert result["certification"] == {"name": "Certified Tester", "validity_years": 2}
    assert all(set(r) == {"type", "id", "name", "required", "current", "met", "progress"}
               for r in result["requirements"])
    assert set(result["estimated_eligibility"]) == {"estimate", "basis", "reason"}
    assert result["certificate"] is None


@pytest.mark.both_backends
def test_check_matches_status_certificate_progress(cli, store):
    for learner in LEARNERS:
        status = cli.json("status", learner)
        check = cli.json("cert", "check", learner)
        assert check["certificate_progress"] == pytest.approx(status["overall"]["certificate_progress"], abs=1e-9)


@pytest.mark.both_backends
def test_check_without_a_trend_gives_no_date_and_says_why(cli, store):
    guess = cli.json("cert", "check", "low-score")["estimated_eligibility"]
    assert guess["estimate"] is None and guess["reason"]


@pytest.mark.both_backends
def test_check_terminal_view_and_errors(cli, store):
    out = cli("cert", "check", "low-mastery").stdout
    assert "Mastery of Spotting hazards" in out and "not eligible yet" in out
    assert cli("cert", "check", "nobody", code=1).stderr.startswith("Error: no learner 'nobody'")


@pytest.mark.both_backends
def test_check_without_a_certification_is_a_one_line_error(cli, tmp_path):
    catalog = tmp_path / "c.toml"
    catalog.write_text('[[modules]]\nid = "m1"\ntasks = ["t1"]\n', encoding="utf-8")
    cli("init", "--catalog", catalog)
    cli("import", write_jsonl(tmp_path / "e.jsonl", [{"learner_id": "a", "module_id": "m1", "type": "attempt",
                                                      "timestamp": "2026-11-01T10:00:00Z", "score": 90}]))
    assert "no [certification]" in cli("cert", "check", "a", code=1).stderr


@pytest.mark.both_backends
def test_sample_learner_zoe_is_eligible(cli):
    cli("init", "--catalog", SAMPLE / "catalog.toml")
    cli("import", SAMPLE / "events.jsonl")
    result = cli.json("cert", "check", "zoe", "--as-of", "2026-11-27")
    assert result["eligible"] is True and len(result["requirements"]) == 8
    assert result["estimated_eligibility"]["estimate"] == "2026-11-27"


# --------------------------------------------------------------------------- the pure pieces

def _result(*checks: tuple[str, float, float | None]) -> Eligibility:
    reqs = tuple(RequirementCheck(kind=k, id=k, name=k, required=req, current=cur,
                                  met=req == 0 or (cur is not None and round(cur, 9) >= req))
                 for k, req, cur in checks)
    return Eligibility(certification="C", requirements=reqs)


def test_progress_is_the_mean_of_capped_ratios_and_a_zero_requirement_is_met():
    result = _result(("a", 80, 40), ("b", 0, None), ("c", 50, 75), ("d", 10, None))
    assert result.progress == pytest.approx((0.5 + 1 + 1 + 0) / 4 * 100)
    assert [r.met for r in result.requirements] == [False, True, True, False]


def test_check_reads_the_catalog_certification():
    catalog = parse_catalog(CATALOG)
    at = eligibility.check(catalog, Figures(total_progress=50.0, module_scores={"m1": 80.0000000001},
                                            skill_mastery={"s1": 79.9999999999}))
    assert at.eligible  # round(x, 9) meets the threshold
    below = eligibility.check(catalog, Figures(total_progress=49.99, module_scores={"m1": 80.0},
                                               skill_mastery={"s1": None}))
    assert [r.kind for r in below.unmet()] == ["completion", "skill_mastery"]
    assert eligibility.verified_skills(catalog, at) == [{"id": "s1", "name": "Spotting hazards",
                                                         "mastery": 79.9999999999}]
    assert eligibility.overall_score(catalog, Figures(module_scores={"m1": 91.0})) == 91.0


def test_estimate_projects_each_unmet_requirement_on_its_trend():
    today = dt.date(2026, 11, 27)
    history = [(today - dt.timedelta(weeks=k), _result(("a", 80, 73 - 7 * k), ("b", 50, 60)))
               for k in (4, 3, 2, 1)]
    now = _result(("a", 80, 73), ("b", 50, 60))  # a rises 1 point a day: 7 days to go
    guess = eligibility.estimate(now, history, today)
    assert guess.date == dt.date(2026, 12, 4) and guess.reason is None
    flat = [(d, _result(("a", 80, 73), ("b", 50, 60))) for d, _ in history]
    assert eligibility.estimate(now, flat, today).date is None
    assert "not rising" in eligibility.estimate(now, flat, today).reason
    assert "too little history" in eligibility.estimate(now, history[-1:], today).reason


def test_validity_feb_29_plus_two_years_is_feb_28():
    leap = dt.datetime(2028, 2, 29, 10, 30, tzinfo=dt.timezone.utc)
    assert add_years(leap, 2) == dt.datetime(2030, 2, 28, 10, 30, tzinfo=dt.timezone.utc)
    assert add_years(leap, 4) == dt.datetime(2032, 2, 29, 10, 30, tzinfo=dt.timezone.utc)
    assert add_years(dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc), 2).date() == dt.date(2028, 11, 27)


def test_status_at_revoked_wins_then_expiry():
    until = dt.datetime(2028, 1, 1, tzinfo=dt.timezone.utc)
    before, after = until - dt.timedelta(seconds=1), until + dt.timedelta(seconds=1)
    assert status_at(valid_until=until, revoked=False, as_of=before) == "VALID"
    assert status_at(valid_until=until, revoked=False, as_of=until) == "VALID"
    assert status_at(valid_until=until, revoked=False, as_of=after) == "EXPIRED"
    assert status_at(valid_until=until, revoked=True, as_of=before) == "REVOKED"


def test_codes_are_unambiguous_and_read_back_leniently():
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000 and codes.ENTROPY_BITS >= 60
    for code in seen:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert set(code.replace("-", "")) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")
    assert codes.normalize_code(" k7qd 2mzp-9xrt ") == "K7QD-2MZP-9XRT"
    assert codes.normalize_code("K7QD-2MZP-9XRO") == "K7QD-2MZP-9XR0"  # O read as zero
    assert codes.normalize_code("K7QD-2MZP") is None and codes.normalize_code("K7QD-2MZP-9XR!") is None


def test_did_key_matches_an_independent_encoder_and_round_trips():
    from openbadgeslib.ob3.did import did_key_from_pem, resolve_did

    from progress_cli.certs import keys

    public = keys.public_of(keys.generate())
    assert public.did.startswith("did:key:z6Mk")
    assert public.did == did_key_from_pem(public.public_key_pem)
    assert resolve_did(public.did).decode().strip() == public.public_key_pem.strip()
    assert didkey.public_key(public.verification_method) == public.raw
    with pytest.raises(ValueError):
        didkey.public_key("did:web:example.org")
    assert didkey.b58decode(didkey.b58encode(b"\0\0abc")) == b"\0\0abc"


def test_decide_keeps_valid_renews_expiring_and_never_replaces_a_revoked_one_in_a_batch():
    as_of = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)

    def row(until: dt.datetime, revoked: bool = False) -> dict:
        return {"valid_until": issuing.to_text(until), "revoked_at": "x" if revoked else None}

    soon, later, past = as_of + dt.timedelta(days=10), as_of + dt.timedelta(days=400), as_of - dt.timedelta(days=1)
    decide = issuing.decide
    assert decide(None, True, as_of=as_of, renew_before_days=None, explicit=False) == issuing.ISSUE
    assert decide(None, False, as_of=as_of, renew_before_days=None, explicit=False) == issuing.NOT_ELIGIBLE
    assert decide(row(later), False, as_of=as_of, renew_before_days=None, explicit=False) == issuing.ALREADY_VALID
    assert decide(row(soon), True, as_of=as_of, renew_before_days=None, explicit=False) == issuing.ALREADY_VALID
    assert decide(row(soon), True, as_of=as_of, renew_before_days=30, explicit=False) == issuing.ISSUE
    assert decide(row(later), True, as_of=as_of, renew_before_days=30, explicit=False) == issuing.ALREADY_VALID
    assert decide(row(past), True, as_of=as_of, renew_before_days=None, explicit=False) == issuing.ISSUE
    assert decide(row(later, True), True, as_of=as_of, renew_before_days=None, explicit=False) == issuing.REVOKED
    assert decide(row(later, True), True, as_of=as_of, renew_before_days=None, explicit=True) == issuing.ISSUE


def test_issue_moment_is_never_in_the_future():
    now = dt.datetime(2026, 11, 28, 9, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert issuing.issue_moment(now + dt.timedelta(days=1), now) == now.replace(microsecond=0)
    past = dt.datetime(2026, 11, 27, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)
    assert issuing.issue_moment(past, now) == past.replace(microsecond=0)


def test_a_certificate_issued_on_feb_29_is_valid_until_the_end_of_feb_28_two_years_later():
    from zoneinfo import ZoneInfo

    catalog = parse_catalog(CATALOG)
    figures = Figures(total_progress=100.0, module_scores={"m1": 90.0}, skill_mastery={"s1": 88.0})
    result = eligibility.check(catalog, figures)
    paris = ZoneInfo("Europe/Paris")
    issued = dt.datetime(2028, 2, 29, 9, 15, tzinfo=dt.timezone.utc)
    cert = issuing.new_certificate(catalog, learner_id="zoe", learner_name=None, result=result, figures=figures,
                                   issued_at=issued, tz=paris, code="K7QD-2MZP-9XRT")
    assert cert.valid_until == dt.datetime(2030, 2, 28, 23, 59, 59, tzinfo=paris)
    assert cert.overall_score == 90.0 and [s.id for s in cert.skills] == ["s1"] and cert.display_name == "zoe"
    assert "Overall completion of at least 50" in cert.criteria
