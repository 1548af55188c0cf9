# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 5, Network Security: items 21-25."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
import shlex

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, EVIDENCE_LIMIT, FAIL, MANUAL, NA, PASS, as_dict, as_list, container_label, daemon_setting, docker, falsy,
    icc_state, is_rootless, limited, no_containers_reason, result, rootless_text, scoped_containers, text, truthy, opt
)


def _judge_each(facts, opts, judge, ok_text, fail_text):
    """Per-container verdict with an honest unknown: ``judge(c)`` returns None, a reason, or
    ("unknown", reason). fail when any offends, error when none does but some could not be
    judged, pass only when every container in scope was judged and passed."""
    containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, no_containers_reason(facts))
    bad, unknown = [], []
    for c in containers:
        why = judge(c)
        if isinstance(why, tuple):
            unknown.append("%s: %s" % (text(container_label(c), 120), why[1]))
        elif why:
            bad.append("%s: %s" % (text(container_label(c), 120), why))
    if bad:
        return result(FAIL, ["%s: %d of %d containers" % (fail_text, len(bad), len(containers))] + limited(bad)
                      + (["%d more could not be checked" % len(unknown)] if unknown else []))
    if unknown:
        return result(ERROR, ["%d of %d containers could not be checked" % (len(unknown), len(containers))]
                      + limited(unknown))
    return result(PASS, "%s (%d containers checked)" % (ok_text, len(containers)))


def _on_default_bridge(c):
    """moby: NetworkMode "bridge" and "default" (Linux's default mode) join the default bridge,
    whose endpoint is NetworkSettings.Networks["bridge"]."""
    return "bridge" in [str(n) for n in as_list(c.get("networks"))] or c.get("network_mode") in ("default", "bridge")


def check_21(facts, opts):
    """No container on the default bridge: attached to it (``--network bridge``, ``default`` or
    ``docker network connect bridge``), or in the network namespace of a container that is
    (``--network container:<id|name>``, which has no network of its own: moby
    NetworkMode.ConnectedContainer)."""
    allowed = set(str(n) for n in as_list(opt(opts, "default_bridge_allowlist")))
    by_ref = _containers_by_ref(facts)

    def judge(c):
        if str(c.get("name")) in allowed:
            return None
        if _on_default_bridge(c):
            return "attached to the default bridge"
        mode, seen = str(c.get("network_mode") or ""), set()
        while mode.startswith("container:") and mode not in seen:
            seen.add(mode)
            ref = mode[len("container:"):]
            target = _container_by_ref(by_ref, ref)
            if target is None:
                return ("unknown", "shares the network namespace of container %s, which is not in the facts"
                        % text(ref[:12]))
            if _on_default_bridge(target):
                return "shares the network namespace of %s, which is on the default bridge" % container_label(target)
            mode = str(target.get("network_mode") or "")
        return None
    return _judge_each(facts, opts, judge, "no container on the default bridge", "containers on the default bridge")


def check_22(facts, opts):
    """icc off on the default bridge (its com.docker.network.bridge.enable_icc option, else dockerd's
    icc setting) and no legacy --link. A rootless dockerd runs the same bridge driver inside
    rootlesskit's network namespace (moby daemon/libnetwork/drivers/bridge: with RootlessKit it runs
    in the detached netns; daemon/libnetwork/iptables runs iptables there through nsenter), so icc
    is enforced there the same way and the item means the same for it."""
    disabled, evidence = icc_state(facts)
    linked = ["%s: --link %s" % (container_label(c), ", ".join(str(x) for x in as_list(c.get("links"))))
              for c in scoped_containers(facts, opts) if as_list(c.get("links"))]
    if disabled and not linked:
        return result(PASS, [evidence, "no running container uses legacy --link"])
    problems = [] if disabled else [evidence + ": containers on the default bridge can talk to each other"]
    if linked:
        problems.append("%d containers use legacy --link (replace with user-defined networks)" % len(linked))
    return result(FAIL, problems + linked[:EVIDENCE_LIMIT])


def _port_allowed(c, host_ip, host_port, allow):
    return (str(c.get("name")) in allow or host_port in allow or "%s:%s" % (host_ip, host_port) in allow)


def _ip(text):
    """The address of a HostIp or listener, None when it is not an IP literal."""
    try:
        addr = ipaddress.ip_address(u"%s" % str(text).strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(addr, "ipv4_mapped", None)
    return mapped or addr


def _port_range(text):
    """(low, high) of a HostPort: one port, a range ``8000-8010``, or empty (dockerd picks an
    ephemeral port, moby's portallocator); None for any other form."""
    text = str(text).strip()
    if text == "":
        return 32768, 60999
    low, _sep, high = text.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return None
    low, high = int(low), int(high or low)
    return (low, high) if 0 < low <= high < 65536 else None


def _judge_mapping(c, p, allow):
    """None, a reason (offends) or ("unknown", reason) for one published port."""
    host_ip, host_port = str(p.get("host_ip") or ""), str(p.get("host_port") or "")
    if _port_allowed(c, host_ip, host_port, allow):
        return None
    desc = "%s:%s->%s" % (host_ip or "0.0.0.0", host_port, p.get("container_port"))
    addr = _ip(host_ip) if host_ip else None
    ports = _port_range(host_port)
    if (host_ip and addr is None) or ports is None:
        return ("unknown", "published port %s of a form not understood" % desc)
    problems = []
    if not host_ip or addr.is_unspecified:  # dockerd binds an empty HostIp to every address
        problems.append("on all interfaces")
    if ports[0] < 1024:
        problems.append("privileged port")
    return "%s %s" % (desc, " and ".join(problems)) if problems else None


def _shares_host_netns(c, by_ref, depth=0):
    """Whether the container's network namespace is the host's: --network host, or
    ``container:<id|name>`` of a container whose namespace is (moby: NetworkMode.IsContainer)."""
    mode = str(c.get("network_mode") or "")
    if mode == "host" or "listeners" in c or "listeners_error" in c:
        return True
    if mode.startswith("container:") and depth < 5:
        target = _container_by_ref(by_ref, mode[len("container:"):])
        return target is not None and _shares_host_netns(target, by_ref, depth + 1)
    return False


def _container_by_ref(by_ref, ref):
    ref = str(ref)
    return by_ref.get(ref) or next((c for k, c in by_ref.items() if len(ref) >= 12 and k.startswith(ref)), None)


def _containers_by_ref(facts):
    by_ref = {}
    for c in as_list(docker(facts).get("containers")):
        if isinstance(c, dict):
            by_ref[str(c.get("id"))] = c
            by_ref[str(c.get("name"))] = c
    return by_ref


def _judge_listeners(c, allow):
    """Offending listeners of a container in the host's network namespace, or ("unknown", why)."""
    listeners = c.get("listeners")
    if not isinstance(listeners, list):
        return ("unknown", "shares the host's network namespace but its listening sockets are unknown (%s)"
                % (c.get("listeners_error") or "not gathered"))
    why = []
    for entry in listeners:
        entry = as_dict(entry)
        address, port = str(entry.get("address")), entry.get("port")
        addr = _ip(address)
        if addr is None or isinstance(port, bool) or not isinstance(port, int):
            return ("unknown", "listening socket %s:%s of a form not understood" % (address, port))
        if _port_allowed(c, address, str(port), allow):
            continue
        problems = []
        if not addr.is_loopback:
            problems.append("on all interfaces" if addr.is_unspecified else "on a host interface")
        if port < 1024:
            problems.append("privileged port")
        if problems:
            why.append("%s (%s)" % (("[%s]:%d" if ":" in address else "%s:%d") % (address, port), ", ".join(problems)))
    if not why:
        return None
    return ("listens on %s in the host's network namespace: no port mapping, DOCKER-USER never filters it"
            % ", ".join(why[:10] + (["... and %d more" % (len(why) - 10)] if len(why) > 10 else [])))


def check_23(facts, opts):
    """Published ports as dockerd publishes them (NetworkSettings.Ports of a running container,
    HostConfig.PortBindings of every container, since releaseNetwork in moby
    daemon/container_operations.go empties Ports whenever it stops: an empty HostIp binds
    every address, moby's portmapper; a HostPort may be a range), and for containers in the host's
    network namespace the TCP sockets they listen on (proc(5) /proc/<pid>/net/tcp{,6}, gathered
    per container): nothing below 1024, nothing on all interfaces, and for a host-network
    container nothing on a non-loopback address, since no port mapping or DOCKER-USER rule
    stands between it and the host's interfaces. Unknown forms and unread sockets are an error."""
    allow = set(str(a) for a in as_list(opt(opts, "published_port_allowlist")))
    by_ref = _containers_by_ref(facts)
    rootless = is_rootless(facts)

    def judge(c):
        # A container not plainly running has no NetworkSettings.Ports (moby releaseNetwork sets
        # them nil on every stop, also between restart attempts): judge HostConfig.PortBindings,
        # which dockerd binds again at the next start; for a running or paused one, both.
        bindings = c.get("port_bindings")
        if not isinstance(bindings, list):
            return ("unknown", "HostConfig.PortBindings not read")
        mappings = list(bindings) + [p for p in as_list(c.get("ports")) if p not in bindings]
        verdicts = [_judge_mapping(c, as_dict(p), allow) for p in mappings]
        if rootless:
            verdicts = [_rootless_privileged(facts, v) for v in verdicts]
        if _shares_host_netns(c, by_ref):
            listening = _judge_listeners(c, allow)
            if rootless and listening and not isinstance(listening, tuple) and c.get("netns_is_host") is not True:
                listening = _rootless_host_network(c, listening)
            verdicts.append(listening)
        why = [v for v in verdicts if v and not isinstance(v, tuple)]
        unsure = [v[1] for v in verdicts if isinstance(v, tuple)]
        return "; ".join(why) if why else (("unknown", "; ".join(unsure)) if unsure else None)
    status, evidence = _judge_each(facts, opts, judge, "no port published on all interfaces or below 1024, no "
                                   "host-network listener off loopback", "containers publishing or listening broadly")
    start = _unprivileged_port_start(facts)
    if rootless and status == PASS and start is not None and start < 1024:
        evidence.append("host net.ipv4.ip_unprivileged_port_start=%d: any unprivileged process, this daemon's "
                        "rootlesskit included, may bind ports from %d up" % (start, start))
    return result(status, evidence)


def _unprivileged_port_start(facts):
    """The host's net.ipv4.ip_unprivileged_port_start (host collector), None when not read."""
    value = as_dict(as_dict(facts).get("host")).get("ip_unprivileged_port_start")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rootless_privileged(facts, verdict):
    """A rootless daemon's privileged published port, with how it can be bound at all: rootlesskit's
    port driver listens on HostIp:HostPort in the host's network namespace as the daemon's user
    (rootlesskit pkg/port/builtin/parent/tcp net.Listen), which the kernel refuses below
    net.ipv4.ip_unprivileged_port_start unless the rootlesskit binary has CAP_NET_BIND_SERVICE
    (rootlesskit docs/port.md "Exposing privileged ports")."""
    if not isinstance(verdict, str) or "privileged port" not in verdict:
        return verdict
    start = _unprivileged_port_start(facts)
    if start is None:
        how = "host net.ipv4.ip_unprivileged_port_start not read"
    elif start < 1024:
        how = ("host net.ipv4.ip_unprivileged_port_start=%d lets rootlesskit bind it, and every other "
               "unprivileged process too" % start)
    else:
        how = ("host net.ipv4.ip_unprivileged_port_start=%d: rootlesskit binds it only with CAP_NET_BIND_SERVICE "
               "on its binary, else the container does not start" % start)
    return "%s (rootless: %s)" % (verdict, how)


def _rootless_host_network(c, listening):
    """A rootless daemon's ``--network host`` is the host's network namespace only when rootlesskit
    runs with --detach-netns (dockerd-rootless.sh's default with RootlessKit 2: the child stays in the
    host's namespace, docs/network.md); without it, rootlesskit's own namespace, whose listeners reach
    the host only where the port driver forwards them, as pasta's implicit driver does for every
    listening port (rootlesskit pkg/network/pasta: --tcp-ports=auto) and the builtin and slirp4netns
    drivers do not. The gather compares the container's /proc/<pid>/ns/net with PID 1's
    (``netns_is_host``): the host's, judged as on a rootful host; another, or unread, is unknown
    (error), never pass."""
    head = listening.split(" in the host's network namespace", 1)[0]
    if c.get("netns_is_host") is False:
        return ("unknown", "%s in rootlesskit's network namespace (rootless --network host without --detach-netns): "
                "exposed on the host only if the port driver forwards it (pasta's implicit driver does), which "
                "this audit does not read" % head)
    return ("unknown", "%s: whether this rootless --network host is the host's network namespace (rootlesskit "
            "--detach-netns) or rootlesskit's was not read (netns_is_host)" % head)


_SYSTEM_NETWORKS = ("bridge", "host", "none", "ingress", "docker_gwbridge")


def check_24(facts, opts):
    """A backend network (user-defined, no member publishes a port) is ``internal: true``, and
    a container judged backend (a member of one) has no way out beside it: every other network
    it is on is internal too (moby: an internal network gets no gateway and no masquerading;
    the default bridge, ``docker_gwbridge``, ``ingress`` and macvlan/ipvlan networks are not
    internal unless created so, and the host's namespace never is). Networks allow-listed to
    reach outside (``egress_network_allowlist``) are exempt in both roles."""
    d = docker(facts)
    if d.get("reachable") is False:
        return result(NA, no_containers_reason(facts))
    exempt = set(str(n) for n in as_list(opt(opts, "egress_network_allowlist")))
    publishing = set(str(c.get("name")) for c in as_list(d.get("containers"))
                     if isinstance(c, dict) and as_list(c.get("ports")))
    networks = [as_dict(n) for n in as_list(d.get("networks"))]
    internal = dict((str(n.get("name")), n.get("internal") is True) for n in networks)
    candidates, bad, exempted, backend_of = [], [], [], {}
    for n in networks:
        name = str(n.get("name"))
        if name in _SYSTEM_NETWORKS or n.get("driver") in ("host", "null"):
            continue
        members = [str(m) for m in as_list(n.get("containers"))]
        if not members or any(m in publishing for m in members):
            continue
        if name in exempt:
            exempted.append(name)
            continue
        candidates.append(name)
        for m in members:
            backend_of.setdefault(m, name)
        if n.get("internal") is not True:
            bad.append("%s (members %s%s publish no ports) is not internal" % (
                name, ", ".join(members[:5]), ", ..." if len(members) > 5 else ""))
    for c in scoped_containers(facts, opts):
        home = backend_of.get(str(c.get("name")))
        if home is None:
            continue
        ways_out = sorted(set(str(x) for x in as_list(c.get("networks")) if str(x) not in exempt
                              and not internal.get(str(x), False) and str(x) != "none"))
        if str(c.get("network_mode") or "") == "host" and "host" not in ways_out:
            ways_out.append("host")
        ways_out = [x for x in ways_out if x != home]
        if ways_out:
            bad.append("%s is on backend network %s but also on non-internal %s: it can reach outside" % (
                container_label(c), home, ", ".join(ways_out)))
    note = ["allow-listed to reach outside: %s" % ", ".join(exempted)] if exempted else []
    if not candidates:
        return result(NA, ["no user-defined backend network (members without published ports)"] + note)
    if bad:
        return result(FAIL, ["backend networks or their members not internal: %d problems, %d backend networks"
                             % (len(bad), len(candidates))] + bad[:EVIDENCE_LIMIT] + note)
    return result(PASS, ["backend networks are internal and their members on no other network that reaches "
                         "outside: %s" % ", ".join(candidates)] + note)


_LONE_CHAIN = re.compile(r"^-(N DOCKER-USER|A DOCKER-USER -j RETURN)$")


class _Unknown(Exception):
    """A rule form this model does not understand; the message names it."""


# Options per match module (iptables-extensions(8)) and how many arguments each takes. The kind
# says what the match selects: "noop" narrows nothing, "source" selects by origin (negated in a
# drop, it is the documented allowance "everyone but X"), "state" is conntrack/state, "narrow"
# is any other explicit selection (addresses, ports, protocols, flags, rates).
_MODULE_OPTIONS = {
    "comment": {"--comment": (1, "noop")},
    "conntrack": {"--ctstate": (1, "state"), "--ctstatus": (1, "narrow"), "--ctproto": (1, "proto"),
                  "--ctorigsrc": (1, "source"), "--ctorigdst": (1, "narrow"), "--ctreplsrc": (1, "narrow"),
                  "--ctrepldst": (1, "narrow"), "--ctorigsrcport": (1, "narrow"), "--ctorigdstport": (1, "narrow"),
                  "--ctreplsrcport": (1, "narrow"), "--ctrepldstport": (1, "narrow"), "--ctdir": (1, "ctdir"),
                  "--ctexpire": (1, "narrow")},
    "state": {"--state": (1, "state")},
    "tcp": {"--sport": (1, "narrow"), "--source-port": (1, "narrow"), "--dport": (1, "narrow"),
            "--destination-port": (1, "narrow"), "--tcp-flags": (2, "narrow"), "--syn": (0, "narrow"),
            "--tcp-option": (1, "narrow")},
    "udp": {"--sport": (1, "narrow"), "--source-port": (1, "narrow"), "--dport": (1, "narrow"),
            "--destination-port": (1, "narrow")},
    "multiport": {"--sports": (1, "narrow"), "--source-ports": (1, "narrow"), "--dports": (1, "narrow"),
                  "--destination-ports": (1, "narrow"), "--ports": (1, "narrow")},
    "iprange": {"--src-range": (1, "source"), "--dst-range": (1, "narrow")},
    "mac": {"--mac-source": (1, "source")},
    "set": {"--match-set": (2, "set"), "--return-nomatch": (0, "noop"), "--update-counters": (0, "noop"),
            "--update-subcounters": (0, "noop")},
    "addrtype": {"--src-type": (1, "narrow"), "--dst-type": (1, "narrow"), "--limit-iface-in": (0, "narrow"),
                 "--limit-iface-out": (0, "narrow")},
    "icmp": {"--icmp-type": (1, "narrow")},
    "icmp6": {"--icmpv6-type": (1, "narrow")},
    "limit": {"--limit": (1, "rate"), "--limit-burst": (1, "rate")},
    "mark": {"--mark": (1, "narrow")},
    "connmark": {"--mark": (1, "narrow")},
}

_BASIC_OPTIONS = {"-s": "source", "--source": "source", "--src": "source", "-d": "narrow", "--destination": "narrow",
                  "--dst": "narrow", "-p": "proto", "--protocol": "proto", "-i": "in", "--in-interface": "in",
                  "-o": "out", "--out-interface": "out"}

_ALLOW = ("ACCEPT", "RETURN")
_DROP = ("DROP", "REJECT")
# Targets that do not decide the packet's fate: the next rule sees it too.
_CONTINUE = ("LOG", "NFLOG", "ULOG", "TRACE", "MARK", "CONNMARK", "CLASSIFY", "TCPMSS", "DSCP", "TOS", "NOTRACK",
             "CT", "SET", "AUDIT", "CHECKSUM", "TTL", "HL", "CONNSECMARK", "SECMARK")
_PUBLISHED_PROTOCOLS = ("tcp", "udp", "sctp", "6", "17", "132")
_REPLY_STATES = frozenset(["ESTABLISHED", "RELATED"])
_EVERYTHING = ("0.0.0.0/0", "::/0", "all", "0")
# Interfaces traffic from outside never comes in on: loopback and Docker's own bridges and veths.
_INTERNAL_IFACE = re.compile(r"^(lo|docker\w*|br-.*|veth.*|docker_gwbridge)\+?$")


class _Match(object):
    def __init__(self, negated, option, kind, args):
        self.negated, self.option, self.kind, self.args = negated, option, kind, args

    def text(self):
        return " ".join((["!"] if self.negated else []) + [self.option] + self.args)


def _parse_rule(spec):
    """(matches, target, goto) of one ``-A DOCKER-USER ...`` spec as ``iptables -S`` prints it
    (iptables(8), iptables-extensions(8)). Raises _Unknown naming what it cannot read."""
    try:
        tokens = shlex.split(spec)
    except ValueError as exc:
        raise _Unknown("unreadable rule (%s)" % exc)
    matches, target, goto, module, negated, i = [], None, False, None, False, 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            negated, i = True, i + 1
            continue
        if tok in ("-j", "--jump", "-g", "--goto"):
            if i + 1 >= len(tokens):
                raise _Unknown("%s without a target" % tok)
            target, goto = tokens[i + 1], tok in ("-g", "--goto")
            break  # the target's own options follow; they do not select packets
        if tok in ("-m", "--match"):
            if i + 1 >= len(tokens):
                raise _Unknown("%s without a module" % tok)
            module = tokens[i + 1]
            if module not in _MODULE_OPTIONS:
                raise _Unknown("match module -m %s" % module)
            i += 2
            continue
        if tok in _BASIC_OPTIONS:
            if i + 1 >= len(tokens):
                raise _Unknown("%s without a value" % tok)
            matches.append(_Match(negated, tok, _BASIC_OPTIONS[tok], [tokens[i + 1]]))
            if _BASIC_OPTIONS[tok] == "proto" and tokens[i + 1] in ("tcp", "udp", "icmp", "icmpv6"):
                module = module or tokens[i + 1]  # -p tcp loads the tcp match implicitly
            negated, i = False, i + 2
            continue
        if tok in ("-f", "--fragment"):
            matches.append(_Match(negated, tok, "narrow", []))
            negated, i = False, i + 1
            continue
        # iptables -S prints each module's options right after its -m
        spec_opt = _MODULE_OPTIONS.get(module, {}).get(tok)
        if spec_opt is None:
            raise _Unknown("option %s%s" % (tok, " of -m %s" % module if module else ""))
        count, kind = spec_opt
        if len(tokens) < i + 1 + count:
            raise _Unknown("%s without a value" % tok)
        matches.append(_Match(negated, tok, kind, tokens[i + 1:i + 1 + count]))
        negated, i = False, i + 1 + count
    return matches, target, goto


def _states(m):
    return set(s.strip().upper() for s in m.args[0].split(",") if s.strip())


def _drop_gap(m):
    """Why a DROP/REJECT with match ``m`` leaves traffic to containers through, else None."""
    if m.kind == "noop" or (m.option in ("-s", "--source", "--src", "-d", "--destination", "--dst", "-p",
                                         "--protocol") and not m.negated and m.args[0] in _EVERYTHING):
        return None
    if m.kind == "ctdir":
        return None if m.args[0].upper() == "ORIGINAL" and not m.negated else m.text()
    if m.kind == "state":
        states = _states(m)
        if m.negated:  # drops every state not listed: full when only replies are spared
            return None if states <= _REPLY_STATES else m.text()
        return None if states & set(["NEW", "DNAT"]) else m.text()
    if m.kind == "in":
        internal = bool(_INTERNAL_IFACE.match(m.args[0]))
        return None if internal == m.negated else m.text()
    if m.negated and (m.kind == "source" or m.kind == "set" and m.args[1].split(",")[0] == "src"):
        return None  # "everyone but X": X is the explicit allowance (Docker's documented -i ext_if ! -s ...)
    return m.text()


def _allow_selects(m):
    """True when an ACCEPT/RETURN with match ``m`` lets only an explicitly selected class through."""
    if m.negated:
        return m.kind == "state" and "NEW" in _states(m)  # "all but new connections": replies
    if m.kind == "ctdir":
        return m.args[0].upper() == "REPLY"
    if m.kind == "proto":  # all of a transport Docker publishes ports on is no selection; ICMP, ESP, ... are
        return m.args[0].lower() not in _PUBLISHED_PROTOCOLS + _EVERYTHING
    if m.kind in ("noop", "rate"):  # any traffic at a rate is no selection either
        return False
    if m.kind in ("source", "narrow"):
        return not (m.option in ("-s", "--source", "--src", "-d", "--destination", "--dst")
                    and m.args[0] in _EVERYTHING)
    if m.kind == "state":
        return not (_states(m) & set(["NEW", "DNAT"]))
    if m.kind == "in":
        return bool(_INTERNAL_IFACE.match(m.args[0]))
    if m.kind == "out":  # traffic to containers leaves through a Docker bridge
        return not _INTERNAL_IFACE.match(m.args[0])
    return True


def _replies_only(matches):
    return any(m.kind == "state" and ((not m.negated and _states(m) <= _REPLY_STATES)
                                      or (m.negated and "NEW" in _states(m))) for m in matches)


def _iface(matches):
    for m in matches:
        if m.kind == "in" and not m.negated:
            return m.args[0]
    return None


def _ifaces_overlap(allow, drop):
    """Whether an allowance by input interface ``allow`` covers what a drop on ``drop`` drops: an
    allowance of one interface against an unqualified drop is an explicit exception."""
    if allow is None:
        return True
    if drop is None:
        return False
    a, b = allow, drop
    if a.endswith("+") and b.startswith(a[:-1]) or b.endswith("+") and a.startswith(b[:-1]):
        return True
    return a == b


_RULE = re.compile(r"^-A (\S+)(?:\s+(.*))?$")
_MAX_DEPTH = 8


def _user_chain(target):
    return target not in _DROP + _ALLOW + _CONTINUE + ("QUEUE", "NFQUEUE")


def _flatten(rules, chains, prefix=(), where="", depth=0, goto=False):
    """The rules a packet meets in order, jumps to chains that were read expanded in place (their
    rules conjoined with the jump's matches), as (where, rule, matches, target, goto, unknown).
    A RETURN that selects no explicit class ends a jumped chain (back to the caller); in a chain
    reached by goto, and at its end, it returns past DOCKER-USER to Docker's rules: an allow."""
    for n, rule in enumerate(rules, 1):
        here = "%srule %d" % (where, n)
        m = _RULE.match(rule)
        if not m:
            yield here, rule, [], None, False, "not a rule of the listed chain"
            continue
        try:
            own, target, is_goto = _parse_rule(m.group(2) or "")
        except _Unknown as exc:
            target = (re.search(r"(?:-j|--jump)\s+(\S+)", rule) or [None, None])[1]
            yield here, rule, [], target, False, str(exc)
            continue
        matches = list(prefix) + own
        broad = not any(_allow_selects(x) for x in own)
        if target is not None and _user_chain(target) and broad and isinstance(chains.get(target), list) \
                and depth < _MAX_DEPTH:
            sub = [str(r).strip() for r in chains[target] if str(r).strip().startswith("-A ")]
            yield from _flatten(sub, chains, matches, "%s > %s " % (here, target), depth + 1, is_goto)
            if is_goto:
                yield here, rule, matches, "RETURN", False, None
            continue
        if depth and target == "RETURN" and not is_goto:
            if broad and not _replies_only(own):
                if goto:
                    yield here, rule, matches, "RETURN", False, None
                return
        yield here, rule, matches, target, is_goto, None


def _judge_chain(rules, label, chains=None, chain_errors=None):
    """(status, evidence) for one DOCKER-USER listing (``iptables -S`` or ``ip6tables -S``) and
    the chains it jumps to (``chains``: name -> ``iptables -S`` lines).

    iptables-extensions(8) first-match semantics: rules are read in order; a DROP/REJECT counts
    when it covers every forwarded connection to a container ("full": unqualified, or qualified
    only by an external ``-i``, conntrack state NEW/DNAT, ``! --ctstate RELATED,ESTABLISHED``,
    or a negated source, the explicit allowance of Docker's documented ``-i ext_if ! -s ADDR``).
    An ACCEPT/RETURN before it that selects no explicit class (unconditional, only a protocol,
    only an external interface, a negated match, state NEW) lets everything through and makes
    it dead. A rule this model cannot read (unknown module or option, a jump to a chain whose
    rules are not read, NFQUEUE) before the full drop is an error naming it."""
    chains, chain_errors = as_dict(chains), as_dict(chain_errors)
    policy = [str(r).strip() for r in rules if str(r).strip().startswith("-A ")]
    if policy and _LONE_CHAIN.match(policy[-1]):
        policy.pop()  # the trailing RETURN older engines add; one earlier is a rule like any other
    if not policy:
        return FAIL, ["%s DOCKER-USER holds no policy (only: %s)" % (
            label, "; ".join(str(r) for r in rules) or "an empty chain")]
    established_at, covering, unknown, partial, unknown_drops = None, [], [], [], []
    for i, (where, rule, matches, target, goto, problem) in enumerate(_flatten(policy, chains)):
        if problem:
            (unknown_drops if target in _DROP else unknown).append((i, where, rule, problem))
            continue
        if target is None or (target in _CONTINUE and not goto):
            continue
        if target in _DROP and not goto:
            gaps = [g for g in (_drop_gap(x) for x in matches) if g]
            if gaps:
                partial.append((i, where, rule, ", ".join(gaps)))
                continue
            dead = [c for c in covering if _ifaces_overlap(c[3], _iface(matches))]
            blocker = _first([dead[:1], unknown[:1]])
            if blocker is not None and blocker in unknown:
                return ERROR, ["%s DOCKER-USER %s (%s) is not understood (%s) and comes before the first "
                               "DROP/REJECT that covers all traffic (%s): the policy cannot be judged"
                               % (label, blocker[1], blocker[2], blocker[3], where)] + policy[:10]
            if blocker is not None:
                return FAIL, ["%s DOCKER-USER %s (%s) lets everything through before the first DROP/REJECT "
                              "(%s): the policy never filters" % (label, blocker[1], blocker[2], where)
                              ] + policy[:10]
            states = set()
            for x in matches:
                if x.kind == "state":
                    states |= (_states(x) if not x.negated else set(["NEW", "INVALID"]))
            new_only = bool(states) and states <= set(["NEW", "INVALID", "DNAT"])
            if established_at is None and not new_only:
                return FAIL, ["%s DOCKER-USER %s (%s) drops before RELATED,ESTABLISHED is accepted: "
                              "replies to connections containers open are dropped too" % (label, where, rule)
                              ] + policy[:10]
            return PASS, ["%s DOCKER-USER has %d policy rules, RELATED,ESTABLISHED let through%s, first DROP/REJECT at "
                          "%s covers all forwarded traffic (%s)" % (
                              label, len(policy), " at %s" % established_at if established_at
                              else " (drops match NEW only)", where, rule)] + policy[:10]
        if target in _ALLOW and not goto:
            if _replies_only(matches):
                established_at = established_at or where
            elif not any(_allow_selects(x) for x in matches):
                covering.append((i, where, rule, _iface(matches)))
            continue
        # A jump or goto not expanded, NFQUEUE, ...: what happens there is not read. Harmless
        # when only an explicitly selected class enters it, like any narrow allowance.
        if matches and any(_allow_selects(x) for x in matches) and target not in ("QUEUE", "NFQUEUE"):
            continue
        if target in ("QUEUE", "NFQUEUE"):
            what = "target %s hands the packet to a userspace program" % target
        else:
            what = "%s chain %s (its rules are not read%s)" % (
                "goto" if goto else "jump to", target,
                ": %s" % chain_errors[target] if target in chain_errors else
                ": nested too deep" if isinstance(chains.get(target), list) else "")
        unknown.append((i, where, rule, what))
    if not (partial or unknown or unknown_drops):
        return FAIL, ["%s DOCKER-USER has %d rules but none drops or rejects: nothing is filtered"
                      % (label, len(policy))] + policy[:10]
    blocker = _first([covering[:1], unknown[:1], unknown_drops[:1]])
    if blocker is not None and blocker in covering:
        return FAIL, ["%s DOCKER-USER %s (%s) lets everything through before any DROP/REJECT: the policy never "
                      "filters" % (label, blocker[1], blocker[2])] + policy[:10]
    if blocker is not None:
        return ERROR, ["%s DOCKER-USER %s (%s) is not understood (%s) and no understood DROP/REJECT covers "
                       "all traffic: the policy cannot be judged" % (label, blocker[1], blocker[2], blocker[3])
                       ] + policy[:10]
    return FAIL, ["%s DOCKER-USER: no DROP/REJECT covers all forwarded traffic to containers; %s" % (
        label, "; ".join("%s drops only %s" % (where, why) for _i, where, _rule, why in partial[:5]))] + policy[:10]


def _first(candidates):
    """The earliest (in the order packets meet them) of several optional (i, where, rule, why) entries."""
    found = [c[0] for c in candidates if c]
    return min(found, key=lambda c: c[0]) if found else None


# iptables-nft cannot print a chain holding rules it did not write (nft-native expressions).
_NFT_ONLY = re.compile(r"incompatible|use nft|nf_tables", re.IGNORECASE)


_NO_CHAIN = re.compile(r"No chain/target/match|does not exist|chain .* not found", re.IGNORECASE)


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


def _off_loopback(mapping):
    """Whether a published port binds an address other than loopback (an empty HostIp is every address)."""
    host_ip = str(as_dict(mapping).get("host_ip") or "")
    addr = _ip(host_ip) if host_ip else None
    return not (addr is not None and addr.is_loopback)


def _rootless_25(facts, opts):
    """Item 25 for a rootless dockerd. Its iptables rules, DOCKER-USER included, live in rootlesskit's
    network namespace (moby daemon/libnetwork/iptables runs iptables there through nsenter, and skips
    firewalld: moby/moby#43781), and its containers' traffic is routed there: the host's FORWARD and
    DOCKER-USER chains never see it, so the host chain is not_applicable to this daemon. What reaches
    its containers from outside is its published ports, and those enter the host as connections to
    sockets the rootlesskit process itself listens on (port driver: rootlesskit docs/port.md, builtin
    pkg/port/builtin/parent/tcp net.Listen on HostIp:HostPort): the host's INPUT chain filters them,
    which this audit does not read. Ports published off loopback are therefore ``manual`` (name them,
    attest the INPUT policy), never pass; none published: not_applicable."""
    published = []
    for c in scoped_containers(facts, opts):
        for mapping in as_list(c.get("port_bindings")) + as_list(c.get("ports")):
            if not isinstance(mapping, dict) or not _off_loopback(mapping):
                continue
            desc = "%s: %s:%s->%s" % (text(container_label(c, facts), 120), mapping.get("host_ip") or "0.0.0.0",
                                      mapping.get("host_port"), mapping.get("container_port"))
            if desc not in published:
                published.append(desc)
    where = ("%s: its iptables rules (DOCKER-USER included) live in rootlesskit's network namespace and its "
             "containers' traffic never passes the host's FORWARD or DOCKER-USER chain"
             % rootless_text(facts))
    if not published:
        return result(NA, [where, "no port published off loopback: nothing from outside reaches its containers"])
    return result(MANUAL, [where, "%d ports published off loopback reach the host as sockets of the rootlesskit "
                                  "process (its port driver): the host's INPUT chain filters them, which this audit "
                                  "does not read; check the INPUT policy for them and attest" % len(published)]
                  + limited(published))


def check_25(facts, opts):
    """Docker manages iptables and DOCKER-USER filters (Docker docs, "Packet filtering and
    firewalls"; iptables-extensions(8) for the matches, see _judge_chain): a DROP/REJECT that
    covers all forwarded traffic to containers, reachable (no ACCEPT/RETURN before it that lets
    everything through), after RELATED,ESTABLISHED is let through by ACCEPT or RETURN (else replies
    to connections containers open are dropped too, docker/docs#21708). A trailing RETURN is neither
    required nor counted (newer engines add none, moby/moby#50098). Where Docker networks carry
    IPv6, the ip6tables chain is judged the same way. With ``firewall-backend: nftables`` (moby
    28+) there is no DOCKER-USER chain at all (moby/moby#49643): error, never pass."""
    value, source = daemon_setting(facts, "iptables", ["--iptables"])
    if value is not None and falsy(value):
        return result(FAIL, "Docker's iptables integration is off (iptables=%s, %s)" % (value, source))
    if is_rootless(facts):
        return _rootless_25(facts, opts)
    backend, backend_source = daemon_setting(facts, "firewall-backend", ["--firewall-backend"])
    if backend is not None and str(backend).strip().lower() == "nftables":
        # dockerd then writes its own nftables tables: no iptables DOCKER-USER chain is created or
        # jumped to, so whatever iptables shows there filters nothing.
        return result(ERROR, "dockerd uses firewall-backend=nftables (%s): it creates no DOCKER-USER chain and sends "
                      "no traffic through one (moby/moby#49643); rules for published ports belong in an nftables base "
                      "chain of your own, which this audit does not read" % backend_source)
    ipt = as_dict(facts.get("iptables"))
    rules = ipt.get("docker_user")
    if isinstance(rules, list):
        status, evidence = _judge_chain(rules, "iptables:", ipt.get("chains"), ipt.get("chains_error"))
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
        six = _judge_chain(ipt["docker_user6"], "ip6tables:", ipt.get("chains6"), ipt.get("chains6_error"))
        six = (six[0], ["IPv6 in use (%s); %s" % (why6, six[1][0])] + six[1][1:])
    else:
        six = _unreadable("ip6tables", ipt.get("binary6"), ipt.get("docker_user6_error"))
    # The worse of the two decides: an error hides a verdict, a fail is a fail.
    order = {PASS: 0, ERROR: 1, FAIL: 2}
    final = status if order.get(status, 2) >= order.get(six[0], 2) else six[0]
    return result(final, evidence + six[1] if final == status else six[1] + evidence)


CHECKS = {"21": check_21, "22": check_22, "23": check_23, "24": check_24, "25": check_25}
