# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``daemon_config``: daemon.json, parsed and redacted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import stat
import time

from ansible_collections.dockersec.hardening.plugins.module_utils import redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError


def _iso_precise(epoch):
    """UTC ISO 8601 with microseconds: restart_pending compares it with dockerd's start time."""
    whole = int(epoch)
    micro = int(round((epoch - whole) * 1000000)) % 1000000
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
    return "%s.%06dZ" % (text, micro) if micro else text + "Z"


def collect_daemon_config(h, path, chosen_by=None):
    """``path`` is the config file the audited dockerd reads (``chosen_by`` says how that is known,
    or why it is not: ``path`` None)."""
    if not path:
        raise CollectorError("the daemon's config file is unknown: %s" % chosen_by,
                             section={"path": None, "exists": None, "valid": None, "error": chosen_by,
                                      "content": None, "symlink_target": None, "chosen_by": None})
    out = {"path": path, "exists": False, "valid": None, "error": None, "content": None, "symlink_target": None,
           "chosen_by": chosen_by}
    if not h.exists(path):
        return out, path
    out["exists"] = True
    try:
        st = h.lstat(path)
        # When the file last changed: after dockerd started, settings that need a restart are not in effect.
        out["mtime"] = _iso_precise(st.st_mtime)
        if stat.S_ISLNK(st.st_mode):
            out["symlink_target"] = h.readlink(path)
        text = h.read(path)
    except (IOError, OSError) as exc:
        out["valid"] = False
        raise_msg = "%s unreadable: %s" % (path, exc.strerror or exc)
        out["error"] = raise_msg
        raise CollectorError(raise_msg)
    if not text.strip():
        out.update(valid=True, content={})
        return out, path
    try:
        content = json.loads(text)
    except ValueError as exc:
        out.update(valid=False, error="%s is not JSON: %s" % (path, exc))
        raise CollectorError(out["error"])
    if not isinstance(content, dict):
        out.update(valid=False, error="%s holds a JSON %s, not an object" % (path, type(content).__name__))
        raise CollectorError(out["error"])
    out.update(valid=True, content=redact.redact_config(content))
    return out, path
