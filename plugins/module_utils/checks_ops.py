# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for checklist items 26-50: secrets, socket, logging and monitoring, swarm,
supply chain and governance.

Each evaluator is ``fn(facts, opts) -> (status, [evidence])`` (see checks_common); ids, titles,
modes and required collectors live in catalog.py only. Manual-mode items (34, 44, 47, 48) have
no evaluator: the engine reports them ``manual`` unless attested.

The engine adds private keys to ``opts``: ``_today`` (a date), ``_history`` (earlier audits of
this host: ``{"host", "generated_at", "score", "collection_version"}``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.checks_common import (
    ERROR,
    FAIL,
    MANUAL,
    NA,
    PASS,
    SECRET_FILE_SUFFIX_RE,
    as_dict,
    as_list,
    container_label,
    daemon_flags,
    daemon_json,
    daemon_setting,
    days_since,
    docker,
    falsy,
    image_matches,
    is_secret_name,
    parse_image_ref,
    parse_timestamp,
    restart_pending,
    result,
    truthy,
)

EVIDENCE_LIMIT = 20

OPTIONS = {
    "secret_max_age_days": {
        "type": "int", "default": 90,
        "description": "Item 29: a swarm secret created longer ago than this many days fails (rotate it).",
    },
    "socket_proxy_images": {
        "type": "list", "default": ["docker.io/tecnativa/docker-socket-proxy"],
        "description": "Item 30: images (registry/repository prefixes) allowed to mount the Docker socket, "
                       "read-only only.",
    },
    "socket_allowed_groups": {
        "type": "list", "default": ["docker", "root"],
        "description": "Item 30: groups the Docker socket may belong to (owner must be root, mode at most 0660).",
    },
    "remote_log_drivers": {
        "type": "list",
        "default": ["syslog", "journald", "fluentd", "gelf", "awslogs", "splunk", "gcplogs", "logentries",
                    "etwlogs", "loki"],
        "description": "Item 31: log drivers that ship logs off the container host and pass as centralized logging.",
    },
    "log_shipper_patterns": {
        "type": "list",
        "default": ["fluentd", "fluent-bit", "td-agent", "td-agent-bit", "vector", "promtail", "filebeat",
                    "journalbeat", "logstash", "systemd-journal-upload", "syslog-ng", "grafana-agent", "alloy",
                    "otelcol", "otelcol-contrib", "splunkd", "nxlog", "datadog-agent"],
        "description": "Items 32 and X.14: names of log/event shippers, matched against running services, "
                       "processes and running containers' image names.",
    },
    "metrics_agent_patterns": {
        "type": "list",
        "default": ["cadvisor", "node-exporter", "prometheus", "prometheus-agent", "grafana-agent", "alloy",
                    "telegraf", "datadog-agent", "netdata", "collectd", "zabbix-agent", "zabbix-agent2",
                    "otelcol", "otelcol-contrib", "newrelic-infra", "metricbeat", "elastic-agent"],
        "description": "Items 33 and X.14: names of metrics agents, matched against running services, "
                       "processes and running containers' image names.",
    },
    "runtime_sensor_patterns": {
        "type": "list", "default": ["falco", "tetragon", "tracee"],
        "description": "Item 35: runtime security sensors (Falco or similar), matched like log_shipper_patterns.",
    },
    "join_token_max_age_days": {
        "type": "int", "default": 90,
        "description": "Item 37: swarm join tokens must have been rotated within this many days.",
    },
    "cert_expiry_max_days": {
        "type": "int", "default": 30,
        "description": "Item 38: the swarm node certificate lifetime (NodeCertExpiry) may be at most this long.",
    },
    "allow_single_manager": {
        "type": "bool", "default": False,
        "description": "Item 39: accept a swarm with a single manager (labs, small sites).",
    },
    "sensitive_label_keys": {
        "type": "list", "default": ["security-zone", "sensitivity", "classification", "pci", "pii"],
        "description": "Item 40: a swarm service carrying a label with one of these names (or ending in "
                       "'.<name>') must have placement constraints.",
    },
    "build_toolchain_packages": {
        "type": "list",
        "default": ["gcc", "gcc-[0-9]*", "g++", "g++-[0-9]*", "clang", "clang-[0-9]*", "build-essential",
                    "build-base", "make", "cmake", "golang", "golang-[0-9]*", "golang-go", "rustc", "cargo",
                    "rust", "maven", "gradle", "default-jdk", "default-jdk-headless", "openjdk-*-jdk",
                    "openjdk-*-jdk-headless", "openjdk*-jdk", "java-*-openjdk-devel"],
        "description": "Item 42: package names (shell patterns) that are compilers or build toolchains; "
                       "installing one in a runtime image's history without removing it fails.",
    },
    "signature_policy": {
        "type": "str", "default": "",
        "description": "Item 43: the image signature verification policy this host enforces (a policy file such "
                       "as /etc/containers/policy.json, or 'configured'); enforcing it needs cosign or notary on "
                       "the host. Empty means no policy is known.",
    },
    "private_registries": {
        "type": "list", "default": [],
        "description": "Item 45: your private registries (registry or registry/namespace prefixes); every "
                       "running image must come from one. Empty means none configured: the item fails.",
    },
    "benchmark_max_age_days": {
        "type": "int", "default": 30,
        "description": "Item 46: the newest docker-bench-security run (its JSON log, with results) must be at "
                       "most this many days old.",
    },
    "docker_bench_log_path": {
        "type": "str", "default": "",
        "description": "Item 46: a docker-bench-security JSON log (log/docker-bench-security.log.json), or a "
                       "directory of them (the newest counts), on the controller, e.g. collected from the hosts by "
                       "CI. The gather also reads the log on the host at the usual paths (/var/log, "
                       "/opt/docker-bench-security/log, ...).",
    },
    "audit_max_age_days": {
        "type": "int", "default": 92, "min": 1,
        "description": "Item 49: the audit period. The history must hold at least two audits of this host on "
                       "different days, the newest at most this many days old, and no gap between them (within "
                       "audit_history_window_days) longer than this.",
    },
    "audit_history_window_days": {
        "type": "int", "default": 365, "min": 1,
        "description": "Item 49: how far back the gaps between recorded audits are judged (an old lapse that "
                       "has since been fixed stops counting).",
    },
    "inventory_export": {
        "type": "bool", "default": True,
        "description": "Item 50: carry the container inventory in the JSON report.",
    },
}


# --- option and fact access ------------------------------------------------------------------------

def opt(opts, name, options=None):
    """The option ``name`` from ``opts``, coerced to its declared type; the default when unusable."""
    spec = (options or OPTIONS)[name]
    default = spec["default"]
    value = as_dict(opts).get(name)
    if value is None:
        return list(default) if isinstance(default, list) else default
    kind = spec["type"]
    if kind == "int":
        if isinstance(value, bool):
            return default
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            return default
        return value if value >= 0 else default
    if kind == "bool":
        if truthy(value):
            return True
        if falsy(value):
            return False
        return default
    if kind == "list":
        return [str(v) for v in as_list(value) if v is not None and str(v).strip()]
    if kind == "dict":
        return value if isinstance(value, dict) else default
    return value if isinstance(value, str) else str(value)


def today(facts, opts):
    """The audit date: the engine's ``_today``, else the date the facts were gathered, else None."""
    ts = parse_timestamp(as_dict(opts).get("_today"))
    if ts is None:
        ts = parse_timestamp(as_dict(facts).get("gathered_at"))
    return ts.date() if ts is not None else None


def text(value, limit=80):
    """A printable, bounded rendering of a name from the facts."""
    s = str(value)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def names(values):
    return [str(v) for v in as_list(values) if v is not None and not isinstance(v, (dict, list))]


def limited(evidence, limit=EVIDENCE_LIMIT):
    if len(evidence) > limit:
        return evidence[:limit] + ["... and %d more" % (len(evidence) - limit)]
    return evidence


def scoped_containers(facts, opts, running_only=True):
    """Containers in scope: like checks_common.running_containers, hardened against odd facts."""
    o = as_dict(opts)
    excl_names = set(names(o.get("exclude_containers")))
    excl_labels = set(names(o.get("exclude_container_labels")))
    out = []
    for c in as_list(docker(facts).get("containers")):
        if not isinstance(c, dict):
            continue
        if running_only and c.get("state") != "running":
            continue
        if c.get("name") is not None and str(c.get("name")) in excl_names:
            continue
        if excl_labels.intersection(names(c.get("label_names"))):
            continue
        out.append(c)
    return out


def image_of(facts, container):
    """The image facts for a container (``docker.images[image_id]``), {} when unknown."""
    images = as_dict(docker(facts).get("images"))
    key = container.get("image_id")
    if isinstance(key, (list, dict)) or key is None:
        return {}
    return as_dict(images.get(str(key)))


def per_container_tri(facts, opts, check, ok_text, fail_text, containers=None, none_text=None):
    """Per-container rule with an honest "unknown": ``check(c)`` returns None (ok), a reason
    string (offends) or ``("unknown", reason)``.

    fail when any container offends; manual when none offends but some could not be checked;
    pass only when every in-scope container was checked and passed.
    """
    if containers is None:
        containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, none_text or "no running containers in scope")
    bad, unknown = [], []
    for c in containers:
        why = check(c)
        if isinstance(why, tuple):
            unknown.append("%s: %s" % (text(container_label(c), 120), why[1]))
        elif why:
            bad.append("%s: %s" % (text(container_label(c), 120), why))
    if bad:
        evidence = ["%s: %d of %d containers" % (fail_text, len(bad), len(containers))] + limited(bad)
        if unknown:
            evidence.append("%d more could not be checked" % len(unknown))
        return result(FAIL, evidence)
    if unknown:
        return result(MANUAL, ["%d of %d containers could not be checked" % (len(unknown), len(containers))]
                      + limited(unknown))
    return result(PASS, "%s (%d containers checked)" % (ok_text, len(containers)))


def swarm_state(facts):
    """(active, is_manager, swarm dict). ``is_manager`` is None when unknown."""
    d = docker(facts)
    swarm = d.get("swarm")
    info_swarm = as_dict(as_dict(d.get("info")).get("Swarm"))
    active = isinstance(swarm, dict) or info_swarm.get("LocalNodeState") == "active"
    swarm = as_dict(swarm)
    manager = swarm.get("is_manager")
    if not isinstance(manager, bool):
        manager = info_swarm.get("ControlAvailable") if isinstance(info_swarm.get("ControlAvailable"), bool) \
            else None
    return active, manager, swarm


def swarm_services(swarm):
    return [s for s in as_list(swarm.get("services")) if isinstance(s, dict)]


def _boundary_match(name, pattern):
    """``pattern`` occurs in ``name`` as a whole word (separators: anything but [a-z0-9]); a
    15-character process name (truncated comm) may end in the pattern's prefix."""
    name = name.lower().replace("_", "-")
    pattern = pattern.lower().replace("_", "-")
    if not pattern:
        return False
    if re.search(r"(^|[^a-z0-9])%s($|[^a-z0-9])" % re.escape(pattern), name):
        return True
    if len(name) == 15:
        for m in re.finditer(r"(^|[^a-z0-9])", name):
            tail = name[m.end():]
            if len(tail) >= 4 and pattern.startswith(tail):
                return True
    return False


def host_agent_matches(facts, opts, patterns):
    """Where any of ``patterns`` runs: ["service fluent-bit.service", "container vector (image ...)"]."""
    services = as_dict(as_dict(facts).get("services"))
    found = []
    for kind, values in (("service", services.get("running")), ("process", services.get("processes"))):
        for n in names(values):
            for p in patterns:
                if _boundary_match(n, p):
                    found.append("%s %s" % (kind, text(n)))
                    break
    matches = {}  # image -> whether it matches: containers share a handful of images
    for c in scoped_containers(facts, opts):
        image = c.get("image")
        if image is None or isinstance(image, (list, dict)):
            continue
        if image not in matches:
            _reg, repo, _tag, _digest = parse_image_ref(image)
            base = repo.rsplit("/", 1)[-1]
            matches[image] = any(_boundary_match(base, p) for p in patterns)
        if matches[image]:
            found.append("container %s (image %s)" % (text(container_label(c)), text(image)))
    return found


def daemon_hosts(facts):
    """Every address dockerd listens on: daemon.json hosts, -H/--host flags, else the unit's ExecStart."""
    hosts = names(daemon_json(facts).get("hosts"))
    flags = daemon_flags(facts)
    for flag in ("-H", "--host"):
        hosts.extend(names(flags.get(flag)))
    if not flags:
        exec_start = as_dict(as_dict(facts).get("dockerd_process")).get("unit_exec_start")
        if isinstance(exec_start, str):
            tokens = exec_start.split()
            for i, tok in enumerate(tokens):
                if tok in ("-H", "--host") and i + 1 < len(tokens):
                    hosts.append(tokens[i + 1])
                elif tok.startswith("--host=") or tok.startswith("-H="):
                    hosts.append(tok.split("=", 1)[1])
                elif tok.startswith("-H") and len(tok) > 2:
                    hosts.append(tok[2:])
    return hosts


def tcp_without_tls(facts):
    """(tcp hosts, tls state text, verified): verified is True only with tlsverify."""
    tcp = [h for h in daemon_hosts(facts) if h.strip().lower().startswith("tcp://")]
    verify, source = daemon_setting(facts, "tlsverify")
    verified = verify is not None and truthy(verify)
    return tcp, ("tlsverify from %s" % source) if verified else "no tlsverify", verified


# --- 26-30: secrets and data ---------------------------------------------------------------------

def check_26(facts, opts):
    """No secret-like environment variable names in containers or swarm services."""
    facts = as_dict(facts)
    containers = scoped_containers(facts, opts, running_only=False)
    _active, _manager, swarm = swarm_state(facts)
    services = swarm_services(swarm)
    if not containers and not services:
        return result(NA, "no containers or swarm services on this host")
    bad = []
    for c in containers:
        hits = sorted(set(n for n in names(c.get("env_names")) if is_secret_name(n)))
        if hits:
            state = "" if c.get("state") == "running" else " [%s]" % text(c.get("state"), 20)
            bad.append("container %s%s: %s" % (container_label(c), state, ", ".join(text(h) for h in hits)))
    for s in services:
        hits = sorted(set(n for n in names(s.get("env_names")) if is_secret_name(n)))
        if hits:
            bad.append("service %s: %s" % (text(s.get("name")), ", ".join(text(h) for h in hits)))
    checked = "%d containers, %d swarm services checked" % (len(containers), len(services))
    if _active and _manager is False:
        # A worker cannot list services; their tasks on this node are among the containers.
        checked = "%d containers checked; swarm services are checked in the manager's report" % len(containers)
    if bad:
        return result(FAIL, ["secret-like environment variable names (%s); move the values to Docker "
                             "secrets or files" % checked] + limited(bad))
    return result(PASS, "no secret-like environment variable names (%s)" % checked)


def _mount_for(path, entries):
    """The mount entry holding ``path`` (longest target prefix, the last one mounted wins)."""
    best, best_len = None, -1
    for e in entries:
        target = e.get("target")
        if not isinstance(target, str) or not target.startswith("/"):
            continue
        t = target.rstrip("/") or "/"
        if path == t or t == "/" or path.startswith(t + "/"):
            if len(t) >= best_len:
                best, best_len = e, len(t)
    return best


_NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "9p", "virtiofs", "zfs", "fuse")
_ENCRYPTING_FS = ("ecryptfs", "gocryptfs", "fuse.gocryptfs", "fuse.encfs", "fuse.cryfs")


def check_27(facts, opts):
    """DockerRootDir and volumes outside it on a dm-crypt/LUKS device."""
    facts = as_dict(facts)
    d = docker(facts)
    root = as_dict(d.get("info")).get("DockerRootDir")
    if not isinstance(root, str) or not root.startswith("/"):
        return result(ERROR, "DockerRootDir unknown: docker info did not report it")
    mounts = facts.get("mounts")
    if isinstance(mounts, list):
        entries, crypt, lsblk_error = mounts, None, "lsblk results not gathered"
    else:
        mounts = as_dict(mounts)
        entries, crypt, lsblk_error = as_list(mounts.get("entries")), mounts.get("crypt_devices"), \
            mounts.get("lsblk_error")
    entries = [e for e in entries if isinstance(e, dict)]
    paths = [("DockerRootDir", root.rstrip("/") or "/")]
    root_prefix = paths[0][1]
    for c in scoped_containers(facts, opts, running_only=False):
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            src = m.get("source")
            if m.get("type") == "volume" and isinstance(src, str) and src.startswith("/") and \
                    not (src == root_prefix or src.startswith(root_prefix + "/")):
                paths.append(("volume of %s" % container_label(c), src.rstrip("/") or "/"))
    if not entries:
        return result(ERROR, "mount table not gathered: cannot tell where %s lives" % root)
    lsblk_known = crypt is not None and not lsblk_error
    crypt_names = set()
    for dev in names(crypt) if lsblk_known else []:
        crypt_names.add(dev)
        crypt_names.add(dev.rsplit("/", 1)[-1])
    bad, unknown, good = [], [], []
    seen = set()
    for what, path in paths:
        if path in seen:
            continue
        seen.add(path)
        entry = _mount_for(path, entries)
        if entry is None:
            unknown.append("%s %s: no mount entry found" % (what, text(path)))
            continue
        source, fstype = str(entry.get("source")), str(entry.get("fstype") or "")
        where = "%s %s on %s (%s, mounted at %s)" % (what, text(path), text(source), text(fstype, 20),
                                                     text(entry.get("target")))
        mapped = source.startswith("/dev/mapper/") or source.startswith("/dev/dm-")
        if source in crypt_names or source.rsplit("/", 1)[-1] in crypt_names or fstype in _ENCRYPTING_FS:
            good.append(where)
        elif fstype in _NETWORK_FS or fstype.startswith("fuse") or not source.startswith("/dev/"):
            unknown.append(where + ": encryption cannot be seen from the OS")
        elif mapped and not lsblk_known:
            unknown.append(where + ": a device-mapper device, but lsblk is unavailable (%s)"
                           % text(lsblk_error or "no crypt device list", 120))
        else:
            # a plain partition or disk cannot be dm-crypt itself, lsblk or not
            bad.append(where + ": not a dm-crypt/LUKS device")
    if bad:
        return result(FAIL, ["Docker data on unencrypted storage (if the disk is encrypted below the OS, "
                             "waive with the reason)"] + limited(bad) + limited(unknown))
    if unknown:
        return result(MANUAL, ["encryption of Docker data cannot be confirmed; attest (dockersec_attestations) "
                               "if it is encrypted"] + limited(unknown) + good)
    return result(PASS, ["Docker data on encrypted devices"] + limited(good))


def _service_secrets(swarm):
    """service name -> list of secret names; None when the services are not visible (worker)."""
    if swarm.get("services") is None:
        return None
    out = {}
    for s in swarm_services(swarm):
        out[str(s.get("name"))] = names(s.get("secrets"))
    return out


def _on_tmpfs(c, path="/run/secrets"):
    """True when ``path`` inside the container lies on a tmpfs (HostConfig.Tmpfs or a tmpfs mount)."""
    candidates = []
    for t in as_list(c.get("tmpfs")):
        if isinstance(t, str):
            candidates.append(t.split(":", 1)[0])
    if isinstance(c.get("tmpfs"), dict):
        candidates.extend(str(k) for k in c.get("tmpfs"))
    for m in as_list(c.get("mounts")):
        m = as_dict(m)
        if m.get("type") == "tmpfs" and isinstance(m.get("destination"), str):
            candidates.append(m.get("destination"))
    for t in candidates:
        t = t.rstrip("/") or "/"
        if path == t or path.startswith(t + "/"):
            return True
    return False


def check_28(facts, opts):
    """Containers that use secrets keep them on tmpfs (/run/secrets) or get them as swarm secrets."""
    facts = as_dict(facts)
    _active, _manager, swarm = swarm_state(facts)
    service_secrets = _service_secrets(swarm)
    users = {}
    for c in scoped_containers(facts, opts):
        env = names(c.get("env_names"))
        secret_env = sorted(set(n for n in env if is_secret_name(n)))
        # DB_PASSWORD_FILE and the like: the container reads a secret from a file
        file_env = sorted(set(n for n in env if SECRET_FILE_SUFFIX_RE.search(n)
                              and is_secret_name(SECRET_FILE_SUFFIX_RE.sub("", n))))
        svc = c.get("swarm_service")
        svc_secrets = []
        if svc is not None and service_secrets is not None:
            svc_secrets = service_secrets.get(str(svc), [])
        if secret_env or file_env or svc_secrets:
            users[id(c)] = (c, secret_env + file_env, svc_secrets)
    if not users:
        return result(NA, "no running container uses secrets (no secret-like env names, no swarm secrets)")

    def check(c):
        _c, env, svc_secrets = users[id(c)]
        if svc_secrets or _on_tmpfs(c):
            return None
        if c.get("swarm_service") is not None and service_secrets is None:
            return ("unknown", "uses secrets (%s); a swarm task, but its service's secrets are not visible "
                               "on this worker" % ", ".join(text(e) for e in env))
        return "uses secrets (%s) but /run/secrets is not a tmpfs and no swarm secret is attached" % ", ".join(
            text(e) for e in env)

    return per_container_tri(facts, opts, check, "containers that use secrets keep them on tmpfs or swarm secrets",
                             "secrets not on tmpfs", containers=[u[0] for u in users.values()])


def check_29(facts, opts):
    """Swarm secrets not older than secret_max_age_days; attestation off swarm."""
    facts = as_dict(facts)
    active, manager, swarm = swarm_state(facts)
    if not active:
        return result(MANUAL, "not in a swarm: secret rotation cannot be seen; attest how secrets are rotated")
    if manager is False:
        return result(NA, "only managers can see secrets; the manager's report covers it")
    secrets = swarm.get("secrets")
    if not isinstance(secrets, list):
        return result(ERROR, "swarm secrets could not be listed on this manager")
    if not secrets:
        return result(NA, "no swarm secrets defined")
    max_age = opt(opts, "secret_max_age_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown: cannot compute secret ages")
    old, unknown, fresh = [], [], 0
    for s in secrets:
        s = as_dict(s)
        name = text(s.get("name"))
        stamp = s.get("created_at") or s.get("updated_at")
        age = days_since(stamp, day)
        if age is None:
            unknown.append("secret %s: creation date unreadable (%s)" % (name, text(stamp, 40)))
        elif age > max_age:
            old.append("secret %s: created %d days ago" % (name, age))
        else:
            fresh += 1
    if old:
        return result(FAIL, ["%d of %d swarm secrets older than %d days (secret_max_age_days); create a new "
                             "version and update the services" % (len(old), len(secrets), max_age)]
                      + limited(old) + limited(unknown))
    if unknown:
        return result(ERROR, ["%d secret dates unreadable" % len(unknown)] + limited(unknown))
    return result(PASS, "all %d swarm secrets younger than %d days" % (fresh, max_age))


_SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock")


def _mounts_socket(m):
    src = m.get("source")
    dst = m.get("destination")
    for p in (src, dst):
        if isinstance(p, str):
            p = p.rstrip("/")
            if p.endswith("/docker.sock") or p in ("/var/run", "/run"):
                return True
    return False


def check_30(facts, opts):
    """Socket 0660 root:docker (or stricter), not mounted into containers, no plain TCP listener."""
    facts = as_dict(facts)
    files = as_dict(facts.get("files"))
    problems, fine, unknown = [], [], []
    groups = opt(opts, "socket_allowed_groups")
    seen_socket = False
    for path in _SOCKET_PATHS:
        if path not in files:
            continue
        st = files.get(path)
        if not isinstance(st, dict):
            unknown.append("%s: not stat'ed" % path)
            continue
        if st.get("exists") is False:
            continue
        seen_socket = True
        mode = st.get("mode")
        try:
            bits = int(str(mode), 8)
        except (TypeError, ValueError):
            unknown.append("%s: mode unreadable (%s)" % (path, text(mode, 20)))
            continue
        owner, group = st.get("owner"), st.get("group")
        what = "%s %s %s:%s" % (path, text(mode, 8), text(owner, 32), text(group, 32))
        why = []
        if bits & 0o7117:
            why.append("mode more permissive than 0660")
        if str(owner) not in ("root", "0"):
            why.append("owner is not root")
        if str(group) not in groups:
            why.append("group not in %s" % ", ".join(groups))
        if why:
            problems.append("%s: %s" % (what, "; ".join(why)))
        else:
            fine.append(what)
    if not seen_socket and not unknown:
        fine.append("no unix socket at %s" % " or ".join(_SOCKET_PATHS))
    proxies = opt(opts, "socket_proxy_images")
    mounted_by = 0
    running = scoped_containers(facts, opts)
    for c in running:
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            if not _mounts_socket(m):
                continue
            mounted_by += 1
            image = c.get("image")
            ro = m.get("rw") is False
            allowed = isinstance(image, str) and image_matches(image, proxies)
            if allowed and ro:
                fine.append("container %s mounts the socket read-only (allow-listed proxy %s)"
                            % (container_label(c), text(image)))
                continue
            why = "mounts %s%s" % (text(m.get("source")), "" if ro else " read-write")
            if allowed:
                why += " (allow-listed proxy image, but the mount must be read-only)"
            problems.append("container %s: %s" % (container_label(c), why))
    tcp, tls_text, verified = tcp_without_tls(facts)
    proc = as_dict(facts.get("dockerd_process"))
    if not tcp and not isinstance(proc.get("flags"), dict) and not isinstance(proc.get("unit_exec_start"), str):
        unknown.append("dockerd command line unknown: cannot tell whether it listens on TCP")
    if tcp and not verified:
        problems.append("dockerd listens on %s without TLS client verification (%s)"
                        % (", ".join(text(h) for h in tcp), tls_text))
    elif tcp:
        fine.append("TCP %s with %s" % (", ".join(text(h) for h in tcp), tls_text))
    else:
        fine.append("no TCP listener")
    if not mounted_by:
        fine.append("no running container mounts the socket (%d checked)" % len(running))
    if problems:
        return result(FAIL, ["Docker socket exposed"] + limited(problems))
    if unknown:
        return result(ERROR, unknown)
    if not any(p in files for p in _SOCKET_PATHS):
        return result(ERROR, "the socket was not stat'ed (files collector holds no %s)" % _SOCKET_PATHS[0])
    return result(PASS, fine)


# --- 31-35: logging and monitoring ---------------------------------------------------------------

def _log_opts(facts):
    """log-opts from daemon.json, else --log-opt key=value flags."""
    content = daemon_json(facts)
    if "log-opts" in content:
        return as_dict(content.get("log-opts")), "daemon.json"
    out = {}
    for v in names(daemon_flags(facts).get("--log-opt")):
        if "=" in v:
            k, val = v.split("=", 1)
            out[k] = val
    return out, "dockerd --log-opt" if out else None


def container_log_offence(c, remote):
    """Why a running container's own log config (fixed when it was created) does not rotate or ship."""
    kind = c.get("log_type")
    if not kind:
        return None
    base = str(kind).lower().rsplit("/", 1)[-1]
    if base in remote or base == "local":
        return None
    if base == "json-file":
        missing = [k for k in ("max-size", "max-file") if as_dict(c.get("log_opts")).get(k) in (None, "", "0")]
        return "json-file without %s" % " and ".join(missing) if missing else None
    return "log driver %s neither rotates nor ships" % text(kind, 30)


def check_31(facts, opts):
    """log-driver json-file/local with rotation, or a remote driver; what dockerd and the running
    containers use (docker info, inspects) wins over the daemon.json text."""
    facts = as_dict(facts)
    status, evidence = _check_31_daemon(facts, opts)
    remote = [r.lower() for r in opt(opts, "remote_log_drivers")]
    running = [c for c in scoped_containers(facts, opts) if c.get("log_type")]
    bad = ["%s: %s" % (container_label(c), why) for c, why in
           ((c, container_log_offence(c, remote)) for c in running) if why]
    if bad:
        return result(FAIL, ["%d of %d running containers log without rotation (their log config is fixed when "
                             "they are created: recreate them)" % (len(bad), len(running))] + limited(bad)
                      + evidence)
    pending = restart_pending(facts)
    if status == PASS and pending and set(daemon_json(facts)) & set(["log-driver", "log-opts"]):
        if running:
            return result(PASS, evidence + ["%s; every running container rotates or ships its logs (%d checked)"
                                            % (pending, len(running))])
        return result(ERROR, ["%s: the file's logging settings are not confirmed by what runs; the file alone "
                              "says: %s" % (pending, "; ".join(evidence))])
    if running and status == PASS:
        evidence.append("every running container rotates or ships its logs (%d checked)" % len(running))
    return result(status, evidence)


def _check_31_daemon(facts, opts):
    driver, source = daemon_setting(facts, "log-driver")
    running_driver = as_dict(docker(facts).get("info")).get("LoggingDriver")
    if driver is None:
        driver = running_driver
        source = "docker info"
    elif isinstance(running_driver, str) and running_driver and str(driver) != running_driver:
        # docker info reports the default driver of the running dockerd: the file is not in effect yet.
        source = "docker info LoggingDriver; %s says %s (restart pending)" % (source, text(driver, 30))
        driver = running_driver
    if driver is None:
        driver, source = "json-file", "default"
    if isinstance(driver, (dict, list)):
        return result(ERROR, "log-driver unreadable (%s)" % text(driver))
    driver = str(driver)
    remote = [r.lower() for r in opt(opts, "remote_log_drivers")]
    base = driver.lower().split(":", 1)[0].rsplit("/", 1)[-1]
    if base in remote or driver.lower() in remote:
        return result(PASS, "log-driver %s (%s) ships logs off the host" % (text(driver), source))
    log_opts, opts_source = _log_opts(facts)
    if base in ("json-file", "local"):
        missing = [k for k in ("max-size", "max-file") if log_opts.get(k) in (None, "", 0, "0")]
        if not missing:
            return result(PASS, "log-driver %s (%s) rotates: max-size %s, max-file %s (%s)"
                          % (base, source, text(log_opts.get("max-size"), 20), text(log_opts.get("max-file"), 20),
                             opts_source))
        if base == "local":
            return result(PASS, "log-driver local (%s) rotates: max-size %s, max-file %s (built-in defaults "
                                "20m and 5 where unset)" % (source, text(log_opts.get("max-size") or "20m", 20),
                                                            text(log_opts.get("max-file") or "5", 20)))
        return result(FAIL, "log-driver %s (%s) without %s in log-opts: logs grow without bound"
                      % (base, source, " and ".join(missing)))
    return result(FAIL, "log-driver %s (%s) is neither rotated json-file/local nor a remote driver "
                        "(remote_log_drivers)" % (text(driver), source))


def check_32(facts, opts):
    """A log/event shipper runs; else attestation."""
    found = host_agent_matches(as_dict(facts), opts, opt(opts, "log_shipper_patterns"))
    if found:
        return result(PASS, ["log/event shipper running"] + limited(found))
    return result(MANUAL, "no log/event shipper found among running services, processes or containers "
                          "(log_shipper_patterns); attest how docker events are forwarded")


def check_33(facts, opts):
    """A metrics agent runs (service, process or container)."""
    found = host_agent_matches(as_dict(facts), opts, opt(opts, "metrics_agent_patterns"))
    if found:
        return result(PASS, ["metrics agent running"] + limited(found))
    return result(FAIL, "no metrics agent (cAdvisor, node-exporter, telegraf, ...) among running services, "
                        "processes or containers (metrics_agent_patterns)")


def check_35(facts, opts):
    """Falco (or a similar runtime sensor) runs as a process, service or container."""
    facts = as_dict(facts)
    found = host_agent_matches(facts, opts, opt(opts, "runtime_sensor_patterns"))
    if found:
        return result(PASS, ["runtime security sensor running"] + limited(found))
    evidence = ["no runtime security sensor (Falco, ...) running as a service, process or container "
                "(runtime_sensor_patterns)"]
    binary = as_dict(facts.get("tools")).get("falco")
    if isinstance(binary, str) and binary:
        evidence.append("falco is installed at %s but not running" % text(binary))
    return result(FAIL, evidence)


# --- 36-40: orchestration ------------------------------------------------------------------------

def _encrypted(net):
    """Overlay encryption: the facts' ``encrypted`` flag or an ``encrypted`` option (Docker stores "")."""
    if net.get("encrypted") is True:
        return True
    options = as_dict(net.get("options"))
    return "encrypted" in options and not falsy(options.get("encrypted"))


def check_36(facts, opts):
    """Every overlay network is encrypted."""
    facts = as_dict(facts)
    active, manager, _swarm = swarm_state(facts)
    if active and manager is False:
        # A worker lists only the overlays its own tasks use (plus ingress): a partial view
        # that could pass while the cluster has an unencrypted network.
        return result(NA, "this node is a swarm worker: it sees only the overlay networks its own tasks use; "
                          "the manager's report covers every overlay network")
    networks = docker(facts).get("networks")
    if not isinstance(networks, list):
        return result(ERROR, "networks not listed")
    overlays = [n for n in networks if isinstance(n, dict) and n.get("driver") == "overlay"]
    if not overlays:
        return result(NA, "no overlay networks%s" % ("" if active else " and not in a swarm"))
    bad = ["overlay network %s is not encrypted%s" % (text(n.get("name")),
                                                      " (the ingress network must be recreated with "
                                                      "--opt encrypted)" if n.get("name") == "ingress" else "")
           for n in overlays if not _encrypted(n)]
    if bad:
        return result(FAIL, ["%d of %d overlay networks unencrypted" % (len(bad), len(overlays))] + limited(bad))
    return result(PASS, "all %d overlay networks encrypted: %s"
                  % (len(overlays), ", ".join(text(n.get("name")) for n in overlays[:EVIDENCE_LIMIT])))


def _swarm_manager_gate(facts, what="a cluster setting"):
    """(None, swarm) for a manager, else (result, None) for a node that does not evaluate it."""
    active, manager, swarm = swarm_state(facts)
    if not active:
        return result(NA, "not in a swarm"), None
    if manager is False:
        return result(NA, "this node is a swarm worker: %s; the manager's report covers it" % what), None
    return None, swarm


def check_37(facts, opts):
    """Join tokens rotated within join_token_max_age_days (recorded by the swarm role)."""
    facts = as_dict(facts)
    gate, _swarm = _swarm_manager_gate(facts, "join tokens are the manager's job")
    if gate:
        return gate
    max_age = opt(opts, "join_token_max_age_days")
    stamp = as_dict(docker(facts).get("local_state")).get("join_token_rotated_at")
    if stamp in (None, ""):
        return result(MANUAL, "no rotation recorded on this manager (the swarm role records it); "
                              "rotate the join tokens or attest")
    day = today(facts, opts)
    age = days_since(stamp, day) if day is not None else None
    if age is None:
        return result(ERROR, "join token rotation date unreadable (%s)" % text(stamp, 40))
    if age > max_age:
        return result(FAIL, "join tokens last rotated %d days ago (%s), more than %d (join_token_max_age_days)"
                      % (age, text(stamp, 40), max_age))
    return result(PASS, "join tokens rotated %d days ago (%s)" % (max(age, 0), text(stamp, 40)))


def check_38(facts, opts):
    """NodeCertExpiry at most cert_expiry_max_days."""
    facts = as_dict(facts)
    gate, swarm = _swarm_manager_gate(facts, "the certificate expiry is a cluster setting")
    if gate:
        return gate
    seconds = swarm.get("cert_expiry_seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        ns = as_dict(as_dict(as_dict(as_dict(as_dict(docker(facts).get("info")).get("Swarm")).get("Cluster"))
                             .get("Spec")).get("CAConfig")).get("NodeCertExpiry")
        seconds = ns / 1e9 if isinstance(ns, (int, float)) and not isinstance(ns, bool) else None
    if seconds is None:
        return result(ERROR, "swarm NodeCertExpiry not reported")
    max_days = opt(opts, "cert_expiry_max_days")
    days = seconds / 86400.0
    shown = ("%d" % days) if days == int(days) else ("%.1f" % days)
    if seconds > max_days * 86400:
        return result(FAIL, "node certificates live %s days, more than %d (cert_expiry_max_days); "
                            "docker swarm update --cert-expiry %dh" % (shown, max_days, max_days * 24))
    return result(PASS, "node certificates rotate every %s days (at most %d)" % (shown, max_days))


def check_39(facts, opts):
    """Odd manager count, 3 or 5 (1 only when allowed), never more than 7."""
    facts = as_dict(facts)
    gate, swarm = _swarm_manager_gate(facts, "only managers see the manager count")
    if gate:
        return gate
    count = swarm.get("managers")
    if not isinstance(count, int) or isinstance(count, bool):
        count = as_dict(as_dict(docker(facts).get("info")).get("Swarm")).get("Managers")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return result(ERROR, "swarm manager count not reported")
    single = opt(opts, "allow_single_manager")
    managers = [n for n in as_list(swarm.get("node_list")) if isinstance(n, dict) and n.get("role") == "manager"]
    down = [text(n.get("hostname") or n.get("id")) for n in managers if n.get("reachability") not in (None, "reachable")]
    if down:
        # The count is what CIS 7.1 judges; unreachable managers are shown because they eat the quorum margin.
        count_text = "%d managers (unreachable: %s)" % (count, ", ".join(down))
    else:
        count_text = "%d managers" % count
    if count in (3, 5):
        return result(PASS, count_text)
    if count == 1:
        if single:
            return result(PASS, "1 manager (allowed by allow_single_manager)")
        return result(FAIL, "1 manager: no fault tolerance; use 3 or 5 (or set allow_single_manager)")
    if count > 7:
        return result(FAIL, "%d managers: more than 7 slows Raft consensus and widens the attack surface; "
                            "use 3 or 5" % count)
    if count % 2 == 0:
        return result(FAIL, "%d managers: an even count adds no fault tolerance; use 3 or 5" % count)
    return result(FAIL, "%d managers: use 3 or 5" % count)


def _sensitive_labels(service, keys):
    labels = names(service.get("label_names")) + [str(k) for k in as_dict(service.get("labels"))]
    hits = []
    for label in labels:
        low = label.lower()
        for k in keys:
            k = k.lower()
            if low == k or low.endswith("." + k) or low.endswith("/" + k):
                hits.append(label)
                break
    return sorted(set(hits))


def check_40(facts, opts):
    """Services with a sensitive label have placement constraints."""
    facts = as_dict(facts)
    gate, swarm = _swarm_manager_gate(facts, "only managers can list services")
    if gate:
        return gate
    if swarm.get("services") is None:
        return result(ERROR, "swarm services not listed on this manager")
    keys = opt(opts, "sensitive_label_keys")
    sensitive = []
    for s in swarm_services(swarm):
        hits = _sensitive_labels(s, keys)
        if hits:
            sensitive.append((s, hits))
    if not sensitive:
        return result(NA, "no swarm service carries a sensitive label (sensitive_label_keys: %s)" % ", ".join(keys))
    bad = ["service %s (labels %s) has no placement constraints" % (text(s.get("name")), ", ".join(hits))
           for s, hits in sensitive if not names(s.get("constraints"))]
    if bad:
        return result(FAIL, ["%d of %d sensitive services unconstrained" % (len(bad), len(sensitive))]
                      + limited(bad))
    return result(PASS, "all %d sensitive services have placement constraints: %s"
                  % (len(sensitive), ", ".join(text(s.get("name")) for s, _h in sensitive[:EVIDENCE_LIMIT])))


# --- 41-45: supply chain -------------------------------------------------------------------------

def check_41(facts, opts):
    """Running containers' image references pinned by digest."""
    def check(c):
        image = c.get("image")
        if isinstance(image, str) and "@sha256:" in image:
            return None
        return "image %s is not pinned by digest" % text(image)
    return per_container_tri(as_dict(facts), opts, check, "every image pinned by digest", "images not pinned")


_INSTALL_RE = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b\s+(?:-\S+\s+)*"
                         r"(install|add|in)\b([^;&|]*)", re.IGNORECASE)
_REMOVE_RE = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b\s+(?:-\S+\s+)*"
                        r"(purge|remove|autoremove|del|erase|rm)\b([^;&|]*)", re.IGNORECASE)
_BUILD_RUN_RE = re.compile(r"(?:^|[\s;&|(])(go\s+(?:build|install)|cargo\s+(?:build|install)|rustc|javac|mvn|"
                           r"gradle|\./gradlew)(?=\s|$|;)", re.IGNORECASE)
_TOOLCHAIN_ENV_RE = re.compile(r"\bENV\s+.*\b(GOLANG_VERSION|RUSTUP_HOME|CARGO_HOME|MAVEN_HOME|GRADLE_HOME|"
                               r"GCC_VERSION)\b")


def _packages(args):
    """(package names, virtual group) from a package manager's arguments (apk add --virtual .build-deps)."""
    out, group = [], None
    tokens = args.split()
    for i, tok in enumerate(tokens):
        if tok in ("--virtual", "-t") and i + 1 < len(tokens):
            group = tokens[i + 1].lower()
            continue
        if tok.startswith("-") or tok.startswith("$") or (i > 0 and tokens[i - 1] in ("--virtual", "-t")):
            continue
        name = re.split(r"[=<>~]", tok, maxsplit=1)[0].strip("'\"\\").lower()
        if name:
            out.append(name)
    return out, group


def _toolchains_in_history(history, patterns):
    """Toolchains found in an image history. Order-agnostic (the history's order is not part of the
    facts contract): a package counts as removed when the same layer runs a removal, or any layer
    removes it (or its apk --virtual group) by name."""
    installed = {}
    removed = set()
    found = set()
    for line in history:
        same_line_removal = bool(_REMOVE_RE.search(line))
        for m in _REMOVE_RE.finditer(line):
            removed.update(_packages(m.group(3))[0])
        for m in _INSTALL_RE.finditer(line):
            pkgs, group = _packages(m.group(3))
            for pkg in pkgs:
                if not same_line_removal and any(fnmatch.fnmatchcase(pkg, p.lower()) for p in patterns):
                    installed[pkg] = group
        for m in _BUILD_RUN_RE.finditer(line):
            if not same_line_removal:
                found.add("`%s` run in the image" % " ".join(m.group(1).split()))
        m = _TOOLCHAIN_ENV_RE.search(line)
        if m:
            found.add("toolchain base image (ENV %s)" % m.group(1))
    for pkg, group in installed.items():
        if pkg not in removed and (group is None or group not in removed):
            found.add("%s installed" % pkg)
    return sorted(found)


def check_42(facts, opts):
    """No compilers/build toolchains in running images' history; attestation when history is unknown."""
    facts = as_dict(facts)
    patterns = opt(opts, "build_toolchain_packages")

    def check(c):
        img = image_of(facts, c)
        history = names(img.get("history"))
        if not history:
            return ("unknown", "image %s: history not available" % text(c.get("image")))
        found = _toolchains_in_history(history, patterns)
        if found:
            return "image %s: %s" % (text(c.get("image")), "; ".join(found))
        return None
    status, evidence = per_container_tri(facts, opts, check, "no build toolchain in running images",
                                         "build toolchains in runtime images")
    if status == MANUAL:
        evidence.append("attest multi-stage builds where image history is not available")
    return status, evidence


def check_43(facts, opts):
    """cosign/notary installed and a verification policy configured; else attestation."""
    facts = as_dict(facts)
    tools = as_dict(facts.get("tools"))
    installed = ["%s at %s" % (t, text(tools.get(t))) for t in ("cosign", "notary", "notation")
                 if isinstance(tools.get(t), str) and tools.get(t)]
    policy = opt(opts, "signature_policy").strip()
    if installed and policy:
        return result(PASS, ["signing tool: %s" % ", ".join(installed), "verification policy: %s" % text(policy)])
    if policy:
        return result(FAIL, "signature_policy is set (%s) but neither cosign nor notary is installed on this host"
                      % text(policy))
    if installed:
        return result(MANUAL, ["signing tool: %s" % ", ".join(installed),
                               "no verification policy configured (dockersec_options.signature_policy); "
                               "set it or attest"])
    return result(MANUAL, "no signing tool (cosign, notary) installed and no signature_policy; attest how "
                          "image signatures are verified")


def check_45(facts, opts):
    """Every running image from a configured private registry."""
    facts = as_dict(facts)
    registries = opt(opts, "private_registries")
    containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, "no running containers in scope")
    if not registries:
        return result(FAIL, "no private registry configured (dockersec_options.private_registries)")

    def check(c):
        image = c.get("image")
        if isinstance(image, str) and image_matches(image, registries):
            return None
        if isinstance(image, str):
            reg, repo, _t, _d = parse_image_ref(image)
            return "image %s comes from %s/%s" % (text(image), text(reg), text(repo))
        return "image reference unreadable (%s)" % text(image)
    return per_container_tri(facts, opts, check, "every image from %s" % ", ".join(registries),
                             "images outside the private registries", containers=containers)


# --- 46-50: governance ---------------------------------------------------------------------------

def _bench_runs(facts, opts):
    """docker-bench-security logs known for this host: the one read on the host, the one the
    controller was pointed at (docker_bench_log_path)."""
    runs = []
    on_host = as_dict(as_dict(as_dict(facts).get("tools")).get("docker_bench"))
    if on_host:
        runs.append(("on the host", on_host))
    given = as_dict(as_dict(opts).get("_bench_log"))
    if given:
        runs.append(("docker_bench_log_path", given))
    return runs


def _bench_date(run):
    """When the run ended (else started, else the file's date)."""
    for key in ("end", "start", "mtime"):
        if run.get(key) not in (None, ""):
            ts = parse_timestamp(run.get(key))
            if ts is not None:
                return ts, key
    return None, None


def check_46(facts, opts):
    """A docker-bench-security run with results (its JSON log) within benchmark_max_age_days."""
    facts = as_dict(facts)
    max_age = opt(opts, "benchmark_max_age_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown")
    credited, notes = [], []
    for where, run in _bench_runs(facts, opts):
        path = text(run.get("path"), 120)
        if run.get("error"):
            notes.append("docker-bench-security log %s (%s): %s" % (path, where, text(run["error"], 160)))
            continue
        if not run.get("results"):
            notes.append("docker-bench-security log %s (%s) holds no results: not a completed run" % (path, where))
            continue
        stamp, key = _bench_date(run)
        age = days_since(stamp, day) if stamp is not None else None
        line = "docker-bench-security %s log %s (%s): %s" % (
            text(run.get("version") or "?", 20), path, where, bench_log.describe(run))
        if not run.get("complete"):
            line += "; the run did not finish (no end time)"
        if age is None:
            notes.append(line + "; run date unreadable")
        elif max(age, 0) > max_age:
            notes.append("%s; %d days old (benchmark_max_age_days %d)" % (line, age, max_age))
        elif not run.get("complete"):
            notes.append(line)
        else:
            credited.append("%s; ran %d days ago" % (line, max(age, 0)))
    if credited:
        return result(PASS, credited + notes)
    legacy = as_dict(facts.get("tools")).get("docker_bench_log")
    if legacy:
        notes.append("text log %s found: only its JSON log (log/docker-bench-security.log.json) shows the results"
                     % text(legacy, 120))
    return result(FAIL, ["no finished docker-bench-security run with results in the last %d days "
                         "(benchmark_max_age_days); run it and keep log/docker-bench-security.log.json where the "
                         "gather looks, or point dockersec_options.docker_bench_log_path at it" % max_age] + notes)


def _audit_days(opts):
    """The distinct days of the recorded audits of this host (history), oldest first."""
    days = set()
    for entry in as_list(as_dict(opts).get("_history")):
        ts = parse_timestamp(as_dict(entry).get("generated_at"))
        if ts is not None:
            days.add(ts.date())
    return sorted(days)


def check_49(facts, opts):
    """A cadence: two or more recorded audits on different days, the newest within the period, and
    no gap between recorded audits (within the history window) longer than the period."""
    facts = as_dict(facts)
    period = opt(opts, "audit_max_age_days")
    window = opt(opts, "audit_history_window_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown")
    days = [d for d in _audit_days(opts) if d <= day]
    if len(days) < 2:
        return result(FAIL, "%d recorded audit%s of this host on different days (%s): a cadence needs at least two, "
                            "no more than %d days apart (audit_max_age_days)" % (
                                len(days), "" if len(days) == 1 else "s",
                                ", ".join(str(d) for d in days) or "none", period))
    # Only gaps inside the window count: a lapse long ago that has since been fixed is history.
    recent = [d for d in days if (day - d).days <= window]
    gaps = [((b - a).days, a, b) for a, b in zip(recent, recent[1:]) if (b - a).days > period]
    newest_age = (day - days[-1]).days
    problems = []
    if newest_age > period:
        problems.append("newest recorded audit %s is %d days old (audit_max_age_days %d)"
                        % (days[-1], newest_age, period))
    for gap, a, b in gaps:
        problems.append("%d days without an audit between %s and %s" % (gap, a, b))
    span = "%d recorded audits on different days, %s to %s" % (len(days), days[0], days[-1])
    if problems:
        return result(FAIL, problems + [span])
    return result(PASS, ["%s: none more than %d days apart within the last %d days, the newest %d days ago"
                         % (span, period, window, newest_age)])


def check_50(facts, opts):
    """The inventory export is enabled and this run gathered every container."""
    facts = as_dict(facts)
    if not opt(opts, "inventory_export"):
        return result(FAIL, "container inventory export disabled (dockersec_options.inventory_export: false)")
    d = docker(facts)
    containers = d.get("containers")
    if d.get("reachable") is False or not isinstance(containers, list):
        return result(ERROR, "the container list was not gathered: the inventory would be incomplete")
    running = len([c for c in containers if isinstance(c, dict) and c.get("state") == "running"])
    return result(PASS, "inventory of %d containers (%d running) exported in the JSON report"
                  % (len(containers), running))


CHECKS = {
    "26": check_26,
    "27": check_27,
    "28": check_28,
    "29": check_29,
    "30": check_30,
    "31": check_31,
    "32": check_32,
    "33": check_33,
    "35": check_35,
    "36": check_36,
    "37": check_37,
    "38": check_38,
    "39": check_39,
    "40": check_40,
    "41": check_41,
    "42": check_42,
    "43": check_43,
    "45": check_45,
    "46": check_46,
    "49": check_49,
    "50": check_50,
}
