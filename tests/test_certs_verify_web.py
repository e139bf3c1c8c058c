"""`cert verify FILE|CODE|URL [--offline]` against a published site served by a real HTTP server
(the standard library's, on 127.0.0.1): VALID, REVOKED once published, UNCHECKED when the
status list cannot be fetched, offline answers, tampered lists and DID documents, bad input."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from progress_cli.certs import keys, statuslist
from tests.browser import dump_dom, screenshot
from tests.site_kit import SiteServer, issue_all, use_issuer
from tests.test_certs_eligibility import built_store, store  # noqa: F401  (fixtures)


@pytest.fixture(params=["key", "web"])
def served(request, cli, store, tmp_path):
    """The hand-made store certified under an [issuer] whose verify_url is a live local server
    serving the published site: {"server", "dir", "did", "issued": learner -> files}."""
    server = SiteServer(tmp_path / "site")
    request.addfinalizer(server.stop)
    use_issuer(cli, tmp_path, server.url, did=request.param)
    issued = issue_all(cli, tmp_path / "out")
    cli("cert", "publish", "--out", server.root)
    return {"server": server, "dir": server.root, "did": request.param, "issued": issued}


def outside(cli, tmp_path, *args, code=0) -> dict:
    """`cert verify --json` as someone without the issuer's store would run it."""
    return cli.json("--db", tmp_path / "elsewhere" / "none.db", "cert", "verify", *args, code=code)


def page(served, learner: str) -> str:
    return f"{served['server'].url}c/{served['issued'][learner]['code']}/"


def one_line_error(result, starts: str) -> str:
    assert result.stderr.startswith(f"Error: {starts}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    return result.stderr


@pytest.mark.both_backends
def test_a_page_url_is_valid_then_revoked_once_published(cli, served, tmp_path, sql):
    url = page(served, "athena")
    result = outside(cli, tmp_path, url)
    assert result["status"] == "VALID" and result["store_checked"] is False and result["source"] == url
    assert result["issuer_profile"] == {"id": result["issuer"], "name": "Acme Training",
                                        "url": "https://training.acme.example", "email": "certificates@acme.example"}
    [(index,)] = sql("select status_index from certificates where learner_id = 'athena'")
    assert result["status_list"] == {"url": f"{served['server'].url}status/1.jwt", "index": index}
    assert result["checks"]["revocation"].startswith(f"not revoked (status list {served['server'].url}status/1.jwt")
    web = served["did"] == "web"
    assert result["checks"]["issuer_key"] == (f"listed in the issuer's DID document {served['server'].url}.well-known/did.json"
                                              if web else "not checked (no store): the key named by the credential")
    code = served["issued"]["athena"]["code"]
    mine = cli.json("cert", "verify", code)  # the issuer, with its store: the register and the list agree
    assert mine["status"] == "VALID" and mine["checks"]["revocation"].endswith("this store's register agrees")
    cli("cert", "revoke", code, "--reason", "Exam irregularity")
    assert outside(cli, tmp_path, url)["status"] == "VALID"  # not published yet: the world does not know
    assert cli.json("cert", "verify", code, code=5)["status"] == "REVOKED"  # the issuer does
    cli("cert", "publish", "--out", served["dir"])
    revoked = outside(cli, tmp_path, url, code=5)
    assert revoked["status"] == "REVOKED" and "status list" in revoked["reason"]
    assert revoked["checks"]["revocation"].startswith(f"revoked (status list {served['server'].url}status/1.jwt, index {index}")
    text = cli("--db", tmp_path / "elsewhere" / "none.db", "cert", "verify", url, code=5).stdout
    assert text.startswith("REVOKED: ") and "Αθηνά Παπαδοπούλου" in text and "Acme Training" in text
    assert outside(cli, tmp_path, page(served, "zoe"))["status"] == "VALID"


def test_with_the_server_stopped(cli, served, tmp_path):
    served["server"].stop()
    url, token_file = page(served, "zoe"), served["issued"]["zoe"]["jwt"]
    one_line_error(cli("cert", "verify", url, code=1), f"cannot fetch {url}credential.jwt: ")
    nowhere = tmp_path / "elsewhere" / "none.db"
    if served["did"] == "key":  # the signature checks offline; only the list is missing
        result = outside(cli, tmp_path, token_file, code=5)
        assert result["status"] == "UNCHECKED" and "status/1.jwt" in result["reason"]
        assert result["checks"]["signature"] == "valid (EdDSA, Ed25519)" and result["checks"]["dates"].startswith("valid from")
        assert result["checks"]["revocation"].startswith("not checked: cannot fetch")
        assert cli("--db", nowhere, "cert", "verify", token_file, code=5).stdout.startswith("UNCHECKED: ")
    else:  # the issuer's key itself is on the server
        one_line_error(cli("--db", nowhere, "cert", "verify", token_file, code=1),
                       f"cannot fetch {served['server'].url}.well-known/did.json: ")
    mine = cli.json("cert", "verify", token_file)  # the issuer's store knows the certificate and its keys
    assert mine["status"] == "VALID" and "this store's register" in mine["checks"]["revocation"]


def test_offline_fetches_nothing(cli, served, tmp_path):
    token_file = served["issued"]["zoe"]["jwt"]
    served["server"].stop()  # offline must not need it
    if served["did"] == "key":
        result = outside(cli, tmp_path, token_file, "--offline")
        assert result["status"] == "VALID" and result["offline"] is True
        assert result["checks"]["revocation"] == "not checked (offline)"
        assert result["reason"].endswith("revocation not checked (offline)")
    else:
        result = outside(cli, tmp_path, token_file, "--offline", code=5)
        assert result["status"] == "INVALID" and "offline" in result["reason"]
    cli("cert", "revoke", served["issued"]["zoe"]["code"], "--reason", "Left the company")
    mine = cli.json("cert", "verify", token_file, "--offline", code=5)  # this store knows it: its register answers
    assert mine["status"] == "REVOKED" and mine["checks"]["issuer_key"] == "known to this store"
    dmitry = cli.json("cert", "verify", served["issued"]["dmitry"]["code"], "--offline")
    assert dmitry["status"] == "VALID" and dmitry["checks"]["revocation"] == "not revoked"
    one_line_error(cli("cert", "verify", page(served, "zoe"), "--offline", code=1), f"{page(served, 'zoe')} would have to be fetched")


def _tamper_list(folder: Path, index: int) -> None:
    """Set bit `index` in the published list without signing it again."""
    head, body, signature = (folder / "status" / "1.jwt").read_text().split(".")
    claims = jwt.decode(f"{head}.{body}.{signature}", options={"verify_signature": False})
    bits = bytearray(statuslist.decode(claims["credentialSubject"]["encodedList"]))
    bits[index // 8] |= 0x80 >> (index % 8)
    claims["credentialSubject"]["encodedList"] = statuslist.encode(
        [i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))], len(bits) * 8)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    (folder / "status" / "1.jwt").write_text(f"{head}.{forged}.{signature}")


def test_a_tampered_status_list_is_invalid(cli, served, tmp_path, sql):
    [(index,)] = sql("select status_index from certificates where learner_id = 'dmitry'")
    _tamper_list(served["dir"], index)
    for result in (outside(cli, tmp_path, page(served, "dmitry"), code=5),
                   outside(cli, tmp_path, page(served, "zoe"), code=5),
                   cli.json("cert", "verify", served["issued"]["dmitry"]["code"], code=5)):
        assert result["status"] == "INVALID", result
        assert "status list" in result["reason"] and "signature does not match" in result["reason"]


def test_a_did_document_without_the_kid_is_invalid(cli, served, tmp_path):
    if served["did"] == "key":
        pytest.skip("a did:key issuer has no DID document to fetch")
    document_path = served["dir"] / ".well-known" / "did.json"
    document = json.loads(document_path.read_text())
    other = keys.public_of(keys.generate())
    method = document["verificationMethod"][0] | {"id": f"{document['id']}#{other.key_id}",
                                                  "publicKeyMultibase": other.key_id}
    document_path.write_text(json.dumps(document | {"verificationMethod": [method]}))
    result = outside(cli, tmp_path, page(served, "zoe"), code=5)
    assert result["status"] == "INVALID" and result["checks"]["issuer_key"] == "unknown"
    assert "does not list the key" in result["reason"] and result["checks"]["signature"] == "not checked"
    # the list signed by an impostor key under the same did:web is refused the same way
    token = served["issued"]["zoe"]["jwt"].read_text()
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, keys.generate(), algorithm="EdDSA", headers={"kid": f"{claims['iss']}#{other.key_id}"})
    (served["dir"] / "forged.jwt").write_text(forged)
    result = outside(cli, tmp_path, f"{served['server'].url}forged.jwt", code=5)
    assert result["status"] == "INVALID" and result["checks"]["signature"] == "does not match"


def test_bad_input_gets_one_line_errors(cli, served, tmp_path):
    base = served["server"].url
    for url in (base, f"{base}about/", f"{base}c/not-a-code/"):
        one_line_error(cli("cert", "verify", url, code=1), f"{url} is not a certificate page")
    one_line_error(cli("cert", "verify", f"{base}c/AAAA-BBBB-CCCC/", code=1),
                   f"cannot fetch {base}c/AAAA-BBBB-CCCC/credential.jwt: HTTP 404")
    (served["dir"] / "c" / "ZZZZ-ZZZZ-ZZZZ").mkdir()
    (served["dir"] / "c" / "ZZZZ-ZZZZ-ZZZZ" / "credential.jwt").write_text("<html>not here</html>")
    one_line_error(cli("cert", "verify", f"{base}c/ZZZZ-ZZZZ-ZZZZ/", code=1), f"{base}c/ZZZZ-ZZZZ-ZZZZ/credential.jwt is not a credential")
    one_line_error(cli("cert", "verify", "http://certs.acme.example/c/K7QD-2MZP-9XRT/", code=1),
                   "cannot fetch http://certs.acme.example/c/K7QD-2MZP-9XRT/credential.jwt: the address must be https://")
    one_line_error(cli("cert", "verify", "https://127.0.0.1:1/c/K7QD-2MZP-9XRT/", code=1),
                   "cannot fetch https://127.0.0.1:1/c/K7QD-2MZP-9XRT/credential.jwt: ")
    for name, data in (("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), ("empty.jwt", b"")):
        (tmp_path / name).write_bytes(data)
        result = cli("cert", "verify", tmp_path / name, code=5)
        assert result.stdout.startswith("INVALID: not a compact JWT") and result.stderr == ""


def test_end_to_end_in_a_subprocess(served, tmp_path):
    result = subprocess.run([sys.executable, "-m", "progress_cli", "--db", str(tmp_path / "none.db"), "cert", "verify",
                             page(served, "dmitry")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("VALID: "), result.stderr
    assert "Дмитрий Иванов" in result.stdout


def test_the_page_in_a_real_browser(served, tmp_path):
    if served["did"] == "key":
        pytest.skip("one issuer is enough for the browser")
    for learner, name in (("dmitry", "Дмитрий Иванов"), ("zoe", "Zoë Ñúñez-Ølsen")):
        dom = dump_dom(page(served, learner))
        assert f'<p class="holder" id="holder">{name}</p>' in dom
        assert "<strong>VALID</strong>" in dom and "Certified Tester" in dom
    shot = screenshot(page(served, "dmitry"), tmp_path / "page.png", width=390, height=1200)
    assert shot.stat().st_size > 10_000


def test_a_credential_of_another_issuer_is_checked_against_its_own_did(cli, served, tmp_path):
    """From anywhere: with a store at hand, a credential another issuer signed is checked
    against its issuer, not refused because this store does not know the key."""
    token = served["issued"]["zoe"]["jwt"].read_text()
    claims = jwt.decode(token, options={"verify_signature": False})
    other = keys.generate()
    did = keys.public_of(other).did
    theirs = claims | {"id": "urn:uuid:00000000-0000-4000-8000-000000000001", "jti": "urn:uuid:00000000-0000-4000-8000-000000000001",
                       "iss": did, "issuer": {"id": did, "type": ["Profile"], "name": "Elsewhere Academy"}}
    theirs.pop("credentialStatus")
    path = tmp_path / "theirs.jwt"
    path.write_text(jwt.encode(theirs, other, algorithm="EdDSA", headers={"kid": keys.public_of(other).verification_method}))
    result = cli.json("cert", "verify", path)
    assert result["status"] == "VALID" and result["issuer_profile"]["name"] == "Elsewhere Academy"
    assert result["checks"]["issuer_key"] == "the issuer's did:key (not a key of this store)"
    assert result["checks"]["revocation"].startswith("not checked: the credential names no status list")
    ours = jwt.decode(token, options={"verify_signature": False})["iss"]
    pinned = cli.json("--db", tmp_path / "none.db", "cert", "verify", path, "--issuer", ours, code=5)
    assert pinned["status"] == "INVALID" and "not by the issuer trusted here" in pinned["reason"]
    assert outside(cli, tmp_path, served["issued"]["zoe"]["jwt"], "--issuer", ours)["status"] == "VALID"
