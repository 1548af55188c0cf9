# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 21, done when: a custom control from inventory is validated, evaluated and shown in every
format. One path end to end: inventory variables -> the audit action -> the report document -> each
renderer and the terminal scorecard, never in the 100 points."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from audit_step import run
from conftest import make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.report import document, formats, text

TODAY = "2026-12-02"
# Formats that list every result; the others (SARIF findings, the Markdown and terminal summaries)
# name what fails.
FULL_LISTINGS = ("json", "junit", "html")
CUSTOM = [{"id": "ORG-7", "title": "Logs go to journald", "expression": "daemon_config.content.\"log-driver\"",
           "expected": "journald", "severity": "high"},
          {"id": "ORG-8", "title": "No container runs privileged", "severity": "critical",
           "expression": "docker.containers[?privileged].name", "compare": "empty"}]


def test_a_custom_control_from_inventory_is_shown_in_every_format(tmp_path):
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": str(tmp_path)},
              {"dockersec_custom_controls": CUSTOM})
    audit = res["dockersec_audit"]
    custom = dict((r["id"], r) for r in audit["profiles"]["custom"]["results"])
    assert (custom["ORG-7"]["status"], custom["ORG-8"]["status"]) == ("fail", "pass")
    # Its own group: the checklist score is what it is without them.
    bare = run({"facts": make_facts(), "today": TODAY, "report_dir": str(tmp_path)}, {})["dockersec_audit"]
    assert audit["score"] == bare["score"] and "custom" not in bare["profiles"]
    audit["host"] = "node1"
    doc = document.build_document({"node1": audit}, generated_at="2026-12-02T05:00:00Z")
    rendered = dict((fmt, formats.render_format(fmt, doc)) for fmt in formats.FORMATS)
    rendered["terminal"] = text.to_text(text.scorecard_lines(doc))
    for fmt, out in rendered.items():
        out = out if isinstance(out, str) else out.decode("utf-8")
        if fmt == "prom":
            # Fixed cardinality: the custom group's counts by status, never a series per control id.
            assert 'profile="custom"' in out and "ORG-7" not in out, fmt
            continue
        # The failing control is named everywhere; the formats that list every result list the passing one too.
        assert "ORG-7" in out and "Logs go to journald" in out, fmt
        assert ("ORG-8" in out) == (fmt in FULL_LISTINGS), fmt
    assert "custom/ORG-7" in rendered["sarif"] and "Custom controls" in rendered["md"]


def test_a_bad_custom_control_stops_the_audit_before_anything_is_judged(tmp_path):
    bad = [dict(CUSTOM[0], expression="daemon_config.content[")]
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": str(tmp_path)},
              {"dockersec_custom_controls": bad})
    assert res["failed"] and "dockersec_custom_controls[0] (id ORG-7)" in res["msg"]
    assert "not a valid JMESPath expression" in res["msg"] and "dockersec_audit" not in res
