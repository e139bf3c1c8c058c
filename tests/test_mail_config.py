"""SMTP settings from the environment, the transport's refusals, and message building."""

from __future__ import annotations

import pytest

from progress_cli.addresses import is_address
from progress_cli.mail.config import MailConfigError, smtp_config
from progress_cli.mail.messages import Attachment, Content, build_message, message_id
from progress_cli.mail.transport import SendFailed, SmtpTransport
from tests.smtp_server import SmtpServer, parse_message

SECRET = "hunter2-Xq9"


def _env(**extra) -> dict[str, str]:
    return {"PROGRESS_SMTP": "smtp://mail.example.org:587", "PROGRESS_MAIL_FROM": "Training <t@example.org>"} | extra


def test_settings_from_the_environment():
    config = smtp_config(_env(PROGRESS_SMTP_USER="bot", PROGRESS_SMTP_PASSWORD=SECRET))
    assert (config.scheme, config.host, config.port, config.user, config.local) == (
        "smtp", "mail.example.org", 587, "bot", False)
    assert config.sender_domain == "example.org" and config.url == "smtp://mail.example.org:587"
    assert SECRET not in repr(config)
    assert smtp_config(_env(PROGRESS_SMTP="smtps://mail.example.org")).port == 465
    assert smtp_config(_env(PROGRESS_SMTP="smtp://localhost")).port == 25
    assert smtp_config(_env(PROGRESS_SMTP="smtp://[::1]:2525")).local
    assert smtp_config(_env(PROGRESS_SMTP="smtp://127.0.0.1:2525")).local


@pytest.mark.parametrize("env, message", [
    ({"PROGRESS_SMTP": ""}, "no SMTP server: set PROGRESS_SMTP"),
    ({"PROGRESS_SMTP": "http://mail.example.org"}, "PROGRESS_SMTP must start with smtp:// or smtps://, not 'http'"),
    ({"PROGRESS_SMTP": f"smtp://bot:{SECRET}@mail.example.org"}, "PROGRESS_SMTP: put the user and password in"),
    ({"PROGRESS_SMTP": "smtp://mail.example.org:port"}, "PROGRESS_SMTP: not a port number"),
    ({"PROGRESS_MAIL_FROM": ""}, "set PROGRESS_MAIL_FROM"),
    ({"PROGRESS_MAIL_FROM": "Training"}, "PROGRESS_MAIL_FROM is not an e-mail address"),
    ({"PROGRESS_SMTP_PASSWORD": SECRET}, "PROGRESS_SMTP_PASSWORD is set but PROGRESS_SMTP_USER is not"),
])
def test_bad_settings_are_named_without_the_password(env, message):
    with pytest.raises(MailConfigError) as caught:
        smtp_config(_env(**env))
    assert str(caught.value).startswith(message) and SECRET not in str(caught.value)


def test_addresses():
    for good in ("a@example.org", "first.last+tag@sub.example.co.uk", "дмитрий@пример.рф"):
        assert is_address(good), good
    for bad in ("", "a", "a@b", "@example.org", "a@@example.org", "a b@example.org", "<a@example.org>",
                "a@example..org", "a@example.org.", ".a@example.org"):
        assert not is_address(bad), bad


def test_a_server_elsewhere_must_offer_starttls():
    """Only 127.0.0.1, localhost and ::1 may take mail in clear; 127.0.0.2 is this machine
    too, but not by that rule, so a server there without STARTTLS is refused."""
    try:
        server = SmtpServer(host="127.0.0.2").start()
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.2: {exc}")
    try:
        config = smtp_config(_env(PROGRESS_SMTP=f"smtp://127.0.0.2:{server.port}"))
        with SmtpTransport(config) as transport:
            with pytest.raises(SendFailed, match="does not offer STARTTLS"):
                transport.send(_message())
            with pytest.raises(SendFailed, match="does not offer STARTTLS"):  # without connecting again
                transport.send(_message())
            assert transport.connections == 0
        assert server.messages() == []
    finally:
        server.stop()


def test_one_connection_for_many_messages():
    with SmtpServer() as server:
        config = smtp_config(_env(PROGRESS_SMTP=server.url))
        with SmtpTransport(config) as transport:
            for _ in range(5):
                transport.send(_message())
        assert transport.connections == 1 and len(server.messages()) == 5


def _message():
    content = Content(subject="Ωμέγα – Тест", text="Привет, Ζωή!\n", html="<p>Привет</p>",
                      attachments=[Attachment("ünï.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")])
    return build_message(content, sender="Τμήμα Εκπαίδευσης <t@example.org>", to_address="zoe@example.org",
                         to_name="Zoë Ñúñez-Ølsen", msg_id=message_id("test", "zoe", "s", "zoe@example.org",
                                                                      "example.org"))


def test_a_message_round_trips_through_the_parser():
    data = _message().as_bytes()
    assert data.isascii()  # every address is ASCII: names go as RFC 2047 encoded words
    parsed = parse_message(data)
    assert str(parsed["Subject"]) == "Ωμέγα – Тест"
    assert parsed["From"].addresses[0].display_name == "Τμήμα Εκπαίδευσης"
    assert parsed["To"].addresses[0].display_name == "Zoë Ñúñez-Ølsen"
    assert parsed.get_body(("plain",)).get_content().splitlines() == ["Привет, Ζωή!"]
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == "ünï.pdf" and attachment.get_content() == b"%PDF-1.4 \x00\xff"
    assert message_id("test", "zoe", "s", "zoe@example.org", "example.org") == parsed["Message-ID"]
    assert message_id("test", "zoe", "t", "zoe@example.org", "example.org") != parsed["Message-ID"]
