"""The `progress` command: global options, sub-commands, and the one place errors become exit codes.

Command modules import services and render inside the command functions, on use: services
load SQLAlchemy (~0.2 s), some pandas (~0.3 s), render Rich, plotext and fpdf2,
and `progress --help` (~0.2 s) imports every command module.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from progress_cli import __version__
from progress_cli.cli import (
    achievements, certs, chart, db, export, imports, insights, keys, learners, mail, recompute, report, roster, setup,
    status, watch,
)
from progress_cli.cli.options import Quiet, json_option
from progress_cli.cli.usage import Command
from progress_cli.config import Settings, default_db, resolve_tz
from progress_cli.errors import ExitCode, ProgressError


class _Group(TyperGroup):
    """Turns a ProgressError raised anywhere below into `Error: ...` and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProgressError as exc:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted; any unfinished write was rolled back.", err=True)
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:  # a bug: still one line, with the way to see more
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            typer.echo(f"Error: internal error: {type(exc).__name__}: {first_line} (run with --debug for the traceback)",
                       err=True)
            raise typer.Exit(ExitCode.ERROR) from None


app = typer.Typer(
    cls=_Group,
    name="progress",
    help="Learner progress, readiness, reports and certificates from a training platform's session logs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"progress-cli {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", metavar="URL", envvar="PROGRESS_DB", show_envvar=True,
        help="Store: a SQLite file path or a SQLAlchemy URL. Default: progress.db in the user data dir.")] = None,
    tz: Annotated[Optional[str], typer.Option(
        "--tz", metavar="ZONE", envvar="PROGRESS_TZ", show_envvar=True,
        help="Time zone of naive import times and of days, weeks and streaks. Default: the system's.")] = None,
    # before the command, --json applies to whichever command follows: its help says so
    json_out: Annotated[bool, json_option("Machine-readable output (also accepted after a read command).")] = False,
    quiet: Quiet = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Learner progress from session logs. Start with `progress init --catalog FILE`, then `progress import FILE`."""
    ctx.obj = Settings(db=db or default_db(), tz=resolve_tz(tz), json=json_out, quiet=quiet, debug=debug)


for name, function in (("init", setup.init), ("import", imports.import_), ("recompute", recompute.recompute),
                       ("learners", learners.learners), ("status", status.status),
                       ("achievements", achievements.achievements), ("leaderboard", achievements.leaderboard),
                       ("insights", insights.insights), ("watch", watch.watch),
                       ("chart", chart.chart), ("export", export.export)):
    app.command(name, cls=Command)(function)
app.command("report", cls=report.ReportCommand)(report.report)
app.add_typer(roster.app, name="roster")
app.add_typer(certs.app, name="cert")
app.add_typer(keys.app, name="keys")
app.add_typer(mail.app, name="mail")
app.add_typer(db.app, name="db")


def main() -> None:
    # A collection of the youngest objects every 700 allocations (Python's default) walks the
    # growing heap of a command that builds many small objects: 10,000 learners' rows spent
    # 0.05 s in it. Every 50,000 still collects cycles, less often (mypy does the same).
    gc.set_threshold(50_000, 10, 10)
    try:
        app()
    except SystemExit as done:
        _exit(done.code)


def _exit(code: object) -> None:
    """End the process once the command is done, skipping the interpreter's teardown: freeing
    pandas', numpy's and SQLAlchemy's objects one by one takes 0.05-0.15 s after every command
    (measured: bench/read_bench.py, bench/session_import_bench.py) and nothing a finished command
    needs. The atexit handlers still run and the standard streams are flushed; with another
    thread alive, a code Python must print, a profiler or debugger attached, or a stream that
    cannot be flushed, the usual exit."""
    if (code is not None and not isinstance(code, int)) or threading.active_count() > 1 \
            or sys.getprofile() is not None or sys.gettrace() is not None:  # a profiler or debugger writes at exit
        raise SystemExit(code)
    atexit._run_exitfuncs()  # CPython's own call at exit (logging, multiprocessing, weakref.finalize)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: Python reports it as it always does
        raise SystemExit(code) from None
    os._exit(code or 0)
