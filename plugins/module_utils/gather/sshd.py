# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``sshd``: the effective sshd configuration (``sshd -T``, parsed by sshd_policy)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils import sshd_policy
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError


def collect_sshd(h):
    binary = h.which("sshd")
    files = [p for p in ["/etc/ssh/sshd_config"] + h.glob("/etc/ssh/sshd_config.d/*.conf") if h.exists(p)]
    if not binary:
        return {"binary": None, "effective": None, "config_files": files}, "no sshd binary"
    rc, out, err = h.run([binary, "-T"])
    if rc != 0:
        msg = (err or out).strip().splitlines()
        raise CollectorError("%s -T failed (rc %s): %s" % (binary, rc, msg[-1] if msg else "no output"))
    effective = sshd_policy.parse_effective(out)
    return {"binary": binary, "effective": effective, "config_files": files}, "%s -T" % binary
