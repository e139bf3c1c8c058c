"""Error types and exit codes. Raised deep, turned into a one-line message and an exit code in `cli`."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit code `progress` uses (DESIGN section 1): scripts and cron read these."""

    OK = 0
    ERROR = 1  # an error the user can fix; the message is on stderr
    USAGE = 2  # a usage error (Typer's own, or a combination of options it cannot check)
    REJECTED = 3  # an import finished but rejected some rows (the good rows are kept)
    NOTHING_TO_DO = 4  # nothing to do where something was required
    NOT_VALID = 5  # `cert verify`: the certificate is INVALID, EXPIRED or REVOKED
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it


class ProgressError(Exception):
    """A failure the user can act on; `exit_code` says which of `ExitCode` it ends with."""

    exit_code = ExitCode.ERROR


class UsageError(ProgressError):
    exit_code = ExitCode.USAGE


class CatalogError(ProgressError):
    """The catalog file is malformed; the message names the file and the key."""


class InputFileError(ProgressError):
    """An import file is missing, empty, binary, wrongly encoded or a directory."""


class UnknownFormat(InputFileError):
    """A file's format cannot be told from its name and its first bytes."""


class StoreError(ProgressError):
    """The store cannot be opened, or is from a newer version of the tool."""


class UnknownLearner(ProgressError):
    """No learner with that id; the message suggests the closest ids."""


class NothingToDo(ProgressError):
    """Something was required but there was nothing to do (e.g. a learner not eligible)."""

    exit_code = ExitCode.NOTHING_TO_DO
