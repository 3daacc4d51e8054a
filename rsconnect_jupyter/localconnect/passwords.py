"""Passwords for signing in with a browser, stored only as scrypt hashes (hashlib's, from OpenSSL).

scrypt is slow and memory-hard on purpose: a copied database does not give the passwords away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# 2**14 rounds with 8 KiB blocks: about 50 ms and 16 MiB per check, OWASP's minimum for scrypt.
N, R, P = 2**14, 8, 1
MIN_LENGTH = 8


class PasswordError(ValueError):
    """A password that cannot be used; the message says what to do."""


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError("The password must have at least %d characters." % MIN_LENGTH)
    if password != password.strip():
        raise PasswordError("The password must not start or end with a space.")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024**2, dklen=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so they can grow later."""
    salt = secrets.token_bytes(16)
    return "scrypt$%d$%d$%d$%s$%s" % (N, R, P, _b64(salt), _b64(_derive(password, salt, N, R, P)))


def verify(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; a user with no password never matches."""
    if not stored:
        _derive(password, b"no user has this salt", N, R, P)  # the same time as a real check
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _derive(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, _unb64(digest))
