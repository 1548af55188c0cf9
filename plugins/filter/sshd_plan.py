# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sshd_plan
short_description: Where the sshd role writes its settings, and whether the lockout guard refuses them
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Takes what M(dockersec.hardening.sshd_login_facts) read and the role's settings. Returns the validated
    settings, the text to write, where to write it (a drop-in that sorts before every other file the
    C(Include) reads, or the top of sshd_config when there is no usable C(Include)), and the reasons the
    lockout guard refuses the change (empty when it is safe), that is when the account Ansible connects as
    would lose the way it logs in today (C(sshd -T -C) for its own connection, before and after the change).
  - Fails with a message naming the entry for a setting that is not a single-valued sshd keyword, for
    C(Match)/C(Include), and for a drop-in name that would not sort first.
options:
  _input:
    description: The registered result of M(dockersec.hardening.sshd_login_facts).
    type: dict
    required: true
  wanted:
    description:
      - C(settings) (keyword to value), C(dropin_name), C(connecting_user), C(guard) (bool) and C(controller)
        (C(password_set), C(key_file), C(login_method), C(connection) - how Ansible logs in, as the controller knows).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the sshd change
  ansible.builtin.set_fact:
    sshd_plan: "{{ sshd_facts | dockersec.hardening.sshd_plan({'settings': {'PermitRootLogin': 'no'},
                   'dropin_name': '00-dockersec-hardening.conf', 'connecting_user': 'admin', 'guard': true}) }}"
"""

RETURN = r"""
_value:
  description: C(settings), C(block) (the lines to write), C(placement) (C(mode) dropin or inplace, C(path),
    C(reason)), C(refused) (list of reasons) and C(login) (how the guard judged the connecting account's login).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.sshd_policy import SshdPolicyError, plan


def sshd_plan(facts, wanted):
    if not isinstance(wanted, dict):
        raise AnsibleFilterError("sshd_plan: wanted must be a dict, got %s" % type(wanted).__name__)
    try:
        return plan(facts, wanted)
    except SshdPolicyError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"sshd_plan": sshd_plan}
