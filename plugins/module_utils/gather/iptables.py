# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``iptables``: the DOCKER-USER chain (IPv4 and IPv6) as ``iptables -S`` prints it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError, rule_lines


def collect_iptables(h):
    binary = h.which("iptables")
    if not binary:
        raise CollectorError("iptables not installed")
    rc, out, err = h.run([binary, "-w", "5", "-S", "DOCKER-USER"])
    chain, chain_error = None, None
    if rc == 0:
        chain = rule_lines(out)
    else:
        chain_error = (err or out).strip() or "rc %s" % rc
    rc, out, err = h.run([binary, "-w", "5", "-S", "FORWARD"])
    m = re.search(r"^-P FORWARD (\w+)", out or "", re.MULTILINE)
    if rc != 0 and chain is None and "ermission" in (err or ""):
        raise CollectorError("iptables: permission denied (run with become)")
    # Docker filters IPv6 in ip6tables' own DOCKER-USER (ip6tables: true, the default from Engine 27).
    binary6 = h.which("ip6tables")
    chain6, chain6_error = None, None
    if binary6:
        rc, out, err = h.run([binary6, "-w", "5", "-S", "DOCKER-USER"])
        if rc == 0:
            chain6 = rule_lines(out)
        else:
            chain6_error = (err or out).strip() or "rc %s" % rc
    else:
        chain6_error = "ip6tables not installed"
    return {"binary": binary, "docker_user": chain, "docker_user_error": chain_error,
            "forward_policy": m.group(1) if m else None,
            "binary6": binary6, "docker_user6": chain6, "docker_user6_error": chain6_error}, "%s -S DOCKER-USER" % binary
