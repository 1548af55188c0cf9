# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report in the formats people and CI systems read: pure functions, no Ansible needed.

Every format is built from the same document the JSON report is (``report.build_document``):

``to_junit``     -> JUnit XML: one testsuite per host, one testcase per control
``to_sarif``     -> SARIF 2.1.0: one rule per control, one result per failing control per host
``to_markdown``  -> a Markdown summary (a CI job summary, a merge request comment)
``to_html``      -> one self-contained HTML page: inline CSS, JS and SVG, no network fetch at all
``prom``         -> Prometheus metrics, node_exporter textfile format (report_prometheus.py)

``previous``, where a function takes it, is an earlier JSON report: the trend per host is
computed against it (``host_trends``).

Sections, titles, checks and fixes come from catalog.py; the score, band and evidence from the
document. Every piece of text from a host (names, evidence) is escaped for the format it lands in.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils import report
from ansible_collections.dockersec.hardening.plugins.module_utils import report_paths
from ansible_collections.dockersec.hardening.plugins.module_utils import report_prometheus

TOOL_NAME = "dockersec.hardening"

# Format name -> file name in the report directory. JSON is always written.
FORMATS = ("json", "junit", "sarif", "md", "html", "prom")
FILE_NAMES = {
    "json": report_paths.REPORT_FILE,
    "junit": "dockersec-report.junit.xml",
    "sarif": "dockersec-report.sarif",
    "md": "dockersec-report.md",
    "html": "dockersec-report.html",
    "prom": report_prometheus.FILE_NAME,
}
_ALIASES = {"markdown": "md", "xml": "junit", "xunit": "junit", "prometheus": "prom", "openmetrics": "prom"}

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_RULE_PREFIX = "DOCKERSEC-"

FAILING = ("fail", "error")
STATUS_LABELS = dict(report.COLUMNS)

# XML 1.0 forbids most control characters, even escaped: they become U+FFFD everywhere.
_BAD_CHARS = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_DOCKER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# ---------------------------------------------------------------------------------------------
# shared helpers


def parse_formats(value):
    """The formats to write: ``"json,junit"``, a list, or ``"all"``; JSON always first.

    Returns ``(formats, unknown)``: the known formats in canonical order, and the names not known.
    """
    if value is None:
        items = []
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            items.extend(str(item).split(","))
    else:
        items = str(value).split(",")
    wanted, unknown = set(["json"]), []
    for item in items:
        name = item.strip().lower()
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name == "all":
            wanted.update(FORMATS)
        elif name in FORMATS:
            wanted.add(name)
        elif item.strip() not in unknown:
            unknown.append(item.strip())
    return [f for f in FORMATS if f in wanted], unknown


def _clean(text):
    text = u"%s" % ("" if text is None else text)
    # XML and HTML parsers turn CR and CRLF into LF: do it here so every format says the same.
    return _BAD_CHARS.sub(u"\ufffd", text.replace(u"\r\n", u"\n").replace(u"\r", u"\n"))


def _lines(control):
    evidence = control.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    return [_clean(line) for line in (str(e) for e in evidence) if line.strip()]


def _hosts(document):
    hosts = document.get("hosts") or {}
    return [(h, hosts[h]) for h in sorted(hosts)]


def _not_audited(document):
    """Hosts without a result: ``[(host, "unreachable" | "failed", message)]``."""
    hosts = document.get("hosts") or {}
    out = [(h, "unreachable", m) for h, m in sorted((document.get("unreachable") or {}).items())]
    out += [(h, "failed", m) for h, m in sorted((document.get("failed") or {}).items()) if h not in hosts]
    return out


def _control_catalog(control_id):
    try:
        return catalog.get(control_id)
    except KeyError:
        return {}


def _section_name(section):
    if section == catalog.EXTENDED_SECTION:
        return catalog.EXTENDED_SECTION
    key = report._section_key(section)
    return catalog.SECTIONS.get(key, str(key) if key is not None else "Unknown")


def _fmt(score):
    return report._fmt_score(score)


def _fmt_delta(delta):
    return "n/a" if delta is None else "%+.1f" % delta


def _pct(earned, applicable):
    try:
        earned, applicable = float(earned or 0), float(applicable or 0)
    except (TypeError, ValueError):
        return None
    if applicable <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * earned / applicable))


def section_percentages(entry):
    """``{section key: percent of applicable points earned or None}`` over the scored sections."""
    return dict((row["section"], _pct(row["earned"], row["max"])) for row in report.section_rows(entry))


def host_trends(document, previous):
    """The trend of every host of ``document`` against an earlier report ``previous``.

    ``{host: {"previous_score", "previous_band", "previous_generated_at", "score", "delta",
    "newly_failing": [ids], "fixed": [ids], "sections": {key: previous percent}}}``; a host the
    earlier report does not have maps to ``None``. No ``previous``: ``{}``.
    """
    if not isinstance(previous, dict):
        return {}
    prev_hosts = previous.get("hosts") if isinstance(previous.get("hosts"), dict) else {}
    trends = {}
    for host, entry in _hosts(document):
        prev = prev_hosts.get(host)
        if not isinstance(prev, dict):
            trends[host] = None
            continue
        prev_status = dict((str(c.get("id")), c.get("status")) for c in prev.get("controls") or []
                           if isinstance(c, dict))
        now_status = dict((str(c.get("id")), c.get("status")) for c in entry.get("controls") or [])
        score, prev_score = entry.get("score"), report._score(prev.get("score"))
        trends[host] = {
            "previous_score": prev_score,
            "previous_band": prev.get("band") or (None if prev_score is None else catalog.band_for(prev_score)),
            "previous_generated_at": prev.get("generated_at") or previous.get("generated_at"),
            "score": score,
            "delta": None if score is None or prev_score is None else round(score - prev_score, 1),
            "newly_failing": [cid for cid, st in now_status.items()
                              if st in FAILING and prev_status.get(cid) not in FAILING],
            "fixed": [cid for cid, st in prev_status.items() if st in FAILING and now_status.get(cid) == "pass"],
            "sections": section_percentages(prev) if prev.get("controls") else {},
        }
    return trends


def _ordered(controls, statuses):
    return [c for status in statuses for c in controls if c.get("status") == status]


def _containers_named(control, entry):
    """Containers a per-container control's evidence names (``name (compose p/s): why`` lines)."""
    if _control_catalog(control.get("id")).get("scope") != "container":
        return []
    known = set(str(c.get("name")) for c in entry.get("inventory") or [] if isinstance(c, dict) and c.get("name"))
    names = []
    for line in _lines(control)[1:]:
        if ": " not in line:
            continue
        name = line.split(": ", 1)[0].strip()
        if name.startswith("container "):
            name = name[len("container "):]
        name = re.sub(r"\s*\[[^\]]*\]$", "", name)     # " [exited]"
        name = re.sub(r"\s*\([^()]*\)$", "", name)     # " (compose shop/web)"
        if _DOCKER_NAME.match(name) and (not known or name in known) and name not in names:
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------
# JUnit XML


def _junit_time(stamp):
    """JUnit's timestamp is an xs:dateTime without a zone: ``2026-11-23T05:00:00``."""
    stamp = str(stamp or "")
    return stamp[:-1] if stamp.endswith("Z") else stamp


def _junit_case(suite, classname, name):
    return ET.SubElement(suite, "testcase", {"classname": _clean(classname), "name": _clean(name), "time": "0"})


def _junit_body(control, with_fix):
    body = list(_lines(control))
    if with_fix and control.get("fix"):
        body.append("Fix: %s" % _clean(control.get("fix")))
    cis = control.get("cis") or []
    if cis:
        body.append("CIS Docker Benchmark: %s" % ", ".join(_clean(c) for c in cis))
    return "\n".join(body)


def _junit_suite(parent, name, timestamp, properties):
    suite = ET.SubElement(parent, "testsuite", {"name": _clean(name), "hostname": _clean(name),
                                                "timestamp": _junit_time(timestamp), "time": "0"})
    props = ET.SubElement(suite, "properties")
    for key, value in properties:
        if value is not None:
            ET.SubElement(props, "property", {"name": key, "value": _clean(value)})
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
    for host, entry in _hosts(document):
        suite = _junit_suite(root, host, entry.get("generated_at") or stamp, [
            ("score", _fmt(entry.get("score"))), ("band", entry.get("band")),
            ("earned", entry.get("earned")), ("applicable", entry.get("applicable")),
            ("collection_version", document.get("collection_version")),
            ("catalog_version", document.get("catalog_version")),
        ])
        for control in list(entry.get("controls") or []) + list(entry.get("extended") or []):
            status = control.get("status")
            case = _junit_case(suite, _section_name(control.get("section")),
                               "%s %s" % (control.get("id"), control.get("title") or ""))
            lines = _lines(control)
            first = lines[0] if lines else status
            if status == "fail":
                node = ET.SubElement(case, "failure", {"message": report._one_line(first, report.MESSAGE_WIDTH),
                                                       "type": "fail"})
                node.text = _junit_body(control, with_fix=True)
            elif status == "error":
                node = ET.SubElement(case, "error", {"message": report._one_line(first, report.MESSAGE_WIDTH),
                                                     "type": "error"})
                node.text = _junit_body(control, with_fix=False)
            elif status != "pass":
                reason = _SKIP_REASON.get(status, "status %s" % status)
                message = "%s: %s" % (reason, first) if lines else reason
                ET.SubElement(case, "skipped", {"message": report._one_line(message, report.MESSAGE_WIDTH)})
            elif lines:
                ET.SubElement(case, "system-out").text = "\n".join(lines)
        if host in failed:
            case = _junit_case(suite, "dockersec", "audit task")
            ET.SubElement(case, "failure", {"message": _clean(failed[host]), "type": "audit-task-failed"})
        suites.append(suite)
    for host, what, message in _not_audited(document):
        suite = _junit_suite(root, host, stamp, [("collection_version", document.get("collection_version"))])
        case = _junit_case(suite, "dockersec", "audit")
        ET.SubElement(case, "error", {"message": _clean("%s: %s" % (what, message)), "type": what})
        suites.append(suite)
    for suite in suites:
        for key, value in _junit_count(suite).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    if hasattr(ET, "indent"):
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------------------------------------
# SARIF 2.1.0


def rule_id(control_id):
    return "%s%s" % (SARIF_RULE_PREFIX, control_id)


def _rule_name(title):
    words = re.findall(r"[A-Za-z0-9]+", str(title or ""))
    return "".join(w[:1].upper() + w[1:] for w in words) or "Control"


def _sarif_rule(control):
    """A reportingDescriptor for a catalog entry (or a result's control the catalog lacks)."""
    cid = str(control.get("id"))
    scored = catalog.is_scored(cid)
    section = _section_name(control.get("section"))
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
        "shortDescription": {"text": _clean(control.get("title") or cid)},
        "fullDescription": {"text": _clean(control.get("check") or control.get("title") or cid)},
        "help": {"text": _clean(help_text or "See the control's check.")},
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
            item = {"name": _clean(name), "fullyQualifiedName": _clean(fqn), "kind": "resource"}
            if parent is not None:
                item["parentIndex"] = parent
            logical_index[fqn] = len(logical)
            logical.append(item)
        return {"index": logical_index[fqn], "fullyQualifiedName": _clean(fqn)}

    results = []
    for host, entry in _hosts(document):
        host_loc = locate(host, host)
        controls = list(entry.get("controls") or []) + list(entry.get("extended") or [])
        for control in _ordered(controls, ("error", "fail")):
            cid = str(control.get("id"))
            rid = rule_id(cid)
            if rid not in rule_index:
                extra = dict(control)
                extra.setdefault("check", control.get("title"))
                rule_index[rid] = len(rules)
                rules.append(_sarif_rule(extra))
            lines = _lines(control)
            containers = _containers_named(control, entry)
            locations = [{"logicalLocations": [host_loc]}]
            for name in containers:
                locations.append({"logicalLocations": [
                    locate("%s/%s" % (host, name), name, parent=host_loc["index"])]})
            results.append({
                "ruleId": rid,
                "ruleIndex": rule_index[rid],
                "level": _sarif_level(control),
                "message": {"text": "\n".join(lines) or _clean(control.get("title") or rid)},
                "locations": locations,
                "partialFingerprints": {"dockersecHostControl/v1": _clean("%s/%s" % (host, cid))},
                "properties": {
                    "host": _clean(host),
                    "status": control.get("status"),
                    "section": _section_name(control.get("section")),
                    "points": control.get("points"),
                    "max_points": control.get("max_points"),
                    "containers": containers,
                },
            })
    notifications = []
    for host, what, message in _not_audited(document):
        notifications.append({
            "level": "error",
            "message": {"text": _clean("%s %s: %s" % (
                host, "unreachable" if what == "unreachable" else "failed before an audit result", message))},
            "locations": [{"logicalLocations": [locate(host, host)]}],
        })
    for host, message in sorted((document.get("failed") or {}).items()):
        if host in (document.get("hosts") or {}):
            notifications.append({
                "level": "warning",
                "message": {"text": _clean("%s: audit task failed: %s" % (host, message))},
                "locations": [{"logicalLocations": [locate(host, host)]}],
            })
    invocation = {"executionSuccessful": not _not_audited(document)}
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
                               "applicable": e.get("applicable")}) for h, e in _hosts(document)),
            "fleet": document.get("fleet") or {},
        },
    }
    if logical:
        run["logicalLocations"] = logical
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def dumps_sarif(log):
    return json.dumps(log, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text):
    """Inline Markdown text: one line, HTML-escaped (no raw HTML reaches a renderer), and the
    characters that would start emphasis, code, links or table cells backslash-escaped."""
    text = " ".join(_clean(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_row(cells):
    return "| " + " | ".join(cells) + " |"


def _md_trend(trend):
    if not trend or trend.get("delta") is None:
        return "new" if trend is None else "n/a"
    return "%s (was %s)" % (_fmt_delta(trend["delta"]), _fmt(trend["previous_score"]))


def _md_controls(entry, status, heading, with_fix):
    controls = [c for c in entry.get("controls") or [] if c.get("status") == status]
    if not controls:
        return []
    out = ["", "### %s (%d)" % (heading, len(controls)), ""]
    for c in controls:
        cis = c.get("cis") or []
        title = "- **\\[%s\\] %s**" % (md_escape(c.get("id")), md_escape(c.get("title")))
        if cis:
            title += " (CIS %s)" % md_escape(", ".join(cis))
        out.append(title)
        for line in _lines(c)[:report.TOP_FAILING_JSON * 2]:
            out.append("  - %s" % md_escape(line))
        if with_fix and c.get("fix"):
            out.append("  - Fix: %s" % md_escape(c.get("fix")))
    return out


def to_markdown(document, previous=None):
    """A Markdown summary: the fleet table, then per host the section table and what failed."""
    hosts = _hosts(document)
    fleet = document.get("fleet") or report.fleet_stats(document.get("hosts") or {})
    trends = host_trends(document, previous)
    not_audited = _not_audited(document)
    failed = document.get("failed") or {}
    out = ["# dockersec audit report", ""]
    about = "Generated %s by %s %s (catalog v%s): %d host%s audited" % (
        md_escape(document.get("generated_at")), TOOL_NAME, md_escape(document.get("collection_version") or ""),
        md_escape(document.get("catalog_version")), len(hosts), "" if len(hosts) == 1 else "s")
    if document.get("unreachable"):
        about += ", %d unreachable" % len(document["unreachable"])
    if any(w == "failed" for dummy, w, dummy2 in not_audited):
        about += ", %d failed without a result" % sum(1 for dummy, w, dummy2 in not_audited if w == "failed")
    out += [about + ".", "", "## Fleet", ""]
    if hosts:
        head = ["Host", "Score", "Band", "Points", "fail", "error", "manual"]
        if isinstance(previous, dict):
            head.append("Trend")
        out.append(_md_row(head))
        align = ["---", "---:", "---", "---:", "---:", "---:", "---:"]
        if isinstance(previous, dict):
            align.append("---")
        out.append(_md_row(align))
        for host, entry in hosts:
            counts = report._counts(entry.get("controls") or [])
            row = ["[%s](#%s)" % (md_escape(host), _md_anchor(host)), _fmt(entry.get("score")),
                   md_escape(entry.get("band") or ""),
                   "%s/%s" % (entry.get("earned"), entry.get("applicable")),
                   str(counts.get("fail", 0)), str(counts.get("error", 0)), str(counts.get("manual", 0))]
            if isinstance(previous, dict):
                row.append(md_escape(_md_trend(trends.get(host))))
            out.append(_md_row(row))
        out.append("")
        scored = [(e["score"], h) for h, e in hosts if e.get("score") is not None]
        if scored:
            low, low_host = min(scored)
            out.append("Average score %s, minimum %s (%s). Bands: %s." % (
                _fmt(fleet.get("average_score")), _fmt(low), md_escape(low_host),
                ", ".join("%s %d" % (name, n) for name, n in (fleet.get("by_band") or {}).items() if n) or "none"))
        top = fleet.get("top_failing") or []
        if top:
            out += ["", "**Failing on most hosts**", ""]
            for i, item in enumerate(top, 1):
                out.append("%d. \\[%s\\] %s: %d of %d host%s" % (
                    i, md_escape(item.get("id")), md_escape(item.get("title")), item.get("hosts", 0), len(hosts),
                    "" if len(hosts) == 1 else "s"))
    else:
        out.append("No host was audited.")
    if not_audited or any(h in failed for h, dummy in hosts):
        out += ["", "**Not audited or failed**", ""]
        for host, what, message in not_audited:
            out.append("- %s: %s: %s" % (md_escape(host), "unreachable" if what == "unreachable"
                                         else "failed, no audit result", md_escape(message)))
        for host, dummy in hosts:
            if host in failed:
                out.append("- %s: audit task failed: %s" % (md_escape(host), md_escape(failed[host])))
    for host, entry in hosts:
        out += ["", "## %s" % md_escape(host), ""]
        out.append("**Score: %s** — %s" % (md_escape(report.score_text(entry)), md_escape(entry.get("band") or "")))
        trend = trends.get(host)
        if trend and trend.get("delta") is not None:
            out += ["", "Trend: %s -> %s (%s) since %s%s%s" % (
                _fmt(trend["previous_score"]), _fmt(trend["score"]), _fmt_delta(trend["delta"]),
                md_escape(trend.get("previous_generated_at") or "the previous report"),
                "; newly failing: %s" % md_escape(", ".join(trend["newly_failing"])) if trend["newly_failing"] else "",
                "; fixed: %s" % md_escape(", ".join(trend["fixed"])) if trend["fixed"] else "")]
        before = entry.get("before")
        if before and before.get("score") is not None and entry.get("score") is not None:
            out += ["", "Before remediation: %s (%s), after: %s (%s), %s" % (
                _fmt(before["score"]), md_escape(before.get("band")), _fmt(entry["score"]),
                md_escape(entry.get("band")), _fmt_delta(entry["score"] - before["score"]))]
        if host in failed:
            out += ["", "Audit task failed: %s" % md_escape(failed[host])]
        out += ["", _md_row(["Section"] + [label for dummy, label in report.COLUMNS] + ["Points"]),
                _md_row(["---"] + ["---:"] * (len(report.COLUMNS) + 1))]
        for row in report.section_rows(entry):
            out.append(_md_row(["%s %s" % (row["section"], md_escape(row["name"]))]
                               + [str(row["counts"].get(s, 0)) for s, dummy in report.COLUMNS]
                               + ["%s/%s" % (row["earned"], row["max"])]))
        out += _md_controls(entry, "error", "Errors: could not check, 0 points", with_fix=False)
        out += _md_controls(entry, "fail", "Failed", with_fix=True)
        out += _md_controls(entry, "manual", "Manual: needs an attestation", with_fix=False)
        out += _md_controls(entry, "waived", "Waived", with_fix=False)
        extended = entry.get("extended") or []
        if extended:
            counts = report._counts(extended)
            out += ["", "Extended profile (not scored): %s" % ", ".join(
                "%d %s" % (counts[s], label) for s, label in report.COLUMNS if counts.get(s))]
            for c in _ordered(extended, ("error", "fail")):
                lines = _lines(c)
                out.append("- \\[%s\\] %s: %s%s" % (
                    md_escape(c.get("id")), md_escape(c.get("title")), md_escape(c.get("status")),
                    " — %s" % md_escape(lines[0]) if lines else ""))
    return "\n".join(out) + "\n"


def _md_anchor(host):
    """GitHub's heading anchor for ``## host``: lower case, punctuation but ``-``/``_`` dropped."""
    text = re.sub(r"[^\w\- ]", "", str(host).lower())
    return text.replace(" ", "-")


# ---------------------------------------------------------------------------------------------
# HTML

BAND_COLORS = {
    "Excellent": "#1a9850",
    "Good": "#66bd63",
    "Acceptable (dev only)": "#f9a825",
    "Poor": "#f46d43",
    "Critical": "#d73027",
}
STATUS_COLORS = {
    "pass": "#1a9850",
    "fail": "#d73027",
    "error": "#7b1fa2",
    "manual": "#f9a825",
    "waived": "#78909c",
    "not_applicable": "#b0bec5",
}
NO_DATA_COLOR = "#e3e6ea"

_CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--fg); background: var(--bg); }
header.top { padding: 20px 28px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 8px 28px 40px; max-width: 1400px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 4px; }
.kpi { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.kpi b { display: block; font-size: 22px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px;
         font-weight: 600; white-space: nowrap; }
.band-Excellent { background: #1a9850; } .band-Good { background: #66bd63; }
.band-Acceptable { background: #f9a825; color: #1f2328; } .band-Poor { background: #f46d43; }
.band-Critical { background: #d73027; } .band-none { background: #8c959f; }
.st-pass { background: #1a9850; } .st-fail { background: #d73027; } .st-error { background: #7b1fa2; }
.st-manual { background: #f9a825; color: #1f2328; } .st-waived { background: #78909c; }
.st-not_applicable { background: #b0bec5; color: #1f2328; }
.up { color: #1a7f37; font-weight: 600; } .down { color: #cf222e; font-weight: 600; }
.host { border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin: 18px 0; }
.host-head { display: flex; gap: 22px; align-items: center; flex-wrap: wrap; }
.host-head h2 { border: 0; margin: 12px 0 0; }
.controls { list-style: none; padding: 0; margin: 0; }
.controls > li { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; background: var(--panel); }
.controls > li.fail { border-color: #d73027; } .controls > li.error { border-color: #7b1fa2; }
.controls > li.manual { border-color: #f9a825; } .controls > li.waived { border-color: #78909c; }
.evidence { margin: 4px 0 2px 18px; padding: 0; font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace;
            white-space: pre-wrap; word-break: break-word; }
.fix { margin: 4px 0 0; } .hazard { margin: 2px 0 0; color: #9a6700; }
.cis { color: var(--muted); font-size: 12px; }
.note { padding: 8px 12px; border-radius: 6px; background: #fff8c5; border: 1px solid #d4a72c; margin: 8px 0; }
.alert { padding: 8px 12px; border-radius: 6px; background: #ffebe9; border: 1px solid #ff8182; margin: 8px 0; }
.toolbar { display: flex; gap: 10px; align-items: center; margin: 14px 0 0; }
.toolbar input { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 240px; }
.toolbar button { padding: 5px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
                  cursor: pointer; }
.is-hidden { display: none; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.chart { overflow-x: auto; }
details > summary { cursor: pointer; margin: 8px 0; }
footer { color: var(--muted); font-size: 12px; padding: 14px 28px; border-top: 1px solid var(--line); }
@media print { .toolbar { display: none; } details { display: block; } .host { break-inside: avoid-page; } }
"""

_JS = """
(function () {
  "use strict";
  var filter = document.getElementById("host-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var query = filter.value.trim().toLowerCase();
      var items = document.querySelectorAll("[data-host]");
      for (var i = 0; i < items.length; i++) {
        var name = (items[i].getAttribute("data-host") || "").toLowerCase();
        items[i].classList.toggle("is-hidden", query !== "" && name.indexOf(query) === -1);
      }
    });
  }
  var toggle = document.getElementById("toggle-details");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-pressed") !== "true";
      var all = document.querySelectorAll("details");
      for (var i = 0; i < all.length; i++) { all[i].open = open; }
      toggle.setAttribute("aria-pressed", open ? "true" : "false");
      toggle.textContent = open ? "Collapse all" : "Expand all";
    });
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
"""


def _e(text):
    """HTML text and attribute values: every ``<>&"'`` escaped, control characters replaced."""
    return html.escape(_clean(text), quote=True)


def _csp_hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _mix(c1, c2, t):
    a = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(c2[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def heat_color(pct):
    """Red (0%) through amber (50%) to green (100%); no applicable points: grey."""
    if pct is None:
        return NO_DATA_COLOR
    pct = max(0.0, min(100.0, float(pct)))
    if pct < 50:
        return _mix("#d73027", "#fdd835", pct / 50.0)
    return _mix("#fdd835", "#1a9850", (pct - 50) / 50.0)


def _ink(fill):
    """Black or white text, whichever reads on ``fill``."""
    r, g, b = [int(fill[i:i + 2], 16) for i in (1, 3, 5)]
    return "#1f2328" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


def _band_class(band):
    return "band-%s" % (str(band).split(" ", 1)[0] if band in BAND_COLORS else "none")


def _badge(band):
    return '<span class="badge %s">%s</span>' % (_band_class(band), _e(band or "no score"))


def _status_badge(status):
    return '<span class="badge st-%s">%s</span>' % (_e(status if status in STATUS_COLORS else "waived"),
                                                    _e(STATUS_LABELS.get(status, status)))


def _delta_html(delta):
    if delta is None:
        return '<span class="muted">n/a</span>'
    cls = "up" if delta > 0 else ("down" if delta < 0 else "muted")
    arrow = "&#9650;" if delta > 0 else ("&#9660;" if delta < 0 else "&#9644;")
    return '<span class="%s">%s %s</span>' % (cls, arrow, _e(_fmt_delta(delta)))


def _truncate(text, width):
    text = str(text)
    return text if len(text) <= width else text[:width - 1] + u"\u2026"


def _gauge_svg(score, band):
    """A ring: the score's share of 100 in the band's colour, the score in the middle."""
    radius, width = 46, 12
    circ = 2 * 3.141592653589793 * radius
    share = 0.0 if score is None else max(0.0, min(100.0, float(score))) / 100.0
    color = BAND_COLORS.get(band, "#8c959f")
    return (
        '<svg class="gauge" role="img" width="124" height="124" viewBox="0 0 124 124" aria-label="score %s">'
        '<title>score %s of 100</title>'
        '<circle cx="62" cy="62" r="%d" fill="none" stroke="#e3e6ea" stroke-width="%d"/>'
        '<circle cx="62" cy="62" r="%d" fill="none" stroke="%s" stroke-width="%d" stroke-linecap="butt" '
        'stroke-dasharray="%.2f %.2f" transform="rotate(-90 62 62)"/>'
        '<text x="62" y="66" text-anchor="middle" font-size="24" font-weight="700" fill="#1f2328">%s</text>'
        '<text x="62" y="86" text-anchor="middle" font-size="11" fill="#59636e">/ 100</text>'
        '</svg>' % (_e(_fmt(score)), _e(_fmt(score)), radius, width, radius, color, width, circ * share, circ,
                    _e(_fmt(score))))


def _section_bars_svg(entry, previous_sections=None):
    """Per-section bars: percent of the applicable points earned, with counts; the previous
    report's percent as a dark tick when a trend is known."""
    rows = report.section_rows(entry)
    label_w, bar_w, row_h, top = 250, 420, 24, 6
    width = label_w + bar_w + 190
    height = top + row_h * len(rows) + 6
    parts = ['<svg class="bars" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="points per section">' % (width, height, width, height)]
    for i, row in enumerate(rows):
        y = top + i * row_h
        pct = _pct(row["earned"], row["max"])
        name = "%s %s" % (row["section"], row["name"])
        counts = row["counts"]
        parts.append('<g><title>%s: %s/%s points%s</title>' % (
            _e(name), _e(row["earned"]), _e(row["max"]),
            "" if pct is None else " (%.0f%%)" % pct))
        parts.append('<text x="0" y="%d" font-size="12.5" fill="#1f2328">%s</text>' % (y + 15, _e(name)))
        parts.append('<rect x="%d" y="%d" width="%d" height="16" rx="3" fill="%s"/>' % (
            label_w, y + 3, bar_w, NO_DATA_COLOR))
        if pct is not None and pct > 0:
            parts.append('<rect x="%d" y="%d" width="%.1f" height="16" rx="3" fill="%s"/>' % (
                label_w, y + 3, bar_w * pct / 100.0, heat_color(pct)))
        prev = (previous_sections or {}).get(row["section"])
        if previous_sections is not None and prev is not None:
            x = label_w + bar_w * prev / 100.0
            parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#1f2328" stroke-width="2">'
                         '<title>previous report: %.0f%%</title></line>' % (x, y + 1, x, y + 21, prev))
        detail = "n/a" if pct is None else "%s/%s" % (row["earned"], row["max"])
        extras = ", ".join("%d %s" % (counts.get(s, 0), STATUS_LABELS[s]) for s in ("fail", "error", "manual")
                           if counts.get(s))
        parts.append('<text x="%d" y="%d" font-size="12.5" fill="#1f2328">%s%s</text>' % (
            label_w + bar_w + 10, y + 15, _e(detail), _e("  (%s)" % extras) if extras else ""))
        parts.append('</g>')
    parts.append('</svg>')
    return "".join(parts)


def _heatmap_svg(hosts, anchors):
    """Fleet heatmap: a row per host, a column per section (percent of applicable points)."""
    sections = list(catalog.SECTIONS.items())
    longest = max([len(h) for h, dummy in hosts] + [8])
    label_w = min(280, 16 + 7 * min(longest, 36))
    cell_w, cell_h, head_h, score_w = 58, 24, 150, 70
    width = label_w + score_w + cell_w * len(sections) + 170  # room for the last rotated heading
    height = head_h + cell_h * len(hosts) + 8
    parts = ['<svg class="heatmap" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="fleet heatmap: hosts by section">' % (width, height, width, height)]
    parts.append('<text x="%d" y="%d" font-size="12" font-weight="600" fill="#1f2328">Score</text>' % (
        label_w + 8, head_h - 8))
    for j, (key, name) in enumerate(sections):
        x = label_w + score_w + j * cell_w + cell_w / 2.0
        parts.append('<text transform="translate(%.1f %d) rotate(-40)" font-size="12" fill="#1f2328">'
                     '<title>%s</title>%s %s</text>' % (x, head_h - 8, _e(name), key, _e(name)))
    for i, (host, entry) in enumerate(hosts):
        y = head_h + i * cell_h
        pcts = section_percentages(entry)
        parts.append('<g><a href="#%s"><text x="%d" y="%d" font-size="12.5" text-anchor="end" fill="#0969da">'
                     '<title>%s</title>%s</text></a>' % (anchors[host], label_w - 8, y + 16, _e(host),
                                                         _e(_truncate(host, 36))))
        band = entry.get("band")
        fill = BAND_COLORS.get(band, NO_DATA_COLOR)
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff">'
                     '<title>%s: score %s, %s</title></rect>' % (
                         label_w, y, score_w - 4, cell_h, fill, _e(host), _e(_fmt(entry.get("score"))),
                         _e(band or "no band")))
        parts.append('<text x="%.1f" y="%d" font-size="12" font-weight="700" text-anchor="middle" fill="%s">'
                     '%s</text>' % (label_w + (score_w - 4) / 2.0, y + 16, _ink(fill), _e(_fmt(entry.get("score")))))
        for j, (key, name) in enumerate(sections):
            pct = pcts.get(key)
            fill = heat_color(pct)
            x = label_w + score_w + j * cell_w
            label = "n/a" if pct is None else "%.0f%%" % pct
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff">'
                         '<title>%s, %s: %s</title></rect>' % (
                             x, y, cell_w, cell_h, fill, _e(host), _e(name), _e(label)))
            parts.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="%s">%s</text>' % (
                x + cell_w / 2.0, y + 16, _ink(fill), _e(label)))
        parts.append('</g>')
    parts.append('</svg>')
    return "".join(parts)


def _bands_svg(fleet, total):
    """Hosts per band as one stacked bar."""
    width, height = 520, 26
    parts = ['<svg class="band-bar" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="hosts per band">' % (width, height, width, height)]
    x = 0.0
    for dummy, name in catalog.BANDS:
        n = (fleet.get("by_band") or {}).get(name, 0)
        if not n or not total:
            continue
        w = width * float(n) / total
        parts.append('<rect x="%.1f" y="0" width="%.1f" height="%d" fill="%s"><title>%s: %d host%s</title></rect>' % (
            x, w, height, BAND_COLORS[name], _e(name), n, "" if n == 1 else "s"))
        if w > 24:
            parts.append('<text x="%.1f" y="17" font-size="12" font-weight="700" text-anchor="middle" fill="%s">'
                         '%d</text>' % (x + w / 2.0, _ink(BAND_COLORS[name]), n))
        x += w
    parts.append('</svg>')
    return "".join(parts)


def _html_control(c, with_fix):
    status = c.get("status")
    entry = _control_catalog(c.get("id"))
    out = ['<li class="%s">' % _e(status)]
    out.append('%s <b>[%s] %s</b>' % (_status_badge(status), _e(c.get("id")), _e(c.get("title"))))
    if c.get("cis"):
        out.append(' <span class="cis">CIS %s</span>' % _e(", ".join(str(x) for x in c["cis"])))
    lines = _lines(c)
    if lines:
        out.append('<ul class="evidence">%s</ul>' % "".join("<li>%s</li>" % _e(line) for line in lines))
    if with_fix and c.get("fix"):
        out.append('<p class="fix"><b>Fix:</b> %s</p>' % _e(c.get("fix")))
        if entry.get("hazards"):
            out.append('<p class="hazard"><b>Hazard:</b> %s</p>' % _e(entry["hazards"]))
    out.append('</li>')
    return "".join(out)


def _html_control_list(controls, status, heading, with_fix, open_=True):
    items = [c for c in controls if c.get("status") == status]
    if not items:
        return ""
    return '<details%s><summary><b>%s (%d)</b></summary><ul class="controls">%s</ul></details>' % (
        " open" if open_ else "", _e(heading), len(items), "".join(_html_control(c, with_fix) for c in items))


def _html_host(host, entry, anchor, trend, failed_msg, has_previous):
    score, band = entry.get("score"), entry.get("band")
    controls = entry.get("controls") or []
    counts = report._counts(controls)
    out = ['<section class="host" id="%s" data-host="%s">' % (anchor, _e(host))]
    out.append('<div class="host-head">%s<div><h2>%s</h2><p>%s %s</p><p class="muted">%s</p></div></div>' % (
        _gauge_svg(score, band), _e(host), _badge(band), _e(report.score_text(entry)),
        _e("audited %s" % entry.get("generated_at")) if entry.get("generated_at") else ""))
    if failed_msg:
        out.append('<div class="alert"><b>Audit task failed:</b> %s</div>' % _e(failed_msg))
    if has_previous:
        if trend is None:
            out.append('<p class="muted">Trend: not in the previous report.</p>')
        else:
            text = ['<div class="note"><b>Trend:</b> %s &rarr; %s %s since %s' % (
                _e(_fmt(trend["previous_score"])), _e(_fmt(trend["score"])), _delta_html(trend["delta"]),
                _e(trend.get("previous_generated_at") or "the previous report"))]
            if trend.get("previous_band") and trend["previous_band"] != band:
                text.append(' (band %s &rarr; %s)' % (_e(trend["previous_band"]), _e(band)))
            if trend["newly_failing"]:
                text.append('<br>Newly failing: %s' % _e(", ".join(trend["newly_failing"])))
            if trend["fixed"]:
                text.append('<br>Fixed: %s' % _e(", ".join(trend["fixed"])))
            text.append('</div>')
            out.append("".join(text))
    before = entry.get("before")
    if before and before.get("score") is not None and score is not None:
        out.append('<p>Before remediation: %s (%s) &rarr; after: %s (%s) %s</p>' % (
            _e(_fmt(before["score"])), _e(before.get("band")), _e(_fmt(score)), _e(band),
            _delta_html(round(score - before["score"], 1))))
    out.append('<h3>Points per section</h3><div class="chart">%s</div>' % _section_bars_svg(
        entry, trend.get("sections") if trend else None))
    out.append('<p class="muted">%s</p>' % _e(", ".join(
        "%d %s" % (counts.get(s, 0), label) for s, label in report.COLUMNS)))
    out.append(_html_control_list(controls, "error", "Errors: could not check, 0 points", False))
    out.append(_html_control_list(controls, "fail", "Failed", True))
    out.append(_html_control_list(controls, "manual", "Manual: needs an attestation", False, open_=False))
    out.append(_html_control_list(controls, "waived", "Waived", False, open_=False))
    na = [c for c in controls if c.get("status") == "not_applicable"]
    passed = [c for c in controls if c.get("status") == "pass"]
    if passed or na:
        out.append('<details><summary>Passed (%d), not applicable (%d)</summary><table><tr><th>Control</th>'
                   '<th>Status</th><th>Evidence</th></tr>%s</table></details>' % (len(passed), len(na), "".join(
                       '<tr><td>[%s] %s</td><td>%s</td><td>%s</td></tr>' % (
                           _e(c.get("id")), _e(c.get("title")), _status_badge(c.get("status")),
                           _e((_lines(c) or [""])[0])) for c in passed + na)))
    extended = entry.get("extended") or []
    if extended:
        ext_counts = report._counts(extended)
        out.append('<h3>Extended profile (not scored)</h3><p class="muted">%s</p>' % _e(", ".join(
            "%d %s" % (ext_counts[s], label) for s, label in report.COLUMNS if ext_counts.get(s))))
        failing = _ordered(extended, ("error", "fail"))
        if failing:
            out.append('<ul class="controls">%s</ul>' % "".join(_html_control(c, True) for c in failing))
    out.append('</section>')
    return "".join(out)


def to_html(document, previous=None):
    """One self-contained HTML page: no external URL anywhere, scripts and styles pinned by a
    Content-Security-Policy that allows nothing else (no fetch, no injected script runs)."""
    hosts = _hosts(document)
    fleet = document.get("fleet") or report.fleet_stats(document.get("hosts") or {})
    failed = document.get("failed") or {}
    trends = host_trends(document, previous)
    has_previous = isinstance(previous, dict)
    anchors = dict((host, "host-%d" % i) for i, (host, dummy) in enumerate(hosts, 1))
    not_audited = _not_audited(document)
    csp = ("default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'"
           % (_csp_hash(_CSS), _csp_hash(_JS)))
    title = "dockersec audit report"
    if len(hosts) == 1:
        title += ": %s" % hosts[0][0]
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="%s">' % _e(csp),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="%s %s">' % (TOOL_NAME, _e(document.get("collection_version") or "")),
           '<link rel="icon" href="data:,">',
           '<title>%s</title><style>%s</style></head><body>' % (_e(title), _CSS)]
    out.append('<header class="top"><h1>dockersec audit report</h1><div class="muted">Generated %s by %s %s '
               '(catalog v%s)%s</div>' % (
                   _e(document.get("generated_at")), TOOL_NAME, _e(document.get("collection_version") or ""),
                   _e(document.get("catalog_version")),
                   _e(", compared with the report of %s" % (previous.get("generated_at") or "an earlier run"))
                   if has_previous else ""))
    scored = [(e["score"], h) for h, e in hosts if e.get("score") is not None]
    kpis = [("Hosts audited", str(len(hosts))),
            ("Average score", _fmt(fleet.get("average_score"))),
            ("Minimum score", "%s (%s)" % (_fmt(min(scored)[0]), _truncate(min(scored)[1], 24)) if scored else "n/a")]
    if not_audited:
        kpis.append(("Not audited", str(len(not_audited))))
    if has_previous:
        deltas = [t["delta"] for t in trends.values() if t and t.get("delta") is not None]
        if deltas:
            kpis.append(("Average change", _fmt_delta(round(sum(deltas) / len(deltas), 1))))
    out.append('<div class="kpis">%s</div>' % "".join(
        '<div class="kpi"><span class="muted">%s</span><b>%s</b></div>' % (_e(k), _e(v)) for k, v in kpis))
    if hosts:
        out.append('<div>%s <span class="muted">%s</span></div>' % (_bands_svg(fleet, len(hosts)), _e(", ".join(
            "%s %d" % (name, n) for name, n in (fleet.get("by_band") or {}).items() if n))))
    out.append('<div class="toolbar"><input id="host-filter" type="search" placeholder="Filter hosts" '
               'aria-label="Filter hosts"><button id="toggle-details" type="button" aria-pressed="false">'
               'Expand all</button></div></header><main>')
    if not_audited or any(h in failed for h, dummy in hosts):
        items = ["<li><b>%s</b>: %s: %s</li>" % (_e(h), "unreachable" if w == "unreachable"
                                                 else "failed, no audit result", _e(m)) for h, w, m in not_audited]
        items += ["<li><b>%s</b>: audit task failed: %s</li>" % (_e(h), _e(failed[h])) for h, dummy in hosts
                  if h in failed]
        out.append('<div class="alert"><b>Hosts not audited or failed</b><ul>%s</ul></div>' % "".join(items))
    if hosts:
        out.append('<h2>Fleet</h2><table class="fleet"><tr><th>Host</th><th class="num">Score</th><th>Band</th>'
                   '<th class="num">Points</th><th class="num">fail</th><th class="num">error</th>'
                   '<th class="num">manual</th>%s</tr>' % ('<th>Trend</th>' if has_previous else ""))
        for host, entry in hosts:
            counts = report._counts(entry.get("controls") or [])
            trend = trends.get(host)
            out.append('<tr data-host="%s"><td><a href="#%s">%s</a></td><td class="num"><b>%s</b></td><td>%s</td>'
                       '<td class="num">%s/%s</td><td class="num">%d</td><td class="num">%d</td><td class="num">%d</td>'
                       '%s</tr>' % (
                           _e(host), anchors[host], _e(host), _e(_fmt(entry.get("score"))), _badge(entry.get("band")),
                           _e(entry.get("earned")), _e(entry.get("applicable")), counts.get("fail", 0),
                           counts.get("error", 0), counts.get("manual", 0),
                           ("<td>%s</td>" % (_delta_html(trend["delta"]) if trend else '<span class="muted">new</span>'))
                           if has_previous else ""))
        out.append('</table>')
        out.append('<h2>Heatmap: share of applicable points earned, host &times; section</h2>'
                   '<div class="chart">%s</div>' % _heatmap_svg(hosts, anchors))
        top = fleet.get("top_failing") or []
        if top:
            out.append('<h2>Failing on most hosts</h2><table><tr><th>Control</th><th class="num">Hosts</th></tr>%s'
                       '</table>' % "".join('<tr><td>[%s] %s</td><td class="num">%d of %d</td></tr>' % (
                           _e(item.get("id")), _e(item.get("title")), item.get("hosts", 0), len(hosts))
                           for item in top))
    else:
        out.append('<p>No host was audited.</p>')
    for host, entry in hosts:
        out.append(_html_host(host, entry, anchors[host], trends.get(host), failed.get(host), has_previous))
    out.append('</main><footer>%s report, schema v%s. Score: 2 points per checklist item, 100 x earned / '
               'applicable; extended controls are not scored.</footer>' % (
                   TOOL_NAME, _e(document.get("schema_version"))))
    out.append('<script>%s</script></body></html>\n' % _JS)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# dispatch


def render(fmt, document, previous=None):
    """The text of the report file for ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return report.dumps_document(document)
    if fmt == "junit":
        return to_junit(document)
    if fmt == "sarif":
        return dumps_sarif(to_sarif(document))
    if fmt == "md":
        return to_markdown(document, previous)
    if fmt == "html":
        return to_html(document, previous)
    if fmt == "prom":
        return report_prometheus.to_prometheus(document, previous)
    raise ValueError("unknown report format %r (known: %s)" % (fmt, ", ".join(FORMATS)))
