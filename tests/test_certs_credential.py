"""Signed certificates: the Open Badges 3.0 VC-JWT, the PDF, the signing key, and verification
(valid, tampered, another key, expired, revoked), checked also by an independent verifier."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import stat
from pathlib import Path

import jwt
import pytest

from progress_cli.certs import keys
from tests.test_certs_eligibility import ELIGIBLE, build_store, copy_store

VC = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture(scope="module")
def issued_store(tmp_path_factory) -> Path:
    """The hand-made store after `cert issue --all-eligible` (key created on first issue)."""
    from typer.testing import CliRunner

    from progress_cli.cli import app

    folder = tmp_path_factory.mktemp("issued")
    db = build_store(folder)
    result = CliRunner().invoke(app, ["--db", str(db), "--tz", "UTC", "cert", "issue", "--all-eligible",
                                      "--out", str(folder / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def issued(issued_store, db) -> dict:
    """A private copy of the issued store; learner id -> {"jwt", "pdf", "code"} of its certificate."""
    copy_store(issued_store, db.parent)
    out = issued_store.parent / "out"
    found = {}
    for learner in ELIGIBLE:
        [token_file] = out.glob(f"{learner}-*.jwt")
        code = token_file.stem[len(learner) + 1:]
        found[learner] = {"jwt": token_file, "pdf": token_file.with_suffix(".pdf"), "code": code}
    return found


def _verify(cli, *args, code=0) -> dict:
    return cli.json("cert", "verify", *args, code=code)


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _flip(text: str, index: int) -> str:
    """`text` with the character at `index` changed to another base64url character."""
    return text[:index] + ("B" if text[index] == "A" else "A") + text[index + 1:]


# --------------------------------------------------------------------------- the credential

def test_vc_jwt_is_an_open_badges_3_credential(issued):
    token = issued["zoe"]["jwt"].read_text().strip()
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    did = payload["iss"]
    assert did.startswith("did:key:z6Mk") and header["kid"] == f"{did}#{did[len('did:key:'):]}"
    assert payload["@context"] == [VC, OB]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["id"].startswith("urn:uuid:") and payload["jti"] == payload["id"]
    assert payload["issuer"] == {"id": did, "type": ["Profile"], "name": "progress-cli"}
    issued_at = dt.datetime.fromisoformat(payload["validFrom"].replace("Z", "+00:00"))
    until = dt.datetime.fromisoformat(payload["validUntil"].replace("Z", "+00:00"))
    assert until.date() == issued_at.date().replace(year=issued_at.year + 2)
    assert payload["nbf"] == int(issued_at.timestamp()) and payload["exp"] == int(until.timestamp())
    subject = payload["credentialSubject"]
    assert subject["id"] == payload["sub"] == "urn:progress-cli:learner:zoe"
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "Zoë Ñúñez-Ølsen"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Certified Tester"
    assert achievement["id"].startswith("urn:") and achievement["criteria"]["narrative"]
    values = {r["resultDescription"].rsplit(":", 1)[-1]: float(r["value"]) for r in subject["result"]}
    assert values == {"overall-score": 80.0, "s1": 80.0}


def test_an_independent_open_badges_verifier_accepts_it(issued):
    from openbadgeslib.ob3 import OB3Verifier

    token = issued["dmitry"]["jwt"].read_text().strip()
    iss = jwt.decode(token, options={"verify_signature": False})["iss"]
    credential = OB3Verifier.for_issuer_did(iss).verify(token)  # resolves the did:key offline
    assert credential.issuer.id == iss
    assert credential.achievement.name == "Certified Tester"
    assert credential.recipient_id == "urn:progress-cli:learner:dmitry"
    assert credential.identifiers[0].identity_hash == "Дмитрий Иванов"


def test_the_independent_verifier_rejects_a_tampered_credential(issued):
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    token = issued["zoe"]["jwt"].read_text().strip()
    head, body, signature = _segments(token)
    iss = jwt.decode(token, options={"verify_signature": False})["iss"]
    with pytest.raises(OB3VerificationError):
        OB3Verifier.for_issuer_did(iss).verify(".".join([head, body, _flip(signature, 20)]))


# --------------------------------------------------------------------------- verify

def test_sign_then_verify_the_file_the_pdf_and_the_code(cli, issued):
    zoe = issued["zoe"]
    for target in (zoe["jwt"], zoe["pdf"], zoe["code"], zoe["code"].lower().replace("-", " ")):
        result = _verify(cli, target)
        assert result["status"] == "VALID", result
        assert result["checks"]["revocation"] == "not revoked"
        assert result["checks"]["issuer_key"] == "known to this store"
        assert result["certificate"]["code"] == zoe["code"]
        assert result["certificate"]["learner_name"] == "Zoë Ñúñez-Ølsen"
    text = cli("cert", "verify", zoe["code"]).stdout
    assert text.startswith("VALID: ") and "did:key:z6Mk" in text  # the DID is not read as an :emoji: code


@pytest.mark.parametrize("segment", [0, 1, 2], ids=["header", "payload", "signature"])
def test_one_changed_character_makes_it_invalid(cli, issued, tmp_path, segment):
    parts = _segments(issued["zoe"]["jwt"].read_text().strip())
    parts[segment] = _flip(parts[segment], len(parts[segment]) // 2)
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(".".join(parts))
    result = _verify(cli, tampered, code=5)
    assert result["status"] == "INVALID" and result["reason"]


def test_changed_content_with_the_old_signature_is_invalid(cli, issued, tmp_path):
    head, body, signature = _segments(issued["zoe"]["jwt"].read_text().strip())
    payload = jwt.decode(".".join([head, body, signature]), options={"verify_signature": False})
    payload["validUntil"] = "2099-01-01T00:00:00Z"
    forged = tmp_path / "forged.jwt"
    forged.write_text(".".join([head, _b64(payload), signature]))
    result = _verify(cli, forged, code=5)
    assert result["status"] == "INVALID" and "signature does not match" in result["reason"]


def test_a_credential_signed_by_another_key_is_invalid(cli, issued, tmp_path):
    token = issued["zoe"]["jwt"].read_text().strip()
    payload = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    other = keys.generate()
    # 1. the other key signs in our issuer's name
    forged = tmp_path / "forged.jwt"
    forged.write_text(jwt.encode(payload, other, algorithm="EdDSA", headers={"kid": header["kid"]}))
    result = _verify(cli, forged, code=5)
    assert result["status"] == "INVALID" and "signature does not match" in result["reason"]
    # 2. the other key signs as itself: a valid signature, but not an issuer this store knows
    public = keys.public_of(other)
    mine = payload | {"iss": public.did, "issuer": payload["issuer"] | {"id": public.did}}
    own = tmp_path / "own.jwt"
    own.write_text(jwt.encode(mine, other, algorithm="EdDSA", headers={"kid": public.verification_method}))
    result = _verify(cli, own, code=5)
    assert result["status"] == "INVALID" and "not trusted" in result["reason"]
    # ... and pinning the expected issuer offline refuses it too
    ours = payload["iss"]
    assert _verify(cli, own, "--issuer", ours, code=5)["status"] == "INVALID"
    assert _verify(cli, token_file := issued["zoe"]["jwt"], "--issuer", ours)["status"] == "VALID"
    assert token_file.exists()


def test_expired_with_as_of(cli, issued):
    payload = jwt.decode(issued["zoe"]["jwt"].read_text(), options={"verify_signature": False})
    until = payload["validUntil"][:10]
    assert _verify(cli, issued["zoe"]["code"], "--as-of", until)["status"] == "VALID"
    next_day = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()
    result = _verify(cli, issued["zoe"]["code"], "--as-of", next_day, code=5)
    assert result["status"] == "EXPIRED" and result["reason"] == f"expired on {until}"
    assert cli("cert", "verify", issued["zoe"]["jwt"], "--as-of", next_day, code=5).stdout.startswith("EXPIRED: ")


def test_revoked(cli, issued):
    code = issued["athena"]["code"]
    revoked = cli.json("cert", "revoke", code, "--reason", "Issued by mistake")
    assert revoked["already_revoked"] is False and revoked["revoked_reason"] == "Issued by mistake"
    for target in (code, issued["athena"]["jwt"], issued["athena"]["pdf"]):
        result = _verify(cli, target, code=5)
        assert result["status"] == "REVOKED" and "Issued by mistake" in result["reason"]
    again = cli("cert", "revoke", code, "--reason", "twice")
    assert "already revoked" in again.stdout
    assert cli("cert", "revoke", "AAAA-BBBB-CCCC", "--reason", "x", code=1).stderr.startswith("Error: no certificate")
    assert cli("cert", "revoke", code, "--reason", " ", code=2).stderr.startswith("Error: --reason")


def test_without_the_store_revocation_is_not_checked(cli, issued, tmp_path):
    result = cli.json("--db", tmp_path / "elsewhere" / "none.db", "cert", "verify", issued["zoe"]["jwt"])
    assert result["status"] == "VALID" and result["store_checked"] is False
    assert result["checks"]["revocation"] == "not checked (no store)"
    assert not (tmp_path / "elsewhere").exists()  # verifying created nothing
    missing = cli("--db", tmp_path / "none.db", "cert", "verify", issued["zoe"]["code"], code=1)
    assert "store" in missing.stderr


def test_unknown_code_and_bad_input(cli, issued, tmp_path):
    result = _verify(cli, "AAAA-BBBB-CCCC", code=5)
    assert result["status"] == "INVALID" and "no certificate with code" in result["reason"]
    assert cli("cert", "verify", "not-a-code", code=1).stderr.startswith("Error: 'not-a-code' is neither")
    junk = tmp_path / "junk.jwt"
    junk.write_text("hello")
    assert _verify(cli, junk, code=5)["status"] == "INVALID"
    plain_pdf = tmp_path / "plain.pdf"
    plain_pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert "no credential attached" in cli("cert", "verify", plain_pdf, code=1).stderr


# --------------------------------------------------------------------------- the PDF

def test_pdf_shows_names_in_any_script_the_code_and_the_dates(issued):
    from pypdf import PdfReader

    for learner, name in (("zoe", "Zoë Ñúñez-Ølsen"), ("dmitry", "Дмитрий Иванов"), ("athena", "Αθηνά Παπαδοπούλου")):
        files = issued[learner]
        reader = PdfReader(files["pdf"])
        assert len(reader.pages) == 1
        page = reader.pages[0]
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        text = page.extract_text()
        payload = jwt.decode(files["jwt"].read_text(), options={"verify_signature": False})
        assert name in text
        assert files["code"] in text
        assert payload["validFrom"][:10] in text and payload["validUntil"][:10] in text
        assert "Spotting hazards" in text and "Certified Tester" in text
        assert reader.attachments["credential.jwt"][0].decode().strip() == files["jwt"].read_text().strip()


def test_pdf_qr_code_carries_the_code():
    import segno

    from progress_cli.render.qr import qr_runs

    runs = qr_runs("K7QD-2MZP-9XRT")
    expected = segno.make_qr("K7QD-2MZP-9XRT", error="m", boost_error=False).matrix
    drawn = [[0] * runs.size for _ in range(runs.size)]
    for row, col, length in runs.runs:
        for x in range(col, col + length):
            drawn[row][x] = 1
    assert drawn == [[1 if v else 0 for v in row] for row in expected]


# --------------------------------------------------------------------------- the key

def test_private_key_file_is_0600_and_never_printed(cli, issued, db):
    key_dir = db.with_name(db.name + ".keys")
    [key_file] = key_dir.glob("*.pem")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    secret = key_file.read_text()
    body = "".join(secret.splitlines()[1:-1])
    outputs = [cli("keys", "show").stdout, cli("keys", "show", "--json").stdout, cli("keys", "init").stdout,
               cli("cert", "verify", issued["zoe"]["code"]).stdout]
    for out in outputs:
        assert body not in out and "PRIVATE KEY" not in out
    shown = cli.json("keys", "show")
    assert shown["current"]["private_key_file"] == str(key_file)
    assert shown["current"]["did"] == jwt.decode(issued["zoe"]["jwt"].read_text(),
                                                 options={"verify_signature": False})["iss"]


def test_keys_init_creates_a_0600_file_with_os_open(cli, tmp_path, db):
    cli("init")
    created = cli.json("keys", "init")
    assert created["created"] is True
    path = Path(created["key"]["private_key_file"])
    assert path.parent == db.with_name("store.db.keys")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.json("keys", "init")["created"] is False  # idempotent


def test_a_key_file_readable_by_others_is_refused(cli, issued, db, tmp_path):
    [key_file] = db.with_name(db.name + ".keys").glob("*.pem")
    os.chmod(key_file, 0o644)
    cli("cert", "revoke", issued["zoe"]["code"], "--reason", "to re-issue")
    error = cli("cert", "issue", "zoe", "--out", tmp_path, code=1).stderr
    assert "readable by others" in error and "chmod 600" in error


def test_rotation_keeps_old_certificates_verifiable(cli, issued, db, tmp_path):
    old_did = cli.json("keys", "show")["current"]["did"]
    rotated = cli.json("keys", "init", "--rotate")
    assert rotated["created"] and rotated["retired"] == old_did
    keys_dir = db.with_name(db.name + ".keys")
    assert [p.name for p in keys_dir.glob("*.pem")] == [f"{rotated['key']['key_id']}.pem"]
    shown = cli.json("keys", "show")
    assert shown["current"]["did"] != old_did and [k["did"] for k in shown["retired"]] == [old_did]
    assert _verify(cli, issued["zoe"]["jwt"])["status"] == "VALID"  # signed by the retired key
    cli("cert", "revoke", issued["zoe"]["code"], "--reason", "re-issue with the new key")
    issued_now = cli.json("cert", "issue", "zoe", "--out", tmp_path)["issued"]
    new_token = Path(issued_now[0]["credential"]).read_text()
    assert jwt.decode(new_token, options={"verify_signature": False})["iss"] == shown["current"]["did"]
    assert _verify(cli, issued_now[0]["code"])["status"] == "VALID"


def test_key_folder_beside_a_sqlite_store_or_in_the_data_dir_for_a_url(tmp_path, monkeypatch):
    from progress_cli.services.certs import keys_dir

    assert keys_dir(str(tmp_path / "a.db")) == tmp_path / "a.db.keys"
    assert keys_dir(f"sqlite:///{tmp_path}/b.db") == tmp_path / "b.db.keys"
    monkeypatch.setenv("PROGRESS_DATA_DIR", str(tmp_path / "data"))
    url_dir = keys_dir("postgresql://user:secret@db.example/progress")
    assert url_dir.parent == tmp_path / "data" / "keys" and url_dir.name.startswith("postgresql-")
    assert "secret" not in str(url_dir)
    assert keys_dir("postgresql://user:other@db.example/progress") == url_dir  # the password is not part of it
