"""Settings from the environment (progress_cli/config.py): the time zone and where the store lives."""

import ast
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer

from progress_cli import config
from progress_cli.config import resolve_tz
from tests.conftest import write_jsonl

ZONEINFO = Path("/usr/share/zoneinfo")


# The time zone ----------------------------------------------------------------------------------


@pytest.fixture
def no_tz_given(monkeypatch):
    """Neither --tz nor PROGRESS_TZ: the TZ variable and the system decide."""
    monkeypatch.delenv("PROGRESS_TZ", raising=False)
    monkeypatch.delenv("TZ", raising=False)
    return resolve_tz(None)  # the system's zone, else UTC


@pytest.mark.parametrize("value", [":/etc/localtime", "/etc/localtime", ":", "CET-1CEST,M3.5.0,M10.5.0/3",
                                   "EST+5EDT,M3.2.0/2,M11.1.0/2", "/no/such/file", "Not/AZone"])
def test_a_tz_variable_that_names_no_zone_means_the_system_zone_without_an_error(cli, monkeypatch, no_tz_given,
                                                                                  value):
    """TZ is read by every C program; its POSIX forms (a path, a rule string) are not ours to refuse."""
    monkeypatch.setenv("TZ", value)
    assert resolve_tz(None) == no_tz_given
    assert cli("learners").stderr == ""  # before the fix: "Error: --tz: unknown time zone ':/etc/localtime'"


@pytest.mark.parametrize("value, zone", [("Asia/Tokyo", "Asia/Tokyo"), (":America/Bogota", "America/Bogota")])
def test_a_tz_variable_that_names_a_zone_is_used(monkeypatch, no_tz_given, value, zone):
    monkeypatch.setenv("TZ", value)
    assert resolve_tz(None) == ZoneInfo(zone)


@pytest.mark.skipif(not (ZONEINFO / "Asia" / "Tokyo").is_file(), reason="no system zoneinfo database")
def test_a_tz_variable_that_is_the_path_of_a_zone_file_is_that_zone(monkeypatch, no_tz_given):
    monkeypatch.setenv("TZ", f":{ZONEINFO / 'Asia' / 'Tokyo'}")
    assert resolve_tz(None) == ZoneInfo("Asia/Tokyo")


def test_an_explicit_zone_wins_over_tz(monkeypatch, no_tz_given):
    monkeypatch.setenv("TZ", ":/etc/localtime")
    assert resolve_tz("Pacific/Auckland") == ZoneInfo("Pacific/Auckland")


@pytest.mark.parametrize("option", [("--tz", "Mars/Olympus"), ()])
def test_an_unknown_explicit_zone_is_an_error_naming_tz_and_progress_tz(cli, monkeypatch, option):
    monkeypatch.setenv("PROGRESS_TZ", "Mars/Olympus")  # by the variable, or by the option as well
    result = cli(*option, "learners", code=1)
    assert result.stderr == ("Error: --tz/PROGRESS_TZ: unknown time zone 'Mars/Olympus' "
                             "(use an IANA name such as Europe/Paris)\n")


# Where the store lives --------------------------------------------------------------------------

LINUX_ONLY = pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                                reason="the XDG variables place the folders on Linux only")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """No PROGRESS_DB or PROGRESS_DATA_DIR: the platform's folders decide (XDG, in tmp_path)."""
    monkeypatch.delenv("PROGRESS_DB", raising=False)
    monkeypatch.delenv("PROGRESS_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def _store_in_use(cli) -> Path:
    return Path(cli.json("db", "info")["url"].removeprefix("sqlite:///"))


@LINUX_ONLY
def test_the_default_store_is_in_the_user_data_dir(cli, home):
    cli("init")
    assert _store_in_use(cli) == home / "share" / "progress-cli" / "progress.db"
    assert (home / "share" / "progress-cli" / "progress.db").is_file()
    assert not (home / "config").exists()


@LINUX_ONLY
def test_without_xdg_data_home_it_is_under_local_share(monkeypatch, home):
    from progress_cli.config import default_db

    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(home))
    assert default_db() == str(home / ".local" / "share" / "progress-cli" / "progress.db")


def test_progress_data_dir_overrides_the_platform_folder(cli, home, monkeypatch):
    monkeypatch.setenv("PROGRESS_DATA_DIR", str(home / "mine"))
    cli("init")
    assert _store_in_use(cli) == home / "mine" / "progress.db"


@LINUX_ONLY
def test_a_store_where_earlier_versions_made_it_is_kept_while_the_new_place_is_empty(cli, home, tmp_path):
    old = Path(typer.get_app_dir("progress-cli")) / "progress.db"  # where earlier versions created it
    assert old == home / "config" / "progress-cli" / "progress.db"
    events = write_jsonl(tmp_path / "e.jsonl", [{"learner_id": "ana", "module_id": "m", "type": "attempt",
                                                  "timestamp": "2026-05-01T10:00:00Z", "score": 80}])
    cli("--db", old, "import", events)
    assert _store_in_use(cli) == old
    assert [r["learner_id"] for r in cli.json("learners")] == ["ana"]
    assert not (home / "share" / "progress-cli").exists()


@LINUX_ONLY
def test_the_new_place_wins_once_it_holds_a_store(cli, home):
    cli("--db", home / "config" / "progress-cli" / "progress.db", "init")
    cli("--db", home / "share" / "progress-cli" / "progress.db", "init")
    assert _store_in_use(cli) == home / "share" / "progress-cli" / "progress.db"


@LINUX_ONLY
def test_signing_keys_of_a_url_store_follow_the_data_dir(home):
    from progress_cli.services.certs import keys_dir

    url = "postgresql://user:secret@db.example/progress"
    assert keys_dir(url).parent == home / "share" / "progress-cli" / "keys"
    old_keys = home / "config" / "progress-cli" / "keys"  # an earlier version's keys of URL stores
    old_keys.mkdir(parents=True)
    assert keys_dir(url).parent == old_keys
    assert keys_dir(str(home / "share" / "a.db")) == home / "share" / "a.db.keys"  # a SQLite file: beside it


def test_config_imports_nothing_of_the_command_line_layer():
    """Not even inside a function (the store location once came from typer.get_app_dir)."""
    tree = ast.parse(Path(config.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported and not imported & {"typer", "click", "rich"}
