"""Password hashing for operator accounts: argon2id through argon2-cffi (its RFC 9106 low-memory profile).

Only the PHC string (``$argon2id$v=19$m=...``) is stored. Verification is constant-time inside the
library; a hash made with older parameters is re-hashed at the next successful login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dispatch_geo.errors import InputError

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

_hasher = PasswordHasher()
"""argon2-cffi's defaults (argon2id, t=3, m=64 MiB, p=4): stateless, safe to share."""


def check_password_rules(password: str) -> str:
    """``password`` if it is acceptable; :class:`InputError` (code ``password_rules``) otherwise."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InputError(
            f"a password needs {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters, got {len(password)}"
        ).coded("password_rules", min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)
    if password.strip() != password or not password.strip():
        raise InputError("a password may not start or end with spaces").coded(
            "password_rules", min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH
        )
    return password


def hash_password(password: str) -> str:
    """The argon2id PHC string of ``password`` (after :func:`check_password_rules`)."""
    return _hasher.hash(check_password_rules(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a malformed hash, never an exception)."""
    if len(password) > PASSWORD_MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
