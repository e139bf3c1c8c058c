"""Roster CSV rows -> learner contact records (DESIGN 10). Pure: no store, no terminal.

A header with `learner_id` and any of `name`, `email`, `team`, `manager_email`. In a row, an
empty cell leaves the stored value (the key is left out of the record) and `-` clears it
(None). A bad row comes back as RowRejected with its reason; a file that cannot be read as a
roster (no header, no learner_id column, not UTF-8) is an InputFileError.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterator

from progress_cli.addresses import is_address
from progress_cli.errors import InputFileError
from progress_cli.ingest.record import RowRejected

COLUMNS = ("learner_id", "name", "email", "team", "manager_email")
ADDRESS_COLUMNS = ("email", "manager_email")
CLEAR = "-"


def read_roster(path: Path) -> Iterator[tuple[int, dict[str, str], dict[str, Any] | RowRejected]]:
    """(line number, raw row, record or RowRejected) for each data row of the file."""
    try:
        handle = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputFileError(f"{path}: not a UTF-8 CSV file ({_reason(exc)})") from None
        if header is None:
            raise InputFileError(f"{path}: empty file; a roster needs a header with learner_id")
        header = [h.strip() for h in header]
        if "learner_id" not in header:
            raise InputFileError(f"{path}: the header has no learner_id column (it has {', '.join(header)})")
        unknown = [h for h in header if h not in COLUMNS]
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InputFileError(f"{path}, line {reader.line_num}: {_reason(exc)}") from None
            if not any(c.strip() for c in cells):
                continue
            raw = dict(zip(header, cells))
            yield reader.line_num, raw, _record(header, cells, unknown)


def _record(header: list[str], cells: list[str], unknown: list[str]) -> dict[str, Any] | RowRejected:
    if len(cells) > len(header):
        return RowRejected(f"{len(cells)} cells for {len(header)} columns")
    raw = dict(zip(header, cells))
    given = [u for u in unknown if raw.get(u, "").strip()]
    if given:
        return RowRejected(f"unknown column {given[0]!r} (known: {', '.join(COLUMNS)})")
    learner_id = raw.get("learner_id", "").strip()
    if not learner_id or learner_id == CLEAR:
        return RowRejected("empty learner_id")
    record: dict[str, Any] = {"learner_id": learner_id}
    for column in COLUMNS[1:]:
        value = raw.get(column, "").strip()
        if value == "":
            continue
        if value == CLEAR:
            record[column] = None
            continue
        if column in ADDRESS_COLUMNS and not is_address(value):
            return RowRejected(f"{column} is not an e-mail address: {value!r}")
        record[column] = value
    return record


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 (byte {exc.object[exc.start]:#04x})"
    return str(exc)
