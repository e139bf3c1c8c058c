"""`report --week --team [NAME] --email` (DESIGN 10): the team report to each distinct
manager_email of the team, once each, against a real SMTP server (aiosmtpd on 127.0.0.1).

The hand-made store of test_certs_eligibility has six learners; the roster puts three in team
blue (two of them managed by lead.blue@, one by coach@), two in красные (one managed by
lead.red@, one by nobody) and leaves low-completion out of every team.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.smtp_server import parse_message
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)
from tests.test_mail_delivery import by_recipient, counts, smtp  # noqa: F401  (fixture)

pytestmark = pytest.mark.both_backends

ROSTER = """learner_id,team,manager_email
zoe,blue,lead.blue@example.org
dmitry,blue,lead.blue@example.org
athena,blue,coach@example.org
low-score,красные,lead.red@example.org
low-mastery,красные,
"""
BLUE = ["coach@example.org", "lead.blue@example.org"]


@pytest.fixture
def teams(cli, store, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    cli("roster", "import", path)
    return store


def _lines(text: str) -> list[str]:
    return text.splitlines()  # a text part travels with CRLF line ends and ends with one


def test_each_manager_of_the_team_gets_the_team_report_once(cli, teams, smtp, tmp_path, sql):
    result = cli("report", "--week", "--team", "blue", "--email")
    assert counts(result.stdout) == (2, 0, 0, 0) and result.stdout.count("\n") == 1
    received = by_recipient(smtp)
    assert sorted(received) == BLUE  # one message per manager, not one per learner
    assert smtp.connections() == 1
    report = cli.json("report", "--week", "--team", "blue")
    label, as_of = report["period"]["label"], dt.datetime.fromisoformat(report["as_of"])
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    cli("report", "--week", "--team", "blue", "--format", "pdf", "--out", pdfs)
    html = cli("report", "--week", "--team", "blue", "--format", "html").stdout
    markdown = cli("report", "--week", "--team", "blue", "--format", "md").stdout
    for address in BLUE:
        [raw] = received[address]
        message = raw.parsed()
        assert message["To"].addresses[0].addr_spec == address and message["To"].addresses[0].display_name == ""
        assert message["From"].addresses[0].addr_spec == "training@example.org"
        assert message["Subject"] == f"Weekly team report {label}: Team blue"
        body, attachment = message.iter_parts()
        assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
        assert _lines(message.get_body(("html",)).get_content()) == _lines(html)
        assert "<svg" in html or "<table" in html
        assert _lines(message.get_body(("plain",)).get_content()) == _lines(markdown)
        # the whole team, the other manager's learners too
        for name in ("Zoë Ñúñez-Ølsen", "Дмитрий Иванов", "Αθηνά Παπαδοπούλου"):
            assert name in html
        assert "Low Score" not in html
        assert attachment.get_filename() == f"team-blue-{label}.pdf"
        assert attachment.get_content() == (pdfs / attachment.get_filename()).read_bytes()
        # dated by the report's moment, not the clock: the same report is the same bytes
        assert f"/CreationDate (D:{as_of:%Y%m%d%H%M%S}Z)".encode() in attachment.get_content()
    rows = sql("select kind, learner_id, subject, recipient, status, attempts from deliveries order by recipient")
    assert rows == [("team_report", "blue", label, address, "sent", 1) for address in BLUE]

    again = cli("report", "--week", "--team", "blue", "--email")
    assert counts(again.stdout) == (0, 2, 0, 0)
    assert len(smtp.messages()) == 2
    assert [(r["kind"], r["learner_id"], r["status"]) for r in cli.json("mail", "log")] == [
        ("team_report", "blue", "sent")] * 2


def test_the_team_of_every_learner_goes_to_every_manager(cli, teams, smtp, sql):
    result = cli.json("report", "--week", "--team", "--email")
    assert (result["sent"], result["already_sent"], result["failed"], result["no_address"]) == (3, 0, 0, 0)
    assert sorted(m["recipient"] for m in result["messages"]) == ["coach@example.org", "lead.blue@example.org",
                                                                  "lead.red@example.org"]
    subjects = {m.parsed()["Subject"] for m in smtp.messages()}
    assert len(smtp.messages()) == 3 and len(subjects) == 1 and subjects.pop().endswith(": Every learner")
    assert {r[0] for r in sql("select learner_id from deliveries")} == {"*"}
    # the team of every learner and team blue are different reports: blue's managers get both
    assert counts(cli("report", "--week", "--team", "blue", "--email").stdout) == (2, 0, 0, 0)


def test_a_team_name_outside_ascii_and_a_learner_without_manager(cli, teams, smtp):
    result = cli("report", "--week", "--team", "красные", "--email")
    assert counts(result.stdout) == (1, 0, 0, 0)  # low-mastery has no manager: the team report still goes
    [raw] = smtp.messages()
    message = raw.parsed()
    assert raw.rcpt_tos == ["lead.red@example.org"]
    assert message["Subject"].endswith(": Team красные")
    assert raw.data.isascii() and b": Team =?utf-8?" in raw.data  # an RFC 2047 encoded word
    assert "Low Mastery" in message.get_body(("html",)).get_content()


def test_a_team_without_any_manager_counts_no_address_and_an_unknown_team_is_nothing_to_do(cli, teams, smtp, tmp_path):
    path = tmp_path / "green.csv"
    path.write_text("learner_id,team\nlow-completion,green\n", encoding="utf-8")
    cli("roster", "import", path)
    result = cli("report", "--week", "--team", "green", "--email")
    assert counts(result.stdout) == (0, 0, 0, 1) and smtp.messages() == []
    missing = cli("report", "--week", "--team", "purple", "--email", code=4)
    assert missing.stderr == "Error: no learners in team 'purple'\n"


def test_a_refused_manager_fails_alone_and_the_next_run_sends_only_that(cli, teams, smtp, sql):
    smtp.refuse = {"coach@example.org"}
    failed = cli("report", "--week", "--team", "blue", "--email", code=1)
    assert failed.stdout == "" and failed.stderr.count("\n") == 1
    assert failed.stderr.startswith("Error: sent 1, already sent 0, failed 1, no address 0 (first failure: "
                                    "coach@example.org: recipient refused")
    [row] = cli.json("mail", "log", "--failed")
    assert (row["kind"], row["learner_id"], row["recipient"], row["status"]) == (
        "team_report", "blue", "coach@example.org", "failed")
    smtp.refuse = set()
    retry = cli("report", "--week", "--team", "blue", "--email")
    assert counts(retry.stdout) == (1, 1, 0, 0)
    assert [m.rcpt_tos for m in smtp.messages()] == [["lead.blue@example.org"], ["coach@example.org"]]
    assert sql("select recipient, attempts from deliveries order by recipient") == [
        ("coach@example.org", 2), ("lead.blue@example.org", 1)]


def test_a_dry_run_writes_one_eml_per_manager_and_records_nothing(cli, teams, smtp, tmp_path, sql):
    out = tmp_path / "eml"
    result = cli("report", "--week", "--team", "blue", "--email", "--dry-run", "--out", out)
    assert result.stdout.startswith(f"dry run: 2 messages written to {out}, nothing sent")
    files = sorted(out.glob("*.eml"))
    assert [f.name.split("-")[:2] for f in files] == [["team_report", "blue"]] * 2
    parsed = [parse_message(f.read_bytes()) for f in files]
    assert sorted(p["To"].addresses[0].addr_spec for p in parsed) == BLUE
    assert smtp.messages() == [] and sql("select count(*) from deliveries") == [(0,)]
