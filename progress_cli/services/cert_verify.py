"""`progress cert verify FILE|CODE|URL [--offline]`: a credential from anywhere (DESIGN 6.1).

Where the credential comes from: a `.jwt` file or a certificate PDF, a verification page URL
(its `credential.jwt` is fetched), or a code of this store. Who is trusted: the key a did:key
names; for a did:web, this store's keys first, then the issuer's DID document (fetched, never
offline). Revocation: this store's register when it knows the certificate, and the published
status list (fetched, never offline).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from progress_cli.certs import codes, didweb, site
from progress_cli.certs.issuing import from_text
from progress_cli.certs.keys import PublicKey
from progress_cli.certs.signed import KeyProblem, Registered, ResolvedKey, claimed_id, did_key_of
from progress_cli.certs.verify import not_found, token_in_pdf, verdict_json, verify_token
from progress_cli.config import parse_as_of
from progress_cli.errors import ProgressError
from progress_cli.services.store_access import open_engine, store_exists
from progress_cli.services.web_fetch import fetch
from progress_cli.store import read_snapshot
from progress_cli.store import certs as store

URL_SCHEMES = ("http://", "https://")


class KeyResolver:
    """The key a `kid` names, and how far it is trusted (see the module docstring)."""

    def __init__(self, *, store_keys: dict[str, PublicKey] | None, pinned: str | None, offline: bool,
                 get: Callable[[str], bytes] = fetch) -> None:
        self.store_keys, self.pinned, self.offline, self.get = store_keys, pinned, offline, get
        self._documents: dict[str, dict] = {}

    def __call__(self, kid: str) -> ResolvedKey:
        did, _, fragment = kid.partition("#")
        if self.pinned is not None and did != self.pinned:
            raise KeyProblem(f"signed by {did}, not by the issuer trusted here ({self.pinned})")
        ours = (self.store_keys or {}).get(fragment)
        if ours is not None and (did == ours.did or did.startswith(didweb.PREFIX)):
            return ResolvedKey(raw=ours.raw, check="known to this store", said="a key of this store", ours=True)
        if did.startswith("did:key:"):
            check = ("not checked (no store): the key named by the credential" if self.store_keys is None
                     else "the issuer's did:key (not a key of this store)")
            return ResolvedKey(raw=did_key_of(kid), check=check, said=f"the issuer's key {did}")
        if self.offline:
            raise KeyProblem(f"{did} is not checked offline: a did:web issuer is checked against this store's "
                             "keys only, and this key is not one of them")
        url, document = self._document(did)
        try:
            raw = didweb.key_in_document(document, kid)
        except ValueError as exc:
            raise KeyProblem(f"{exc} ({url})") from None
        return ResolvedKey(raw=raw, check=f"listed in the issuer's DID document {url}",
                           said=f"the key {kid} of the issuer's DID document")

    def _document(self, did: str) -> tuple[str, dict]:
        try:
            url = didweb.document_url(did)
        except ValueError as exc:
            raise KeyProblem(str(exc)) from None
        if did not in self._documents:
            try:
                self._documents[did] = json.loads(self.get(url))
            except (ValueError, UnicodeDecodeError):
                raise KeyProblem(f"the issuer's DID document {url} is not JSON") from None
        return url, self._documents[did]


def verify(db: str, target: str, *, tz: ZoneInfo, as_of: str | None = None, issuer: str | None = None,
           offline: bool = False) -> dict[str, Any]:
    """`cert verify`: the verdict (VALID, EXPIRED, REVOKED, INVALID or UNCHECKED) and why.

    With `issuer` (a DID), only that issuer is trusted and the store is not read. Without a
    store (nothing is created to find out), a file or URL is checked against its own issuer.
    `offline` fetches nothing.
    """
    moment = parse_as_of(as_of, tz)
    token, code = _read_target(target, offline=offline)
    use_store = issuer is None and store_exists(db)
    if code is not None and not use_store:
        raise ProgressError(f"a verification code is looked up in the store that issued it; no store at {db} "
                            "(use that store, or verify the .jwt or PDF file)")
    get_status = None if offline else (lambda url: fetch(url).decode("ascii", errors="replace"))
    if not use_store:
        resolver = KeyResolver(store_keys=None, pinned=issuer, offline=offline)
        verdict = verify_token(token, as_of=moment, resolve_key=resolver, lookup=None, fetch_status=get_status,
                               offline=offline)
        return verdict_json(verdict, as_of=moment, source=target, store_used=False, offline=offline)
    token, registered = _from_store(db, token, code)
    if token is None:
        return not_found(code, as_of=moment, offline=offline)
    resolver = KeyResolver(store_keys=registered.keys, pinned=None, offline=offline)
    verdict = verify_token(token, as_of=moment, resolve_key=resolver, lookup=registered.lookup,
                           fetch_status=get_status, offline=offline)
    return verdict_json(verdict, as_of=moment, source=code or target, store_used=True, offline=offline)


@dataclass(frozen=True)
class _Register:
    """What the store says, read in one snapshot before anything is fetched: its keys and
    its row for the credential id the token claims (checked against the signed id later)."""

    keys: dict[str, PublicKey]
    credential_id: str | None
    entry: Registered | None

    def lookup(self, credential_id: str) -> Registered | None:
        return self.entry if credential_id == self.credential_id else None


def _from_store(db: str, token: str | None, code: str | None) -> tuple[str | None, _Register]:
    """The token (the stored one for a code; None when the store lacks the code) and the register."""
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            keys = {r["key_id"]: PublicKey(key_id=r["key_id"], did=r["did"], public_key_pem=r["public_key_pem"])
                    for r in store.signing_keys(conn)}
            if code is not None:
                row = store.certificate_by(conn, code=code)
                token = row["token"] if row is not None else None
            claimed = claimed_id(token) if token is not None else None
            row = store.certificate_by(conn, certificate_id=claimed.removeprefix("urn:uuid:")) if claimed else None
    finally:
        engine.dispose()
    return token, _Register(keys=keys, credential_id=claimed, entry=_registered(row))


def _read_target(target: str, *, offline: bool) -> tuple[str | None, str | None]:
    """(token, None) for a file or URL, (None, code) for a verification code."""
    if target.lower().startswith(URL_SCHEMES):
        return _token_from_url(target, offline=offline), None
    path = Path(target)
    if path.is_file():
        return _token_from_file(path), None
    code = codes.normalize_code(target)
    if code is None:
        raise ProgressError(f"{target!r} is neither a file, a verification page URL nor a verification code "
                            "(like K7QD-2MZP-9XRT)")
    return None, code


def _token_from_url(url: str, *, offline: bool) -> str:
    address = site.credential_address(url)
    if address is None:
        raise ProgressError(f"{url} is not a certificate page (expected an address like "
                            "https://certs.example.org/c/K7QD-2MZP-9XRT/)")
    if offline:
        raise ProgressError(f"{url} would have to be fetched, and offline nothing is; "
                            "verify the .jwt file or the code instead")
    body = fetch(address).decode("ascii", errors="replace").strip()
    if not body.startswith("eyJ") or body.count(".") != 2:
        raise ProgressError(f"{address} is not a credential (not a compact VC-JWT)")
    return body


def _token_from_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProgressError(f"cannot read {path}: {exc.strerror}") from None
    if data.startswith(b"%PDF"):
        token = token_in_pdf(data)
        if token is None:
            raise ProgressError(f"{path}: no credential attached to this PDF; verify its .jwt file or its code")
        return token
    return data.decode("ascii", errors="replace").strip()


def _registered(row: dict | None) -> Registered | None:
    if row is None:
        return None
    revoked = from_text(row["revoked_at"]) if row["revoked_at"] else None
    return Registered(code=row["code"], revoked_at=revoked, revoked_reason=row["revoked_reason"])
