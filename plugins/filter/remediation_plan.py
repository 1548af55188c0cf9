# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_plan
short_description: Which remediation role fixes which controls, from the catalog
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Reads the catalog's C(remediation_role) of every control, so that no playbook or role restates which
    role fixes which control.
  - Returns C([{role, controls, skipped}]) in the order C(dockersec.hardening.remediate) runs the roles, for the
    roles asked for (the default set when the input is C(none)) that still have a control to fix after
    O(skip). Fails naming the role for a role this collection does not ship.
options:
  _input:
    description: The roles to run (C(dockersec_remediate_roles)), or C(none) for the default set.
    type: list
    elements: str
    required: true
  skip:
    description: Control ids no role may touch (C(dockersec_skip_controls)); numbers and strings alike.
    type: list
    elements: raw
    default: []
"""

EXAMPLES = r"""
- name: Run each role with the controls it owns
  ansible.builtin.include_role:
    name: "dockersec.hardening.{{ step['role'] }}"
  loop: "{{ dockersec_remediate_roles | default(none) | dockersec.hardening.remediation_plan(dockersec_skip_controls | default([])) }}"
  loop_control:
    loop_var: step
"""

RETURN = r"""
_value:
  description: One entry per role to run, C({role, controls, skipped}).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog


def remediation_plan(roles, skip=None):
    try:
        return catalog.remediation_plan(skip=skip, roles=roles)
    except ValueError as exc:
        raise AnsibleFilterError("dockersec_remediate_roles: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"remediation_plan": remediation_plan}
