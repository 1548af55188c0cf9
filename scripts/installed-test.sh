#!/usr/bin/env bash
# The installed collection, run the way a user runs it (issue 10, items 2 and 4):
#
#   1. `ansible-galaxy collection build` the checkout into a tarball;
#   2. a clean virtualenv with the pins of requirements.txt only (ansible-core, jmespath), the tarball
#      installed into a fresh $HOME with `ansible-galaxy collection install` (plus whatever
#      galaxy.yml declares as dependencies, nothing else);
#   3. stock Docker hosts from the test-bed images (no python3-docker), each with its own
#      dockerd, one workload container, sshd, a non-root account `ops` that logs in with a
#      key and becomes root through password-less sudo, and root with a password only;
#   4. from an empty directory (no ansible.cfg, ANSIBLE_CONFIG unset, no callback variable,
#      ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false), over SSH to each host's address on the Docker
#      bridge:
#        ansible-playbook -i INV dockersec.hardening.audit --check
#        ansible-playbook -i INV dockersec.hardening.remediate       (twice, the second time
#                                                                     from another directory)
#
# It asserts: the scorecard is printed, the JSON report and the history exist, the audit has no
# `error` verdict caused by a missing Python package, remediation raised every host's score,
# the second remediation run changed nothing, and it added to the same history. The sshd
# lockout guard (issue 17 item 3), over real SSH logins: connected as ops with its key, root and
# password login go (the guard judged ops's own login, over SSH); a change that would lock ops out
# (DenyUsers ops@<the controller's address>) is refused with that rule and /etc/ssh unchanged;
# afterwards ops still logs in with its key and a password login is refused.
#
# Needs root and the test bed (scripts/testbed.sh). Usage: scripts/installed-test.sh
# Environment:
#   DOCKERSEC_INSTALLED_HOSTS  space-separated host images to test (default: bookworm trixie,
#                              i.e. dockersec/host:bookworm and dockersec/host:trixie)
#   DOCKERSEC_IMAGE_DIR        where scripts/testbed.sh put workload.tar (default: <repo>/images/build)
#   KEEP=1                     keep the instances and the scratch directory for a post-mortem
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# An array: each release one word, passed on as separate arguments (never re-split or globbed).
read -r -a HOSTS <<< "${DOCKERSEC_INSTALLED_HOSTS:-bookworm trixie}"
WORKLOAD_TAR=${DOCKERSEC_IMAGE_DIR:-$ROOT/images/build}/workload.tar
WORKLOAD_IMAGE=dockersec/workload:busybox
LABEL=dockersec.installed-test
T0=$(date +%s)

log() { printf '[installed-test] %s\n' "$*"; }
die() { printf '[installed-test] FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

[ "$(id -u)" = 0 ] || die "run as root (it starts Docker-host instances)"
[ -f "$WORKLOAD_TAR" ] || die "$WORKLOAD_TAR is missing: run scripts/testbed.sh (or make testbed) first"
for h in "${HOSTS[@]}"; do
  docker image inspect "dockersec/host:$h" >/dev/null 2>&1 \
    || die "image dockersec/host:$h is missing: run scripts/testbed.sh (or make testbed) first"
done
# The controller side of SSH; a fresh CI machine may not have it.
if ! command -v ssh >/dev/null || ! command -v ssh-keyscan >/dev/null; then
  command -v apt-get >/dev/null || die "no ssh client and no apt-get to install openssh-client"
  log "installing openssh-client ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-client >/dev/null
fi
python3 -c 'import venv, ensurepip' 2>/dev/null || die "python3 has no venv module (apt-get install python3-venv)"
ANSIBLE_CORE=$(grep -E '^ansible-core==' "$ROOT/requirements.txt") \
  || die "requirements.txt pins no ansible-core"
# The controller's other requirement: the CIS profile's declarative rules (the first play stops without it).
JMESPATH=$(grep -E '^jmespath==' "$ROOT/requirements.txt") || die "requirements.txt pins no jmespath"

TMP=$(mktemp -d /var/tmp/dockersec-installed.XXXXXX)
cleanup() {
  local rc=$?
  if [ "${KEEP:-0}" = 1 ]; then
    log "kept $TMP and the instances (docker ps --filter label=$LABEL)"
    return
  fi
  docker ps -aq --filter "label=$LABEL=$TMP" | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT

# Everything the user side runs gets this environment and nothing else: no ANSIBLE_CONFIG or
# ANSIBLE_COLLECTIONS_PATH from the Makefile, no callback variable, no checkout on any path.
mkdir -p "$TMP/home" "$TMP/work" "$TMP/elsewhere" "$TMP/dist"
user_env() {
  env -i PATH="$TMP/venv/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" HOME="$TMP/home" \
    LANG=C.UTF-8 ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false "$@"
}

# --- 1. the clean virtualenv --------------------------------------------------------------------
t=$(now)
python3 -m venv "$TMP/venv"
user_env pip install -q --disable-pip-version-check "$ANSIBLE_CORE" "$JMESPATH" >"$TMP/pip.log" 2>&1 \
  || { cat "$TMP/pip.log" >&2; die "pip install $ANSIBLE_CORE $JMESPATH failed"; }
extra=$(user_env pip freeze | grep -viE '^(ansible-core|jmespath|jinja2|markupsafe|packaging|pyyaml|resolvelib|cryptography|cffi|pycparser)==' || true)
[ -z "$extra" ] || die "the clean virtualenv holds more than requirements.txt (ansible-core, jmespath) and their requirements: $extra"
log "virtualenv with $ANSIBLE_CORE and $JMESPATH only: $(( $(now) - t )) s"

# --- 2. build and install the tarball -------------------------------------------------------------
t=$(now)
(cd "$TMP/work" && user_env ansible-galaxy collection build --output-path "$TMP/dist" "$ROOT" >/dev/null)
tarball=$(ls "$TMP"/dist/dockersec-hardening-*.tar.gz)
# Galaxy is not reachable here: a declared dependency that is not installed makes this fail,
# exactly as it would for a user without access to it.
(cd "$TMP/work" && user_env ansible-galaxy collection install "$tarball" >"$TMP/install.log" 2>&1) \
  || { cat "$TMP/install.log" >&2; die "ansible-galaxy collection install $(basename "$tarball") failed"; }
(cd "$TMP/work" && user_env ansible-galaxy collection list) >"$TMP/collections.txt"
grep -q 'dockersec.hardening' "$TMP/collections.txt" || die "the installed collection is not listed: $(cat "$TMP/collections.txt")"
log "built and installed $(basename "$tarball") into a fresh \$HOME: $(( $(now) - t )) s"

# --- 3. stock Docker hosts reached over SSH ------------------------------------------------------
t=$(now)
ssh-keygen -q -t ed25519 -N '' -C dockersec-installed-test -f "$TMP/id_ed25519"

# shellcheck source=scripts/stock-host.sh
. "$ROOT/scripts/stock-host.sh"
start_host() {  # SUITE
  start_stock_host "dockersec-installed-$1-$$" "$1" "$TMP/id_ed25519.pub"
}

inventory=$TMP/work/inventory.yml
{
  echo "all:"
  echo "  vars:"
  echo "    ansible_connection: ssh"
  echo "    ansible_user: ops"
  echo "    ansible_ssh_private_key_file: $TMP/id_ed25519"
  # ssh reads ~/.ssh from the passwd entry, not $HOME: the scanned host keys are named here.
  echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$TMP/known_hosts"
  echo "  hosts:"
} >"$inventory"
for h in "${HOSTS[@]}"; do
  start_host "$h"
  addr=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "dockersec-installed-$h-$$")
  [ -n "$addr" ] || die "no address on the Docker bridge for dockersec-installed-$h-$$"
  for _ in $(seq 20); do
    ssh-keyscan -T 2 -t ed25519 "$addr" >>"$TMP/known_hosts" 2>/dev/null && break
    sleep 0.5
  done
  grep -q "^$addr " "$TMP/known_hosts" || die "sshd on $h ($addr) does not answer"
  printf '    %s:\n      ansible_host: %s\n' "$h" "$addr" >>"$inventory"
done
log "stock hosts up (${HOSTS[*]}), reached as ops@ over SSH: $(( $(now) - t )) s"

# --- 4. the playbooks by FQCN ----------------------------------------------------------------------
RUN_DIR=$TMP/work
run_playbook() {  # LOG PLAYBOOK [ARGS...]
  local out=$1 t rc
  shift
  t=$(now)
  set +e
  (cd "$RUN_DIR" && user_env ansible-playbook -i "$inventory" "$@") >"$TMP/$out" 2>&1
  rc=$?
  set -e
  log "ansible-playbook -i INV $* -> rc $rc, $(( $(now) - t )) s (output: $out)"
  LAST_RC=$rc
}
show_tail() { tail -n 60 "$TMP/$1" >&2; }

run_playbook audit.log dockersec.hardening.audit --check
[ "$LAST_RC" = 0 ] || { show_tail audit.log; die "the audit failed (rc $LAST_RC)"; }
# Found, not assumed: where the reports go by default is the collection's to define (the
# README documents it); the check is that a user with no settings gets them somewhere.
REPORT_DIR=$(find "$TMP" -path "$TMP/venv" -prune -o -name dockersec-report.json -printf '%h\n' | head -n 1)
[ -n "$REPORT_DIR" ] || { show_tail audit.log; die "the audit wrote no dockersec-report.json anywhere under $TMP"; }
log "reports in ${REPORT_DIR#"$TMP"/}"

# Assertions on the reports, in Python: the controller's python3 reads JSON without a package.
check() {  # STAGE
  python3 - "$1" "$REPORT_DIR" "$TMP" "${HOSTS[@]}" <<'PY'
import json, os, re, sys

stage, report_dir, tmp, hosts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
problems = []
log_name = {"audit": "audit.log", "remediate": "remediate.log"}[stage]
output = open(os.path.join(tmp, log_name)).read()
for host in hosts:
    if not re.search(r"dockersec scorecard: %s\b" % re.escape(host), output):
        problems.append("%s: no scorecard for %s in the playbook output" % (stage, host))
report_path = os.path.join(report_dir, "dockersec-report.json")
history_path = os.path.join(report_dir, "dockersec-history.jsonl")
for path in (report_path, history_path):
    if not os.path.isfile(path):
        problems.append("%s: %s is missing" % (stage, path))
if problems:
    sys.exit("\n".join(problems))
report = json.load(open(report_path))
history = [json.loads(line) for line in open(history_path) if line.strip()]
missing_package = re.compile(r"(?i)python|\bSDK\b|no module named|not importable|pip install|python3-")
for host in hosts:
    result = report.get("hosts", {}).get(host)
    if not result:
        problems.append("%s: the report has no result for %s" % (stage, host))
        continue
    verdicts = result.get("controls", []) + result.get("extended", [])
    errors = [c for c in verdicts if c.get("status") == "error"]
    for c in errors:
        if missing_package.search(" ".join(c.get("evidence", []))):
            problems.append("%s: %s item %s is an error for a missing Python package: %s"
                            % (stage, host, c["id"], " | ".join(c["evidence"])))
    scores = [float(line["score"]) for line in history if line.get("host") == host]
    print("%s %s: score %s, %d error verdict(s): %s; history scores %s" % (
        stage, host, result.get("score"), len(errors), ", ".join(str(c["id"]) for c in errors) or "-", scores))
    if stage == "remediate" and not (len(scores) >= 2 and scores[-1] > scores[0]):
        problems.append("remediate: the score of %s did not rise (history: %s)" % (host, scores))
if problems:
    sys.exit("\n".join(problems))
PY
}
check audit || die "the audit's output or reports are not what a user must get"

run_playbook remediate.log dockersec.hardening.remediate
[ "$LAST_RC" = 0 ] || { show_tail remediate.log; die "remediation failed (rc $LAST_RC)"; }
check remediate || die "the remediation's output or reports are not what a user must get"

# From another directory: the history must go on in the same place, not start afresh.
RUN_DIR=$TMP/elsewhere
run_playbook remediate-again.log dockersec.hardening.remediate
[ "$LAST_RC" = 0 ] || { show_tail remediate-again.log; die "the second remediation run failed (rc $LAST_RC)"; }
for h in "${HOSTS[@]}"; do
  recap=$(grep -E "^$h +: " "$TMP/remediate-again.log" | tail -n 1)
  [ -n "$recap" ] || { show_tail remediate-again.log; die "no PLAY RECAP line for $h in the second remediation run"; }
  case $recap in
    *" changed=0 "*) ;;
    *) grep -E '^(changed|TASK)' "$TMP/remediate-again.log" | grep -B1 '^changed' >&2 || true
       die "the second remediation run changed $h: $recap" ;;
  esac
done
log "second remediation run: changed=0 on ${HOSTS[*]}"
for h in "${HOSTS[@]}"; do
  n=$(grep -c "\"host\": *\"$h\"" "$REPORT_DIR/dockersec-history.jsonl" || true)
  [ "$n" = 3 ] || die "$REPORT_DIR/dockersec-history.jsonl holds $n lines for $h after three runs (the run from another directory lost or split the history)"
done
[ -z "$(find "$TMP/elsewhere" -name 'dockersec-*')" ] || die "the run from $TMP/elsewhere wrote reports there: $(find "$TMP/elsewhere" -name 'dockersec-*')"
log "the run from another directory went on with the same history"

# --- 5. the sshd lockout guard over real SSH logins ---------------------------------------------------
t=$(now)
n=$(grep -cE '"lockout guard: ops from [0-9.]+ \(over SSH\) logs in with a key \(ansible_ssh_private_key_file set\)"' \
  "$TMP/remediate.log" || true)
[ "$n" = "${#HOSTS[@]}" ] \
  || { grep 'lockout guard' "$TMP/remediate.log" >&2; die "the guard did not judge ops's login as a key login over SSH on every host"; }
! grep -q 'deferred 3:' "$TMP/remediate.log" || { grep 'deferred 3:' "$TMP/remediate.log" >&2; die "item 3 was deferred for ops"; }
h=${HOSTS[0]}
name="dockersec-installed-$h-$$"
addr=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$name")
ssh_ops() {
  ssh -i "$TMP/id_ed25519" -o UserKnownHostsFile="$TMP/known_hosts" -o BatchMode=yes -o ConnectTimeout=10 "$@"
}
# The address sshd sees the controller come from, as sshd itself reports it.
# shellcheck disable=SC2016  # expanded by ops's shell on the host
client=$(ssh_ops "ops@$addr" 'echo "$SSH_CONNECTION"' | awk '{print $1}')
[ -n "$client" ] || die "no SSH_CONNECTION in ops's session on $h"
etc_ssh() { docker exec "$name" sh -c 'cd / && find etc/ssh -type f | LC_ALL=C sort | xargs sha256sum'; }
before=$(etc_ssh)
run_playbook guard.log dockersec.hardening.remediate --limit "$h" -e \
  "{\"dockersec_remediate_roles\": [\"sshd\"], \"dockersec_fix_controls\": [\"3\"], \"sshd_extra_settings\": {\"DenyUsers\": \"ops@$client\"}}"
[ "$LAST_RC" = 0 ] || { show_tail guard.log; die "the refused sshd change failed the run (rc $LAST_RC)"; }
want="deferred 3: sshd left unchanged by the lockout guard: ops logs in with a key (ansible_ssh_private_key_file set) and DenyUsers ops@$client would lock it out"
grep -qF "$want" "$TMP/guard.log" || { show_tail guard.log; die "the guard did not refuse DenyUsers ops@$client with the rule: want '$want'"; }
[ "$(etc_ssh)" = "$before" ] || die "the refused sshd change altered /etc/ssh on $h"
for h in "${HOSTS[@]}"; do
  addr=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "dockersec-installed-$h-$$")
  [ "$(ssh_ops "ops@$addr" id -un)" = ops ] || die "ops no longer logs in with its key on $h"
  set +e
  err=$(ssh_ops -o PubkeyAuthentication=no "root@$addr" true 2>&1)
  set -e
  case $err in
    *"Permission denied (publickey)"*) ;;
    *) die "root's password login on $h was not refused as publickey-only: $err" ;;
  esac
done
log "sshd lockout guard: ops judged over SSH by key, DenyUsers ops@$client refused with /etc/ssh unchanged, ops still logs in: $(( $(now) - t )) s"
log "passed in $(( $(now) - T0 )) s"
