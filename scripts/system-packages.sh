#!/usr/bin/env bash
# Check (and, as root with apt-get, install) the Debian packages the app needs.
#   scripts/system-packages.sh run    Pango for WeasyPrint, CJK fonts, gettext, Node/npm
#   scripts/system-packages.sh test   the above, plus Chromium, poppler-utils, qpdf
#   scripts/system-packages.sh bench  the run packages, plus wrk (a load generator)
# Without root, it stops with the exact command to run. It never lets a test be skipped.
set -euo pipefail
mode=${1:-run}

missing=()
need() { # need PACKAGE TEST-COMMAND...
  local package=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$package"); fi
}
need libpango-1.0-0 sh -c 'ldconfig -p | grep -q libpango-1.0.so'
need libpangoft2-1.0-0 sh -c 'ldconfig -p | grep -q libpangoft2-1.0.so'
need fonts-noto-cjk sh -c 'fc-list | grep -q "Noto Sans CJK SC"'
need gettext command -v msgfmt
need nodejs command -v node
need npm command -v npm
if [ "$mode" = bench ]; then
  need wrk command -v wrk
fi
if [ "$mode" = test ]; then
  need chromium test -x /usr/bin/chromium
  need chromium-driver test -x /usr/bin/chromedriver
  need poppler-utils command -v pdftoppm
  need qpdf command -v qpdf
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "Missing system packages. Install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
