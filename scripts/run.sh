#!/usr/bin/env bash
# Set up, then run the main job on the embedded default: the service (`kyc serve`) on a
# SQLite file and a local blob folder under KYC_DATA_DIR (default ./var).
# Extra arguments go to `kyc serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
uv run --frozen kyc models >/dev/null || { uv run --frozen kyc models; exit 1; }
echo "kyc: serving on the embedded default (SQLite + local files in ${KYC_DATA_DIR:-./var})."
echo "kyc: make credentials with 'uv run kyc keys create --account ACCOUNT' and"
echo "     'uv run kyc reviewers create NAME --role admin'; API docs at /docs."
exec uv run --frozen kyc serve "$@"
