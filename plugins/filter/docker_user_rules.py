# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: docker_user_rules
short_description: The DOCKER-USER rules for allowed sources, as iptables -S prints them
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Returns the rules of the DOCKER-USER chain (item 25) in the form C(iptables -S DOCKER-USER) prints them back.
  - RELATED,ESTABLISHED first, Docker bridges and allowed sources returned to Docker's chains, every other
    connection to a published port (DNATed) dropped, and a final RETURN.
  - Fails naming the variable and entry on a bad CIDR, port or interface.
options:
  _input:
    description: Source CIDRs allowed to reach every published port.
    type: list
    elements: str
    required: true
  port_sources:
    description: Entries C({port, proto, sources}) allowing sources to one published (host) port.
    type: list
    elements: dict
    required: true
  internal_interfaces:
    description: Interfaces whose traffic is not from outside (Docker bridges).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Render the chain
  ansible.builtin.set_fact:
    rules: "{{ ['10.0.0.0/8'] | dockersec.hardening.docker_user_rules([], ['docker0', 'br-+']) }}"
"""

RETURN = r"""
_value:
  description: Lines such as C(-A DOCKER-USER -s 10.0.0.0/8 -j RETURN), in chain order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.host_fixes import PlanError, docker_user_rules


def _rules(allowed_sources, port_sources, internal_interfaces):
    try:
        return docker_user_rules(allowed_sources, port_sources, internal_interfaces)
    except PlanError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"docker_user_rules": _rules}
