"""Accounts, roles and RFID cards, kept in the site database (area "accounts").

Plain synchronous classes over one `Store` connection: the HTTP layer runs them on its
database thread; tests and tools may use them directly.
"""

from .accounts import Account, Accounts, Attempt, Caller, IssuedToken, LoginPolicy
from .errors import AccountsError, Conflict, InvalidCredentials, LockedOut, NotFound, Unauthenticated
from .passwords import KDF, Kdf
from .rfid import MAX_CARDS_PER_WALLBOX, Card, RfidCards
from .roles import RIGHTS, Forbidden, Right, Role, authorize
from .schema import MIGRATIONS

__all__ = [
    "KDF",
    "MAX_CARDS_PER_WALLBOX",
    "MIGRATIONS",
    "RIGHTS",
    "Account",
    "Accounts",
    "AccountsError",
    "Attempt",
    "Caller",
    "Card",
    "Conflict",
    "Forbidden",
    "InvalidCredentials",
    "IssuedToken",
    "Kdf",
    "LockedOut",
    "LoginPolicy",
    "NotFound",
    "RfidCards",
    "Right",
    "Role",
    "Unauthenticated",
    "authorize",
]
