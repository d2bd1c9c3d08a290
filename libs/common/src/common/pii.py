"""National identity numbers (fødselsnummer and D-number): validated, stored encrypted,
found by a keyed hash, shown only masked, and never put in events or logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import date
from typing import Annotated

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import AfterValidator, Field, SecretStr

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    if remainder == 11:
        return 0
    return None if remainder == 10 else remainder


def national_id_problem(value: str) -> str | None:
    """Why `value` is not a national identity number, or None when it is one."""
    if len(value) != 11 or not value.isdigit():
        return "must be 11 digits"
    digits = [int(c) for c in value]
    day, month = int(value[0:2]), int(value[2:4])
    if day > 40:  # a D-number adds 4 to the first digit
        day -= 40
    if month > 40:  # a synthetic/H-number style month is not a real person's number
        return "has no valid birth date in its first six digits"
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return "has no valid birth date in its first six digits"
    try:
        date(2000, month, day)  # leap day checked against a leap year: century unknown here
    except ValueError:
        return "has no valid birth date in its first six digits"
    if _check_digit(digits[:9], _K1) != digits[9] or _check_digit(digits[:10], _K2) != digits[10]:
        return "fails the mod-11 check digits"
    return None


def _valid(value: str) -> str:
    problem = national_id_problem(value)
    if problem is not None:
        raise ValueError(problem)  # the message never repeats the value
    return value


NationalId = Annotated[
    str,
    Field(
        description="Fødselsnummer or D-number: 11 digits with both mod-11 check digits. "
        "Stored encrypted; never returned in full.",
        examples=["15076500565"],
        json_schema_extra={"writeOnly": True},
    ),
    AfterValidator(_valid),
]


def mask(value: str) -> str:
    return "*" * 9 + value[-2:]


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class NationalIdVault:
    """Encrypts national ids with AES-256-GCM and hashes them with HMAC-SHA256 for lookup."""

    def __init__(self, encryption_key: SecretStr | str, hash_key: SecretStr | str) -> None:
        self._aead = AESGCM(_key_bytes(encryption_key))
        self._hash_key = _key_bytes(hash_key)

    def encrypt(self, value: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, value.encode(), b"national_id")

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], b"national_id").decode()

    def lookup_hash(self, value: str) -> bytes:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).digest()

    def pseudonym(self, *parts: str) -> str:
        """A stable key for a child that reveals nothing (for counting unique children)."""
        message = "\x1f".join(parts).encode()
        return hmac.new(self._hash_key, b"child:" + message, hashlib.sha256).hexdigest()[:32]


def _key_bytes(key: SecretStr | str) -> bytes:
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(decoded) != 32:
        raise ValueError("PII keys must be 32 bytes, base64 encoded")
    return decoded
