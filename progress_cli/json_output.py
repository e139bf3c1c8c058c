"""The one JSON writer: every JSON document the program prints, writes or stores goes through `to_json`.

It is strict on purpose. NaN and Infinity are refused: they are not JSON, and a NaN that reaches
output is a bug upstream (an absent value is `None`, written `null`), not something to print as
`NaN` for a script to choke on. A type JSON does not have (a date, a path, a Decimal) is refused
too: it is converted where the data is built, never guessed here with `str`. Either refusal is
a `JsonOutputError` naming where in the value the bad item sits (`$.modules[0].average_score`).

Left out on purpose: the hashes that identify events and imports (`ingest/record.py`,
`ingest/xapi.py`, the import fingerprint), whose bytes must never change, and the importer's
per-event metadata encoder (`ingest/record.py`), which takes orjson's fast path for millions of rows.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_NATIVE = (str, int, float, bool, type(None))


class JsonOutputError(ValueError):
    """A value that JSON cannot hold reached a writer: a bug in whatever built the value."""


def to_json(value: Any, *, indent: int | None = 2, compact: bool = False, ascii_only: bool = False) -> str:
    """`value` as JSON text, keys in their order, non-ASCII as is (unless `ascii_only`).

    `indent=None` gives one line (`{"a": 1, "b": 2}`); `compact` drops the spaces too
    (`{"a":1,"b":2}`), for JSON Lines files and stored columns.
    """
    if not ascii_only and (indent == 2 or compact) and _orjson_writes_it_alike(value):
        # orjson is ~8x faster (a 10,000-learner `learners --json` spends 0.2 s in json.dumps)
        # and writes these values byte for byte as json.dumps does (tests/test_json_fast.py)
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent == 2 else 0).decode("utf-8")
        except orjson.JSONEncodeError:
            pass  # a lone surrogate (a rejects line keeps the input's): json.dumps writes it escaped
    separators = (",", ":") if compact else None
    try:
        return json.dumps(value, ensure_ascii=ascii_only, indent=indent, separators=separators, allow_nan=False)
    except (TypeError, ValueError) as exc:
        where, what = _first_bad_item(value, "$")
        if where is None:  # not ours to explain (e.g. a circular reference)
            raise JsonOutputError(f"cannot write JSON: {exc}") from exc
        raise JsonOutputError(f"cannot write JSON: {what} at {where}") from exc


_PLAIN = frozenset({str, int, bool, type(None)})


def _orjson_writes_it_alike(value: Any) -> bool:
    """Only values of the JSON types whose text orjson writes as json.dumps does: finite floats
    between 1e-4 and 1e16 (or 0; outside, json writes 1e-05 where orjson writes 0.00001). NaN or
    Infinity and other types go to json.dumps, which refuses or writes them as before; orjson
    itself refuses keys that are not str, ints beyond 64 bits and lone surrogates (see to_json)."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in _PLAIN or (kind is float and _float_alike(value))
    for item in items:  # the scalars without a call: most of a listing's 260,000 values
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is float:
            if not _float_alike(item):
                return False
        elif kind is dict or kind is list or kind is tuple:
            try:
                if not _orjson_writes_it_alike(item):
                    return False
            except RecursionError:
                return False
        else:
            return False
    return True


def _float_alike(number: float) -> bool:
    size = abs(number)
    return size == 0.0 or 1e-4 <= size < 1e16  # NaN and inf fail this too


def _first_bad_item(value: Any, path: str) -> tuple[str | None, str]:
    """The path and a description of the first item JSON cannot hold, depth first."""
    if isinstance(value, float) and not math.isfinite(value):
        return path, repr(value)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, _NATIVE):
                return path, f"a key of type {type(key).__name__}"
            found = _first_bad_item(item, f"{path}.{key}")
            if found[0] is not None:
                return found
        return None, ""
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _first_bad_item(item, f"{path}[{i}]")
            if found[0] is not None:
                return found
        return None, ""
    if isinstance(value, _NATIVE):
        return None, ""
    return path, f"a value of type {type(value).__name__}"
