"""A compact JWT signed by an issuer's DID key, and the verdict being built about it: what the
credential check (`verify`) and the status list check (`revocation`) share.

Pure: `resolve_key(kid)` (the caller's) says which key a verification method is and how far
it is trusted, or raises KeyProblem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from progress_cli.certs import didkey, statuslist
from progress_cli.certs.credential import ALGORITHM
from progress_cli.certs.validity import INVALID

UNCHECKED = "UNCHECKED"
NOT_CHECKED = "not checked"
DID_METHODS = ("did:key:", "did:web:")


class KeyProblem(Exception):
    """The key a token names cannot be trusted; the message says why."""


@dataclass(frozen=True)
class ResolvedKey:
    raw: bytes  # the Ed25519 public key
    check: str  # what `checks.issuer_key` says, e.g. "known to this store"
    said: str  # how the verdict's reason names it, e.g. "a key of this store"
    ours: bool = False  # one of this store's keys


@dataclass(frozen=True)
class Registered:
    """What the store's register says about a certificate."""

    code: str
    revoked_at: dt.datetime | None = None
    revoked_reason: str | None = None


@dataclass
class Verdict:
    status: str  # VALID | EXPIRED | REVOKED | INVALID | UNCHECKED
    reason: str
    issuer: str | None = None
    payload: dict | None = None  # the credential, once its signature is verified
    registered: Registered | None = None
    status_entry: statuslist.StatusEntry | None = None
    checks: dict[str, str] = field(default_factory=lambda: {
        "signature": NOT_CHECKED, "issuer_key": NOT_CHECKED, "dates": NOT_CHECKED, "revocation": NOT_CHECKED})


Resolve = Callable[[str], ResolvedKey]
Lookup = Callable[[str], "Registered | None"]
FetchStatus = Callable[[str], str]


def signed_payload(token: str, resolve_key: Resolve, verdict: Verdict) -> tuple[dict | None, ResolvedKey | None]:
    """The payload of a compact JWT whose EdDSA signature verifies with the key its `kid`
    names, and that key; (None, None) with the verdict made INVALID otherwise."""
    # ~70 ms to import: only when a credential is checked (cert list and revoke need neither)
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        header = jwt.get_unverified_header(token.strip())
    except (jwt.InvalidTokenError, ValueError) as exc:
        invalid(verdict, f"not a compact JWT ({exc})")
        return None, None
    if header.get("alg") != ALGORITHM:
        invalid(verdict, f"unsupported algorithm {header.get('alg')!r} (certificates are signed with {ALGORITHM})")
        return None, None
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid.startswith(DID_METHODS) or "#" not in kid:
        invalid(verdict, f"the header's kid {kid!r} is not a verification method of a did:key or did:web")
        return None, None
    verdict.issuer = kid.partition("#")[0]
    try:
        key = resolve_key(kid)
    except KeyProblem as exc:
        verdict.checks["issuer_key"] = "unknown"
        invalid(verdict, str(exc))
        return None, None
    verdict.checks["issuer_key"] = key.check
    try:
        payload = jwt.decode(token.strip(), Ed25519PublicKey.from_public_bytes(key.raw), algorithms=[ALGORITHM],
                             options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                      "verify_aud": False, "require": ["iss", "jti", "nbf"]})
    except jwt.InvalidSignatureError:
        verdict.checks["signature"] = "does not match"
        invalid(verdict, "the signature does not match: the credential was altered or signed by another key")
        return None, None
    except (jwt.InvalidTokenError, ValueError) as exc:
        invalid(verdict, f"malformed credential: {exc}")
        return None, None
    verdict.checks["signature"] = "valid (EdDSA, Ed25519)"
    return payload, key


def claimed_id(token: str) -> str | None:
    """The credential id a token claims, read without checking anything (to look it up in the
    register before verifying); None when it cannot be read."""
    import jwt  # see signed_payload

    try:
        claimed = jwt.decode(token.strip(), options={"verify_signature": False}).get("id")
    except (jwt.InvalidTokenError, ValueError, AttributeError):
        return None
    return claimed if isinstance(claimed, str) else None


def did_key_of(kid: str) -> bytes:
    """The raw key of a did:key verification method; KeyProblem when it is not one."""
    try:
        return didkey.public_key(kid)
    except ValueError:
        raise KeyProblem(f"the header's kid {kid!r} is not the verification method of a did:key") from None


def invalid(verdict: Verdict, reason: str) -> Verdict:
    verdict.status, verdict.reason = INVALID, reason
    return verdict
