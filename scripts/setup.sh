#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian/Ubuntu machine or CI runner:
# uv, then the locked Python environment (.venv). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet --compile-bytecode
