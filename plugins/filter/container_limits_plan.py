# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: container_limits_plan
short_description: The docker update arguments that give running containers their missing limits
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Takes the containers of C(ansible_facts['dockersec']['docker']) and returns, per running container, the
    C(docker update) arguments for the memory, CPU and pids limits it lacks (item 19).
  - Never lowers (or raises) an existing limit. Skips excluded containers and limits the container already
    uses more than C(headroom_percent) of, with the reason.
options:
  _input:
    description: Containers as the gather module reports them.
    type: list
    elements: dict
    required: true
  wanted:
    description: C(memory), C(cpus), C(pids), C(exclude_names), C(exclude_labels), C(headroom_percent).
    type: dict
    required: true
  stats:
    description: C(docker stats --no-stream --format '{{json .}}') records (Name, MemUsage, PIDs).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Plan the updates
  ansible.builtin.set_fact:
    plan: "{{ ansible_facts['dockersec']['docker']['containers'] | dockersec.hardening.container_limits_plan({'memory': '512m'}) }}"
"""

RETURN = r"""
_value:
  description: C(updates) (list of C({name, args, changes})) and C(skipped) (list of C({name, reason})).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.host_fixes import PlanError, container_limits_plan


def _plan(containers, wanted, stats=None):
    try:
        return container_limits_plan(containers, wanted, stats)
    except PlanError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"container_limits_plan": _plan}
