"""Signing-key rotation: ``python -m services.identity.entrypoints.keys rotate``.

Adds a new Ed25519 key file; restarted identity processes sign with it and
keep publishing the older keys, so tokens already issued stay valid until
they expire. Remove an old key file once every token it signed has expired
(access tokens live ``MOTCUA_IDENTITY_ACCESS_TOKEN_MINUTES``).
"""

from __future__ import annotations

import sys

from services.identity.bootstrap import rotate_signing_key, signing_key_ids
from services.identity.settings import IdentitySettings


def main(argv: list[str]) -> int:
    settings = IdentitySettings()
    if argv[:1] == ["rotate"]:
        kid, directory = rotate_signing_key(settings)
        print(f"new signing key {kid} in {directory}")
        return 0
    if argv[:1] == ["list"]:
        for kid in signing_key_ids(settings):
            print(kid)
        return 0
    print("usage: python -m services.identity.entrypoints.keys rotate|list", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
