"""One SMTP connection per run (smtplib), opened on the first message.

`send` raises SendFailed with a one-line reason. A failure of the connection itself (the
server down, TLS or login refused) fails the message in hand and every later one at once,
without trying to connect again for each; a refused recipient fails only its message. Every
reason is scrubbed of the password before it leaves this module.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from email.message import EmailMessage

from progress_cli.mail.config import SmtpConfig

TIMEOUT_S = 60


class SendFailed(Exception):
    """A message was not accepted by the server; str() is the reason, without secrets."""


class SmtpTransport:
    """`with SmtpTransport(config) as smtp: smtp.send(message)`; closes the connection on exit."""

    def __init__(self, config: SmtpConfig, *, timeout: float = TIMEOUT_S) -> None:
        self.config = config
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None
        self.connections = 0  # how many times this run connected (one, unless the server dropped us)

    def __enter__(self) -> "SmtpTransport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        if self._broken is not None:
            raise SendFailed(self._broken)
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(self.scrub(_refused(exc.recipients))) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as exc:
            self._reset(smtp)
            raise SendFailed(self.scrub(_smtp_reason(exc))) from None
        except smtplib.SMTPServerDisconnected as exc:
            self._lost(smtp, exc)
        except smtplib.SMTPException as exc:
            self._reset(smtp)
            raise SendFailed(self.scrub(_smtp_reason(exc))) from None
        except OSError as exc:  # SMTPException is an OSError too: this comes after it
            self._lost(smtp, exc)
        if refused:
            raise SendFailed(self.scrub(_refused(refused)))

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def scrub(self, text: str) -> str:
        """`text` with the password (and the encodings AUTH sends it in) replaced by ***."""
        password, user = self.config.password, self.config.user or ""
        if not password:
            return text
        secrets = {password, base64.b64encode(password.encode()).decode(),
                   base64.b64encode(f"\0{user}\0{password}".encode()).decode()}
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        try:
            self._smtp = self._connect()
        except SendFailed as exc:
            self._broken = str(exc)
            raise
        self.connections += 1
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp: smtplib.SMTP | None = None
        try:
            if config.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=self.timeout)
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                elif not config.local:
                    raise SendFailed(f"{config.url} does not offer STARTTLS; mail to a server that is not on "
                                     "this machine goes encrypted (use smtps://host:port for implicit TLS)")
            if config.user:
                smtp.login(config.user, config.password or "")
        except SendFailed:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            raise SendFailed(self.scrub(f"{config.url} refused the login of {config.user}: {_smtp_reason(exc)}")) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError, socket.timeout) as exc:
            _close_quietly(smtp)
            raise SendFailed(self.scrub(f"cannot reach {config.url}: {_smtp_reason(exc)}")) from None
        return smtp

    def _lost(self, smtp: smtplib.SMTP, exc: Exception) -> None:
        _close_quietly(smtp)
        self._smtp = None  # the next message connects again, once
        raise SendFailed(self.scrub(f"connection to {self.config.url} lost: {_smtp_reason(exc)}")) from None

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._smtp = None


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass


def _refused(recipients: dict) -> str:
    parts = [f"{address}: {_reply(code, text)}" for address, (code, text) in recipients.items()]
    return "recipient refused: " + "; ".join(parts)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}"


def _smtp_reason(exc: Exception) -> str:
    """One line: the server's code and reply, or the OS's words."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
