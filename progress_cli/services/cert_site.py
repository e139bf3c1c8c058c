"""`progress cert publish --out DIR`: the static verification site (DESIGN 6.1).

Which files, with what in them: the pages come from a renderer the caller passes in (the CLI
gives render/cert_site.py; services do not import render). Every file is written to a
temporary file in its own folder and renamed over the old one, so a web server never serves
half a file; nothing else in DIR is touched. The status list is signed once per run.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

from progress_cli.certs import codes, didweb, site, statuslist
from progress_cli.certs.credential import OB_CONTEXT, VC_CONTEXT, sign
from progress_cli.certs.identity import Identity
from progress_cli.certs.issuing import from_text
from progress_cli.certs.keys import PublicKey
from progress_cli.certs.validity import status_at
from progress_cli.errors import ProgressError
from progress_cli.json_output import to_json
from progress_cli.services.certs import CERTIFICATE_MODE, current_signer, keys_dir
from progress_cli.services.output_files import write_atomic
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.store import read_snapshot
from progress_cli.store import certs as store


class SiteRenderer(Protocol):
    """Turns the plain data of a page into HTML (escaping every value)."""

    def index_page(self, data: dict[str, Any]) -> str: ...

    def certificate_page(self, data: dict[str, Any]) -> str: ...


@dataclass
class _Writer:
    """Writes the site's files under `root`, each through a temporary file in its own folder
    renamed over the old one (output_files.write_atomic), and counts them."""

    root: Path
    files: int = 0
    bytes: int = 0
    unchanged: int = 0

    def __call__(self, relative: str, data: str | bytes, *, if_changed: bool = False) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target = self.root / relative
        self.files += 1
        self.bytes += len(payload)
        if if_changed and _holds(target, payload):
            self.unchanged += 1
            return
        write_atomic(target, payload, mode=CERTIFICATE_MODE)


def _holds(path: Path, payload: bytes) -> bool:
    """True when `path` already holds exactly `payload` (a credential never changes)."""
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False


def publish_site(db: str, out_dir: Path, *, tz: ZoneInfo, renderer: SiteRenderer,
                 now: Callable[[], dt.datetime] | None = None,
                 on_start: Callable[[int], Callable[[int], None]] | None = None) -> dict[str, Any]:
    """Write the site for the catalog's [issuer] verify_url into `out_dir`; returns what was
    written. `on_start(total)` may return `advance(n)`, called after each certificate (a progress bar)."""
    started = time.perf_counter()
    engine = open_engine(db)
    try:
        issuer = stored_catalog(engine).issuer
        if issuer is None or issuer.verify_url is None:
            raise ProgressError("the catalog has no [issuer] verify_url: set it to the address the site will be "
                                "served at, and run `progress init --catalog FILE`")
        signer = current_signer(engine, keys_dir(db))
        with read_snapshot(engine) as conn:
            rows = store.site_certificates(conn)
            known_keys = [PublicKey(key_id=r["key_id"], did=r["did"], public_key_pem=r["public_key_pem"])
                          for r in store.signing_keys(conn)]
    finally:
        engine.dispose()
    identity = Identity(issuer, signer.public)
    published_at = (now or (lambda: dt.datetime.now(dt.timezone.utc)))().astimezone(dt.timezone.utc).replace(microsecond=0)
    write = _Writer(out_dir)
    status_list = _status_list(rows, identity)
    write(statuslist.SITE_PATH, sign(statuslist.list_credential(
        identity.status_list_url, identity.did, status_list["encoded"], published_at), signer, identity.kid))
    write(site.ISSUER, _json({"@context": [VC_CONTEXT, OB_CONTEXT]} | identity.profile.as_json()))
    document_path = None
    if issuer.did == "web":
        document_path = didweb.site_path(issuer.verify_url)
        write(document_path, _json(didweb.document(identity.did, known_keys)))
    common = _common(identity, published_at, tz)
    advance = on_start(len(rows)) if on_start else None
    counts = {"VALID": 0, "EXPIRED": 0, "REVOKED": 0}
    for row in rows:
        page = _page(row, common, published_at, tz)
        counts[page["status"]] += 1
        write(site.credential_path(row["code"]), row["token"], if_changed=True)
        write(site.page_path(row["code"]), renderer.certificate_page(page))
        if advance:
            advance(1)
    write(site.INDEX, renderer.index_page(common))
    return {"out_dir": str(out_dir), "verify_url": issuer.verify_url, "published_at": published_at.isoformat(),
            "issuer": {"id": identity.did, "name": issuer.name}, "certificates": len(rows),
            "valid": counts["VALID"], "expired": counts["EXPIRED"], "revoked": counts["REVOKED"],
            "status_list": {"url": identity.status_list_url, "entries": status_list["size"],
                            "revoked": status_list["revoked"]},
            "did_document": document_path, "files": write.files, "unchanged": write.unchanged, "bytes": write.bytes,
            "seconds": time.perf_counter() - started}


def _status_list(rows: list[dict], identity: Identity) -> dict[str, Any]:
    indexed = [r for r in rows if r["status_index"] is not None]
    revoked = [r["status_index"] for r in indexed if r["revoked_at"] is not None]
    size = statuslist.list_size(len(indexed))
    return {"encoded": statuslist.encode(revoked, size), "size": size, "revoked": len(revoked)}


def _common(identity: Identity, published_at: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """What every page says about the issuer and the moment of publishing."""
    profile = identity.profile
    return {
        "issuer": {"name": profile.name, "url": profile.url, "email": profile.email, "did": identity.did},
        "verify_url": identity.verify_url,
        "status_list_url": identity.status_list_url,
        "published_at": published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
        "published_at_iso": published_at.isoformat(),
    }


def _page(row: dict, common: dict[str, Any], published_at: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The plain data of one certificate's page."""
    code = row["code"]
    if codes.normalize_code(code) != code:  # codes name folders: never anything but A-Z, 0-9 and dashes
        raise ProgressError(f"the store holds a certificate code that cannot name a folder: {code!r}")
    valid_until = from_text(row["valid_until"])
    revoked_at = from_text(row["revoked_at"]) if row["revoked_at"] else None
    page_url = site.page_url(common["verify_url"], code)
    return common | {
        "code": code,
        "certificate_id": row["certificate_id"],
        "holder": row["learner_name"] or row["learner_id"],
        "certification": row["certification"],
        "overall_score": row["overall_score"],
        "skills": json.loads(row["skills"]),
        "issued_on": from_text(row["issued_at"]).astimezone(tz).date().isoformat(),
        "valid_until": valid_until.astimezone(tz).date().isoformat(),
        "status": status_at(valid_until=valid_until, revoked=revoked_at is not None, as_of=published_at),
        "revoked_on": revoked_at.astimezone(tz).date().isoformat() if revoked_at else None,
        "revoked_reason": row["revoked_reason"],
        "page_url": page_url,
        "credential_href": site.CREDENTIAL,
        "credential_url": page_url + site.CREDENTIAL,
    }


def _json(data: dict) -> str:
    return to_json(data) + "\n"
