"""`progress export`: everything the store holds about one learner, as JSON, CSV or PDF.

- events: the learner's live (non-voided) events as event records (the importer's 13
  fields), so `progress import` takes them back as they are;
- voided_events: the learner's voided events, same shape (kept, counted nowhere);
- tables: every other table of the store with a `learner_id` column (the derived progress
  tables, achievements, certificates, ...), the learner's rows, as stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, MetaData, select

from progress_cli.config import parse_as_of
from progress_cli.ingest.reader import EXPORT_FORMAT
from progress_cli.json_output import to_json
from progress_cli.services.output_files import is_directory_target, safe_id, write_atomic
from progress_cli.services.store_access import open_engine, require_learners, stored_catalog
from progress_cli.store import queries, read_snapshot

EXPORT_VERSION = 1
EVENT_FIELDS = ("event_id", "learner_id", "learner_name", "session_id", "module_id", "task_id", "skill", "type",
                "timestamp", "score", "duration_s", "difficulty", "metadata")
_OWN_TABLES = {"events", "voids", "learners"}  # exported as `events`, `voided_events`, `learner`


def learner_data(db: str, learner_id: str) -> dict[str, Any]:
    """{"format", "version", "exported_at", "learner": {"id", "name"}, "events": [...],
    "voided_events": [...], "tables": {table: [rows]}}."""
    engine = open_engine(db)
    try:
        require_learners(engine, [learner_id])
        with read_snapshot(engine) as conn:
            name = queries.learner_names(conn, [learner_id]).get(learner_id)
            events = _events(conn, learner_id, name)
            tables = _tables(conn, learner_id)
    finally:
        engine.dispose()
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "learner": {"id": learner_id, "name": name},
        "events": [e for e, voided in events if not voided],
        "voided_events": [e for e, voided in events if voided],
        "tables": tables,
    }


def write_csv_export(db: str, learner_id: str, out: Path | None) -> Path:
    """The CSV export (see `csv_files`) as a directory of files, or a zip when `out` ends in .zip."""
    files = csv_files(learner_data(db, learner_id))
    target = Path(f"{_stem(learner_id)}") if out is None else out
    if target.suffix.lower() == ".zip":
        write_atomic(target, _zip(files))
    else:
        for name, text in files.items():
            write_atomic(target / name, text)
    return target


def export_path(out: Path | None, learner_id: str, ext: str) -> Path:
    """Where a one-file export goes: `out`, or `<learner>-export.<ext>` in `out` (a directory) or here."""
    name = f"{_stem(learner_id)}.{ext}"
    if out is None:
        return Path(name)
    return out / name if is_directory_target(out) else out


def csv_files(data: dict[str, Any]) -> dict[str, str]:
    """{file name: CSV text}: learner.csv, events.csv and voided_events.csv (the import
    header), then one <table>.csv per table (its columns, as stored)."""
    files = {"learner.csv": _csv(["learner_id", "name"], [[data["learner"]["id"], data["learner"]["name"]]])}
    for key in ("events", "voided_events"):
        files[f"{key}.csv"] = _csv(list(EVENT_FIELDS), [[_cell(e[f], f == "metadata") for f in EVENT_FIELDS]
                                                      for e in data[key]])
    for table, content in data["tables"].items():
        files[f"{table}.csv"] = _csv(content["columns"], [[_cell(r[c]) for c in content["columns"]]
                                                          for r in content["rows"]])
    return files


def learner_record(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None) -> dict[str, Any]:
    """What the PDF export shows: the status figures, the charts and every session."""
    # pandas (~0.3 s): the JSON and CSV exports need no analytics
    from progress_cli.analytics import analyze
    from progress_cli.reports.charts import chart_data
    from progress_cli.reports.sessions import session_list
    from progress_cli.services.frames import events_frame
    from progress_cli.services.status import learner_status

    status = learner_status(db, learner_id, tz=tz, as_of=as_of).payload
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    try:
        catalog = stored_catalog(engine)
        with read_snapshot(engine) as conn:
            frame = events_frame(queries.live_events(conn, learner_ids=[learner_id]))
    finally:
        engine.dispose()
    analysis = analyze(frame, catalog, tz.key, moment)
    return {
        "learner": status["learner"],
        "as_of": moment.isoformat(),
        "status": status,
        "charts": chart_data(analysis, moment.astimezone(tz).date(), [learner_id])[learner_id],
        "sessions": session_list(analysis).get(learner_id, []),
        "events": int(len(analysis.prepared.events)),
        "module_titles": {m.id: m.title for m in catalog.modules},
        "skill_names": {s.id: s.name for s in catalog.skills},
    }


def _events(conn: Connection, learner_id: str, name: str | None) -> list[tuple[dict[str, Any], bool]]:
    table = queries.EVENTS
    columns = [table.c[f] for f in EVENT_FIELDS if f != "learner_name"]
    query = (select(*columns, table.c.voided).where(table.c.learner_id == learner_id)
             .order_by(table.c.timestamp, table.c.event_id))
    out = []
    for row in conn.execute(query):
        record = dict(zip([f for f in EVENT_FIELDS if f != "learner_name"], row[:-1]))
        record["learner_name"] = name
        record["metadata"] = json.loads(record["metadata"]) if record["metadata"] else None
        out.append(({f: record[f] for f in EVENT_FIELDS}, bool(row[-1])))
    return out


def _tables(conn: Connection, learner_id: str) -> dict[str, dict[str, Any]]:
    """{table: {"columns": [...], "rows": [...]}} for every other table with a learner_id."""
    metadata = MetaData()
    metadata.reflect(bind=conn)
    out = {}
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        if name in _OWN_TABLES or "learner_id" not in table.c:
            continue
        order = list(table.primary_key.columns) or list(table.c)
        rows = conn.execute(select(table).where(table.c.learner_id == learner_id).order_by(*order))
        columns = list(table.c.keys())
        out[name] = {"columns": columns, "rows": [dict(zip(columns, (_plain(v) for v in r))) for r in rows]}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _cell(value: Any, as_json: bool = False) -> str:
    if value is None:
        return ""
    if as_json:
        return to_json(value, indent=None, compact=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _stem(learner_id: str) -> str:
    return f"{safe_id(learner_id)}-export"
