"""The Ed25519 signing key pair (`cryptography`) and its private key file.

The private key is written once, as unencrypted PKCS#8 PEM, by `os.open` with mode 0600 in a
folder created with mode 0700, so it is never readable by others, not even for a moment. It is
never printed; only its path is shown. A key file that others can read is refused, as ssh does.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from progress_cli.certs import didkey
from progress_cli.errors import ProgressError

ALGORITHM = "Ed25519"


class KeyFileError(ProgressError):
    """The private key file is missing, unreadable or too open."""


@dataclass(frozen=True)
class PublicKey:
    """A public signing key as the store records it."""

    key_id: str  # the multibase key, z6Mk...
    did: str
    public_key_pem: str

    @property
    def verification_method(self) -> str:
        return didkey.verification_method(self.did)

    @property
    def raw(self) -> bytes:
        return didkey.public_key(self.did)


@dataclass(frozen=True)
class Signer:
    """The current signing key: its public half and the loaded private key object."""

    public: PublicKey
    private_key: object  # cryptography Ed25519PrivateKey


def generate():
    """A new Ed25519 private key (a `cryptography` object)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # only with the key

    return Ed25519PrivateKey.generate()


def public_of(private_key) -> PublicKey:
    from cryptography.hazmat.primitives import serialization  # ~130 ms to import: only with the key

    pub = private_key.public_key()
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    did = didkey.did_key(raw)
    return PublicKey(key_id=did[len(didkey.PREFIX):], did=did, public_key_pem=pem.decode("ascii"))


def key_file(keys_dir: Path, key_id: str) -> Path:
    return keys_dir / f"{key_id}.pem"


def write_private_key(path: Path, private_key) -> None:
    """Write the key as PKCS#8 PEM to a new file created with mode 0600 (never overwrites)."""
    from cryptography.hazmat.primitives import serialization  # ~130 ms to import: only with the key

    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise KeyFileError(f"cannot create the private key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def copy_private_keys(source_dir: Path, target_dir: Path) -> int:
    """Copy key files a store has into another store's key folder (0700/0600, none overwritten)."""
    copied = 0
    for source in sorted(source_dir.glob("*.pem")) if source_dir.is_dir() else []:
        target = target_dir / source.name
        try:
            target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise KeyFileError(f"cannot create the private key file {target}: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as out:
            out.write(source.read_bytes())
        copied += 1
    return copied


def load_private_key(path: Path, expected: PublicKey):
    """The private key in `path`; it must be the private half of `expected` and not readable by others."""
    from cryptography.hazmat.primitives import serialization  # ~130 ms to import: only with the key

    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"the private signing key {path} is missing; restore it from a backup, or run "
                           "`progress keys init --rotate` to start signing with a new key") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read the private signing key {path}: {exc.strerror}") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(f"the private signing key {path} is readable by others "
                           f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}")
    try:
        private_key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not an unencrypted PEM private key") from None
    if public_of(private_key).did != expected.did:
        raise KeyFileError(f"{path} does not hold the private half of {expected.did}")
    return private_key


def remove_private_key(path: Path) -> bool:
    """Delete a retired private key file; False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
