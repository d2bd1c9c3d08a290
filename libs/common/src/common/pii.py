"""National identity numbers (fødselsnummer and D-number): validated, stored encrypted,
found by a keyed hash, shown only masked, and never put in events or logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import NoDecode, SettingsConfigDict
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer

from common.errors import ProblemError
from common.settings import ServiceSettings

log = logging.getLogger(__name__)


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


_AAD = b"national_id"
_NONCE = 12
_TAG = 16


class UndecryptableNationalId(ProblemError):
    """A stored national id that none of the configured encryption keys decrypts: the key
    it was encrypted with is no longer configured (retired before every value was
    re-encrypted, or the wrong key deployed). An operator's error, not the caller's: 500,
    with a detail that says so instead of a cryptography stack."""

    status, slug, title = 500, "undecryptable-national-id", "A stored national id cannot be read"

    def __init__(self) -> None:
        super().__init__(
            "A national identity number stored with this record cannot be decrypted with the "
            "service's keys. This is a configuration error on our side; it has been logged."
        )


class NationalIdVault:
    """Encrypts national ids with AES-256-GCM and hashes them with HMAC-SHA256 for lookup.

    Values are encrypted under the current encryption key and decrypted under the current
    key or any of the previous ones (tried in that order; the GCM tag tells a wrong key), so
    the encryption key can be rotated while the service runs: deploy a new current key with
    the old one among the previous keys, re-encrypt what is stored (`common.rekey`), then
    drop the old key. A stored value is nonce (12 bytes) + ciphertext + tag, without a key
    id: values written before rotation existed read the same way, and a release that writes
    values still writes ones an older release can read. The hash key is not rotated here:
    the lookup hashes and the children's pseudonyms in events depend on it."""

    def __init__(
        self,
        encryption_key: SecretStr | str,
        hash_key: SecretStr | str,
        previous_encryption_keys: Sequence[SecretStr | str] = (),
    ) -> None:
        keys = [_key_bytes(encryption_key), *map(_key_bytes, previous_encryption_keys)]
        if len(set(keys)) != len(keys):
            raise ValueError("an encryption key is listed twice (current and previous keys)")
        self._aeads = [AESGCM(key) for key in keys]
        self._aead = self._aeads[0]
        self._hash_key = _key_bytes(hash_key)

    @classmethod
    def from_settings(cls, settings: NationalIdSettings) -> NationalIdVault:
        return cls(
            settings.pii_encryption_key,
            settings.pii_hash_key,
            previous_encryption_keys=settings.pii_previous_encryption_keys,
        )

    def encrypt(self, value: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, value.encode(), _AAD)

    def decrypt(self, blob: bytes) -> str:
        """The national id, under whichever configured key it was encrypted with; else
        `UndecryptableNationalId` (logged, without the value)."""
        opened = self._open(blob)
        if opened is None:
            log.error(
                "a stored national identity number decrypts under none of the %d configured "
                "keys (PII_ENCRYPTION_KEY, PII_PREVIOUS_ENCRYPTION_KEYS): was the key it was "
                "encrypted with retired before `rekey` re-encrypted it?",
                len(self._aeads),
            )
            raise UndecryptableNationalId
        return opened[0]

    def is_current(self, blob: bytes) -> bool:
        """Whether the value is encrypted under the current key."""
        return _open_with(self._aead, blob) is not None

    def reencrypted(self, blob: bytes) -> bytes | None:
        """The value encrypted under the current key, or None when it already is (then it
        need not be written). `UndecryptableNationalId` (not logged) when no key opens it."""
        opened = self._open(blob)
        if opened is None:
            raise UndecryptableNationalId
        value, key_index = opened
        return None if key_index == 0 else self.encrypt(value)

    def _open(self, blob: bytes) -> tuple[str, int] | None:
        for index, aead in enumerate(self._aeads):
            value = _open_with(aead, blob)
            if value is not None:
                return value, index
        return None

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


def _open_with(aead: AESGCM, blob: bytes) -> str | None:
    if len(blob) < _NONCE + _TAG:
        return None
    try:
        return aead.decrypt(blob[:_NONCE], blob[_NONCE:], _AAD).decode()
    except InvalidTag:
        return None


def _key_bytes(key: SecretStr | str) -> bytes:
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:  # binascii.Error; its message never repeats the key
        decoded = b""
    if len(decoded) != 32:
        raise ValueError("PII keys must be 32 bytes, base64 encoded")
    return decoded


_KEY_FORMAT = (
    "must be 32 bytes, base64 encoded (make one with "
    "`python -c 'from common.pii import generate_key; print(generate_key())'`)"
)


class NationalIdSettings(ServiceSettings):
    """The settings of a service that stores national identity numbers: its PII keys.

    An error names the variable and never repeats a value (inputs are hidden in every error
    of these settings, so a key cannot reach a log through a neighbouring field's error)."""

    model_config = SettingsConfigDict(hide_input_in_errors=True)

    pii_encryption_key: SecretStr = Field(
        description="32 bytes, base64: encrypts national identity numbers (AES-256-GCM)."
    )
    pii_previous_encryption_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (),
        description="Comma separated, may be empty: earlier encryption keys, each 32 bytes, "
        "base64. Values encrypted under them still decrypt; new values use "
        "PII_ENCRYPTION_KEY; `python -m <service>.rekey` re-encrypts the old ones.",
    )
    pii_hash_key: SecretStr = Field(
        description="32 bytes, base64: keyed hash for finding national identity numbers and "
        "the pseudonymous child key in events (the same key in every service, so a child is "
        "counted once across services). Not rotated by `rekey`: see the operator guide."
    )

    @field_validator("pii_previous_encryption_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("pii_encryption_key", "pii_hash_key")
    @classmethod
    def _one_key(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if not _is_key(value):
            raise ValueError(f"{str(info.field_name).upper()} {_KEY_FORMAT}")
        return value

    @field_validator("pii_previous_encryption_keys")
    @classmethod
    def _previous_keys(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for position, key in enumerate(value, start=1):
            if not _is_key(key):
                raise ValueError(
                    f"PII_PREVIOUS_ENCRYPTION_KEYS: key {position} of {len(value)} {_KEY_FORMAT}"
                )
        decoded = [_key_bytes(key) for key in value]
        if len(set(decoded)) != len(decoded):
            raise ValueError("PII_PREVIOUS_ENCRYPTION_KEYS lists the same key twice")
        return value

    @model_validator(mode="after")
    def _current_key_is_not_a_previous_one(self) -> NationalIdSettings:
        previous = {_key_bytes(key) for key in self.pii_previous_encryption_keys}
        if _key_bytes(self.pii_encryption_key) in previous:
            raise ValueError(
                "PII_PREVIOUS_ENCRYPTION_KEYS must not contain PII_ENCRYPTION_KEY: the current "
                "key encrypts, the previous ones only decrypt (was the new key left out?)"
            )
        return self


def _is_key(key: SecretStr) -> bool:
    try:
        _key_bytes(key)
    except ValueError:
        return False
    return True
