# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``environment``: DOCKER_* variable names set for every login (/etc/environment, /etc/profile.d)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def collect_environment(h):
    found = []
    for p in ["/etc/environment"] + h.glob("/etc/profile.d/*.sh"):
        if not h.exists(p):
            continue
        try:
            text = h.read(p)
        except (IOError, OSError):
            continue
        for m in re.finditer(r"^\s*(?:export\s+)?DOCKER_CONTENT_TRUST=(\S*)", text, re.MULTILINE):
            found.append({"file": p, "value": m.group(1).strip("'\"")})
    return {"docker_content_trust": found}, "/etc/environment, /etc/profile.d"
