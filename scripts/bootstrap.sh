#!/usr/bin/env bash
# Create .venv and install the pinned dependencies and the package (offline-capable: pip
# takes torch 2.13.0 CPU from the machine's wheel folder when one is configured).
set -euo pipefail
PYTHON="${1:-python3.11}"
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip's notes about unused local index folders are noise here; real errors still show.
quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
quiet .venv/bin/python -m pip install --quiet -r requirements.lock
quiet .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
echo "environment ready in .venv"
