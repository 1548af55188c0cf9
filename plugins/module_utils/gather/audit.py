# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``audit``: the loaded audit rules (``auditctl -l``) and the rules files, with watched paths resolved."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError, rule_lines


def collect_audit(h):
    auditctl = h.which("auditctl")
    live, live_error, enabled, auditd_pid = None, None, None, None
    if auditctl:
        rc, out, err = h.run([auditctl, "-l"])
        if rc == 0:
            live = [] if "No rules" in out else rule_lines(out)
        else:
            # One evidence line: trixie's auditctl adds a second line to the refusal.
            live_error = "auditctl -l: %s" % ("; ".join(ln.strip() for ln in (err or out).splitlines() if ln.strip())
                                              or "rc %s" % rc)
        rc, out, err = h.run([auditctl, "-s"])
        m = re.search(r"^enabled\s+(\d)", out or "", re.MULTILINE)
        if rc == 0 and m:
            enabled = int(m.group(1))
        m = re.search(r"^pid\s+(\d+)", out or "", re.MULTILINE)
        if rc == 0 and m:
            # The audit daemon the kernel sends events to; 0: none (events only reach the kernel log).
            auditd_pid = int(m.group(1))
    else:
        live_error = "auditctl not installed"
    file_rules = {}
    unreadable = []
    for p in h.glob("/etc/audit/rules.d/*.rules") + ["/etc/audit/audit.rules"]:
        if not h.exists(p):
            continue
        try:
            file_rules[p] = rule_lines(h.read(p))
        except (IOError, OSError) as exc:
            file_rules[p] = []
            unreadable.append("%s: %s" % (p, exc.strerror))
            live_error = (live_error or "") + "; %s unreadable: %s" % (p, exc.strerror)
    if live is None:
        # Without the live rules, the files are the only source; a non-root gather cannot list
        # /etc/audit (mode 0750) and would otherwise report "no rules" as a verdict.
        unreadable += [d for d in (h.denied("/etc/audit/rules.d"), h.denied("/etc/audit")) if d][:1]
        if unreadable:
            raise CollectorError("%s, and the rules files are not readable (%s): run with become (root)"
                                 % (live_error.split(";")[0], "; ".join(unreadable)))
    source = "auditctl -l" if live is not None else "/etc/audit/rules.d"
    return {"auditctl": auditctl, "live_rules": live, "live_error": live_error, "enabled_flag": enabled,
            "auditd_pid": auditd_pid, "file_rules": file_rules,
            "resolved": _resolve_rule_paths(h, (live or []) + [r for rules in file_rules.values() for r in rules])}, source


_RULE_PATH = re.compile(r"(?:^|\s)(?:-w\s+|-F\s+(?:path|dir)=)(\S+)")


def _resolve_rule_paths(h, rules):
    """{path named in a rule: the file the kernel watches on this host}, for the paths whose spelling
    differs (``/lib/systemd/...`` on merged-/usr).

    The kernel resolves a watch's parent directories and not its last component
    (kernel/audit_watch.c audit_get_nd: kern_path_locked; audit_tree.c: kern_path without
    LOOKUP_FOLLOW): a watch on a symlink watches the link, not the file it points to.
    """
    resolved = {}
    for rule in rules:
        for path in _RULE_PATH.findall(rule):
            path = path.rstrip("/") or "/"
            if path in resolved or not path.startswith("/") or path == "/":
                continue
            parent, name = path.rsplit("/", 1)
            try:
                real = h.realpath(parent or "/").rstrip("/") + "/" + name
            except (IOError, OSError, ValueError):
                continue
            if real != path:
                resolved[path] = real
    return resolved
