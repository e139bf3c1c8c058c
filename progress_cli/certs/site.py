"""The layout of the published verification site (DESIGN 6.1), shared by `cert publish`, which
writes it, and `cert verify URL`, which reads it. Pure.

    index.html                  the issuer and how to verify
    c/<CODE>/index.html         one page per certificate
    c/<CODE>/credential.jwt     its credential
    status/1.jwt                the signed revocation list
    issuer.json                 the issuer's OB 3.0 Profile
    .well-known/did.json        did:web without a path (else did.json)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from progress_cli.certs import codes

INDEX = "index.html"
ISSUER = "issuer.json"
CREDENTIAL = "credential.jwt"
_PAGE = re.compile(r"^(?P<base>.*/)c/(?P<code>[^/]+)/?(?:index\.html?)?$")


def page_path(code: str) -> str:
    return f"c/{code}/{INDEX}"


def credential_path(code: str) -> str:
    return f"c/{code}/{CREDENTIAL}"


def page_url(verify_url: str, code: str) -> str:
    return f"{verify_url}c/{code}/"


def credential_address(url: str) -> str | None:
    """Where the credential of a certificate page (or a credential's own address) is; None
    when `url` is neither `.../c/<CODE>/` (or its index.html) nor a `.jwt` address."""
    parts = urlsplit(url.strip())
    path = parts.path
    if path.endswith(".jwt"):
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    found = _PAGE.match(path)
    if not found or codes.normalize_code(found["code"]) is None:
        return None
    path = f"{found['base']}c/{codes.normalize_code(found['code'])}/{CREDENTIAL}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
