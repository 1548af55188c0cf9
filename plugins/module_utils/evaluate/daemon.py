# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 2, Docker Daemon Configuration: items 6-10."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils import versions
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, PASS, as_dict, as_list, daemon_config_mismatch, daemon_meta, daemon_setting, docker, falsy,
    icc_state, is_rootless, restart_pending, result, rootless_text, opt, security_options, text
)


def check_6(facts, opts):
    disabled, evidence = icc_state(facts)
    return result(PASS if disabled else FAIL, evidence)


def check_7(facts, opts):
    """log-level info (or unset) and debug off, as the running dockerd has them.

    Rule: moby daemon/config (``log-level``/``debug`` keys, ``--log-level``/``-l``, ``--debug``/``-D``;
    a key set both ways makes dockerd refuse to start) and ``docker info`` Debug for the running state.
    """
    mismatch = daemon_config_mismatch(facts)
    if mismatch:
        return result(ERROR, mismatch)
    value, source = daemon_setting(facts, "log-level", ["--log-level", "-l"])
    debug, dsrc = daemon_setting(facts, "debug", ["--debug", "-D"])
    running_debug = as_dict(docker(facts).get("info")).get("Debug")
    # docker info shows whether the running dockerd is in debug mode: that wins over the file.
    if running_debug is True:
        said = " (%s says debug=%s: not reloaded?)" % (dsrc, debug) if debug is not None and falsy(debug) else ""
        return result(FAIL, "dockerd runs in debug mode (docker info Debug=true)%s: logs leak sensitive data" % said)
    notes = []
    if debug is not None and not falsy(debug):
        if running_debug is False:
            notes.append("debug=%s in %s but docker info Debug=false: not in effect (reload pending)" % (debug, dsrc))
        else:
            return result(FAIL, "debug mode is on (%s): logs leak sensitive data" % dsrc)
    pending = restart_pending(facts) if source == "daemon.json" else None
    if pending:
        notes.append(pending + "; the running log level may differ from the file's")
    if value is None:
        return result(PASS, ["log-level not set: dockerd defaults to info"] + notes)
    if str(value).lower() == "info":
        return result(PASS, ["log-level=info (%s)" % source] + notes)
    return result(FAIL, ["log-level=%s (%s): want info" % (value, source)] + notes)


def check_8(facts, opts):
    """User namespaces as the running dockerd reports them (moby daemon/info.go fillSecurityOptions):
    ``name=userns`` when userns-remap maps container root to another uid, ``name=rootless`` for a
    rootless daemon. A rootless dockerd runs inside rootlesskit's user namespace (the user's uid is
    root there, its subordinate ids the rest: rootlesskit docs/subid.md), so every container's root
    is an unprivileged host uid without userns-remap: the remapping is inherent, and the item passes
    with that reason (dockerd's own name=rootless first, else the daemon record's rootless)."""
    info = as_dict(docker(facts).get("info"))
    opts_list = [str(o) for o in as_list(info.get("SecurityOptions"))]
    if "name=userns" in security_options(facts):
        return result(PASS, "docker info SecurityOptions has name=userns")
    if "name=rootless" in security_options(facts):
        return result(PASS, "docker info SecurityOptions has name=rootless: the daemon itself runs in a user "
                            "namespace, container root is an unprivileged host user")
    if is_rootless(facts):
        return result(PASS, "%s: it runs under rootlesskit in a user namespace (the daemon record: found by %s), "
                            "so container root is an unprivileged host user; docker info did not report it"
                            % (rootless_text(facts), text(daemon_meta(facts).get("found_by") or "discovery", 20)))
    configured, source = daemon_setting(facts, "userns-remap")
    note = " (userns-remap=%s in %s but not active: restart pending?)" % (configured, source) if configured else ""
    return result(FAIL, "docker info SecurityOptions lacks name=userns: %s%s" % (", ".join(opts_list) or "none", note))


def _rootless_overlay2(facts):
    """(available: True/False/None, why) of overlay2 for a rootless dockerd. overlayfs mounts in a user
    namespace from kernel 5.11 (moby daemon/graphdriver/overlay2/check.go: "consider updating to kernel
    5.11 or later"), except with SELinux, where dockerd-rootless.sh exports _DOCKERD_ROOTLESS_SELINUX and
    overlayutils.SupportsOverlay refuses ("overlay is not supported for Rootless with SELinux",
    moby/moby#42333); then dockerd's priority list (daemon/graphdriver/driver_linux.go
    "overlay2,fuse-overlayfs,...") falls to fuse-overlayfs."""
    host = as_dict(facts.get("host"))
    if host.get("selinux_enabled") is True:
        return False, "SELinux is enabled on the host: dockerd refuses rootless overlayfs with SELinux (moby#42333)"
    kernel = host.get("kernel_running")
    release = versions.release(kernel)
    if release is None:
        return None, "the host's kernel release was not read"
    if release[:2] < (5, 11):
        return False, "kernel %s is older than 5.11, which first mounts overlayfs in a user namespace" % text(kernel)
    return True, "kernel %s mounts overlayfs in a user namespace (5.11 or later)" % text(kernel)


def check_9(facts, opts):
    """docker info Driver overlay2 (or the containerd store's overlayfs). A rootless dockerd that cannot
    mount overlayfs uses fuse-overlayfs, the next of dockerd's drivers: a pass with that reason where
    overlay2 is unavailable to it (_rootless_overlay2), a fail where it is available."""
    driver = as_dict(docker(facts).get("info")).get("Driver")
    if not driver:
        return result(ERROR, "storage driver unknown")
    if driver == "fuse-overlayfs" and is_rootless(facts):
        available, why = _rootless_overlay2(facts)
        if available is False:
            return result(PASS, "storage driver fuse-overlayfs: overlay2 is not available to the %s (%s)"
                          % (rootless_text(facts), why))
        if available is None:
            return result(ERROR, "storage driver fuse-overlayfs on a %s: whether overlay2 is available is unknown "
                                 "(%s)" % (rootless_text(facts), why))
        return result(FAIL, "storage driver fuse-overlayfs, but %s: overlay2 is available to the %s (storage-driver "
                            "set in its daemon.json?)" % (why, rootless_text(facts)))
    if driver == "overlay2":
        return result(PASS, "storage driver overlay2")
    if driver == "overlayfs":
        # The containerd image store (default for new installs from Engine 29) reports its snapshotter.
        return result(PASS, "storage driver overlayfs (containerd image store snapshotter, overlay2's successor)")
    why = "deprecated" if driver in ("aufs", "devicemapper", "overlay") else "not the recommended overlay2"
    return result(FAIL, "storage driver %s: %s" % (driver, why))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _field(entry, name):
    """A daemon.json object's field as Go's encoding/json finds it: the key matched case-insensitively."""
    for key in (name, name.lower()):
        if key in entry:
            return entry[key]
    for key, value in entry.items():
        if str(key).lower() == name.lower():
            return value
    return None


def _ulimit(entry):
    """(soft, hard) from a daemon.json default-ulimits entry or a --default-ulimit value."""
    if isinstance(entry, dict):
        return _field(entry, "Soft"), _field(entry, "Hard")
    m = re.match(r"^\w+=(-?\d+)(?::(-?\d+))?$", str(entry))
    if m:
        soft = int(m.group(1))
        return soft, int(m.group(2)) if m.group(2) else soft
    return None, None


def check_10(facts, opts):
    """default-ulimits nofile and nproc set, bounded, and in effect.

    Rule: moby daemon/config ``default-ulimits`` (a map of {Name, Soft, Hard}) or
    ``--default-ulimit name=soft[:hard]``; dockerd reads its --config-file only at start.
    """
    mismatch = daemon_config_mismatch(facts)
    if mismatch:
        return result(ERROR, mismatch)
    status, evidence = _check_10(facts, opts)
    pending = restart_pending(facts)
    if pending and daemon_setting(facts, "default-ulimits", ["--default-ulimit"])[1] == "daemon.json":
        # default-ulimits needs a restart, and neither docker info nor the inspects show the running value.
        return result(ERROR, ["%s: dockerd may still run other default-ulimits; the file alone says: %s"
                              % (pending, "; ".join(evidence))])
    return status, evidence


def _check_10(facts, opts):
    value, source = daemon_setting(facts, "default-ulimits", ["--default-ulimit"])
    limits = {}
    misnamed = []
    if isinstance(value, dict):
        # moby daemon/oci_linux.go mergeUlimits appends each entry as it is: the entry's Name (the
        # RLIMIT_ it sets) decides what it limits, not the key it sits under.
        for key, entry in value.items():
            name = _field(entry, "Name") if isinstance(entry, dict) else key
            if not isinstance(name, str) or not name:
                misnamed.append("entry %s has no Name (dockerd would set RLIMIT_ for it)" % text(key, 20))
                continue
            if name.lower() != str(key).lower():
                misnamed.append("entry %s limits %s (its Name)" % (text(key, 20), text(name, 20)))
            limits[name.lower()] = entry
    elif source == "daemon.json":
        return result(FAIL, "default-ulimits in daemon.json is not an object: %r" % (value,))
    elif value is not None:
        for v in as_list(as_dict(as_dict(facts.get("dockerd_process")).get("flags")).get("--default-ulimit")):
            limits[str(v).split("=", 1)[0]] = v
    if not limits:
        # Name the file dockerd reads: with --config-file it is not /etc/docker/daemon.json.
        path = as_dict(facts.get("daemon_config")).get("path")
        where = text(path) if isinstance(path, str) and path else "daemon.json"
        return result(FAIL, "default-ulimits not set (%s or --default-ulimit)" % where)
    proc_limits = as_dict(as_dict(facts.get("dockerd_process")).get("limits"))
    bounds = {"nofile": opt(opts, "ulimit_nofile_max"), "nproc": opt(opts, "ulimit_nproc_max")}
    bad, good = [], []
    for name in ("nofile", "nproc"):
        if name not in limits:
            bad.append("%s not set" % name)
            continue
        soft, hard = _ulimit(limits[name])
        if not _is_int(soft) or not _is_int(hard):
            bad.append("%s has no numeric Soft/Hard: %r" % (name, limits[name]))
            continue
        if soft < 0 or hard < 0:
            bad.append("%s %s:%s is unlimited" % (name, soft, hard))
        elif soft > hard:
            bad.append("%s soft %d above hard %d" % (name, soft, hard))
        elif _is_int(bounds[name]) and hard > bounds[name]:
            bad.append("%s hard %d above the bound %d" % (name, hard, bounds[name]))
        elif name == "nofile" and _is_int(proc_limits.get("nofile_hard")) and hard > proc_limits["nofile_hard"]:
            bad.append("nofile hard %d above dockerd's own hard limit %d: new containers fail to start"
                       % (hard, proc_limits["nofile_hard"]))
        else:
            good.append("%s %d:%d" % (name, soft, hard))
    bad.extend(misnamed)
    if bad:
        return result(FAIL, ["default-ulimits (%s): %s" % (source, "; ".join(bad))] + good)
    return result(PASS, "default-ulimits (%s): %s" % (source, ", ".join(good)))


CHECKS = {"6": check_6, "7": check_7, "8": check_8, "9": check_9, "10": check_10}
