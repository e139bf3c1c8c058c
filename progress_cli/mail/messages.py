"""Building the messages (DESIGN 10): headers and names in any script, bodies, attachments.

Messages use the standard library's SMTP policy: a display name outside ASCII is written as
an RFC 2047 encoded word, and smtplib switches to SMTPUTF8 (RFC 6531/6532) on its own when an
address itself is not ASCII. The Message-ID is derived from what the message is (kind,
learner, subject, recipient), so a message sent again after a crash carries the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

POLICY = policy.SMTP  # the default policy with CRLF line ends, as sent on the wire
MAX_LINE = 998  # characters in a line of a message, its CRLF left out (RFC 5322 2.1.1)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str  # e.g. "application/pdf"


@dataclass
class Content:
    """What a message says: subject, a plain-text body, an optional HTML alternative, files."""

    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def message_id(kind: str, learner_id: str, subject: str, recipient: str, domain: str) -> str:
    """A Message-ID that is the same every time the same message is built."""
    digest = hashlib.sha256("\0".join((kind, learner_id, subject, recipient)).encode("utf-8")).hexdigest()[:32]
    return f"<progress.{kind}.{digest}@{domain}>"


def build_message(content: Content, *, sender: str, to_address: str, to_name: str | None, msg_id: str,
                  date: dt.datetime | None = None) -> EmailMessage:
    """One message to one recipient: text, an HTML alternative when given, then the attachments."""
    message = EmailMessage(policy=POLICY)
    message["From"] = _address(sender)
    message["To"] = _address(to_address, to_name)
    message["Subject"] = content.subject
    message["Date"] = format_datetime(date or dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a report
    message.set_content(content.text, cte=_transfer_encoding(content.text))
    if content.html is not None:
        message.add_alternative(content.html, subtype="html", cte=_transfer_encoding(content.html))
    for item in content.attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return message


def _transfer_encoding(text: str) -> str:
    """7-bit clean bodies that pass every relay: as they are when ASCII in lines SMTP allows
    (998 octets; an HTML report's inline SVG may run longer), else quoted-printable."""
    fits = all(len(line) <= MAX_LINE for line in text.splitlines())
    return "7bit" if text.isascii() and fits else "quoted-printable"


def _address(address: str, name: str | None = None) -> Address:
    if name is None:
        name, address = parseaddr(address)
    username, _, domain = address.rpartition("@")
    return Address(display_name=name or "", username=username, domain=domain)


def greeting(name: str | None) -> str:
    return f"Hello {name}," if name else "Hello,"


def how_to_verify(code: str, page_url: str | None) -> str:
    """The verification line: the certificate's page when the issuer publishes a verification
    site, else the command and the credential."""
    if page_url:
        return (f"To verify it, open its verification page: {page_url}\n"
                "(or check the attached .jwt with any Open Badges 3.0 verifier)")
    return f"To verify it: progress cert verify {code} (or check the .jwt with any Open Badges 3.0 verifier)"


def certificate_content(*, name: str | None, certification: str, code: str, valid_until: str, page_url: str | None,
                        pdf: Attachment, credential: Attachment) -> Content:
    """The message that brings a new certificate: PDF and .jwt attached, how to verify it."""
    text = (f"{greeting(name)}\n\n"
            f"Congratulations: you have been awarded the certificate \"{certification}\".\n"
            f"It is valid until {valid_until}. Its verification code is {code}.\n\n"
            f"Attached are the certificate (PDF) and its signed Open Badges 3.0 credential (.jwt), which\n"
            f"you can add to a digital wallet or hand to anyone who wants to check it.\n\n"
            f"{how_to_verify(code, page_url)}\n")
    return Content(subject=f"Your certificate: {certification}", text=text, attachments=[pdf, credential])


def reminder_content(*, name: str | None, certification: str, code: str, valid_until: str, days_left: int,
                     page_url: str | None) -> Content:
    """The reminder sent once per certificate, some days before it expires."""
    days = "1 day" if days_left == 1 else f"{days_left} days"
    text = (f"{greeting(name)}\n\n"
            f"Your certificate \"{certification}\" (code {code}) expires on {valid_until}, in {days}.\n\n"
            "How to renew it: keep meeting the certification's requirements (your progress, scores and\n"
            "skill mastery). Learners who still qualify are issued a new certificate before the old one\n"
            "ends; your training administrator renews with `progress cert issue --all-eligible\n"
            "--renew-before DAYS`, and you can see where you stand with `progress cert check`.\n\n"
            f"{how_to_verify(code, page_url)}\n")
    return Content(subject=f"Your certificate {certification} expires on {valid_until}", text=text)


def test_content(server: str) -> Content:
    text = ("This is a test message from progress-cli.\n\n"
            f"It went through {server}. If you can read it, reports, certificates and reminders\n"
            "will reach their recipients the same way.\n")
    return Content(subject="progress-cli test message", text=text)
