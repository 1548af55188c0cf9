# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 3, Image Security: items 11-15.

Per-image controls pass only when the image of every in-scope running container passes; an image
whose inspect data is missing gives ``error`` (could not check), never a silent ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch
import math
import re

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    DEFAULT_REGISTRY, ERROR, EVIDENCE_LIMIT, FAIL, MANUAL, NA, PASS, as_dict, as_list, container_label, days_since,
    docker, history_layers, image_of, image_matches, is_secret_name, names as names_of, no_containers_reason,
    parse_image_ref, parse_timestamp, pulled_from, result, scoped_containers, opt, text
)


UNKNOWN = "unknown"


def _is_image_id(ref):
    return bool(re.match(r"^(sha256:)?[0-9a-f]{12,64}$", str(ref)))


def _image_ref(c):
    return str(c.get("image") or c.get("image_id") or "?")


def _images_of_running(facts, opts):
    """Distinct images of running containers: {image_id: (ref, [container labels], [every ref they use])}.

    One image can run under several names (``docker tag x nginx:1.27``): the evidence names each, so the
    name a person looks for is there."""
    out = {}
    for c in scoped_containers(facts, opts):
        key = str(c.get("image_id") or c.get("image"))
        ref, users, refs = out.get(key, (_image_ref(c), [], []))
        users.append(container_label(c))
        if _image_ref(c) not in refs:
            refs.append(_image_ref(c))
        out[key] = (ref, users, refs)
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
    for image_id, (ref, users, refs) in sorted(imgs.items()):
        why = offends(ref, as_dict(images.get(image_id)), image_id)
        who = "%s (used by %s%s)" % (", ".join(refs[:5]), ", ".join(users[:3]), ", ..." if len(users) > 3 else "")
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


CONTAINERD_DIGESTS = ("containerd image store: its RepoDigests are made from every name the image has, so they do "
                      "not show where it was pulled from (waive or attest with the origin)")


def check_11(facts, opts):
    """Every running image was pulled from a trusted registry/namespace: one of its RepoDigests (what
    dockerd records on pull, common.pulled_from) lies under ``trusted_registries``. A name alone proves
    nothing: ``docker build -t nginx:1.27`` or ``docker tag evil/x nginx:1.27`` gives an official-looking
    name to other content, with no RepoDigest of that repository."""
    trusted = [str(t) for t in as_list(opt(opts, "trusted_registries"))]
    wanted = ", ".join(trusted) or "any trusted registry (trusted_registries is empty)"

    def offends(ref, img, image_id):
        if not img:
            return (UNKNOWN, "image not inspected: where it was pulled from is unknown")
        sources = pulled_from(img)
        if sources is None:
            return (UNKNOWN, CONTAINERD_DIGESTS)
        if any(image_matches(s, trusted) for s in sources):
            return None
        if not sources:
            return ("no RepoDigests: built, tagged, loaded or imported on this host, never pulled from %s "
                    "(pull it from there, or push it to a trusted registry and run that)" % wanted)
        return "pulled from %s, not from %s" % (", ".join(sources[:3]), wanted)
    return _per_image(facts, opts, offends, "every running image was pulled from a trusted registry/namespace "
                      "(RepoDigests)", "images from untrusted sources")


DCT_RETIRED = ("Docker Content Trust is retired on Docker Hub (pulls of Docker Official Images with "
               "DOCKER_CONTENT_TRUST=1 fail since 2025-08-08; notary.docker.io shuts down 2026-12-08)")


def _image_sources(facts, opts):
    """Where the running images come from: their RepoDigests, or for an image without any (built or
    loaded here) the registry/repository its reference names (its base was pulled from there)."""
    found = []
    for c in scoped_containers(facts, opts):
        sources = pulled_from(image_of(facts, c)) or []
        if not sources and not _is_image_id(_image_ref(c)):
            sources = ["%s/%s" % parse_image_ref(_image_ref(c))[:2]]
        found.extend(s for s in sources if s not in found)
    return found


def _hub_sources(facts, opts):
    """Running images that come from Docker Hub (_image_sources on docker.io)."""
    return [s for s in _image_sources(facts, opts) if s.startswith(DEFAULT_REGISTRY + "/")]


def check_12(facts, opts):
    """Image signatures verified on this host. DOCKER_CONTENT_TRUST=1 makes the docker CLI refuse a tag
    without a Notary v1 signature (docs.docker.com/engine/security/trust), which only registries that still
    run a Notary v1 server have: Docker retired DCT on Docker Hub ("Retiring Docker Content Trust", 2025),
    so on a host whose images come from Docker Hub it verifies nothing and breaks pulls. There (and
    anywhere) a verification policy counts instead: ``signature_policy`` with cosign or notation installed
    (as item 43). DCT counts only where every running image comes from a registry named in
    ``notary_v1_registries`` (one that serves Notary v1 trust data; ghcr.io and quay.io never did)."""
    tools = as_dict(facts.get("tools"))
    verifiers = ["%s at %s" % (t, tools.get(t)) for t in ("cosign", "notation") if isinstance(tools.get(t), str)
                 and tools.get(t)]
    policy = opt(opts, "signature_policy")
    policy = policy.strip() if isinstance(policy, str) else ""
    found = [as_dict(e) for e in as_list(as_dict(facts.get("environment")).get("docker_content_trust"))]

    def value(e):
        return str(e.get("value")).strip().strip("'\"")
    on = [e for e in found if value(e) == "1"]
    off = [e for e in found if value(e) != "1"]
    hub = _hub_sources(facts, opts)
    hub_text = "images from Docker Hub: %s" % ", ".join(hub[:5]) + (" ..." if len(hub) > 5 else "")
    if policy and verifiers:
        evidence = ["signature verification policy %s (%s)" % (text(policy), ", ".join(verifiers))]
        if on and hub:
            evidence.append("DOCKER_CONTENT_TRUST=1 in %s breaks pulls from Docker Hub: %s; %s" % (
                ", ".join(str(e.get("file")) for e in on), DCT_RETIRED, hub_text))
        return result(PASS, evidence)
    instead = ("verify signatures with a cosign or Notation policy (dockersec_options.signature_policy, the tool "
               "installed)")
    if on and not off:
        where = ["DOCKER_CONTENT_TRUST=1 in %s" % e.get("file") for e in on]
        if hub:
            return result(FAIL, ["%s, but it verifies nothing there: %s; %s" % (hub_text, DCT_RETIRED, instead)]
                          + where)
        # only a registry running a Notary v1 server has trust data; ghcr.io, quay.io and most others never did
        notary = [str(r) for r in as_list(opt(opts, "notary_v1_registries"))]
        unverified = [src for src in _image_sources(facts, opts) if not image_matches(src, notary)]
        if unverified:
            return result(FAIL, ["images from registries not in notary_v1_registries: %s: they serve no Notary v1 "
                                 "signatures, so DOCKER_CONTENT_TRUST verifies nothing there; %s"
                                 % (", ".join(unverified[:5]) + (" ..." if len(unverified) > 5 else ""),
                                    instead.replace("cosign or Notation", "cosign (Sigstore) or Notation"))] + where)
        if policy:
            where.append("signature_policy %s is set, but neither cosign nor notation is installed" % text(policy))
        return result(PASS, where + ["every running image comes from a Notary v1 registry (notary_v1_registries: "
                                     "%s): DCT verifies its signatures (the docker CLI refuses unsigned tags)"
                                     % (", ".join(text(r) for r in notary) or "none")])
    why = []
    if policy:
        why.append("signature_policy %s is set, but neither cosign nor notation is installed" % text(policy))
    if off:
        why.extend("DOCKER_CONTENT_TRUST=%s in %s%s" % (value(e), e.get("file"), " (want 1)" if not hub else "")
                   for e in off)
        why.extend("DOCKER_CONTENT_TRUST=1 in %s, overridden or contradicted by the above" % e.get("file")
                   for e in on)
    else:
        why.append("DOCKER_CONTENT_TRUST is not set system-wide (/etc/environment, /etc/profile.d)")
    if hub:
        why.append("%s: DCT cannot verify them (%s); %s" % (hub_text, DCT_RETIRED, instead))
    else:
        why.append("no image signature verification: %s, or set DOCKER_CONTENT_TRUST=1 (role content_trust) for "
                   "registries that serve Notary v1 signatures" % instead)
    return result(FAIL, why)


_HEX_ID_RE = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")


def _full_id(value):
    m = _HEX_ID_RE.match(str(value or "").strip().lower())
    return "sha256:" + m.group(1) if m else None


def _digest_of(ref):
    """The manifest digest of ``repo@sha256:...`` (the content it names, under any repository name)."""
    digest = parse_image_ref(ref)[3] if "@" in str(ref) else None
    return _full_id(digest) if digest else None


def _scans(by_image):
    """The distinct scans of ``_scan_results["images"]``: (scan, ids it was of, manifest digests, names)."""
    out = {}
    for key, scan in as_dict(by_image).items():
        scan, key = as_dict(scan), str(key)
        ident = (str(scan.get("file")), str(scan.get("created"))) if scan.get("file") else ("key", key)
        _scan, ids, digests, keys = out.setdefault(ident, (scan, set(), set(), []))
        for value in [scan.get("image_id"), key]:
            if _full_id(value):
                ids.add(_full_id(value))
        for value in names_of(scan.get("repo_digests")) + [key]:
            if _digest_of(value):
                digests.add(_digest_of(value))
        if not _full_id(key):
            keys.append(key)
    return list(out.values())


def check_13(facts, opts):
    """Every running image scanned within scan_max_age_days with 0 CRITICAL, the scan matched to the image by
    what it was a scan of: the report's Metadata.ImageID (Trivy's image config digest, dockerd's image ID)
    or a manifest digest in its RepoDigests equal to one of the running image's. A tag names whatever was
    pushed last (a moved ``:latest``): a scan that matches the running image by tag only is no scan of it."""
    tools = as_dict(facts.get("tools"))
    scanners = ["%s (%s)" % (s, tools.get(s)) for s in as_list(opt(opts, "scanners")) if tools.get(str(s))]
    results = opts.get("_scan_results")
    if isinstance(results, dict):
        errors = [str(e) for e in as_list(results.get("errors"))]
        scans = _scans(results.get("images"))
        if not scans:
            return result(ERROR, ["no usable scan results at %s" % (opt(opts, "scan_report_path") or "?")]
                          + errors[:5])
        today = opts.get("_today")
        max_age = opt(opts, "scan_max_age_days")

        def offends(ref, img, image_id):
            running_id = _full_id(image_id)
            running_digests = set(d for d in (_digest_of(r) for r in names_of(img.get("repo_digests")) + [ref]) if d)
            if running_id:
                running_digests.add(running_id)   # the containerd store's image ID is the manifest (index) digest
            matching = [s for s, ids, digests, _keys in scans
                        if (running_id and running_id in ids) or running_digests & digests]
            if not matching:
                canon = set(_canonical(n) for n in _names_of(ref, img) if not _is_image_id(n))
                by_name = [(s, ids) for s, ids, _d, keys in scans if canon & set(_canonical(k) for k in keys)]
                if by_name:
                    scan, ids = by_name[0]
                    of = ("of image %s" % sorted(ids)[0][:19]) if ids else "naming only a tag (no Metadata.ImageID)"
                    return "no scan of this image (%s): the scan by its name (%s) is %s" % (
                        str(running_id or image_id)[:19], text(scan.get("file") or "?", 120), of)
                return "no scan result"
            scan = max(matching, key=lambda s: parse_timestamp(s.get("created")) or datetime.datetime.min)
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
                                      "every running image scanned (matched by image ID or digest) within %s days "
                                      "with 0 CRITICAL" % max_age,
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
    """Every running image at most max_image_size_mb (the engine's image Size), or of a minimal family by the
    name of a repository it was pulled from (RepoDigests: a name alone is any content, as in item 11)."""
    limit = opt(opts, "max_image_size_mb")
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else 200
    patterns = [str(p) for p in as_list(opt(opts, "minimal_image_patterns"))]

    def offends(ref, img, image_id):
        # A family name counts only for content pulled from that repository (RepoDigests): a local
        # build or `docker tag` named *alpine* is judged by its size.
        sources = pulled_from(img) or []
        family = [n for n in _names_of(ref, img)
                  if any(fnmatch.fnmatch(_canonical(n), p) or fnmatch.fnmatch(n, p) for p in patterns)
                  and "%s/%s" % parse_image_ref(n)[:2] in sources]
        if family:
            return None
        size = img.get("size")
        # The engine reports a whole number of bytes; a NaN or infinite size is not one.
        if not isinstance(size, (int, float)) or isinstance(size, bool) or math.isnan(size) or size in (
                float("inf"), float("-inf")) or size < 0:
            return (UNKNOWN, "image size unknown (image not inspected, or not a byte count: %s)" % text(size, 20))
        if size > limit * 1024 * 1024:
            return "%d MB (max %d MB) and not of a minimal family" % (size // (1024 * 1024), limit)
        return None
    return _per_image(facts, opts, offends, "every running image is at most %d MB or of a minimal family" % limit,
                      "images larger than %d MB" % limit)


# Kinds the layer's names already tell (ENV DB_PASSWORD=...): not repeated as a credential in the line.
_NAMED_KIND = "a secret-like variable assigned"


def check_15(facts, opts):
    """No secret baked into a running image: secret-like names in its Env, in ENV/ARG/LABEL history or
    build args recorded on RUN, secret files copied in, labels with secret-like names, and no
    credential in the history itself (``docker history --no-trunc`` shows it to anyone who pulls the
    image). Reads the per-layer summaries of gather/image_history.py; an image without readable history
    cannot be checked (ARG, build args and COPY are only there)."""
    patterns = [str(p) for p in as_list(opt(opts, "secret_file_patterns"))]

    def offends(ref, img, image_id):
        if not img:
            return (UNKNOWN, "image not inspected")
        layers, why_not = history_layers(img)
        if layers is None:
            return (UNKNOWN, why_not)
        names = set(str(n) for n in as_list(img.get("env_names")) if is_secret_name(n))
        labels = set(str(n) for n in as_list(img.get("labels_names")) if is_secret_name(n))
        files, kinds, unparsed = set(), set(), set()
        for layer in layers:
            instruction = layer.get("instruction")
            layer_names = [str(n) for n in as_list(layer.get("names"))]
            if instruction in ("ENV", "ARG", "RUN", "OTHER"):
                names.update(n for n in layer_names if is_secret_name(n))
            elif instruction == "LABEL":
                labels.update(n for n in layer_names if is_secret_name(n))
            elif instruction in ("COPY", "ADD"):
                for path in names_of(layer.get("paths")):
                    base = path.rstrip("/").rsplit("/", 1)[-1]
                    if base and any(fnmatch.fnmatch(base, p) for p in patterns):
                        files.add(path)
            if layer.get("unparsed") is True:
                unparsed.add(instruction or "no instruction")
            # ARG values are in the history whatever their names (BuildKit dispatchArg): the kind counts there
            for kind in names_of(layer.get("secret_kinds")):
                if kind != _NAMED_KIND or instruction not in ("ENV", "LABEL"):
                    kinds.add("%s (%s)" % (kind, instruction or "no instruction"))
        why = []
        if names:
            why.append("secret-like names baked in: %s" % ", ".join(sorted(names)))
        if labels:
            why.append("secret-like label names: %s" % ", ".join(sorted(labels)))
        if files:
            why.append("secret files copied in: %s" % ", ".join(sorted(files)))
        if kinds:
            why.append("credentials in the image history: %s" % ", ".join(sorted(kinds)))
        if not why and unparsed:
            return (UNKNOWN, "build args of a %s layer not parsed (no command start found): its names unknown"
                    % ", ".join(sorted(unparsed)))
        return "; ".join(why) or None
    return _per_image(facts, opts, offends, "no secret-like names in image Env, labels or ENV/ARG history, no "
                      "secret files copied in, no credential in the history", "images with baked-in secrets")


CHECKS = {"11": check_11, "12": check_12, "13": check_13, "14": check_14, "15": check_15}
