"""argon2id password hashing (argon2-cffi), with the parameters from settings.

The defaults are OWASP's minimum for argon2id (m=19 MiB, t=2, p=1); raising
them in settings makes the next successful login store a new hash.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_MEMORY_KIB = 19 * 1024
MIN_TIME_COST = 2


class Argon2Hasher:
    def __init__(
        self, memory_kib: int = MIN_MEMORY_KIB, time_cost: int = MIN_TIME_COST, parallelism: int = 1
    ) -> None:
        if memory_kib < MIN_MEMORY_KIB or time_cost < MIN_TIME_COST or parallelism < 1:
            raise ValueError("argon2id parameters below OWASP's minimum")
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against for unknown emails, so that answering takes as long either way.
        self.dummy_hash = self._hasher.hash("motcua-dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self.dummy_hash, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True when the stored hash is weaker than the current parameters (never when
        it is stronger: lowering a setting must not weaken stored hashes)."""
        try:
            old = extract_parameters(stored)
        except InvalidHashError:
            return True
        new = self._hasher
        return old.type != Type.ID or (
            old.memory_cost < new.memory_cost
            or old.time_cost < new.time_cost
            or old.parallelism < new.parallelism
        )
