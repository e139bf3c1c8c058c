"""Record what `status`, `achievements` and `cert check` print (`--json`) for every sample learner.

The outputs in this folder were recorded by the code of main before the read commands learnt to
answer without pandas (issue 14), and `tests/test_reads_fast.py` holds today's output to them
byte for byte. Rerun this only to record outputs on purpose (then read the diff):

    python tests/expected/reads/record.py UTC 2026-11-28T06:00:00+00:00 \
        2026-11-27,2026-11-28,2026-12-02,2026-12-09,2027-01-20 | gzip -9n > tests/expected/reads/utc.json.gz
    python tests/expected/reads/record.py America/New_York 2026-11-28T06:00:00+00:00 \
        2026-11-28,2026-12-09 | gzip -9n > tests/expected/reads/new_york.json.gz

The store: `init --catalog` and `import` of the three sample files in the zone, then a
recompute of everyone as of the given moment (after the data's last event); every command runs
with `--as-of` one of the dates. Output: one JSON object {"<command> <learner> <date>": stdout}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[3]
COMMANDS = (["status"], ["achievements"], ["cert", "check"])


def build_store(tz: str, recompute_at: dt.datetime, db: str | None = None) -> None:
    """The sample store in `db` (default PROGRESS_DB), recomputed as of `recompute_at`."""
    from progress_cli.cli import app
    from progress_cli.services.recompute import recompute_learners
    from progress_cli.services.store_access import open_engine, stored_catalog

    db = db or os.environ["PROGRESS_DB"]
    runner = CliRunner()
    sample = REPO / "sample_data"
    for args in (["init", "--catalog", sample / "catalog.toml"],
                 ["import", sample / "events.jsonl", sample / "events.csv", sample / "events.xapi.json"]):
        result = runner.invoke(app, ["--db", db, "--tz", tz, *map(str, args)])
        assert result.exit_code == 0, result.output
    engine = open_engine(db)
    recompute_learners(engine, None, catalog=stored_catalog(engine), tz=ZoneInfo(tz), as_of=recompute_at)
    engine.dispose()


def record(tz: str, dates: list[str]) -> dict[str, str]:
    from progress_cli.cli import app

    runner = CliRunner()
    learners = [row["learner_id"] for row in json.loads(runner.invoke(app, ["--tz", tz, "learners", "--json"]).stdout)]
    out = {}
    for date in dates:
        for learner in learners:
            for command in COMMANDS:
                result = runner.invoke(app, ["--tz", tz, *command, learner, "--as-of", date, "--json"])
                assert result.exit_code == 0, result.output
                out[f"{' '.join(command)} {learner} {date}"] = result.stdout
    return out


def main() -> None:
    tz, moment, dates = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2]), sys.argv[3].split(",")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PROGRESS_DB"] = str(Path(folder) / "store.db")
        os.environ["PROGRESS_DATA_DIR"] = str(Path(folder) / "data")
        build_store(tz, moment)
        json.dump(record(tz, dates), sys.stdout, ensure_ascii=False, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
