#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_report
short_description: Print the dockersec scorecard and write the reports and the audit history on the controller
version_added: 0.2.0
description:
  - The last step of C(dockersec.hardening.audit) and C(dockersec.hardening.remediate). Runs once, on the
    controller (an action plugin), after every host was audited.
  - Reads each host's registered M(dockersec.hardening.docker_audit) result (O(result_var), and O(before_var)
    for the audit before a remediation) and the failure the playbook recorded for hosts whose audit failed or
    that could not be reached (O(failure_var)).
  - Prints a scorecard per host (counts and points by section, the score and its band, the controls in
    C(error) first, then the failed ones with their first evidence line and fix, then the manual ones) and a
    fleet summary (hosts by band, the controls failing on most hosts, the waivers expiring soon).
  - Writes the JSON report C(dockersec-report.json) into O(report_dir) atomically (mode 0640), beside it the
    other O(formats), and appends one line per audited host of the current batch to the audit history
    C(dockersec-history.jsonl), which checklist items 46 and 49 read at the next audit. It says how many
    earlier audits of these hosts the history held, so a run against another directory is never silent.
  - Needs no callback plugin and no C(ansible.cfg) setting.
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
  - dockersec.hardening.attributes.controller_action
attributes:
  check_mode:
    details:
      - The hosts are never changed. The report files and the history are written in check mode too, as the
        audit is meant to run with C(--check) and they are its output.
options:
  hosts:
    description: The hosts to report on. Defaults to every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
  batch:
    description: The hosts whose history lines this run appends. Defaults to the current batch (C(ansible_play_batch)).
    type: list
    elements: str
  result_var:
    description: The variable each host registered its M(dockersec.hardening.docker_audit) result in.
    type: str
    default: dockersec_audit_result
  before_var:
    description: The variable holding the audit before remediation, for the before and after view.
    type: str
    default: dockersec_audit_before
  failure_var:
    description: The variable holding C({kind, msg}) for a host whose audit failed (C(kind=failed)) or that was unreachable.
    type: str
    default: dockersec_failure
  report_dir:
    description:
      - Directory for the reports and the audit history; created (mode 0750) when missing.
      - Defaults to E(DOCKERSEC_REPORT_DIR), else C($XDG_DATA_HOME/dockersec) (C(~/.local/share/dockersec)), which
        does not depend on the directory the playbook is started from.
    type: path
  formats:
    description:
      - Report files to write, from C(json), C(junit), C(sarif), C(md), C(html), C(prom) (or C(all)). The JSON report is
        always written.
      - C(prom) writes C(dockersec.prom), Prometheus metrics in the node_exporter textfile collector format; its
        previous-audit series compare with O(previous_report), else with the JSON report this run replaces.
      - Defaults to E(DOCKERSEC_REPORT_FORMATS) (a comma list), else C(json). Unknown names are ignored with a warning.
    type: list
    elements: str
  compact:
    description: One line per host instead of the full scorecard. Defaults to E(DOCKERSEC_COMPACT), else false.
    type: bool
  show_passed:
    description: List the passed controls too. Defaults to E(DOCKERSEC_SHOW_PASSED), else false.
    type: bool
  top_failing:
    description: How many of the controls failing on most hosts the fleet summary lists. Defaults to E(DOCKERSEC_TOP_FAILING), else 5.
    type: int
  waiver_window_days:
    description: List the waivers expiring within this many days. Defaults to E(DOCKERSEC_WAIVER_WINDOW_DAYS), else 30.
    type: int
  previous_report:
    description:
      - An earlier JSON report to show the trend against in the HTML and Markdown reports. Defaults to
        E(DOCKERSEC_PREVIOUS_REPORT). A missing or unreadable file gives a warning and reports without the trend.
    type: path
  textfile_var:
    description:
      - The hosts that set this variable (to their node_exporter textfile directory) get their own Prometheus
        metrics in RV(prometheus_textfiles), for the playbook to write on the host.
    type: str
    default: dockersec_prometheus_textfile_dir
seealso:
  - module: dockersec.hardening.docker_audit
notes:
  - Colour only on a terminal, never with E(NO_COLOR) or E(ANSIBLE_NOCOLOR).
"""

EXAMPLES = r"""
- name: Audit
  block:
    - name: Gather Docker host facts
      dockersec.hardening.docker_host_facts:

    - name: Score the host
      dockersec.hardening.docker_audit:
        report_dir: "{{ dockersec_report_dir | default(omit) }}"
      register: dockersec_audit_result
  rescue:
    - name: Keep the reason for the report
      ansible.builtin.set_fact:
        dockersec_failure:
          kind: failed
          msg: "{{ ansible_failed_result.msg | default('failed') }}"

- name: Print the scorecard and write the reports
  dockersec.hardening.docker_report:
    report_dir: /var/lib/dockersec
    formats: [json, junit, html]
  run_once: true
"""

RETURN = r"""
msg:
  description: How many hosts were reported, and where.
  returned: always
  type: str
  sample: "dockersec report: 3 host(s) in /home/ops/.local/share/dockersec"
report_dir:
  description: The directory written to.
  returned: when a report was written
  type: str
written:
  description: The paths written.
  returned: when a report was written
  type: list
  elements: str
scores:
  description: Each reported host's score.
  returned: when a report was written
  type: dict
  sample: {"node1": 72.0}
set_stats:
  description:
    - What the playbooks publish with M(ansible.builtin.set_stats) for AWX workflow nodes.
    - C(dockersec_hosts) maps each audited host to its C(score), C(coverage) (percent of the 100 points decided),
      C(band), C(failing) and C(errors) (control ids) and C(below_threshold) (null without a threshold).
    - C(dockersec_fleet) has C(audited), C(not_audited), C(average_score), C(min_score), C(min_coverage), C(by_band),
      C(below_threshold) (hosts) and C(failing) (control id to the number of hosts it fails on).
  returned: when a report was written
  type: dict
  sample: {"dockersec_hosts": {"node1": {"score": 72.0, "coverage": 96.0, "band": "Acceptable (dev only)",
           "failing": ["5", "25"], "errors": [], "below_threshold": true}},
           "dockersec_fleet": {"audited": 1, "not_audited": [], "average_score": 72.0, "min_score": 72.0,
           "min_coverage": 96.0, "by_band": {"Acceptable (dev only)": 1}, "below_threshold": ["node1"],
           "failing": {"5": 1, "25": 1}}}
prometheus_textfiles:
  description: Each audited host that sets O(textfile_var) mapped to its own C(dockersec.prom) text.
  returned: when a report was written
  type: dict
"""
