"""Sealed boxes: text only the holder of an X25519 private key can open.

identity puts activation and reset links into its events sealed with
notify's public key, so the link (which carries a secret token) travels
through Kafka, the outbox and any log of events unreadable to everyone but
the notify process that emails it. Construction (HPKE-like, RFC 9180's
DHKEM(X25519) + HKDF-SHA256 + ChaCha20-Poly1305, base mode, no PSK):

    ephemeral key pair (e, E); shared = X25519(e, recipient)
    key = HKDF-SHA256(shared, info = "motcua-seal-v1" || E || recipient)
    box = base64url(E || ChaCha20-Poly1305(key, nonce=0, text, aad))

The nonce may be constant because every key is used exactly once.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"motcua-seal-v1"
NONCE = bytes(12)
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class SealError(Exception):
    """The box is malformed, for another key, or was tampered with."""


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, None, INFO + ephemeral + recipient).derive(shared)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(recipient: X25519PublicKey, text: str, aad: bytes = b"") -> str:
    ephemeral = X25519PrivateKey.generate()
    e_pub = ephemeral.public_key().public_bytes(*RAW)
    r_pub = recipient.public_bytes(*RAW)
    key = _key(ephemeral.exchange(recipient), e_pub, r_pub)
    return _b64(e_pub + ChaCha20Poly1305(key).encrypt(NONCE, text.encode(), aad))


def open_sealed(private: X25519PrivateKey, box: str, aad: bytes = b"") -> str:
    try:
        raw = _unb64(box)
        e_pub, ciphertext = raw[:32], raw[32:]
        shared = private.exchange(X25519PublicKey.from_public_bytes(e_pub))
        key = _key(shared, e_pub, private.public_key().public_bytes(*RAW))
        return ChaCha20Poly1305(key).decrypt(NONCE, ciphertext, aad).decode()
    except (ValueError, InvalidTag) as error:
        raise SealError("cannot open sealed box") from error


def public_key_text(key: X25519PublicKey) -> str:
    return _b64(key.public_bytes(*RAW))


def public_key_from_text(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_unb64(text.strip()))


def private_key_from_text(text: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_unb64(text.strip()))


def load_or_create_private_key(path: Path, public: Path | None = None) -> X25519PrivateKey:
    """The key kept at ``path`` (0600), created on first use; its public half is
    written to ``public`` (default: beside it as ``<name>.pub``) for the services that
    seal."""
    if not path.exists():
        key = X25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(_b64(raw))
    key = private_key_from_text(path.read_text())
    public = public or path.with_name(path.name + ".pub")
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text(public_key_text(key.public_key()))
    return key
