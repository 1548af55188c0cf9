#!/usr/bin/env bash
# Runs `ansible-test sanity` on the tracked files, in the ansible_collections/NS/NAME layout
# ansible-test requires. ansible-test bootstraps pip in its venvs with a script downloaded from
# a host CI cannot reach; a stand-in that uses the interpreter's bundled ensurepip takes its place.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
# ansible-test skips its shellcheck test, silently, where shellcheck is missing: a green run would prove nothing.
command -v shellcheck >/dev/null || { echo "make sanity needs shellcheck (apt-get install shellcheck; .ci/run installs it)" >&2; exit 1; }
pyver=$("$BIN/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
# The pip version ansible-test pins for its venvs (python_requirements.get_venv_packages).
at_dir=$("$BIN/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
grep -oP "^\s*pip='\K[0-9.]+" "$at_dir/_internal/python_requirements.py" | while read -r v; do
  shim=$cache/get_pip_${v//./_}.py
  [ -f "$shim" ] || cat > "$shim" <<PY
# Stand-in for get-pip.py $v: bootstrap pip from ensurepip, then install what was asked.
import os
import subprocess
import sys

# ansible-test runs pip with a filtered environment: keep this machine's CA bundle for the
# venv's later installs through a site-level pip.conf.
bundle = "/etc/ssl/certs/ca-certificates.crt"
if os.path.exists(bundle):
    with open(os.path.join(sys.prefix, "pip.conf"), "w") as f:
        f.write("[global]\ncert = %s\n" % bundle)
# In a child process: ensurepip disables pip's configuration in the environment it runs in.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + args)
PY
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/dockersec/hardening
mkdir -p "$dest"
# collections/ (the checkout's link to itself, for AWX projects) is not collection content: galaxy.yml
# leaves it out of the tarball, and ansible-test refuses symlinks to directories.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d "" f; do
  case $f in collections/*) continue ;; esac
  [ -e "$f" ] && printf "%s\0" "$f"
done | xargs -0 cp --parents -t "$dest"
cd "$dest"
git init -q && git add -A
"$BIN/ansible-test" sanity --python "$pyver" --color no "$@"
