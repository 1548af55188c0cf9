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
  - Returns C([{role, controls, skipped, left}]) in the order C(dockersec.hardening.remediate) runs the roles,
    for the roles asked for (the default set when the input is C(none)) that still have a control to fix after
    O(skip). Fails naming the role for a role this collection does not ship.
  - With O(verdicts) (the before-audit), a role gets only its controls whose verdict is C(fail), plus the ones
    O(fix) names; C(left) maps each control left alone to its verdict. A role with nothing to fix is left out.
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
  verdicts:
    description:
      - The before-audit (docker_audit's C(dockersec_audit)), or a mapping of control id to status.
      - Omitted or C(none) - every control the role owns (no audit to go by).
    type: raw
  fix:
    description:
      - Control ids to fix whatever their verdict (C(dockersec_fix_controls)); O(skip) wins over it.
      - An id no role fixes fails the filter, naming it.
    type: list
    elements: raw
    default: []
"""

EXAMPLES = r"""
- name: Run each role with the controls it owns
  ansible.builtin.include_role:
    name: "dockersec.hardening.{{ step['role'] }}"
  loop: >-
    {{ dockersec_remediate_roles | default(none)
       | dockersec.hardening.remediation_plan(dockersec_skip_controls | default([]),
                                              verdicts=dockersec_audit_before['dockersec_audit'],
                                              fix=dockersec_fix_controls | default([])) }}
  loop_control:
    loop_var: step
"""

RETURN = r"""
_value:
  description: One entry per role to run, C({role, controls, skipped, left}).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog


def remediation_plan(roles, skip=None, verdicts=None, fix=None):
    try:
        verdicts = catalog.verdicts_of(verdicts)
    except ValueError as exc:
        raise AnsibleFilterError("remediation_plan: %s" % exc)
    try:
        return catalog.remediation_plan(skip=skip, roles=roles, verdicts=verdicts, fix=fix)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc) if str(exc).startswith("dockersec_") else "dockersec_remediate_roles: %s"
                                 % exc)


class FilterModule(object):
    def filters(self):
        return {"remediation_plan": remediation_plan}
