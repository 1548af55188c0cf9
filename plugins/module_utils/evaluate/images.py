# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evaluators for checklist section 3, Image Security: items 11-15.

Per-image controls pass only when the image of every in-scope running container passes; an image
whose inspect data is missing gives ``error`` (could not check), never a silent ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, EVIDENCE_LIMIT, FAIL, MANUAL, NA, PASS, as_dict, as_list, container_label, days_since, docker,
    image_matches, is_secret_name, no_containers_reason, parse_image_ref, parse_timestamp, result,
    scoped_containers, opt
)


UNKNOWN = "unknown"


def _is_image_id(ref):
    return bool(re.match(r"^(sha256:)?[0-9a-f]{12,64}$", str(ref)))


def _image_ref(c):
    return str(c.get("image") or c.get("image_id") or "?")


def _images_of_running(facts, opts):
    """Distinct images of running containers: {image_id: (ref, [container labels])}."""
    out = {}
    for c in scoped_containers(facts, opts):
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


def check_11(facts, opts):
    trusted = [str(t) for t in as_list(opt(opts, "trusted_registries"))]

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
    scanners = ["%s (%s)" % (s, tools.get(s)) for s in as_list(opt(opts, "scanners")) if tools.get(str(s))]
    results = opts.get("_scan_results")
    if isinstance(results, dict):
        errors = [str(e) for e in as_list(results.get("errors"))]
        index = _scan_index(results.get("images"))
        if not index:
            return result(ERROR, ["no usable scan results at %s" % (opt(opts, "scan_report_path") or "?")]
                          + errors[:5])
        today = opts.get("_today")
        max_age = opt(opts, "scan_max_age_days")

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
                  % ", ".join(str(s) for s in as_list(opt(opts, "scanners"))))


def check_14(facts, opts):
    limit = opt(opts, "max_image_size_mb")
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else 200
    patterns = [str(p) for p in as_list(opt(opts, "minimal_image_patterns"))]

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
    patterns = [str(p) for p in as_list(opt(opts, "secret_file_patterns"))]

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


CHECKS = {"11": check_11, "12": check_12, "13": check_13, "14": check_14, "15": check_15}
