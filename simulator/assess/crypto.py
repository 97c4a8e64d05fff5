"""The cryptography of sealed assessments: scrypt, HKDF-SHA256, AES-256-GCM and X25519.

One passphrase gives the screener two keys. scrypt stretches it (memory-hard, so guessing is
slow); HKDF then splits the stretched secret into an AES-256-GCM key, which encrypts the answer
keys inside the sealed file, and an X25519 private key, whose public half is stored in the sealed
file so that results can be encrypted to the screener (ephemeral X25519, HKDF, AES-256-GCM)
without the candidate's machine ever holding anything that decrypts them.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCRYPT_N = 2**17
"""scrypt's cost (128 MiB with r=8, about 0.3 s): OWASP's recommended minimum for scrypt."""
SCRYPT_R = 8
"""scrypt's block size."""
SCRYPT_P = 1
"""scrypt's parallelism."""
MIN_SCRYPT_N = 2**10
"""The lowest cost a sealed file may name (tests seal with a low cost to run fast)."""
MAX_SCRYPT_N = 2**20
"""The highest cost a sealed file may name (1 GiB): a changed file cannot exhaust memory."""
KEY_INFO = b"codedesk assess v1: key material, AES-256-GCM"
"""HKDF label of the key that encrypts the answer keys."""
X25519_INFO = b"codedesk assess v1: results, X25519 private key"
"""HKDF label of the screener's X25519 private key."""
RESULT_INFO = b"codedesk assess v1: result file, AES-256-GCM"
"""HKDF label of the one-time key a result file is encrypted with."""
NONCE_BYTES = 12
"""AES-GCM nonce length; every encryption draws a fresh random nonce."""


class CryptoError(Exception):
    """Decryption failed: a wrong key, or bytes changed since they were encrypted."""


@dataclass(frozen=True)
class ScryptParams:
    """The scrypt settings and salt a sealed file was made with (stored in its manifest)."""

    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def fresh(cls, n: int = SCRYPT_N) -> ScryptParams:
        """Return the default settings with a new random 16-byte salt."""
        return cls(salt=os.urandom(16), n=n)

    def to_json(self, encode: Any) -> dict[str, Any]:
        """Return the settings as the manifest stores them (encode turns bytes into text)."""
        return {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": encode(self.salt)}

    def check(self) -> str | None:
        """Return what is wrong with settings read from a file, or None when they are usable."""
        if self.n < MIN_SCRYPT_N or self.n > MAX_SCRYPT_N or self.n & (self.n - 1):
            return f"scrypt n must be a power of two from {MIN_SCRYPT_N} to {MAX_SCRYPT_N}"
        if not 1 <= self.r <= 32 or not 1 <= self.p <= 16:
            return "scrypt r must be 1 to 32 and p 1 to 16"
        if not 16 <= len(self.salt) <= 64:
            return "the scrypt salt must be 16 to 64 bytes"
        return None


@dataclass(frozen=True)
class ScreenerKeys:
    """The two keys a passphrase gives: one for the answer keys, one for the results."""

    key: bytes
    """AES-256-GCM key of the sealed answer keys."""
    private: X25519PrivateKey
    """X25519 private key that opens result files."""

    @property
    def public(self) -> bytes:
        """The raw 32-byte X25519 public key, as the sealed file stores it."""
        return public_bytes(self.private.public_key())


def normalize_passphrase(passphrase: str) -> bytes:
    """Return a passphrase as UTF-8 in Unicode NFC, so the same words typed anywhere match."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    """Derive 32 bytes from a secret for one purpose (the label keeps purposes apart)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def derive_keys(passphrase: str, params: ScryptParams) -> ScreenerKeys:
    """Stretch the passphrase with scrypt and derive the screener's two keys from it."""
    stretched = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p).derive(
        normalize_passphrase(passphrase)
    )
    private = X25519PrivateKey.from_private_bytes(_hkdf(stretched, X25519_INFO))
    return ScreenerKeys(key=_hkdf(stretched, KEY_INFO), private=private)


def public_bytes(key: X25519PublicKey) -> bytes:
    """Return an X25519 public key as its raw 32 bytes."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt with AES-256-GCM under a fresh nonce; return (nonce, ciphertext with tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Decrypt and authenticate AES-256-GCM; raise CryptoError when anything was changed."""
    if len(nonce) != NONCE_BYTES:
        raise CryptoError("the nonce is not 12 bytes")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise CryptoError("the encrypted part does not authenticate") from None


def _result_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    """The one-time AES key of a result file, bound to both public keys."""
    return _hkdf(shared, RESULT_INFO, salt=ephemeral + recipient)


def seal_to(recipient: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes, bytes]:
    """Encrypt to an X25519 public key; return (ephemeral public key, nonce, ciphertext).

    The ephemeral private key is dropped at once, so only the recipient can decrypt.
    """
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    ephemeral_public = public_bytes(ephemeral.public_key())
    nonce, ciphertext = encrypt(_result_key(shared, ephemeral_public, recipient), plaintext, aad)
    return ephemeral_public, nonce, ciphertext


def open_sealed(
    private: X25519PrivateKey, ephemeral: bytes, nonce: bytes, ciphertext: bytes, aad: bytes
) -> bytes:
    """Decrypt what seal_to encrypted to this private key; raise CryptoError when it fails."""
    if len(ephemeral) != 32:
        raise CryptoError("the ephemeral public key is not 32 bytes")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    except ValueError:
        raise CryptoError("the ephemeral public key is not a usable X25519 key") from None
    recipient = public_bytes(private.public_key())
    return decrypt(_result_key(shared, ephemeral, recipient), nonce, ciphertext, aad)
