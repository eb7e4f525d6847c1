#!/usr/bin/env bash
# System packages (Debian): npm, which set-up uses once to fetch the faceres model's
# package; and for the tests a headless browser (reviewer-page test), a PostgreSQL
# server (the API suite's second database) and fonts. `--npm`: only npm (scripts/setup.sh
# uses it). Idempotent: quick when installed.
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
    # The synthetic document generator's typefaces (kyc/synth/fonts.py: Hei, Song/Ming, Kai,
    # FangSong families and two Latin number faces); it fails naming the package if one is missing.
    for pkg_file in \
        fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
        fonts-smiley-sans:/usr/share/fonts/truetype/smiley-sans/SmileySans-Oblique.ttf \
        fonts-arphic-uming:/usr/share/fonts/truetype/arphic/uming.ttc \
        fonts-arphic-ukai:/usr/share/fonts/truetype/arphic/ukai.ttc \
        fonts-arphic-gbsn00lp:/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf \
        fonts-arphic-gkai00mp:/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf \
        fonts-lxgw-wenkai:/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf \
        fonts-cwtex-fs:/usr/share/fonts/truetype/cwtex/cwfs.ttf \
        fonts-ocr-b:/usr/share/fonts/opentype/ocr-b/OCRB.otf \
        fonts-dejavu-extra:/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf; do
        [ -f "${pkg_file#*:}" ] || need+=("${pkg_file%%:*}")
    done
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
