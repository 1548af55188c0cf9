# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 4, Container Runtime Security: items 16-20.

Per-container controls pass only when every in-scope container in effect passes (running, paused,
restarting, or stopped but started again by dockerd: common.scoped_containers); the evidence names
the offenders and their state. No such container, or an engine that could not be reached, gives
``not_applicable`` with the reason, never ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    MANUAL, PASS, as_dict, as_list, daemon_setting, docker, falsy, is_rootless, parse_timestamp, per_container,
    per_container_tri, restart_pending, result, rootless_text, opt, text
)

# Go's strconv.Atoi: an optional sign, then decimal digits (moby/sys/user parseNumeric).
_ATOI_RE = re.compile(r"^[+-]?[0-9]+$")


def check_16(facts, opts):
    """Config.User as moby/sys/user ``GetExecUser`` (daemon/oci_linux.go ``getUser``) reads it: the part
    before ":" is a uid when strconv.Atoi reads it (``+0``, ``00``), else a user name; an empty part
    keeps the default uid 0. The image's USER is already in Config.User (the engine merges it at
    create). A user name other than root that the image maps to uid 0 is not visible here.
    userns-remap maps that root to an unprivileged host uid, but it is still root in the container
    (CIS 4.1 asks for a USER either way): the evidence says so. Under a rootless dockerd container
    root is the daemon's user on the host (rootlesskit maps uid 0 of its namespace to it): still root
    to everything in the container, and to all the user's files, so the item keeps failing with that
    said."""
    remap = "name=userns" in [str(o) for o in as_list(as_dict(docker(facts).get("info")).get("SecurityOptions"))]
    rootless = is_rootless(facts)

    def offends(c):
        user = str(c.get("user") or "")
        name = user.split(":", 1)[0]
        if name == "" or name == "root" or (_ATOI_RE.match(name) and int(name) == 0):
            mapped = " (userns-remap maps it to an unprivileged host uid)" if (
                remap and c.get("userns_mode") != "host") else ""
            if rootless:
                mapped = " (the %s maps it to its user on the host)" % rootless_text(facts)
            return "runs as %s%s" % (repr(user) if user else "root (Config.User empty)", mapped)
        return None
    return per_container(facts, opts, offends, "every container runs as a non-root user",
                         "containers running as root")


def _cap(name):
    """A capability as oci/caps ``NormalizeLegacyCapabilities`` spells it, without CAP_: upper case;
    ``ALL`` only as the bare word (``CAP_ALL`` is no capability: kept as ``CAP_ALL``)."""
    name = str(name).strip().upper()
    if name == "ALL":
        return name
    name = name[4:] if name.startswith("CAP_") else name
    return "CAP_ALL" if name == "ALL" else name


def check_17(facts, opts):
    """oci/caps ``TweakCapabilities``: Privileged gets every capability; CapAdd ALL is read before
    CapDrop ALL (all capabilities but those named in CapDrop); CapDrop ALL leaves exactly CapAdd."""
    allowed = set(_cap(c) for c in as_list(opt(opts, "cap_add_allowlist"))) - set(["ALL"])

    def offends(c):
        if c.get("privileged") is True or str(c.get("privileged")).lower() == "true":
            return "privileged"
        drop = set(_cap(x) for x in as_list(c.get("cap_drop")))
        adds = set(_cap(x) for x in as_list(c.get("cap_add")))
        if "ALL" in adds:
            return "CapAdd ALL: every capability (dockerd reads CapAdd ALL before CapDrop ALL)"
        added = sorted(adds - allowed)
        why = []
        if "ALL" not in drop:
            why.append("does not drop ALL%s" % (" (CAP_ALL is not ALL to dockerd)" if "CAP_ALL" in drop else ""))
        if added:
            why.append("adds %s" % ", ".join(added))
        return "; ".join(why) or None
    return per_container(facts, opts, offends, "every container drops ALL and adds only allow-listed capabilities",
                         "containers with excess capabilities")


def check_18(facts, opts):
    return per_container(facts, opts, lambda c: None if c.get("readonly_rootfs") is True else "root filesystem writable",
                         "every container has a read-only root filesystem", "containers with a writable root")


def _positive(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


# docker info keys that say whether the kernel enforces a kind of limit (daemon/info_unix.go
# fillPlatformInfo; all false with cgroup driver "none").
_ENFORCED = (("memory", "MemoryLimit"), ("cpus", "CpuCfsQuota"), ("pids", "PidsLimit"))


def check_19(facts, opts):
    """HostConfig limits as dockerd applies them (daemon/daemon_unix.go ``getMemoryResources``,
    ``getCPUResources``, ``getPidsLimit``): Memory 0 is unlimited; a CPU limit is NanoCpus or a
    positive CpuQuota (CpuShares is a relative weight, not a limit; -1 is unlimited); PidsLimit
    <= 0 is unlimited. A limit the kernel does not enforce is no limit: docker info MemoryLimit,
    CpuCfsQuota, PidsLimit false (``verifyPlatformContainerResources`` discards or cannot apply
    it), or CgroupDriver "none" (rootless without cgroups: no limit is applied at all).

    Rootless: daemon/daemon_unix.go ``cgroupDriver`` gives a rootless dockerd the "none" driver unless it
    uses systemd's (cgroup v2 only: ``exec-opt native.cgroupdriver=systemd requires cgroup v2 for rootless
    mode``), and daemon/info_unix.go fillPlatformInfo then leaves MemoryLimit, CpuCfsQuota and PidsLimit
    false: the limits in HostConfig are accepted and never applied, so the item fails even when every
    container sets them. With the systemd driver, ``getSysInfo`` reads the controllers systemd delegated
    to /user.slice/user-UID.slice: a controller not delegated (user@.service ``Delegate=``,
    rootlesscontaine.rs "Enabling CPU, CPUSET, and I/O delegation") reports false and that kind of
    limit is not enforced either. The same
    info fields decide for a rootful daemon on a kernel without the controllers."""
    info = as_dict(docker(facts).get("info"))
    driver = info.get("CgroupDriver")
    unenforced, unknown = [], []
    if driver == "none":
        unenforced = ["memory", "cpus", "pids"]
    else:
        for kind, key in _ENFORCED:
            if info.get(key) is False:
                unenforced.append(kind)
            elif info.get(key) is not True:
                unknown.append(key)
    if driver is None:
        unknown.append("CgroupDriver")

    def check(c):
        missing = []
        if not _positive(c.get("memory")):
            missing.append("memory")
        if not (_positive(c.get("nano_cpus")) or _positive(c.get("cpu_quota"))):
            missing.append("cpus")
        if not _positive(c.get("pids_limit")):
            missing.append("pids")
        if missing:
            return "no %s limit" % "/".join(missing)
        return None
    status, evidence = per_container(facts, opts, check, "every container has memory, CPU and pids limits",
                                     "containers without limits")
    rootless = is_rootless(facts)
    if status != PASS:
        if unenforced and evidence:
            evidence.append(_unenforced_text(driver, unenforced, rootless))
        return result(status, evidence)
    if unenforced:
        return result("fail", [_unenforced_text(driver, unenforced, rootless)] + evidence)
    if unknown:
        return result(MANUAL, ["whether the kernel enforces the limits is not reported (docker info %s): "
                               "the limits are set but may be discarded" % ", ".join(unknown)] + evidence)
    return result(status, evidence)


def _unenforced_text(driver, kinds, rootless=False):
    if driver == "none":
        return ("cgroup driver none (rootless dockerd without cgroups: it needs cgroup v2 and systemd's driver): "
                "memory, CPU and pids limits are accepted but not enforced")
    if rootless:
        return ("%s limits not enforced: the controllers are not delegated to the user's cgroup (systemd "
                "user@.service Delegate=; docker info reports them false)" % "/".join(kinds))
    return "%s limits not enforced by this kernel (docker info: no cgroup support for them)" % "/".join(kinds)


def _parse_bool(value):
    """Go's strconv.ParseBool, or None for what it rejects."""
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def container_nnp(c):
    """(value, form) no-new-privileges as the container's SecurityOpt set it, (None, None) when it
    does not, ("unknown", form) for a form dockerd rejects. daemon/daemon_unix.go
    ``parseSecurityOpt``: the options in order, the last one wins; ``no-new-privileges`` alone
    is true; ``key=value`` (``key:value`` deprecated, used when there is no "="); the value by
    strconv.ParseBool; keys are case-sensitive."""
    value, form = None, None
    for o in as_list(c.get("security_opt")):
        o = str(o)
        if o == "no-new-privileges":
            value, form = True, o
            continue
        sep = "=" if "=" in o else (":" if ":" in o else None)
        if sep is None:
            continue
        key, val = o.split(sep, 1)
        if key != "no-new-privileges":
            continue
        parsed = _parse_bool(val)
        if parsed is None:
            return "unknown", o
        value, form = parsed, o
    return value, form


def _api_at_least(facts, wanted):
    version = str(docker(facts).get("api_version") or "")
    try:
        return tuple(int(x) for x in version.split(".")[:2]) >= wanted
    except ValueError:
        return False


def daemon_nnp(facts):
    """(True/False, evidence) the running dockerd's default for new containers.

    docker info SecurityOptions lists ``name=no-new-privileges`` when the running dockerd has it
    (daemon/info.go, since Engine API 1.44; an older engine does not say), else the setting in
    daemon.json or on the command line, from the file only once dockerd started after it changed.
    """
    options = [str(o) for o in as_list(as_dict(docker(facts).get("info")).get("SecurityOptions"))]
    if "name=no-new-privileges" in options:
        return True, "the running dockerd sets no-new-privileges for new containers (docker info)", None
    if _api_at_least(facts, (1, 44)) and options:
        return False, "the running dockerd does not set no-new-privileges by default (docker info)", None
    value, source = daemon_setting(facts, "no-new-privileges", ["--no-new-privileges"])
    if value is None or falsy(value):
        return False, None, None
    pending = restart_pending(facts) if source == "daemon.json" else None
    if pending:
        return False, None, "no-new-privileges=%s in daemon.json is not in effect: %s" % (value, pending)
    return True, "no-new-privileges set daemon-wide (%s)" % source, None


def check_20(facts, opts):
    """no-new-privileges per container as dockerd decides it: the daemon default copied at create
    (daemon/create.go ``setSecurityOptions``: ``cfg.NoNewPrivileges``), then the container's own
    SecurityOpt (``parseSecurityOpt``; ``no-new-privileges=false`` switches the default off). A
    container created before the running dockerd started got the default of the dockerd of that
    time, which the facts do not show."""
    default, default_text, note = daemon_nnp(facts)
    started = parse_timestamp(as_dict(facts.get("dockerd_process")).get("started_at"))

    def check(c):
        value, form = container_nnp(c)
        if value == "unknown":
            return ("unknown", "SecurityOpt %s is not a form dockerd accepts" % text(form, 60))
        if value is True:
            return None
        if value is False:
            return "SecurityOpt %s switches no-new-privileges off" % text(form, 60)
        if not default:
            return "no no-new-privileges in SecurityOpt (and not set daemon-wide)"
        created = parse_timestamp(c.get("created"))
        if created is None or started is None:
            return ("unknown", "no no-new-privileges in SecurityOpt; when it was created, against when dockerd "
                               "started, is not reported: whether it got the daemon default is unknown")
        if created < started:
            return ("unknown", "no no-new-privileges in SecurityOpt and created before the running dockerd started "
                               "(%sZ): the daemon default of that time applies; recreate it or set security_opt"
                    % started.isoformat())
        return None
    status, evidence = per_container_tri(facts, opts, check, "every container runs with no-new-privileges",
                                         "containers without no-new-privileges")
    head = [note] if note else []
    if default_text and status == PASS:
        head.append(default_text)
    return result(status, head + evidence)


CHECKS = {"16": check_16, "17": check_17, "18": check_18, "19": check_19, "20": check_20}
