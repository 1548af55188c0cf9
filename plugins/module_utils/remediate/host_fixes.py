# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Pure planning for the host remediation roles: the DOCKER-USER rules (item 25) and the
`docker update` limits (item 19). No Ansible, no Docker: unit-tested on plain data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

CHAIN = "DOCKER-USER"
_IFACE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}\+?$")


class PlanError(ValueError):
    """Bad input: the message names the variable and the entry."""


def _text(value):
    try:
        return u"%s" % value
    except Exception:  # pragma: no cover - only for objects with a broken __str__
        return repr(value)


def _source(value, where):
    try:
        net = ipaddress.ip_network(_text(value), strict=False)
    except ValueError:
        raise PlanError("%s: %r is not an IPv4 address or CIDR" % (where, value))
    if net.version != 4:
        raise PlanError("%s: %s is IPv6; this role manages the IPv4 DOCKER-USER chain (iptables) only"
                        % (where, value))
    return net.with_prefixlen


def docker_user_rules(allowed_sources, port_sources, internal_interfaces):
    """The DOCKER-USER chain, in the exact form ``iptables -S DOCKER-USER`` prints it back, so the
    live chain compares line for line with the file.

    Order: replies first (RELATED,ESTABLISHED, docker/docs#21708); traffic from the Docker bridges
    (containers, the host's own hairpin) is not "from outside" and goes back to Docker's chains;
    allowed sources (all ports, then per published port) go back too; then every connection that
    was DNATed, i.e. to a published port, is dropped. The final RETURN is written here rather
    than left to the engine: newer engines add none (moby/moby#50098), Docker 20.10 appends one
    when the chain has no unconditional RETURN, so owning it keeps the chain identical on both."""
    if not isinstance(allowed_sources, list):
        raise PlanError("docker_user_chain_allowed_sources must be a list of CIDRs, got %r" % (allowed_sources,))
    if not isinstance(port_sources, list):
        raise PlanError("docker_user_chain_port_sources must be a list of {port, proto, sources}, got %r"
                        % (port_sources,))
    if not isinstance(internal_interfaces, list):
        raise PlanError("docker_user_chain_internal_interfaces must be a list, got %r" % (internal_interfaces,))
    rules = ["-A %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" % CHAIN]
    for n, iface in enumerate(internal_interfaces):
        if not isinstance(iface, str) or not _IFACE.match(iface):
            raise PlanError("docker_user_chain_internal_interfaces[%d]: %r is not an interface name "
                            "(up to 15 characters, optional trailing +)" % (n, iface))
        rules.append("-A %s -i %s -j RETURN" % (CHAIN, iface))
    seen = set()
    for n, src in enumerate(allowed_sources):
        cidr = _source(src, "docker_user_chain_allowed_sources[%d]" % n)
        if cidr not in seen:
            seen.add(cidr)
            rules.append("-A %s -s %s -j RETURN" % (CHAIN, cidr))
    for n, entry in enumerate(port_sources):
        where = "docker_user_chain_port_sources[%d]" % n
        if not isinstance(entry, dict) or set(entry) - set(["port", "proto", "sources"]):
            raise PlanError("%s: want a dict with port, proto (tcp/udp) and sources, got %r" % (where, entry))
        port = entry.get("port")
        if isinstance(port, bool) or not re.match(r"^[0-9]{1,5}$", _text(port)) or not 0 < int(port) < 65536:
            raise PlanError("%s.port: %r is not a port number 1-65535" % (where, port))
        proto = entry.get("proto", "tcp")
        if proto not in ("tcp", "udp"):
            raise PlanError("%s.proto: %r is not tcp or udp" % (where, proto))
        sources = entry.get("sources")
        if not isinstance(sources, list) or not sources:
            raise PlanError("%s.sources: want a non-empty list of CIDRs, got %r" % (where, sources))
        for m, src in enumerate(sources):
            cidr = _source(src, "%s.sources[%d]" % (where, m))
            rule = "-A %s -s %s -p %s -m conntrack --ctorigdstport %d --ctdir ORIGINAL -j RETURN" % (
                CHAIN, cidr, proto, int(port))
            if rule not in rules:
                rules.append(rule)
    rules.append("-A %s -m conntrack --ctstate DNAT -j DROP" % CHAIN)
    rules.append("-A %s -j RETURN" % CHAIN)
    return rules


# ----------------------------------------------------------------------------- item 19

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024 ** 2, "mb": 1000 ** 2, "mib": 1024 ** 2,
          "g": 1024 ** 3, "gb": 1000 ** 3, "gib": 1024 ** 3, "t": 1024 ** 4, "tb": 1000 ** 4, "tib": 1024 ** 4}


def parse_size(value, where):
    """Bytes of a Docker size (``64m``, ``1g``, ``312KiB``, ``1.5MiB``)."""
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$", _text(value))
    if not m or m.group(2).lower() not in _UNITS:
        raise PlanError("%s: %r is not a size (e.g. 512m, 1g)" % (where, value))
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _positive(value):
    try:
        return int(value) > 0
    except (TypeError, ValueError):
        return False


def container_limits_plan(containers, wanted, stats=None):
    """`docker update` arguments for running containers that lack a memory, CPU or pids limit.

    Only limits that are missing are set: an existing one is never lowered (nor raised). A limit
    the container already uses more than ``headroom_percent`` of is not set (it would be killed
    or starved): those, and excluded containers, come back in ``skipped`` with the reason."""
    wanted = dict(wanted or {})
    memory = wanted.get("memory")
    mem_bytes = parse_size(memory, "container_limits_memory") if memory not in (None, "") else None
    if mem_bytes is not None and mem_bytes < 6 * 1024 ** 2:
        raise PlanError("container_limits_memory: %r is below Docker's minimum of 6m" % (memory,))
    cpus = wanted.get("cpus")
    if cpus not in (None, ""):
        try:
            if float(cpus) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            raise PlanError("container_limits_cpus: %r is not a positive number of CPUs" % (cpus,))
    pids = wanted.get("pids")
    if pids not in (None, "") and (isinstance(pids, bool) or not re.match(r"^[0-9]+$", _text(pids)) or int(pids) < 1):
        raise PlanError("container_limits_pids: %r is not a positive integer" % (pids,))
    headroom = wanted.get("headroom_percent", 80)
    exclude_names = set(_text(n) for n in wanted.get("exclude_names") or [])
    exclude_labels = set(_text(n) for n in wanted.get("exclude_labels") or [])
    usage = {}
    for s in stats or []:
        if not isinstance(s, dict) or not s.get("Name"):
            continue
        mem, pid_count = None, None
        try:
            mem = parse_size(_text(s.get("MemUsage", "")).split("/")[0], "docker stats MemUsage")
        except PlanError:
            pass
        if re.match(r"^[0-9]+$", _text(s.get("PIDs", ""))):
            pid_count = int(s["PIDs"])
        usage[_text(s["Name"])] = (mem, pid_count)
    updates, skipped = [], []
    for c in containers or []:
        if not isinstance(c, dict) or c.get("state") != "running":
            continue
        name = _text(c.get("name"))
        labels = exclude_labels.intersection(_text(k) for k in c.get("label_names") or [])
        if name in exclude_names:
            skipped.append({"name": name, "reason": "excluded by name (container_limits_exclude_names)"})
            continue
        if labels:
            skipped.append({"name": name, "reason": "excluded by label %s (container_limits_exclude_labels)"
                            % ", ".join(sorted(labels))})
            continue
        used_mem, used_pids = usage.get(name, (None, None))
        args, changes, held = [], [], []
        if mem_bytes is not None and not _positive(c.get("memory")):
            if used_mem is not None and used_mem * 100 >= mem_bytes * headroom:
                held.append("memory: uses %d bytes, %s%% or more of %s" % (used_mem, headroom, memory))
            else:
                # Without --memory-swap dockerd refuses the update when the container's swap is
                # unlimited ("should be smaller than already set memoryswap"); -1 keeps it as it was.
                args += ["--memory", _text(memory), "--memory-swap", "-1"]
                changes.append("memory none -> %s" % memory)
        if cpus not in (None, "") and not (_positive(c.get("nano_cpus")) or _positive(c.get("cpu_quota"))):
            args += ["--cpus", _text(cpus)]
            changes.append("cpus none -> %s" % cpus)
        if pids not in (None, "") and not _positive(c.get("pids_limit")):
            if used_pids is not None and used_pids * 100 >= int(pids) * headroom:
                held.append("pids: runs %d, %s%% or more of %s" % (used_pids, headroom, pids))
            else:
                args += ["--pids-limit", _text(int(pids))]
                changes.append("pids none -> %s" % pids)
        if args:
            updates.append({"name": name, "args": args, "changes": changes})
        if held:
            skipped.append({"name": name, "reason": "; ".join(held)})
    return {"updates": updates, "skipped": skipped}
