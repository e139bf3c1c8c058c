"""Helpers for the tests of the published verification site (DESIGN 6.1): the hand-made
catalog with an [issuer], a real HTTP server (the standard library's, on 127.0.0.1, in a
thread) serving the published folder, and a `download` that reads the published files for
openbadgeslib."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.test_certs_eligibility import CATALOG

ISSUER = """
[issuer]
name = "Acme Training"
url = "https://training.acme.example"
email = "certificates@acme.example"
verify_url = "{verify_url}"
did = "{did}"
"""


def use_issuer(cli, folder: Path, verify_url: str, did: str = "web") -> None:
    """Load the hand-made catalog with an [issuer] into the test's store."""
    catalog = folder / f"catalog-{did}.toml"
    catalog.write_text(CATALOG + ISSUER.format(verify_url=verify_url, did=did), encoding="utf-8")
    cli("init", "--catalog", catalog)


def issue_all(cli, out: Path) -> dict[str, dict]:
    """`cert issue --all-eligible`: learner id -> {"code", "jwt" (path), "pdf" (path)}."""
    issued = cli.json("cert", "issue", "--all-eligible", "--out", out)["issued"]
    return {e["learner_id"]: {"code": e["code"], "jwt": Path(e["credential"]), "pdf": Path(e["pdf"])} for e in issued}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log on the test's stderr
        pass


class SiteServer:
    """http.server on 127.0.0.1 (a free port) serving `root`; `url` ends with "/"."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.running = False


def site_download(root: Path, served_at: str = "/"):
    """A `download(url) -> bytes` for openbadgeslib that reads the published files: the path of
    the URL (whatever its host, scheme and port), less the path the site is `served_at`, inside `root`."""

    def download(url: str) -> bytes:
        path = unquote(urlsplit(url).path)
        assert path.startswith(served_at), url
        path = path[len(served_at):]
        target = (root / path).resolve()
        assert target.is_relative_to(root.resolve()), url
        return target.read_bytes()

    return download
