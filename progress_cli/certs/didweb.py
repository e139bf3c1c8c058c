"""did:web (W3C did:web method) for the issuer: naming, the DID document, reading a key back.

`https://certs.acme.example/` is `did:web:certs.acme.example`; a path adds `:segments`
(`https://acme.example/certs/` -> `did:web:acme.example:certs`); a port is `%3A`-encoded.
The document is served at `/.well-known/did.json` without a path, else at `<path>/did.json`.
Each key is a `Multikey` whose fragment and `publicKeyMultibase` are its did:key identifier
(z6Mk...), so the JWT `kid` of a did:web issuer is `did:web:...#z6Mk...`. Pure: no network.
"""

from __future__ import annotations

import base64
from typing import Iterable
from urllib.parse import quote, unquote, urlsplit

from progress_cli.catalog import LOCAL_HOSTS
from progress_cli.certs import didkey
from progress_cli.certs.keys import PublicKey

PREFIX = "did:web:"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def did_web(verify_url: str) -> str:
    """The did:web of the address the site is served at."""
    parts = urlsplit(verify_url)
    authority = parts.hostname or ""
    if parts.port is not None:
        authority += f":{parts.port}"
    pieces = [quote(authority, safe="")] + [quote(unquote(s), safe="") for s in parts.path.split("/") if s]
    return PREFIX + ":".join(pieces)


def document_url(did: str) -> str:
    """Where a did:web's document is fetched: https, or http for localhost / 127.0.0.1."""
    if not did.startswith(PREFIX) or len(did) == len(PREFIX):
        raise ValueError(f"not a did:web: {did!r}")
    host, *segments = [unquote(p) for p in did[len(PREFIX):].split(":")]
    scheme = "http" if urlsplit(f"//{host}").hostname in LOCAL_HOSTS else "https"
    path = "/".join(quote(s, safe="") for s in segments)
    return f"{scheme}://{host}/{path}/did.json" if segments else f"{scheme}://{host}/.well-known/did.json"


def site_path(verify_url: str) -> str:
    """The document's path inside the published site (the site is served at `verify_url`)."""
    return "did.json" if urlsplit(verify_url).path.strip("/") else ".well-known/did.json"


def method_id(did: str, key: PublicKey) -> str:
    """The verification method of `key` under `did`: the JWT `kid` (did:key or did:web alike)."""
    return f"{did}#{key.key_id}"


def document(did: str, keys: Iterable[PublicKey]) -> dict:
    """The DID document listing every key (the current one first: a verifier that reads the
    first method when a token names none, as for a status list, finds the key that signs now)."""
    methods = [{"id": method_id(did, k), "type": "Multikey", "controller": did, "publicKeyMultibase": k.key_id}
               for k in keys]
    ids = [m["id"] for m in methods]
    return {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did, "verificationMethod": methods,
            "assertionMethod": ids, "authentication": ids}


def key_in_document(doc: object, kid: str) -> bytes:
    """The raw Ed25519 key of verification method `kid` in a fetched DID document.

    ValueError, saying why, when the document is not the DID's or does not list that key.
    """
    did = kid.partition("#")[0]
    if not isinstance(doc, dict) or doc.get("id") != did:
        raise ValueError(f"the DID document is not that of {did}")
    methods = doc.get("verificationMethod")
    for method in methods if isinstance(methods, list) else []:
        if isinstance(method, dict) and method.get("id") in (kid, "#" + kid.partition("#")[2]):
            return _raw_key(method)
    raise ValueError(f"the issuer's DID document does not list the key {kid}")


def _raw_key(method: dict) -> bytes:
    multibase = method.get("publicKeyMultibase")
    if isinstance(multibase, str):
        return didkey.public_key(didkey.PREFIX + multibase)
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and isinstance(jwk.get("x"), str):
        raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        if len(raw) == 32:
            return raw
    raise ValueError(f"the verification method {method.get('id')} is not an Ed25519 key")
