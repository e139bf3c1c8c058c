"""The read commands without pandas (DESIGN 9, issue 14): `status`, `achievements` and `cert
check` answer from what recompute stored plus the learner's own rows, and print exactly what
the full computation prints.

- byte for byte what main's code printed before the change, for every sample learner at fixed
  dates (tests/expected/reads, recorded by tests/expected/reads/record.py), on the fast path
  (as of the last recompute or later) and on the full one (before it);
- the fast path against the full computation at several dates, on both backends;
- no pandas imported by the interactive reads (a subprocess and `python -X importtime`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import REPO

EXPECTED = REPO / "tests" / "expected" / "reads"
RECOMPUTED_AT = dt.datetime(2026, 11, 28, 6, 0, tzinfo=dt.timezone.utc)  # after the data's last event


def _recorder():
    spec = importlib.util.spec_from_file_location("reads_record", EXPECTED / "record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected(name: str) -> dict[str, str]:
    with gzip.open(EXPECTED / name, "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("zone, recording", [("UTC", "utc.json.gz"), ("America/New_York", "new_york.json.gz")])
def test_every_sample_learner_reads_as_main_printed_them(zone, recording):
    recorder = _recorder()
    recorder.build_store(zone, RECOMPUTED_AT)
    expected = _expected(recording)
    dates = sorted({key.rsplit(" ", 1)[1] for key in expected})
    found = recorder.record(zone, dates)
    assert found.keys() == expected.keys()
    differ = [key for key in expected if found[key] != expected[key]]
    assert not differ, differ[:5]
