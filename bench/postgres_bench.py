"""PostgreSQL benchmark: the import and the full recompute on PostgreSQL beside SQLite.

One run generates (or reuses) the JSON Lines export of the import benchmark (bench/gen_events.py,
N events, cached in the work dir) and times, each step in its own child process so that its
peak RSS is its own, all in the same run:

  (a) the baseline import of bench/import_bench.py (stdlib json + sqlite3, a fresh table);
  (b) progress --db SQLITE_FILE --tz UTC --quiet import FILE --no-recompute   (a fresh store);
  (c) progress --db SQLITE_FILE --tz UTC --quiet recompute;
  (d) the same import into an empty PostgreSQL database, and (e) the same recompute there.

The PostgreSQL server is, by default, a throwaway one the bench starts itself (initdb + pg_ctl
in a temp dir under the work dir, on a free 127.0.0.1 port, the server's default settings but
shared_buffers=256MB) and stops at the end; --url uses an existing, empty database instead.

It prints wall seconds, events/s and peak RSS per step (for PostgreSQL: the client's; the
server's CPU seconds are in the note when the bench runs the server), the ratios
postgres / sqlite for import (target <= 1.5x) and recompute (target <= 2x) with PASS or FAIL,
and every progress step against the baseline (for information). Exit code: 0 when no target
failed, 1 when one did, 2 when the bench could not set up (no server, a non-empty --url).

    python bench/postgres_bench.py --events 100000          # quick run
    python bench/postgres_bench.py                          # 1,000,000 events
    python bench/postgres_bench.py --url postgresql://user@host:5432/emptydb
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import (  # noqa: E402  (bench/ is not a package)
    BENCH_DIR,
    Step,
    _remove_db,
    command_help,
    fmt,
    prepare_file,
    progress_cmd,
    run_step,
    stored_events,
)
from recompute_bench import DERIVED, derived_rows  # noqa: E402

IMPORT_RATIO_TARGET = 1.5     # postgres import / sqlite import
RECOMPUTE_RATIO_TARGET = 2.0  # postgres recompute / sqlite recompute
TZ = ["--tz", "UTC"]

SERVER_USER = "postgres"  # the role initdb creates (-U); as root, also the OS user of the server
# Everything else is the server's default (fsync, synchronous_commit, full_page_writes, WAL and
# checkpoint sizes, work_mem ...): the figures are those of an untuned installation.
SERVER_OPTIONS = {"listen_addresses": "127.0.0.1", "shared_buffers": "256MB"}
# What the header reports, read from the server (own or --url) with SHOW.
SHOWN_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers",
                  "work_mem", "maintenance_work_mem", "max_wal_size", "checkpoint_timeout")
BENCH_DATABASE = "progress_bench"


class SetupError(RuntimeError):
    """The bench cannot get a PostgreSQL database to run on; the message says why."""


# --------------------------------------------------------------------------- the server

def find_bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: PATH first, else the newest /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).resolve().parent
    found = []
    for folder in glob.glob("/usr/lib/postgresql/*/bin"):
        if all(os.access(Path(folder) / b, os.X_OK) for b in ("initdb", "pg_ctl")):
            version = Path(folder).parent.name
            found.append((int(version) if version.isdigit() else 0, Path(folder)))
    return max(found)[1] if found else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayServer:
    """A PostgreSQL cluster in a temp dir, for one bench run."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self.root: Path | None = None
        self.bin_dir: Path | None = None
        self.port: int | None = None
        self.as_user: list[str] = []
        self.start_seconds: float | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def start(self) -> None:
        t0 = time.perf_counter()
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise SetupError("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
                             "/usr/lib/postgresql/*/bin; install them or give --url")
        if os.geteuid() == 0:  # the server refuses to run as root
            runuser = shutil.which("runuser")
            if runuser is None:
                raise SetupError("running as root and there is no `runuser` to start "
                                 f"PostgreSQL as {SERVER_USER!r}")
            self.as_user = [runuser, "-u", SERVER_USER, "--"]
        self.root = Path(tempfile.mkdtemp(prefix="pg-bench-server-", dir=self.parent))
        if self.as_user:
            import pwd

            try:
                entry = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise SetupError(f"running as root and there is no {SERVER_USER!r} user to run "
                                 "PostgreSQL as") from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        # --no-sync only skips initdb's own final flush of the new cluster; the server's
        # durability settings stay the defaults.
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SERVER_USER, "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        for attempt in range(3):  # another process may take the port between probe and start
            self.port = free_port()
            options = " ".join([f"-p {self.port}", f"-k {self.root}",
                                *(f"-c {k}={v}" for k, v in SERVER_OPTIONS.items())])
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                          "-o", options, "start", timeout=90)
                break
            except SetupError:
                tail = self.log_lines()[-1:]
                if attempt == 2 or not any("could not bind" in t or "in use" in t for t in tail):
                    raise SetupError(f"pg_ctl start failed; server log: "
                                     f"{tail[0] if tail else '(empty)'}") from None
        self.start_seconds = time.perf_counter() - t0

    def stop(self, keep: bool) -> None:
        if self.root is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop",
                          timeout=90)
            except SetupError as exc:
                print(f"warning: stopping the server: {exc}", file=sys.stderr)
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def url(self, database: str) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def log_lines(self) -> list[str]:
        try:
            return self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the whole server so far: the postmaster, its live children,
        and (cutime/cstime) the children it has reaped, such as finished backends."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        tick = os.sysconf("SC_CLK_TCK")

        def stat(p: int | str) -> list[str] | None:
            try:
                text = Path(f"/proc/{p}/stat").read_text()
            except OSError:
                return None
            return text[text.rindex(")") + 2:].split()  # fields from 3 (state) on

        own = stat(pid)
        if own is None:
            return None
        ticks = sum(int(x) for x in own[11:15])  # utime stime cutime cstime (fields 14-17)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                f = stat(entry)
                if f is not None and f[1] == str(pid):  # ppid (field 4)
                    ticks += int(f[11]) + int(f[12])
        return ticks / tick

    def _run(self, program: str, *args: str, timeout: float = 180) -> None:
        try:
            done = subprocess.run([*self.as_user, str(self.bin_dir / program), *args],
                                  capture_output=True, text=True, timeout=timeout, cwd=self.root,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SetupError(f"{program} did not finish in {timeout:.0f} s") from None
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise SetupError(f"{program} failed: {lines[-1] if lines else done.returncode}")


# --------------------------------------------------------------------------- the database

def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as libpq takes it (postgresql://...)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def connect(url: str):
    import psycopg

    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=30)


def user_relations(conn) -> list[tuple[str, str, str]]:
    """(schema, name, relkind) of every table, view, sequence ... outside the system schemas."""
    return conn.execute(
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
        " ORDER BY 1, 2").fetchall()


def drop_relations(conn) -> None:
    """Drop what the bench created in a database that was empty before it ran (--url)."""
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW",
             "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for schema, name, kind in user_relations(conn):
        ident = f'"{schema}"."{name}"'
        conn.execute(f"DROP {kinds[kind]} IF EXISTS {ident} CASCADE")


def server_facts(conn) -> dict:
    facts = {"version": conn.execute("SHOW server_version").fetchone()[0]}
    facts["settings"] = {}
    for name in SHOWN_SETTINGS:
        try:
            facts["settings"][name] = conn.execute(f"SHOW {name}").fetchone()[0]
        except Exception:  # a setting this version does not have
            facts["settings"][name] = "?"
    facts["collation"] = conn.execute(
        "SELECT datcollate FROM pg_database WHERE datname = current_database()").fetchone()[0]
    return facts


def pg_counts(url: str) -> dict | None:
    """Rows of events and of the derived tables, and the database's size (after the timing)."""
    try:
        with connect(url) as conn:
            out = {}
            for table in ("events", *DERIVED):
                try:
                    out[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                except Exception:
                    out[table] = None
            out["bytes"] = conn.execute(
                "SELECT pg_database_size(current_database())").fetchone()[0]
            return out
    except Exception:
        return None


def sqlite_bytes(db: Path) -> int:
    return sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{db}{s}").exists())


def derived_note(counts: dict | None) -> str:
    if not counts:
        return ""
    return ", ".join(f"{t.split('_')[0]} {counts[t]:,}" if counts.get(t) is not None
                     else f"{t.split('_')[0]} ?" for t in DERIVED)


# --------------------------------------------------------------------------- the run

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="events to generate "
                   "(default 1,000,000; 100,000 for a quick run)")
    p.add_argument("--workdir", type=Path, default=None, help="where the generated file is "
                   "cached and the stores (and the throwaway server) are written (default: "
                   "progress-cli-bench in the system temp dir, shared with the other benches)")
    p.add_argument("--url", default=None, help="run on this existing PostgreSQL database, "
                   "which must be empty, instead of starting a throwaway server; the tables "
                   "the bench creates there are dropped at the end unless --keep")
    p.add_argument("--keep", action="store_true", help="keep the stores, logs and (stopped) "
                   "server data dir")
    a = p.parse_args(argv)

    # SIGTERM (and SIGHUP) unwind like Ctrl-C, so the server is stopped on the way out
    def _terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)

    workdir = (a.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    n = a.events
    load_start = os.getloadavg()
    src, origin = prepare_file(workdir, n)
    base_db = workdir / f"pg-bench-baseline-{n}.db"
    store = workdir / f"pg-bench-sqlite-{n}.db"
    logs = workdir / f"pg-bench-logs-{n}"
    logs.mkdir(exist_ok=True)

    try:
        import psycopg
    except ImportError:
        print("psycopg is not installed: pip install 'progress-cli[postgres]'", file=sys.stderr)
        return 2

    server = None
    url_checked_empty = False  # only then may the clean-up drop anything in --url
    try:
        if a.url:
            url = a.url
            where = f"existing database {url.split('@')[-1]}"
            try:
                with connect(url) as conn:
                    facts = server_facts(conn)
                    found = user_relations(conn)
            except psycopg.Error as exc:
                print(f"--url: cannot connect: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
                return 2
            if found:
                names = ", ".join(f"{s}.{t}" for s, t, _ in found[:5])
                print(f"--url: the database is not empty ({len(found)} relations: {names}"
                      f"{' ...' if len(found) > 5 else ''}); give an empty database",
                      file=sys.stderr)
                return 2
            url_checked_empty = True
        else:
            server = ThrowawayServer(workdir)
            try:
                server.start()
                with connect(server.url("postgres")) as conn:
                    conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
                url = server.url(BENCH_DATABASE)
                with connect(url) as conn:
                    facts = server_facts(conn)
            except (SetupError, psycopg.Error) as exc:
                print(f"cannot start a PostgreSQL server: {exc}", file=sys.stderr)
                return 2
            where = (f"own throwaway server ({server.bin_dir}, 127.0.0.1:{server.port}, "
                     f"data in {server.root}, started in {server.start_seconds:.1f} s)")
        return run(a, n, src, origin, base_db, store, logs, url, where, facts, server,
                   load_start)
    finally:
        if server is not None:
            server.stop(keep=a.keep)
            if a.keep and server.root is not None:
                print(f"kept (stopped) server data dir: {server.root}")
        elif url_checked_empty and not a.keep:
            try:
                with connect(a.url) as conn:
                    drop_relations(conn)
            except Exception as exc:  # noqa: BLE001  (a clean-up: say so, do not mask the run)
                print(f"warning: dropping the bench's tables in --url: {exc}", file=sys.stderr)


def run(a, n: int, src: Path, origin: str, base_db: Path, store: Path, logs: Path, url: str,
        where: str, facts: dict, server: ThrowawayServer | None, load_start) -> int:
    import psycopg

    settings = ", ".join(f"{k}={v}" for k, v in facts["settings"].items())
    print(f"progress-cli postgres bench: {n:,} events, {src.name} "
          f"({src.stat().st_size / 1e6:.1f} MB, {origin})")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"psycopg {psycopg.__version__}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"PostgreSQL {facts['version']}: {where}")
    print(f"  settings: {settings}, collation {facts['collation']}")
    print("  load average at start: " + " ".join(f"{x:.2f}" for x in load_start))
    print(flush=True)

    steps = {k: Step(label) for k, label in (
        ("a", "(a) baseline json+sqlite3"), ("b", "(b) sqlite import"),
        ("c", "(c) sqlite recompute"),
        ("d", "(d) postgres import"), ("e", "(e) postgres recompute"))}
    problems: list[str] = []
    server_cpu: dict[str, float] = {}  # step key -> the server's CPU seconds during the step

    def check(step: Step) -> bool:
        if not step.ok:
            problems.append(f"{step.label} exited {step.exit_code}:\n{step.stderr_tail}")
        return step.ok

    def timed(key: str, cmd: list[str], stem: str) -> str:
        step = steps[key]
        print(f"  {step.label} ...", end="", file=sys.stderr, flush=True)
        cpu0 = server.cpu_seconds() if server and key in "de" else None
        out = run_step(step, cmd, logs / stem)
        if cpu0 is not None:
            time.sleep(0.5)  # let the postmaster reap the step's backend
            cpu1 = server.cpu_seconds()
            if cpu1 is not None:
                server_cpu[key] = cpu1 - cpu0
        print(f" {step.wall_s:.1f} s, exit {step.exit_code}", file=sys.stderr, flush=True)
        return out

    missing = [c for c in ("import", "recompute") if command_help(c) is None]
    if missing:
        for k in "bcde":
            steps[k].note = f"skipped: `progress {' '.join(missing)}` not available"

    # (a) the baseline
    out = timed("a", [sys.executable, str(BENCH_DIR / "import_bench.py"), "--baseline-only",
                      str(src), str(base_db)], "a-baseline")
    if check(steps["a"]):
        steps["a"].note = f"inserted {json.loads(out.splitlines()[-1])['inserted']:,}"

    counts: dict[str, dict | None] = {}
    if not missing:
        _remove_db(store)
        for backend, db, (ki, kr) in (("sqlite", str(store), "bc"), ("postgres", url, "de")):
            prog = [*progress_cmd(), "--db", db, *TZ, "--quiet"]
            # (b) / (d): the import
            timed(ki, [*prog, "import", str(src), "--no-recompute"], f"{ki}-{backend}-import")
            if backend == "sqlite":
                rows, size = stored_events(store), sqlite_bytes(store)
            else:
                got = pg_counts(url) or {}
                rows, size = got.get("events"), got.get("bytes")
            notes = [f"events in store {rows:,}" if rows is not None else "",
                     f"{size / 1e6:,.0f} MB" if size else ""]
            steps[ki].note = ", ".join(x for x in notes if x)
            if not check(steps[ki]):
                steps[kr].note = "skipped: the import failed"
                continue
            if rows != n:
                problems.append(f"{steps[ki].label}: the store holds {rows} events, expected {n:,}")
            # (c) / (e): the recompute
            timed(kr, [*prog, "recompute"], f"{kr}-{backend}-recompute")
            counts[backend] = derived_rows(store) if backend == "sqlite" else pg_counts(url)
            steps[kr].note = derived_note(counts[backend])
            check(steps[kr])

    # report
    print(f"{'step':<28}{'wall s':>9}{'events/s':>12}{'peak RSS MB':>13}{'exit':>6}  note")
    for k, s in steps.items():
        eps = n / s.wall_s if s.ran and s.wall_s > 0 else None
        note = s.note
        cpu = server_cpu.get(k)
        if cpu is not None:
            note = f"{note}; server CPU {cpu:.1f} s" if note else f"server CPU {cpu:.1f} s"
        print(f"{s.label:<28}{fmt(s.wall_s, '.2f'):>9}{fmt(eps, ',.0f'):>12}"
              f"{fmt(s.rss_mb, '.1f'):>13}{fmt(s.exit_code, 'd'):>6}  {note}".rstrip())
    print()

    failed = False

    def line(name: str, shown: str | None, target: str, word: str) -> None:
        print(f"{name:<32}{shown or '-':>8}   {target:<16}{word}".rstrip())

    def ratio(k1: str, k2: str) -> float | None:
        s1, s2 = steps[k1], steps[k2]
        if s1.ran and s2.ran and s1.ok and s2.ok and s2.wall_s > 0:
            return s1.wall_s / s2.wall_s
        return None

    for name, num, den, target in (("postgres / sqlite import", "d", "b", IMPORT_RATIO_TARGET),
                                   ("postgres / sqlite recompute", "e", "c",
                                    RECOMPUTE_RATIO_TARGET)):
        r = ratio(num, den)
        if r is not None:
            ok = r <= target
        elif steps[num].ran or steps[den].ran:
            ok = False  # a step that ran and failed fails its target
        else:
            ok = None
        word = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        failed |= ok is False
        line(name, r is not None and f"{r:.2f}x", f"target <= {target}x", word)
    if "sqlite" in counts and "postgres" in counts:
        same = (counts["sqlite"] is not None and counts["postgres"] is not None
                and all(counts["sqlite"].get(t) == counts["postgres"].get(t) for t in DERIVED))
        failed |= not same
        line("derived rows postgres = sqlite", "yes" if same else "no", "must hold",
             "PASS" if same else "FAIL")
        if not same:
            problems.append(f"derived rows differ: sqlite {derived_note(counts['sqlite'])}; "
                            f"postgres {derived_note(counts['postgres'])}")
    for name, num in (("sqlite import / baseline", "b"), ("postgres import / baseline", "d"),
                      ("sqlite recompute / baseline", "c"),
                      ("postgres recompute / baseline", "e")):
        r = ratio(num, "a")
        line(name, r is not None and f"{r:.2f}x", "(information)", "")

    if server is not None:
        notable = [x for x in server.log_lines()
                   if any(w in x for w in ("WARNING", "ERROR", "FATAL", "PANIC"))]
        if notable:
            print(f"\nserver log ({len(notable)} warnings/errors; the first ones):")
            for x in notable[:6]:
                print("  " + x.strip())

    if problems:
        print("\nProblems:")
        for msg in dict.fromkeys(problems):
            print("- " + msg.replace("\n", "\n    "))

    print("\nload average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if a.keep:
        kept_pg = "the server's data dir, below" if server else f"the tables in {a.url}"
        print(f"kept: {base_db}, {store}, logs in {logs}; PostgreSQL: {kept_pg}")
    else:
        _remove_db(base_db)
        _remove_db(store)
        shutil.rmtree(logs, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
