#!/usr/bin/env bash
# Proves the collection builds, installs from its tarball, and that every plugin's
# documentation renders from the installed copy (not the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN/ansible-galaxy" collection build --output-path "$tmp" . >/dev/null
tarball=$(ls "$tmp"/dockersec-hardening-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
if tar -tzf "$tarball" | grep -E '^(tests|molecule|\.ci|benchmarks|scripts)/' >/dev/null; then
  echo "build_ignore failed: test files ended up in the tarball" >&2
  exit 1
fi
"$BIN/ansible-galaxy" collection install -p "$tmp/install" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$tmp/install"
installed=$tmp/install/ansible_collections/dockersec/hardening
n=0
for f in "$installed"/plugins/modules/*.py; do
  name=$(basename "$f" .py)
  "$BIN/ansible-doc" -t module "dockersec.hardening.$name" >/dev/null
  n=$((n + 1))
done
for f in "$installed"/plugins/callback/*.py; do
  name=$(basename "$f" .py)
  "$BIN/ansible-doc" -t callback "dockersec.hardening.$name" >/dev/null
  n=$((n + 1))
done
if [ -d "$installed/roles" ]; then
  for r in "$installed"/roles/*/; do
    name=$(basename "$r")
    "$BIN/ansible-doc" -t role "dockersec.hardening.$name" >/dev/null
    n=$((n + 1))
  done
fi
echo "installed from tarball; ansible-doc rendered $n plugins/roles"
