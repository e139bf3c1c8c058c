"""Exactly once (DESIGN 10): claim a delivery row, send, record; one SMTP connection per run.

For each message: a write transaction claims its `deliveries` row (kind, learner, subject,
recipient) with this run's token; only then is the message built and sent, and a second
transaction records `sent` (with the Message-ID) or `failed` (with the error). So:

- a rerun skips what is sent; two runs at once never both hold a claim (the claim is taken
  under the store's write lock, and the unique key backs it up), so each message goes once;
- a failure is recorded and the next run retries it;
- a run that dies between sending and recording leaves a `sending` claim; a run that starts
  more than STALE_AFTER after that claim sends the message again with the same Message-ID
  (the one case of "at least once": SMTP cannot tell us whether the message got through).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from sqlalchemy import Engine

from progress_cli.errors import ProgressError
from progress_cli.mail.config import MailConfigError, SmtpConfig, smtp_config
from progress_cli.mail.messages import POLICY, Content, build_message, message_id
from progress_cli.mail.transport import SendFailed, SmtpTransport
from progress_cli.services.output_files import safe_id, write_atomic
from progress_cli.store import read_snapshot, write_transaction
from progress_cli.store import deliveries as store
from progress_cli.store.deliveries import Key

STALE_AFTER = dt.timedelta(minutes=15)  # far longer than one message takes (SMTP timeouts are 60 s)
DRY_RUN_SENDER = "progress-cli <progress-cli@localhost>"


class DeliveryFailed(ProgressError):
    """Some messages failed (exit 1); the message is the run's one-line summary."""


@dataclass
class Outgoing:
    """One message to deliver: its key (recipient None: the learner has no address) and how to
    write it (called only once the delivery is claimed)."""

    key: Key
    recipient_name: str | None
    content: Callable[[], Content]


@dataclass
class DeliveryOutcome:
    dry_run: bool = False
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    no_address: int = 0
    messages: list[dict] = field(default_factory=list)  # one per message tried or written
    out_dir: Path | None = None

    def summary_line(self) -> str:
        if self.dry_run:
            where = f" to {self.out_dir}" if self.out_dir else ""
            return (f"dry run: {self.sent} messages written{where}, nothing sent; already sent "
                    f"{self.already_sent}, no address {self.no_address}")
        line = f"sent {self.sent}, already sent {self.already_sent}, failed {self.failed}, no address {self.no_address}"
        errors = [m for m in self.messages if m["status"] == store.FAILED]
        if errors:
            line += f" (first failure: {errors[0]['recipient']}: {errors[0]['error']}; see `progress mail log --failed`)"
        return line

    def as_json(self) -> dict:
        return {"sent": self.sent, "already_sent": self.already_sent, "failed": self.failed,
                "no_address": self.no_address, "dry_run": self.dry_run, "messages": self.messages,
                "summary": self.summary_line()}

    def raise_if_failed(self) -> None:
        if self.failed:
            raise DeliveryFailed(self.summary_line())

    def add(self, other: "DeliveryOutcome") -> None:
        for name in ("sent", "already_sent", "failed", "no_address"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.messages.extend(other.messages)


def mail_settings(*, dry_run: bool, environ: Mapping[str, str] | None = None) -> SmtpConfig | None:
    """The SMTP settings (checked before any work); a dry run needs none."""
    if dry_run:
        return None
    return smtp_config(environ)


def sent_already(engine: Engine, kind: str, subjects: set[str]) -> set[Key]:
    with read_snapshot(engine) as conn:
        return store.sent_keys(conn, kind, subjects)


def deliver(engine: Engine, outgoing: Iterable[Outgoing], *, config: SmtpConfig | None,
            dry_run_dir: Path | None = None) -> DeliveryOutcome:
    """Send each message once (see the module's docstring); with `dry_run_dir`, write each
    message that would be sent as a .eml file there instead, and touch nothing in the store."""
    if dry_run_dir is not None:
        return _dry_run(engine, outgoing, dry_run_dir)
    if config is None:
        raise MailConfigError("no SMTP settings")
    outcome = DeliveryOutcome()
    token = uuid.uuid4().hex
    with SmtpTransport(config) as transport:
        for item in outgoing:
            if item.key.recipient is None:
                outcome.no_address += 1
                continue
            _deliver_one(engine, item, transport, config, token, outcome)
    return outcome


def _deliver_one(engine: Engine, item: Outgoing, transport: SmtpTransport, config: SmtpConfig, token: str,
                 outcome: DeliveryOutcome) -> None:
    key = item.key
    with write_transaction(engine) as conn:
        state = store.claim(conn, key, token=token, stale_before=_now() - STALE_AFTER)
    if state in ("sent", "busy"):
        outcome.already_sent += 1
        return
    msg_id = message_id(key.kind, key.learner_id, key.subject, key.recipient, config.sender_domain)
    try:
        message = build_message(item.content(), sender=config.sender, to_address=key.recipient,
                                to_name=item.recipient_name, msg_id=msg_id)
        transport.send(message)
    except (SendFailed, ProgressError, OSError, ValueError) as exc:  # not sent: recorded, retried next run
        error = transport.scrub(str(exc))
        with write_transaction(engine) as conn:
            store.record_failed(conn, key, token=token, error=error, message_id=msg_id)
        outcome.failed += 1
        outcome.messages.append(_entry(key, store.FAILED, msg_id, error))
        return
    with write_transaction(engine) as conn:
        store.record_sent(conn, key, token=token, message_id=msg_id)
    outcome.sent += 1
    outcome.messages.append(_entry(key, store.SENT, msg_id, None))


def _dry_run(engine: Engine, outgoing: Iterable[Outgoing], out_dir: Path) -> DeliveryOutcome:
    outcome = DeliveryOutcome(dry_run=True, out_dir=out_dir)
    sender = os.environ.get("PROGRESS_MAIL_FROM", "").strip() or DRY_RUN_SENDER
    domain = sender.rpartition("@")[2].rstrip(">") or "localhost"
    for item in outgoing:
        key = item.key
        if key.recipient is None:
            outcome.no_address += 1
            continue
        with read_snapshot(engine) as conn:
            if key in store.sent_keys(conn, key.kind, {key.subject}):
                outcome.already_sent += 1
                continue
        msg_id = message_id(key.kind, key.learner_id, key.subject, key.recipient, domain)
        message = build_message(item.content(), sender=sender, to_address=key.recipient,
                                to_name=item.recipient_name, msg_id=msg_id)
        path = out_dir / eml_name(key)
        write_atomic(path, message.as_bytes(policy=POLICY))
        outcome.sent += 1
        outcome.messages.append(_entry(key, "written", msg_id, None) | {"eml": str(path)})
    return outcome


def eml_name(key: Key) -> str:
    """`<kind>-<learner>-<subject>-<recipient>.eml`, safe as a file name on every system."""
    return "-".join(safe_id(part) for part in (key.kind, key.learner_id, key.subject, key.recipient)) + ".eml"


def _entry(key: Key, status: str, msg_id: str | None, error: str | None) -> dict:
    return {"kind": key.kind, "learner_id": key.learner_id, "subject": key.subject, "recipient": key.recipient,
            "status": status, "message_id": msg_id, "error": error}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
