# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for checklist section 5, Network Security: items 21-25."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, EVIDENCE_LIMIT, FAIL, NA, PASS, as_dict, as_list, container_label, daemon_setting, docker, falsy,
    icc_state, no_containers_reason, per_container, result, scoped_containers, truthy, opt
)


def check_21(facts, opts):
    allowed = set(str(n) for n in as_list(opt(opts, "default_bridge_allowlist")))

    def offends(c):
        if str(c.get("name")) in allowed:
            return None
        nets = [str(n) for n in as_list(c.get("networks"))]
        if "bridge" in nets or c.get("network_mode") in ("default", "bridge"):
            return "attached to the default bridge"
        return None
    return per_container(facts, opts, offends, "no container on the default bridge",
                         "containers on the default bridge")


def check_22(facts, opts):
    disabled, evidence = icc_state(facts)
    linked = ["%s: --link %s" % (container_label(c), ", ".join(str(x) for x in as_list(c.get("links"))))
              for c in scoped_containers(facts, opts) if as_list(c.get("links"))]
    if disabled and not linked:
        return result(PASS, [evidence, "no running container uses legacy --link"])
    problems = [] if disabled else [evidence + ": containers on the default bridge can talk to each other"]
    if linked:
        problems.append("%d containers use legacy --link (replace with user-defined networks)" % len(linked))
    return result(FAIL, problems + linked[:EVIDENCE_LIMIT])


def _port_allowed(c, p, allow):
    host_ip, host_port = str(p.get("host_ip") or ""), str(p.get("host_port") or "")
    return (str(c.get("name")) in allow or host_port in allow or "%s:%s" % (host_ip, host_port) in allow)


def check_23(facts, opts):
    allow = set(str(a) for a in as_list(opt(opts, "published_port_allowlist")))

    def offends(c):
        why = []
        for p in as_list(c.get("ports")):
            p = as_dict(p)
            if _port_allowed(c, p, allow):
                continue
            host_ip, host_port = str(p.get("host_ip") or ""), str(p.get("host_port") or "")
            desc = "%s:%s->%s" % (host_ip or "0.0.0.0", host_port, p.get("container_port"))
            problems = []
            if host_ip in ("", "0.0.0.0", "::", "[::]"):
                problems.append("on all interfaces")
            if host_port.isdigit() and int(host_port) < 1024:
                problems.append("privileged port")
            if problems:
                why.append("%s %s" % (desc, " and ".join(problems)))
        return "; ".join(why) or None
    return per_container(facts, opts, offends, "no port published on all interfaces or below 1024",
                         "containers publishing ports broadly")


_SYSTEM_NETWORKS = ("bridge", "host", "none", "ingress", "docker_gwbridge")


def check_24(facts, opts):
    d = docker(facts)
    if d.get("reachable") is False:
        return result(NA, no_containers_reason(facts))
    exempt = set(str(n) for n in as_list(opt(opts, "egress_network_allowlist")))
    publishing = set(str(c.get("name")) for c in as_list(d.get("containers"))
                     if isinstance(c, dict) and as_list(c.get("ports")))
    candidates, bad, exempted = [], [], []
    for n in as_list(d.get("networks")):
        n = as_dict(n)
        name = str(n.get("name"))
        if name in _SYSTEM_NETWORKS or n.get("driver") not in ("bridge", "overlay"):
            continue
        members = [str(m) for m in as_list(n.get("containers"))]
        if not members or any(m in publishing for m in members):
            continue
        if name in exempt:
            exempted.append(name)
            continue
        candidates.append(name)
        if n.get("internal") is not True:
            bad.append("%s (members %s%s publish no ports) is not internal" % (
                name, ", ".join(members[:5]), ", ..." if len(members) > 5 else ""))
    note = ["allow-listed to reach outside: %s" % ", ".join(exempted)] if exempted else []
    if not candidates:
        return result(NA, ["no user-defined backend network (members without published ports)"] + note)
    if bad:
        return result(FAIL, ["backend networks not internal: %d of %d" % (len(bad), len(candidates))]
                      + bad[:EVIDENCE_LIMIT] + note)
    return result(PASS, ["backend networks are internal: %s" % ", ".join(candidates)] + note)


_LONE_CHAIN = re.compile(r"^-(N DOCKER-USER|A DOCKER-USER -j RETURN)$")


_USER_RULE = re.compile(r"^-A DOCKER-USER(?:\s+(.*))?$")


def _rule_parts(spec):
    """(matches, target, states) of one ``-A DOCKER-USER ...`` spec. ``iptables -S`` prints the
    target and its options last, so everything before ``-j`` is a match."""
    tokens = spec.split()
    target = None
    for flag in ("-j", "--jump"):
        if flag in tokens:
            at = tokens.index(flag)
            target = tokens[at + 1].upper() if at + 1 < len(tokens) else None
            tokens = tokens[:at]
            break
    states = set()
    for i, tok in enumerate(tokens[:-1]):
        if tok in ("--ctstate", "--state"):
            states.update(tokens[i + 1].upper().split(","))
    return tokens, target, states


# iptables-nft cannot print a chain holding rules it did not write (nft-native expressions).
_NFT_ONLY = re.compile(r"incompatible|use nft|nf_tables", re.IGNORECASE)


_NO_CHAIN = re.compile(r"No chain/target/match|does not exist|chain .* not found", re.IGNORECASE)


def _judge_chain(rules, label):
    """(status, evidence) for one DOCKER-USER listing (``iptables -S`` or ``ip6tables -S``)."""
    policy = [str(r).strip() for r in rules if str(r).strip().startswith("-A ")]
    if policy and _LONE_CHAIN.match(policy[-1]):
        policy.pop()  # the trailing RETURN older engines add; one earlier is a rule like any other
    if not policy:
        return FAIL, ["%s DOCKER-USER holds no policy (only: %s)" % (
            label, "; ".join(str(r) for r in rules) or "an empty chain")]
    established_at, dead_end, first_drop = None, None, None
    for n, rule in enumerate(policy, 1):
        m = _USER_RULE.match(rule)
        if not m:
            continue
        matches, target, states = _rule_parts(m.group(1) or "")
        # RETURN hands the packet back to Docker's FORWARD rules, which accept established
        # traffic: for replies it is as good as ACCEPT.
        if target in ("ACCEPT", "RETURN") and "ESTABLISHED" in states and established_at is None:
            established_at = n
            continue
        if target in ("ACCEPT", "RETURN") and not matches and dead_end is None:
            dead_end = (n, rule)
        if target in ("DROP", "REJECT"):
            new_only = bool(states) and states <= set(["NEW", "INVALID"])
            if dead_end is not None:
                return FAIL, ["%s DOCKER-USER rule %d (%s) lets everything through before the first "
                              "DROP/REJECT (rule %d): the policy never filters" % (label, dead_end[0], dead_end[1], n)
                              ] + policy[:10]
            if established_at is None and not new_only:
                return FAIL, ["%s DOCKER-USER rule %d (%s) drops before RELATED,ESTABLISHED is accepted: "
                              "replies to connections containers open are dropped too" % (label, n, rule)
                              ] + policy[:10]
            first_drop = first_drop or n
    if first_drop is None:
        return FAIL, ["%s DOCKER-USER has %d rules but none drops or rejects: nothing is filtered"
                      % (label, len(policy))] + policy[:10]
    return PASS, ["%s DOCKER-USER has %d policy rules, RELATED,ESTABLISHED let through%s, first DROP/REJECT at "
                  "rule %d" % (label, len(policy), " at rule %d" % established_at if established_at
                               else " (drops match NEW only)", first_drop)] + policy[:10]


def _unreadable(label, binary, error):
    """A chain that could not be listed: missing is a verdict (fail), anything else is not (error)."""
    error = str(error or "%s not found" % label)
    if binary and _NO_CHAIN.search(error):
        return FAIL, ["%s DOCKER-USER chain missing: %s" % (label, error)]
    if _NFT_ONLY.search(error):
        return ERROR, ["%s cannot read DOCKER-USER: %s (the chain holds nftables rules iptables-nft cannot print; "
                       "read it with nft list chain ip filter DOCKER-USER)" % (label, error)]
    return ERROR, ["DOCKER-USER chain unreadable (%s): %s" % (label, error)]


def _ipv6_in_use(facts):
    """Why Docker carries IPv6 for containers here, else None."""
    ipv6, source = daemon_setting(facts, "ipv6", ["--ipv6"])
    if ipv6 is not None and truthy(ipv6):
        return "ipv6=%s (%s)" % (ipv6, source)
    named = sorted(str(n.get("name")) for n in (as_dict(n) for n in as_list(docker(facts).get("networks")))
                   if n.get("ipv6") is True)
    if named:
        return "IPv6 networks: %s" % ", ".join(named[:5])
    return None


def check_25(facts, opts):
    """Docker manages iptables and DOCKER-USER filters: a DROP/REJECT that is reachable (no
    unconditional ACCEPT/RETURN before it) and that comes after RELATED,ESTABLISHED is let through
    by ACCEPT or RETURN (else replies to connections containers open are dropped too,
    docker/docs#21708). A trailing RETURN is neither required nor counted (newer engines add none,
    moby/moby#50098). Where Docker networks carry IPv6, the ip6tables chain is judged the same way."""
    value, source = daemon_setting(facts, "iptables", ["--iptables"])
    if value is not None and falsy(value):
        return result(FAIL, "Docker's iptables integration is off (iptables=%s, %s)" % (value, source))
    ipt = as_dict(facts.get("iptables"))
    rules = ipt.get("docker_user")
    if isinstance(rules, list):
        status, evidence = _judge_chain(rules, "iptables:")
    else:
        status, evidence = _unreadable("iptables", ipt.get("binary"), ipt.get("docker_user_error"))
    if status == PASS:
        evidence[0] = "Docker manages iptables; " + evidence[0]
    why6 = _ipv6_in_use(facts)
    if why6 is None:
        return result(status, evidence)
    v6, v6_source = daemon_setting(facts, "ip6tables", ["--ip6tables"])
    if v6 is not None and falsy(v6):
        six = (FAIL, ["IPv6 in use (%s) but ip6tables=%s (%s): IPv6 traffic to containers is not filtered by "
                      "Docker" % (why6, v6, v6_source)])
    elif "docker_user6" not in ipt:
        six = (ERROR, ["IPv6 in use (%s) but the ip6tables DOCKER-USER chain was not gathered" % why6])
    elif isinstance(ipt.get("docker_user6"), list):
        six = _judge_chain(ipt["docker_user6"], "ip6tables:")
        six = (six[0], ["IPv6 in use (%s); %s" % (why6, six[1][0])] + six[1][1:])
    else:
        six = _unreadable("ip6tables", ipt.get("binary6"), ipt.get("docker_user6_error"))
    # The worse of the two decides: an error hides a verdict, a fail is a fail.
    order = {PASS: 0, ERROR: 1, FAIL: 2}
    final = status if order.get(status, 2) >= order.get(six[0], 2) else six[0]
    return result(final, evidence + six[1] if final == status else six[1] + evidence)


CHECKS = {"21": check_21, "22": check_22, "23": check_23, "24": check_24, "25": check_25}
