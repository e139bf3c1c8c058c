"""A throwaway PostgreSQL server for the test suite: initdb + pg_ctl in a temp dir.

The server binaries come from PATH or Debian's /usr/lib/postgresql/<version>/bin (the
`postgresql` package that `.ci/run` installs). PostgreSQL refuses to run as root, so as root
initdb and pg_ctl run as the `postgres` user (which that package creates) via `runuser`.
Durability is switched off (fsync, synchronous_commit, full_page_writes): the data is thrown
away at the end of the session anyway.

`PgServer.start()` raises `PgUnavailable` with a one-line reason when there is no server to
be had (no binaries, no psycopg, no `postgres` user as root, initdb or start failing); the
fixtures in conftest turn that into a skip.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",  # in-process CLI runs may keep pooled connections until their db is dropped
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}
SERVER_USER = "postgres"  # the role initdb creates (-U) and, as root, the OS user that runs the server


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message is the one-line reason."""


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH first, else the newest Debian install."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = []
    for folder in glob.glob("/usr/lib/postgresql/*/bin"):
        if os.access(Path(folder) / "initdb", os.X_OK) and os.access(Path(folder) / "pg_ctl", os.X_OK):
            version = Path(folder).parent.name
            candidates.append((int(version) if version.isdigit() else 0, Path(folder)))
    return max(candidates)[1] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temp dir; databases made on demand, all removed by stop()."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.port: int | None = None
        self.bin_dir: Path | None = None
        self._admin = None  # an autocommit psycopg connection to the `postgres` database
        self._names = itertools.count(1)
        self._as_postgres: list[str] = []
        self.startup_seconds: float | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "PgServer":
        started = time.perf_counter()
        try:
            import psycopg  # noqa: F401  (the driver the store uses for postgresql:// URLs)
        except ImportError:
            raise PgUnavailable("psycopg is not installed (pip install -e '.[test]')") from None
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise PgUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
                                "/usr/lib/postgresql/*/bin; install Debian's postgresql package")
        if os.geteuid() == 0:
            self._as_postgres = self._runuser_prefix()
        self.root = Path(tempfile.mkdtemp(prefix="progress-pg-"))
        try:
            if self._as_postgres:
                import pwd

                entry = pwd.getpwnam(SERVER_USER)
                os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._initdb()
            self._start_server()
            self._connect_admin()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        """Stop the server at once (-m immediate) and remove its folder; safe to call twice."""
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:
                pass
            self._admin = None
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run([*self._as_postgres, str(self.bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                            "-w", "-t", "30", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def _runuser_prefix(self) -> list[str]:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PgUnavailable("running as root and no `runuser` to start PostgreSQL as another user")
        try:
            import pwd

            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PgUnavailable(f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL "
                                "(Debian's postgresql package creates it)") from None
        return [runuser, "-u", SERVER_USER, "--"]

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run([*self._as_postgres, *command], capture_output=True, text=True, timeout=timeout,
                                  cwd=self.root, env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise PgUnavailable(f"{Path(command[0]).name} did not finish in {timeout:.0f} s") from None
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            raise PgUnavailable(f"{Path(command[0]).name} failed: {output[-1] if output else done.returncode}")
        return done

    def _initdb(self) -> None:
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.root / "data"), "-A", "trust", "-U", SERVER_USER,
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")

    def _start_server(self) -> None:
        log = self.root / "server.log"
        for attempt in range(3):  # another process may take the free port between the probe and the start
            self.port = _free_port()
            options = " ".join([f"-p {self.port}", f"-k {self.root}",
                                *(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items())])
            try:
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(log), "-w",
                          "-t", "60", "-o", options, "start", timeout=90)
                return
            except PgUnavailable as exc:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
                if attempt == 2 or not any("could not bind" in line or "in use" in line for line in tail):
                    raise PgUnavailable(f"{exc}; server log: {tail[0] if tail else '(empty)'}") from None

    def _connect_admin(self) -> None:
        import psycopg

        self._admin = psycopg.connect(host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres",
                                      autocommit=True)

    # ------------------------------------------------------------------ databases

    def url(self, name: str) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{name}"

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty (a copy of the pristine template1) or a copy of `template`
        (a URL from this server, with no open connection); returns its URL."""
        name = f"t_{os.getpid()}_{next(self._names)}"
        # template1 with the default strategy measured fastest here (~30 ms; template0 or
        # STRATEGY FILE_COPY ~60-75 ms, FILE_COPY forces checkpoints).
        source = f' TEMPLATE "{_name(template)}"' if template else ""
        self._admin.execute(f'CREATE DATABASE "{name}"{source}')
        return self.url(name)

    def disconnect(self, url: str) -> None:
        """End every session on a database (e.g. before it serves as a template)."""
        self._admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (_name(url),))

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, ending any connection still open on it."""
        self._admin.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]
