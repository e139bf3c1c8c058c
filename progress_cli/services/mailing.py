"""What goes by e-mail (DESIGN 10): reports, new certificates, expiry reminders, a test message,
and the delivery log. Each builds its messages and hands them to `delivery.deliver`.

Services do not render: the CLI passes `render(report) -> Content` for reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from progress_cli.config import parse_as_of
from progress_cli.errors import ProgressError, UsageError
from progress_cli.mail.config import SmtpConfig
from progress_cli.mail.messages import Attachment, Content, build_message, certificate_content, message_id
from progress_cli.mail.messages import reminder_content, test_content
from progress_cli.mail.transport import SendFailed, SmtpTransport
from progress_cli.services.delivery import DeliveryOutcome, Outgoing, deliver, sent_already
from progress_cli.services.workers import computed_ahead
from progress_cli.services.store_access import open_engine
from progress_cli.store import read_connection, write_transaction
from progress_cli.store import certs as cert_store
from progress_cli.store import deliveries as store
from progress_cli.store.deliveries import Key
from progress_cli.store.roster import contacts

REPORT, CERTIFICATE, REMINDER, TEST = "report", "certificate", "reminder", "test"
DEFAULT_REMIND_DAYS = 60
PARALLEL_FROM = 8  # reports to send before worker processes pay for their start
MAX_RENDER_JOBS = 4


# --------------------------------------------------------------------------- reports

def deliver_reports(run, *, render: Callable[[dict], Content], config: SmtpConfig | None,
                    dry_run_dir: Path | None = None, jobs: int | None = None) -> DeliveryOutcome:
    """Each learner of the run with an email gets their report once (a ReportRun of
    services.reports). Reports are computed only for learners whose report is still to send.

    `render` (picklable) runs in `jobs` worker processes, a few reports ahead of the sending
    (default: one per CPU when there are more than a handful to send); with one job it runs
    only once the delivery is claimed.
    """
    engine = open_engine(run.db)
    try:
        with read_connection(engine) as conn:
            people = contacts(conn, run.learner_ids)
        label = run.period.label
        keys = {lid: Key(REPORT, lid, label, people.get(lid, {}).get("email")) for lid in run.learner_ids}
        done = sent_already(engine, REPORT, {label})
        pending = [lid for lid in run.learner_ids if keys[lid].recipient and keys[lid] not in done]
        outcome = DeliveryOutcome(dry_run=dry_run_dir is not None, out_dir=dry_run_dir)
        outcome.no_address = sum(1 for k in keys.values() if k.recipient is None)
        outcome.already_sent = len(run.learner_ids) - outcome.no_address - len(pending)
        if jobs is None:
            jobs = min(os.cpu_count() or 1, MAX_RENDER_JOBS) if len(pending) >= PARALLEL_FROM else 1
        reports = dataclasses.replace(run, learner_ids=pending)
        items = (Outgoing(key=keys[r["learner"]["id"]], recipient_name=people[r["learner"]["id"]]["name"],
                          content=content) for r, content in computed_ahead(reports, render, jobs=jobs))
        outcome.add(deliver(engine, items, config=config, dry_run_dir=dry_run_dir))
    finally:
        engine.dispose()
    return outcome


# --------------------------------------------------------------------------- certificates

def deliver_certificates(db: str, issued: list[dict[str, Any]], *, out_dir: Path, config: SmtpConfig | None,
                         verify_line: Callable[[str], str], dry_run_dir: Path | None = None) -> DeliveryOutcome:
    """Each certificate issued in this run (`cert issue --json`'s "issued" entries) goes to its
    learner with its PDF and .jwt; deliveries of earlier certificates that failed are retried
    (their files are looked for in `out_dir`, where `cert issue` wrote them)."""
    engine = open_engine(db)
    try:
        with read_connection(engine) as conn:
            retry = store.unsent(conn, CERTIFICATE)
            entries = {e["certificate_id"]: e for e in issued}
            for row in retry:
                if row["subject"] not in entries:
                    cert = cert_store.certificate_by(conn, certificate_id=row["subject"])
                    if cert is not None and cert["revoked_at"] is None:
                        entries[cert["certificate_id"]] = _files_of(cert, out_dir)
            certs = {cid: cert_store.certificate_by(conn, certificate_id=cid) for cid in entries}
            people = contacts(conn, sorted({e["learner_id"] for e in entries.values()}))
        items = []
        for cid, entry in sorted(entries.items(), key=lambda kv: (kv[1]["learner_id"], kv[0])):
            person = people.get(entry["learner_id"], {})
            cert = certs[cid]
            items.append(Outgoing(key=Key(CERTIFICATE, entry["learner_id"], cid, person.get("email")),
                                  recipient_name=person.get("name") or cert["learner_name"],
                                  content=_certificate_message(cert, entry, verify_line)))
        return deliver(engine, items, config=config, dry_run_dir=dry_run_dir)
    finally:
        engine.dispose()


def _files_of(cert: dict, out_dir: Path) -> dict[str, Any]:
    from progress_cli.certs.files import certificate_paths

    pdf, jwt = certificate_paths(out_dir, cert["learner_id"], cert["code"])
    return {"learner_id": cert["learner_id"], "certificate_id": cert["certificate_id"], "pdf": str(pdf),
            "credential": str(jwt)}


def _certificate_message(cert: dict, entry: dict, verify_line: Callable[[str], str]) -> Callable[[], Content]:
    def content() -> Content:
        pdf, jwt = Path(entry["pdf"]), Path(entry["credential"])
        try:
            pdf_data, jwt_data = pdf.read_bytes(), jwt.read_bytes()
        except OSError as exc:
            raise ProgressError(f"cannot attach {exc.filename}: {exc.strerror} (the --out folder of "
                                "`cert issue --email` must hold the certificate's files)") from None
        return certificate_content(
            name=cert["learner_name"], certification=cert["certification"], code=cert["code"],
            valid_until=cert["valid_until"][:10], verify=verify_line(cert["code"]),
            pdf=Attachment(pdf.name, pdf_data, "application/pdf"),
            credential=Attachment(jwt.name, jwt_data, "application/jwt"))
    return content


# --------------------------------------------------------------------------- reminders

def reminders(db: str, *, tz: ZoneInfo, within: int = DEFAULT_REMIND_DAYS, as_of: str | None = None,
              email: bool = False, config: SmtpConfig | None = None, verify_line: Callable[[str], str],
              dry_run_dir: Path | None = None) -> tuple[list[dict[str, Any]], DeliveryOutcome | None]:
    """`cert remind`: valid, not renewed certificates expiring within `within` days, each with
    its learner's address and whether the reminder went out; with `email`, send the missing ones."""
    from progress_cli.certs.register import listing

    if within < 0:
        raise UsageError("--within: a number of days >= 0")
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    try:
        with read_connection(engine) as conn:
            due = listing(cert_store.all_certificates(conn), moment, within)
            people = contacts(conn, sorted({c["learner_id"] for c in due}))
            done = store.sent_keys(conn, REMINDER, {c["certificate_id"] for c in due})
        rows = []
        items = []
        for cert in due:
            person = people.get(cert["learner_id"], {})
            key = Key(REMINDER, cert["learner_id"], cert["certificate_id"], person.get("email"))
            rows.append({"learner_id": cert["learner_id"], "learner_name": cert["learner_name"],
                         "code": cert["code"], "certification": cert["certification"],
                         "valid_until": cert["valid_until"], "days_left": cert["days_left"],
                         "email": key.recipient, "reminded": key in done})
            items.append(Outgoing(key=key, recipient_name=person.get("name") or cert["learner_name"],
                                  content=_reminder_message(cert, verify_line)))
        outcome = deliver(engine, items, config=config, dry_run_dir=dry_run_dir) if email else None
    finally:
        engine.dispose()
    return rows, outcome


def _reminder_message(cert: dict, verify_line: Callable[[str], str]) -> Callable[[], Content]:
    return lambda: reminder_content(name=cert["learner_name"], certification=cert["certification"],
                                    code=cert["code"], valid_until=cert["valid_until"][:10],
                                    days_left=cert["days_left"], verify=verify_line(cert["code"]))


def verify_line(db: str) -> Callable[[str], str]:
    """code -> how to check the certificate, for the messages' bodies."""
    return lambda code: f"progress cert verify {code} (or check the attached .jwt with any Open Badges 3.0 verifier)"


# --------------------------------------------------------------------------- test and log

def send_test(db: str, to: str, *, config: SmtpConfig) -> dict[str, Any]:
    """`mail test --to ADDRESS`: one message now, recorded in the log; raises on failure."""
    from progress_cli.addresses import is_address

    if not is_address(to):
        raise UsageError(f"--to is not an e-mail address: {to!r}")
    now = dt.datetime.now(dt.timezone.utc)
    key = Key(TEST, "-", now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), to)
    msg_id = message_id(key.kind, key.learner_id, key.subject, key.recipient, config.sender_domain)
    message = build_message(test_content(config.url), sender=config.sender, to_address=to, to_name=None,
                            msg_id=msg_id, date=now)
    engine = open_engine(db)
    try:
        token = "test"
        with write_transaction(engine) as conn:
            store.claim(conn, key, token=token, stale_before=now)
        with SmtpTransport(config) as transport:
            try:
                transport.send(message)
            except SendFailed as exc:
                with write_transaction(engine) as conn:
                    store.record_failed(conn, key, token=token, error=str(exc), message_id=msg_id)
                raise ProgressError(f"test message to {to} not sent: {exc}") from None
        with write_transaction(engine) as conn:
            store.record_sent(conn, key, token=token, message_id=msg_id)
    finally:
        engine.dispose()
    return {"to": to, "server": config.url, "message_id": msg_id, "sent_at": now.isoformat()}


def mail_log(db: str, *, failed_only: bool = False) -> list[dict[str, Any]]:
    """`mail log`: deliveries newest first; `failed_only`: those not sent (failed, or claimed and
    never recorded)."""
    engine = open_engine(db)
    try:
        with read_connection(engine) as conn:
            return store.log(conn, failed_only=failed_only)
    finally:
        engine.dispose()
