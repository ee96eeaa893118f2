"""Secrets and their digests: passwords (argon2id), API tokens and session ids (HMAC-SHA256).

Passwords are low-entropy and chosen by people, so they get argon2id from
argon2-cffi: memory-hard, salted, its parameters kept in the hash so that they
can be raised later (``needs_rehash``). API tokens and session ids are 32 random
bytes: guessing is hopeless, so a fast keyed hash is right for them (argon2 on
every request would cost ~100 ms of CPU each); the key lives in the access
store, so a copied table of digests alone gives nothing to present.

An API token reads ``mova_<id>_<secret>``: the id finds its row without a scan
and names the token in the throttle and the logs; the secret is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "mova_"
_TOKEN_PATTERN = re.compile(r"^mova_([0-9a-f]{8})_([A-Za-z0-9_-]{20,64})$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 reads all of it: bound the work one request can ask for

# argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): ~100 ms a hash on this machine
_hasher = PasswordHasher()
# verified against when the account does not exist, so that a miss costs as long as a hit
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_password_rules(password: str) -> None:
    """Raises ValueError saying what a new password lacks."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password may have at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if ``password`` matches; with no stored hash the same work is done and False returned."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def digest(key: bytes, secret: str) -> str:
    """HMAC-SHA256 of a high-entropy secret (a token or a session id), hex."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def new_token() -> tuple[str, str, str]:
    """(token id, secret, the whole token as shown once)."""
    token_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return token_id, secret, f"{TOKEN_PREFIX}{token_id}_{secret}"


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret) of an API token, or None if it does not look like one."""
    match = _TOKEN_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
