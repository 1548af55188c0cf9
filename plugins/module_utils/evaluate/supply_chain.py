# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 9, Supply Chain Security: items 41-45.

Item 44 is manual (no evaluator): the engine reports it ``manual`` unless attested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    FAIL, MANUAL, NA, PASS, as_dict, history_layers, image_matches, image_of, names, no_containers_reason, opt,
    per_container_tri, pulled_from, result, scoped_containers, text
)


def check_41(facts, opts):
    """Running containers' image references (Config.Image, as given to docker run/compose) pinned by digest:
    ``name@sha256:...`` or ``name:tag@sha256:...``; dockerd resolves such a reference by the digest alone and
    ignores the tag (distribution/reference grammar), while a tag can be pushed again."""
    def check(c):
        image = c.get("image")
        if isinstance(image, str) and "@sha256:" in image:
            return None
        return "image %s is not pinned by digest" % text(image)
    return per_container_tri(as_dict(facts), opts, check, "every image pinned by digest", "images not pinned")


_TOOLCHAIN_ENV_NAMES = ("GOLANG_VERSION", "RUSTUP_HOME", "CARGO_HOME", "MAVEN_HOME", "GRADLE_HOME", "GCC_VERSION")


def _toolchains_in_history(layers, patterns):
    """Toolchains found in an image history's layer summaries (gather/image_history.py). Order-agnostic
    (the history's order is not part of the facts contract): a package counts as removed when a layer
    removes it (or its apk --virtual group) by name. A removal of other packages in the same layer
    (``apt-get purge curl``, ``apt-get autoremove``, which removes nothing named) leaves it installed."""
    installed = {}
    removed = set()
    found = set()
    for layer in layers:
        removed.update(names(layer.get("removed")))
        groups = as_dict(layer.get("package_groups"))
        for pkg in names(layer.get("installed")):
            if any(fnmatch.fnmatchcase(pkg, p.lower()) for p in patterns):
                installed[pkg] = next((str(g) for g, members in sorted(groups.items())
                                       if pkg in names(members)), None)
        # a compiler run counts unless its layer removes packages by name (`apk add go && go build && apk del go`)
        if not names(layer.get("removed")):
            for build in names(layer.get("builds")):
                found.add("`%s` run in the image" % build)
        if layer.get("instruction") == "ENV":
            for name in names(layer.get("names")):
                if name in _TOOLCHAIN_ENV_NAMES:
                    found.add("toolchain base image (ENV %s)" % name)
    for pkg, group in installed.items():
        if pkg not in removed and (group is None or group not in removed):
            found.add("%s installed" % pkg)
    return sorted(found)


def check_42(facts, opts):
    """No compilers/build toolchains in running images' history; attestation when history is unknown."""
    facts = as_dict(facts)
    patterns = opt(opts, "build_toolchain_packages")

    def check(c):
        img = image_of(facts, c)
        layers, why_not = history_layers(img)
        if layers is None:
            return ("unknown", "image %s: %s" % (text(c.get("image")), why_not))
        found = _toolchains_in_history(layers, patterns)
        if found:
            return "image %s: %s" % (text(c.get("image")), "; ".join(found))
        if any(layer.get("unparsed") is True for layer in layers):
            return ("unknown", "image %s: a RUN layer's build args could not be told from its command (not "
                    "parsed): what it installed is unknown" % text(c.get("image")))
        return None
    status, evidence = per_container_tri(facts, opts, check, "no build toolchain in running images",
                                         "build toolchains in runtime images")
    if status == MANUAL:
        evidence.append("attest multi-stage builds where image history is not available")
    return status, evidence


def check_43(facts, opts):
    """cosign/notary/notation installed and a verification policy configured; else attestation. Docker Engine
    verifies no signature itself (Docker Content Trust was a CLI feature, retired on Docker Hub), so a
    policy enforced where images are deployed (cosign verify, notation verify) is what counts."""
    facts = as_dict(facts)
    tools = as_dict(facts.get("tools"))
    installed = ["%s at %s" % (t, text(tools.get(t))) for t in ("cosign", "notary", "notation")
                 if isinstance(tools.get(t), str) and tools.get(t)]
    policy = opt(opts, "signature_policy").strip()
    if installed and policy:
        return result(PASS, ["signing tool: %s" % ", ".join(installed), "verification policy: %s" % text(policy)])
    if policy:
        return result(FAIL, "signature_policy is set (%s) but neither cosign nor notary is installed on this host"
                      % text(policy))
    if installed:
        return result(MANUAL, ["signing tool: %s" % ", ".join(installed),
                               "no verification policy configured (dockersec_options.signature_policy); "
                               "set it or attest"])
    return result(MANUAL, "no signing tool (cosign, notary) installed and no signature_policy; attest how "
                          "image signatures are verified")


def check_45(facts, opts):
    """Every running image pulled from a configured private registry: one of its RepoDigests (recorded by
    dockerd on pull or push, common.pulled_from) lies under ``private_registries``. The container's
    reference alone proves nothing: ``docker tag nginx registry.acme.io/app:1`` names Docker Hub
    content after the private registry."""
    facts = as_dict(facts)
    registries = opt(opts, "private_registries")
    containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, no_containers_reason(facts))
    if not registries:
        return result(FAIL, "no private registry configured (dockersec_options.private_registries)")

    def check(c):
        image = c.get("image")
        img = image_of(facts, c)
        if not img:
            return ("unknown", "image %s not inspected: where it was pulled from is unknown" % text(image))
        sources = pulled_from(img)
        if sources is None:
            return ("unknown", "image %s: containerd image store: its RepoDigests are made from every name it has, "
                               "so they do not show where it was pulled from" % text(image))
        if any(image_matches(s, registries) for s in sources):
            return None
        if not sources:
            return "image %s has no RepoDigests: built, tagged or loaded on this host, never pulled from %s" % (
                text(image), ", ".join(registries))
        return "image %s comes from %s" % (text(image), ", ".join(text(s) for s in sources[:3]))
    return per_container_tri(facts, opts, check, "every image pulled from %s" % ", ".join(registries),
                             "images outside the private registries", containers=containers)


CHECKS = {"41": check_41, "42": check_42, "43": check_43, "45": check_45}
