# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as Markdown: a CI job summary or a merge request comment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    COLUMNS, TOP_FAILING_JSON, fleet_stats, format_score, score_text, section_rows, status_counts
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    expected_text, TOOL_NAME, by_status, cis_summary, cis_title, clean_text, daemon_controls, daemon_label, evidence_lines,
    fleet_cis_rate, format_delta, format_pct, host_level_controls, host_trends, hosts_not_audited, pass_rate,
    profile, profile_results, profile_summary, severity_rank, several_daemons, sorted_hosts
)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text):
    """Inline Markdown text: one line, HTML-escaped (no raw HTML reaches a renderer), and the
    characters that would start emphasis, code, links or table cells backslash-escaped."""
    text = " ".join(clean_text(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_row(cells):
    return "| " + " | ".join(cells) + " |"


def _md_trend(trend):
    if not trend or trend.get("delta") is None:
        return "new" if trend is None else "n/a"
    return "%s (was %s)" % (format_delta(trend["delta"]), format_score(trend["previous_score"]))


def _md_controls(controls, status, heading, with_fix, level="###"):
    controls = [c for c in controls if c.get("status") == status]
    if not controls:
        return []
    out = ["", "%s %s (%d)" % (level, heading, len(controls)), ""]
    for c in controls:
        cis = c.get("cis") or []
        title = "- **\\[%s\\] %s**" % (md_escape(c.get("id")), md_escape(c.get("title")))
        if cis:
            title += " (CIS %s)" % md_escape(", ".join(cis))
        out.append(title)
        for line in evidence_lines(c)[:TOP_FAILING_JSON * 2]:
            out.append("  - %s" % md_escape(line))
        if with_fix and c.get("fix"):
            out.append("  - Fix: %s" % md_escape(c.get("fix")))
    return out


def to_markdown(document, previous=None):
    """A Markdown summary: the fleet table, then per host the section table and what failed."""
    hosts = sorted_hosts(document)
    fleet = document.get("fleet") or fleet_stats(document.get("hosts") or {})
    trends = host_trends(document, previous)
    not_audited = hosts_not_audited(document)
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
        head = ["Host", "Score", "Band", "Points", "Coverage", "waived", "fail", "error", "manual"]
        with_cis = isinstance(fleet.get("cis"), dict)
        if with_cis:
            head.append("CIS")
        if isinstance(previous, dict):
            head.append("Trend")
        out.append(_md_row(head))
        align = ["---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"] + (["---:"] if with_cis else [])
        if isinstance(previous, dict):
            align.append("---")
        out.append(_md_row(align))
        for host, entry in hosts:
            counts = status_counts(entry.get("controls") or [])
            row = ["[%s](#%s)" % (md_escape(host), md_anchor(host)), format_score(entry.get("score")),
                   md_escape(entry.get("band") or ""),
                   "%s/%s" % (entry.get("earned"), entry.get("applicable")),
                   format_pct(entry.get("coverage")), str(entry.get("waivers") or 0),
                   str(counts.get("fail", 0)), str(counts.get("error", 0)), str(counts.get("manual", 0))]
            if with_cis:
                cis = profile(entry, "cis")
                row.append(format_pct(pass_rate(cis)) if cis is not None else "n/a")
            if isinstance(previous, dict):
                row.append(md_escape(_md_trend(trends.get(host))))
            out.append(_md_row(row))
        out.append("")
        scored = [(e["score"], h) for h, e in hosts if e.get("score") is not None]
        if scored:
            low, low_host = min(scored)
            out.append("Average score %s, minimum %s (%s). Bands: %s." % (
                format_score(fleet.get("average_score")), format_score(low), md_escape(low_host),
                ", ".join("%s %d" % (name, n) for name, n in (fleet.get("by_band") or {}).items() if n) or "none"))
        out += _md_fleet_cis(fleet)
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
        out.append("**Score: %s** — %s" % (md_escape(score_text(entry)), md_escape(entry.get("band") or "")))
        trend = trends.get(host)
        if trend and trend.get("delta") is not None:
            out += ["", "Trend: %s -> %s (%s) since %s%s%s" % (
                format_score(trend["previous_score"]), format_score(trend["score"]), format_delta(trend["delta"]),
                md_escape(trend.get("previous_generated_at") or "the previous report"),
                "; newly failing: %s" % md_escape(", ".join(trend["newly_failing"])) if trend["newly_failing"] else "",
                "; fixed: %s" % md_escape(", ".join(trend["fixed"])) if trend["fixed"] else "")]
        before = entry.get("before")
        if before and before.get("score") is not None and entry.get("score") is not None:
            out += ["", "Before remediation: %s (%s), after: %s (%s), %s" % (
                format_score(before["score"]), md_escape(before.get("band")), format_score(entry["score"]),
                md_escape(entry.get("band")), format_delta(entry["score"] - before["score"]))]
        if host in failed:
            out += ["", "Audit task failed: %s" % md_escape(failed[host])]
        out += ["", _md_row(["Section"] + [label for dummy, label in COLUMNS] + ["Points"]),
                _md_row(["---"] + ["---:"] * (len(COLUMNS) + 1))]
        for row in section_rows(entry):
            out.append(_md_row(["%s %s" % (row["section"], md_escape(row["name"]))]
                               + [str(row["counts"].get(s, 0)) for s, dummy in COLUMNS]
                               + ["%s/%s" % (row["earned"], row["max"])]))
        daemons = several_daemons(entry)
        if daemons:
            out += ["", "Daemons: the host's score is its weakest daemon's (%s)." % md_escape(entry.get("daemon") or ""),
                    "", _md_row(["Daemon", "Kind", "Score", "Band", "Points", "Coverage", "fail", "error"]),
                    _md_row(["---", "---", "---:", "---", "---:", "---:", "---:", "---:"])]
            for d in daemons:
                counts = status_counts(d.get("controls") or [])
                out.append(_md_row([md_escape(d.get("name")), md_escape(daemon_label(d)), format_score(d.get("score")),
                                    md_escape(d.get("band") or ""), "%s/%s" % (d.get("earned"), d.get("applicable")),
                                    format_pct(d.get("coverage")), str(counts.get("fail", 0)),
                                    str(counts.get("error", 0))]))
        out += _md_checklist(host_level_controls(entry, entry.get("controls") or []), "###")
        if not daemons:
            out += _md_extended(entry)
            out += _md_profiles(entry, "###")
        for d in daemons:
            about = "%s: **%s / 100** — %s" % (md_escape(daemon_label(d)), format_score(d.get("score")),
                                               md_escape(d.get("band") or ""))
            out += ["", "### Daemon %s" % md_escape(d.get("name")), "", about]
            out += _md_checklist(daemon_controls(d.get("controls") or []), "####")
            out += _md_extended(d)
            out += _md_profiles(d, "####")
    return "\n".join(out) + "\n"


def _md_fleet_cis(fleet):
    cis, daemons = fleet.get("cis"), fleet.get("daemons")
    out = []
    if isinstance(cis, dict):
        text, below = fleet_cis_rate(cis)
        if below:
            text += "; below the CIS threshold: %s" % ", ".join(below)
        out += ["", md_escape(text) + "."]
    if isinstance(daemons, dict) and (daemons.get("hosts_with_several") or daemons.get("rootless")):
        out += ["", "Daemons: %s on the hosts, %s rootless%s." % (daemons.get("daemons"), daemons.get("rootless"), (
            "; several on %s" % md_escape(", ".join(daemons["hosts_with_several"]))
            if daemons.get("hosts_with_several") else ""))]
    return out


def _md_checklist(controls, level):
    out = _md_controls(controls, "error", "Errors: could not check, 0 points", with_fix=False, level=level)
    out += _md_controls(controls, "fail", "Failed", with_fix=True, level=level)
    out += _md_controls(controls, "manual", "Manual: needs an attestation", with_fix=False, level=level)
    out += _md_controls(controls, "waived", "Waived", with_fix=False, level=level)
    return out


def _md_extended(part):
    extended = part.get("extended") or []
    if not extended:
        return []
    counts = status_counts(extended)
    out = ["", "Extended profile (not scored): %s" % ", ".join(
        "%d %s" % (counts[s], label) for s, label in COLUMNS if counts.get(s))]
    for c in by_status(extended, ("error", "fail")):
        lines = evidence_lines(c)
        out.append("- \\[%s\\] %s: %s%s" % (
            md_escape(c.get("id")), md_escape(c.get("title")), md_escape(c.get("status")),
            " — %s" % md_escape(lines[0]) if lines else ""))
    return out


def _md_profiles(part, level):
    """A host's (or a daemon's) CIS section, pass rate and failures, then its custom controls."""
    out = []
    cis = profile(part, "cis")
    if cis is not None:
        out += ["", "%s %s" % (level, md_escape(cis_title(cis))), "", md_escape(cis_summary(cis)) + "."]
        failing = by_status(profile_results(part, "cis"), ("error", "fail"))
        if failing:
            out.append("")
        for r in failing:
            lines = evidence_lines(r)
            about = ", ".join(x for x in ("Level %s" % r["level"] if r.get("level") else "", r.get("mode") or "") if x)
            out.append("- \\[%s\\] %s%s: %s%s" % (
                md_escape(r.get("id")), md_escape(r.get("title")), " (%s)" % md_escape(about) if about else "",
                md_escape(r.get("status")), " — %s" % md_escape(lines[0]) if lines else ""))
    custom = profile(part, "custom")
    if custom is not None:
        out += ["", "%s Custom controls (not scored)" % level, "", md_escape(profile_summary(custom)) + "."]
        failing = sorted(by_status(profile_results(part, "custom"), ("error", "fail")), key=severity_rank)
        if failing:
            out.append("")
        for r in failing:
            lines = evidence_lines(r)
            out.append("- \\[%s\\] %s: %s (%s)%s; expression %s, expected %s" % (
                md_escape(r.get("id")), md_escape(r.get("severity") or "no severity"), md_escape(r.get("title")),
                md_escape(r.get("status")), " — %s" % md_escape(lines[0]) if lines else "",
                md_escape(r.get("expression") or ""),
                md_escape(expected_text(r.get("expected")))))
    return out


def md_anchor(host):
    """GitHub's heading anchor for ``## host``: lower case, punctuation but ``-``/``_`` dropped."""
    text = re.sub(r"[^\w\- ]", "", str(host).lower())
    return text.replace(" ", "-")
