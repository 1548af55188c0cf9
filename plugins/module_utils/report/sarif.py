# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as SARIF 2.1.0: one rule per control (``DOCKERSEC-7``), CIS recommendation
(``cis-1.6.0/5.26``) and custom control (``custom/ORG-1``), one result per failing one per host
(per daemon, for what a daemon decides on a host running several)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    expected_text, TOOL_NAME, by_status, cis_rule_id, cis_title, clean_text, containers_named, custom_rule_id, daemon_controls,
    evidence_lines, host_level_controls, hosts_not_audited, profile, profile_results, section_name, several_daemons,
    sorted_hosts, subjects
)


SARIF_VERSION = "2.1.0"

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

SARIF_RULE_PREFIX = "DOCKERSEC-"


def rule_id(control_id):
    return "%s%s" % (SARIF_RULE_PREFIX, control_id)


def _rule_name(title):
    words = re.findall(r"[A-Za-z0-9]+", str(title or ""))
    return "".join(w[:1].upper() + w[1:] for w in words) or "Control"


def _sarif_rule(control):
    """A reportingDescriptor for a catalog entry (or a result's control the catalog lacks)."""
    cid = str(control.get("id"))
    scored = catalog.is_scored(cid)
    section = section_name(control.get("section"))
    help_text = control.get("fix") or ""
    if control.get("hazards"):
        help_text += "\nHazards: %s" % control["hazards"]
    tags = ["security", "docker", section]
    if control.get("cis"):
        tags.append("cis-docker-benchmark")
    if control.get("mode"):
        tags.append(control["mode"])
    rule = {
        "id": rule_id(cid),
        "name": _rule_name(control.get("title")),
        "shortDescription": {"text": clean_text(control.get("title") or cid)},
        "fullDescription": {"text": clean_text(control.get("check") or control.get("title") or cid)},
        "help": {"text": clean_text(help_text or "See the control's check.")},
        "defaultConfiguration": {"level": "error" if scored else "warning"},
        "properties": {
            "tags": tags,
            "control_id": cid,
            "section": section,
            "cis": list(control.get("cis") or []),
            "mode": control.get("mode"),
            "scope": control.get("scope"),
            "scored": scored,
            "points": catalog.max_points(cid),
            "remediation_role": control.get("remediation_role"),
        },
    }
    return rule


# Custom control severity -> SARIF level, and the ``security-severity`` code scanning ranks by.
_CUSTOM_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def custom_level(severity):
    """The SARIF level of a failing custom control: critical and high are errors, medium a warning,
    low a note; a severity the validation should have refused reads as a warning."""
    return _CUSTOM_LEVELS.get(severity, "warning")


def _cis_rule(cis, result):
    rid = str(result.get("id"))
    level, mode = result.get("level"), result.get("mode")
    tags = ["security", "docker", "cis-docker-benchmark"] + ([mode] if mode else []) + (
        ["level-%s" % level] if level else [])
    title = clean_text(result.get("title") or rid)
    return {
        "id": cis_rule_id(cis, rid),
        "name": _rule_name(result.get("title")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": clean_text("%s %s: %s" % (cis_title(cis), rid, result.get("title") or ""))},
        "help": {"text": clean_text(result.get("fix") or "See %s, recommendation %s." % (cis_title(cis), rid))},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": tags, "benchmark": clean_text(cis_title(cis)), "cis_id": rid,
                       "v180": result.get("v180"), "level": level, "mode": mode,
                       "section": clean_text(result.get("section_name") or result.get("section") or "")},
    }


def _custom_rule(result):
    cid, severity = str(result.get("id")), result.get("severity")
    properties = {"tags": ["security", "docker", "custom"] + ([severity] if severity else []),
                  "severity": severity, "expression": clean_text(result.get("expression") or ""),
                  "expected": json.loads(expected_text(result.get("expected")))}
    if severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[severity]
    return {
        "id": custom_rule_id(cid),
        "name": _rule_name(result.get("title")),
        "shortDescription": {"text": clean_text(result.get("title") or cid)},
        "fullDescription": {"text": clean_text("Custom control %s: %s compared with %s" % (
            cid, result.get("expression"), expected_text(result.get("expected"))))},
        "help": {"text": clean_text("An inventory control (dockersec_custom_controls); see its owner.")},
        "defaultConfiguration": {"level": custom_level(severity)},
        "properties": properties,
    }


def _sarif_level(control):
    if control.get("status") == "error":
        return "warning"  # could not check: needs a look, is no finding
    return "error" if catalog.is_scored(control.get("id")) else "warning"


def _host_properties(entry):
    props = dict((k, entry.get(k)) for k in ("score", "band", "earned", "applicable", "coverage", "waivers"))
    cis = profile(entry, "cis")
    if cis is not None:
        props["cis_pass_rate"] = cis.get("pass_rate")
    if several_daemons(entry):
        props["daemon"] = clean_text(entry.get("daemon"))
        props["daemons"] = [{"name": clean_text(d.get("name")), "rootless": bool(d.get("rootless")),
                             "score": d.get("score"), "band": d.get("band")} for d in several_daemons(entry)]
    return props


def to_sarif(document):
    """SARIF 2.1.0 log (a dict): one rule per catalog control, one result per failing or errored
    control per host, located by logical locations (the host, and the containers the evidence names).
    """
    rules = [_sarif_rule(c) for c in catalog.CONTROLS]
    rule_index = dict((r["id"], i) for i, r in enumerate(rules))
    logical = []
    logical_index = {}

    def locate(fqn, name, parent=None):
        if fqn not in logical_index:
            item = {"name": clean_text(name), "fullyQualifiedName": clean_text(fqn), "kind": "resource"}
            if parent is not None:
                item["parentIndex"] = parent
            logical_index[fqn] = len(logical)
            logical.append(item)
        return {"index": logical_index[fqn], "fullyQualifiedName": clean_text(fqn)}

    def add_rule(rule):
        if rule["id"] not in rule_index:
            rule_index[rule["id"]] = len(rules)
            rules.append(rule)
        return rule["id"]

    def result(host, rid, level, item, where, status_props, fingerprint):
        lines = evidence_lines(item)
        return {
            "ruleId": rid,
            "ruleIndex": rule_index[rid],
            "level": level,
            "message": {"text": "\n".join(lines) or clean_text(item.get("title") or rid)},
            "locations": where,
            "partialFingerprints": {"dockersecHostControl/v1": clean_text(fingerprint)},
            "properties": dict({"host": clean_text(host), "status": item.get("status")}, **status_props),
        }

    results = []
    for host, entry in sorted_hosts(document):
        host_loc = locate(host, host)
        several = bool(several_daemons(entry))
        # A host-level control once per host; on a host with several daemons, the daemon-level
        # ones per daemon, located on it.
        checklist = [(None, host_level_controls(entry, list(entry.get("controls") or []) +
                                                list(entry.get("extended") or [])))]
        if several:
            checklist += [(d, daemon_controls(list(d.get("controls") or []) + list(d.get("extended") or [])))
                          for d in several_daemons(entry)]
        for daemon, controls in checklist:
            base, parent, daemon_props = host, host_loc, {}
            if daemon is not None:
                base = "%s/%s" % (host, daemon.get("name"))
                parent = locate(base, daemon.get("name"), parent=host_loc["index"])
                daemon_props = {"daemon": clean_text(daemon.get("name")), "rootless": bool(daemon.get("rootless"))}
            for control in by_status(controls, ("error", "fail")):
                cid = str(control.get("id"))
                rid = rule_id(cid)
                if rid not in rule_index:
                    extra = dict(control)
                    extra.setdefault("check", control.get("title"))
                    add_rule(_sarif_rule(extra))
                containers = containers_named(control, entry)
                locations = [{"logicalLocations": [parent]}]
                for name in containers:
                    locations.append({"logicalLocations": [
                        locate("%s/%s" % (base, name), name, parent=parent["index"])]})
                results.append(result(host, rid, _sarif_level(control), control, locations, dict({
                    "section": section_name(control.get("section")),
                    "points": control.get("points"),
                    "max_points": control.get("max_points"),
                    "containers": containers,
                }, **daemon_props), "%s/%s" % (base, cid)))
        for daemon, part in subjects(entry):
            base, where, daemon_props = host, [{"logicalLocations": [host_loc]}], {}
            if daemon is not None:
                base = "%s/%s" % (host, daemon.get("name"))
                where = [{"logicalLocations": [locate(base, daemon.get("name"), parent=host_loc["index"])]}]
                daemon_props = {"daemon": clean_text(daemon.get("name")), "rootless": bool(daemon.get("rootless"))}
            cis = profile(part, "cis")
            for item in by_status(profile_results(part, "cis"), ("error", "fail")):
                rid = add_rule(_cis_rule(cis, item))
                results.append(result(host, rid, "error" if item.get("status") == "fail" else "warning", item, where,
                                      dict({"profile": "cis", "level": item.get("level"), "mode": item.get("mode")},
                                           **daemon_props), "%s/%s" % (base, rid)))
            for item in by_status(profile_results(part, "custom"), ("error", "fail")):
                rid = add_rule(_custom_rule(item))
                level = custom_level(item.get("severity")) if item.get("status") == "fail" else "warning"
                results.append(result(host, rid, level, item, where, dict(
                    {"profile": "custom", "severity": item.get("severity")}, **daemon_props), "%s/%s" % (base, rid)))
    notifications = []
    for host, what, message in hosts_not_audited(document):
        notifications.append({
            "level": "error",
            "message": {"text": clean_text("%s %s: %s" % (
                host, "unreachable" if what == "unreachable" else "failed before an audit result", message))},
            "locations": [{"logicalLocations": [locate(host, host)]}],
        })
    for host, message in sorted((document.get("failed") or {}).items()):
        if host in (document.get("hosts") or {}):
            notifications.append({
                "level": "warning",
                "message": {"text": clean_text("%s: audit task failed: %s" % (host, message))},
                "locations": [{"logicalLocations": [locate(host, host)]}],
            })
    invocation = {"executionSuccessful": not hosts_not_audited(document)}
    if document.get("generated_at"):
        invocation["endTimeUtc"] = document["generated_at"]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    driver = {"name": TOOL_NAME, "fullName": "%s Docker host audit" % TOOL_NAME, "rules": rules}
    if document.get("collection_version"):
        driver["version"] = str(document["collection_version"])
        if re.match(r"^\d+\.\d+\.\d+", driver["version"]):
            driver["semanticVersion"] = driver["version"]
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "catalog_version": document.get("catalog_version"),
            "hosts": dict((h, _host_properties(e)) for h, e in sorted_hosts(document)),
            "fleet": document.get("fleet") or {},
        },
    }
    if logical:
        run["logicalLocations"] = logical
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def dumps_sarif(log):
    return json.dumps(log, indent=2) + "\n"
