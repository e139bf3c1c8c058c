"""Revocation that travels: W3C Bitstring Status List v1.0. Pure: no store, no network.

Each credential carries a `BitstringStatusListEntry` naming its own index in the list at
`<verify_url>status/1.jwt`; the list is a `BitstringStatusListCredential` whose
`encodedList` is the bitstring (bit 0 = the left-most bit of the first byte), GZIP-compressed,
then base64url without padding, with the multibase prefix "u". The list has at least 131,072
entries, so how many certificates exist is not told by its size, and indexes are handed out
at random among the free ones, so that neighbours in the list are not neighbours in time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import secrets
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable

from progress_cli.certs.credential import VC_CONTEXT, iso

MIN_ENTRIES = 131_072
PURPOSE = "revocation"
SITE_PATH = "status/1.jwt"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusListCredential"
MAX_DECODED_BYTES = 4 * 1024 * 1024  # 32 M entries: far beyond any store; a gzip bomb stops here


def list_url(verify_url: str) -> str:
    return verify_url + SITE_PATH


def list_size(indexed: int) -> int:
    """Entries in the list once `indexed` certificates hold an index: at least 131,072, and
    doubled as needed so it is never more than half full (a random free slot is then found
    in two tries on average)."""
    size = MIN_ENTRIES
    while indexed * 2 >= size:
        size *= 2
    return size


def pick_index(taken: Callable[[int], bool], size: int, randbelow: Callable[[int], int] = secrets.randbelow) -> int:
    """A random index in [0, size) that `taken` says is free."""
    while True:
        index = randbelow(size)
        if not taken(index):
            return index


def entry(url: str, index: int) -> dict:
    """The credential's `credentialStatus`."""
    return {"id": f"{url}#{index}", "type": ENTRY_TYPE, "statusPurpose": PURPOSE,
            "statusListIndex": str(index), "statusListCredential": url}


def encode(revoked: Iterable[int], size: int) -> str:
    """The `encodedList` of a list of `size` entries with the `revoked` indexes set."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status list index {index} outside 0..{size - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList`; ValueError when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) < 2:
        raise ValueError("the encodedList is not multibase base64url (u...)")
    try:
        packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        inflater = zlib.decompressobj(wbits=31)
        bits = inflater.decompress(packed, MAX_DECODED_BYTES)
    except (binascii.Error, zlib.error, ValueError) as exc:
        raise ValueError(f"the encodedList is not GZIP in base64url ({exc})") from None
    if inflater.unconsumed_tail:
        raise ValueError("the status list is larger than any real one")
    if not inflater.eof:
        raise ValueError("the encodedList is cut short")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"index {index} is outside the status list ({len(bits) * 8} entries)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(url: str, issuer_id: str, encoded: str, published_at: dt.datetime) -> dict:
    """The BitstringStatusListCredential with its JWT claims beside it: the payload to sign."""
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_TYPE],
        "issuer": issuer_id,
        "validFrom": iso(published_at),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": PURPOSE,
                              "encodedList": encoded},
        "iss": issuer_id, "jti": url, "nbf": int(published_at.timestamp()),
    }


@dataclass(frozen=True)
class StatusEntry:
    url: str
    index: int


def entry_of(credential: dict) -> StatusEntry | None:
    """The revocation entry a credential carries; None without one; ValueError when malformed."""
    status = credential.get("credentialStatus")
    if status is None:
        return None
    for item in status if isinstance(status, list) else [status]:
        if not isinstance(item, dict) or item.get("statusPurpose", PURPOSE) != PURPOSE:
            continue
        if item.get("type") != ENTRY_TYPE:
            raise ValueError(f"unsupported credentialStatus type {item.get('type')!r}")
        url, index = item.get("statusListCredential"), item.get("statusListIndex")
        if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
            raise ValueError("the credentialStatus has no statusListCredential or statusListIndex")
        return StatusEntry(url=url, index=int(index))
    return None


@dataclass(frozen=True)
class PublishedList:
    issuer: str
    bits: bytes
    valid_from: str | None


def read_list(payload: dict, url: str) -> PublishedList:
    """What a (signature-checked) status list credential says; ValueError when it is not one."""
    types = payload.get("type")
    if not isinstance(types, list) or LIST_TYPE not in types:
        raise ValueError(f"{url} is not a {LIST_TYPE}")
    if payload.get("id") not in (url, None):
        raise ValueError(f"the status list at {url} names another address ({payload.get('id')})")
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = payload.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != PURPOSE:
        raise ValueError(f"the status list at {url} is not a revocation list")
    if not isinstance(issuer_id, str) or payload.get("iss") != issuer_id:
        raise ValueError(f"the status list at {url} has no consistent issuer")
    return PublishedList(issuer=issuer_id, bits=decode(subject.get("encodedList")),
                         valid_from=payload.get("validFrom"))
