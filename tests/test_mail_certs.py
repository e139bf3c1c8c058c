"""Certificates and expiry reminders by e-mail (DESIGN 10), against a real SMTP server."""

from __future__ import annotations

import pytest

from tests.test_certs_eligibility import CATALOG, LEARNERS
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)
from tests.test_mail_delivery import counts, smtp  # noqa: F401  (fixture)

pytestmark = pytest.mark.both_backends

ADDRESSES = {"zoe": "zoe@example.org", "athena": "athena@example.org"}  # dmitry (eligible) has none


@pytest.fixture
def roster(cli, store, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("learner_id,email\n" + "".join(f"{k},{v}\n" for k, v in ADDRESSES.items()), encoding="utf-8")
    cli("roster", "import", path)
    return store


def test_each_new_certificate_goes_to_its_learner_with_its_files(cli, roster, smtp, tmp_path):
    out = tmp_path / "certs"
    result = cli("cert", "issue", "--all-eligible", "--out", out, "--email")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("issued 3, already valid 0, not eligible 3")
    assert counts(lines[1]) == (2, 0, 0, 1) and len(lines) == 2
    issued = {c["learner_id"]: c for c in cli.json("cert", "list")}
    for message in smtp.messages():
        parsed = message.parsed()
        [address] = message.rcpt_tos
        learner = {v: k for k, v in ADDRESSES.items()}[address]
        cert = issued[learner]
        assert parsed["To"].addresses[0].display_name == LEARNERS[learner]
        assert parsed["Subject"] == "Your certificate: Certified Tester"
        body = parsed.get_body(("plain",)).get_content()
        assert LEARNERS[learner] in body and f"progress cert verify {cert['code']}" in body
        assert "verification page" not in body and "https://" not in body  # no [issuer] verify_url: no link
        files = {a.get_filename(): a for a in parsed.iter_attachments()}
        stem = f"{learner}-{cert['code']}"
        assert sorted(files) == [f"{stem}.jwt", f"{stem}.pdf"]
        assert files[f"{stem}.pdf"].get_content() == (out / f"{stem}.pdf").read_bytes()
        assert files[f"{stem}.jwt"].get_content() == (out / f"{stem}.jwt").read_bytes()
        assert files[f"{stem}.jwt"].get_content_type() == "application/jwt"
    assert sorted(m.rcpt_tos[0] for m in smtp.messages()) == sorted(ADDRESSES.values())

    again = cli("cert", "issue", "--all-eligible", "--out", out, "--email")
    assert again.stdout.splitlines()[0].startswith("issued 0, already valid 3")
    assert counts(again.stdout.splitlines()[1]) == (0, 0, 0, 0)  # nothing new, nothing to retry
    assert len(smtp.messages()) == 2


def test_a_certificate_that_could_not_be_sent_goes_with_the_next_run(cli, roster, smtp, tmp_path, sql):
    out = tmp_path / "certs"
    smtp.refuse = {"zoe@example.org"}
    failed = cli("cert", "issue", "--all-eligible", "--out", out, "--email", code=1)
    assert failed.stdout.startswith("issued 3, already valid 0, not eligible 3")
    assert failed.stderr.startswith("Error: sent 1, already sent 0, failed 1, no address 1 (first failure: zoe@")
    smtp.refuse = set()
    retried = cli("cert", "issue", "--all-eligible", "--out", out, "--email")
    assert counts(retried.stdout.splitlines()[1]) == (1, 0, 0, 0)
    [message] = smtp.messages()[1:]
    assert message.rcpt_tos == ["zoe@example.org"] and len(list(message.parsed().iter_attachments())) == 2
    assert sql("select count(*) from deliveries where kind = 'certificate' and status = 'sent'") == [(2,)]


def test_remind_lists_then_reminds_once_per_certificate(cli, roster, smtp, tmp_path):
    cli("cert", "issue", "--all-eligible", "--out", tmp_path / "certs")
    assert cli.json("cert", "remind") == []  # two years of validity: nothing within 60 days
    within = str(2 * 366 + 1)
    listed = cli.json("cert", "remind", "--within", within)
    assert [(r["learner_id"], r["email"], r["reminded"]) for r in listed] == [
        ("athena", "athena@example.org", False), ("dmitry", None, False), ("zoe", "zoe@example.org", False)]
    assert set(listed[0]) == {"learner_id", "learner_name", "code", "certification", "valid_until", "days_left",
                              "email", "reminded"}
    sent = cli("cert", "remind", "--within", within, "--email")
    assert counts(sent.stdout) == (2, 0, 0, 1)
    zoe = next(m.parsed() for m in smtp.messages() if m.rcpt_tos == ["zoe@example.org"])
    code = next(r["code"] for r in listed if r["learner_id"] == "zoe")
    assert zoe["Subject"].startswith("Your certificate Certified Tester expires on ")
    body = zoe.get_body(("plain",)).get_content()
    assert "How to renew it" in body and code in body and "Zoë Ñúñez-Ølsen" in body
    assert "verification page" not in body and "https://" not in body
    assert counts(cli("cert", "remind", "--within", within, "--email").stdout) == (0, 2, 0, 1)
    assert [r["reminded"] for r in cli.json("cert", "remind", "--within", within)] == [True, False, True]
    assert len(smtp.messages()) == 2
    out = tmp_path / "eml"
    dry = cli("cert", "remind", "--within", within, "--email", "--dry-run", "--out", out)
    assert dry.stdout.startswith("dry run: 0 messages written") and not out.exists()
    assert cli("cert", "remind", "--dry-run", "--out", out, code=2).stderr.startswith(
        "Error: --dry-run and --out apply to --email")


VERIFY_URL = "https://certs.example.org/acme"  # the catalog's; the site's paths go under it with a "/"


def test_with_a_verification_site_each_message_links_the_certificates_page(cli, roster, smtp, tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG + f'\n[issuer]\nname = "Acme Training"\nverify_url = "{VERIFY_URL}"\n', encoding="utf-8")
    cli("init", "--catalog", catalog)
    cli("cert", "issue", "--all-eligible", "--out", tmp_path / "certs", "--email")
    codes = {c["learner_id"]: c["code"] for c in cli.json("cert", "list")}
    by_address = {m.rcpt_tos[0]: m.parsed() for m in smtp.messages()}
    assert sorted(by_address) == sorted(ADDRESSES.values())
    for learner, address in ADDRESSES.items():
        body = by_address[address].get_body(("plain",)).get_content()
        page = f"{VERIFY_URL}/c/{codes[learner]}/"
        assert f"To verify it, open its verification page: {page}\r\n" in body  # as it travels
        assert "progress cert verify" not in body
    site = tmp_path / "site"
    cli("cert", "publish", "--out", site)
    assert all((site / "c" / codes[learner] / "index.html").is_file() for learner in ADDRESSES)  # the page exists

    within = str(2 * 366 + 1)
    assert counts(cli("cert", "remind", "--within", within, "--email").stdout) == (2, 0, 0, 1)
    reminder = next(m.parsed() for m in smtp.messages()[2:] if m.rcpt_tos == ["athena@example.org"])
    assert f"open its verification page: {VERIFY_URL}/c/{codes['athena']}/" in reminder.get_body(("plain",)).get_content()
