#!/usr/bin/env bash
# The execution environment test (issue 19): the EE that users build with ansible-builder from
# execution-environment.yml is built here, and the audit runs inside it the way AWX runs a job.
#
#   1. A base image from Debian packages (debootstrap bookworm: python3 3.11, python3-venv for
#      ensurepip, openssh-client for ssh and ssh-agent), because no registry is reachable here and
#      the AWX base (CentOS Stream) cannot be pulled. A dnf stand-in (scripts/ee/dnf) sits at
#      /usr/bin/dnf so that the Containerfile `ansible-builder create` generates runs unchanged:
#      its `dnf install` / `dnf clean all` calls become apt-get (a package already installed is
#      not fetched). The build machine's CA bundle is the base's, so pip in the build trusts what
#      this machine trusts; its ensurepip works for the system python, as RHEL's does.
#   2. `ansible-builder build` on a copy of execution-environment.yml beside a freshly built
#      collection tarball, only the base swapped (--build-arg EE_BASE_IMAGE). Skipped when the
#      inputs (definition, tarball contents, base image, ansible-builder version) are unchanged.
#      The image is then checked: Python >= 3.11, the pinned ansible-core, the collection at the
#      version galaxy.yml says, and no Python package the collection does not declare.
#   3. A stock Docker host from the test bed (dockersec/host:bookworm: its own dockerd, a workload,
#      sshd, an account `ops` with a key and password-less sudo), as scripts/installed-test.sh
#      starts them.
#   4. `ansible-runner run --process-isolation --process-isolation-executable docker
#      --container-image <EE> -p dockersec.hardening.audit`: the playbook by FQCN from the
#      collection inside the image, the SSH key handed over as a machine credential
#      (env/ssh_key -> ssh-agent in the container), over SSH to the host's bridge address.
#   5. The run's artifacts: rc and status, and the set_stats data AWX keeps as the job's
#      artifacts (the playbook_on_stats event's artifact_data): the host's score, coverage, band,
#      failing and error ids and the fleet's summary, equal to the JSON report's.
#
# Needs root, the test bed (scripts/testbed.sh) and the dev virtualenv (ansible-builder,
# ansible-runner). Usage: scripts/ee-test.sh [--rebuild]
# Environment:
#   DOCKERSEC_DEBIAN_MIRROR  Debian mirror for debootstrap (default: the one apt on this machine uses)
#   DOCKERSEC_IMAGE_DIR      where scripts/testbed.sh put workload.tar (default: <repo>/images/build)
#   KEEP=1                   keep the host instance and the scratch directory for a post-mortem
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/.venv/bin
BASE_IMAGE=dockersec/ee-base:bookworm
EE_IMAGE=dockersec/ee:test
HOST_IMAGE=dockersec/host:bookworm
WORKLOAD_IMAGE=dockersec/workload:busybox
WORKLOAD_TAR=${DOCKERSEC_IMAGE_DIR:-$ROOT/images/build}/workload.tar
BASE_PACKAGES=python3,python3-venv,openssh-client
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# Bump when the base recipe changes in a way the package list, the shim and the CA bundle do not show.
BASE_REVISION=2
LABEL=dockersec.ee-test
REBUILD=false
[ "${1:-}" = "--rebuild" ] && REBUILD=true
T0=$(date +%s)
SUMMARY=()

log() { printf '[ee-test] %s\n' "$*"; }
die() { printf '[ee-test] FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
record() { SUMMARY+=("$(printf '%-30s %s' "$1" "$2")"); log "$1: $2"; }
label_of() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

[ "$(id -u)" = 0 ] || die "run as root (it builds images and starts a Docker-host instance)"
docker info >/dev/null 2>&1 || die "no Docker engine answers: run scripts/testbed.sh (or make testbed) first"
docker image inspect "$HOST_IMAGE" >/dev/null 2>&1 || die "image $HOST_IMAGE is missing: run make testbed first"
[ -f "$WORKLOAD_TAR" ] || die "$WORKLOAD_TAR is missing: run make testbed first"
for tool in ansible-builder ansible-runner ansible-galaxy; do
  [ -x "$BIN/$tool" ] || die "$BIN/$tool is missing: run make venv-dev (requirements-dev.txt)"
done
command -v debootstrap >/dev/null || die "debootstrap is missing: run make testbed (it installs it)"
# The controller side of SSH (ssh-keygen, ssh-keyscan); a fresh CI machine may not have it.
if ! command -v ssh-keygen >/dev/null || ! command -v ssh-keyscan >/dev/null; then
  command -v apt-get >/dev/null || die "no ssh client and no apt-get to install openssh-client"
  log "installing openssh-client ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-client >/dev/null
fi
[ -f "$CA_BUNDLE" ] || die "$CA_BUNDLE is missing (apt-get install ca-certificates)"
read -r NAMESPACE NAME VERSION < <("$BIN/python" -c '
import sys, yaml
g = yaml.safe_load(open(sys.argv[1]))
print(g["namespace"], g["name"], g["version"])' "$ROOT/galaxy.yml")
ANSIBLE_CORE=$(grep -E '^ansible-core==' "$ROOT/requirements.txt") || die "requirements.txt pins no ansible-core"

TMP=$(mktemp -d /var/tmp/dockersec-ee.XXXXXX)
cleanup() {
  local rc=$?
  if [ "${KEEP:-0}" = 1 ]; then
    log "kept $TMP and the instance (docker ps --filter label=$LABEL)"
    return
  fi
  docker ps -aq --filter "label=$LABEL=$TMP" | xargs -r docker rm -f >/dev/null 2>&1 || true
  remove_rootfs "$TMP/rootfs"
  rm -rf "$TMP"
  exit "$rc"
}
# Unmount what a failed debootstrap may have left mounted before removing its rootfs.
remove_rootfs() {
  [ -d "$1" ] || return 0
  awk -v d="$1" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$1"
}
trap cleanup EXIT

# What the definition declares (pinned base, Python, the requirements) is checked by
# tests/unit/test_execution_environment.py; this test builds it and runs it.
EE_PYTHON=$("$BIN/python" -c '
import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["dependencies"]["python_interpreter"]["python_path"])' "$ROOT/execution-environment.yml")

# --- 1. the Debian base ---------------------------------------------------------------------------
debian_mirror() {
  if [ -n "${DOCKERSEC_DEBIAN_MIRROR:-}" ]; then
    echo "$DOCKERSEC_DEBIAN_MIRROR"
    return
  fi
  # shellcheck disable=SC2016  # $(REPO_URI) is apt's field, not the shell's
  apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null \
    | grep -E '^https?://.*/debian/?$' | head -n1 | sed 's:/*$::' | grep . || echo http://deb.debian.org/debian
}

build_base() {
  local t recipe rootfs mirror
  t=$(now)
  recipe="r$BASE_REVISION bookworm $BASE_PACKAGES shim=$(sha256sum <"$ROOT/scripts/ee/dnf" | cut -c1-16) ca=$(sha256sum <"$CA_BUNDLE" | cut -c1-16)"
  if [ "$REBUILD" = false ] && [ "$(label_of "$BASE_IMAGE" org.dockersec.ee-base.recipe)" = "$recipe" ]; then
    record "$BASE_IMAGE" "skipped: same recipe"
    return
  fi
  mirror=$(debian_mirror)
  rootfs=$TMP/rootfs
  log "debootstrap bookworm ($BASE_PACKAGES) from $mirror ..."
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$rootfs" "$mirror" >"$TMP/debootstrap.log" 2>&1 \
    || { tail -n 30 "$TMP/debootstrap.log" >&2; die "debootstrap bookworm failed"; }
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/etc/hostname
  : >"$rootfs"/etc/resolv.conf
  install -m 0755 "$ROOT/scripts/ee/dnf" "$rootfs"/usr/bin/dnf
  # The generated build bootstraps pip with `$PYCMD -m ensurepip --root /`, as RHEL's python3.11
  # allows; Debian's ensurepip refuses for the system python. Drop that one guard (the wheels it
  # installs are Debian's, from python3-pip-whl).
  local ensurepip
  for ensurepip in "$rootfs"/usr/lib/python3.*/ensurepip/__init__.py; do
    sed -i 's/^    _ensurepip_is_disabled_in_debian_for_system()$/    pass  # dockersec EE base: ensurepip enabled/' "$ensurepip"
    grep -q 'dockersec EE base: ensurepip enabled' "$ensurepip" || die "could not enable ensurepip in ${ensurepip#"$rootfs"}"
  done
  install -D -m 0644 "$CA_BUNDLE" "$rootfs$CA_BUNDLE"
  chmod 0755 "$rootfs"
  tar --numeric-owner --xattrs -C "$rootfs" -c . | docker import \
    -c "ENV PIP_CERT=$CA_BUNDLE SSL_CERT_FILE=$CA_BUNDLE" -c 'CMD ["/bin/bash"]' \
    -c "LABEL org.dockersec.ee-base.recipe=\"$recipe\"" \
    -m "dockersec EE test base: debootstrap bookworm" - "$BASE_IMAGE" >/dev/null
  remove_rootfs "$rootfs"
  record "$BASE_IMAGE" "built in $(( $(now) - t )) s"
}

# --- 2. the EE, built by ansible-builder from the user's definition --------------------------------
# What the tarball holds, without the times the build stamps into it (gzip header, members).
tarball_digest() {
  "$BIN/python" - "$1" <<'PY'
import hashlib, sys, tarfile
h = hashlib.sha256()
with tarfile.open(sys.argv[1]) as tar:
    for m in sorted(tar.getmembers(), key=lambda m: m.name):
        h.update(("%s %o %s\n" % (m.name, m.mode, m.type.decode())).encode())
        if m.isfile():
            h.update(tar.extractfile(m).read())
print(h.hexdigest()[:16])
PY
}

build_ee() {
  local t ctx inputs
  t=$(now)
  ctx=$TMP/ee
  mkdir -p "$ctx"
  cp "$ROOT/execution-environment.yml" "$ctx/"
  # The tarball beside the definition, where a user's `make build-tarball` leaves it.
  (cd "$ctx" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH "$BIN/ansible-galaxy" collection build "$ROOT" >/dev/null)
  TARBALL=$ctx/$NAMESPACE-$NAME-$VERSION.tar.gz
  [ -f "$TARBALL" ] || die "ansible-galaxy collection build wrote no $(basename "$TARBALL")"
  inputs="def=$(sha256sum <"$ctx/execution-environment.yml" | cut -c1-16) tar=$(tarball_digest "$TARBALL")"
  inputs+=" base=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE" | cut -c8-23) builder=$("$BIN/ansible-builder" --version)"
  if [ "$REBUILD" = false ] && [ "$(label_of "$EE_IMAGE" org.dockersec.ee.inputs)" = "$inputs" ]; then
    record "$EE_IMAGE" "skipped: same inputs"
    return
  fi
  local old_id
  old_id=$(docker image inspect -f '{{.Id}}' "$EE_IMAGE" 2>/dev/null || true)
  log "ansible-builder build (log: $TMP/ee-build.log) ..."
  # The user's command, with the AWX base swapped for the local one; the image is labelled with
  # its inputs so that an unchanged checkout skips the build.
  (cd "$ctx" && "$BIN/ansible-builder" build -f execution-environment.yml -c context \
      --container-runtime docker -t "$EE_IMAGE" --build-arg "EE_BASE_IMAGE=$BASE_IMAGE" \
      --extra-build-cli-args "--force-rm --label org.dockersec.ee.inputs='$inputs'" -v3) >"$TMP/ee-build.log" 2>&1 \
    || { tail -n 40 "$TMP/ee-build.log" >&2; die "ansible-builder build failed (full log above; KEEP=1 keeps it)"; }
  [ "$(label_of "$EE_IMAGE" org.dockersec.ee.inputs)" = "$inputs" ] \
    || die "the built $EE_IMAGE does not carry its inputs label (--extra-build-cli-args was not applied)"
  record "$EE_IMAGE" "built in $(( $(now) - t )) s"
  drop_stale "$t" "$old_id"
}

# What earlier builds left: the image the tag pointed at and their untagged stage images (every
# image built on the base carries its label). The layers this build reuses stay: they belong to
# its images too.
drop_stale() {  # BUILD_START OLD_ID
  local id created
  [ -n "$2" ] && [ "$2" != "$(docker image inspect -f '{{.Id}}' "$EE_IMAGE")" ] && { docker rmi "$2" >/dev/null 2>&1 || true; }
  for id in $(docker images -q --filter dangling=true --filter label=org.dockersec.ee-base.recipe); do
    created=$(date -d "$(docker image inspect -f '{{.Created}}' "$id")" +%s) || continue
    [ "$created" -lt "$1" ] && { docker rmi "$id" >/dev/null 2>&1 || true; }
  done
  return 0
}

check_ee() {
  # Through the image's entrypoint, as AWX starts it: it gives user 1000 a HOME.
  (docker run --rm "$EE_IMAGE" bash -c '
    ansible --version
    ansible-galaxy collection list dockersec.hardening 2>/dev/null
    for m in docker requests; do "$1" -c "import $m" 2>/dev/null && echo "EXTRA-PACKAGE $m" || true; done
    "$1" -c "import jmespath" 2>/dev/null && echo "DECLARED-PACKAGE jmespath" || true
  ' check "$EE_PYTHON") >"$TMP/ee-check.txt" 2>&1 || { cat "$TMP/ee-check.txt" >&2; die "$EE_IMAGE does not run"; }
  "$BIN/python" - "$TMP/ee-check.txt" "$ANSIBLE_CORE" "$NAMESPACE.$NAME" "$VERSION" <<'PY' \
    || die "the EE is not what execution-environment.yml promises (above; $EE_IMAGE)"
import re, sys
path, core_pin, fqcn, version = sys.argv[1:]
out = open(path).read()
problems = []
core = re.search(r"ansible \[core ([^\]]+)\]", out)
if not core or "ansible-core==" + core.group(1) != core_pin:
    problems.append("ansible-core is %s, requirements.txt pins %s" % (core and core.group(1), core_pin))
py = re.search(r"python version = (\d+)\.(\d+)", out)
if not py or (int(py.group(1)), int(py.group(2))) < (3, 11):
    problems.append("ansible runs on Python %s, ansible-core 2.19 needs 3.11+" % (py and py.group(0)))
if not re.search(r"^# /usr/share/ansible/collections/ansible_collections$", out, re.M) \
        or not re.search(r"^%s +%s *$" % (re.escape(fqcn), re.escape(version)), out, re.M):
    problems.append("%s %s is not installed in /usr/share/ansible/collections" % (fqcn, version))
problems += ["%s is installed, but the collection does not declare it" % m for m in re.findall(r"EXTRA-PACKAGE (\S+)", out)]
if "DECLARED-PACKAGE jmespath" not in out:
    problems.append("jmespath (requirements.txt, the CIS profile's rules) is not importable in the EE")
print("EE: ansible-core %s on Python %s.%s, %s %s" % (core and core.group(1), py and py.group(1), py and py.group(2), fqcn, version))
if problems:
    sys.exit("\n".join(problems))
PY
}

# --- 3. the Docker host, reached over SSH ------------------------------------------------------------
# shellcheck source=scripts/stock-host.sh
. "$ROOT/scripts/stock-host.sh"

# --- 4. the audit through ansible-runner's container isolation ----------------------------------------
run_audit() {
  local t pdd=$TMP/runner name=dockersec-ee-host-$$ addr rc
  t=$(now)
  mkdir -p "$pdd/env" "$pdd/inventory" "$pdd/project"
  ssh-keygen -q -t ed25519 -N '' -C dockersec-ee-test -f "$TMP/id_ed25519"
  start_stock_host "$name" bookworm "$TMP/id_ed25519.pub"
  addr=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$name")
  [ -n "$addr" ] || die "no address on the Docker bridge for $name"
  for _ in $(seq 20); do
    ssh-keyscan -T 2 -t ed25519 "$addr" >>"$pdd/project/known_hosts" 2>/dev/null && break
    sleep 0.5
  done
  grep -q "^$addr " "$pdd/project/known_hosts" || die "sshd on $name ($addr) does not answer"
  record "host $name" "up at $addr in $(( $(now) - t )) s"

  # The private data directory AWX hands ansible-runner: the machine credential's key in
  # env/ssh_key (added to an ssh-agent inside the container), the inventory, extra variables.
  # ansible-runner mounts it at /runner in the EE.
  install -m 0600 "$TMP/id_ed25519" "$pdd/env/ssh_key"
  cat >"$pdd/inventory/hosts.yml" <<EOF
all:
  vars:
    ansible_connection: ssh
    ansible_user: ops
    ansible_ssh_common_args: -o UserKnownHostsFile=/runner/project/known_hosts
  hosts:
    bookworm:
      ansible_host: $addr
EOF
  # The reports go under /runner, which outlives the container, to compare with the artifacts.
  printf 'dockersec_report_dir: /runner/reports\n' >"$pdd/env/extravars"
  t=$(now)
  set +e
  env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH "$BIN/ansible-runner" run "$pdd" --ident ee-audit \
    -p "$NAMESPACE.$NAME.audit" --cmdline=--check \
    --process-isolation --process-isolation-executable docker --container-image "$EE_IMAGE" \
    --container-option="--label=$LABEL=$TMP" >"$TMP/runner.log" 2>&1
  rc=$?
  set -e
  record "audit in the EE" "ansible-runner rc $rc in $(( $(now) - t )) s"
  [ "$rc" = 0 ] || { tail -n 60 "$TMP/runner.log" >&2; die "the audit in the EE failed (rc $rc)"; }
  ARTIFACTS=$pdd/artifacts/ee-audit
  REPORT=$pdd/reports/dockersec-report.json
}

# --- 5. the artifacts AWX reads ------------------------------------------------------------------------
check_artifacts() {
  "$BIN/python" - "$ARTIFACTS" "$REPORT" "$TMP/runner.log" bookworm <<'PY'
import glob, json, os, re, sys

artifacts, report_path, log_path, host = sys.argv[1:]
problems = []
rc = open(os.path.join(artifacts, "rc")).read().strip()
status = open(os.path.join(artifacts, "status")).read().strip()
if (rc, status) != ("0", "successful"):
    problems.append("artifacts say rc %s, status %s" % (rc, status))
events = [json.load(open(p)) for p in glob.glob(os.path.join(artifacts, "job_events", "*.json"))]
stats = [e for e in events if e.get("event") == "playbook_on_stats"]
if len(stats) != 1:
    sys.exit("%d playbook_on_stats events in %s/job_events (expected 1)" % (len(stats), artifacts))
data = stats[0]["event_data"].get("artifact_data") or {}
hosts, fleet = data.get("dockersec_hosts") or {}, data.get("dockersec_fleet") or {}
entry = hosts.get(host)
if entry is None:
    sys.exit("the set_stats artifacts hold no dockersec_hosts[%r]: %s" % (host, json.dumps(data)[:500]))
for key, kind in (("score", (int, float)), ("coverage", (int, float)), ("band", str),
                  ("failing", list), ("errors", list)):
    if not isinstance(entry.get(key), kind):
        problems.append("dockersec_hosts[%s][%s] is %r" % (host, key, entry.get(key)))
if isinstance(entry.get("score"), (int, float)) and not 0 <= entry["score"] <= 100:
    problems.append("score %r is outside 0-100" % entry["score"])
for key in ("audited", "not_audited", "average_score", "min_score", "min_coverage", "by_band", "failing"):
    if key not in fleet:
        problems.append("dockersec_fleet has no %s" % key)
if fleet.get("audited") != 1 or fleet.get("not_audited") != [] or fleet.get("average_score") != entry.get("score"):
    problems.append("dockersec_fleet does not sum up the one host: %s" % json.dumps(fleet))
# The artifacts must say what the report says: same score, band and failing controls.
report = json.load(open(report_path))["hosts"][host]
failing = [str(c["id"]) for c in report.get("controls", []) if c.get("status") == "fail"]
if (report.get("score"), report.get("band"), failing) != (entry.get("score"), entry.get("band"), entry.get("failing")):
    problems.append("set_stats (%s, %s, %s) differ from the JSON report (%s, %s, %s)" % (
        entry.get("score"), entry.get("band"), entry.get("failing"), report.get("score"), report.get("band"), failing))
# A package the EE lacks on the controller side would show as an error verdict naming it.
missing_package = re.compile(r"(?i)python|\bSDK\b|no module named|not importable|pip install|python3-")
for c in report.get("controls", []) + report.get("extended", []):
    if c.get("status") == "error" and missing_package.search(" ".join(c.get("evidence", []))):
        problems.append("item %s is an error for a missing Python package: %s" % (c["id"], " | ".join(c["evidence"])))
if not re.search(r"dockersec scorecard: %s\b" % re.escape(host), open(log_path).read()):
    problems.append("no scorecard for %s in the run's output" % host)
print("set_stats: %s score %s, coverage %s, band %s, %d failing, %d error; fleet average %s"
      % (host, entry.get("score"), entry.get("coverage"), entry.get("band"), len(entry.get("failing") or []),
         len(entry.get("errors") or []), fleet.get("average_score")))
if problems:
    sys.exit("\n".join(problems))
PY
}

build_base
build_ee
check_ee
run_audit
check_artifacts || die "the artifacts of the EE run are not what AWX must get"
log "summary (total $(( $(now) - T0 )) s):"
printf '  %s\n' "${SUMMARY[@]}"
log "passed"
