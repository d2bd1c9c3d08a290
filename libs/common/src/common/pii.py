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
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer


def national_id_problem(value: str) -> str | None:
    """Why `value` is not a national identity number (fødselsnummer or D-number), or None.
    python-stdnum checks both mod-11 check digits and the birth date they encode."""
    if len(value) != 11 or not (value.isascii() and value.isdigit()):
        return "must be 11 digits"
    try:
        fodselsnummer.validate(value)
    except InvalidChecksum:
        return "fails the mod-11 check digits"
    except StdnumError:
        return "has no valid birth date in its first six digits"
    return None


def birth_date_of(national_id: str) -> date:
    """The birth date a valid national identity number encodes (D-numbers too)."""
    return fodselsnummer.get_birth_date(national_id)


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

    def child_key(
        self, municipality_number: str, child_ref: str, national_id: str | None = None
    ) -> str:
        """The pseudonymous key events carry for a child: the same child gets the same key
        across requests, stays and services (to count unique children), and it reveals
        nothing. By national id when there is one, else by the municipality's pseudonym."""
        if national_id is not None:
            return self._pseudonym("nid", national_id)
        return self._pseudonym("ref", municipality_number, child_ref)

    def _pseudonym(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode()
        return hmac.new(self._hash_key, b"child:" + message, hashlib.sha256).hexdigest()[:32]


def _key_bytes(key: SecretStr | str) -> bytes:
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(decoded) != 32:
        raise ValueError("PII keys must be 32 bytes, base64 encoded")
    return decoded
