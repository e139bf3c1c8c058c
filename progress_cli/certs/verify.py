"""Checking a certificate's VC-JWT: signature, issuer key, structure, dates and revocation.

Pure: the caller passes the moment, the issuer keys it trusts (None without a store: the
did:key named by the token is then the only key, which proves who signed but not that this
store's issuer did) and a look-up of the store's register (None without a store: revocation
is then reported as not checked).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote

from progress_cli.certs import didkey
from progress_cli.certs.credential import ALGORITHM, CREDENTIAL_TYPE, OB_CONTEXT, VC_CONTEXT
from progress_cli.certs.validity import EXPIRED, INVALID, REVOKED, VALID, expired

NOT_CHECKED = "not checked"
# A compact JWS whose header and payload are JSON objects (base64url of `{"`): the credential
# that render.certificate_pdf attaches, stored uncompressed.
_TOKEN = re.compile(rb"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def token_in_pdf(data: bytes) -> str | None:
    """The VC-JWT attached to a certificate PDF, or None."""
    found = _TOKEN.search(data)
    return found.group(0).decode("ascii") if found else None


@dataclass(frozen=True)
class Registered:
    """What the store's register says about a certificate."""

    code: str
    revoked_at: dt.datetime | None = None
    revoked_reason: str | None = None


@dataclass
class Verdict:
    status: str  # VALID | EXPIRED | REVOKED | INVALID
    reason: str
    issuer: str | None = None
    payload: dict | None = None  # the credential, once its signature is verified
    registered: Registered | None = None
    checks: dict[str, str] = field(default_factory=lambda: {
        "signature": NOT_CHECKED, "issuer_key": NOT_CHECKED, "dates": NOT_CHECKED, "revocation": NOT_CHECKED})


def verify_token(token: str, *, as_of: dt.datetime, trusted: set[str] | None,
                 lookup: Callable[[str], Registered | None] | None) -> Verdict:
    """The verdict on a compact VC-JWT as of `as_of` (see the module docstring for the arguments).

    `trusted` holds issuer DIDs (did:key:...); `lookup` takes the credential id (urn:uuid:...).
    """
    # ~70 ms to import: only when a credential is checked (cert list and revoke need neither)
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verdict = Verdict(INVALID, "")
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.InvalidTokenError, ValueError) as exc:
        return _invalid(verdict, f"not a compact JWT ({exc})")
    if header.get("alg") != ALGORITHM:
        return _invalid(verdict, f"unsupported algorithm {header.get('alg')!r} (certificates are signed with {ALGORITHM})")
    kid = header.get("kid")
    try:
        raw_key = didkey.public_key(kid if isinstance(kid, str) else "")
    except ValueError:
        return _invalid(verdict, f"the header's kid {kid!r} is not the verification method of a did:key")
    did = kid.partition("#")[0]
    verdict.issuer = did
    if trusted is None:
        verdict.checks["issuer_key"] = "not checked (no store): the key named by the credential"
    elif did in trusted:
        verdict.checks["issuer_key"] = "known to this store"
    else:
        verdict.checks["issuer_key"] = "unknown"
        return _invalid(verdict, f"signed by an issuer key that is not trusted here ({did})")
    try:
        payload = jwt.decode(token, Ed25519PublicKey.from_public_bytes(raw_key), algorithms=[ALGORITHM],
                             options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                      "verify_aud": False, "require": ["iss", "jti", "nbf", "exp"]})
    except jwt.InvalidSignatureError:
        verdict.checks["signature"] = "does not match"
        return _invalid(verdict, "the signature does not match: the credential was altered or signed by another key")
    except (jwt.InvalidTokenError, ValueError) as exc:
        return _invalid(verdict, f"malformed credential: {exc}")
    verdict.checks["signature"] = "valid (EdDSA, Ed25519)"
    problem = structure_problem(payload, did)
    if problem:
        return _invalid(verdict, problem)
    verdict.payload = payload
    return _dates_and_register(verdict, payload, as_of, lookup)


def structure_problem(payload: dict, did: str) -> str | None:
    """What makes `payload` not a consistent OpenBadgeCredential of issuer `did`, or None."""
    context = payload.get("@context")
    if not (isinstance(context, list) and context[:1] == [VC_CONTEXT] and len(context) > 1
            and isinstance(context[1], str) and context[1].startswith(OB_CONTEXT.rsplit("-", 1)[0])):
        return "the @context is not the VC 2.0 and Open Badges 3.0 contexts"
    types = payload.get("type")
    if not isinstance(types, list) or not set(CREDENTIAL_TYPE) <= set(t for t in types if isinstance(t, str)):
        return "the type is not VerifiableCredential + OpenBadgeCredential"
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did or payload.get("iss") != did:
        return "the issuer, iss and the signing key disagree"
    if payload.get("jti") != payload.get("id"):
        return "jti and the credential id disagree"
    subject = payload.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        return "no credentialSubject.achievement"
    if payload.get("sub") != subject.get("id"):
        return "sub and credentialSubject.id disagree"
    try:
        valid_from, valid_until = parse_time(payload["validFrom"]), parse_time(payload["validUntil"])
    except (KeyError, TypeError, ValueError):
        return "validFrom / validUntil missing or not ISO 8601"
    if payload.get("nbf") != int(valid_from.timestamp()) or payload.get("exp") != int(valid_until.timestamp()):
        return "nbf / exp disagree with validFrom / validUntil"
    return None


def parse_time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment


def _dates_and_register(verdict: Verdict, payload: dict, as_of: dt.datetime,
                        lookup: Callable[[str], Registered | None] | None) -> Verdict:
    valid_from, valid_until = parse_time(payload["validFrom"]), parse_time(payload["validUntil"])
    if lookup is None:
        verdict.checks["revocation"] = "not checked (no store)"
    else:
        registered = lookup(payload["id"])
        verdict.registered = registered
        if registered is None:
            verdict.checks["revocation"] = "not in this store's register"
            return _invalid(verdict, "signed with this store's key but not in its register of certificates")
        if registered.revoked_at is not None:
            verdict.checks["revocation"] = f"revoked on {registered.revoked_at.date().isoformat()}"
            verdict.status = REVOKED
            verdict.reason = f"revoked on {registered.revoked_at.date().isoformat()}: {registered.revoked_reason}"
            return verdict
        verdict.checks["revocation"] = "not revoked"
    until = valid_until.date().isoformat()
    if as_of < valid_from:
        verdict.checks["dates"] = f"not valid before {payload['validFrom']}"
        return _invalid(verdict, f"not valid before {payload['validFrom']}")
    if expired(valid_until, as_of):
        verdict.checks["dates"] = f"expired on {until}"
        verdict.status, verdict.reason = EXPIRED, f"expired on {until}"
        return verdict
    verdict.checks["dates"] = f"valid from {valid_from.date().isoformat()} until {until}"
    revocation = verdict.checks["revocation"]
    verdict.status = VALID
    if revocation == "not revoked":
        verdict.reason = f"signature verified with a key of this store; valid until {until}; not revoked"
    else:
        verdict.reason = (f"signature verified with the issuer's key {verdict.issuer}; valid until {until}; "
                          "revocation not checked (no store)")
    return verdict


def _invalid(verdict: Verdict, reason: str) -> Verdict:
    verdict.status, verdict.reason = INVALID, reason
    return verdict


def verdict_json(verdict: Verdict, *, as_of: dt.datetime, source: str, store_used: bool) -> dict:
    """The `cert verify --json` object of a verdict."""
    payload = verdict.payload
    certificate = None
    if payload is not None:
        subject = payload["credentialSubject"]
        names = [i.get("identityHash") for i in subject.get("identifier", [])
                 if isinstance(i, dict) and i.get("identityType") == "name"]
        certificate = {
            "certificate_id": payload["id"].removeprefix("urn:uuid:"),
            "code": verdict.registered.code if verdict.registered else None,
            "learner_id": unquote(str(subject.get("id", "")).removeprefix("urn:progress-cli:learner:")) or None,
            "learner_name": names[0] if names else None,
            "certification": subject["achievement"].get("name"),
            "issued_at": parse_time(payload["validFrom"]).isoformat(),
            "valid_until": parse_time(payload["validUntil"]).isoformat(),
        }
        if verdict.registered and verdict.registered.revoked_at:
            certificate |= {"revoked_at": verdict.registered.revoked_at.isoformat(),
                            "revoked_reason": verdict.registered.revoked_reason}
    return {"status": verdict.status, "reason": verdict.reason, "source": source, "as_of": as_of.isoformat(),
            "issuer": verdict.issuer, "certificate": certificate, "checks": dict(verdict.checks),
            "store_checked": store_used}


def not_found(code: str, *, as_of: dt.datetime) -> dict:
    """The `cert verify --json` object for a code the store does not have."""
    verdict = Verdict(INVALID, f"no certificate with code {code} in this store")
    return verdict_json(verdict, as_of=as_of, source=code, store_used=True)
