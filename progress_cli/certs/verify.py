"""Checking a certificate's VC-JWT: issuer key, signature, structure, revocation and dates.

Pure: the caller passes the moment and three look-ups, so the same checks run with a store,
without one, online and offline (DESIGN 6, 6.1):
- `resolve_key(kid)` -> the ResolvedKey of a verification method (did:key from the id itself;
  did:web from this store's keys or the issuer's DID document); it raises KeyProblem when the
  key cannot be trusted (a network failure is the caller's own error and passes through);
- `lookup(credential id)` -> what this store's register says, or None (None: no store);
- `fetch_status(url)` -> the status list's compact JWT (None: offline); a FetchError (any
  ProgressError) means it could not be fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

from progress_cli.certs import statuslist
from progress_cli.certs.credential import CREDENTIAL_TYPE, OB_CONTEXT, VC_CONTEXT
from progress_cli.certs.revocation import check_revocation
from progress_cli.certs.signed import UNCHECKED, FetchStatus, Lookup, Resolve, Verdict, invalid, signed_payload
from progress_cli.certs.validity import EXPIRED, INVALID, REVOKED, VALID, expired

# A compact JWS whose header and payload are JSON objects (base64url of `{"`): the credential
# that render.certificate_pdf attaches, stored uncompressed.
_TOKEN = re.compile(rb"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def token_in_pdf(data: bytes) -> str | None:
    """The VC-JWT attached to a certificate PDF, or None."""
    found = _TOKEN.search(data)
    return found.group(0).decode("ascii") if found else None


def verify_token(token: str, *, as_of: dt.datetime, resolve_key: Resolve, lookup: Lookup | None,
                 fetch_status: FetchStatus | None, offline: bool = False) -> Verdict:
    """The verdict on a compact VC-JWT as of `as_of` (the module docstring has the look-ups)."""
    verdict = Verdict(INVALID, "")
    payload, key = signed_payload(token, resolve_key, verdict)
    if payload is None:
        return verdict
    problem = structure_problem(payload, verdict.issuer)
    if problem:
        return invalid(verdict, problem)
    verdict.payload = payload
    try:
        verdict.status_entry = statuslist.entry_of(payload)
    except ValueError as exc:
        return invalid(verdict, f"malformed credentialStatus: {exc}")
    if lookup is not None:
        verdict.registered = lookup(payload["id"])
        if verdict.registered is None and key.ours:
            verdict.checks["revocation"] = "not in this store's register"
            return invalid(verdict, "signed with this store's key but not in its register of certificates")
        if verdict.registered is not None and not key.ours:
            return invalid(verdict, "claims the id of a certificate of this store, but its signing key is not "
                                     f"trusted here ({verdict.issuer})")
    revocation = check_revocation(verdict, resolve_key, fetch_status, has_store=lookup is not None, offline=offline)
    if revocation.status in (INVALID, REVOKED):
        verdict.status, verdict.reason = revocation.status, revocation.reason
        return verdict
    if not _dates(verdict, payload, as_of):
        return verdict
    until = verdict.checks["dates"].rsplit(" ", 1)[-1]
    if revocation.status == UNCHECKED:
        verdict.status = UNCHECKED
        verdict.reason = f"signature verified with {key.said}; valid until {until}; {revocation.reason}"
        return verdict
    verdict.status = VALID
    verdict.reason = f"signature verified with {key.said}; valid until {until}; {revocation.reason}"
    return verdict


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


def _dates(verdict: Verdict, payload: dict, as_of: dt.datetime) -> bool:
    """Check validFrom / validUntil; False once the verdict is settled (INVALID or EXPIRED)."""
    valid_from, valid_until = parse_time(payload["validFrom"]), parse_time(payload["validUntil"])
    until = valid_until.date().isoformat()
    if as_of < valid_from:
        verdict.checks["dates"] = f"not valid before {payload['validFrom']}"
        invalid(verdict, f"not valid before {payload['validFrom']}")
        return False
    if expired(valid_until, as_of):
        verdict.checks["dates"] = f"expired on {until}"
        verdict.status, verdict.reason = EXPIRED, f"expired on {until}"
        return False
    verdict.checks["dates"] = f"valid from {valid_from.date().isoformat()} until {until}"
    return True


def verdict_json(verdict: Verdict, *, as_of: dt.datetime, source: str, store_used: bool,
                 offline: bool = False) -> dict:
    """The `cert verify --json` object of a verdict."""
    payload = verdict.payload
    certificate = profile = None
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
        issuer = payload.get("issuer")
        issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
        profile = {k: issuer.get(k) if isinstance(issuer.get(k), str) else None for k in ("id", "name", "url", "email")}
    entry = verdict.status_entry
    return {"status": verdict.status, "reason": verdict.reason, "source": source, "as_of": as_of.isoformat(),
            "issuer": verdict.issuer, "certificate": certificate, "checks": dict(verdict.checks),
            "store_checked": store_used, "issuer_profile": profile, "offline": offline,
            "status_list": None if entry is None else {"url": entry.url, "index": entry.index}}


def not_found(code: str, *, as_of: dt.datetime, offline: bool = False) -> dict:
    """The `cert verify --json` object for a code the store does not have."""
    verdict = Verdict(INVALID, f"no certificate with code {code} in this store")
    return verdict_json(verdict, as_of=as_of, source=code, store_used=True, offline=offline)
