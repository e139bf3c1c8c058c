"""The `deliveries` table (DESIGN 10): one row per message that should reach someone once.

A row is keyed by (kind, learner_id, subject, recipient). A sender claims it (status
`sending`, its own token, the time) in a write transaction before it sends, and records the
outcome (`sent` with the Message-ID, or `failed` with the error) only while its token still
holds. Keyword-only queries that take a Connection and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, Text, UniqueConstraint, select, update

from progress_cli.store.dialect import insert_ignore
from progress_cli.store.models import counter, iso_time, metadata, required, stamp, stored_time

SENT, SENDING, FAILED = "sent", "sending", "failed"


DELIVERIES = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    required("kind"),  # report, team_report, certificate, reminder, test
    required("learner_id"),  # the learner the message is about (a team's name for a team report)
    required("subject"),  # the period label (2026-W47) or the certificate id
    required("recipient"),
    required("status", index=True),
    counter("attempts"),
    Column("claim_token", String),
    stamp("claimed_at", nullable=True),
    Column("message_id", String),
    Column("error", Text),
    stamp("created_at"),
    stamp("sent_at", nullable=True),
    stamp("updated_at"),
    UniqueConstraint("kind", "learner_id", "subject", "recipient", name="uq_deliveries_key"),
)


@dataclass(frozen=True)
class Key:
    kind: str
    learner_id: str
    subject: str
    recipient: str

    def where(self):
        c = DELIVERIES.c
        return ((c.kind == self.kind) & (c.learner_id == self.learner_id) & (c.subject == self.subject)
                & (c.recipient == self.recipient))


def sent_keys(conn: Connection, kind: str, subjects: set[str]) -> set[Key]:
    """The keys of `kind` already sent, for these subjects (a cheap filter before claiming)."""
    c = DELIVERIES.c
    query = select(c.kind, c.learner_id, c.subject, c.recipient).where(
        c.kind == kind, c.status == SENT, c.subject.in_(sorted(subjects)))
    return {Key(*row) for row in conn.execute(query)}


def claim(conn: Connection, key: Key, *, token: str, stale_before: dt.datetime) -> str:
    """Take the row for `key` for this sender: "new" (first time), "retry" (a failed row, or a
    `sending` claim older than `stale_before`, whose sender died between claiming and
    recording), or, when it is not taken, "sent" (already delivered) or "busy" (another
    sender's fresh claim)."""
    now = stored_time()
    fresh = {"status": SENDING, "claim_token": token, "claimed_at": now, "updated_at": now}
    added = conn.execute(insert_ignore(conn, DELIVERIES).values(
        kind=key.kind, learner_id=key.learner_id, subject=key.subject, recipient=key.recipient,
        attempts=0, created_at=now, **fresh).returning(DELIVERIES.c.id)).first()
    if added is not None:  # (rowcount is not reliable for INSERT ... ON CONFLICT on every driver)
        return "new"
    row = conn.execute(select(DELIVERIES.c.status, DELIVERIES.c.claimed_at).where(key.where())).one()
    if row.status == SENT:
        return "sent"
    if row.status == SENDING and row.claimed_at and row.claimed_at >= stored_time(stale_before):
        return "busy"
    conn.execute(update(DELIVERIES).where(key.where()).values(**fresh))
    return "retry"


def record_sent(conn: Connection, key: Key, *, token: str, message_id: str) -> bool:
    """Mark the claimed row sent; False when this sender's claim was taken over meanwhile."""
    now = stored_time()
    done = conn.execute(update(DELIVERIES).where(key.where(), DELIVERIES.c.claim_token == token).values(
        status=SENT, message_id=message_id, sent_at=now, updated_at=now, error=None,
        attempts=DELIVERIES.c.attempts + 1))
    return bool(done.rowcount)


def record_failed(conn: Connection, key: Key, *, token: str, error: str, message_id: str | None) -> bool:
    """Mark the claimed row failed with its error (the next run retries it)."""
    done = conn.execute(update(DELIVERIES).where(key.where(), DELIVERIES.c.claim_token == token).values(
        status=FAILED, error=error, message_id=message_id, updated_at=stored_time(),
        attempts=DELIVERIES.c.attempts + 1))
    return bool(done.rowcount)


def release(conn: Connection, key: Key, *, token: str) -> None:
    """Give a claim back untried (the message could not be built): the row reads failed."""
    conn.execute(update(DELIVERIES).where(key.where(), DELIVERIES.c.claim_token == token,
                                          DELIVERIES.c.status == SENDING).values(status=FAILED,
                                                                                 updated_at=stored_time()))


def unsent(conn: Connection, kind: str) -> list[dict[str, Any]]:
    """Rows of `kind` not sent (failed, or claimed and never recorded), oldest first."""
    query = select(DELIVERIES).where(DELIVERIES.c.kind == kind, DELIVERIES.c.status != SENT).order_by(DELIVERIES.c.id)
    return [dict(r._mapping) for r in conn.execute(query)]


def log(conn: Connection, *, failed_only: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """Deliveries newest first, as `mail log --json` shows them (no claim tokens)."""
    query = select(DELIVERIES).order_by(DELIVERIES.c.updated_at.desc(), DELIVERIES.c.id.desc())
    if failed_only:
        query = query.where(DELIVERIES.c.status != SENT)
    if limit is not None:
        query = query.limit(limit)
    return [{"kind": r.kind, "learner_id": r.learner_id, "subject": r.subject, "recipient": r.recipient,
             "status": r.status, "attempts": r.attempts, "message_id": r.message_id, "error": r.error,
             "created_at": iso_time(r.created_at), "sent_at": iso_time(r.sent_at),
             "updated_at": iso_time(r.updated_at)} for r in conn.execute(query)]
