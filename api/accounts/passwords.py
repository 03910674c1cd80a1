"""Password hashing with scrypt (stdlib `hashlib.scrypt`, memory-hard).

Parameters: N = 2**14, r = 8, p = 5. Memory per hash is 128 * r * N = 16 MiB, and the
work equals OWASP's minimum for scrypt (N = 2**17, r = 8, p = 1, or its equivalents
down to N = 2**14 with p = 5): about 0.3 s per hash on the 2-core development machine.
The smaller N keeps the memory low on the box; p buys back the work. Each hash keeps
its own parameters (`scrypt$n$r$p$salt$key`), so they can be raised later: a login
with older parameters re-hashes the password with the current ones.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

PREFIX = "scrypt"


@dataclass(frozen=True, slots=True)
class Kdf:
    """scrypt parameters; `hash` and `verify` are pure CPU work (call them off the event loop)."""

    n: int = 2**14
    r: int = 8
    p: int = 5
    salt_bytes: int = 16
    key_bytes: int = 32

    def hash(self, password: str) -> str:
        salt = os.urandom(self.salt_bytes)
        key = _scrypt(password, salt, self.n, self.r, self.p, self.key_bytes)
        return "$".join((PREFIX, str(self.n), str(self.r), str(self.p), _b64(salt), _b64(key)))

    def verify(self, password: str, encoded: str) -> tuple[bool, str | None]:
        """(matches, a re-hash with the current parameters when the stored ones differ)."""
        n, r, p, salt, expected = _parse(encoded)
        key = _scrypt(password, salt, n, r, p, len(expected))
        ok = hmac.compare_digest(key, expected)  # constant time
        outdated = (n, r, p, len(expected)) != (self.n, self.r, self.p, self.key_bytes)
        return ok, self.hash(password) if ok and outdated else None


KDF = Kdf()


@functools.lru_cache(maxsize=4)
def dummy_hash(kdf: Kdf) -> str:
    """A hash no password matches in practice: checked for unknown names, so they cost the same time."""
    return kdf.hash(_b64(os.urandom(24)))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, key_bytes: int) -> bytes:
    maxmem = 2 * 128 * r * n + 1024 * 1024  # what scrypt needs, with room; OpenSSL refuses above maxmem
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=key_bytes)


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise ValueError("not an scrypt password hash")
    return int(parts[1]), int(parts[2]), int(parts[3]), _unb64(parts[4]), _unb64(parts[5])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
