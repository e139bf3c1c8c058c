"""Certificates anyone can verify (DESIGN 6.1), the issuing side: the [issuer] profile in the
credential and the PDF, did:web, the status-list entry, `cert publish` and its files, and an
independent verifier (openbadgeslib) reading what was published."""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest

from progress_cli.catalog import parse_catalog
from progress_cli.certs import didweb, statuslist
from progress_cli.errors import CatalogError
from tests.site_kit import issue_all, site_download, use_issuer
from tests.test_certs_eligibility import ELIGIBLE, LEARNERS
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)

VERIFY_URL = "http://127.0.0.1:8765/"  # nothing is fetched in this module: the files are read
DID_WEB = "did:web:127.0.0.1%3A8765"
PROFILE = {"name": "Acme Training", "url": "https://training.acme.example", "email": "certificates@acme.example"}


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def site(cli, store, tmp_path):
    """The hand-made store with a did:web issuer, every eligible learner certified, and the site
    published: {"dir", "issued": learner -> {"code", "jwt", "pdf"}, "publish": the --json}."""
    use_issuer(cli, tmp_path, VERIFY_URL, did="web")
    issued = issue_all(cli, tmp_path / "out")
    folder = tmp_path / "site"
    return {"dir": folder, "issued": issued, "publish": cli.json("cert", "publish", "--out", folder)}


# --------------------------------------------------------------------------- pure pieces

@pytest.mark.parametrize("url, did", [
    ("https://certs.acme.example/", "did:web:certs.acme.example"),
    ("https://acme.example/certs/", "did:web:acme.example:certs"),
    ("https://acme.example:8443/a/b/", "did:web:acme.example%3A8443:a:b"),
    ("http://127.0.0.1:8765/", "did:web:127.0.0.1%3A8765"),
])
def test_did_web_of_the_verify_url(url, did):
    from openbadgeslib.ob3.did import did_web_from_url

    assert didweb.did_web(url) == did
    if url.startswith("https:"):
        assert did_web_from_url(url) == did  # the independent library names it the same way


def test_where_a_did_web_document_is():
    assert didweb.document_url("did:web:certs.acme.example") == "https://certs.acme.example/.well-known/did.json"
    assert didweb.document_url("did:web:acme.example:certs") == "https://acme.example/certs/did.json"
    assert didweb.document_url("did:web:acme.example%3A8443:a:b") == "https://acme.example:8443/a/b/did.json"
    assert didweb.document_url("did:web:127.0.0.1%3A8765") == "http://127.0.0.1:8765/.well-known/did.json"
    assert didweb.document_url("did:web:localhost") == "http://localhost/.well-known/did.json"
    assert didweb.site_path("https://certs.acme.example/") == ".well-known/did.json"
    assert didweb.site_path("https://acme.example/certs/") == "did.json"


def test_status_list_encoding_read_by_an_independent_decoder():
    from openbadgeslib.ob3.status import _bit_set, decode_encoded_list

    revoked = [0, 7, 8, 4242, 131_071]
    encoded = statuslist.encode(revoked, 131_072)
    assert encoded.startswith("u") and "=" not in encoded
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert packed[:2] == b"\x1f\x8b"  # GZIP
    bits = gzip.decompress(packed)
    assert len(bits) == 131_072 // 8
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000  # index 0 is the left-most bit
    theirs = decode_encoded_list(encoded)
    assert theirs == bits == statuslist.decode(encoded)
    assert [i for i in range(131_072) if _bit_set(theirs, i)] == revoked
    assert [i for i in range(131_072) if statuslist.is_set(bits, i)] == revoked
    with pytest.raises(ValueError):
        statuslist.encode([131_072], 131_072)
    for bad in ("", "zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()):
        with pytest.raises(ValueError):
            statuslist.decode(bad)


def test_list_size_at_least_131072_and_never_more_than_half_full():
    assert statuslist.list_size(0) == 131_072
    assert statuslist.list_size(65_535) == 131_072
    assert statuslist.list_size(65_536) == 262_144
    assert statuslist.list_size(200_000) == 524_288


def test_indexes_are_handed_out_at_random_not_in_issue_order():
    rng = random.Random(15)
    taken: set[int] = set()
    picks = []
    for _ in range(2000):
        size = statuslist.list_size(len(taken))
        index = statuslist.pick_index(taken.__contains__, size, rng.randrange)
        assert 0 <= index < size and index not in taken
        taken.add(index)
        picks.append(index)
    gaps = [abs(b - a) for a, b in zip(picks, picks[1:])]
    # uniform picks in [0, N): the mean distance between two is N/3; in issue order it would be 1
    assert sum(gaps) / len(gaps) > 131_072 / 4
    assert sum(1 for g in gaps if g <= 8) < 5  # neighbours in time are almost never neighbours in the list
    full = set(range(0, 130_000))
    assert statuslist.pick_index(full.__contains__, 131_072, rng.randrange) >= 130_000  # only free slots


def test_issuer_table_in_the_catalog():
    base = '[issuer]\nname = "Acme"\n'
    issuer = parse_catalog(base + 'verify_url = "https://certs.acme.example"\ndid = "web"\n').issuer
    assert issuer.name == "Acme" and issuer.did == "web"
    assert issuer.verify_url == "https://certs.acme.example/"  # the site's paths are relative to it
    assert parse_catalog(base).issuer.did == "key" and parse_catalog("").issuer is None
    for text, message in [
        ('[issuer]\nurl = "https://acme.example"\n', "c.toml: issuer.name: is required"),
        (base + 'logo = "x.png"\n', "c.toml: issuer.logo: unknown key"),
        (base + 'did = "ion"\n', "c.toml: issuer.did: must be \"key\" or \"web\""),
        (base + 'did = "web"\n', "c.toml: issuer.did: \"web\" needs verify_url"),
        (base + 'verify_url = "http://certs.acme.example/"\n', "c.toml: issuer.verify_url: must be https://"),
        (base + 'verify_url = "ftp://acme.example/"\n', "c.toml: issuer.verify_url: must be an https:// URL"),
        (base + 'email = "not an address"\n', "c.toml: issuer.email: must be an e-mail address"),
    ]:
        with pytest.raises(CatalogError) as caught:
            parse_catalog(text, source="c.toml")
        assert str(caught.value).startswith(message), str(caught.value)
    local = parse_catalog(base + 'verify_url = "http://localhost:8000/certs/"\n').issuer
    assert local.verify_url == "http://localhost:8000/certs/"


# --------------------------------------------------------------------------- issuing

@pytest.mark.both_backends
def test_the_credential_carries_the_issuer_profile_kid_and_status_entry(cli, site, sql):
    token = site["issued"]["zoe"]["jwt"].read_text()
    header, claims = jwt.get_unverified_header(token), _claims(token)
    [(key_id,)] = sql("select key_id from signing_keys where current = 1")
    assert header["kid"] == f"{DID_WEB}#{key_id}"
    assert claims["iss"] == DID_WEB
    assert claims["issuer"] == {"id": DID_WEB, "type": ["Profile"]} | PROFILE
    status = claims["credentialStatus"]
    [(index,)] = sql("select status_index from certificates where learner_id = 'zoe'")
    assert status == {"id": f"{VERIFY_URL}status/1.jwt#{index}", "type": "BitstringStatusListEntry",
                      "statusPurpose": "revocation", "statusListIndex": str(index),
                      "statusListCredential": f"{VERIFY_URL}status/1.jwt"}
    indexes = [i for (i,) in sql("select status_index from certificates")]
    assert len(set(indexes)) == len(ELIGIBLE) and all(0 <= i < 131_072 for i in indexes)


def test_without_an_issuer_table_the_credential_is_as_before(cli, store, tmp_path, sql):
    issued = issue_all(cli, tmp_path / "out")
    claims = _claims(issued["zoe"]["jwt"].read_text())
    assert claims["issuer"] == {"id": claims["iss"], "type": ["Profile"], "name": "progress-cli"}
    assert claims["iss"].startswith("did:key:") and "credentialStatus" not in claims
    assert sql("select status_index from certificates") == [(None,)] * len(ELIGIBLE)
    error = cli("cert", "publish", "--out", tmp_path / "site", code=1).stderr
    assert error.startswith("Error: the catalog has no [issuer] verify_url") and error.count("\n") == 1
    assert not (tmp_path / "site").exists()


def test_the_pdf_names_the_issuer_and_its_qr_code_leads_to_the_page(site):
    from pypdf import PdfReader

    from progress_cli.render.qr import qr_runs

    zoe = site["issued"]["zoe"]
    page_url = f"{VERIFY_URL}c/{zoe['code']}/"
    page = PdfReader(zoe["pdf"]).pages[0]
    text = page.extract_text()
    assert "by Acme Training" in text and f"Verify: {page_url}" in text and DID_WEB in text
    assert "progress cert verify" not in text
    filled = page.get_contents().get_data().decode("latin-1").count(" re f")
    assert filled == len(qr_runs(page_url).runs) != len(qr_runs(zoe["code"]).runs)  # the QR code is the URL's


# --------------------------------------------------------------------------- publishing

def _status_bits(folder: Path) -> tuple[dict, bytes]:
    claims = _claims((folder / "status" / "1.jwt").read_text())
    return claims, statuslist.decode(claims["credentialSubject"]["encodedList"])


@pytest.mark.both_backends
def test_publish_writes_the_site(cli, site, sql):
    folder, published = site["dir"], site["publish"]
    codes = sorted(e["code"] for e in site["issued"].values())
    expected = {"index.html", "issuer.json", "status/1.jwt", ".well-known/did.json"}
    expected |= {f"c/{c}/{name}" for c in codes for name in ("index.html", "credential.jwt")}
    assert {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} == expected
    assert published["certificates"] == 3 and published["revoked"] == 0 and published["files"] == len(expected)
    assert published["status_list"] == {"url": f"{VERIFY_URL}status/1.jwt", "entries": 131_072, "revoked": 0}
    assert published["issuer"] == {"id": DID_WEB, "name": "Acme Training"}
    assert published["bytes"] == sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    # the issuer's profile and DID document: every key, kid = did:web#<key id>
    profile = json.loads((folder / "issuer.json").read_text())
    assert profile == {"@context": ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                       "id": DID_WEB, "type": ["Profile"]} | PROFILE
    document = json.loads((folder / ".well-known" / "did.json").read_text())
    [(key_id,)] = sql("select key_id from signing_keys")
    assert document["id"] == DID_WEB
    assert document["verificationMethod"] == [{"id": f"{DID_WEB}#{key_id}", "type": "Multikey",
                                               "controller": DID_WEB, "publicKeyMultibase": key_id}]
    assert document["assertionMethod"] == [f"{DID_WEB}#{key_id}"]
    # the status list: a signed BitstringStatusListCredential of the same issuer, nothing set
    list_token = (folder / "status" / "1.jwt").read_text()
    assert jwt.get_unverified_header(list_token)["kid"] == f"{DID_WEB}#{key_id}"
    claims, bits = _status_bits(folder)
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["issuer"] == claims["iss"] == DID_WEB and claims["id"] == f"{VERIFY_URL}status/1.jwt"
    assert claims["credentialSubject"]["statusPurpose"] == "revocation"
    assert claims["validFrom"] == published["published_at"].replace("+00:00", "Z")
    assert len(bits) * 8 == 131_072 and not any(bits)
    for learner, files in site["issued"].items():
        assert (folder / "c" / files["code"] / "credential.jwt").read_text() == files["jwt"].read_text()


def test_pages_show_the_holder_the_status_and_the_published_moment(site):
    folder = site["dir"]
    for learner, files in site["issued"].items():
        page = (folder / "c" / files["code"] / "index.html").read_text(encoding="utf-8")
        assert LEARNERS[learner] in page and "Certified Tester" in page and "Spotting hazards" in page
        assert '<meta name="robots" content="noindex' in page and "<script" not in page.lower()
        assert 'id="status"' in page and "<strong>VALID</strong>" in page
        assert 'href="credential.jwt"' in page and files["code"] in page and "Acme Training" in page
        claims = _claims(files["jwt"].read_text())
        assert claims["validFrom"][:10] in page and claims["validUntil"][:10] in page
        assert site["publish"]["published_at"][:16].replace("T", " ") in page
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Acme Training" in index and DID_WEB in index and "<script" not in index.lower()
    assert not any(LEARNERS[learner] in index for learner in ELIGIBLE)  # the index lists nobody


def test_names_and_reasons_are_escaped(cli, site):
    cli("cert", "revoke", site["issued"]["zoe"]["code"], "--reason", "<script>alert(1)</script> & more")
    cli("cert", "publish", "--out", site["dir"])
    page = (site["dir"] / "c" / site["issued"]["zoe"]["code"] / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


@pytest.mark.both_backends
def test_republishing_after_a_revoke_flips_the_bit_and_the_page(cli, site, sql):
    folder, athena = site["dir"], site["issued"]["athena"]
    page = folder / "c" / athena["code"] / "index.html"
    before = page.stat().st_ino
    cli("cert", "revoke", athena["code"], "--reason", "Exam irregularity")
    assert "<strong>VALID</strong>" in page.read_text(encoding="utf-8")  # the site changes when published
    published = cli.json("cert", "publish", "--out", folder)
    assert published["revoked"] == 1 and published["status_list"]["revoked"] == 1
    [(index,)] = sql("select status_index from certificates where code = :code", code=athena["code"])
    _, bits = _status_bits(folder)
    assert [i for i in range(len(bits) * 8) if statuslist.is_set(bits, i)] == [index]
    text = page.read_text(encoding="utf-8")
    assert "<strong>REVOKED</strong>" in text and "Exam irregularity" in text
    assert published["published_at"][:10] in text
    assert page.stat().st_ino != before  # replaced by a rename, never rewritten in place


def test_publish_leaves_everything_else_in_the_folder_alone(cli, site):
    folder = site["dir"]
    mine = {folder / "robots.txt": "User-agent: *\n", folder / "c" / "README": "hand-written\n",
            folder / "status" / "2.jwt": "someone else's list\n", folder / ".well-known" / "security.txt": "x\n"}
    for path, text in mine.items():
        path.write_text(text)
    os.utime(folder / "robots.txt", (1_000_000_000, 1_000_000_000))
    cli("cert", "publish", "--out", folder)
    assert {p: p.read_text() for p in mine} == mine
    assert (folder / "robots.txt").stat().st_mtime == 1_000_000_000
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]  # no temporary file left


# --------------------------------------------------------------------------- an independent verifier

@pytest.mark.parametrize("did, verify_url", [("key", VERIFY_URL), ("web", VERIFY_URL),
                                             ("web", "http://127.0.0.1:8765/certs/")])
def test_openbadgeslib_accepts_the_published_credentials_until_revoked(cli, store, tmp_path, did, verify_url):
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    use_issuer(cli, tmp_path, verify_url, did=did)
    issued = issue_all(cli, tmp_path / "out")
    folder = tmp_path / "site"
    published = cli.json("cert", "publish", "--out", folder)
    download = site_download(folder, served_at=urlsplit(verify_url).path)
    expected_did = {"key": cli.json("keys", "show")["current"]["did"], "web": didweb.did_web(verify_url)}[did]
    if verify_url.endswith("/certs/"):
        assert expected_did == "did:web:127.0.0.1%3A8765:certs" and published["did_document"] == "did.json"
        assert (folder / "did.json").is_file() and not (folder / ".well-known").exists()

    def check(learner: str):
        token = (folder / "c" / issued[learner]["code"] / "credential.jwt").read_text()
        iss = _claims(token)["iss"]
        assert iss == expected_did
        return OB3Verifier.for_issuer_did(iss, download=download).verify(token, check_status=True, download=download)

    credential = check("dmitry")
    assert credential.issuer.name == "Acme Training"
    assert credential.identifiers[0].identity_hash == "Дмитрий Иванов"
    cli("cert", "revoke", issued["dmitry"]["code"], "--reason", "Issued by mistake")
    check("dmitry")  # not yet published: the world does not know yet
    cli("cert", "publish", "--out", folder)
    with pytest.raises(OB3VerificationError, match="revocation"):
        check("dmitry")
    assert check("zoe").identifiers[0].identity_hash == "Zoë Ñúñez-Ølsen"  # the others stay valid


def test_after_a_key_rotation_the_did_document_keeps_the_old_key(cli, site, tmp_path):
    from openbadgeslib.ob3 import OB3Verifier

    old = cli.json("keys", "show")["current"]["key_id"]
    new = cli.json("keys", "init", "--rotate")["key"]["key_id"]
    cli("cert", "revoke", site["issued"]["zoe"]["code"], "--reason", "re-issue with the new key")
    reissued = cli.json("cert", "issue", "zoe", "--out", tmp_path / "out2")["issued"][0]
    cli("cert", "publish", "--out", site["dir"])
    document = json.loads((site["dir"] / ".well-known" / "did.json").read_text())
    assert [m["publicKeyMultibase"] for m in document["verificationMethod"]] == [new, old]  # the current key first
    download = site_download(site["dir"])
    for token in (site["issued"]["dmitry"]["jwt"].read_text(), Path(reissued["credential"]).read_text()):
        OB3Verifier.for_issuer_did(DID_WEB, download=download).verify(token, check_status=True, download=download)
    assert jwt.get_unverified_header(Path(reissued["credential"]).read_text())["kid"] == f"{DID_WEB}#{new}"


# --------------------------------------------------------------------------- the store

def test_a_store_from_before_migration_8_gets_the_status_index(cli, store, tmp_path):
    """A certificates table without status_index (as schema 7 and before wrote it) gains the
    column and its unique index; certificates issued before keep NULL and still verify."""
    import sqlite3

    issued = issue_all(cli, tmp_path / "out")
    with sqlite3.connect(store) as conn:
        conn.execute("DROP INDEX ux_certificates_status_index")
        conn.execute("ALTER TABLE certificates DROP COLUMN status_index")
        conn.execute("DELETE FROM schema_migrations WHERE version = 8")
    assert cli.json("cert", "verify", issued["zoe"]["code"])["status"] == "VALID"  # opening upgrades it
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations WHERE version = 8").fetchone() == (1,)
        assert conn.execute("SELECT status_index FROM certificates").fetchall() == [(None,)] * len(ELIGIBLE)
        conn.execute("UPDATE certificates SET status_index = 5 WHERE learner_id = 'zoe'")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE certificates SET status_index = 5 WHERE learner_id = 'dmitry'")
