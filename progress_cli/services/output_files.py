"""Where report, export and certificate files go: predictable names, one file per learner,
atomic writes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from progress_cli.errors import ProgressError

_SAFE = re.compile(r"^[A-Za-z0-9._@+-]+$")
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._@+-]")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._@-]+")


def safe_id(learner_id: str) -> str:
    """A learner id usable in a file name: as is when it is made of letters, digits and
    `._@+-` only (and does not start with a dot); otherwise those characters kept, the rest
    as `_`, and 8 hex digits of the id's SHA-256 so two ids never share a name."""
    if _SAFE.match(learner_id) and not learner_id.startswith("."):
        return learner_id
    cleaned = _UNSAFE_CHAR.sub("_", learner_id).lstrip(".")[:60] or "learner"
    return f"{cleaned}-{hashlib.sha256(learner_id.encode('utf-8')).hexdigest()[:8]}"


def report_name(learner_id: str, period_label: str, ext: str) -> str:
    """`<learner>-<period>.<ext>`, e.g. `zoe-2026-W47.pdf`, `zoe-2026-11.md`."""
    return f"{safe_id(learner_id)}-{period_label}.{ext}"


def team_report_name(team: str | None, period_label: str, ext: str) -> str:
    """`team-<team>-<period>.<ext>`, or `team-<period>.<ext>` for every learner as one team."""
    return report_name(f"team-{team}" if team else "team", period_label, ext)


def certificate_paths(out_dir: Path, learner_id: str, code: str) -> tuple[Path, Path]:
    """(PDF, credential) paths `<learner>-<code>.pdf` and `.jwt`; the code keeps them apart,
    so the learner id only needs to be made safe for a file name."""
    stem = f"{_UNSAFE_RUN.sub('_', learner_id).strip('.') or 'learner'}-{code}"
    return out_dir / f"{stem}.pdf", out_dir / f"{stem}.jwt"


class FolderPath(type(Path())):
    """A path given with a trailing separator (`--out reports/`): a folder, even one that does
    not exist yet. `Path("reports/")` would drop the separator, and the report be written to a
    file named `reports`."""


def output_path(text: str) -> Path:
    """`--out` as typed: a FolderPath when it ends with a separator."""
    return FolderPath(text) if text.endswith(("/", os.sep)) else Path(text)


def is_directory_target(out: Path) -> bool:
    """`--out` names a directory when it is one, or was given with a trailing separator."""
    return out.is_dir() or isinstance(out, FolderPath)


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o666) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a file.

    The file gets `mode` less the umask (reports and exports are ordinary files; certificates,
    meant to be handed out, 0644). A folder that cannot be written is a one-line error.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ProgressError(f"cannot write to {path.parent}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(payload)
        os.chmod(temporary, mode & ~_umask())  # mkstemp makes 0600
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def remove_quietly(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
