# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``sshd``: the effective sshd configuration (``sshd -T``, parsed by sshd_policy), and
what each ``Match`` block makes of it (``sshd -T -C`` for a connection that reaches the block).

``sshd -T`` alone prints the global settings: in test mode a Match criterion whose attribute the
connection spec lacks does not match (servconf.c match_cfg_line, ``ci->test``), so a ``Match
Address *`` block that turns password login back on is invisible to it. The collector reads the
configuration as sshd does (servconf.c: Include globs relative to /etc/ssh, sorted, nested up to
16 deep; an Include inside a Match block is part of it), derives per Match block a connection
spec its criteria accept (match.c match_pattern_list, addrmatch.c addr_match_list,
groupaccess.c ga_match_pattern_list), and records the settings that connection gets where
they differ from the global ones. Every spec names user, host and addr (and laddr, lport):
OpenSSH before 7.x refused a partial one, and a Match LocalPort block makes sshd fatal without lport.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import sshd_policy
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError

SSHDIR = "/etc/ssh"
MAX_INCLUDE_DEPTH = 16    # servconf.c SERVCONF_MAX_DEPTH
MAX_MATCH_PROBES = 64
# A connection from outside: TEST-NET addresses, a host name nothing resolves to.
DEFAULTS = {"user": "root", "host": "client.invalid", "addr": "203.0.113.9", "laddr": "198.51.100.22"}
_ADDR_CANDIDATES = ("203.0.113.9", "2001:db8::9", "198.51.100.9", "10.0.0.9", "172.16.0.9", "192.168.0.9",
                    "100.64.0.9", "127.0.0.1", "::1", "fd00::9")
_ADDR_FILLS = ("9", "1.9", "1.1.9", "1.1.1.9", "::9", ":9", "0:9", "")
_NAME_FILLS = ("", "x", "probe", "zq9")


# --- sshd's own pattern rules ---------------------------------------------------------------

def _wildcard(string, pattern):
    """match.c match_pattern: ``*`` and ``?`` only, the whole string."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.match("^%s$" % rx, string, re.DOTALL) is not None


def pattern_list(string, patterns, lower=False):
    """match.c match_pattern_list: 1 on a positive match, -1 when a negated one matches, else 0."""
    if lower:
        patterns = patterns.lower()
    got = 0
    for sub in patterns.split(","):
        negated = sub.startswith("!")
        sub = sub[1:] if negated else sub
        if _wildcard(string, sub):
            if negated:
                return -1
            got = 1
    return got


def address_list(addr, patterns):
    """addrmatch.c addr_match_list: CIDR (or a bare address) by network, anything else as a wildcard."""
    try:
        try_addr = ipaddress.ip_address(addr)
    except ValueError:
        return 0
    ret = 0
    for sub in patterns.split(","):
        negated = sub.startswith("!")
        sub = sub[1:] if negated else sub
        if not sub:
            return -2
        try:
            net = ipaddress.ip_network(sub, strict=True)
            hit = try_addr.version == net.version and try_addr in net
        except ValueError:
            if "/" in sub and re.match(r"^[0-9a-fA-F:.]+/\d+$", sub):
                return -2  # "inconsistent mask length": sshd refuses the Match line
            hit = _wildcard(addr, sub)
        if hit:
            if negated:
                return -1
            ret = 1
    return ret


def _instances(patterns, fills):
    out = []
    for sub in patterns.split(","):
        if sub.startswith("!") or not sub:
            continue
        for fill in fills:
            out.append(sub.replace("*", fill).replace("?", fill[:1] or "x"))
    return out


def _address_instances(patterns):
    out = []
    for sub in patterns.split(","):
        if sub.startswith("!"):
            continue
        try:
            net = ipaddress.ip_network(sub, strict=False)
            hosts = [net.network_address + 1] if net.num_addresses > 2 else [net.network_address]
            out.extend(str(a) for a in hosts)
            continue
        except ValueError:
            pass
        out.extend(_instances(sub, _ADDR_FILLS))
    return out


def _pick(candidates, patterns, match):
    """The first candidate that every pattern list in ``patterns`` accepts (``match(c, p) == 1``)."""
    for c in candidates:
        if c and all(match(c, p) == 1 for p in patterns):
            return c
    return None


def _name_match(c, p):
    return pattern_list(c, p)


def _host_match(c, p):
    return pattern_list(c.lower(), p, lower=True)


# --- accounts (Match Group needs a real member) ---------------------------------------------

def _accounts(h):
    """{user: [group names]} from /etc/passwd and /etc/group (primary and supplementary groups)."""
    users, groups = {}, {}
    try:
        for line in h.read("/etc/group").splitlines():
            f = line.split(":")
            if len(f) >= 4 and f[0]:
                groups[f[2]] = (f[0], [m for m in f[3].split(",") if m])
    except (IOError, OSError):
        pass
    try:
        for line in h.read("/etc/passwd").splitlines():
            f = line.split(":")
            if len(f) >= 4 and f[0]:
                users[f[0]] = [groups[f[3]][0]] if f[3] in groups else []
    except (IOError, OSError):
        pass
    for name, members in groups.values():
        for m in members:
            users.setdefault(m, [])
            if name not in users[m]:
                users[m].append(name)
    return users


def _group_ok(user_groups, patterns):
    """groupaccess.c ga_match_pattern_list: a negated match on any group wins."""
    found = False
    for g in user_groups:
        r = pattern_list(g, patterns)
        if r == -1:
            return False
        found = found or r == 1
    return found


# --- the configuration as sshd reads it ------------------------------------------------------

def read_config(h, path="%s/sshd_config" % SSHDIR):
    """(files read in order, Match blocks, problems) of the configuration rooted at ``path``.

    A block: {file, line, criteria (the Match line's text), parsed [(name, patterns)] or an
    ``error``, keywords (lower-case, set inside the block, its Includes too)}.
    """
    files, blocks, problems = [], [], []

    def walk(p, depth, outer):
        if depth > MAX_INCLUDE_DEPTH:
            problems.append("%s: Include nested deeper than %d" % (p, MAX_INCLUDE_DEPTH))
            return
        try:
            text = h.read(p)
        except (IOError, OSError) as exc:
            problems.append("%s unreadable: %s" % (p, getattr(exc, "strerror", None) or exc))
            return
        files.append(p)
        current = outer
        for number, raw in enumerate(text.splitlines(), 1):
            parsed = sshd_policy.config_line(raw)
            if parsed is None:
                continue
            keyword, args = parsed
            if keyword == "include":
                for pattern in args:
                    full = pattern if pattern[:1] in ("/", "~") else "%s/%s" % (SSHDIR, pattern)
                    for found in sorted(h.glob(full)) if any(c in full for c in "*?[") else \
                            ([full] if h.exists(full) else []):
                        walk(found, depth + 1, current)
                continue
            if keyword == "match":
                block = {"file": p, "line": number, "criteria": " ".join(args), "keywords": []}
                try:
                    block["parsed"] = sshd_policy.parse_match(args)
                except sshd_policy.SshdPolicyError as exc:
                    block["error"] = str(exc)
                if outer is not None:
                    # A file included inside a Match block is read only for connections that
                    # block matches (servconf.c: SSHCFG_NEVERMATCH otherwise): both apply.
                    block["within"] = "Match %s (%s:%s)" % (outer["criteria"], outer["file"], outer["line"])
                    if outer.get("error"):
                        block["error"] = "inside %s: %s" % (block["within"], outer["error"])
                    elif "parsed" in block:
                        block["parsed"] = outer["parsed"] + block["parsed"]
                blocks.append(block)
                current = block
                continue
            if current is not None and keyword not in current["keywords"]:
                current["keywords"].append(keyword)

    walk(path, 0, None)
    return files, blocks, problems


def _global_port(h, files):
    """The first Port of the global section (sshd keeps the first value), else 22."""
    for p in files:
        try:
            text = h.read(p)
        except (IOError, OSError):
            continue
        for raw in text.splitlines():
            parsed = sshd_policy.config_line(raw)
            if parsed and parsed[0] == "match":
                break
            if parsed and parsed[0] == "port" and parsed[1] and parsed[1][0].isdigit():
                return parsed[1][0]
    return "22"


def connection_spec(criteria, accounts, defaults):
    """The ``-C`` spec (text) of a connection these criteria accept, or raise ValueError naming the
    criterion no connection can satisfy."""
    want = dict(defaults)
    by = {}
    for name, value in criteria:
        by.setdefault(name, []).append(value)
    extra = []
    if "invalid-user" in by:
        extra.append("invalid-user")
    for name, field in (("address", "addr"), ("localaddress", "laddr")):
        if name in by:
            pats = by[name]
            bad = [p for p in pats if address_list("127.0.0.1", p) == -2]
            if bad:
                raise ValueError("Match %s %s: a network with host bits set (sshd refuses it)" % (name, bad[0]))
            cands = [want[field]] + list(_ADDR_CANDIDATES) + [a for p in pats for a in _address_instances(p)]
            got = _pick(cands, pats, address_list)
            if got is None:
                raise ValueError("Match %s %s: no address satisfies it" % (name, ",".join(pats)))
            want[field] = got
    if "host" in by:
        pats = by["host"]
        got = _pick([want["host"]] + [i for p in pats for i in _instances(p.lower(), _NAME_FILLS)], pats, _host_match)
        if got is None:
            raise ValueError("Match Host %s: no host name satisfies it" % ",".join(pats))
        want["host"] = got
    if "rdomain" in by:
        pats = by["rdomain"]
        got = _pick([i for p in pats for i in _instances(p, _NAME_FILLS)], pats, _name_match)
        if got is None:
            raise ValueError("Match RDomain %s: no routing domain satisfies it" % ",".join(pats))
        want["rdomain"] = got
    if "localport" in by:
        ports = set(by["localport"])
        if len(ports) > 1 or not re.match(r"^\d{1,5}$", list(ports)[0]) or not 0 < int(list(ports)[0]) < 65536:
            raise ValueError("Match LocalPort %s: not one port number" % ",".join(sorted(ports)))
        want["lport"] = list(ports)[0]
    users, groups = by.get("user", []), by.get("group", [])
    if groups:
        cands = [u for u in sorted(accounts, key=lambda u: (u != want["user"], u))
                 if all(_group_ok(accounts[u], g) for g in groups)]
        if not cands:
            raise ValueError("Match Group %s: no account on this host is in it (sshd needs a real member)"
                             % ",".join(groups))
    else:
        cands = [want["user"], "dockersec-probe"] + [i for p in users for i in _instances(p, _NAME_FILLS)]
    got = _pick(cands, users, _name_match)
    if got is None:
        raise ValueError("Match %s: no user name satisfies it" % " ".join(
            "%s %s" % (n, v) for n, v in criteria if n in ("user", "group")))
    want["user"] = got
    parts = ["user=%s" % want["user"], "host=%s" % want["host"], "addr=%s" % want["addr"],
             "laddr=%s" % want["laddr"], "lport=%s" % want["lport"]]
    if want.get("rdomain"):
        parts.append("rdomain=%s" % want["rdomain"])
    return ",".join(parts + extra)


def _run_t(h, binary, spec=None):
    argv = [binary, "-T"] + (["-C", spec] if spec else [])
    rc, out, err = h.run(argv)
    if rc != 0:
        msg = (err or out or "").strip().splitlines()
        return None, "%s failed (rc %s): %s" % (" ".join(argv), rc, msg[-1] if msg else "no output")
    return sshd_policy.parse_effective(out), None


def _probe(h, binary, effective, spec):
    values, error = _run_t(h, binary, spec)
    if values is None:
        return {"spec": spec, "changed": None, "error": error}
    return {"spec": spec, "error": None,
            "changed": dict((k, v) for k, v in values.items() if effective.get(k) != v)}


def collect_sshd(h):
    binary = h.which("sshd")
    files, blocks, problems = read_config(h)
    if not binary:
        return {"binary": None, "effective": None, "config_files": files}, "no sshd binary"
    effective, error = _run_t(h, binary)
    effective_spec = None
    if effective is None and "not in connection test specification" in error:
        # A Match LocalPort block makes a bare `sshd -T` fatal (the test spec's lport is 0, not
        # "unset"): ask for a connection to sshd's own port with nothing else known.
        effective_spec = "lport=%s" % _global_port(h, files)
        effective, error = _run_t(h, binary, effective_spec)
    if effective is None:
        raise CollectorError(error)
    defaults = dict(DEFAULTS, lport=str(effective.get("port") or "22"))
    accounts = _accounts(h) if any(n == "group" for b in blocks for n, _v in b.get("parsed") or []) else {}
    match_blocks = []
    for index, block in enumerate(blocks):
        entry = {"file": block["file"], "line": block["line"], "criteria": block["criteria"],
                 "within": block.get("within"),
                 "keywords": sorted(block["keywords"]), "spec": None, "changed": None, "error": block.get("error")}
        if entry["error"] is None and index >= MAX_MATCH_PROBES:
            entry["error"] = "not probed: more than %d Match blocks" % MAX_MATCH_PROBES
        if entry["error"] is None:
            try:
                entry["spec"] = connection_spec(block["parsed"], accounts, defaults)
            except ValueError as exc:
                entry["error"] = str(exc)
        if entry["spec"]:
            probe = _probe(h, binary, effective, entry["spec"])
            entry["changed"], entry["error"] = probe["changed"], probe["error"]
        match_blocks.append(entry)
    # The connection the attacker makes, whatever the blocks say: root from outside.
    outside = _probe(h, binary, effective, connection_spec([], {}, defaults))
    return {"binary": binary, "effective": effective, "effective_spec": effective_spec, "config_files": files,
            "match_blocks": match_blocks,
            "outside_probe": outside, "config_problems": problems}, \
        "%s -T, -T -C per Match block (%d)" % (binary, len(match_blocks))
