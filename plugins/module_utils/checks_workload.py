# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for sections 3 (images), 4 (container runtime) and 5 (network): items 11-25.

Per-container and per-image controls pass only when every in-scope running container (or the
image it runs) passes; the evidence names the offenders. No running container, or an engine
that could not be reached, gives ``not_applicable`` with the reason, never ``pass``. An image
whose inspect data is missing gives ``error`` (could not check), never a silent ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.dockersec.hardening.plugins.module_utils.checks_common import (
    ERROR, FAIL, MANUAL, NA, PASS, as_dict, as_list, container_label, daemon_setting, days_since, docker, falsy,
    image_matches, is_secret_name, no_containers_reason, parse_image_ref, parse_timestamp, per_container, result,
    restart_pending, running_containers, truthy,
)
from ansible_collections.dockersec.hardening.plugins.module_utils.checks_host import icc_state

EVIDENCE_LIMIT = 20

OPTIONS = {
    "trusted_registries": {
        "type": "list", "default": ["docker.io/library"],
        "description": "registry/namespace prefixes item 11 trusts (default: Docker Official Images).",
    },
    "scanners": {
        "type": "list", "default": ["trivy", "grype", "docker_scout"],
        "description": "Vulnerability scanners item 13 looks for (keys of the gathered tools).",
    },
    "scan_max_age_days": {
        "type": "int", "default": 7, "min": 0,
        "description": "Item 13: the newest scan of a running image may be at most this old.",
    },
    "scan_report_path": {
        "type": "str", "default": "",
        "description": "Controller-side Trivy JSON results (a file or a directory of *.json) for item 13.",
    },
    "max_image_size_mb": {
        "type": "int", "default": 200, "min": 0,
        "description": "Item 14: largest image size (MB) that counts as minimal.",
    },
    "minimal_image_patterns": {
        "type": "list", "default": ["*alpine*", "*distroless*", "*scratch*", "cgr.dev/chainguard/*", "*wolfi*"],
        "description": "Item 14: image references (shell patterns over registry/repository:tag) of a minimal "
                       "family that pass whatever their size.",
    },
    "secret_file_patterns": {
        "type": "list",
        "default": [".env", ".env.*", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc", ".pgpass",
                    ".git-credentials", ".pypirc", ".npmrc", "credentials", "*.p12", "*.pfx"],
        "description": "Item 15: file names (shell patterns) that hold secrets; COPY/ADD of one in an image's "
                       "history fails.",
    },
    "cap_add_allowlist": {
        "type": "list", "default": ["NET_BIND_SERVICE"],
        "description": "Capabilities item 17 accepts in CapAdd.",
    },
    "default_bridge_allowlist": {
        "type": "list", "default": [],
        "description": "Container names item 21 allows on the default bridge.",
    },
    "published_port_allowlist": {
        "type": "list", "default": [],
        "description": "Item 23 exceptions: container names, or 'HOSTIP:PORT' / 'PORT' strings.",
    },
    "egress_network_allowlist": {
        "type": "list", "default": [],
        "description": "Item 24: user-defined networks that may stay non-internal although no member publishes "
                       "a port (members that must reach outside, e.g. workers calling external APIs).",
    },
}

UNKNOWN = "unknown"


def _is_image_id(ref):
    return bool(re.match(r"^(sha256:)?[0-9a-f]{12,64}$", str(ref)))


def _image_ref(c):
    return str(c.get("image") or c.get("image_id") or "?")


def _images_of_running(facts, opts):
    """Distinct images of running containers: {image_id: (ref, [container labels])}."""
    out = {}
    for c in running_containers(facts, opts):
        key = str(c.get("image_id") or c.get("image"))
        ref, users = out.get(key, (_image_ref(c), []))
        users.append(container_label(c))
        out[key] = (ref, users)
    return out


def _per_image(facts, opts, offends, ok_text, fail_text):
    """Per-image rule over the images of running containers.

    ``offends(ref, image_facts, image_id)`` returns None (passes), a reason (fails) or ``(UNKNOWN, why)``.
    fail when any image fails; error when none fails but some could not be judged; else pass.
    """
    imgs = _images_of_running(facts, opts)
    if not imgs:
        return result(NA, no_containers_reason(facts))
    images = as_dict(docker(facts).get("images"))
    bad, unknown = [], []
    for image_id, (ref, users) in sorted(imgs.items()):
        why = offends(ref, as_dict(images.get(image_id)), image_id)
        who = "%s (used by %s%s)" % (ref, ", ".join(users[:3]), ", ..." if len(users) > 3 else "")
        if isinstance(why, tuple):
            unknown.append("%s: %s" % (who, why[1]))
        elif why:
            bad.append("%s: %s" % (who, why))
    if bad:
        evidence = ["%s: %d of %d images" % (fail_text, len(bad), len(imgs))] + bad[:EVIDENCE_LIMIT]
        if len(bad) > EVIDENCE_LIMIT:
            evidence.append("... and %d more" % (len(bad) - EVIDENCE_LIMIT))
        return result(FAIL, evidence + ["could not check: %s" % u for u in unknown[:5]])
    if unknown:
        return result(ERROR, ["could not check %d of %d images" % (len(unknown), len(imgs))]
                      + unknown[:EVIDENCE_LIMIT])
    return result(PASS, "%s (%d images checked)" % (ok_text, len(imgs)))


def _names_of(ref, img):
    """The references an image is known by: the container's, else its tags and digests."""
    names = [] if _is_image_id(ref) else [ref]
    return names + [str(t) for t in as_list(img.get("repo_tags")) + as_list(img.get("repo_digests")) if t]


def _canonical(ref):
    registry, repo, tag, digest = parse_image_ref(ref)
    out = "%s/%s" % (registry, repo)
    if tag:
        out += ":" + tag
    if digest:
        out += "@" + digest
    return out


# ---------------------------------------------------------------- section 3: images

def check_11(facts, opts):
    trusted = [str(t) for t in as_list(opts.get("trusted_registries"))]

    def offends(ref, img, image_id):
        # The reference the container was started from; only a bare image id falls back to the image's names.
        names = [ref] if not _is_image_id(ref) else _names_of(ref, img)
        if not names:
            return (UNKNOWN, "started from an image id with no repository name: its origin is unknown")
        if any(image_matches(n, trusted) for n in names):
            return None
        return "not from %s" % (", ".join(trusted) or "any trusted registry (trusted_registries is empty)")
    return _per_image(facts, opts, offends, "every running image comes from a trusted registry/namespace",
                      "images from untrusted sources")


def check_12(facts, opts):
    found = [as_dict(e) for e in as_list(as_dict(facts.get("environment")).get("docker_content_trust"))]

    def value(e):
        return str(e.get("value")).strip().strip("'\"")
    on = [e for e in found if value(e) == "1"]
    off = [e for e in found if value(e) != "1"]
    if on and not off:
        return result(PASS, ["DOCKER_CONTENT_TRUST=1 in %s" % e.get("file") for e in on])
    if off:
        return result(FAIL, ["DOCKER_CONTENT_TRUST=%s in %s (want 1)" % (value(e), e.get("file")) for e in off]
                      + ["DOCKER_CONTENT_TRUST=1 in %s, overridden or contradicted by the above" % e.get("file")
                         for e in on])
    return result(FAIL, "DOCKER_CONTENT_TRUST is not set system-wide (/etc/environment, /etc/profile.d)")


def _scan_index(by_image):
    """Scan results keyed by canonical reference and by image id."""
    index = {}
    for key, scan in as_dict(by_image).items():
        key = str(key)
        index[key] = as_dict(scan)
        if not _is_image_id(key):
            index.setdefault(_canonical(key), as_dict(scan))
    return index


def check_13(facts, opts):
    tools = as_dict(facts.get("tools"))
    scanners = ["%s (%s)" % (s, tools.get(s)) for s in as_list(opts.get("scanners")) if tools.get(str(s))]
    results = opts.get("_scan_results")
    if isinstance(results, dict):
        errors = [str(e) for e in as_list(results.get("errors"))]
        index = _scan_index(results.get("images"))
        if not index:
            return result(ERROR, ["no usable scan results at %s" % (opts.get("scan_report_path") or "?")]
                          + errors[:5])
        today = opts.get("_today")
        max_age = opts.get("scan_max_age_days")

        def offends(ref, img, image_id):
            keys = [image_id] + _names_of(ref, img)
            scan = None
            for k in keys:
                if k and (k in index or _canonical(k) in index):
                    scan = index.get(k) or index.get(_canonical(k))
                    break
            if scan is None:
                return "no scan result"
            critical = scan.get("critical")
            if not isinstance(critical, int) or isinstance(critical, bool):
                return (UNKNOWN, "scan result has no CRITICAL count")
            if critical:
                return "%d CRITICAL vulnerabilities" % critical
            created = scan.get("created")
            if parse_timestamp(created) is None:
                return (UNKNOWN, "scan date unknown")
            age = days_since(created, today) if today is not None else None
            if age is not None and isinstance(max_age, int) and age > max_age:
                return "scanned %s, %d days ago (max %d)" % (str(created)[:10], age, max_age)
            return None
        status, evidence = _per_image(facts, opts, offends,
                                      "every running image scanned within %s days with 0 CRITICAL" % max_age,
                                      "images not scanned, stale or with CRITICAL findings")
        if errors:
            evidence.append("unreadable scan files skipped: %s" % "; ".join(errors[:5]))
        return status, evidence
    if scanners:
        return result(MANUAL, "scanner %s installed; no scan results given (set dockersec_options.scan_report_path "
                              "to Trivy JSON output)" % ", ".join(scanners))
    return result(FAIL, "no vulnerability scanner (%s) installed and no scan results given"
                  % ", ".join(str(s) for s in as_list(opts.get("scanners"))))


def check_14(facts, opts):
    limit = opts.get("max_image_size_mb")
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else 200
    patterns = [str(p) for p in as_list(opts.get("minimal_image_patterns"))]

    def offends(ref, img, image_id):
        family = [n for n in _names_of(ref, img)
                  if any(fnmatch.fnmatch(_canonical(n), p) or fnmatch.fnmatch(n, p) for p in patterns)]
        if family:
            return None
        size = img.get("size")
        if not isinstance(size, (int, float)) or isinstance(size, bool):
            return (UNKNOWN, "image size unknown (image not inspected)")
        if size > limit * 1024 * 1024:
            return "%d MB (max %d MB) and not of a minimal family" % (size // (1024 * 1024), limit)
        return None
    return _per_image(facts, opts, offends, "every running image is at most %d MB or of a minimal family" % limit,
                      "images larger than %d MB" % limit)


_ENV_ARG_RE = re.compile(r"(?:^|[\s;)])(?:ENV|ARG)\s+(.*)$")
_ASSIGN_RE = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=")
_BARE_NAME_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s|$)")
_RUN_ARGS_RE = re.compile(r"^\s*(?:RUN\s+)?\|(\d+)\s+(.*)$")
_COPY_RE = re.compile(r"(?:^|[\s;)])(?:COPY|ADD)\s+(.*)$")


def _history_secret_names(line):
    """Secret-like variable names an image history line sets (ENV/ARG, or build args recorded on RUN)."""
    names = set()
    m = _ENV_ARG_RE.search(line)
    if m:
        body = m.group(1)
        assigned = _ASSIGN_RE.findall(body)
        if not assigned:
            bare = _BARE_NAME_RE.match(body)
            assigned = [bare.group(1)] if bare else []
        names.update(assigned)
    m = _RUN_ARGS_RE.match(line)
    if m:
        names.update(_ASSIGN_RE.findall(m.group(2))[:int(m.group(1))])
    return set(n for n in names if is_secret_name(n))


def _history_secret_files(line, patterns):
    m = _COPY_RE.search(line)
    if not m:
        return set()
    body = m.group(1).split(" # buildkit")[0]
    found = set()
    for token in body.split():
        if token == "in" or token.startswith("--") or re.match(r"^(file|dir|multi):", token):
            continue
        base = token.rstrip("/").rsplit("/", 1)[-1]
        if base and any(fnmatch.fnmatch(base, p) for p in patterns):
            found.add(token)
    return found


def check_15(facts, opts):
    patterns = [str(p) for p in as_list(opts.get("secret_file_patterns"))]

    def offends(ref, img, image_id):
        if not img:
            return (UNKNOWN, "image not inspected")
        names = set(str(n) for n in as_list(img.get("env_names")) if is_secret_name(n))
        files = set()
        for line in as_list(img.get("history")):
            names.update(_history_secret_names(str(line)))
            files.update(_history_secret_files(str(line), patterns))
        why = []
        if names:
            why.append("secret-like names baked in: %s" % ", ".join(sorted(names)))
        if files:
            why.append("secret files copied in: %s" % ", ".join(sorted(files)))
        return "; ".join(why) or None
    return _per_image(facts, opts, offends, "no secret-like names in image Env or ENV/ARG history, no secret files "
                      "copied in", "images with baked-in secrets")


# ---------------------------------------------------------------- section 4: container runtime

def check_16(facts, opts):
    def offends(c):
        user = str(c.get("user") or "").strip()
        name = user.split(":", 1)[0]
        if name in ("", "root") or (name.isdigit() and int(name) == 0):
            return "runs as %s" % (repr(user) if user else "root (Config.User empty)")
        return None
    return per_container(facts, opts, offends, "every container runs as a non-root user",
                         "containers running as root")


def _cap(name):
    name = str(name).strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def check_17(facts, opts):
    allowed = set(_cap(c) for c in as_list(opts.get("cap_add_allowlist")))

    def offends(c):
        if c.get("privileged") is True or str(c.get("privileged")).lower() == "true":
            return "privileged"
        drop = set(_cap(x) for x in as_list(c.get("cap_drop")))
        added = sorted(set(_cap(x) for x in as_list(c.get("cap_add"))) - allowed)
        why = []
        if "ALL" not in drop:
            why.append("does not drop ALL")
        if added:
            why.append("adds %s" % ", ".join(added))
        return "; ".join(why) or None
    return per_container(facts, opts, offends, "every container drops ALL and adds only allow-listed capabilities",
                         "containers with excess capabilities")


def check_18(facts, opts):
    return per_container(facts, opts, lambda c: None if c.get("readonly_rootfs") is True else "root filesystem writable",
                         "every container has a read-only root filesystem", "containers with a writable root")


def _positive(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def check_19(facts, opts):
    def offends(c):
        missing = []
        if not _positive(c.get("memory")):
            missing.append("memory")
        if not (_positive(c.get("nano_cpus")) or _positive(c.get("cpu_quota"))):
            missing.append("cpus")
        if not _positive(c.get("pids_limit")):
            missing.append("pids")
        return "no %s limit" % "/".join(missing) if missing else None
    return per_container(facts, opts, offends, "every container has memory, CPU and pids limits",
                         "containers without limits")


def check_20(facts, opts):
    value, source = daemon_setting(facts, "no-new-privileges", ["--no-new-privileges"])
    pending = restart_pending(facts) if source == "daemon.json" else None
    note = []
    if value is not None and not falsy(value):
        if not pending:
            return result(PASS, "no-new-privileges set daemon-wide (%s): applies to every container created since "
                                "dockerd loaded it" % source)
        # Not in effect until dockerd restarts: judge what the containers run with.
        note = ["no-new-privileges=%s in daemon.json is not in effect: %s" % (value, pending)]

    def offends(c):
        for o in as_list(c.get("security_opt")):
            o = str(o).strip().lower().replace("=", ":")
            if o in ("no-new-privileges", "no-new-privileges:true"):
                return None
        return "no no-new-privileges in SecurityOpt"
    status, evidence = per_container(facts, opts, offends, "every container sets no-new-privileges",
                                     "containers without no-new-privileges (and not set daemon-wide)")
    return result(status, note + evidence)


# ---------------------------------------------------------------- section 5: network

def check_21(facts, opts):
    allowed = set(str(n) for n in as_list(opts.get("default_bridge_allowlist")))

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
              for c in running_containers(facts, opts) if as_list(c.get("links"))]
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
    allow = set(str(a) for a in as_list(opts.get("published_port_allowlist")))

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
    exempt = set(str(n) for n in as_list(opts.get("egress_network_allowlist")))
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


CHECKS = {
    "11": check_11, "12": check_12, "13": check_13, "14": check_14, "15": check_15,
    "16": check_16, "17": check_17, "18": check_18, "19": check_19, "20": check_20,
    "21": check_21, "22": check_22, "23": check_23, "24": check_24, "25": check_25,
}
