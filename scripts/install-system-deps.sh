#!/usr/bin/env bash
# Make sure the Debian packages the project needs outside Python are present:
#   chromium      headless browser for the browser tests
#   a CJK font    so Chinese pages render (and screenshots read) in headless Chromium:
#                 fonts-wqy-microhei, unless Noto CJK or WenQuanYi is already there
#   nodejs, npm   to vendor the front-end libraries (scripts/build-assets.sh)
# Idempotent and non-interactive; prints one line saying what it did.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
cjk_font_present() {
  local f
  for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
           /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
           /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
    [ -f "$f" ] && return 0
  done
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}
cjk_font_present || missing+=(fonts-wqy-microhei)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  # Debian's npm depends on nodejs; name both so either gap is filled.
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: nothing to do (chromium, CJK font, node $(node -v), npm $(npm -v 2>/dev/null) present)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${missing[*]}, and apt-get is not available: install them with your system's package manager" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  sudo_cmd=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
  echo "install-system-deps: missing ${missing[*]}; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { "${sudo_cmd[@]}" apt-get update -qq \
       && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-system-deps: apt-get failed installing ${missing[*]}" >&2
  exit 1
fi

[ -x /usr/bin/chromium ] || { echo "install-system-deps: /usr/bin/chromium still missing after install" >&2; exit 1; }
cjk_font_present || { echo "install-system-deps: no CJK font after installing fonts-wqy-microhei" >&2; exit 1; }
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || { echo "install-system-deps: node/npm still missing after install" >&2; exit 1; }
echo "install-system-deps: installed ${missing[*]}"
