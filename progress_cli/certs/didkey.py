"""did:key for an Ed25519 public key (W3C did:key method): an encoding, not cryptography.

did:key:z6Mk... is 'z' (multibase base58btc) + base58btc(0xed 0x01 + the 32 raw key bytes),
0xed being the multicodec of an Ed25519 public key (as an unsigned varint). The verification
method of such a DID is `did:key:<id>#<id>`.
"""

from __future__ import annotations

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_ED25519_PUB = b"\xed\x01"
PREFIX = "did:key:"


def did_key(public_key: bytes) -> str:
    """The did:key of a raw 32-byte Ed25519 public key."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return PREFIX + "z" + b58encode(_ED25519_PUB + public_key)


def verification_method(did: str) -> str:
    """`did:key:z6Mk...#z6Mk...`: the key's id in its DID document (the JWT `kid`)."""
    return f"{did}#{did[len(PREFIX):]}"


def public_key(did_or_method: str) -> bytes:
    """The raw Ed25519 public key of a did:key (or of its verification method); ValueError if not one."""
    did, _, fragment = did_or_method.partition("#")
    if not did.startswith(PREFIX) or not did[len(PREFIX):].startswith("z"):
        raise ValueError(f"not a did:key: {did_or_method!r}")
    ident = did[len(PREFIX):]
    if fragment and fragment != ident:
        raise ValueError(f"the key fragment does not match the DID: {did_or_method!r}")
    data = b58decode(ident[1:])
    if not data.startswith(_ED25519_PUB) or len(data) != 34:
        raise ValueError(f"not an Ed25519 did:key: {did_or_method!r}")
    return data[2:]


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_B58[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body
