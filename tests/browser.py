"""Headless Chromium for tests that must see a page as a real browser renders it.

Debian's `chromium` package (`.ci/run` installs it); a test that needs it calls
`require_chromium()` and is skipped, with the reason, where the binary is absent. The flags keep
Chromium off the network: it may only load what the test gives it (a file or 127.0.0.1).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars",
]
TIMEOUT_S = 60


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("headless Chromium is not installed (Debian package `chromium`)")
    return path


def _address(page: str | Path) -> str:
    text = str(page)
    return text if "://" in text else Path(text).resolve().as_uri()


def _run(extra: list[str], page: str | Path) -> subprocess.CompletedProcess:
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *extra, _address(page)],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=True)


def dump_dom(page: str | Path) -> str:
    """The page's DOM as Chromium serialises it after loading (a file path or an http URL)."""
    return _run(["--dump-dom"], page).stdout


def screenshot(page: str | Path, out: Path, *, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of the page at width x height (look at it: the file tool shows PNGs)."""
    _run([f"--screenshot={out}", f"--window-size={width},{height}"], page)
    return out


def print_pdf(page: str | Path, out: Path) -> Path:
    """The page printed to PDF, as a reader would print it."""
    _run([f"--print-to-pdf={out}", "--no-pdf-header-footer"], page)
    return out
