"""Sealed links: only the private key's holder opens them, bound to their account."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.sealing import (
    SealError,
    load_or_create_private_key,
    open_sealed,
    public_key_from_text,
    seal,
)

LINK = "https://dichvucong.example.vn/kich-hoat?token=abc"


def test_seal_and_open_round_trip_with_binding(tmp_path: Path) -> None:
    key_file = tmp_path / "notify" / "link-seal.key"
    private = load_or_create_private_key(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    public = public_key_from_text((tmp_path / "notify" / "link-seal.key.pub").read_text())
    box = seal(public, LINK, aad=b"account-1")
    assert "token=abc" not in box and LINK not in box
    assert seal(public, LINK, aad=b"account-1") != box  # fresh ephemeral key each time
    assert open_sealed(private, box, aad=b"account-1") == LINK
    again = load_or_create_private_key(key_file)  # kept across restarts
    assert open_sealed(again, box, aad=b"account-1") == LINK
    with pytest.raises(SealError):
        open_sealed(private, box, aad=b"account-2")
    with pytest.raises(SealError):
        open_sealed(X25519PrivateKey.generate(), box, aad=b"account-1")
    with pytest.raises(SealError):
        open_sealed(
            private, box[:-2] + ("A" if box[-2] != "A" else "B") + box[-1], aad=b"account-1"
        )


def test_the_public_half_can_be_written_apart_from_the_private_key(tmp_path: Path) -> None:
    key_file = tmp_path / "notify" / "link-seal.key"
    public_file = tmp_path / "public" / "link-seal.key.pub"
    private = load_or_create_private_key(key_file, public_file)
    public = public_key_from_text(public_file.read_text())
    assert open_sealed(private, seal(public, LINK, aad=b"a"), aad=b"a") == LINK
    assert not (tmp_path / "notify" / "link-seal.key.pub").exists()
