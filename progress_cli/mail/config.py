"""SMTP settings from environment variables only (never the catalog, never a file).

PROGRESS_SMTP = smtp://host:port (STARTTLS when offered; required unless the host is local)
or smtps://host:port; PROGRESS_SMTP_USER, PROGRESS_SMTP_PASSWORD, PROGRESS_MAIL_FROM.
The password is kept out of every text this module makes (repr included).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Mapping
from urllib.parse import urlsplit

from progress_cli.addresses import is_address
from progress_cli.errors import ProgressError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailConfigError(ProgressError):
    """The SMTP settings are missing or malformed; the message never shows the password."""


@dataclass(frozen=True)
class SmtpConfig:
    scheme: str  # smtp or smtps
    host: str
    port: int
    sender: str  # the From header, "Name <address>" or an address
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS

    @property
    def url(self) -> str:
        """Where mail goes, for messages: never with the user's password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def sender_domain(self) -> str:
        return self.sender_address.rpartition("@")[2] or "localhost"


def smtp_config(environ: Mapping[str, str] | None = None) -> SmtpConfig:
    """The settings from the environment; a MailConfigError names what is missing or wrong."""
    env = os.environ if environ is None else environ
    url = env.get("PROGRESS_SMTP", "").strip()
    if not url:
        raise MailConfigError("no SMTP server: set PROGRESS_SMTP=smtp://host:port (or smtps://host:port), "
                              "and PROGRESS_MAIL_FROM")
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise MailConfigError(f"PROGRESS_SMTP must start with smtp:// or smtps://, not {parts.scheme or url.split(':')[0]!r}")
    if parts.username is not None or parts.password is not None:
        raise MailConfigError("PROGRESS_SMTP: put the user and password in PROGRESS_SMTP_USER and "
                              "PROGRESS_SMTP_PASSWORD, not in the URL")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailConfigError(f"PROGRESS_SMTP: not a port number in {parts.scheme}://{parts.netloc}") from None
    if not parts.hostname:
        raise MailConfigError("PROGRESS_SMTP has no host (smtp://host:port)")
    sender = env.get("PROGRESS_MAIL_FROM", "").strip()
    if not sender:
        raise MailConfigError("set PROGRESS_MAIL_FROM to the sender address (e.g. Training <training@example.org>)")
    _check_sender(sender)
    user = env.get("PROGRESS_SMTP_USER") or None
    password = env.get("PROGRESS_SMTP_PASSWORD") or None
    if password and not user:
        raise MailConfigError("PROGRESS_SMTP_PASSWORD is set but PROGRESS_SMTP_USER is not")
    return SmtpConfig(scheme=parts.scheme, host=parts.hostname, port=port, sender=sender, user=user,
                      password=password)


def _check_sender(sender: str) -> None:
    name, address = parseaddr(sender)
    if not is_address(address):
        raise MailConfigError(f"PROGRESS_MAIL_FROM is not an e-mail address: {sender!r}")
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError):
        raise MailConfigError(f"PROGRESS_MAIL_FROM is not an e-mail address: {sender!r}") from None
