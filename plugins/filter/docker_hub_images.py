# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: docker_hub_images
short_description: The containers of a host whose images come from Docker Hub
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - From the gathered C(ansible_facts.dockersec.docker), one line per container (running or not) whose image
    was pulled from Docker Hub (a C(docker.io) RepoDigest), or, for an image without RepoDigests (a local build
    or C(docker load)), whose reference names Docker Hub.
  - Role C(content_trust) refuses C(DOCKER_CONTENT_TRUST=1) on such a host. Docker retired Docker Content Trust
    on Docker Hub (pulls of Docker Official Images with it fail since 2025-08-08; notary.docker.io shuts down on
    2026-12-08), so it would break these pulls (and builds from these bases) and verify nothing.
options:
  _input:
    description: C(ansible_facts.dockersec.docker) (containers and images, docs/facts.md).
    type: dict
    required: true
"""

EXAMPLES = r"""
content_trust_hub_images: "{{ ansible_facts['dockersec']['docker'] | dockersec.hardening.docker_hub_images }}"
"""

RETURN = r"""
_value:
  description: "One line per container, C(<container>: <image> (<source>)), sorted; empty when no container uses Docker Hub."
  type: list
  elements: str
"""

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    DEFAULT_REGISTRY, as_dict, as_list, image_of, parse_image_ref, pulled_from
)


def docker_hub_images(docker_facts):
    facts = {"docker": as_dict(docker_facts)}
    out = []
    for c in as_list(as_dict(docker_facts).get("containers")):
        if not isinstance(c, dict):
            continue
        ref = str(c.get("image") or c.get("image_id") or "?")
        sources = pulled_from(image_of(facts, c)) or []
        if not sources and not ref.startswith("sha256:"):
            registry, repo, _tag, _digest = parse_image_ref(ref)
            sources = ["%s/%s (its name; no RepoDigests)" % (registry, repo)]
        hub = [s for s in sources if s.startswith(DEFAULT_REGISTRY + "/")]
        if hub:
            out.append("%s: %s (%s)" % (c.get("name") or c.get("id") or "?", ref, hub[0]))
    return sorted(out)


class FilterModule(object):
    def filters(self):
        return {"docker_hub_images": docker_hub_images}
