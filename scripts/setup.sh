#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian/Ubuntu machine or CI runner:
# uv, then the locked Python environment (.venv), then the models that are converted at
# set-up (faceres: npm tarball -> ONNX, all sha256-pinned in models/manifest.json; npm
# from Debian's packages if missing). Idempotent; quick when done; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet --compile-bytecode
if ! uv run --frozen python -m kyc.modelconv --check 2>/dev/null; then
  command -v npm >/dev/null 2>&1 || bash scripts/system-deps.sh --npm
  uv run --frozen python -m kyc.modelconv
fi
