"""`recompute --shard K/N`: the share of the learners one of N machines recomputes.

A learner belongs to shard int(first 8 bytes of SHA-256(UTF-8 id), big-endian) mod N: the same
on every machine, Python version and run (Python's own `hash` of a string is salted per process).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from progress_cli.errors import UsageError


@dataclass(frozen=True)
class Shard:
    index: int  # K, 0 <= K < N
    count: int  # N

    def takes(self, learner_id: str) -> bool:
        return shard_of(learner_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(learner_id: str, count: int) -> int:
    """The shard (0..count-1) a learner id belongs to."""
    return int.from_bytes(hashlib.sha256(learner_id.encode("utf-8")).digest()[:8], "big") % count


def parse_shard(text: str) -> Shard:
    """"K/N" -> Shard; a UsageError in one line for anything else."""
    found = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text)
    if not found:
        raise UsageError(f"{text!r} is not a shard: write K/N, e.g. 0/2 and 1/2 for two machines")
    index, count = int(found[1]), int(found[2])
    if count == 0:
        raise UsageError(f"{text!r}: N (the number of shards) must be at least 1")
    if index >= count:
        raise UsageError(f"{text!r}: K must be below N (shards of {count} are 0/{count} to {count - 1}/{count})")
    return Shard(index, count)
