# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``iptables``: the DOCKER-USER chain (IPv4 and IPv6) as ``iptables -S`` prints it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError, rule_lines


# Targets iptables(8) and iptables-extensions(8) define: never user chains to list.
_TARGETS = frozenset(["ACCEPT", "DROP", "RETURN", "REJECT", "QUEUE", "NFQUEUE", "LOG", "NFLOG", "ULOG", "TRACE",
                      "MARK", "CONNMARK", "CLASSIFY", "TCPMSS", "DSCP", "TOS", "NOTRACK", "CT", "SET", "AUDIT",
                      "CHECKSUM", "TTL", "HL", "CONNSECMARK", "SECMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT"])
_JUMP = re.compile(r"(?:^|\s)(?:-j|--jump|-g|--goto)\s+(\S+)")
MAX_CHAINS = 16


def jumped_chains(h, binary, rules):
    """({chain: rules}, {chain: error}) of the user chains DOCKER-USER jumps or goes to, and
    theirs in turn (at most MAX_CHAINS): what a packet sent there meets decides as much as
    DOCKER-USER's own rules."""
    chains, errors, todo = {}, {}, []
    for line in rules or []:
        todo.extend(t for t in _JUMP.findall(line) if t not in _TARGETS)
    while todo and len(chains) + len(errors) < MAX_CHAINS:
        name = todo.pop(0)
        if name in chains or name in errors or name == "DOCKER-USER":
            continue
        rc, out, err = h.run([binary, "-w", "5", "-S", name])
        if rc != 0:
            errors[name] = (err or out).strip() or "rc %s" % rc
            continue
        chains[name] = rule_lines(out)
        for line in chains[name]:
            todo.extend(t for t in _JUMP.findall(line) if t not in _TARGETS)
    for name in todo:
        if name not in chains and name not in errors and name != "DOCKER-USER":
            errors[name] = "not read: more than %d chains" % MAX_CHAINS
    return chains, errors


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
    chains, chains_error = jumped_chains(h, binary, chain)
    chains6, chains6_error = jumped_chains(h, binary6, chain6) if binary6 else ({}, {})
    return {"binary": binary, "docker_user": chain, "docker_user_error": chain_error,
            "chains": chains, "chains_error": chains_error,
            "forward_policy": m.group(1) if m else None,
            "binary6": binary6, "docker_user6": chain6, "docker_user6_error": chain6_error,
            "chains6": chains6, "chains6_error": chains6_error}, "%s -S DOCKER-USER" % binary
