"""Certificates by e-mail (DESIGN 10): each new certificate to its learner, and one reminder per
certificate before it expires. Both point to the certificate's verification page when the
catalog's [issuer] has a verify_url (the site `cert publish` writes), and say nothing of a
page when it has none."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.catalog import Catalog
from progress_cli.certs import site
from progress_cli.certs.register import listing
from progress_cli.config import parse_as_of
from progress_cli.errors import ProgressError, UsageError
from progress_cli.mail.config import SmtpConfig
from progress_cli.mail.messages import Attachment, Content, certificate_content, reminder_content
from progress_cli.services.delivery import DeliveryOutcome, Outgoing, deliver
from progress_cli.services.output_files import certificate_paths
from progress_cli.services.store_access import open_engine, read_catalog
from progress_cli.store import read_snapshot
from progress_cli.store import certs as cert_store
from progress_cli.store import deliveries as store
from progress_cli.store.deliveries import Key
from progress_cli.store.roster import contacts

CERTIFICATE, REMINDER = "certificate", "reminder"
DEFAULT_REMIND_DAYS = 60


def deliver_certificates(db: str, issued: list[dict[str, Any]], *, out_dir: Path, config: SmtpConfig | None,
                         dry_run_dir: Path | None = None) -> DeliveryOutcome:
    """Each certificate issued in this run (`cert issue --json`'s "issued" entries) goes to its
    learner with its PDF and .jwt; deliveries of earlier certificates that failed are retried
    (their files are looked for in `out_dir`, where `cert issue` wrote them)."""
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            entries = {e["certificate_id"]: e for e in issued} | _retries(conn, issued, out_dir)
            certs = {cid: cert_store.certificate_by(conn, certificate_id=cid) for cid in entries}
            people = contacts(conn, sorted({e["learner_id"] for e in entries.values()}))
            page = _page_url(read_catalog(conn))
        items = []
        for cid, entry in sorted(entries.items(), key=lambda kv: (kv[1]["learner_id"], kv[0])):
            person, cert = people.get(entry["learner_id"], {}), certs[cid]
            items.append(Outgoing(key=Key(CERTIFICATE, entry["learner_id"], cid, person.get("email")),
                                  recipient_name=person.get("name") or cert["learner_name"],
                                  content=_certificate_message(cert, entry, page)))
        return deliver(engine, items, config=config, dry_run_dir=dry_run_dir)
    finally:
        engine.dispose()


def _retries(conn: Connection, issued: list[dict[str, Any]], out_dir: Path) -> dict[str, dict[str, Any]]:
    """The certificates (not revoked) whose earlier delivery is not recorded as sent."""
    new = {e["certificate_id"] for e in issued}
    found = {}
    for row in store.unsent(conn, CERTIFICATE):
        if row["subject"] in new:
            continue
        cert = cert_store.certificate_by(conn, certificate_id=row["subject"])
        if cert is not None and cert["revoked_at"] is None:
            pdf, jwt = certificate_paths(out_dir, cert["learner_id"], cert["code"])
            found[cert["certificate_id"]] = {"learner_id": cert["learner_id"], "certificate_id": cert["certificate_id"],
                                             "pdf": str(pdf), "credential": str(jwt)}
    return found


def _page_url(catalog: Catalog) -> Callable[[str], str | None]:
    """code -> the certificate's verification page, or None without a verify_url."""
    verify_url = catalog.issuer.verify_url if catalog.issuer is not None else None
    return lambda code: site.page_url(verify_url, code) if verify_url else None


def _certificate_message(cert: dict, entry: dict, page: Callable[[str], str | None]) -> Callable[[], Content]:
    def content() -> Content:
        pdf, jwt = Path(entry["pdf"]), Path(entry["credential"])
        try:
            pdf_data, jwt_data = pdf.read_bytes(), jwt.read_bytes()
        except OSError as exc:
            raise ProgressError(f"cannot attach {exc.filename}: {exc.strerror} (the certificate's files are looked "
                                "for in the folder `progress cert issue --out DIR --email` names)") from None
        return certificate_content(
            name=cert["learner_name"], certification=cert["certification"], code=cert["code"],
            valid_until=cert["valid_until"][:10], page_url=page(cert["code"]),
            pdf=Attachment(pdf.name, pdf_data, "application/pdf"),
            credential=Attachment(jwt.name, jwt_data, "application/jwt"))
    return content


def reminders(db: str, *, tz: ZoneInfo, within: int = DEFAULT_REMIND_DAYS, as_of: str | None = None,
              email: bool = False, config: SmtpConfig | None = None,
              dry_run_dir: Path | None = None) -> tuple[list[dict[str, Any]], DeliveryOutcome | None]:
    """`cert remind`: valid, not renewed certificates expiring within `within` days, each with
    its learner's address and whether the reminder went out; with `email`, send the missing ones."""
    if within < 0:
        raise UsageError(f"a reminder comes a number of days >= 0 before a certificate expires, not {within}")
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            due = listing(cert_store.all_certificates(conn), moment, within)
            people = contacts(conn, sorted({c["learner_id"] for c in due}))
            done = store.sent_keys(conn, REMINDER, {c["certificate_id"] for c in due})
            page = _page_url(read_catalog(conn))
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
                                  content=_reminder_message(cert, page)))
        outcome = deliver(engine, items, config=config, dry_run_dir=dry_run_dir) if email else None
    finally:
        engine.dispose()
    return rows, outcome


def _reminder_message(cert: dict, page: Callable[[str], str | None]) -> Callable[[], Content]:
    return lambda: reminder_content(name=cert["learner_name"], certification=cert["certification"],
                                    code=cert["code"], valid_until=cert["valid_until"][:10],
                                    days_left=cert["days_left"], page_url=page(cert["code"]))
