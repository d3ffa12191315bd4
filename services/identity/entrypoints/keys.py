"""Signing-key rotation: ``python -m services.identity.entrypoints.keys rotate``.

Adds a new Ed25519 key file; restarted identity processes sign with it and
keep publishing the older keys, so tokens already issued stay valid until
they expire. Remove an old key file once every token it signed has expired
(access tokens live ``MOTCUA_IDENTITY_ACCESS_TOKEN_MINUTES``).
"""

from __future__ import annotations

import sys

from services.identity.adapters.signing import add_key, load_keys
from services.identity.settings import IdentitySettings


def main(argv: list[str]) -> int:
    directory = IdentitySettings().resolved_data_dir() / "keys"
    if argv[:1] == ["rotate"]:
        print(f"new signing key {add_key(directory).kid} in {directory}")
        return 0
    if argv[:1] == ["list"]:
        for key in load_keys(directory):
            print(key.kid)
        return 0
    print("usage: python -m services.identity.entrypoints.keys rotate|list", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
