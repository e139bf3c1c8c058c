"""`progress mail test` (one message now, recorded in the log) and `progress mail log`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from progress_cli.addresses import is_address
from progress_cli.errors import ProgressError, UsageError
from progress_cli.mail.config import SmtpConfig
from progress_cli.mail.messages import build_message, message_id, test_content
from progress_cli.mail.transport import SendFailed, SmtpTransport
from progress_cli.services.store_access import open_engine
from progress_cli.store import read_snapshot, write_transaction
from progress_cli.store import deliveries as store
from progress_cli.store.deliveries import Key
from progress_cli.store.models import stored_time

TEST = "test"


def send_test(db: str, to: str, *, config: SmtpConfig) -> dict[str, Any]:
    """One test message to `to` now, recorded in the log; raises on failure."""
    if not is_address(to):
        raise UsageError(f"not an e-mail address: {to!r}")
    now = dt.datetime.now(dt.timezone.utc)
    key = Key(TEST, "-", stored_time(now), to)
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
        with read_snapshot(engine) as conn:
            return store.log(conn, failed_only=failed_only)
    finally:
        engine.dispose()
