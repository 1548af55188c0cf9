#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_audit_profile
short_description: Check a host's dockersec profile (threshold, skipped controls, waivers, attestations)
version_added: 0.2.0
description:
  - Checks the profile an inventory group gives its hosts before anything runs on them, and fails the host
    with every problem found, each naming the entry by its index and control id.
  - Runs on the controller (an action plugin); it never connects to the host, so a play can run it first
    (with C(any_errors_fatal)) and stop before the gather on any host.
  - Stricter than M(dockersec.hardening.docker_audit) on purpose. A waiver or attestation that has already
    expired, and an attestation dated in the future, are refused here, where the audit itself would score
    them C(fail) or ignore them.
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
  - dockersec.hardening.attributes.controller_action
attributes:
  check_mode:
    details:
      - Read-only; it checks in check mode exactly as without it.
options:
  fail_under:
    description:
      - The host's threshold (C(dockersec_fail_under)), a number from 0 to 100.
    type: raw
  skip_controls:
    description:
      - Control ids no remediation role may touch (C(dockersec_skip_controls)); each must be in the catalog.
    type: raw
    default: []
  waivers:
    description:
      - Entries C({id, reason, owner, expires}) (C(dockersec_waivers)), every key required and no other.
      - C(id) must be in the catalog, C(reason) and C(owner) non-empty, C(expires) a C(YYYY-MM-DD) date not
        before O(today).
    type: raw
    default: []
  attestations:
    description:
      - Entries C({id, by, date, evidence, expires}) (C(dockersec_attestations)), every key required and no other.
      - C(id) must be a manual or attestable control, C(by) and C(evidence) non-empty, C(date) a C(YYYY-MM-DD)
        date not after O(today) nor after C(expires), C(expires) not before O(today).
    type: raw
    default: []
  today:
    description:
      - The date expiries are judged against (C(YYYY-MM-DD)); defaults to the controller's date.
    type: str
  variables:
    description:
      - Also check every other C(dockersec_*) variable the host sees, type and value, against the collection's
        one spec (C(VARIABLES) in C(plugins/module_utils/evaluate/inventory_check.py)), and refuse a C(dockersec_*) name the
        collection does not read. The first play of both playbooks runs it so, with no other option.
      - An empty (null) list or mapping variable means none; an empty scalar is refused. The options given
        above, when given, are the values checked for their variables.
    type: bool
    default: false
  remediation:
    description:
      - The variables are those of a remediation run, as the first play of C(remediate.yml) says. Then a
        C(dockersec_profiles) without C(checklist) is refused, since the roles fix checklist controls chosen by
        the checklist's verdicts.
    type: bool
    default: false
seealso:
  - module: dockersec.hardening.docker_audit
"""

EXAMPLES = r"""
- name: Check every dockersec_* variable of the host (what the playbooks' first play does)
  dockersec.hardening.docker_audit_profile:
    variables: true
  any_errors_fatal: true

- name: Check the host's dockersec profile before anything runs
  dockersec.hardening.docker_audit_profile:
    fail_under: "{{ dockersec_fail_under | default(omit) }}"
    skip_controls: "{{ dockersec_skip_controls | default([]) }}"
    waivers: "{{ dockersec_waivers | default([]) }}"
    attestations: "{{ dockersec_attestations | default([]) }}"
    today: "{{ dockersec_today | default(omit) }}"
  any_errors_fatal: true
"""

RETURN = r"""
msg:
  description:
    - Whether the profile is valid, and if not its problems, prefixed with the host. At most the first 20 are
      listed, then how many more; each value shown is cut at 200 characters.
  returned: always
  type: str
  sample: "db1: invalid dockersec profile, nothing was run: dockersec_waivers[0] (id 99): unknown control id '99'"
errors:
  description: Empty; a failed check lists its problems once, in RV(msg) (Ansible prints a failure's message twice).
  returned: success
  type: list
  elements: str
  sample: []
error_count:
  description: How many problems the check found.
  returned: failure
  type: int
  sample: 3
"""
