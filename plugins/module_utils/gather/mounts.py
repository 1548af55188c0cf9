# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``mounts``: the mount table and the block devices below it (encryption for item 27)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError


def _unescape(path):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def collect_mounts(h):
    entries = []
    try:
        text = h.read("/proc/self/mountinfo")
    except (IOError, OSError) as exc:
        raise CollectorError("/proc/self/mountinfo unreadable: %s" % exc)
    for line in text.splitlines():
        left, _sep, right = line.partition(" - ")
        lp, rp = left.split(), right.split()
        if len(lp) < 6 or len(rp) < 2:
            continue
        # "root" is the directory of the filesystem mounted there: not "/" for a bind mount of a
        # directory (findmnt's SOURCE /dev/vda[/var/lib/docker]); "dev" its major:minor.
        entries.append({"target": _unescape(lp[4]), "source": _unescape(rp[1]), "fstype": rp[0], "options": lp[5],
                        "root": _unescape(lp[3]), "dev": lp[2]})
    crypt, lsblk_error = [], None
    if h.which("lsblk"):
        rc, out, err = h.run(["lsblk", "-J", "-s", "-o", "NAME,TYPE,PATH"])
        if rc == 0:
            try:
                crypt = sorted(_crypt_devices(json.loads(out).get("blockdevices") or []))
            except ValueError as exc:
                lsblk_error = "lsblk output not JSON: %s" % exc
        else:
            lsblk_error = (err or out).strip() or "lsblk rc %s" % rc
    else:
        lsblk_error = "lsblk not installed"
    return {"entries": entries, "crypt_devices": crypt, "lsblk_error": lsblk_error}, "/proc/self/mountinfo, lsblk"


def _crypt_devices(devices, below_crypt=False):
    """Devices with a crypt layer anywhere beneath them (lsblk -s lists children as what they sit on)."""
    found = set()
    for d in devices:
        children = d.get("children") or []
        has_crypt = d.get("type") == "crypt" or _has_crypt(children)
        if has_crypt and d.get("path"):
            found.add(d["path"])
        found.update(_crypt_devices(children))
    return found


def _has_crypt(devices):
    return any(d.get("type") == "crypt" or _has_crypt(d.get("children") or []) for d in devices)
