"""Error types. Raised deep, turned into a one-line message and an exit code in `cli`."""


class ProgressError(Exception):
    """A failure the user can act on; `exit_code` follows DESIGN section 1."""

    exit_code = 1


class UsageError(ProgressError):
    exit_code = 2


class CatalogError(ProgressError):
    """The catalog file is malformed; the message names the file and the key."""


class InputFileError(ProgressError):
    """An import file is missing, empty, binary, wrongly encoded or a directory."""


class StoreError(ProgressError):
    """The store cannot be opened, or is from a newer version of the tool."""


class UnknownLearner(ProgressError):
    """No learner with that id; the message suggests the closest ids."""


class NothingToDo(ProgressError):
    """Something was required but there was nothing to do (e.g. a learner not eligible)."""

    exit_code = 4
