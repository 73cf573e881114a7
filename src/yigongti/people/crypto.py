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
AES_PREFIX = "aesgcm"  # AES-128-GCM with the same 16-byte data keys: settings.YIGONGTI_FIELD_CIPHER = "aesgcm"
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
        mode = path.stat().st_mode
        if mode & 0o077:
            raise KeyError_(f"key file {path} is readable by group or others (mode {mode & 0o777:o}): chmod 600 it")
        key = self._keys[(purpose, key_id)] = bytes.fromhex(path.read_text().strip())
        return key


def ensure_local_keys(directory: Path | None = None) -> list[Path]:
    """Create a first data key (16 bytes, SM4) and index key (32 bytes) if none exist; return new paths."""
    directory = Path(directory or settings.KEY_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    for purpose, size in (("data", 16), ("index", 32), ("audit", 32)):
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


def aes_gcm_encrypt(key: bytes, plaintext: bytes, nonce: bytes, associated: bytes = b"") -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).encrypt(nonce, plaintext, associated or None)


def aes_gcm_decrypt(key: bytes, data: bytes, nonce: bytes, associated: bytes = b"") -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).decrypt(nonce, data, associated or None)


CIPHERS = {PREFIX: (sm4_gcm_encrypt, sm4_gcm_decrypt), AES_PREFIX: (aes_gcm_encrypt, aes_gcm_decrypt)}


def cipher_name() -> str:
    name = getattr(settings, "YIGONGTI_FIELD_CIPHER", PREFIX)
    if name not in CIPHERS:
        raise KeyError_(f"unknown field cipher {name!r}: use one of {sorted(CIPHERS)}")
    return name


def encrypt(value: str | None) -> str:
    """Encrypt a personal field with the configured cipher and the current key; empty stays empty."""
    if not value:
        return ""
    p = provider()
    key_id = p.current_key_id("data")
    name = cipher_name()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = CIPHERS[name][0](p.key("data", key_id), value.encode("utf-8"), nonce, key_id.encode())
    return f"{name}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def token_key_id(token: str) -> tuple[str, str]:
    """(cipher, key id) of a ciphertext token."""
    prefix, key_id, _ = token.split(":", 2)
    return prefix, key_id


def needs_reencryption(token: str | None) -> bool:
    """Is ``token`` under another key or cipher than the current ones (rotation, cipher change)?"""
    if not token:
        return False
    prefix, key_id = token_key_id(token)
    return prefix != cipher_name() or key_id != provider().current_key_id("data")


def reencrypt(token: str | None) -> str:
    return encrypt(decrypt(token)) if needs_reencryption(token) else (token or "")


def rotate_data_key(directory: Path | None = None) -> str:
    """Make a new data key and make it current (file provider); old keys stay, so old rows stay readable
    until the re-encryption job (people.jobs) has moved them. Returns the new key id."""
    directory = Path(directory or settings.KEY_DIR)
    ensure_local_keys(directory)
    ids = [int(p.stem.split("-", 1)[1]) for p in directory.glob("data-*.key") if p.stem.split("-", 1)[1].isdigit()]
    new_id = str(max(ids, default=0) + 1)
    fd = os.open(directory / f"data-{new_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(16))
    (directory / "data.current").write_text(new_id)
    reset_provider_cache()
    return new_id


def decrypt(token: str | None) -> str:
    """Decrypt a token from ``encrypt``; a tampered token raises (GCM authenticates it)."""
    if not token:
        return ""
    prefix, key_id, payload = token.split(":", 2)
    if prefix not in CIPHERS:
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(payload)
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return CIPHERS[prefix][1](provider().key("data", key_id), sealed, nonce, key_id.encode()).decode("utf-8")


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
