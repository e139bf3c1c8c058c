"""`progress` ends its process without the interpreter's teardown (cli/__init__.py `_exit`):
exit codes, output, atexit handlers and a profiler's report survive it."""

from __future__ import annotations

import subprocess
import sys


def run_main(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run `main()` with `args` after `code` (set-up in the same process)."""
    script = f"import sys\n{code}\nsys.argv = ['progress', *{list(args)!r}]\nfrom progress_cli.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_the_exit_code_and_the_output_are_the_commands(tmp_path):
    done = run_main("", "--no-such-option")
    assert done.returncode == 2 and "No such option" in done.stderr
    done = run_main("", "--help")
    assert done.returncode == 0 and "learners" in done.stdout


def test_atexit_handlers_still_run(tmp_path):
    marker = tmp_path / "ran"
    done = run_main(f"import atexit\natexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))", "--help")
    assert done.returncode == 0 and marker.read_text() == "yes"


def test_a_profiler_gets_its_report(tmp_path):
    report = tmp_path / "profile.out"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(report), "-m", "progress_cli", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and report.stat().st_size > 0
