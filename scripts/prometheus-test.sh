#!/usr/bin/env bash
# The Prometheus report and alert rules, checked by Prometheus' own tool: `promtool check metrics`
# on every file the renderer writes, `promtool check rules` and `promtool test rules` on
# prometheus/dockersec-alerts.yml with series rendered from two real audits
# (tests/prometheus/build_rule_tests.py). promtool comes from Debian's `prometheus` package.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin

# Installing the package must not start a Prometheus server on a developer's machine: its
# postinst starts the service unless policy-rc.d says no (containers and CI images usually do;
# a host with systemd does not), so the package is unpacked without running maintainer scripts
# there, into .tools/, and only promtool is used from it.
policy_denies_start() {
  [ -x /usr/sbin/policy-rc.d ] || return 1
  /usr/sbin/policy-rc.d prometheus start >/dev/null 2>&1
  [ $? = 101 ]
}

promtool_path() {
  if command -v promtool >/dev/null; then
    command -v promtool
    return
  fi
  local local_tool=$PWD/.tools/prometheus/usr/bin/promtool
  if [ -x "$local_tool" ]; then
    echo "$local_tool"
    return
  fi
  if [ "$(id -u)" = 0 ] && policy_denies_start; then
    echo "installing promtool: apt-get install prometheus (policy-rc.d denies service starts)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
    command -v promtool
    return
  fi
  echo "unpacking Debian's prometheus package into .tools/prometheus (no service is started)" >&2
  local tmp
  tmp=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2; fi
  (cd "$tmp" && apt-get download prometheus >&2)
  mkdir -p .tools/prometheus
  dpkg-deb -x "$tmp"/prometheus_*.deb .tools/prometheus
  rm -rf "$tmp"
  echo "$local_tool"
}

PROMTOOL=$(promtool_path)
"$PROMTOOL" --version 2>&1 | head -1

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$BIN/python" tests/prometheus/build_rule_tests.py "$out"

n=0
for f in "$out"/*.prom; do
  # check metrics prints lint problems and exits 0 on some of them: any output is a failure.
  lint=$("$PROMTOOL" check metrics < "$f" 2>&1) || { echo "$f: $lint" >&2; exit 1; }
  if [ -n "$lint" ]; then
    echo "promtool check metrics $(basename "$f"): $lint" >&2
    exit 1
  fi
  n=$((n + 1))
done
echo "promtool check metrics: $n rendered files clean"
"$PROMTOOL" check rules prometheus/dockersec-alerts.yml
"$PROMTOOL" test rules "$out/dockersec-alerts.test.yml"
