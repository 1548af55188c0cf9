# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: daemon_plan
short_description: What the daemon role may merge into daemon.json on this host, and what it must defer
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Takes the host's C(ansible_facts['dockersec']) and the daemon role's settings, and returns the daemon.json
    keys to merge plus the controls deferred with their reason (live-restore while swarm is active,
    userns-remap while containers or volumes exist, icc false while containers use legacy links, ulimits
    above dockerd's own hard limits).
options:
  _input:
    description: The host's dockersec facts.
    type: dict
    required: true
  wanted:
    description: The role's settings, named without the C(daemon_) prefix.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the daemon.json change
  ansible.builtin.set_fact:
    daemon_plan: "{{ ansible_facts['dockersec'] | dockersec.hardening.daemon_plan({'controls': ['6', '7'], 'icc': false,
                     'log_level': 'info'}) }}"
"""

RETURN = r"""
_value:
  description: C(settings) (dict to merge), C(deferred) (list of C({id, reason})) and C(notes).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.daemon_plan import plan


def daemon_plan(facts, wanted):
    if not isinstance(wanted, dict):
        raise AnsibleFilterError("daemon_plan: wanted must be a dict, got %s" % type(wanted).__name__)
    return plan(facts, wanted)


class FilterModule(object):
    def filters(self):
        return {"daemon_plan": daemon_plan}
