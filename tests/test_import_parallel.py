"""Import on several cores (issue 14): a file parsed in blocks by worker processes stores what
one stream stores, with the same counts, line numbers and rejects file. SQLite only: the
parallel part is the parsing, before anything reaches a backend."""

import json
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_cli.catalog import Catalog
from progress_cli.errors import InputFileError
from progress_cli.ingest import blocks
from progress_cli.services import parsing
from progress_cli.services.importing import import_files
from progress_cli.store import open_store

UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of a few hundred bytes, and parallel parsing for any file size."""
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 700)


def event(i, **extra):
    row = {"event_id": f"e{i:04d}", "learner_id": f"l{i % 7}", "learner_name": "Zoë Ñúñez" if i % 5 == 0 else None,
           "module_id": f"m{i % 3}", "task_id": f"t{i % 11}", "type": "attempt",
           "timestamp": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:15:00+02:00", "score": (i * 37) % 101,
           "duration_s": 60 + i % 300}
    return row | extra


def json_lines_with_trouble(path: Path, n=400) -> Path:
    """Good rows, bad JSON, rows out of range, blank lines, a repeated id, CRLF, a BOM."""
    lines = []
    for i in range(n):
        if i % 53 == 7:
            lines.append('{"event_id": "broken", ')
        elif i % 61 == 3:
            lines.append(json.dumps(event(i, score=140)))
        elif i % 67 == 5:
            lines.append("")
        else:
            lines.append(json.dumps(event(i), ensure_ascii=False))
    lines.append(json.dumps(event(10)))  # the same id again: a duplicate of the file's own row
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def run(tmp_path: Path, name: str, files: list[Path], workers: int, **options):
    db = tmp_path / f"{name}.db"
    engine = open_store(str(db))
    rejects = tmp_path / f"{name}.rejects.jsonl"
    summary = import_files(engine, files, catalog=Catalog(), tz=UTC, workers=workers, rejects=rejects, **options)
    engine.dispose()
    con = sqlite3.connect(db)
    stored = con.execute("select event_id, learner_id, session_id, module_id, task_id, skill, type, timestamp,"
                         " score, duration_s, difficulty, metadata, voided from events order by event_id").fetchall()
    learners = con.execute("select learner_id, name from learners order by learner_id").fetchall()
    con.close()
    counts = [(f.read, f.inserted, f.duplicates, f.rejected, f.skipped) for f in summary.files]
    text = rejects.read_text(encoding="utf-8") if rejects.exists() else ""
    return counts, stored, learners, [json.loads(line) for line in text.splitlines()]


def test_json_lines_in_blocks_store_what_one_stream_stores(tmp_path):
    src = json_lines_with_trouble(tmp_path / "events.jsonl")
    one = run(tmp_path, "one", [src], workers=1)
    many = run(tmp_path, "many", [src], workers=3)
    assert len(list(blocks.blocks(src, blocks.LineFormat("jsonl")))) > 20  # really in blocks
    assert many == one
    counts, stored, _, rejected = many
    # 401 lines: 6 blank (i = 5, 72, 139, 206, 273, 340), 8 broken (i % 53 == 7), 7 out of
    # range (i % 61 == 3), 379 good ones and e0010 once more (a duplicate)
    broken = [i for i in range(400) if i % 53 == 7]
    out_of_range = [i for i in range(400) if i % 61 == 3 and i % 53 != 7]
    assert (len(broken), len(out_of_range)) == (8, 7)
    assert counts == [(395, 379, 1, 15, 0)]
    assert len(stored) == 379
    assert [r["line"] for r in rejected] == sorted(i + 1 for i in broken + out_of_range)


def test_csv_rows_with_line_breaks_inside_quotes_are_never_cut(tmp_path):
    src = tmp_path / "events.csv"
    rows = ["event_id,learner_id,module_id,type,timestamp,score,metadata"]
    for i in range(300):
        note = json.dumps({"note": "line one\nline two, \"quoted\"\n" * (i % 3)}).replace('"', '""')
        rows.append(f'c{i:03d},l{i % 4},m{i % 2},attempt,2026-04-{1 + i % 28:02d}T08:00:00Z,{i % 100},"{note}"')
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    kind = blocks.line_format(src, "csv", src.read_text(encoding="utf-8")[:65536])
    cut = list(blocks.blocks(src, kind))
    assert len(cut) > 20
    one = run(tmp_path, "one", [src], workers=1)
    many = run(tmp_path, "many", [src], workers=2)
    assert many == one and one[0] == [(300, 300, 0, 0, 0)]


def test_blocks_tile_the_file_and_count_its_lines(tmp_path):
    src = json_lines_with_trouble(tmp_path / "events.jsonl", n=200)
    data = src.read_bytes()
    cut = list(blocks.blocks(src, blocks.LineFormat("jsonl")))
    assert cut[0].offset == 3  # after the BOM
    assert all(a.offset + a.length == b.offset for a, b in zip(cut, cut[1:]))
    assert cut[-1].offset + cut[-1].length == len(data)
    for block in cut:
        assert block.read(src).endswith(b"\n")
        assert block.first_line == 1 + data.count(b"\n", 0, block.offset)


def test_a_conflict_found_in_a_block_is_written_with_its_row(tmp_path):
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps(event(150)) + "\n", encoding="utf-8")
    src = json_lines_with_trouble(tmp_path / "events.jsonl")
    changed = tmp_path / "changed.jsonl"
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    at = next(n for n, line in enumerate(lines) if '"e0150"' in line)
    lines[at] = json.dumps(event(150, score=1))
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = run(tmp_path, "one", [first, changed], workers=1)
    many = run(tmp_path, "many", [first, changed], workers=2)
    assert many == one
    conflict = [r for r in many[3] if r["reason"].startswith("conflict")]
    assert conflict == [{"file": str(changed), "line": at + 1,
                         "reason": "conflict: event_id e0150 is already stored with other content",
                         "row": event(150, score=1)}]


def test_xapi_statements_in_blocks_keep_their_voiding(tmp_path):
    statements = []
    for i in range(120):
        statements.append({"id": f"00000000-0000-4000-8000-{i:012d}", "actor": {"mbox": f"mailto:l{i % 5}@x.org"},
                           "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                           "object": {"id": f"https://x.org/m{i % 2}"}, "result": {"score": {"scaled": (i % 10) / 10}},
                           "timestamp": f"2026-02-{1 + i % 28:02d}T10:00:00Z"})
    statements.append({"id": "00000000-0000-4000-8000-999999999999", "actor": {"mbox": "mailto:l0@x.org"},
                       "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                       "object": {"objectType": "StatementRef", "id": "00000000-0000-4000-8000-000000000005"},
                       "timestamp": "2026-03-01T10:00:00Z"})
    src = tmp_path / "statements.jsonl"
    src.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    one = run(tmp_path, "one", [src], workers=1)
    many = run(tmp_path, "many", [src], workers=2)
    assert many == one
    assert [row[0] for row in many[1] if row[-1]] == ["00000000-0000-4000-8000-000000000005"]


def test_a_block_that_is_not_utf8_is_a_one_line_error_and_nothing_is_kept(tmp_path):
    src = json_lines_with_trouble(tmp_path / "events.jsonl", n=1000)
    data = src.read_bytes()
    at = data.index(b'"e0900"')  # beyond the first 64 KiB, which every import checks first
    assert at > 65536
    src.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    line = 1 + data.count(b"\n", 0, at)
    engine = open_store(str(tmp_path / "bad.db"))
    with pytest.raises(InputFileError, match=rf"not UTF-8 text \(bad byte b'\\xff' on line {line}\)"):
        import_files(engine, [src], catalog=Catalog(), tz=UTC, workers=2)
    engine.dispose()
    assert sqlite3.connect(tmp_path / "bad.db").execute("select count(*) from events").fetchone() == (0,)


def test_caliper_events_one_a_line_in_blocks_store_what_one_stream_stores(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "caliper" / "events_v1p1.jsonl"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    src = tmp_path / "caliper.jsonl"
    with src.open("w", encoding="utf-8") as out:
        for copy in range(60):  # the same four lines again and again, each event with its own id
            for line in lines:
                out.write(line.replace("6b2f5e3a00", f"6b2f5e{copy:04d}") + "\n")
    one = run(tmp_path, "one", [src], workers=1, fmt="caliper")
    many = run(tmp_path, "many", [src], workers=2, fmt="caliper")
    assert many == one
    assert one[0] == [(240, 120, 0, 0, 120)]  # a copy: two events kept; a Person entity and a course-less tool use skipped


def test_caliper_envelopes_longer_than_the_sniffed_head_are_read_in_blocks(tmp_path):
    """Sensor envelopes one a line run past the 64 KB the format is sniffed from: the first
    line, read whole, says the file is lines."""
    fixture = Path(__file__).parent / "fixtures" / "caliper" / "events_v1p1.jsonl"
    events = [json.loads(line) for line in fixture.read_text(encoding="utf-8").splitlines()]
    src = tmp_path / "envelopes.jsonl"
    with src.open("w", encoding="utf-8") as out:
        for envelope in range(4):
            data = [e | {"id": f"{e['id']}-{envelope}-{copy}"} for copy in range(60) for e in events]
            out.write(json.dumps({"sensor": "https://lms.example/sensor", "sendTime": "2026-03-04T10:00:00Z",
                                  "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p1", "data": data}) + "\n")
    head = src.read_text(encoding="utf-8")[:65536]
    assert "\n" not in head and blocks.line_format(src, "caliper", head) == blocks.LineFormat("caliper")
    one = run(tmp_path, "one", [src], workers=1, fmt="caliper")
    many = run(tmp_path, "many", [src], workers=2, fmt="caliper")
    assert many[:3] == one[:3]
    # a copy of the four lines: two events kept, a course-less tool use skipped; in an
    # envelope's data the Person entity describes, it is not a row
    assert one[0] == [(720, 480, 0, 0, 240)]


def test_gzipped_and_document_files_are_read_in_one_stream(tmp_path):
    import gzip

    src = json_lines_with_trouble(tmp_path / "events.jsonl")
    gz = tmp_path / "events.jsonl.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    array = tmp_path / "events.json"
    array.write_text(json.dumps([event(i) for i in range(50)]), encoding="utf-8")
    head = lambda p: p.read_text(encoding="utf-8")[:65536]  # noqa: E731
    assert blocks.line_format(gz, "jsonl", src.read_text(encoding="utf-8-sig")[:65536]) is None
    assert blocks.line_format(array, "json", head(array)) is None
    assert run(tmp_path, "gz", [gz], workers=2)[:3] == run(tmp_path, "plain", [src], workers=1)[:3]
