#!/usr/bin/env bash
# Installs what the portal needs on a Debian machine: the PostgreSQL and Redis servers,
# gettext, and Pango with a CJK font for WeasyPrint's PDF documents (and, when asked,
# Chromium for the browser tests and wrk for the benchmark) from the OS packages, and the
# Python virtualenv in .venv with the pinned requirements.
#   scripts/bootstrap.sh [--browser] [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v msgfmt >/dev/null 2>&1 || packages+=(gettext)
# WeasyPrint's libraries, and the font documents in Chinese (and Chinese pages in
# screenshots) are set in.
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei; do
  dpkg -s "$package" >/dev/null 2>&1 || packages+=("$package")
done
for arg in "$@"; do
  case "$arg" in
    --browser)
      command -v chromium >/dev/null 2>&1 || packages+=(chromium)
      ;;
    --bench) command -v wrk >/dev/null 2>&1 || packages+=(wrk) ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} with apt-get"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing the Python requirements into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r requirements.txt -r requirements-dev.txt
  echo "$wanted" >"$stamp"
fi
