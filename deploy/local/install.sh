#!/usr/bin/env bash
# Install what the local launcher (`motcua up`) needs on a Debian machine without Docker.
# Idempotent: installs only what is missing, then (re)installs the project into .venv when
# it is not importable there.
#   apt: openjdk-17-jre-headless (Kafka), maven (Kafka jars), postgresql (PostgreSQL 15)
#   Go:  only checked (versitygw, the S3 engine, is built from source once, into ~/.cache/motcua)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
if ! command -v java >/dev/null 2>&1 \
    || ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  missing+=(openjdk-17-jre-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
[ -x /usr/bin/chromium ] || missing+=(chromium)  # browser tests (Playwright drives it)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  missing+=(postgresql)
  # The launcher runs its own cluster under the state dir: do not create the system one.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install.sh: java, mvn and postgresql are installed"
fi

GO=""
for candidate in "$(command -v go || true)" /usr/local/go/bin/go "$HOME/go/bin/go"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then GO="$candidate"; break; fi
done
VERSITYGW="${XDG_CACHE_HOME:-$HOME/.cache}/motcua/versitygw"
if [ -n "$GO" ]; then
  echo "install.sh: Go found: $("$GO" version)"
elif compgen -G "$VERSITYGW/*/versitygw" >/dev/null; then
  echo "install.sh: Go not found, but versitygw is already built under $VERSITYGW"
else
  echo "install.sh: Go not found. versitygw (the S3-compatible engine) is built from source" >&2
  echo "  once with Go >= 1.25: install the official Go toolchain (unpack to /usr/local/go and" >&2
  echo "  add /usr/local/go/bin to PATH); Debian 12's golang-go (1.19) is too old." >&2
fi

cd "$REPO"
if [ ! -x .venv/bin/python ]; then
  echo "install.sh: creating .venv"
  python3.11 -m venv .venv
fi
# Importable from outside the repo = the editable install maps our packages; a changed
# pyproject.toml or requirements.lock (new or bumped dependency) reinstalls. Every package,
# indirect ones too, comes from requirements.lock at its pinned version and hash (`make lock`
# writes it from pyproject.toml).
stamp=".venv/.pyproject.sha256"
if ! (cd / && "$REPO/.venv/bin/python" -c 'import motcua_ops.cli' >/dev/null 2>&1) \
    || [ ! -x .venv/bin/motcua ] || ! sha256sum --status -c "$stamp" 2>/dev/null; then
  echo "install.sh: pip install --require-hashes -r requirements.lock, then the project"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q --require-hashes -r requirements.lock
  .venv/bin/pip install -q --no-deps -e .
  sha256sum pyproject.toml requirements.lock > "$stamp"
else
  echo "install.sh: .venv is up to date"
fi
echo "install.sh: done. Next: deploy/local/up"
