"""Settings from the environment (progress_cli/config.py): the time zone and where the store lives."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_cli.config import resolve_tz

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
