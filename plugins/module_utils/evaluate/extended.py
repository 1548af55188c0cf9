# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for the extended profile (``X.1``..``X.14``): reported with their own counts,
never part of the 100-point score. Titles, check texts and options live in the catalog.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, MANUAL, NA, PASS, as_dict, as_list, daemon_config_mismatch, daemon_setting, docker, falsy,
    host_agent_matches, image_of, limited, names, opt, per_container_tri, restart_pending, result, scoped_containers,
    swarm_managers_only, swarm_state, tcp_api_exposure, text, truthy
)


def check_x1(facts, opts):
    """AppArmor or SELinux enabled on the host; no running container unconfined."""
    facts = as_dict(facts)
    host = as_dict(facts.get("host"))
    apparmor, selinux = host.get("apparmor_enabled"), host.get("selinux_enabled")
    if apparmor is True or selinux is True:
        host_state, host_text = True, "host: %s enabled" % " and ".join(
            n for n, v in (("AppArmor", apparmor), ("SELinux", selinux)) if v is True)
    elif apparmor is False and selinux is False:
        host_state, host_text = False, "host: neither AppArmor nor SELinux is enabled"
    else:
        host_state, host_text = None, "host: AppArmor/SELinux state unknown"

    def check(c):
        opts_ = [s.lower().replace(":", "=") for s in names(c.get("security_opt"))]
        if c.get("privileged") is True:
            return "privileged: runs without an AppArmor/SELinux confinement"
        if "apparmor=unconfined" in opts_ or c.get("apparmor_profile") == "unconfined":
            return "AppArmor profile unconfined"
        if "label=disable" in opts_ or any("spc_t" in s for s in opts_ if s.startswith("label=")):
            return "SELinux labeling disabled"
        if apparmor is True and selinux is not True:
            profile = c.get("apparmor_profile")
            if profile == "":
                return "no AppArmor profile"
            if not isinstance(profile, str):
                return ("unknown", "AppArmor profile not reported")
        return None

    status, evidence = per_container_tri(facts, opts, check, "every running container confined",
                                         "unconfined containers")
    if host_state is False:
        return result(FAIL, [host_text] + (evidence if status == FAIL else []))
    if host_state is None:
        if status == FAIL:
            return result(FAIL, [host_text] + evidence)
        return result(ERROR, [host_text + ": host.apparmor_enabled / host.selinux_enabled not gathered"])
    if status == NA:
        return result(PASS, [host_text, "no running containers in scope"])
    return result(status, [host_text] + evidence)


def check_x2(facts, opts):
    """No shell in running images, decided from the image's layer files on the host."""
    facts = as_dict(facts)

    def check(c):
        image = image_of(facts, c)
        has_shell = image.get("has_shell")
        if has_shell is True:
            found = ", ".join(str(p) for p in as_list(image.get("shells"))) or "/bin/sh or /bin/bash"
            return "image %s ships a shell (%s)" % (text(c.get("image")), text(found, 80))
        if has_shell is False:
            return None
        return ("unknown", "image %s: %s" % (text(c.get("image")),
                                             text(image.get("has_shell_error") or "image files not read", 160)))
    status, evidence = per_container_tri(facts, opts, check, "no shell in running images (their layer files "
                                         "checked)", "images with a shell")
    if status == MANUAL:
        # Not a matter for an attestation: the files could not be read, say why.
        return result(ERROR, evidence)
    return status, evidence


def _entrypoint_inits(history, inits):
    found = set()
    for line in history:
        idx = line.find("ENTRYPOINT")
        if idx < 0:
            continue
        for tok in re.split(r"[\s\[\]\",']+", line[idx + len("ENTRYPOINT"):]):
            if tok and (tok in inits or tok.rsplit("/", 1)[-1] in inits):
                found.add(tok)
    return sorted(found)


def check_x3(facts, opts):
    """An init process as PID 1: --init, or tini/dumb-init/... as the image's ENTRYPOINT."""
    facts = as_dict(facts)
    inits = set(opt(opts, "init_binaries"))

    def check(c):
        if c.get("init") is True:
            return None
        found = _entrypoint_inits(names(image_of(facts, c).get("history")), inits)
        if found:
            return None
        return "no --init and no init (%s) in the image's ENTRYPOINT" % ", ".join(sorted(inits))
    return per_container_tri(facts, opts, check, "every running container has an init as PID 1",
                             "containers without an init")


def _under(path, prefixes):
    for p in prefixes:
        p = p.rstrip("/") or "/"
        if p == "/" or path == p or path.startswith(p + "/"):
            return True
    return False


def check_x4(facts, opts):
    """Bind mounts read-only unless allow-listed."""
    facts = as_dict(facts)
    allowed = opt(opts, "writable_bind_mounts")

    def check(c):
        bad = []
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            if m.get("type") != "bind" or m.get("rw") is False:
                continue
            src, dst = str(m.get("source")), str(m.get("destination"))
            if allowed and (_under(src, allowed) or _under(dst, allowed)):
                continue
            bad.append("%s -> %s" % (text(src), text(dst)))
        if bad:
            return "read-write bind mounts: %s" % ", ".join(bad[:10])
        return None
    return per_container_tri(facts, opts, check, "every bind mount read-only or allow-listed",
                             "read-write bind mounts")


def check_x5(facts, opts):
    """Every network listener of the API requires TLS client verification.

    Rule: moby daemon/pkg/opts/hosts.go ParseDaemonHost (a host without a scheme is TCP; fd:// is
    docker.socket's ListenStream= sockets, systemd.socket(5)) and daemon/command/daemon.go
    loadDaemonCliConfig/newAPIServerTLSConfig (client certificates are required when TLS is on and
    tlsverify is not false; --tlsverify or a daemon.json tlsverify turns TLS on). A host value
    dockerd would not parse is error.
    """
    facts = as_dict(facts)
    problems, fine, unknown = tcp_api_exposure(facts)
    if problems:
        return result(FAIL, problems + unknown)
    proc = as_dict(facts.get("dockerd_process"))
    if not isinstance(proc.get("flags"), dict) and not isinstance(proc.get("unit_exec_start"), str):
        unknown.append("dockerd command line unknown: cannot tell whether it listens on TCP")
    if unknown:
        return result(ERROR, unknown)
    return result(PASS, ["dockerd: " + f for f in fine])


_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")


_PRERELEASE_RE = re.compile(r"(?:^|[-.+~_])(alpha|beta|rc|dev|nightly|snapshot|test|master)(?=$|[-.+~_0-9])",
                            re.IGNORECASE)


def _version(value):
    m = _VERSION_RE.match(str(value))
    if not m:
        return None
    return tuple(int(g or 0) for g in m.groups())


def check_x6(facts, opts):
    """Engine not older than min_engine_version and not a pre-release."""
    facts = as_dict(facts)
    version = as_dict(docker(facts).get("info")).get("ServerVersion")
    if not isinstance(version, str) or not version.strip():
        return result(ERROR, "engine version not reported")
    current = _version(version)
    wanted_text = opt(opts, "min_engine_version")
    wanted = _version(wanted_text)
    if wanted is None:
        wanted_text = catalog.OPTIONS["min_engine_version"]["default"]
        wanted = _version(wanted_text)
    if current is None:
        return result(ERROR, "engine version %s not understood" % text(version))
    problems = []
    if current < wanted:
        problems.append("engine %s is older than %s (min_engine_version)" % (text(version), wanted_text))
    pre = _PRERELEASE_RE.search(version)
    if pre:
        problems.append("engine %s is a pre-release (%s) build" % (text(version), pre.group(1)))
    if problems:
        return result(FAIL, problems)
    return result(PASS, "engine %s (at least %s, a release build)" % (text(version), wanted_text))


@swarm_managers_only("autolock is a manager setting")
def check_x7(facts, opts, swarm):
    """Swarm managers have autolock on."""
    autolock = swarm.get("autolock")
    if autolock is True:
        return result(PASS, "swarm autolock on")
    if autolock is False:
        return result(FAIL, "swarm autolock off: managers' raft keys are stored unencrypted at rest")
    return result(ERROR, "swarm autolock state not reported")


def check_x8(facts, opts):
    """live-restore on outside a swarm."""
    facts = as_dict(facts)
    active, _manager, _swarm = swarm_state(facts)
    if active:
        return result(NA, "swarm is active: live-restore does not mix with swarm")
    live = as_dict(docker(facts).get("info")).get("LiveRestoreEnabled")
    if live is True:
        return result(PASS, "live-restore enabled (docker info)")
    if live is False:
        return result(FAIL, "live-restore disabled (docker info): a dockerd restart stops every container")
    mismatch = daemon_config_mismatch(facts)
    if mismatch:
        return result(ERROR, "docker info does not say whether live-restore is on, and %s" % mismatch)
    value, source = daemon_setting(facts, "live-restore")
    if source == "daemon.json" and not isinstance(value, bool):
        return result(ERROR, "live-restore=%r in daemon.json is not a JSON boolean: dockerd refuses to start "
                             "with it" % (value,))
    if value is not None and truthy(value):
        return result(PASS, "live-restore enabled (%s)" % source)
    return result(FAIL, "live-restore not enabled (%s)" % (source or "unset, default off"))


def check_x9(facts, opts):
    """userland-proxy false in daemon.json or on the command line, and no docker-proxy running."""
    facts = as_dict(facts)
    mismatch = daemon_config_mismatch(facts)
    value, source = daemon_setting(facts, "userland-proxy")
    # dockerd starts a docker-proxy process per published port while the userland proxy is on:
    # one running says what dockerd does, whatever the file says.
    processes = [str(p) for p in as_list(as_dict(facts.get("services")).get("processes"))]
    if "docker-proxy" in processes:
        said = " (%s says userland-proxy=%s: dockerd not restarted since?)" % (source, value) if (
            value is not None and falsy(value)) else ""
        return result(FAIL, "docker-proxy processes run: the userland proxy is on%s" % said)
    if mismatch and value is None:
        return result(ERROR, mismatch)
    if source == "daemon.json" and not isinstance(value, bool):
        # moby decodes userland-proxy into a bool: dockerd refuses to start with any other JSON type.
        return result(ERROR, "userland-proxy=%r in daemon.json is not a JSON boolean: dockerd refuses to start "
                             "with it, so the file is not what the running dockerd read" % (value,))
    if value is not None and falsy(value):
        pending = restart_pending(facts) if source == "daemon.json" else None
        if pending:
            published = any(as_list(as_dict(c).get("ports")) for c in as_list(docker(facts).get("containers"))
                            if as_dict(c).get("state") == "running")
            if published and processes:
                return result(PASS, ["userland-proxy disabled (%s); %s, but no docker-proxy runs for the published "
                                     "ports: the running dockerd has it off too" % (source, pending)])
            return result(ERROR, "userland-proxy=%s in daemon.json, but %s: whether the running dockerd has it off "
                                 "is unknown (no published port shows it)" % (value, pending))
        return result(PASS, "userland-proxy disabled (%s)" % source)
    if value is None:
        return result(FAIL, "userland-proxy not set: on by default")
    return result(FAIL, "userland-proxy is %s (%s)" % (text(value, 20), source))


def check_x10(facts, opts):
    """Every running container has a healthcheck (container or image)."""
    facts = as_dict(facts)

    def check(c):
        container_hc = c.get("healthcheck")
        image_hc = image_of(facts, c).get("healthcheck")
        if container_hc is True or image_hc is True:
            return None
        if container_hc is False or image_hc is False:
            return "no HEALTHCHECK (image %s)" % text(c.get("image"))
        return ("unknown", "healthcheck not reported")
    return per_container_tri(facts, opts, check, "every running container has a healthcheck",
                             "containers without a healthcheck")


def check_x11(facts, opts):
    """Restart policy on-failure with at most restart_max_retries retries; swarm tasks exempt."""
    facts = as_dict(facts)
    max_retries = opt(opts, "restart_max_retries")
    containers = [c for c in scoped_containers(facts, opts) if c.get("swarm_service") is None]

    def check(c):
        policy = as_dict(c.get("restart_policy"))
        name = policy.get("name")
        retries = policy.get("max_retry")
        if name == "on-failure":
            if isinstance(retries, int) and not isinstance(retries, bool) and 0 < retries <= max_retries:
                return None
            if retries in (0, None):
                return "restart policy on-failure without a retry limit (use on-failure:%d)" % max_retries
            return "restart policy on-failure:%s (at most %d)" % (text(retries, 20), max_retries)
        if name in (None, "", "no"):
            return "no restart policy (use on-failure:%d)" % max_retries
        return "restart policy %s (use on-failure:%d)" % (text(name, 30), max_retries)
    if not containers and scoped_containers(facts, opts):
        return result(NA, "every running container is swarm-managed (the service restarts its tasks)")
    return per_container_tri(facts, opts, check, "restart policy on-failure:<=%d" % max_retries,
                             "containers with another restart policy", containers=containers)


def check_x12(facts, opts):
    """No running container shares the host's network, PID, IPC or UTS namespace."""
    def check(c):
        shared = [ns for ns, key in (("network", "network_mode"), ("pid", "pid_mode"), ("ipc", "ipc_mode"),
                                     ("uts", "uts_mode")) if c.get(key) == "host"]
        if shared:
            return "shares the host %s namespace%s" % (", ".join(shared), "s" if len(shared) > 1 else "")
        return None
    return per_container_tri(as_dict(facts), opts, check, "no host namespace shared",
                             "containers sharing host namespaces")


def _abs_norm(path):
    """``//etc/`` -> ``/etc`` (posixpath keeps a leading ``//``)."""
    return "/" + posixpath.normpath(path).lstrip("/")


def check_x13(facts, opts):
    """No bind mount of a sensitive host directory."""
    facts = as_dict(facts)
    sensitive = set(_abs_norm(p) for p in opt(opts, "sensitive_host_paths") if p.startswith("/"))

    def check(c):
        bad = []
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            src = m.get("source")
            if m.get("type") != "bind" or not isinstance(src, str) or not src.startswith("/"):
                continue
            norm = _abs_norm(src)
            if norm in sensitive:
                bad.append("%s%s" % (text(norm), "" if m.get("rw") is False else " (read-write)"))
        if bad:
            return "mounts host %s" % ", ".join(bad)
        return None
    return per_container_tri(facts, opts, check, "no sensitive host directory mounted",
                             "containers mounting sensitive host paths")


def check_x14(facts, opts):
    """Both a metrics agent and a log shipper run."""
    facts = as_dict(facts)
    metrics = host_agent_matches(facts, opts, opt(opts, "metrics_agent_patterns"))
    shippers = host_agent_matches(facts, opts, opt(opts, "log_shipper_patterns"))
    evidence = []
    if metrics:
        evidence.append("metrics agent: %s" % ", ".join(metrics[:5]))
    else:
        evidence.append("no metrics agent running (metrics_agent_patterns)")
    if shippers:
        evidence.append("log shipper: %s" % ", ".join(shippers[:5]))
    else:
        evidence.append("no log shipper running (log_shipper_patterns)")
    return result(PASS if metrics and shippers else FAIL, limited(evidence))


CHECKS = {
    "X.1": check_x1,
    "X.2": check_x2,
    "X.3": check_x3,
    "X.4": check_x4,
    "X.5": check_x5,
    "X.6": check_x6,
    "X.7": check_x7,
    "X.8": check_x8,
    "X.9": check_x9,
    "X.10": check_x10,
    "X.11": check_x11,
    "X.12": check_x12,
    "X.13": check_x13,
    "X.14": check_x14,
}
