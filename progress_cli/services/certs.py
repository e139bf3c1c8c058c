"""`progress cert ...` and `progress keys ...`: the store, the key file and the output files
around the pure pieces of `progress_cli.certs`.

Issuing is safe under cron: each learner is decided and written in one short write
transaction (SQLite queues writers on its lock; elsewhere the unique issue slot refuses the
second of two racing inserts), and the learner's files are written before that transaction
commits and removed if it does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from progress_cli.catalog import Catalog
from progress_cli.certs import codes, issuing, keys, statuslist
from progress_cli.certs.credential import build_credential, sign
from progress_cli.certs.eligibility import TREND_WEEKS, Eligibility, Figures, check, estimate
from progress_cli.certs.figures import figures_by_learner
from progress_cli.certs.identity import Identity
from progress_cli.certs.issuing import IssueOutcome, from_text, to_text
from progress_cli.certs.register import iso, listing, summary
from progress_cli.certs.validity import expired
from progress_cli.config import KEYS_FOLDER, data_dir, parse_as_of
from progress_cli.errors import ProgressError, UsageError
from progress_cli.services.output_files import certificate_paths, remove_quietly, write_atomic
from progress_cli.services.store_access import open_engine, read_catalog, require_learners, stored_catalog
from progress_cli.store import activity, queries, read_snapshot, write_transaction
from progress_cli.store import certs as store
from progress_cli.store.engine import database_url

BATCH_LEARNERS = 500
CERTIFICATE_MODE = 0o644  # the files are meant to be handed out
# render.certificate_pdf.render_certificate_pdf, given by the caller: services do not render.
RenderPdf = Callable[..., bytes]  # (cert, *, token, issuer, tz, issuer_name, page_url) -> PDF bytes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)




# --------------------------------------------------------------------------- where things live

def keys_dir(db: str) -> Path:
    """Beside a SQLite store (`<store>.keys/`); for a database URL, in the user data dir."""
    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        store_path = Path(url.database)
        return store_path.with_name(store_path.name + ".keys")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode("utf-8")).hexdigest()[:16]
    return data_dir() / KEYS_FOLDER / f"{url.get_backend_name()}-{digest}"


def _certification(catalog: Catalog):
    if catalog.certification is None:
        raise ProgressError("the catalog has no [certification] section; add one and run `progress init --catalog FILE`")
    return catalog.certification


# --------------------------------------------------------------------------- keys

def _public(row: dict) -> keys.PublicKey:
    return keys.PublicKey(key_id=row["key_id"], did=row["did"], public_key_pem=row["public_key_pem"])


def _key_view(row: dict, directory: Path) -> dict[str, Any]:
    public = _public(row)
    path = keys.key_file(directory, public.key_id)
    return {
        "key_id": public.key_id, "did": public.did, "verification_method": public.verification_method,
        "algorithm": row["algorithm"], "public_key_pem": public.public_key_pem,
        "created_at": iso(row["created_at"]), "retired_at": iso(row["retired_at"]),
        "private_key_file": str(path) if row["current"] else None,
        "private_key_present": path.exists() if row["current"] else None,
    }


def _create_key(engine: Engine, directory: Path, *, rotate: bool) -> tuple[dict, dict | None]:
    """(current key row, retired row or None). Without `rotate`, an existing key is kept."""
    written: Path | None = None
    try:
        with write_transaction(engine) as conn:
            current = store.current_key(conn)
            if current is not None and not rotate:
                return current, None
            private = keys.generate()
            public = keys.public_of(private)
            written = keys.key_file(directory, public.key_id)
            keys.write_private_key(written, private)
            now = to_text(_now())
            if current is not None:
                store.retire_current_key(conn, at=now)
            try:
                with conn.begin_nested():
                    store.add_current_key(conn, key_id=public.key_id, did=public.did,
                                          public_key_pem=public.public_key_pem, created_at=now)
            except IntegrityError:  # another process created the first key at the same moment
                keys.remove_private_key(written)
                return store.current_key(conn), None
            row = store.current_key(conn)
    except BaseException:
        if written is not None:
            keys.remove_private_key(written)
        raise
    if current is not None:
        keys.remove_private_key(keys.key_file(directory, current["key_id"]))  # a retired key never signs again
    return row, current


def init_keys(db: str, *, rotate: bool) -> dict[str, Any]:
    """`keys init`: create the signing key pair (or a new one with `rotate`)."""
    engine = open_engine(db)
    directory = keys_dir(db)
    with read_snapshot(engine) as conn:
        existing = store.current_key(conn)
    if existing is not None and not rotate:
        engine.dispose()
        return {"created": False, "key": _key_view(existing, directory), "retired": None}
    row, retired = _create_key(engine, directory, rotate=rotate)
    engine.dispose()
    return {"created": True, "key": _key_view(row, directory),
            "retired": None if retired is None else retired["did"]}


def show_keys(db: str) -> dict[str, Any]:
    """`keys show`: the signing key and the retired ones (public halves only)."""
    engine = open_engine(db)
    with read_snapshot(engine) as conn:
        rows = store.signing_keys(conn)
    engine.dispose()
    if not rows:
        raise ProgressError("no signing key yet; run `progress keys init` (or issue a certificate)")
    directory = keys_dir(db)
    views = [_key_view(r, directory) for r in rows]
    current = [v for v, r in zip(views, rows) if r["current"]]
    return {"current": current[0] if current else None, "retired": [v for v, r in zip(views, rows) if not r["current"]]}


def current_signer(engine: Engine, directory: Path) -> keys.Signer:
    """The current signing key, created on first use."""
    with read_snapshot(engine) as conn:
        row = store.current_key(conn)
    if row is None:
        row, _ = _create_key(engine, directory, rotate=False)
    public = _public(row)
    return keys.Signer(public=public, private_key=keys.load_private_key(keys.key_file(directory, public.key_id), public))


# --------------------------------------------------------------------------- eligibility

def _figures(engine: Engine, catalog: Catalog, learner_ids: list[str], tz: ZoneInfo,
             moments: list[dt.datetime]) -> list[dict[str, Figures]]:
    """For each moment, learner_id -> Figures, computed from the events (a batch of learners at a time)."""
    # pandas (~0.3 s): cert list, verify, revoke and keys need no analytics
    from progress_cli.analytics import analyze
    from progress_cli.services.frames import events_frame

    out: list[dict[str, Figures]] = [{} for _ in moments]
    for start in range(0, len(learner_ids), BATCH_LEARNERS):
        chunk = learner_ids[start:start + BATCH_LEARNERS]
        with read_snapshot(engine) as conn:
            frame = events_frame(queries.live_events(conn, learner_ids=chunk))
        for i, moment in enumerate(moments):
            out[i].update(figures_by_learner(analyze(frame, catalog, tz.key, moment), catalog.certification))
    return out


def check_learner(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> dict[str, Any]:
    """`cert check`: each requirement with required / current / met, the certificate progress,
    an estimated date of eligibility, and the learner's latest certificate.

    The figures at as_of and at each of the TREND_WEEKS weeks before come from the learner's
    own events in plain Python (analytics.learner_events: the full computation's figures, to
    the last bit), so the check needs no pandas whatever the date (DESIGN 9)."""
    # numpy on use: cert list, verify, revoke and keys need no analytics
    from progress_cli.analytics.learner_events import LearnerEvents

    engine = open_engine(db)
    require_learners(engine, [learner_id])
    moment = parse_as_of(as_of, tz)
    with read_snapshot(engine) as conn:
        catalog = read_catalog(conn)
        cert = _certification(catalog)
        events = LearnerEvents(queries.live_events(conn, learner_ids=[learner_id]), catalog, tz)
        name = queries.learner_names(conn, [learner_id]).get(learner_id)
        latest = store.latest_certificate(conn, learner_id, cert.name)
    engine.dispose()
    moments = [moment - dt.timedelta(weeks=k) for k in range(TREND_WEEKS + 1)]
    results = [check(catalog, _event_figures(events.until(m), cert)) for m in moments]
    today = moment.astimezone(tz).date()
    history = [(m.astimezone(tz).date(), r) for m, r in zip(moments[1:], results[1:])]
    guess = estimate(results[0], history, today)
    now = results[0]
    return {
        "learner": {"id": learner_id, "name": name},
        "as_of": moment.isoformat(),
        "certification": {"name": cert.name, "validity_years": cert.validity_years},
        "eligible": now.eligible,
        "certificate_progress": now.progress,
        "requirements": [_requirement(r) for r in now.requirements],
        "estimated_eligibility": {"estimate": guess.date.isoformat() if guess.date else None,
                                  "basis": guess.basis, "reason": guess.reason},
        "certificate": None if latest is None else summary(latest, moment),
    }


def _event_figures(events, certification) -> Figures:
    """What the certification's requirements read, from a learner's events up to a moment
    (`certs.figures.figures_by_learner` of the full analysis, for one learner)."""
    if not events.has_events:
        return Figures()
    skills = events.skills()
    return Figures(total_progress=events.total_progress(),
                   module_scores={m: events.module_average(m) for m in certification.module_scores},
                   skill_mastery={s: skills.get(s, {}).get("mastery") for s in certification.skill_mastery})


def _requirement(r) -> dict[str, Any]:
    return {"type": r.kind, "id": r.id, "name": r.name, "required": r.required, "current": r.current,
            "met": r.met, "progress": r.progress * 100.0}


# --------------------------------------------------------------------------- issue

@dataclass
class _Run:
    engine: Engine
    catalog: Catalog
    signer: keys.Signer
    identity: Identity
    tz: ZoneInfo
    as_of: dt.datetime
    issued_at: dt.datetime
    out_dir: Path
    renew_before_days: int | None
    explicit: bool
    render_pdf: RenderPdf
    render_times: list[float] = field(default_factory=list)


def issue_certificates(db: str, *, learner_id: str | None, out_dir: Path, tz: ZoneInfo, render_pdf: RenderPdf,
                       as_of: str | None = None, renew_before_days: int | None = None,
                       on_start: Callable[[int], Callable[[int], None]] | None = None) -> IssueOutcome:
    """`cert issue`: one learner (`learner_id`) or everyone (None). Never prompts.

    Decides from one read of the store, then takes the write lock only for the learners to
    certify, deciding again inside it. `render_pdf` draws each certificate. `on_start(total)`
    may return `advance(n)`, called after each of them (a progress bar). The signing key is
    created on the first certificate issued.
    """
    if renew_before_days is not None and renew_before_days < 0:
        raise UsageError(f"a renewal window is a number of days >= 0, not {renew_before_days}")
    engine = open_engine(db)
    if learner_id is not None:
        require_learners(engine, [learner_id])
    catalog = stored_catalog(engine)
    cert = _certification(catalog)
    moment = parse_as_of(as_of, tz)
    with read_snapshot(engine) as conn:
        learner_ids = [learner_id] if learner_id is not None else queries.learner_ids(conn)
        names = queries.learner_names(conn, learner_ids)
    figures = _figures(engine, catalog, learner_ids, tz, [moment])[0]
    results = {lid: check(catalog, figures.get(lid, Figures())) for lid in learner_ids}
    with read_snapshot(engine) as conn:
        latest = store.latest_certificates(conn, learner_ids, cert.name)
    run_options = {"as_of": moment, "renew_before_days": renew_before_days, "explicit": learner_id is not None}
    outcome = IssueOutcome()
    to_issue = []
    for lid in learner_ids:
        decision = issuing.decide(latest.get(lid), results[lid].eligible, **run_options)
        if decision == issuing.ISSUE:
            to_issue.append(lid)
        else:
            outcome.record(decision, lid, latest.get(lid), results[lid])
    if to_issue:
        advance = on_start(len(to_issue)) if on_start else None
        signer = current_signer(engine, keys_dir(db))
        run = _Run(engine=engine, catalog=catalog, signer=signer, identity=Identity(catalog.issuer, signer.public),
                   tz=tz, issued_at=issuing.issue_moment(moment, _now()), out_dir=out_dir, render_pdf=render_pdf,
                   **run_options)
        for lid in to_issue:
            _issue_one(run, outcome, lid, names.get(lid), results[lid], figures.get(lid, Figures()))
            if advance:
                advance(1)
        outcome.render_times = run.render_times
    engine.dispose()
    for entries in (outcome.issued, outcome.already_valid, outcome.not_eligible):
        entries.sort(key=lambda e: e["learner_id"])
    outcome.revoked.sort()
    return outcome


def _issue_one(run: _Run, outcome: IssueOutcome, learner_id: str, name: str | None, result: Eligibility,
               figures: Figures) -> None:
    """Decide again under the write lock, then create, store and write the certificate."""
    cert_name = run.catalog.certification.name
    written: list[Path] = []
    try:
        with write_transaction(run.engine) as conn:
            latest = store.latest_certificate(conn, learner_id, cert_name)
            decision = issuing.decide(latest, result.eligible, as_of=run.as_of,
                                      renew_before_days=run.renew_before_days, explicit=run.explicit)
            if decision == issuing.ISSUE:
                entry = _write_new(run, conn, learner_id, name, result, figures, latest, written)
                if entry is not None:
                    outcome.issued.append(entry)
                    return
                decision = issuing.ALREADY_VALID  # another process took this issue slot first
                latest = store.latest_certificate(conn, learner_id, cert_name)
    except BaseException:
        remove_quietly(written)
        raise
    outcome.record(decision, learner_id, latest, result)


def _write_new(run: _Run, conn, learner_id: str, name: str | None, result: Eligibility, figures: Figures,
               latest: dict | None, written: list[Path]) -> dict | None:
    """Create, store and write one certificate inside the learner's transaction; None if the slot was taken."""

    code = codes.new_code()
    while store.certificate_by(conn, code=code) is not None:  # 60 random bits: never in practice
        code = codes.new_code()
    index, status = _status_entry(conn, run.identity)
    started = time.perf_counter()
    cert = issuing.new_certificate(run.catalog, learner_id=learner_id, learner_name=name, result=result,
                                   figures=figures, issued_at=run.issued_at, tz=run.tz, code=code)
    identity = run.identity
    token = sign(build_credential(cert, identity.profile, status), run.signer, identity.kid)
    pdf = run.render_pdf(cert, token=token, issuer=identity.did, tz=run.tz, issuer_name=identity.profile.name,
                         page_url=identity.page_url(code))
    run_seconds = time.perf_counter() - started
    slot = (latest["issue_slot"] if latest else 0) + 1
    row = issuing.store_row(cert, slot=slot, key_id=run.signer.public.key_id, token=token) | {"status_index": index}
    try:
        with conn.begin_nested():
            store.insert_certificate(conn, row)
    except IntegrityError:
        return None
    activity.record(conn, "certificate_issued", learner_id, certificate_id=cert.certificate_id, code=code,
                    certification=cert.certification, valid_until=cert.valid_until.isoformat())
    pdf_path, jwt_path = certificate_paths(run.out_dir, learner_id, code)
    written.extend([pdf_path, jwt_path])
    write_atomic(pdf_path, pdf, mode=CERTIFICATE_MODE)
    write_atomic(jwt_path, token.encode("ascii"), mode=CERTIFICATE_MODE)
    run.render_times.append(run_seconds)
    return {"learner_id": learner_id, "certificate_id": cert.certificate_id, "code": code,
            "valid_until": cert.valid_until.isoformat(), "pdf": str(pdf_path), "credential": str(jwt_path),
            "renewed": latest is not None and latest["revoked_at"] is None
            and not expired(from_text(latest["valid_until"]), run.as_of)}


def _status_entry(conn, identity: Identity) -> tuple[int | None, dict | None]:
    """A free random index in the revocation list and the credentialStatus naming it, or
    (None, None) without a verify_url. Run under the write lock, so no other issuer takes it."""
    if identity.status_list_url is None:
        return None, None
    size = statuslist.list_size(store.status_indexes_held(conn))
    index = statuslist.pick_index(lambda i: store.status_index_taken(conn, i), size)
    return index, statuslist.entry(identity.status_list_url, index)


# --------------------------------------------------------------------------- revoke, list (verify: services/cert_verify.py)

def revoke(db: str, code_or_id: str, *, reason: str) -> dict[str, Any]:
    """`cert revoke`: mark a certificate revoked (once; revoking again changes nothing)."""
    if not reason.strip():
        raise UsageError("a revocation needs a reason: say why the certificate is revoked")
    code = codes.normalize_code(code_or_id)
    engine = open_engine(db)
    with write_transaction(engine) as conn:
        row = (store.certificate_by(conn, code=code) if code
               else store.certificate_by(conn, certificate_id=code_or_id.removeprefix("urn:uuid:")))
        if row is None:
            raise ProgressError(f"no certificate with code {code_or_id!r} in this store")
        already = row["revoked_at"] is not None
        if not already:
            store.revoke(conn, certificate_id=row["certificate_id"], at=to_text(_now()), reason=reason.strip())
            activity.record(conn, "certificate_revoked", row["learner_id"], certificate_id=row["certificate_id"],
                            code=row["code"], certification=row["certification"], reason=reason.strip())
        row = store.certificate_by(conn, certificate_id=row["certificate_id"])
    engine.dispose()
    return {"already_revoked": already, "certificate_id": row["certificate_id"], "code": row["code"],
            "learner_id": row["learner_id"], "revoked_at": iso(row["revoked_at"]),
            "revoked_reason": row["revoked_reason"]}


def list_certificates(db: str, *, tz: ZoneInfo, as_of: str | None = None,
                      expiring_within: int | None = None) -> list[dict[str, Any]]:
    """`cert list`: every certificate with its status as of `as_of`, soonest to expire first;
    with `expiring_within`, the valid, not renewed ones expiring within that many days."""

    if expiring_within is not None and expiring_within < 0:
        raise UsageError(f"an expiry window is a number of days >= 0, not {expiring_within}")
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    with read_snapshot(engine) as conn:
        rows = store.all_certificates(conn)
    engine.dispose()
    return listing(rows, moment, expiring_within)
