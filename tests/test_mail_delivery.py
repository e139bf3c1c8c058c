"""Reports by e-mail, exactly once (DESIGN 10), against a real SMTP server (aiosmtpd on 127.0.0.1).

The hand-made store of test_certs_eligibility has six learners, three of them named in Latin,
Cyrillic and Greek; the roster gives five of them an address (one in Cyrillic) and none to
`low-completion`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Cli, sqlalchemy_url
from tests.smtp_server import SmtpServer, free_port, parse_message
from tests.test_certs_eligibility import LEARNERS
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)

PASSWORD = "S3cr3t-pa55-7f1c"
ADDRESSES = {
    "zoe": "zoe@example.org",
    "dmitry": "дмитрий@пример.рф",
    "athena": "athena@example.org",
    "low-score": "low.score@example.org",
    "low-mastery": "low-mastery@example.org",
}
SUMMARY = re.compile(r"sent (\d+), already sent (\d+), failed (\d+), no address (\d+)")


@pytest.fixture
def smtp(monkeypatch):
    """A server that requires AUTH, and the environment pointing progress at it."""
    server = SmtpServer(user="progress", password=PASSWORD).start()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


@pytest.fixture
def roster(cli, store, tmp_path):
    lines = ["learner_id,email,team,manager_email"]
    lines += [f"{lid},{ADDRESSES.get(lid, '')},blue,lead@example.org" for lid in LEARNERS]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli("roster", "import", path)
    return store


def counts(text: str) -> tuple[int, int, int, int]:
    found = SUMMARY.search(text)
    assert found, text
    return tuple(int(n) for n in found.groups())


def by_recipient(server: SmtpServer) -> dict[str, list]:
    out: dict[str, list] = {}
    for message in server.messages():
        assert len(message.rcpt_tos) == 1
        out.setdefault(message.rcpt_tos[0], []).append(message)
    return out


@pytest.mark.both_backends
def test_each_learner_gets_their_report_once_with_the_pdf_attached(cli, roster, smtp, tmp_path, sql):
    result = cli("report", "--week", "--all", "--email")
    assert counts(result.stdout) == (5, 0, 0, 1) and result.stdout.count("\n") == 1
    received = by_recipient(smtp)
    assert sorted(received) == sorted(ADDRESSES.values())
    assert smtp.connections() == 1  # one SMTP connection per run
    pdfs = tmp_path / "pdfs"
    cli("report", "--week", "--all", "--format", "pdf", "--out", f"{pdfs}/")
    for learner, address in ADDRESSES.items():
        [raw] = received[address]
        message = raw.parsed()
        name = LEARNERS[learner]
        assert message["To"].addresses[0].display_name == name
        assert message["To"].addresses[0].addr_spec == address
        assert message["From"].addresses[0].addr_spec == "training@example.org"
        assert re.fullmatch(rf"Weekly report \d{{4}}-W\d\d: {re.escape(name)}", message["Subject"])
        assert message.get_body(("plain",)).get_content().startswith(f"# Weekly report")
        assert name in message.get_body(("plain",)).get_content()
        assert name in message.get_body(("html",)).get_content()
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == (pdfs / attachment.get_filename()).read_bytes()
        assert attachment.get_filename().startswith(f"{learner}-")
    # a name outside ASCII travels as an RFC 2047 encoded word when the address is ASCII ...
    assert b"To: =?utf-8?" in received["zoe@example.org"][0].data
    # ... and as UTF-8 (SMTPUTF8, RFC 6532) when the address itself is not
    assert "To: Дмитрий Иванов <дмитрий@пример.рф>".encode() in received["дмитрий@пример.рф"][0].data
    rows = sql("select learner_id, status, attempts, message_id from deliveries order by learner_id")
    assert [(r[0], r[1], r[2]) for r in rows] == [(lid, "sent", 1) for lid in sorted(ADDRESSES)]
    assert {r[3] for r in rows} == {m.parsed()["Message-ID"] for m in smtp.messages()}

    again = cli("report", "--week", "--all", "--email")
    assert counts(again.stdout) == (0, 5, 0, 1)
    assert len(smtp.messages()) == 5


def _lines(text: str) -> list[str]:
    """A text's lines, whatever ends them (a text part travels with CRLF and ends with one)."""
    return text.splitlines()


def test_the_report_email_is_the_html_report_with_the_markdown_report_as_its_text(cli, roster, smtp):
    """DESIGN 10: an HTML body (the report of `--format html`, charts as inline SVG) with a
    plain-text alternative (the Markdown report), then the PDF; every line fits SMTP's 998."""
    cli("report", "--week", "--all", "--email")
    received = by_recipient(smtp)
    for learner in ("zoe", "dmitry"):
        [raw] = received[ADDRESSES[learner]]
        message = raw.parsed()
        assert message.get_content_type() == "multipart/mixed"
        body, attachment = message.iter_parts()
        assert body.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]  # the best last
        assert attachment.get_content_type() == "application/pdf"
        html = message.get_body(("html",)).get_content()
        assert _lines(html) == _lines(cli("report", "--week", "--learner", learner, "--format", "html").stdout)
        assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<pre" not in html
        assert "<title>Weekly report" in html and LEARNERS[learner] in html
        text = message.get_body(("plain",)).get_content()
        assert _lines(text) == _lines(cli("report", "--week", "--learner", learner, "--format", "md").stdout)
        assert text.startswith("# Weekly report") and LEARNERS[learner] in text
        assert max(len(line) for line in raw.data.split(b"\r\n")) <= 998


@pytest.mark.both_backends
def test_two_runs_at_the_same_time_send_each_message_once(roster, smtp, sql):
    command = [sys.executable, "-m", "progress_cli", "report", "--week", "--all", "--email"]
    runs = [subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    first, second = (counts(out) for out, _ in outputs)
    assert first[0] + second[0] == 5 and first[0] + first[1] == 5 and second[0] + second[1] == 5
    assert sorted(r.rcpt_tos[0] for r in smtp.messages()) == sorted(ADDRESSES.values())
    assert sql("select count(*), min(attempts), max(attempts) from deliveries where status = 'sent'") == [(5, 1, 1)]


@pytest.mark.both_backends
def test_server_down_fails_the_run_and_the_next_run_sends_what_was_missing(cli, roster, monkeypatch, tmp_path, sql):
    port = free_port()
    monkeypatch.setenv("PROGRESS_SMTP", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("PROGRESS_MAIL_FROM", "training@example.org")
    down = cli("report", "--week", "--all", "--email", code=1)
    assert down.stdout == "" and down.stderr.count("\n") == 1
    assert down.stderr.startswith("Error: sent 0, already sent 0, failed 5, no address 1 (first failure: ")
    assert f"cannot reach smtp://127.0.0.1:{port}" in down.stderr and "mail log --failed" in down.stderr
    failed = cli.json("mail", "log", "--failed")
    assert sorted(r["learner_id"] for r in failed) == sorted(ADDRESSES)
    assert all(r["status"] == "failed" and r["attempts"] == 1 and "cannot reach" in r["error"] for r in failed)
    assert sql("select count(*) from deliveries where status = 'sent'") == [(0,)]

    with SmtpServer() as server:
        monkeypatch.setenv("PROGRESS_SMTP", server.url)
        back = cli("report", "--week", "--all", "--email")
        assert counts(back.stdout) == (5, 0, 0, 1)
        assert sorted(r.rcpt_tos[0] for r in server.messages()) == sorted(ADDRESSES.values())
    assert cli.json("mail", "log", "--failed") == []
    assert sql("select min(attempts), max(attempts) from deliveries") == [(2, 2)]


@pytest.mark.both_backends
def test_a_refused_recipient_fails_alone_and_is_retried(cli, roster, smtp, sql):
    smtp.refuse = {"athena@example.org"}
    result = cli("report", "--week", "--all", "--email", code=1)
    assert result.stderr.startswith("Error: sent 4, already sent 0, failed 1, no address 1 (first failure: "
                                    "athena@example.org: recipient refused: athena@example.org: 550 5.1.1 ")
    [failed] = cli.json("mail", "log", "--failed")
    assert (failed["learner_id"], failed["recipient"], failed["status"]) == ("athena", "athena@example.org", "failed")
    assert "550 5.1.1 mailbox unavailable" in failed["error"]
    assert sql("select status from deliveries where learner_id = 'athena'") == [("failed",)]
    assert len(smtp.messages()) == 4

    smtp.refuse = set()
    retry = cli("report", "--week", "--all", "--email")
    assert counts(retry.stdout) == (1, 4, 0, 1)
    assert [m.rcpt_tos for m in smtp.messages()[4:]] == [["athena@example.org"]]
    assert cli.json("mail", "log", "--failed") == []


@pytest.mark.both_backends
def test_a_claim_left_by_a_dead_run_is_sent_again_after_the_lease_with_the_same_message_id(cli, roster, smtp, sql):
    cli("report", "--week", "--all", "--email")
    first_id = {m.rcpt_tos[0]: m.parsed()["Message-ID"] for m in smtp.messages()}["zoe@example.org"]
    # zoe's row as a run that died after sending and before recording would leave it: sending,
    # claimed 20 minutes ago; dmitry's as a run still sending it now would
    engine = create_engine(sqlalchemy_url(os.environ["PROGRESS_DB"]))
    with engine.begin() as conn:
        claim = text("update deliveries set status = 'sending', claim_token = 'dead', claimed_at = :at "
                     "where learner_id = :lid")
        conn.execute(claim, {"at": "2000-01-01T00:00:00.000000Z", "lid": "zoe"})
        conn.execute(claim, {"at": "2999-01-01T00:00:00.000000Z", "lid": "dmitry"})
    engine.dispose()
    again = cli("report", "--week", "--all", "--email")
    assert counts(again.stdout) == (1, 4, 0, 1)
    [resent] = smtp.messages()[5:]
    assert resent.rcpt_tos == ["zoe@example.org"] and resent.parsed()["Message-ID"] == first_id
    assert sql("select status, attempts from deliveries where learner_id = 'zoe'") == [("sent", 2)]
    assert sql("select status from deliveries where learner_id = 'dmitry'") == [("sending",)]
    assert [r["learner_id"] for r in cli.json("mail", "log", "--failed")] == ["dmitry"]


def test_dry_run_writes_eml_files_and_sends_nothing(cli, roster, smtp, tmp_path, sql):
    out = tmp_path / "eml"
    result = cli("report", "--week", "--all", "--email", "--dry-run", "--out", out)
    assert result.stdout.startswith(f"dry run: 5 messages written to {out}, nothing sent")
    files = sorted(out.glob("*.eml"))
    assert len(files) == 5 and smtp.messages() == []
    assert sql("select count(*) from deliveries") == [(0,)]
    parsed = [parse_message(f.read_bytes()) for f in files]
    assert sorted(p["To"].addresses[0].addr_spec for p in parsed) == sorted(ADDRESSES.values())
    assert all(len(list(p.iter_attachments())) == 1 for p in parsed)
    assert cli("report", "--week", "--all", "--email", "--dry-run", code=2).stderr.startswith(
        "Error: --dry-run with --email writes each message as a .eml file: give --out DIR")
    assert cli("report", "--week", "--all", "--dry-run", "--out", out, code=2).stderr.startswith(
        "Error: --dry-run applies to --email")
    assert cli("report", "--week", "--all", "--email", "--format", "md", code=2).stderr.startswith(
        "Error: --email sends the report")


def test_without_smtp_settings_nothing_is_computed(cli, roster, monkeypatch):
    monkeypatch.delenv("PROGRESS_SMTP", raising=False)
    result = cli("report", "--week", "--all", "--email", code=1)
    assert result.stderr.startswith("Error: no SMTP server: set PROGRESS_SMTP=smtp://host:port")
    assert result.stderr.count("\n") == 1


def test_the_password_never_appears(cli, roster, smtp, monkeypatch, tmp_path):
    outputs = []

    def run(*args, code=0):
        result = cli(*args, code=code)
        outputs.append(result.stdout + result.stderr)
        return result

    run("mail", "test", "--to", "someone@example.org")
    run("report", "--week", "--all", "--email")
    assert smtp.logins and all(ok for _, ok in smtp.logins)
    smtp.refuse = {"nobody@example.org"}
    run("mail", "test", "--to", "nobody@example.org", code=1)
    monkeypatch.setenv("PROGRESS_SMTP_PASSWORD", PASSWORD + "-wrong")
    wrong = run("mail", "test", "--to", "someone@example.org", code=1)
    assert "refused the login of progress: 535" in wrong.stderr
    run("report", "--week", "--all", "--email", "--as-of", "2026-01-31", code=1)
    monkeypatch.setenv("PROGRESS_SMTP", f"smtp://progress:{PASSWORD}@127.0.0.1:{smtp.port}")
    assert "not in the URL" in run("mail", "test", "--to", "someone@example.org", code=1).stderr
    run("mail", "log")
    run("mail", "log", "--json")
    run("mail", "log", "--failed", "--json")
    run("--debug", "mail", "log")
    text = "\n".join(outputs)
    assert "refused the login" in text and "recipient refused" in text
    assert PASSWORD not in text
    import base64

    assert base64.b64encode(f"\0progress\0{PASSWORD}".encode()).decode() not in text
    store_file = os.environ["PROGRESS_DB"]
    if os.path.exists(store_file):
        assert PASSWORD.encode() not in open(store_file, "rb").read()


def test_mail_test_sends_one_message_and_logs_it(cli, smtp):
    result = cli("mail", "test", "--to", "admin@example.org")
    assert result.stdout.startswith(f"Sent a test message to admin@example.org through {smtp.url}")
    [message] = smtp.messages()
    parsed = message.parsed()
    assert message.rcpt_tos == ["admin@example.org"] and parsed["Subject"] == "progress-cli test message"
    assert parsed["From"].addresses[0].display_name == "Training Team"
    [row] = cli.json("mail", "log")
    assert (row["kind"], row["recipient"], row["status"], row["message_id"]) == (
        "test", "admin@example.org", "sent", parsed["Message-ID"])
    assert cli("mail", "test", "--to", "not an address", code=2).stderr.startswith("Error: --to is not an e-mail")


def test_mail_log_table_and_json_keys(cli, roster, smtp):
    cli("report", "--week", "--all", "--email")
    rows = cli.json("mail", "log")
    assert set(rows[0]) == {"kind", "learner_id", "subject", "recipient", "status", "attempts", "message_id",
                            "error", "created_at", "sent_at", "updated_at"}
    table = cli("mail", "log").stdout
    assert table.splitlines()[0].split() == ["when", "(UTC)", "kind", "learner", "subject", "recipient", "status",
                                             "tries", "error"]
    assert table.count(" report ") == 5 and table.count(" sent ") == 5


def test_reports_rendered_in_worker_processes_arrive_the_same(roster, smtp, tmp_path):
    from zoneinfo import ZoneInfo

    from progress_cli.mail.config import smtp_config
    from progress_cli.render.report_email import ReportEmail
    from progress_cli.reports.periods import LAST
    from progress_cli.services.mailing import deliver_reports
    from progress_cli.services.output_files import report_name
    from progress_cli.services.reports import plan_reports

    run = plan_reports(os.environ["PROGRESS_DB"], tz=ZoneInfo("UTC"), kind="week", value=LAST, as_of=None,
                       learner_id=None)
    outcome = deliver_reports(run, render=ReportEmail(file_name=report_name), config=smtp_config(), jobs=2)
    assert (outcome.sent, outcome.already_sent, outcome.failed, outcome.no_address) == (5, 0, 0, 1)
    assert sorted(m.rcpt_tos[0] for m in smtp.messages()) == sorted(ADDRESSES.values())
    pdfs = tmp_path / "pdfs"
    Cli()("report", "--week", "--all", "--format", "pdf", "--out", f"{pdfs}/")
    for message in smtp.messages():
        [attachment] = message.parsed().iter_attachments()
        assert attachment.get_content() == (pdfs / attachment.get_filename()).read_bytes()
