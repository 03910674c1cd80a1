"""What the accounts layer refuses, as exceptions; the HTTP layer maps each to a status."""

from __future__ import annotations


class AccountsError(Exception):
    """Base: the message is meant for the person who made the request."""


class Conflict(AccountsError):
    """The request contradicts the current state (ownership taken, name in use, ...)."""


class NotFound(AccountsError):
    """No such account or card."""


class InvalidCredentials(AccountsError):
    """Wrong name or password (never says which)."""


class Unauthenticated(AccountsError):
    """No token, an unknown one, or an expired one."""


class LockedOut(AccountsError):
    """Too many failed logins: refused without checking the password until `retry_after_s`."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BadValue(AccountsError, ValueError):
    """A value breaks a rule (name, password, card id, ...); the message names it."""
