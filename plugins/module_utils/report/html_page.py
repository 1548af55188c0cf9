# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as one self-contained HTML page: inline CSS, JS and SVG (html_assets), no
network fetch at all; every piece of host text is escaped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    COLUMNS, fleet_stats, format_score, score_text, status_counts
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.html_assets import (
    BAND_COLORS, CSS, JS, STATUS_COLORS, bands_svg, csp_hash, escape, gauge_svg, heatmap_svg, section_bars_svg,
    truncate
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    STATUS_LABELS, TOOL_NAME, by_status, catalog_entry, evidence_lines, format_delta, format_pct, host_trends,
    hosts_not_audited, sorted_hosts
)


def band_class(band):
    return "band-%s" % (str(band).split(" ", 1)[0] if band in BAND_COLORS else "none")


def badge(band):
    return '<span class="badge %s">%s</span>' % (band_class(band), escape(band or "no score"))


def status_badge(status):
    return '<span class="badge st-%s">%s</span>' % (escape(status if status in STATUS_COLORS else "waived"),
                                                    escape(STATUS_LABELS.get(status, status)))


def delta_html(delta):
    if delta is None:
        return '<span class="muted">n/a</span>'
    cls = "up" if delta > 0 else ("down" if delta < 0 else "muted")
    arrow = "&#9650;" if delta > 0 else ("&#9660;" if delta < 0 else "&#9644;")
    return '<span class="%s">%s %s</span>' % (cls, arrow, escape(format_delta(delta)))


def _html_control(c, with_fix):
    status = c.get("status")
    entry = catalog_entry(c.get("id"))
    out = ['<li class="%s">' % escape(status)]
    out.append('%s <b>[%s] %s</b>' % (status_badge(status), escape(c.get("id")), escape(c.get("title"))))
    if c.get("cis"):
        out.append(' <span class="cis">CIS %s</span>' % escape(", ".join(str(x) for x in c["cis"])))
    lines = evidence_lines(c)
    if lines:
        out.append('<ul class="evidence">%s</ul>' % "".join("<li>%s</li>" % escape(line) for line in lines))
    if with_fix and c.get("fix"):
        out.append('<p class="fix"><b>Fix:</b> %s</p>' % escape(c.get("fix")))
        if entry.get("hazards"):
            out.append('<p class="hazard"><b>Hazard:</b> %s</p>' % escape(entry["hazards"]))
    out.append('</li>')
    return "".join(out)


def _html_control_list(controls, status, heading, with_fix, open_=True):
    items = [c for c in controls if c.get("status") == status]
    if not items:
        return ""
    return '<details%s><summary><b>%s (%d)</b></summary><ul class="controls">%s</ul></details>' % (
        " open" if open_ else "", escape(heading), len(items), "".join(_html_control(c, with_fix) for c in items))


def _html_host(host, entry, anchor, trend, failed_msg, has_previous):
    score, band = entry.get("score"), entry.get("band")
    controls = entry.get("controls") or []
    counts = status_counts(controls)
    out = ['<section class="host" id="%s" data-host="%s">' % (anchor, escape(host))]
    out.append('<div class="host-head">%s<div><h2>%s</h2><p>%s %s</p><p class="muted">%s</p></div></div>' % (
        gauge_svg(score, band), escape(host), badge(band), escape(score_text(entry)),
        escape("audited %s" % entry.get("generated_at")) if entry.get("generated_at") else ""))
    if failed_msg:
        out.append('<div class="alert"><b>Audit task failed:</b> %s</div>' % escape(failed_msg))
    if has_previous:
        if trend is None:
            out.append('<p class="muted">Trend: not in the previous report.</p>')
        else:
            text = ['<div class="note"><b>Trend:</b> %s &rarr; %s %s since %s' % (
                escape(format_score(trend["previous_score"])), escape(format_score(trend["score"])), delta_html(trend["delta"]),
                escape(trend.get("previous_generated_at") or "the previous report"))]
            if trend.get("previous_band") and trend["previous_band"] != band:
                text.append(' (band %s &rarr; %s)' % (escape(trend["previous_band"]), escape(band)))
            if trend["newly_failing"]:
                text.append('<br>Newly failing: %s' % escape(", ".join(trend["newly_failing"])))
            if trend["fixed"]:
                text.append('<br>Fixed: %s' % escape(", ".join(trend["fixed"])))
            text.append('</div>')
            out.append("".join(text))
    before = entry.get("before")
    if before and before.get("score") is not None and score is not None:
        out.append('<p>Before remediation: %s (%s) &rarr; after: %s (%s) %s</p>' % (
            escape(format_score(before["score"])), escape(before.get("band")), escape(format_score(score)), escape(band),
            delta_html(round(score - before["score"], 1))))
    out.append('<h3>Points per section</h3><div class="chart">%s</div>' % section_bars_svg(
        entry, trend.get("sections") if trend else None))
    out.append('<p class="muted">%s</p>' % escape(", ".join(
        "%d %s" % (counts.get(s, 0), label) for s, label in COLUMNS)))
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
                           escape(c.get("id")), escape(c.get("title")), status_badge(c.get("status")),
                           escape((evidence_lines(c) or [""])[0])) for c in passed + na)))
    extended = entry.get("extended") or []
    if extended:
        ext_counts = status_counts(extended)
        out.append('<h3>Extended profile (not scored)</h3><p class="muted">%s</p>' % escape(", ".join(
            "%d %s" % (ext_counts[s], label) for s, label in COLUMNS if ext_counts.get(s))))
        failing = by_status(extended, ("error", "fail"))
        if failing:
            out.append('<ul class="controls">%s</ul>' % "".join(_html_control(c, True) for c in failing))
    out.append('</section>')
    return "".join(out)


def to_html(document, previous=None):
    """One self-contained HTML page: no external URL anywhere, scripts and styles pinned by a
    Content-Security-Policy that allows nothing else (no fetch, no injected script runs)."""
    hosts = sorted_hosts(document)
    fleet = document.get("fleet") or fleet_stats(document.get("hosts") or {})
    failed = document.get("failed") or {}
    trends = host_trends(document, previous)
    has_previous = isinstance(previous, dict)
    anchors = dict((host, "host-%d" % i) for i, (host, dummy) in enumerate(hosts, 1))
    not_audited = hosts_not_audited(document)
    csp = ("default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'"
           % (csp_hash(CSS), csp_hash(JS)))
    title = "dockersec audit report"
    if len(hosts) == 1:
        title += ": %s" % hosts[0][0]
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="%s">' % escape(csp),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="%s %s">' % (TOOL_NAME, escape(document.get("collection_version") or "")),
           '<link rel="icon" href="data:,">',
           '<title>%s</title><style>%s</style></head><body>' % (escape(title), CSS)]
    out.append('<header class="top"><h1>dockersec audit report</h1><div class="muted">Generated %s by %s %s '
               '(catalog v%s)%s</div>' % (
                   escape(document.get("generated_at")), TOOL_NAME, escape(document.get("collection_version") or ""),
                   escape(document.get("catalog_version")),
                   escape(", compared with the report of %s" % (previous.get("generated_at") or "an earlier run"))
                   if has_previous else ""))
    scored = [(e["score"], h) for h, e in hosts if e.get("score") is not None]
    kpis = [("Hosts audited", str(len(hosts))),
            ("Average score", format_score(fleet.get("average_score"))),
            ("Minimum score", "%s (%s)" % (format_score(min(scored)[0]), truncate(min(scored)[1], 24)) if scored else "n/a")]
    if not_audited:
        kpis.append(("Not audited", str(len(not_audited))))
    if has_previous:
        deltas = [t["delta"] for t in trends.values() if t and t.get("delta") is not None]
        if deltas:
            kpis.append(("Average change", format_delta(round(sum(deltas) / len(deltas), 1))))
    out.append('<div class="kpis">%s</div>' % "".join(
        '<div class="kpi"><span class="muted">%s</span><b>%s</b></div>' % (escape(k), escape(v)) for k, v in kpis))
    if hosts:
        out.append('<div>%s <span class="muted">%s</span></div>' % (bands_svg(fleet, len(hosts)), escape(", ".join(
            "%s %d" % (name, n) for name, n in (fleet.get("by_band") or {}).items() if n))))
    out.append('<div class="toolbar"><input id="host-filter" type="search" placeholder="Filter hosts" '
               'aria-label="Filter hosts"><button id="toggle-details" type="button" aria-pressed="false">'
               'Expand all</button></div></header><main>')
    if not_audited or any(h in failed for h, dummy in hosts):
        items = ["<li><b>%s</b>: %s: %s</li>" % (escape(h), "unreachable" if w == "unreachable"
                                                 else "failed, no audit result", escape(m)) for h, w, m in not_audited]
        items += ["<li><b>%s</b>: audit task failed: %s</li>" % (escape(h), escape(failed[h])) for h, dummy in hosts
                  if h in failed]
        out.append('<div class="alert"><b>Hosts not audited or failed</b><ul>%s</ul></div>' % "".join(items))
    if hosts:
        out.append('<h2>Fleet</h2><table class="fleet"><tr><th>Host</th><th class="num">Score</th><th>Band</th>'
                   '<th class="num">Points</th><th class="num">Coverage</th><th class="num">waived</th>'
                   '<th class="num">fail</th><th class="num">error</th>'
                   '<th class="num">manual</th>%s</tr>' % ('<th>Trend</th>' if has_previous else ""))
        for host, entry in hosts:
            counts = status_counts(entry.get("controls") or [])
            trend = trends.get(host)
            out.append('<tr data-host="%s"><td><a href="#%s">%s</a></td><td class="num"><b>%s</b></td><td>%s</td>'
                       '<td class="num">%s/%s</td><td class="num">%s</td><td class="num">%d</td>'
                       '<td class="num">%d</td><td class="num">%d</td><td class="num">%d</td>'
                       '%s</tr>' % (
                           escape(host), anchors[host], escape(host), escape(format_score(entry.get("score"))), badge(entry.get("band")),
                           escape(entry.get("earned")), escape(entry.get("applicable")), escape(format_pct(entry.get("coverage"))),
                           entry.get("waivers") or 0, counts.get("fail", 0),
                           counts.get("error", 0), counts.get("manual", 0),
                           ("<td>%s</td>" % (delta_html(trend["delta"]) if trend else '<span class="muted">new</span>'))
                           if has_previous else ""))
        out.append('</table>')
        out.append('<h2>Heatmap: share of applicable points earned, host &times; section</h2>'
                   '<div class="chart">%s</div>' % heatmap_svg(hosts, anchors))
        top = fleet.get("top_failing") or []
        if top:
            out.append('<h2>Failing on most hosts</h2><table><tr><th>Control</th><th class="num">Hosts</th></tr>%s'
                       '</table>' % "".join('<tr><td>[%s] %s</td><td class="num">%d of %d</td></tr>' % (
                           escape(item.get("id")), escape(item.get("title")), item.get("hosts", 0), len(hosts))
                           for item in top))
    else:
        out.append('<p>No host was audited.</p>')
    for host, entry in hosts:
        out.append(_html_host(host, entry, anchors[host], trends.get(host), failed.get(host), has_previous))
    out.append('</main><footer>%s report, schema v%s. Score: 2 points per checklist item, 100 x earned / '
               'applicable; extended controls are not scored.</footer>' % (
                   TOOL_NAME, escape(document.get("schema_version"))))
    out.append('<script>%s</script></body></html>\n' % JS)
    return "".join(out)
