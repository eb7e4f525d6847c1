#!/usr/bin/env bash
# Set up, then run every check: ruff (lint + format), mypy --strict, the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
export PATH="$HOME/.local/bin:$PATH"

echo "== ruff"; uv run --frozen ruff check .
uv run --frozen ruff format --check .
echo "== mypy"; uv run --frozen mypy
echo "== pytest"; uv run --frozen pytest -n 2 "$@"
