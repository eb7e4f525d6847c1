#!/usr/bin/env bash
# System packages (Debian): npm, which set-up uses once to fetch the faceres model's
# package; and for the tests a headless browser (reviewer-page test) and a PostgreSQL
# server (the API suite's second database). `--npm`: only npm (scripts/setup.sh uses it).
# Idempotent: quick when installed.
set -euo pipefail

need=()
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${1:-}" != "--npm" ]; then
    command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        need+=(postgresql)
    fi
    # A small CJK font so the reviewer pages (Chinese names, addresses) render in the browser test.
    [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
fi
if [ "${#need[@]}" -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "== system packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
