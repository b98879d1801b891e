"""Domain errors raised by walkrx.core.

Callers catch `CoreError` to turn any rule violation into a user-facing message; the
subclasses let them react to a specific kind.
"""

from __future__ import annotations


class CoreError(Exception):
    """Base class of every error raised by walkrx.core."""


class InvalidInput(CoreError, ValueError):
    """A value is outside what the rule or instrument defines (e.g. pain 11/10)."""


class IllegalTransition(CoreError):
    """A programme-state change that the programme rules do not allow."""


class PolicyError(InvalidInput):
    """A policy mapping has an unknown key or a value of the wrong type or range."""


class PackError(InvalidInput):
    """An instrument pack does not match the pack format; `path` names the bad field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class IncompleteInstrument(InvalidInput):
    """Too few items were answered for the instrument's manual to allow a score."""


class TargetUnreachable(CoreError):
    """The policy never lets the start dose grow to the target."""
