# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as JUnit XML: one testsuite per host, one testcase per control."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    MESSAGE_WIDTH, format_score, one_line
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    TOOL_NAME, clean_text, evidence_lines, hosts_not_audited, section_name, sorted_hosts
)


def _junit_time(stamp):
    """JUnit's timestamp is an xs:dateTime without a zone: ``2026-11-23T05:00:00``."""
    stamp = str(stamp or "")
    return stamp[:-1] if stamp.endswith("Z") else stamp


def _junit_case(suite, classname, name):
    return ET.SubElement(suite, "testcase", {"classname": clean_text(classname), "name": clean_text(name), "time": "0"})


def _junit_body(control, with_fix):
    body = list(evidence_lines(control))
    if with_fix and control.get("fix"):
        body.append("Fix: %s" % clean_text(control.get("fix")))
    cis = control.get("cis") or []
    if cis:
        body.append("CIS Docker Benchmark: %s" % ", ".join(clean_text(c) for c in cis))
    return "\n".join(body)


def _junit_suite(parent, name, timestamp, properties):
    suite = ET.SubElement(parent, "testsuite", {"name": clean_text(name), "hostname": clean_text(name),
                                                "timestamp": _junit_time(timestamp), "time": "0"})
    props = ET.SubElement(suite, "properties")
    for key, value in properties:
        if value is not None:
            ET.SubElement(props, "property", {"name": key, "value": clean_text(value)})
    return suite


def _junit_count(suite):
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for case in suite.findall("testcase"):
        counts["tests"] += 1
        if case.find("failure") is not None:
            counts["failures"] += 1
        elif case.find("error") is not None:
            counts["errors"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    return counts


_SKIP_REASON = {
    "manual": "manual: needs an attestation",
    "not_applicable": "not applicable",
    "waived": "waived",
}


def to_junit(document):
    """JUnit XML: a testsuite per host (a testcase per control, scored then extended).

    ``fail`` -> ``<failure>`` with every evidence line and the fix, ``error`` -> ``<error>``,
    ``manual`` / ``not_applicable`` / ``waived`` -> ``<skipped message="...">``. A host with no
    result (unreachable, or failed before the audit) gets a suite with one errored testcase; a
    host whose audit task failed with a result (``fail_under``) gets a failed ``audit task`` case.
    """
    root = ET.Element("testsuites", {"name": "%s audit" % TOOL_NAME, "time": "0"})
    failed = document.get("failed") or {}
    stamp = document.get("generated_at")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites = []
    for host, entry in sorted_hosts(document):
        suite = _junit_suite(root, host, entry.get("generated_at") or stamp, [
            ("score", format_score(entry.get("score"))), ("band", entry.get("band")),
            ("earned", entry.get("earned")), ("applicable", entry.get("applicable")),
            ("coverage", format_score(entry.get("coverage"))), ("waivers", entry.get("waivers")),
            ("collection_version", document.get("collection_version")),
            ("catalog_version", document.get("catalog_version")),
        ])
        for control in list(entry.get("controls") or []) + list(entry.get("extended") or []):
            status = control.get("status")
            case = _junit_case(suite, section_name(control.get("section")),
                               "%s %s" % (control.get("id"), control.get("title") or ""))
            lines = evidence_lines(control)
            first = lines[0] if lines else status
            if status == "fail":
                node = ET.SubElement(case, "failure", {"message": one_line(first, MESSAGE_WIDTH),
                                                       "type": "fail"})
                node.text = _junit_body(control, with_fix=True)
            elif status == "error":
                node = ET.SubElement(case, "error", {"message": one_line(first, MESSAGE_WIDTH),
                                                     "type": "error"})
                node.text = _junit_body(control, with_fix=False)
            elif status != "pass":
                reason = _SKIP_REASON.get(status, "status %s" % status)
                message = "%s: %s" % (reason, first) if lines else reason
                ET.SubElement(case, "skipped", {"message": one_line(message, MESSAGE_WIDTH)})
            elif lines:
                ET.SubElement(case, "system-out").text = "\n".join(lines)
        if host in failed:
            case = _junit_case(suite, "dockersec", "audit task")
            ET.SubElement(case, "failure", {"message": clean_text(failed[host]), "type": "audit-task-failed"})
        suites.append(suite)
    for host, what, message in hosts_not_audited(document):
        suite = _junit_suite(root, host, stamp, [("collection_version", document.get("collection_version"))])
        case = _junit_case(suite, "dockersec", "audit")
        ET.SubElement(case, "error", {"message": clean_text("%s: %s" % (what, message)), "type": what})
        suites.append(suite)
    for suite in suites:
        for key, value in _junit_count(suite).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    if hasattr(ET, "indent"):
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
