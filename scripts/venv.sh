#!/usr/bin/env bash
# Creates .venv and installs the pinned requirements; re-runs only when a requirements file
# changed. Usage: scripts/venv.sh runtime|dev
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt
stamp=.venv/.installed-$kind

# ansible-core 2.19 (requirements.txt) runs on Python 3.11 or newer: say so before pip fails obscurely.
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "dockersec.hardening needs Python 3.11 or newer on the controller (ansible-core 2.19); python3 is" \
    "$(python3 -V 2>&1 || echo 'missing'). Install a newer python3 (Debian 12 and later have it)." >&2
  exit 1
fi

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
