#!/usr/bin/env bash
# Install what the browser tests inject into pages, pinned, at install time (never at test
# time): axe-core from npm into the virtualenv. Chromium itself is Debian's package.
set -euo pipefail
VENV="${1:-.venv}"
PKG="axe-core@4.14.1"
AXE="$VENV/test-assets/node_modules/axe-core/axe.min.js"
if [[ -f "$AXE" ]] && grep -q '"version": "4.14.1"' "$VENV/test-assets/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to install $PKG for the browser tests" >&2
  exit 1
fi
echo "installing $PKG into $VENV/test-assets"
npm install --silent --no-audit --no-fund --prefix "$VENV/test-assets" "$PKG"
test -f "$AXE"
