#!/usr/bin/env bash
# Proves the collection builds, installs from its tarball, and that every plugin's
# documentation renders from the installed copy (not the checkout).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN/ansible-galaxy" collection build --output-path "$tmp" . >/dev/null
tarball=$(ls "$tmp"/dockersec-hardening-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
if tar -tzf "$tarball" | grep -E '^(tests|molecule|\.config|\.ci|benchmarks|scripts|collections|changelogs/fragments)/' >/dev/null; then
  echo "build_ignore failed: test files, the checkout's collections/ link or changelog fragments ended up in the tarball" >&2
  exit 1
fi
# What Galaxy shows and its importer requires: a README per role and the changelog.
tar -tzf "$tarball" > "$tmp/contents"
wanted=(CHANGELOG.md changelogs/changelog.yaml)
for r in roles/*/; do wanted+=("${r}README.md"); done
for want in "${wanted[@]}"; do
  grep -qxF "$want" "$tmp/contents" || { echo "the tarball lacks $want" >&2; exit 1; }
done
# Only the tarball's copy may be visible: not the checkout's .collections link.
unset ANSIBLE_CONFIG
export ANSIBLE_COLLECTIONS_PATH="$tmp/install"
"$BIN/ansible-galaxy" collection install --force -p "$tmp/install" "$tarball" >/dev/null
installed=$tmp/install/ansible_collections/dockersec/hardening
n=0
# ansible-doc only warns for a plugin it cannot load: require its JSON to describe the plugin.
doc() {
  "$BIN/ansible-doc" --json -t "$1" "dockersec.hardening.$2" | "$BIN/python" -c '
import json, sys
data = json.load(sys.stdin)
name = sys.argv[1]
if name not in data or not data[name].get("doc"):
    sys.exit("ansible-doc could not render %s" % name)
' "dockersec.hardening.$2"
}
for f in "$installed"/plugins/modules/*.py; do
  name=$(basename "$f" .py)
  doc module "$name"
  n=$((n + 1))
done
for f in "$installed"/plugins/filter/*.py; do
  name=$(basename "$f" .py)
  doc filter "$name"
  n=$((n + 1))
done
if [ -d "$installed/roles" ]; then
  for r in "$installed"/roles/*/; do
    name=$(basename "$r")
    "$BIN/ansible-doc" -t role "dockersec.hardening.$name" | grep -q "ENTRY POINT"
    n=$((n + 1))
  done
fi
# The catalog is data (catalog.json beside catalog.py): the installed copy must load, whole.
"$BIN/python" -c '
import sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
assert catalog.__file__.startswith(sys.argv[1]), catalog.__file__
print("the installed catalog loads: %d scored and %d extended controls, %d options"
      % (len(catalog.SCORED_IDS), len(catalog.EXTENDED_IDS), len(catalog.OPTIONS)))
' "$tmp/install"
echo "installed from tarball; ansible-doc rendered $n plugins/roles"
