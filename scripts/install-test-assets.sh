#!/usr/bin/env bash
# Install what the tests inject into or run over pages, pinned, at install time (never at test
# time): axe-core (browser tests) and the Nu HTML Checker vnu-jar (HTML validity tests) from npm
# into the virtualenv. Chromium and Java are Debian packages.
set -euo pipefail
VENV="${1:-.venv}"
AXE_VERSION="4.14.1"
VNU_VERSION="26.9.27"
NODE="$VENV/test-assets/node_modules"

installed() {  # package version -> 0 when that exact version is already there
  [[ -f "$NODE/$1/package.json" ]] && grep -q "\"version\": \"$2\"" "$NODE/$1/package.json"
}

want=()
installed axe-core "$AXE_VERSION" || want+=("axe-core@$AXE_VERSION")
installed vnu-jar "$VNU_VERSION" || want+=("vnu-jar@$VNU_VERSION")
if (( ${#want[@]} == 0 )); then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to install ${want[*]} for the tests" >&2
  exit 1
fi
echo "installing ${want[*]} into $VENV/test-assets"
# --ignore-scripts: neither package needs an install script; the jar ships in the tarball.
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$VENV/test-assets" "${want[@]}"
test -f "$NODE/axe-core/axe.min.js"
test -f "$NODE/vnu-jar/build/dist/vnu.jar"
