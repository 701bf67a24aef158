"""The one error tree of omsctl.

Every failure a user can cause or meet is an `OmsError`; the command line turns it into one
line on stderr and the exit code below, so no layer has to know how errors are shown.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3


class OmsError(Exception):
    """Something went wrong that the user can act on; nothing was changed."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageProblem(OmsError):
    """The command was called with options that do not fit together."""

    exit_code = EXIT_USAGE


class NotFound(OmsError):
    """An order, product, warehouse or other record named by the user does not exist."""


class Ambiguous(OmsError):
    """A reference the user gave matches more than one record."""


class IllegalTransition(OmsError):
    """An order was asked to move to a state its lifecycle does not allow from where it is."""


class DatabaseProblem(OmsError):
    """The database is missing, behind, ahead, locked or damaged."""


class ConfigProblem(OmsError):
    """The configuration file cannot be read or holds a setting omsctl does not know."""


class InputProblem(OmsError):
    """An input file is refused as a whole (not an export, unreadable, wrong encoding)."""


class StockProblem(OmsError):
    """Stock cannot move as asked: not enough available, or a count would go negative."""


class Conflict(OmsError):
    """The record exists already, or the change clashes with one that exists."""
