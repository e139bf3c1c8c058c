"""Verification codes: 12 symbols of Crockford's base32 in three groups, e.g. `K7QD-2MZP-9XRT`.

The alphabet has no I, L, O or U, so a code read aloud or copied by hand is not misread;
reading one back is forgiving (case, spaces and dashes are ignored; O is taken for 0 and I or
L for 1). 12 symbols of 5 bits: 60 bits from `secrets`, so codes cannot be guessed.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 12
GROUP = 4
ENTROPY_BITS = SYMBOLS * 5  # 60

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_]+")


def new_code() -> str:
    """A fresh random code, grouped by four with dashes."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS))
    return _grouped(raw)


def normalize_code(text: str) -> str | None:
    """The canonical form of a typed code (`k7qd 2mzp 9xrt` -> `K7QD-2MZP-9XRT`), or None."""
    raw = _SEPARATORS.sub("", text.strip()).upper().translate(_READ_AS)
    if len(raw) != SYMBOLS or any(c not in ALPHABET for c in raw):
        return None
    return _grouped(raw)


def _grouped(raw: str) -> str:
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))
