# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: role_controls
short_description: The control ids a remediation role owns, from the catalog
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - The ids whose C(remediation_role) in the catalog is the input role, in catalog order, without O(skip).
  - Each role's C(<role>_controls) default comes from here, so a role run on its own fixes what the catalog
    says it fixes. Fails naming the role for a role this collection does not ship.
options:
  _input:
    description: A role name of this collection, for example C(daemon).
    type: str
    required: true
  skip:
    description: Control ids to leave out (C(dockersec_skip_controls)); numbers and strings alike.
    type: list
    elements: raw
    default: []
  plan:
    description:
      - The run's plan (C(dockersec_plan), from the C(dockersec.hardening.remediation_plan) filter). When given,
        the role gets the controls the plan gives it (the failing ones and those the user named), none when the
        plan does not name the role; omitted or C(none) - every control the role owns less O(skip).
    type: list
    elements: dict
"""

EXAMPLES = r"""
daemon_controls: "{{ 'daemon' | dockersec.hardening.role_controls(dockersec_skip_controls | default([]),
                                                                 plan=dockersec_plan | default(none)) }}"
"""

RETURN = r"""
_value:
  description: The control ids, as strings.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog


def role_controls(role, skip=None, plan=None):
    if role not in catalog.REMEDIATION_ROLES:
        raise AnsibleFilterError("%s is not a remediation role (the roles are %s)"
                                 % (role, ", ".join(catalog.REMEDIATION_ROLES)))
    if plan is not None:
        skipped = set(catalog.normalize_ids(skip))
        return [cid for cid in catalog.planned_controls(role, plan) if cid not in skipped]
    return catalog.role_controls(role, skip=skip)


class FilterModule(object):
    def filters(self):
        return {"role_controls": role_controls}
