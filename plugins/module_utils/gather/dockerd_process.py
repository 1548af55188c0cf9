# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``dockerd_process``: dockerd's flags (redacted), limits, start time and unit ExecStart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli, redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import iso_time


def parse_flags(argv):
    """dockerd argv -> {flag: [values]}, read the way pflag reads it (dockerd_cli.parse_flags)."""
    return dockerd_cli.parse_flags(argv)


def _limits(text):
    out = {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None}
    for line in text.splitlines():
        for key, label in (("nofile", "Max open files"), ("nproc", "Max processes")):
            if line.startswith(label):
                parts = line[len(label):].split()
                for n, field in enumerate(("soft", "hard")):
                    if len(parts) > n and parts[n].isdigit():
                        out["%s_%s" % (key, field)] = int(parts[n])
    return out


def _started_at(h, pid):
    """When process ``pid`` started (UTC ISO), from its stat starttime and the boot time; None if unreadable."""
    try:
        stat_text = h.read("/proc/%d/stat" % pid)
        ticks = int(stat_text[stat_text.rindex(")") + 2:].split()[19])
        btime = int(re.search(r"^btime\s+(\d+)", h.read("/proc/stat"), re.MULTILINE).group(1))
        return iso_time(btime + ticks / float(os.sysconf("SC_CLK_TCK")))
    except (IOError, OSError, ValueError, IndexError, AttributeError):
        return None


def collect_dockerd_process(h):
    pid = None
    for p in h.glob("/proc/[0-9]*/comm"):
        try:
            if h.read(p).strip() == "dockerd":
                pid = int(p.split("/")[-2])
                break
        except (IOError, OSError, ValueError):
            continue
    out = {"running": pid is not None, "pid": pid, "cmdline": None, "flags": {}, "unit_exec_start": None,
           "limits": {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None},
           "started_at": None}
    if pid is not None:
        out["started_at"] = _started_at(h, pid)
        try:
            # dockerd's flags can carry credentials (e.g. a registry mirror URL with user:password).
            argv = redact.redact_argv([a for a in h.read("/proc/%d/cmdline" % pid).split("\0") if a])
            out["cmdline"] = argv
            out["flags"] = parse_flags(argv)
            out["limits"] = _limits(h.read("/proc/%d/limits" % pid))
        except (IOError, OSError):
            pass
    for unit in ("/etc/systemd/system/docker.service", "/lib/systemd/system/docker.service",
                 "/usr/lib/systemd/system/docker.service"):
        if h.exists(unit):
            try:
                m = re.search(r"^ExecStart=(\S.*)$", h.read(unit), re.MULTILINE)
            except (IOError, OSError):
                m = None
            if m:
                out["unit_exec_start"] = redact.redact_text(m.group(1).strip())
                break
    return out, "/proc/<dockerd>/cmdline" if pid else "no dockerd process"
