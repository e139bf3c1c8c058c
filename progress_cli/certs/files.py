"""The files of an issued certificate (`<learner>-<code>.pdf` and `.jwt`) and of the published
site, written atomically."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from progress_cli.errors import ProgressError

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


def certificate_paths(out_dir: Path, learner_id: str, code: str) -> tuple[Path, Path]:
    """(PDF, credential) paths; the learner id is made safe for a file name."""
    stem = f"{_UNSAFE.sub('_', learner_id).strip('.') or 'learner'}-{code}"
    return out_dir / f"{stem}.pdf", out_dir / f"{stem}.jwt"


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder and rename it: never a half file.

    Certificates are meant to be handed out: the mode is 0644 less the umask.
    """
    temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        raise ProgressError(f"cannot write to {path.parent}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_quietly(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
