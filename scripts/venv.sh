#!/usr/bin/env bash
# Creates .venv and installs the pinned requirements; re-runs only when a requirements file
# changed. Usage: scripts/venv.sh runtime|dev
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt
stamp=.venv/.installed-$kind

# Debian's python3 ships without venv/ensurepip; install it when we can.
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "python3 has no venv module: run 'sudo apt-get install python3-venv' and try again" >&2
    exit 1
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv

sum=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  exit 0
fi
echo "Installing $req into .venv ..."
.venv/bin/pip install -q --disable-pip-version-check -r "$req"
echo "$sum" > "$stamp"
