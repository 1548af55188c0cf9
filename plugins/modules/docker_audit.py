#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_audit
short_description: Evaluate and score a Docker host against the dockersec 50-point checklist
version_added: 0.2.0
description:
  - Evaluates every control of the dockersec catalog from the facts gathered by
    M(dockersec.hardening.docker_host_facts) and scores the host 0-100.
  - Runs on the controller (an action plugin); nothing is sent to or changed on the host.
  - Each of the 50 checklist items is worth 2 points; applicable points are 100 minus the points of
    C(not_applicable) and C(waived) items; score = 100 x earned / applicable, one decimal.
  - Coverage is the points actually decided (C(pass), C(fail), C(manual); not C(waived),
    C(not_applicable) or C(error)) out of 100. Below O(min_coverage) the band is C(Incomplete) instead
    of a rating, so 1 pass with 49 waivers never reads "100 Excellent".
  - Manual items earn points only from an unexpired attestation; an expired waiver or attestation
    counts as C(fail).
  - Options, waivers and attestations are validated before any control is evaluated.
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
  - dockersec.hardening.attributes.controller_action
attributes:
  check_mode:
    details:
      - Read-only, evaluation never changes anything.
options:
  facts:
    description:
      - The gathered facts. Defaults to C(ansible_facts['dockersec']) of the host.
    type: dict
  options:
    description:
      - Thresholds and allow-lists (see C(docs/options.md)). Unknown names and wrong types are refused.
    type: dict
    default: {}
  waivers:
    description:
      - Entries C({id, reason, owner, expires}) with C(expires) as C(YYYY-MM-DD).
      - A valid waiver turns the control into C(waived) (out of the applicable points); an expired one into C(fail).
    type: list
    elements: raw
    default: []
  attestations:
    description:
      - Entries C({id, by, date, evidence, expires}) for manual and attestable controls.
    type: list
    elements: raw
    default: []
  today:
    description:
      - The date expiries are judged against (C(YYYY-MM-DD)); defaults to the controller's date.
    type: str
  report_dir:
    description:
      - Where the audit history is read from (items 46 and 49). The playbooks pass C(dockersec_report_dir).
      - Defaults to E(DOCKERSEC_REPORT_DIR), else C($XDG_DATA_HOME/dockersec) (C(~/.local/share/dockersec)).
    type: path
  fail_under:
    description:
      - Fail the host when its score (its weakest Docker daemon's) is below this number; with several daemons the
        message names that daemon.
      - An C(Incomplete) host (a daemon's coverage below O(min_coverage)) fails too, unless O(fail_incomplete=false).
    type: float
  min_coverage:
    description:
      - Coverage (0-100) a host needs for a band; below it the band is C(Incomplete).
      - When omitted, the inventory variable C(dockersec_min_coverage), else 50.
    type: float
  fail_incomplete:
    description:
      - Whether O(fail_under) fails an C(Incomplete) host whatever its score.
      - When omitted, the inventory variable C(dockersec_fail_incomplete), else true.
    type: bool
  deferred:
    description:
      - Controls a remediation role deliberately left alone, as C({id, reason}); the reason is put first in
        the control's evidence so the scorecard shows it.
    type: list
    elements: dict
    default: []
seealso:
  - module: dockersec.hardening.docker_host_facts
notes:
  - M(dockersec.hardening.docker_report), the last step of both playbooks, prints the scorecard and writes the
    reports and the history from this module's registered result.
"""

EXAMPLES = r"""
- name: Gather Docker host facts
  dockersec.hardening.docker_host_facts:

- name: Score the host, failing below 80
  dockersec.hardening.docker_audit:
    fail_under: 80
    options:
      trusted_registries:
        - docker.io/library
        - registry.example.com/base
    waivers:
      - id: "4"
        reason: Docker data moves to its own volume in the next maintenance window
        owner: platform-team
        expires: "2027-01-31"
    attestations:
      - id: "47"
        by: security-office
        date: "2026-10-01"
        evidence: https://wiki.example.com/container-policy
        expires: "2027-10-01"
"""

RETURN = r"""
msg:
  description: One line with the score, the band and the number of controls per status.
  returned: always
  type: str
  sample: "score 72.0/100 (Acceptable (dev only)), coverage 100.0%, 0 waived: 36 pass, 10 fail, 4 manual"
dockersec_audit:
  description: The host's audit result.
  returned: success, and when the score is below O(fail_under)
  type: dict
  contains:
    schema_version:
      description: Version of this result's layout.
      type: int
      sample: 1
    host:
      description: The inventory hostname the result is for.
      type: str
      sample: node1
    generated_at:
      description: When the controller evaluated the facts (UTC, ISO 8601).
      type: str
      sample: "2026-11-23T05:00:00Z"
    score:
      description:
        - Score 0-100, one decimal; 100 x earned / applicable.
        - 0.0 when no point is applicable (see RV(dockersec_audit.nothing_applicable)).
      type: float
      sample: 72.0
    earned:
      description: Points earned (2 per passed item).
      type: int
      sample: 72
    applicable:
      description: Points applicable (100 minus the points of not_applicable and waived items).
      type: int
      sample: 100
    nothing_applicable:
      description: True when every item is waived or not applicable, so nothing was verified and the score is 0.0.
      type: bool
      sample: false
    coverage:
      description: Points decided (pass, fail, manual) out of 100, one decimal.
      type: float
      sample: 92.0
    min_coverage:
      description: The coverage floor this result was judged against.
      type: float
      sample: 50.0
    incomplete:
      description: True when coverage is below min_coverage (the band is then C(Incomplete)).
      type: bool
      sample: false
    waivers:
      description: Number of scored controls waived.
      type: int
      sample: 2
    band:
      description: Rating band of the checklist, or C(Incomplete) when coverage is below min_coverage.
      type: str
      sample: Acceptable (dev only)
    fail_under:
      description: The threshold O(fail_under) the score was held against (the Prometheus series C(dockersec_score_threshold)).
      returned: when O(fail_under) is set
      type: float
      sample: 80.0
    counts:
      description: Number of scored controls per status.
      type: dict
      sample: {"pass": 36, "fail": 10, "manual": 4, "waived": 0, "not_applicable": 0, "error": 0}
    controls:
      description:
        - One result per checklist item, in catalog order, each with V(id), V(section), V(section_name),
          V(title), V(status), V(points), V(max_points), V(evidence), V(cis), V(mode), V(fix) and V(remediation_role).
      type: list
      elements: dict
    extended:
      description: Results of the extended profile (not scored, max_points 0).
      type: list
      elements: dict
    extended_counts:
      description: Number of extended controls per status.
      type: dict
    options_used:
      description: The options after defaults were merged in.
      type: dict
    daemon:
      description:
        - The Docker daemon whose results the score, band, controls and counts above are, the weakest of the host
          (lowest score; a tie goes to the primary). The host is as strong as its weakest daemon.
        - The name is V(<user>@<endpoint>) from the facts' C(daemons), else the endpoint audited, else V(default).
      type: str
      sample: "svc@unix:///run/user/1000/docker.sock"
    daemons:
      description:
        - One entry per Docker daemon of the host, in facts order, rootless ones included; exactly one on a
          one-daemon host.
        - Each has V(name), V(primary), V(endpoint), V(rootless), V(user), V(uid), V(pid), V(data_root) and that
          daemon's
          V(score), V(earned), V(applicable), V(nothing_applicable), V(coverage), V(min_coverage), V(incomplete),
          V(waivers), V(band), V(counts), V(controls), V(extended) and V(extended_counts).
        - Host-level controls (their required collectors name none of docker, daemon_config, dockerd_process) are
          judged once and are the same in every daemon's results.
      type: list
      elements: dict
    inventory:
      description:
        - Containers of every daemon of the host (names, images, state, compose project/service, user, and the V(daemon)
          that runs them), when inventory_export is on.
      type: list
      elements: dict
    deferred:
      description: Controls a remediation role deliberately left alone, with the reason (from O(deferred)).
      type: list
      elements: dict
"""
