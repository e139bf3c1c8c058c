"""Is a verified credential revoked? This store's register and the issuer's published status
list (W3C Bitstring Status List), each when there is one to ask. Pure, like `verify`, which
calls it.

- The register, when this store knows the certificate, is the issuer's own word: a revocation
  there is REVOKED even before the site is re-published.
- The status list (online only) must be a BitstringStatusListCredential signed by a key of the
  same issuer: a list whose signature fails (a bit flipped without re-signing) makes the
  verdict INVALID, never VALID or REVOKED. Its bit set is REVOKED.
- A list that cannot be fetched leaves revocation unchecked (UNCHECKED), unless the register
  answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from progress_cli.certs import statuslist
from progress_cli.certs.validity import INVALID, REVOKED, VALID
from progress_cli.certs.signed import UNCHECKED, FetchStatus, Resolve, Verdict, signed_payload
from progress_cli.errors import ProgressError


@dataclass(frozen=True)
class Revocation:
    status: str  # VALID (not revoked), REVOKED, INVALID (a bad status list) or UNCHECKED
    reason: str  # for the verdict's line


def check_revocation(verdict: Verdict, resolve_key: Resolve, fetch_status: FetchStatus | None, *,
                     has_store: bool, offline: bool) -> Revocation:
    """Decide revocation for a verdict whose signature and structure are fine; sets
    `verdict.checks["revocation"]`."""
    registered, entry = verdict.registered, verdict.status_entry
    if registered is not None and registered.revoked_at is not None:
        day = registered.revoked_at.date().isoformat()
        return _say(verdict, f"revoked on {day}", REVOKED, f"revoked on {day}: {registered.revoked_reason}")
    if entry is None or offline or fetch_status is None:
        if registered is not None:
            return _say(verdict, "not revoked", VALID, "not revoked")
        if entry is not None:
            return _say(verdict, "not checked (offline)", VALID, "revocation not checked (offline)")
        if not has_store:
            return _say(verdict, "not checked (no store)", VALID, "revocation not checked (no store)")
        return _say(verdict, "not checked: the credential names no status list and this store does not know it",
                    VALID, "revocation not checked (no status list)")
    try:
        token = fetch_status(entry.url)
    except ProgressError as exc:
        return _unreachable(verdict, str(exc))
    return _read_published(verdict, token, entry, resolve_key)


def _read_published(verdict: Verdict, token: str, entry: statuslist.StatusEntry, resolve_key: Resolve) -> Revocation:
    listed = Verdict(INVALID, "")
    payload, _ = signed_payload(token, resolve_key, listed)
    if payload is None:
        return _bad_list(verdict, entry, listed.reason)
    if listed.issuer != verdict.issuer:
        return _unreachable(verdict, f"the status list {entry.url} is signed by {listed.issuer}, "
                                     f"not by the credential's issuer")
    try:
        published = statuslist.read_list(payload, entry.url)
        revoked = statuslist.is_set(published.bits, entry.index)
    except ValueError as exc:
        return _bad_list(verdict, entry, str(exc))
    when = f"published {published.valid_from}" if published.valid_from else "undated"
    if revoked:
        return _say(verdict, f"revoked (status list {entry.url}, index {entry.index}, {when})", REVOKED,
                    f"revoked in the issuer's status list {entry.url} ({when})")
    agrees = "; this store's register agrees" if verdict.registered is not None else ""
    return _say(verdict, f"not revoked (status list {entry.url}, {when}){agrees}", VALID,
                f"not revoked (status list {when})")


def _unreachable(verdict: Verdict, problem: str) -> Revocation:
    if verdict.registered is not None:
        return _say(verdict, f"not revoked (this store's register; {problem})", VALID, "not revoked")
    return _say(verdict, f"not checked: {problem}", UNCHECKED, f"revocation not checked: {problem}")


def _bad_list(verdict: Verdict, entry: statuslist.StatusEntry, problem: str) -> Revocation:
    return _say(verdict, f"the status list is not valid: {problem}", INVALID,
                f"the issuer's status list {entry.url} is not valid: {problem}")


def _say(verdict: Verdict, check: str, status: str, reason: str) -> Revocation:
    verdict.checks["revocation"] = check
    return Revocation(status, reason)
