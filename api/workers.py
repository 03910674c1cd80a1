"""The API's two worker pools, so the event loop never blocks.

`Database`: one thread owns the API's SQLite connection (a `Store` is one connection,
used from one thread); coroutines hand it short jobs. `Hasher`: two threads for scrypt,
so at most two hashes (2 x 16 MiB) run at once and token checks never wait behind one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from connext.core.clock import Clock
from connext.core.store import Store

from .accounts import MIGRATIONS, Accounts, Kdf, LoginPolicy, RfidCards

T = TypeVar("T")
HASH_THREADS = 2


@dataclass(frozen=True, slots=True)
class Services:
    """What runs on the database thread."""

    store: Store
    accounts: Accounts
    cards: RfidCards


class Database:
    """A single-thread executor that owns the Store; `open()` raises `StoreError` on a bad file."""

    def __init__(self, path: str | Path, clock: Clock, policy: LoginPolicy, kdf: Kdf) -> None:
        self.path, self.clock, self.policy, self.kdf = Path(path), clock, policy, kdf
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="connext-api-db")
        self._services: Services | None = None

    def open(self) -> None:
        self._executor.submit(self._open).result()

    def _open(self) -> None:
        store = Store(self.path, MIGRATIONS)
        self._services = Services(
            store, Accounts(store, self.clock, self.policy, self.kdf), RfidCards(store, self.clock)
        )

    async def run(self, job: Callable[[Services], T]) -> T:
        """Run `job(services)` on the database thread and await its result."""
        return await asyncio.wrap_future(self._executor.submit(job, self._require()))

    def call(self, job: Callable[[Services], T]) -> T:
        """The same, from a plain thread (tools, tests)."""
        return self._executor.submit(job, self._require()).result()

    def _require(self) -> Services:
        if self._services is None:
            raise RuntimeError("the API database is not open")
        return self._services

    def close(self) -> None:
        if self._services is not None:
            self._executor.submit(self._services.store.close).result()
            self._services = None
        self._executor.shutdown(wait=True)


class Hasher:
    """Password hashing off the event loop, at most `HASH_THREADS` at a time."""

    def __init__(self, kdf: Kdf) -> None:
        self.kdf = kdf
        self._executor = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="connext-api-kdf")

    async def hash(self, password: str) -> str:
        return await asyncio.wrap_future(self._executor.submit(self.kdf.hash, password))

    async def verify(self, password: str, stored: str) -> tuple[bool, str | None]:
        return await asyncio.wrap_future(self._executor.submit(self.kdf.verify, password, stored))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
