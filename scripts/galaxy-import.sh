#!/usr/bin/env bash
# Galaxy's importer (galaxy-importer, the code galaxy.ansible.com runs on an upload) on the tarball
# `ansible-galaxy collection build` makes, in its own virtualenv (.venv-importer). Fails on a
# non-zero exit or on any ERROR line; warnings are printed and counted.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
venv=.venv-importer
stamp=$venv/.installed
start=$(date +%s)

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "python3 has no venv module: run 'apt-get install python3-venv' (scripts/venv.sh does as root)" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
sum=$(sha256sum requirements-importer.txt | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "Installing requirements-importer.txt into $venv ..."
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements-importer.txt
  echo "$sum" > "$stamp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/ansible-galaxy" collection build --output-path "$tmp" . >/dev/null
tarball=$(ls "$tmp"/dockersec-hardening-*.tar.gz)

# Only the importer's own tools, config and scratch dirs: no ANSIBLE_* of the caller (the Makefile
# exports ANSIBLE_CONFIG and ANSIBLE_COLLECTIONS_PATH for the checkout), no ~/.ansible.
rc=0
(
  cd "$tmp"
  env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_COLLECTIONS_PATHS \
    PATH="$repo/$venv/bin:$PATH" ANSIBLE_HOME="$tmp/ansible-home" \
    GALAXY_IMPORTER_CONFIG="$repo/galaxy-importer.cfg" GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$tmp/ansible-tmp" \
    "$repo/$venv/bin/python" -m galaxy_importer.main "$tarball"
) > "$tmp/import.log" 2>&1 || rc=$?
cat "$tmp/import.log"
errors=$(grep -c '^ERROR' "$tmp/import.log" || true)
warnings=$(grep -c '^WARNING' "$tmp/import.log" || true)
echo "galaxy-importer: $(basename "$tarball"): exit $rc, $errors errors, $warnings warnings, $(( $(date +%s) - start )) s"
if [ "$rc" != 0 ] || [ "$errors" != 0 ] || ! grep -q '^Collection loading complete' "$tmp/import.log"; then
  echo "Galaxy's importer refused the tarball (see above)" >&2
  exit 1
fi
