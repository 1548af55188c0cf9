# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``tools``: scanners and signing tools on the host, and the newest docker-bench-security log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log


TOOLS = {
    "trivy": ("trivy",), "grype": ("grype",), "docker_scout": ("docker-scout",), "cosign": ("cosign",),
    "notary": ("notary",), "notation": ("notation",), "falco": ("falco",),
}


def _newest(h, paths):
    """(path, mtime) of the most recently modified of ``paths`` (the first on a tie), else (None, None)."""
    newest, mtime = None, None
    for p in paths:
        try:
            m = h.lstat(p).st_mtime
        except OSError:
            continue
        if mtime is None or m > mtime:
            newest, mtime = p, m
    return newest, mtime


def collect_tools(h):
    out = dict((name, next((h.which(b) for b in bins if h.which(b)), None)) for name, bins in TOOLS.items())
    logs = h.glob("/var/log/docker-bench-security*.log") + h.glob("/usr/local/bin/log/docker-bench-security.log*")
    newest, mtime = _newest(h, logs)
    out["docker_bench_log"] = newest
    out["docker_bench_log_mtime"] = (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime)) if mtime else None)
    out["docker_bench"] = _docker_bench_json(h)
    return out, "PATH and well-known directories"


# Where docker-bench-security leaves its JSON log: log/ below the directory it ran from.
DOCKER_BENCH_JSON = (
    "/var/log/docker-bench-security*.log.json", "/usr/local/bin/log/docker-bench-security.log.json",
    "/opt/docker-bench-security/log/*.log.json", "/root/docker-bench-security/log/*.log.json",
    "/usr/share/docker-bench-security/log/*.log.json", "/usr/local/share/docker-bench-security/log/*.log.json",
)


def _docker_bench_json(h):
    """The newest docker-bench-security JSON log's summary (bench_log.summarize), else None."""
    newest, mtime = _newest(h, [p for pattern in DOCKER_BENCH_JSON for p in h.glob(pattern)])
    if newest is None:
        return None
    out = {"path": newest, "mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime)), "error": None}
    try:
        size = h.lstat(newest).st_size
        if size > bench_log.MAX_BYTES:
            out.update(bench_log.summarize(""), error=bench_log.too_large(newest, size))
            return out
        # The cap again: the file may grow between the stat and the read.
        text = h.read(newest, limit=bench_log.MAX_BYTES + 1)
    except (IOError, OSError) as exc:
        out["error"] = "%s unreadable: %s" % (newest, exc)
        return out
    out.update(bench_log.summarize(text))
    out["error"] = out["error"] and "%s: %s" % (newest, out["error"])
    return out
