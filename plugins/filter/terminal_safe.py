# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: terminal_safe
short_description: Text from a host or a profile, with the characters a terminal would obey shown escaped
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - C0 control characters (ESC, BEL, CR, LF...), DEL, C1 control characters and the Unicode bidi controls and
    line separators, each shown as C(\\xNN) or C(\\uNNNN). An escape sequence or a forged line in a message
    from a host is printed, not obeyed.
  - The report step's scorecard goes through the same function; the playbooks pass the messages they fail
    with through this filter, because Ansible prints a failure's message raw on its C([ERROR]) line.
options:
  _input:
    description: The text.
    type: str
    required: true
"""

EXAMPLES = r"""
msg: "{{ dockersec_failure['msg'] | dockersec.hardening.terminal_safe }}"
"""

RETURN = r"""
_value:
  description: The text, every unsafe character escaped.
  type: str
"""

from ansible_collections.dockersec.hardening.plugins.module_utils.report.text import terminal_safe


class FilterModule(object):
    def filters(self):
        return {"terminal_safe": terminal_safe}
