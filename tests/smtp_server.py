"""A real SMTP server for the e-mail tests and the bench: aiosmtpd on 127.0.0.1, in a thread.

It keeps every message it accepts (envelope and bytes), can refuse chosen recipients, and,
given a user and password, requires AUTH (over the plain connection: it is local).
"""

from __future__ import annotations

import email
import logging
import socket
import threading
import warnings
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# AUTH over a plain connection is what these tests want (the server is local): aiosmtpd's
# warnings about it would land in the output of the command under test.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple = ()  # the client's (host, port): one per SMTP connection

    def parsed(self) -> EmailMessage:
        return parse_message(self.data)


def parse_message(data: bytes) -> EmailMessage:
    """The standard library's parser on a message as it arrived. An RFC 6532 message (UTF-8 in
    its headers, sent with SMTPUTF8 because an address is not ASCII) is parsed as text: the
    bytes parser would keep those header bytes as surrogates."""
    if data.isascii():
        return email.message_from_bytes(data, policy=policy.default)
    return email.message_from_string(data.decode("utf-8"), policy=policy.default)


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                                 envelope.original_content or envelope.content, tuple(session.peer)))
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SmtpServer:
    """`with SmtpServer() as server: ... server.messages()`; `stop()` and `start()` again on the same port."""

    def __init__(self, *, host: str = "127.0.0.1", user: str | None = None, password: str | None = None) -> None:
        self.host, self.port = host, free_port(host)
        self.user, self.password = user, password
        self.refuse: set[str] = set()
        self.received: list[Received] = []
        self.logins: list[tuple[str, bool]] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment that points progress at this server."""
        env = {"PROGRESS_SMTP": self.url, "PROGRESS_MAIL_FROM": "Training Team <training@example.org>"}
        if self.user:
            env |= {"PROGRESS_SMTP_USER": self.user, "PROGRESS_SMTP_PASSWORD": self.password or ""}
        return env

    def start(self) -> "SmtpServer":
        options = {"enable_SMTPUTF8": True, "decode_data": False}
        if self.user:
            options |= {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def connections(self) -> int:
        """How many SMTP connections delivered the messages received so far."""
        return len({m.peer for m in self.messages()})

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        self.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself
