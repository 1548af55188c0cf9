# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for sections 3 (images), 4 (container runtime) and 5 (network): items 11-25."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.checks_common import (
    ERROR, FAIL, MANUAL, NA, PASS, as_dict, as_list, container_label, daemon_setting, docker, falsy,
    image_matches, is_secret_name, per_container, result, running_containers,
)
from ansible_collections.dockersec.hardening.plugins.module_utils.checks_host import icc_state

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
        "type": "int", "default": 7,
        "description": "Item 13: the newest scan of a running image may be at most this old.",
    },
    "scan_report_path": {
        "type": "str", "default": "",
        "description": "Controller-side Trivy JSON results (a file or a directory of *.json) for item 13.",
    },
    "max_image_size_mb": {
        "type": "int", "default": 200,
        "description": "Item 14: largest image size (MB) that counts as minimal.",
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
}


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
    imgs = _images_of_running(facts, opts)
    if not imgs:
        return result(NA, "no running containers in scope")
    images = as_dict(docker(facts).get("images"))
    bad = []
    for image_id, (ref, users) in sorted(imgs.items()):
        why = offends(ref, as_dict(images.get(image_id)))
        if why:
            bad.append("%s (used by %s): %s" % (ref, ", ".join(users[:3]), why))
    if bad:
        return result(FAIL, ["%s: %d of %d images" % (fail_text, len(bad), len(imgs))] + bad[:20])
    return result(PASS, "%s (%d images checked)" % (ok_text, len(imgs)))


def check_11(facts, opts):
    trusted = as_list(opts.get("trusted_registries"))
    return _per_image(facts, opts,
                      lambda ref, img: None if image_matches(ref, trusted) else "not from %s" % ", ".join(
                          str(t) for t in trusted),
                      "every running image comes from a trusted registry/namespace",
                      "images from untrusted sources")


def check_12(facts, opts):
    found = [as_dict(e) for e in as_list(as_dict(facts.get("environment")).get("docker_content_trust"))]
    on = [e for e in found if str(e.get("value")).strip().strip("'\"") == "1"]
    if on:
        return result(PASS, ["DOCKER_CONTENT_TRUST=1 in %s" % e.get("file") for e in on])
    if found:
        return result(FAIL, ["DOCKER_CONTENT_TRUST=%s in %s (want 1)" % (e.get("value"), e.get("file")) for e in found])
    return result(FAIL, "DOCKER_CONTENT_TRUST is not set system-wide (/etc/environment, /etc/profile.d)")


def check_13(facts, opts):
    tools = as_dict(facts.get("tools"))
    scanners = ["%s (%s)" % (s, tools.get(s)) for s in as_list(opts.get("scanners")) if tools.get(s)]
    results = opts.get("_scan_results")
    if isinstance(results, dict) and results.get("error"):
        return result(ERROR, "scan results unreadable: %s" % results.get("error"))
    if isinstance(results, dict):
        by_image = as_dict(results.get("images"))
        today = opts.get("_today")
        max_age = opts.get("scan_max_age_days")

        def offends(ref, img):
            tags = [ref] + [str(t) for t in as_list(img.get("repo_tags"))]
            scan = next((as_dict(by_image[t]) for t in tags if t in by_image), None)
            if scan is None:
                return "no scan result"
            if scan.get("critical", 0):
                return "%s CRITICAL vulnerabilities" % scan.get("critical")
            created = str(scan.get("created") or "")[:10]
            if today and created and max_age is not None and str(today) > created:
                from ansible_collections.dockersec.hardening.plugins.module_utils.checks_common import days_since
                age = days_since(created, today)
                if age is not None and age > max_age:
                    return "scanned %s, %d days ago (max %d)" % (created, age, max_age)
            return None
        return _per_image(facts, opts, offends, "every running image scanned recently with 0 CRITICAL",
                          "images not scanned, stale or with CRITICAL findings")
    if scanners:
        return result(MANUAL, ["scanner installed: %s; no scan results given (set dockersec_options.scan_report_path "
                               "to Trivy JSON output)" % ", ".join(scanners)])
    return result(FAIL, "no vulnerability scanner (trivy, grype, docker scout) installed and no scan results given")


def check_14(facts, opts):
    limit = opts.get("max_image_size_mb") or 0
    return _per_image(
        facts, opts,
        lambda ref, img: (None if not isinstance(img.get("size"), (int, float))
                          or img.get("size") <= limit * 1024 * 1024
                          else "%d MB (max %d MB)" % (img.get("size") // (1024 * 1024), limit)),
        "every running image is at most %d MB" % limit, "images larger than %d MB" % limit)


_HISTORY_SET_RE = re.compile(r"\b(?:ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_]*)")


def check_15(facts, opts):
    def offends(ref, img):
        if not img:
            return None
        names = set(str(n) for n in as_list(img.get("env_names")) if is_secret_name(n))
        for line in as_list(img.get("history")):
            for name in _HISTORY_SET_RE.findall(str(line)):
                if is_secret_name(name):
                    names.add(name)
        return "secret-like names baked in: %s" % ", ".join(sorted(names)) if names else None
    return _per_image(facts, opts, offends, "no secret-like names in image Env or ENV/ARG history",
                      "images with secret-like Env/ENV/ARG names")


def check_16(facts, opts):
    def offends(c):
        user = str(c.get("user") or "").strip()
        name = user.split(":", 1)[0]
        if name in ("", "root", "0"):
            return "runs as %s" % (repr(user) if user else "root (Config.User empty)")
        return None
    return per_container(facts, opts, offends, "every container runs as a non-root user",
                         "containers running as root")


def check_17(facts, opts):
    allowed = set(str(c).upper().replace("CAP_", "") for c in as_list(opts.get("cap_add_allowlist")))

    def offends(c):
        if c.get("privileged"):
            return "privileged"
        drop = set(str(x).upper().replace("CAP_", "") for x in as_list(c.get("cap_drop")))
        added = sorted(set(str(x).upper().replace("CAP_", "") for x in as_list(c.get("cap_add"))) - allowed)
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


def _positive(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def check_20(facts, opts):
    value, source = daemon_setting(facts, "no-new-privileges", ["--no-new-privileges"])
    if value is not None and not falsy(value):
        if not running_containers(facts, opts):
            return result(PASS, "no-new-privileges set daemon-wide (%s)" % source)
        return result(PASS, "no-new-privileges set daemon-wide (%s): applies to every container" % source)

    def offends(c):
        for o in as_list(c.get("security_opt")):
            o = str(o).replace("=", ":")
            if o == "no-new-privileges" or o == "no-new-privileges:true":
                return None
        return "no no-new-privileges in SecurityOpt"
    return per_container(facts, opts, offends, "every container sets no-new-privileges",
                         "containers without no-new-privileges (and not set daemon-wide)")


def check_21(facts, opts):
    allowed = set(str(n) for n in as_list(opts.get("default_bridge_allowlist")))

    def offends(c):
        if c.get("name") in allowed:
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
        return result(PASS, [evidence, "no container uses legacy --link"])
    problems = [] if disabled else [evidence + ": containers on the default bridge can talk to each other"]
    return result(FAIL, problems + linked[:20])


def _port_allowed(c, p, allow):
    host_ip, host_port = str(p.get("host_ip") or ""), str(p.get("host_port") or "")
    return (c.get("name") in allow or host_port in allow or "%s:%s" % (host_ip, host_port) in allow)


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
            if host_ip in ("", "0.0.0.0", "::", "[::]"):
                why.append("%s on all interfaces" % desc)
            elif host_port.isdigit() and int(host_port) < 1024:
                why.append("%s privileged port" % desc)
        return "; ".join(why) or None
    return per_container(facts, opts, offends, "no port published on all interfaces or below 1024",
                         "containers publishing ports broadly")


def check_24(facts, opts):
    d = docker(facts)
    publishing = set(c.get("name") for c in as_list(d.get("containers"))
                     if isinstance(c, dict) and as_list(c.get("ports")))
    candidates, bad = [], []
    for n in as_list(d.get("networks")):
        n = as_dict(n)
        if n.get("name") in ("bridge", "host", "none", "ingress", "docker_gwbridge"):
            continue
        if n.get("driver") not in ("bridge", "overlay"):
            continue
        members = [str(m) for m in as_list(n.get("containers"))]
        if not members or any(m in publishing for m in members):
            continue
        candidates.append(n.get("name"))
        if not n.get("internal"):
            bad.append("%s (members %s publish no ports) is not internal" % (n.get("name"), ", ".join(members[:5])))
    if not candidates:
        return result(NA, "no user-defined backend network (members without published ports)")
    if bad:
        return result(FAIL, ["backend networks not internal: %d of %d" % (len(bad), len(candidates))] + bad)
    return result(PASS, "backend networks are internal: %s" % ", ".join(str(c) for c in candidates))


_LONE_CHAIN = re.compile(r"^-(N DOCKER-USER|A DOCKER-USER -j RETURN)$")


def check_25(facts, opts):
    value, source = daemon_setting(facts, "iptables", ["--iptables"])
    if value is not None and falsy(value):
        return result(FAIL, "Docker's iptables integration is off (iptables=%s, %s)" % (value, source))
    ipt = as_dict(facts.get("iptables"))
    rules = ipt.get("docker_user")
    if rules is None:
        return result(FAIL if ipt.get("binary") else ERROR,
                      "DOCKER-USER chain unreadable: %s" % (ipt.get("docker_user_error") or "iptables not found"))
    policy = [str(r) for r in as_list(rules) if not _LONE_CHAIN.match(str(r).strip())]
    if not policy:
        return result(FAIL, "DOCKER-USER holds no policy (only %s)" % "; ".join(str(r) for r in as_list(rules)))
    return result(PASS, ["DOCKER-USER has %d policy rules" % len(policy)] + policy[:10])


CHECKS = {
    "11": check_11, "12": check_12, "13": check_13, "14": check_14, "15": check_15,
    "16": check_16, "17": check_17, "18": check_18, "19": check_19, "20": check_20,
    "21": check_21, "22": check_22, "23": check_23, "24": check_24, "25": check_25,
}
