"""The command-line surface as a whole: help on everything, choices that `--help` lists, one
set of exit codes, one strict JSON writer, services that speak in their own words, and a README
command reference that cannot drift from the code."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from progress_cli.cli import _Group, app
from progress_cli.cli.options import ImportFormat, PaperSize, RankBy, RankPeriod, ReportFormat
from progress_cli.cli.output import emit_json
from progress_cli.cli.usage import Command
from progress_cli.errors import ExitCode, NothingToDo, ProgressError, UsageError
from progress_cli.json_output import JsonOutputError, to_json
from tests.conftest import REPO, write_jsonl

PACKAGE = REPO / "progress_cli"
UTC = ZoneInfo("UTC")


def _walk(command=None, path=()):
    """(path, click command) for the root, every group and every command."""
    command = command or typer.main.get_command(app)
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


COMMANDS = list(_walk())
LEAVES = [(path, command) for path, command in COMMANDS if not hasattr(command, "commands")]


# ------------------------------------------------------------------------------------------
# help on everything
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "progress" for p, _ in COMMANDS])
def test_every_command_option_and_argument_explains_itself(path, command):
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        name = param.opts[0] if param.opts and param.opts[0].startswith("-") else param.name
        assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)} {name} has no help"
        takes_value = param.param_type_name == "argument" or not param.is_flag
        if takes_value and not param.type_descriptor.is_choice:
            assert param.metavar, f"{' '.join(path)} {name}: say what it takes (metavar DATE, PATH, N, ...)"


def test_every_command_spells_out_its_usage_line():
    assert all(isinstance(command, Command) for _, command in LEAVES)
    usage = CliRunner().invoke(app, ["report", "--help"]).stdout
    assert usage.startswith("Usage: progress report (--week [DATE|YYYY-Www] | --month [YYYY-MM])")
    assert "[--learner ID | --all | --team [NAME]]" in usage
    issue = CliRunner().invoke(app, ["cert", "issue", "--help"], terminal_width=60).stdout
    assert "(LEARNER | --all-eligible)" in issue
    assert "[--renew-before DAYS]" in issue  # wrapped between pieces, never inside one


@pytest.mark.parametrize("args, listed", [
    (("import",), "--format <auto|jsonl|csv|json|xapi|caliper|edx>"),
    (("leaderboard",), "--by <points|progress|streak>"),
    (("leaderboard",), "--period <week|month|all>"),
    (("report",), "--format <terminal|md|pdf|json|html>"),
    (("report",), "--paper <a4|letter>"),
    (("export",), "--format <json|csv|pdf>"),
    (("export",), "--paper <a4|letter>"),
    (("chart",), "kind <progress|skills|heatmap|curve>"),
])
def test_help_lists_the_choices(args, listed):
    assert listed in CliRunner().invoke(app, [*args, "--help"], terminal_width=120).stdout


def test_the_enums_hold_what_the_services_accept():
    from progress_cli.ingest.reader import FORMATS as IMPORT_FORMATS
    from progress_cli.render.pdf_doc import PAPERS
    from progress_cli.render.report_formats import FORMATS as REPORT_FORMATS
    from progress_cli.services.achievements import PERIODS, RANKINGS

    assert tuple(f.value for f in ImportFormat) == IMPORT_FORMATS
    assert tuple(f.value for f in ReportFormat) == REPORT_FORMATS
    assert tuple(r.value for r in RankBy) == RANKINGS
    assert tuple(p.value for p in RankPeriod) == PERIODS
    assert [p.value for p in PaperSize] == list(PAPERS)


def test_shared_options_are_declared_once():
    """`--as-of`, `--json`, `--quiet`, `--paper` and `--font` are declared in cli/options.py only."""
    declared = re.compile(r"""["'](--as-of|--json|--quiet|--paper|--font)["']""")
    elsewhere = {path.name: declared.findall(path.read_text(encoding="utf-8"))
                 for path in (PACKAGE / "cli").glob("*.py") if path.name != "options.py"}
    assert {name: found for name, found in elsewhere.items() if found} == {}


# ------------------------------------------------------------------------------------------
# exit codes
# ------------------------------------------------------------------------------------------

def test_exit_codes_are_the_designs():
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0, "ERROR": 1, "USAGE": 2, "REJECTED": 3, "NOTHING_TO_DO": 4, "NOT_VALID": 5, "INTERRUPTED": 130}
    assert (ProgressError.exit_code, UsageError.exit_code, NothingToDo.exit_code) == (1, 2, 4)


def test_every_exit_names_its_code():
    """No bare number in a `typer.Exit(...)` or an error class's `exit_code`: they come from ExitCode."""
    bare = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Exit":
                bare += [f"{path.name}:{node.lineno}" for arg in node.args if isinstance(arg, ast.Constant)]
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "exit_code" for t in node.targets):
                bare += [f"{path.name}:{node.lineno}"] if isinstance(node.value, ast.Constant) else []
    assert bare == []


def _app_raising(exc: BaseException) -> typer.Typer:
    """A throwaway app with the real error handling of `progress`, whose command raises `exc`."""
    throwaway = typer.Typer(cls=_Group)

    @throwaway.callback()
    def root() -> None:
        pass

    @throwaway.command()
    def boom() -> None:
        raise exc

    return throwaway


@pytest.mark.parametrize("exc, code, message", [
    (KeyboardInterrupt(), 130, "Interrupted; any unfinished write was rolled back.\n"),
    (NothingToDo("nobody is eligible"), 4, "Error: nobody is eligible\n"),
    (UsageError("give one of A or B"), 2, "Error: give one of A or B\n"),
    (ProgressError("no such thing"), 1, "Error: no such thing\n"),
])
def test_the_one_place_errors_become_exit_codes(exc, code, message):
    result = CliRunner().invoke(_app_raising(exc), ["boom"])
    assert (result.exit_code, result.stderr) == (code, message)


# ------------------------------------------------------------------------------------------
# one JSON writer
# ------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
    max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_the_writer_is_byte_compatible_with_what_commands_printed_before(value):
    assert to_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
    assert to_json(value, indent=None) == json.dumps(value, ensure_ascii=False)
    assert to_json(value, indent=None, compact=True) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_the_writer_keeps_key_order_and_any_script():
    assert to_json({"zoë": "Дмитрий", "a": [1, 2.5, None]}) == (
        '{\n  "zoë": "Дмитрий",\n  "a": [\n    1,\n    2.5,\n    null\n  ]\n}')


@pytest.mark.parametrize("value, where", [
    ({"modules": [{"average_score": float("nan")}]}, "nan at $.modules[0].average_score"),
    ({"risk": float("inf")}, "inf at $.risk"),
    ([1, float("-inf")], "-inf at $[1]"),
    ({"as_of": dt.date(2026, 11, 27)}, "a value of type date at $.as_of"),
    ({"path": Path("x")}, "a value of type PosixPath at $.path" if sys.platform != "win32" else "at $.path"),
])
def test_the_writer_refuses_what_json_cannot_hold_and_says_where(value, where):
    with pytest.raises(JsonOutputError, match=re.escape(where)):
        to_json(value)


def test_a_nan_reaching_a_commands_output_is_an_error_not_printed(capsys):
    with pytest.raises(JsonOutputError):
        emit_json({"total_progress": float("nan")})
    assert capsys.readouterr().out == ""


def test_a_nan_reaching_the_activity_outbox_is_refused_before_it_is_stored(tmp_path):
    from progress_cli.store import activity, open_store, write_transaction

    engine = open_store(str(tmp_path / "s.db"))
    with pytest.raises(JsonOutputError, match=r"\$\.risk"):
        with write_transaction(engine) as conn:
            activity.record(conn, "readiness_changed", "zoe", risk=float("nan"))
    with engine.connect() as conn:
        assert activity.after(conn, 0) == []
    engine.dispose()


def test_rejects_lines_stay_valid_json_for_input_json_cannot_hold(cli, tmp_path):
    """NaN (read leniently) and a lone surrogate escape are input, not bugs: written, never a crash."""
    good = {"event_id": "ok", "learner_id": "ana", "module_id": "m", "type": "attempt",
            "timestamp": "2026-05-01T10:00:00Z", "score": 50}
    path = write_jsonl(tmp_path / "a.jsonl", [
        good,
        '{"event_id": "n", "learner_id": "ana", "module_id": "m", "timestamp": "2026-05-01T10:01:00Z", '
        '"score": NaN, "extra": [Infinity, -Infinity]}',
        '{"event_id": "s", "learner_id": "ana", "module_id": "m", "timestamp": "2026-05-01T10:02:00Z", '
        '"score": 101, "note": "caf\\u00e9 \\ud800"}'])
    out = cli.json("import", path, code=3)["files"][0]
    assert (out["inserted"], out["rejected"]) == (1, 2)
    lines = Path(out["rejects_path"]).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]  # every line parses
    assert rows[0]["row"]["score"] == "NaN" and rows[0]["row"]["extra"] == ["Infinity", "-Infinity"]
    assert rows[1]["row"]["note"] == "café \ud800" and "\\ud800" in lines[1]


def test_no_other_json_writer_and_no_default_str():
    """json.dumps appears only in the writer and in the hashes whose bytes must never change."""
    allowed = {"json_output.py", "importing.py", "xapi.py", "record.py"}  # see json_output's docstring
    writers = {path.name for path in PACKAGE.rglob("*.py") if "json.dumps(" in path.read_text(encoding="utf-8")}
    assert writers <= allowed, writers - allowed
    assert not [p.name for p in PACKAGE.rglob("*.py") if "default=str" in p.read_text(encoding="utf-8")]


# ------------------------------------------------------------------------------------------
# services speak in their own words; the CLI adds the option's name
# ------------------------------------------------------------------------------------------

def _raised_texts(path: Path) -> list[tuple[int, str]]:
    """The string pieces of every `raise` in a file (f-string pieces included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            found += [(node.lineno, sub.value) for sub in ast.walk(node.exc)
                      if isinstance(sub, ast.Constant) and isinstance(sub.value, str)]
    return found


def test_services_and_below_never_name_a_command_line_option():
    """An error below the CLI is about the thing, not the flag that carried it. A remedy may quote
    a whole command (`progress keys init --rotate`): that is advice, not the error's subject."""
    flag = re.compile(r"(^|[\s(`'\"])--[a-z]")
    command = re.compile(r"`progress [^`]*`")
    named = [f"{path.relative_to(PACKAGE)}:{line}: {text}"
             for package in ("services", "analytics", "store", "certs", "reports", "ingest", "mail")
             for path in (PACKAGE / package).rglob("*.py")
             for line, text in _raised_texts(path) if flag.search(command.sub("", text))]
    assert named == []


def test_services_errors_read_well_without_the_cli(tmp_path):
    from progress_cli.config import parse_as_of
    from progress_cli.reports.periods import named_period
    from progress_cli.services.achievements import leaderboard
    from progress_cli.services.importing import import_files
    from progress_cli.store import open_store

    db = str(tmp_path / "s.db")
    with pytest.raises(UsageError, match=r"^cannot rank by 'speed': rankings are points, progress, streak$"):
        leaderboard(db, tz=UTC, by="speed")
    with pytest.raises(UsageError, match=r"^no leaderboard period 'year': periods are week, month, all$"):
        leaderboard(db, tz=UTC, period="year")
    engine = open_store(db)
    with pytest.raises(UsageError, match=r"^no import format 'xml': formats are auto, jsonl, csv, json, xapi, caliper, edx$"):
        import_files(engine, [], catalog=None, tz=UTC, fmt="xml")
    engine.dispose()
    with pytest.raises(ProgressError, match=r"^not a date or time: 'tomorrow' \(use YYYY-MM-DD\)$"):
        parse_as_of("tomorrow", UTC)
    with pytest.raises(ProgressError, match=r"^cannot read 'Nov' as a month \(use YYYY-MM or YYYY-MM-DD\)$"):
        named_period("month", "Nov")


@pytest.mark.parametrize("args, code, message", [
    (("learners", "--as-of", "tomorrow"), 1, "Error: --as-of: not a date or time: 'tomorrow' (use YYYY-MM-DD)\n"),
    (("cert", "list", "--as-of", "2026-13-01"), 1, "Error: --as-of: not a date or time: '2026-13-01' (use YYYY-MM-DD)\n"),
    (("report", "--week", "2026-W60"), 1, "Error: --week: 2026 has no ISO week 60\n"),
    (("report", "--month", "2026-13"), 1, "Error: --month: no month 13 (use YYYY-MM)\n"),
])
def test_the_cli_names_the_option_a_bad_value_came_from(cli, args, code, message):
    assert cli(*args, code=code).stderr == message


def test_an_import_whose_format_cannot_be_told_points_to_the_option(cli, tmp_path):
    path = tmp_path / "a.json"
    path.write_text("hello\n", encoding="utf-8")
    assert cli("import", path, code=1).stderr == (
        f"Error: {path}: does not start with JSON, so its format cannot be told; use --format to say what it is\n")


@pytest.mark.parametrize("args, option", [
    (("cert", "list", "--expiring-within", "-1"), "'--expiring-within'"),
    (("cert", "issue", "--all-eligible", "--renew-before", "-1"), "'--renew-before'"),
    (("leaderboard", "--period", "year"), "'--period'"),
])
def test_out_of_range_values_are_usage_errors_naming_the_option(cli, args, option):
    assert option in cli(*args, code=2).stderr


# ------------------------------------------------------------------------------------------
# the README's command reference is generated from --help
# ------------------------------------------------------------------------------------------

def test_readme_and_docs_reference_match_the_commands_help():
    done = subprocess.run([sys.executable, str(REPO / "docs" / "cli_reference.py"), "--check"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def _generator():
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "docs" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_check_fails_when_the_readme_drifts(tmp_path, monkeypatch, capsys):
    generator = _generator()
    readme = tmp_path / "README.md"
    text = (REPO / "README.md").read_text(encoding="utf-8")
    readme.write_text(text.replace("| `progress learners [--as-of DATE] [--json]` |",
                                   "| `progress learners [--as-of DATE]` |"), encoding="utf-8")
    reference = tmp_path / "cli-reference.md"
    reference.write_text((REPO / "docs" / "cli-reference.md").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(generator, "REPO", tmp_path)
    monkeypatch.setattr(generator, "README", readme)
    monkeypatch.setattr(generator, "REFERENCE", reference)
    assert generator.main(["--check"]) == 1
    assert "README.md does not match" in capsys.readouterr().err
    assert generator.main(["--write"]) == 0
    assert readme.read_text(encoding="utf-8") == text
    assert generator.main(["--check"]) == 0
