# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for checklist section 4, Container Runtime Security: items 16-20.

Per-container controls pass only when every in-scope running container passes; the evidence names
the offenders. No running container, or an engine that could not be reached, gives
``not_applicable`` with the reason, never ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    PASS, as_list, daemon_setting, falsy, per_container, restart_pending, result, opt
)


def check_16(facts, opts):
    def offends(c):
        user = str(c.get("user") or "").strip()
        name = user.split(":", 1)[0]
        if name in ("", "root") or (name.isdigit() and int(name) == 0):
            return "runs as %s" % (repr(user) if user else "root (Config.User empty)")
        return None
    return per_container(facts, opts, offends, "every container runs as a non-root user",
                         "containers running as root")


def _cap(name):
    name = str(name).strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def check_17(facts, opts):
    allowed = set(_cap(c) for c in as_list(opt(opts, "cap_add_allowlist")))

    def offends(c):
        if c.get("privileged") is True or str(c.get("privileged")).lower() == "true":
            return "privileged"
        drop = set(_cap(x) for x in as_list(c.get("cap_drop")))
        added = sorted(set(_cap(x) for x in as_list(c.get("cap_add"))) - allowed)
        why = []
        if "ALL" not in drop:
            why.append("does not drop ALL")
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


def check_19(facts, opts):
    def offends(c):
        missing = []
        if not _positive(c.get("memory")):
            missing.append("memory")
        if not (_positive(c.get("nano_cpus")) or _positive(c.get("cpu_quota"))):
            missing.append("cpus")
        if not _positive(c.get("pids_limit")):
            missing.append("pids")
        return "no %s limit" % "/".join(missing) if missing else None
    return per_container(facts, opts, offends, "every container has memory, CPU and pids limits",
                         "containers without limits")


def check_20(facts, opts):
    value, source = daemon_setting(facts, "no-new-privileges", ["--no-new-privileges"])
    pending = restart_pending(facts) if source == "daemon.json" else None
    note = []
    if value is not None and not falsy(value):
        if not pending:
            return result(PASS, "no-new-privileges set daemon-wide (%s): applies to every container created since "
                                "dockerd loaded it" % source)
        # Not in effect until dockerd restarts: judge what the containers run with.
        note = ["no-new-privileges=%s in daemon.json is not in effect: %s" % (value, pending)]

    def offends(c):
        for o in as_list(c.get("security_opt")):
            o = str(o).strip().lower().replace("=", ":")
            if o in ("no-new-privileges", "no-new-privileges:true"):
                return None
        return "no no-new-privileges in SecurityOpt"
    status, evidence = per_container(facts, opts, offends, "every container sets no-new-privileges",
                                     "containers without no-new-privileges (and not set daemon-wide)")
    return result(status, note + evidence)


CHECKS = {"16": check_16, "17": check_17, "18": check_18, "19": check_19, "20": check_20}
