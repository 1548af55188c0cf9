# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for the extended profile (``X.1``..``X.14``): reported with their own counts,
never part of the 100-point score. Titles, check texts and options live in the catalog.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog, versions
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, MANUAL, NA, PASS, as_dict, as_list, daemon_config_mismatch, daemon_setting, docker, falsy,
    history_layers, host_agent_matches, image_of, is_swarm_task, limited, names, opt, per_container_tri,
    is_rootless, restart_pending, result, rootless_text, scoped_containers, security_options, swarm_managers_only,
    swarm_state, tcp_api_exposure, text, truthy
)
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import frozen_agents


def _x1_host(facts):
    """(state True/False/None, text) of the host's confinement.

    AppArmor: the module is enabled (/sys/module/apparmor/parameters/enabled Y) and dockerd gives
    containers its docker-default profile (judged per container). SELinux confines only when it
    enforces (/sys/fs/selinux/enforce 1; 0 is permissive: denials are logged, nothing is stopped)
    and dockerd labels containers, which it does only with selinux-enabled (moby
    daemon/daemon_unix.go configureKernelSecuritySupport calls selinux.SetDisabled otherwise, and
    daemon/info.go fillSecurityOptions then omits name=selinux from docker info).
    """
    host = as_dict(facts.get("host"))
    apparmor, selinux = host.get("apparmor_enabled"), host.get("selinux_enabled")
    if apparmor is True:
        return True, "host: AppArmor enabled"
    if selinux is True:
        enforcing = host.get("selinux_enforcing")
        if enforcing is False:
            return False, "host: SELinux is permissive (/sys/fs/selinux/enforce 0): it logs denials and stops nothing"
        if enforcing is not True:
            return None, "host: SELinux enforcing mode unknown (/sys/fs/selinux/enforce not read)"
        info = as_dict(docker(facts).get("info"))
        options = info.get("SecurityOptions")
        if isinstance(options, list):
            on = any(str(o).split(",", 1)[0] == "name=selinux" for o in options)
            source = "docker info SecurityOptions"
        else:
            value, source = daemon_setting(facts, "selinux-enabled")
            on = value is not None and truthy(value)
            source = source or "daemon.json / dockerd flags (selinux-enabled not set)"
        if not on:
            return False, ("host: SELinux enforcing, but dockerd runs without selinux-enabled (%s): containers get no "
                           "SELinux labels" % source)
        return True, "host: SELinux enforcing, dockerd selinux-enabled (%s)" % source
    if apparmor is False and selinux is False:
        return False, "host: neither AppArmor nor SELinux is enabled"
    return None, "host: AppArmor/SELinux state unknown"


def _unlabelled(c):
    """Why a container escapes SELinux labeling, else None (privileged, label=disable, spc_t)."""
    opts_ = [s.lower().replace(":", "=") for s in names(c.get("security_opt"))]
    if c.get("privileged") is True:
        return "privileged: runs without an AppArmor/SELinux confinement"
    if "label=disable" in opts_ or any("spc_t" in s for s in opts_ if s.startswith("label=")):
        return "SELinux labeling disabled"
    return None


def _x1_rootless(facts, opts):
    """X.1 for a rootless dockerd. AppArmor cannot apply: dockerd enables it only where it can read
    /sys/kernel/security/apparmor/profiles (moby pkg/sysinfo apparmorSupported; daemon/apparmor_linux.go
    appArmorSupported is false outright under rootlesskit --detach-netns, moby/moby#52626), which a
    process in a user namespace is denied, so a rootless dockerd reports no name=apparmor and gives
    containers no profile (Docker's rootless known limitations: AppArmor is not supported). SELinux
    labeling is not available to it either: RootlessKit does not mount /sys/fs/selinux in its child
    (moby daemon/graphdriver/overlayutils SupportsOverlay, citing rootless-containers/rootlesskit#94),
    so go-selinux finds SELinux disabled and dockerd labels
    nothing (daemon/daemon_unix.go configureKernelSecuritySupport); its containers run in the daemon
    user's own SELinux context. Both parts are not_applicable with that reason; should dockerd report
    name=selinux after all (docker info SecurityOptions), the containers are judged as on a rootful
    SELinux host (privileged, label=disable, spc_t)."""
    apparmor_text = ("%s: AppArmor does not apply (dockerd in a user namespace cannot read or load AppArmor "
                     "profiles, so its containers get none)" % rootless_text(facts))
    if "name=selinux" in security_options(facts):
        status, evidence = per_container_tri(facts, opts, _unlabelled, "every running container labelled",
                                             "unconfined containers")
        lead = [apparmor_text, "SELinux: dockerd labels containers (docker info name=selinux)"]
        if status == NA:
            return result(PASS, lead + ["no running containers in scope"])
        return result(status, lead + evidence)
    host = as_dict(facts.get("host"))
    where = "enforcing on the host" if host.get("selinux_enforcing") is True else "host SELinux not enforcing"
    return result(NA, [apparmor_text, "SELinux (%s): a rootless dockerd cannot label containers (RootlessKit does "
                                      "not mount /sys/fs/selinux for it, rootlesskit#94; docker info reports no "
                                      "name=selinux): they run in the user's own SELinux context" % where])


def check_x1(facts, opts):
    """AppArmor or an enforcing SELinux that dockerd labels with; no running container unconfined
    (AppArmorProfile not unconfined, no label=disable, not privileged). A rootless dockerd: _x1_rootless."""
    facts = as_dict(facts)
    if is_rootless(facts):
        return _x1_rootless(facts, opts)
    host = as_dict(facts.get("host"))
    apparmor, selinux = host.get("apparmor_enabled"), host.get("selinux_enabled")
    host_state, host_text = _x1_host(facts)

    def check(c):
        opts_ = [s.lower().replace(":", "=") for s in names(c.get("security_opt"))]
        if c.get("privileged") is True:
            return _unlabelled(c)
        if "apparmor=unconfined" in opts_ or c.get("apparmor_profile") == "unconfined":
            return "AppArmor profile unconfined"
        if _unlabelled(c):
            return _unlabelled(c)
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
        return result(ERROR, [host_text + ": host.apparmor_enabled / host.selinux_enabled / host.selinux_enforcing "
                                          "not gathered"])
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


def _entrypoint_inits(img, inits):
    """Init programs an ENTRYPOINT layer of the image history starts (the gather's per-layer summary)."""
    layers, _why = history_layers(img)
    found = set()
    for layer in layers or []:
        if layer.get("instruction") == "ENTRYPOINT":
            found.update(p for p in names(layer.get("programs")) if p in inits or p.rsplit("/", 1)[-1] in inits)
    return sorted(found)


def check_x3(facts, opts):
    """An init as PID 1, as dockerd starts the container: HostConfig.Init, or when the container
    does not say (Init null) the daemon's ``init`` setting (daemon/oci_linux.go ``WithInit``);
    else the program the engine starts (inspect ``Path``, what --entrypoint set) is an init.
    Facts without that program fall back to the image's ENTRYPOINT in its history."""
    facts = as_dict(facts)
    inits = set(opt(opts, "init_binaries"))
    daemon_init, source = daemon_setting(facts, "init")
    daemon_init = daemon_init is not None and truthy(daemon_init) and not (
        source == "daemon.json" and restart_pending(facts))

    def check(c):
        init = c.get("init")
        if init is True or (init is None and daemon_init):
            return None
        pid1 = c.get("pid1")
        if isinstance(pid1, str) and pid1:
            if pid1 in inits or ("/" + pid1) in inits:
                return None
            return "no --init and PID 1 is %s, not an init (%s)" % (text(pid1, 40), ", ".join(sorted(inits)))
        found = _entrypoint_inits(image_of(facts, c), inits)
        if found:
            return None
        return "no --init and no init (%s) in the image's ENTRYPOINT" % ", ".join(sorted(inits))
    return per_container_tri(facts, opts, check, "every container has an init as PID 1",
                             "containers without an init")


def _under(path, prefixes):
    for p in prefixes:
        p = _abs_norm(p) if p.startswith("/") else p.rstrip("/")
        if p == "/" or path == p or path.startswith(p + "/"):
            return True
    return False


def _bind_source(mount):
    """The host path a mount binds: a bind's source, or the device of a local volume created with
    o=bind (moby daemon/volume/local mounts it as a bind of that path); None otherwise."""
    if mount.get("type") == "bind":
        return mount.get("source")
    device = mount.get("bind_device")
    if mount.get("type") == "volume" and isinstance(device, str) and device:
        return device
    return None


def _recursive_ro(facts):
    """Whether a read-only bind is read-only all the way down on this host, None when unknown.

    moby daemon/oci_linux.go (Engine 25+): a read-only bind gets ``rro`` when
    supportsRecursivelyReadOnly (kernel 5.12+: mount_setattr AT_RECURSIVE), else plain ``ro``
    on an ``rbind``: the host's mounts below the source come along writable. Older engines
    always use ``ro``.
    """
    info = as_dict(docker(facts).get("info"))
    engine = versions.release(info.get("ServerVersion") or "")
    kernel = versions.release(info.get("KernelVersion") or as_dict(facts.get("host")).get("kernel_running") or "")
    if engine is not None and engine < (25, 0, 0):
        return False
    if kernel is not None and kernel < (5, 12, 0):
        return False
    if engine is None or kernel is None:
        return None
    return True


def _writable_below(facts, source):
    """Host mount points strictly below ``source`` that are mounted read-write (mountinfo)."""
    out = []
    for e in as_list(as_dict(facts.get("mounts")).get("entries")):
        e = as_dict(e)
        target = e.get("target")
        if not isinstance(target, str) or not target.startswith("/"):
            continue
        target = _abs_norm(target)
        if target == source or not (source == "/" or target.startswith(source + "/")):
            continue
        if str(e.get("options") or "").split(",", 1)[0] != "ro":
            out.append(target)
    return sorted(set(out))


def check_x4(facts, opts):
    """Bind mounts read-only unless allow-listed. ``RW`` is the engine's own answer (a bind with
    ``ro``/``readonly`` is RW false; ``z``/``Z``/propagation modes leave it writable). An
    allow-list entry is a host path (prefix), compared canonical (``/srv/data/../../etc`` is
    /etc); a container path is not where the writes land. A read-only bind is not read-only
    below it where the engine makes it ``ro`` rather than ``rro`` (_recursive_ro) and the host
    has read-write mounts below its source."""
    facts = as_dict(facts)
    allowed = [p for p in opt(opts, "writable_bind_mounts") if p.startswith("/")]
    recursive = _recursive_ro(facts)

    def check(c):
        bad, unknown = [], []
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            src, dst = _bind_source(m), str(m.get("destination"))
            if src is None:
                continue
            norm = _abs_norm(src) if isinstance(src, str) and src.startswith("/") else None
            if allowed and norm is not None and _under(norm, allowed):
                continue
            if m.get("rw") is not False:
                bad.append("%s -> %s" % (text(src), text(dst)))
                continue
            if recursive is not True and not isinstance(as_dict(facts.get("mounts")).get("entries"), list):
                unknown.append("%s -> %s (read-only; the host mount table was not read, so whether mounts below it "
                               "stay writable is unknown)" % (text(src), text(dst)))
                continue
            below = _writable_below(facts, norm) if norm is not None else []
            if not below:
                continue
            shown = "%s -> %s (read-only, but not below it: host mounts %s stay writable)" % (
                text(src), text(dst), ", ".join(text(b, 40) for b in below[:5]) + (
                    " and %d more" % (len(below) - 5) if len(below) > 5 else ""))
            if m.get("ro_non_recursive") or recursive is False:
                bad.append(shown)
            elif recursive is None:
                unknown.append(shown)
        if bad:
            return "read-write bind mounts: %s" % ", ".join(bad[:10])
        if unknown:
            return ("unknown", "whether read-only is recursive is unknown (engine or kernel version, or the host "
                               "mount table, not reported): %s" % ", ".join(unknown[:5]))
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


_PRERELEASE_RE = re.compile(r"(?:^|[-.+~_])(alpha|beta|rc|dev|nightly|snapshot|test|master)(?=$|[-.+~_0-9])",
                            re.IGNORECASE)


def check_x6(facts, opts):
    """Engine not older than min_engine_version and not a pre-release."""
    facts = as_dict(facts)
    version = as_dict(docker(facts).get("info")).get("ServerVersion")
    if not isinstance(version, str) or not version.strip():
        return result(ERROR, "engine version not reported")
    current = versions.release(version)
    wanted_text = opt(opts, "min_engine_version")
    wanted = versions.release(wanted_text)
    if wanted is None:
        wanted_text = catalog.OPTIONS["min_engine_version"]["default"]
        wanted = versions.release(wanted_text)
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
    """Every running container has a healthcheck dockerd runs. The container's Config decides: moby merges
    the image's healthcheck into it at create (daemon/commit.go merge) unless the container overrides it,
    and runs a probe only for a Test of type CMD or CMD-SHELL (daemon/health.go getProbe): NONE
    (``--no-healthcheck``, ``healthcheck: disable: true``) disables the image's. The image's value is
    read only when the container's is not reported."""
    facts = as_dict(facts)

    def check(c):
        container_hc = c.get("healthcheck")
        image_hc = image_of(facts, c).get("healthcheck")
        if container_hc is True:
            return None
        if container_hc is False:
            if image_hc is True:
                return "healthcheck disabled for the container (--no-healthcheck or Test NONE), although image " \
                       "%s has one" % text(c.get("image"))
            return "no HEALTHCHECK (image %s)" % text(c.get("image"))
        if image_hc is True:
            return None
        if image_hc is False:
            return "no HEALTHCHECK (image %s)" % text(c.get("image"))
        return ("unknown", "healthcheck not reported")
    return per_container_tri(facts, opts, check, "every running container has a healthcheck",
                             "containers without a healthcheck")


_RESTART_NAMES = ("no", "always", "unless-stopped", "on-failure")


def check_x11(facts, opts):
    """Restart policy on-failure with 1..restart_max_retries retries (CIS 5.15), by moby's names
    (api/types/container RestartPolicy: "" and "no", "always", "unless-stopped", "on-failure";
    MaximumRetryCount 0 is no limit). Swarm tasks are exempt (the service restarts them) only
    when the engine says they are tasks (is_swarm_task); a swarm label on a plain container
    does not exempt it, and a claimed task whose status is unknown on a swarm node is manual."""
    facts = as_dict(facts)
    max_retries = opt(opts, "restart_max_retries")
    active = swarm_state(facts)[0]
    scoped = scoped_containers(facts, opts)
    containers = [c for c in scoped if not (active and is_swarm_task(c) is True)]

    def check(c):
        if active and is_swarm_task(c) is None:
            return ("unknown", "labels name swarm service %s, but whether the engine runs it as a swarm task is "
                               "not reported" % text(c.get("swarm_service"), 40))
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
        if name not in _RESTART_NAMES:
            return "restart policy %s is not one dockerd knows (use on-failure:%d)" % (text(name, 30), max_retries)
        return "restart policy %s (use on-failure:%d)" % (text(name, 30), max_retries)
    if not containers and scoped:
        return result(NA, "every container in scope is a swarm task (the engine says so; the service restarts "
                          "its tasks)")
    return per_container_tri(facts, opts, check, "restart policy on-failure:<=%d" % max_retries,
                             "containers with another restart policy", containers=containers)


def _namespace_owner(facts, mode):
    """The container a ``container:<name|id>`` mode joins, else None."""
    ref = mode[len("container:"):]
    for c in as_list(docker(facts).get("containers")):
        c = as_dict(c)
        cid = str(c.get("id") or "")
        if ref and (c.get("name") == ref or c.get("name") == ref.lstrip("/") or cid == ref
                    or (len(ref) >= 12 and cid.startswith(ref))):
            return c
    return None


def _shares_host(facts, c, key, depth=0):
    """True when the container's namespace of ``key`` is the host's, following ``container:<x>``
    (runconfig: NetworkMode/PidMode/IpcMode container:<id> joins that container's namespace)."""
    mode = str(c.get(key) or "")
    if mode == "host":
        return True
    if mode.startswith("container:") and depth < 5:
        owner = _namespace_owner(facts, mode)
        return owner is not None and _shares_host(facts, owner, key, depth + 1)
    return False


def check_x12(facts, opts):
    """No container shares the host's network, PID, IPC, UTS or cgroup namespace (HostConfig
    NetworkMode/PidMode/IpcMode/UTSMode/CgroupnsMode "host"), nor, under userns-remap, the host's
    user namespace (UsernsMode "host"); a ``container:<x>`` mode shares whatever x has (followed
    to the container it names). A rootless dockerd's network "host" is rootlesskit's namespace unless
    rootlesskit runs with --detach-netns (docs/network.md): where the gather found the container
    outside PID 1's network namespace (``netns_is_host`` false) it shares no host network."""
    facts = as_dict(facts)
    remap = "name=userns" in [str(o) for o in as_list(as_dict(docker(facts).get("info")).get("SecurityOptions"))]
    rootless = is_rootless(facts)

    def check(c):
        kinds = [("network", "network_mode"), ("pid", "pid_mode"), ("ipc", "ipc_mode"), ("uts", "uts_mode"),
                 ("cgroup", "cgroupns_mode")]
        shared = [ns for ns, key in kinds if _shares_host(facts, c, key)
                  and not (ns == "network" and rootless and c.get("netns_is_host") is False)]
        if remap and c.get("userns_mode") == "host":
            # Without userns-remap every container is in the host's user namespace (item 8 judges that).
            shared.append("user")
        if shared:
            return "shares the host %s namespace%s" % (", ".join(shared), "s" if len(shared) > 1 else "")
        return None
    return per_container_tri(facts, opts, check, "no host namespace shared",
                             "containers sharing host namespaces")


_USR_MERGED = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_PROC_ROOT_RE = re.compile(r"^/proc/(?:[0-9]+|self|thread-self)(?:/task/[0-9]+)?/root(?=/|$)")


def _abs_norm(path):
    """``//etc/`` -> ``/etc``, ``/etc/../etc`` -> ``/etc`` (posixpath keeps a leading ``//``); /var/run
    is /run (a symlink on every systemd distribution). /bin, /sbin, /lib* are /usr/...: merged-/usr
    is the default on Debian 12+, Ubuntu and Fedora (a write to /bin lands in /usr/bin); on other hosts
    they are system directories anyway. /proc/<pid>/root is that process's root (proc(5)), which the
    bind resolves at mount time: /proc/1/root is the host's /."""
    norm = "/" + posixpath.normpath(path).lstrip("/")
    m = _PROC_ROOT_RE.match(norm)
    if m:
        norm = "/" + norm[m.end():].lstrip("/")
    if norm == "/var/run" or norm.startswith("/var/run/"):
        norm = "/run" + norm[len("/var/run"):]
    for top in _USR_MERGED:
        if norm == top or norm.startswith(top + "/"):
            norm = "/usr" + norm
            break
    return norm


def check_x13(facts, opts):
    """No bind mount of a sensitive host directory (CIS 5.5; docker-bench check_5_5 lists
    /, /boot, /dev, /etc, /lib, /proc, /sys, /usr): the source compared canonical; the directory
    itself in any mode, and anything below it (``/etc/ssh``, ``/proc/1/root``) when writable. A
    read-only file below (``/etc/localtime``) is fine. Symlinks on the host are not resolved."""
    facts = as_dict(facts)
    sensitive = set(_abs_norm(p) for p in opt(opts, "sensitive_host_paths") if p.startswith("/"))

    def check(c):
        bad = []
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            src = _bind_source(m)
            if not isinstance(src, str) or not src.startswith("/"):
                continue
            norm = _abs_norm(src)
            writable = m.get("rw") is not False
            below = sorted(p for p in sensitive if p != "/" and norm.startswith(p + "/"))
            if norm in sensitive or (writable and below):
                shown = text(norm) if norm in sensitive else "%s (below %s)" % (text(norm), below[0])
                if norm != src.rstrip("/"):
                    shown = "%s = %s" % (text(src), shown)
                bad.append("%s%s" % (shown, " (read-write)" if writable else ""))
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
    frozen = frozen_agents(facts, opt(opts, "metrics_agent_patterns") + opt(opts, "log_shipper_patterns"))
    if frozen:
        evidence.append("%s: every process is stopped (state T/Z in /proc/PID/stat)" % ", ".join(frozen))
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
