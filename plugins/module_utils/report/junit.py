# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as JUnit XML: one testsuite per host (per daemon where it runs several) and profile, one
testcase per control or recommendation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    MESSAGE_WIDTH, format_score, one_line
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    expected_text, PROFILE_TITLES, TOOL_NAME, cis_title, clean_text, evidence_lines, hosts_not_audited, pass_rate, profile,
    profile_results, section_name, sorted_hosts, subjects
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


def _junit_result(suite, classname, name, control, extra=()):
    """One testcase for ``control`` (a checklist control, a CIS recommendation or a custom control):
    ``fail`` -> ``<failure>``, ``error`` -> ``<error>``, the other undecided statuses ``<skipped>``.
    ``extra``: lines the failure and error bodies end with."""
    status = control.get("status")
    case = _junit_case(suite, classname, name)
    lines = evidence_lines(control)
    first = lines[0] if lines else status
    if status in ("fail", "error"):
        node = ET.SubElement(case, "failure" if status == "fail" else "error",
                             {"message": one_line(first, MESSAGE_WIDTH), "type": status})
        node.text = "\n".join([_junit_body(control, with_fix=status == "fail")] + [clean_text(e) for e in extra])
    elif status != "pass":
        reason = _SKIP_REASON.get(status, "status %s" % status)
        message = "%s: %s" % (reason, first) if lines else reason
        ET.SubElement(case, "skipped", {"message": one_line(message, MESSAGE_WIDTH)})
    elif lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    return case


def _checklist_suite(root, name, part, stamp, document, extra_properties):
    suite = _junit_suite(root, name, part.get("generated_at") or stamp, [
        ("score", format_score(part.get("score"))), ("band", part.get("band")),
        ("earned", part.get("earned")), ("applicable", part.get("applicable")),
        ("coverage", format_score(part.get("coverage"))), ("waivers", part.get("waivers")),
        ("collection_version", document.get("collection_version")),
        ("catalog_version", document.get("catalog_version")),
    ] + list(extra_properties))
    for control in list(part.get("controls") or []) + list(part.get("extended") or []):
        _junit_result(suite, section_name(control.get("section")),
                      "%s %s" % (control.get("id"), control.get("title") or ""), control)
    return suite


def _profile_suites(root, name, part, stamp, daemon_properties):
    """The ``<name> / cis`` and ``<name> / custom`` suites of a host or a daemon."""
    suites = []
    cis = profile(part, "cis")
    if cis is not None:
        suite = _junit_suite(root, "%s / cis" % name, stamp, [
            ("profile", "cis"), ("benchmark", cis_title(cis)),
            ("pass_rate", format_score(pass_rate(cis))),
            ("automated_decided", cis.get("automated_decided")), ("fail_under", cis.get("fail_under")),
        ] + list(daemon_properties))
        for result in profile_results(part, "cis"):
            level = result.get("level")
            about = "%s, %s" % ("Level %s" % level if level else "level not published", result.get("mode"))
            _junit_result(suite, "%s %s" % (cis_title(cis), result.get("section_name") or result.get("section")),
                          "%s %s" % (result.get("id"), result.get("title") or ""), result,
                          [about] + (["CIS 1.8.0: %s" % result["v180"]] if result.get("v180") else []))
        suites.append(suite)
    custom = profile(part, "custom")
    if custom is not None:
        suite = _junit_suite(root, "%s / custom" % name, stamp, [("profile", "custom")] + list(daemon_properties))
        for result in profile_results(part, "custom"):
            _junit_result(suite, PROFILE_TITLES["custom"], "%s %s" % (result.get("id"), result.get("title") or ""),
                          result, ["Severity: %s" % result.get("severity"), "Expression: %s, expected %s" % (
                              result.get("expression"), expected_text(result.get("expected")))])
        suites.append(suite)
    return suites


def to_junit(document):
    """JUnit XML: a testsuite per host (a testcase per control, scored then extended), and beside
    it one per profile (``host / cis``, ``host / custom``); a host running several daemons gets
    these suites per daemon (``host / daemon``, ``host / daemon / cis``, ...).

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
        host_stamp = entry.get("generated_at") or stamp
        first = None
        for daemon, part in subjects(entry):
            name = host if daemon is None else "%s / %s" % (host, daemon.get("name"))
            props = [] if daemon is None else [("daemon", daemon.get("name")),
                                               ("rootless", "true" if daemon.get("rootless") else "false")]
            profile_props = [("profile", "checklist")] if daemon is not None or entry.get("profiles") else []
            if daemon is not None:
                part = dict(part, generated_at=host_stamp)
            suite = _checklist_suite(root, name, part, stamp, document, profile_props + props)
            first = first if first is not None else suite
            suites += [suite] + _profile_suites(root, name, part, host_stamp, props)
        if host in failed:
            case = _junit_case(first, "dockersec", "audit task")
            ET.SubElement(case, "failure", {"message": clean_text(failed[host]), "type": "audit-task-failed"})
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
