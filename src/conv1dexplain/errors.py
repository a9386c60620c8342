"""The one domain error type, and the exit codes the CLI maps it to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; the CLI's contract."""

    OK = 0
    DATA = 1  # a data or runtime problem
    USAGE = 2  # a usage or spec error
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class Conv1dExplainError(Exception):
    """A problem the user can fix: what is wrong, and how to fix it."""

    exit_code: ExitCode = ExitCode.DATA
    code: str = "error"

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class SpecError(Conv1dExplainError):
    """The layer or the input shape is not one the framework accepts."""

    exit_code = ExitCode.USAGE
    code = "spec_error"


class UsageError(Conv1dExplainError):
    """The command line itself is wrong (unknown option, missing value)."""

    exit_code = ExitCode.USAGE
    code = "usage_error"


class DataError(Conv1dExplainError):
    """Data or weights could not be read or used."""

    exit_code = ExitCode.DATA
    code = "data_error"
