"""Password hashing with argon2, and the passwords only the demo may use."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# the demo city's accounts share these; production refuses to start while one is in use
DEMO_PASSWORDS = {
    "clerk": "demo-clerk-2026",
    "dispatcher": "demo-dispatch-2026",
    "viewer": "demo-viewer-2026",
    "admin": "demo-admin-2026",
}
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_demo_password(password_hash: str) -> bool:
    """True when the hash is of one of the demo passwords."""
    return any(verify_password(password_hash, p) for p in DEMO_PASSWORDS.values())
