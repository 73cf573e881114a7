"""Field encryption for personal data: SM4 in GCM mode (authenticated) and keyed blind indexes with
HMAC-SM3, from the `cryptography` library — no hand-written cipher (design: Dependencies).

Ciphertexts are text tokens ``sm4gcm:<key id>:<base64(nonce | ciphertext | tag)>`` so a key can be
rotated later (the security issue adds rotation and more providers); the key never lives in the database
but behind a key provider (settings.KEY_PROVIDER). Blind indexes (``blind_index``) make exact-match
search, duplicate detection and the phone's last-four search possible without decrypting.
"""
from __future__ import annotations

import base64
import hmac as std_hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils.module_loading import import_string

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyError_(Exception):
    pass


class KeyProvider:
    """Where keys come from. ``purpose`` is "data" (SM4 field keys) or "index" (HMAC-SM3 keys)."""

    def current_key_id(self, purpose: str) -> str:
        raise NotImplementedError

    def key(self, purpose: str, key_id: str) -> bytes:
        raise NotImplementedError


class FileKeyProvider(KeyProvider):
    """Keys in files under settings.KEY_DIR (outside the database): ``<purpose>-<id>.key`` holding the key
    in hex, and ``<purpose>.current`` naming the current id. `yigongti init-local` creates them."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or settings.KEY_DIR)
        self._keys: dict[tuple[str, str], bytes] = {}  # a key id never changes its key: safe to keep

    def current_key_id(self, purpose: str) -> str:
        current = self.directory / f"{purpose}.current"
        if not current.exists() and getattr(settings, "KEY_AUTO_CREATE", False):
            ensure_local_keys(self.directory)
        if not current.exists():
            raise KeyError_(f"no {purpose} key in {self.directory}: run `yigongti init-local`")
        return current.read_text().strip()

    def key(self, purpose: str, key_id: str) -> bytes:
        cached = self._keys.get((purpose, key_id))
        if cached is not None:
            return cached
        path = self.directory / f"{purpose}-{key_id}.key"
        if not path.exists():
            raise KeyError_(f"key {purpose}-{key_id} missing in {self.directory}")
        key = self._keys[(purpose, key_id)] = bytes.fromhex(path.read_text().strip())
        return key


def ensure_local_keys(directory: Path | None = None) -> list[Path]:
    """Create a first data key (16 bytes, SM4) and index key (32 bytes) if none exist; return new paths."""
    directory = Path(directory or settings.KEY_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    for purpose, size in (("data", 16), ("index", 32)):
        current = directory / f"{purpose}.current"
        if current.exists():
            continue
        key_file = directory / f"{purpose}-1.key"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(size))
        current.write_text("1")
        created.append(key_file)
    return created


@lru_cache(maxsize=1)
def provider() -> KeyProvider:
    return import_string(settings.KEY_PROVIDER)()


def reset_provider_cache() -> None:
    provider.cache_clear()
    _index_key.cache_clear()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, nonce: bytes, associated: bytes = b"") -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated:
        encryptor.authenticate_additional_data(associated)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def sm4_gcm_decrypt(key: bytes, data: bytes, nonce: bytes, associated: bytes = b"") -> bytes:
    ciphertext, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated:
        decryptor.authenticate_additional_data(associated)
    return decryptor.update(ciphertext) + decryptor.finalize()


def encrypt(value: str | None) -> str:
    """Encrypt a personal field; empty stays empty."""
    if not value:
        return ""
    p = provider()
    key_id = p.current_key_id("data")
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = sm4_gcm_encrypt(p.key("data", key_id), value.encode("utf-8"), nonce, key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str | None) -> str:
    """Decrypt a token from ``encrypt``; a tampered token raises (GCM authenticates it)."""
    if not token:
        return ""
    prefix, key_id, payload = token.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(payload)
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return sm4_gcm_decrypt(provider().key("data", key_id), sealed, nonce, key_id.encode()).decode("utf-8")


@lru_cache(maxsize=4)
def _index_key() -> bytes:
    p = provider()
    return p.key("index", p.current_key_id("index"))


def blind_index(kind: str, value: str | None) -> str:
    """HMAC-SM3 of a normalised value, keyed and domain-separated by ``kind`` ("document", "phone",
    "phone4"). Equal inputs give equal indexes; nothing about the value can be read from it."""
    if not value:
        return ""
    mac = hmac.HMAC(_index_key(), hashes.SM3())
    mac.update(f"{kind}:{normalise(kind, value)}".encode())
    return mac.finalize().hex()


def normalise(kind: str, value: str) -> str:
    value = value.strip().replace(" ", "").replace("-", "")
    return value.upper() if kind == "document" else value


def same_index(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a, b)
