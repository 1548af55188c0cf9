# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as SARIF 2.1.0: one rule per control, one result per failing control per host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    TOOL_NAME, by_status, clean_text, containers_named, evidence_lines, hosts_not_audited, section_name,
    sorted_hosts
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


def _sarif_level(control):
    if control.get("status") == "error":
        return "warning"  # could not check: needs a look, is no finding
    return "error" if catalog.is_scored(control.get("id")) else "warning"


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

    results = []
    for host, entry in sorted_hosts(document):
        host_loc = locate(host, host)
        controls = list(entry.get("controls") or []) + list(entry.get("extended") or [])
        for control in by_status(controls, ("error", "fail")):
            cid = str(control.get("id"))
            rid = rule_id(cid)
            if rid not in rule_index:
                extra = dict(control)
                extra.setdefault("check", control.get("title"))
                rule_index[rid] = len(rules)
                rules.append(_sarif_rule(extra))
            lines = evidence_lines(control)
            containers = containers_named(control, entry)
            locations = [{"logicalLocations": [host_loc]}]
            for name in containers:
                locations.append({"logicalLocations": [
                    locate("%s/%s" % (host, name), name, parent=host_loc["index"])]})
            results.append({
                "ruleId": rid,
                "ruleIndex": rule_index[rid],
                "level": _sarif_level(control),
                "message": {"text": "\n".join(lines) or clean_text(control.get("title") or rid)},
                "locations": locations,
                "partialFingerprints": {"dockersecHostControl/v1": clean_text("%s/%s" % (host, cid))},
                "properties": {
                    "host": clean_text(host),
                    "status": control.get("status"),
                    "section": section_name(control.get("section")),
                    "points": control.get("points"),
                    "max_points": control.get("max_points"),
                    "containers": containers,
                },
            })
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
            "hosts": dict((h, {"score": e.get("score"), "band": e.get("band"), "earned": e.get("earned"),
                               "applicable": e.get("applicable"), "coverage": e.get("coverage"),
                               "waivers": e.get("waivers")}) for h, e in sorted_hosts(document)),
            "fleet": document.get("fleet") or {},
        },
    }
    if logical:
        run["logicalLocations"] = logical
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def dumps_sarif(log):
    return json.dumps(log, indent=2) + "\n"
