# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as one self-contained HTML page: inline CSS, JS and SVG (html_assets), no
network fetch at all. The page is the Jinja2 template ``templates/report.html.j2`` with
autoescaping: every value from a host is escaped (and its control characters replaced) by the
template engine, not by each call site. Controller side only (Jinja2 ships with ansible-core).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    COLUMNS, fleet_stats, format_score, score_text, status_counts
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.html_assets import (
    BAND_COLORS, CSS, JS, STATUS_COLORS, bands_svg, csp_hash, gauge_svg, heatmap_svg, section_bars_svg, truncate
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    expected_text, FAILING, STATUS_LABELS, TOOL_NAME, by_status, catalog_entry, cis_summary, cis_title, clean_text, daemon_controls,
    daemon_label, evidence_lines, format_delta, format_pct, host_level_controls, host_trends, hosts_not_audited,
    pass_rate, profile, profile_results, profile_summary, severity_rank, several_daemons, sorted_hosts
)

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "report.html.j2")


def band_class(band):
    return "band-%s" % (str(band).split(" ", 1)[0] if band in BAND_COLORS else "none")


def _template():
    """The compiled page template. Jinja2 and MarkupSafe are imported here, not with the module:
    they ship with ansible-core on the controller, and module_utils must import on a target."""
    import jinja2
    from markupsafe import Markup

    def finalize(value):
        # Every value the template prints: markup (charts, CSS, JS, macros) as it is, anything else
        # as text without the control characters XML and HTML forbid (autoescaping escapes it then).
        return value if isinstance(value, Markup) else clean_text(value)

    def markup(render):
        return lambda *args, **kwargs: Markup(render(*args, **kwargs))

    # The template's line breaks are for reading: the page is one line, as the browser test's
    # screenshots and the report tests have always seen it.
    with open(TEMPLATE) as f:
        source = "".join(f.read().splitlines())
    env = jinja2.Environment(autoescape=True, finalize=finalize, keep_trailing_newline=True)
    env.globals.update(
        band_class=band_class, by_status=by_status, catalog_entry=catalog_entry, evidence_lines=evidence_lines,
        format_delta=format_delta, format_pct=format_pct, format_score=format_score, score_text=score_text,
        status_counts=status_counts, round1=lambda value: round(value, 1), newline=Markup("\n"),
        gauge_svg=markup(gauge_svg), section_bars_svg=markup(section_bars_svg), bands_svg=markup(bands_svg),
        COLUMNS=COLUMNS, STATUS_COLORS=STATUS_COLORS, STATUS_LABELS=STATUS_LABELS, TOOL_NAME=TOOL_NAME,
        CSS=Markup(CSS), JS=Markup(JS),
        several_daemons=several_daemons, host_level_controls=host_level_controls, daemon_controls=daemon_controls,
        daemon_label=daemon_label, profile=profile, profile_results=profile_results, cis_title=cis_title,
        cis_summary=cis_summary, profile_summary=profile_summary, pass_rate=pass_rate, by_severity=_by_severity, to_json=expected_text)
    env.globals["Markup"] = Markup
    return env.from_string(source)


_TEMPLATE = []


def _by_severity(results):
    """Custom controls: the failing ones first, each group by severity (critical first)."""
    return sorted(results, key=lambda r: (r.get("status") not in FAILING, severity_rank(r)))


def _has_profiles(hosts):
    return any(isinstance(entry.get("profiles"), dict) and entry["profiles"] for dummy, entry in hosts)


def to_html(document, previous=None):
    """One self-contained HTML page: no external URL anywhere, scripts and styles pinned by a
    Content-Security-Policy that allows nothing else (no fetch, no injected script runs)."""
    if not _TEMPLATE:
        _TEMPLATE.append(_template())
    hosts = sorted_hosts(document)
    fleet = document.get("fleet") or fleet_stats(document.get("hosts") or {})
    failed = document.get("failed") or {}
    trends = host_trends(document, previous)
    has_previous = isinstance(previous, dict)
    title = "dockersec audit report"
    if len(hosts) == 1:
        title += ": %s" % hosts[0][0]
    scored = [(e["score"], h) for h, e in hosts if e.get("score") is not None]
    not_audited = hosts_not_audited(document)
    kpis = [("Hosts audited", str(len(hosts))),
            ("Average score", format_score(fleet.get("average_score"))),
            ("Minimum score", "%s (%s)" % (format_score(min(scored)[0]), truncate(min(scored)[1], 24)) if scored else "n/a")]
    if not_audited:
        kpis.append(("Not audited", str(len(not_audited))))
    if has_previous:
        deltas = [t["delta"] for t in trends.values() if t and t.get("delta") is not None]
        if deltas:
            kpis.append(("Average change", format_delta(round(sum(deltas) / len(deltas), 1))))
    if isinstance(fleet.get("cis"), dict):
        kpis.append(("Average CIS pass rate", format_pct(fleet["cis"].get("average_pass_rate"))))
    anchors = dict((host, "host-%d" % i) for i, (host, dummy) in enumerate(hosts, 1))
    rows = [{"host": host, "entry": entry, "anchor": anchors[host], "trend": trends.get(host),
             "failed_msg": failed.get(host)} for host, entry in hosts]
    return _TEMPLATE[0].render(
        document=document, previous=previous, has_previous=has_previous, hosts=rows, fleet=fleet, failed=failed,
        with_profiles=_has_profiles(hosts),
        failed_audited=[h for h, dummy in hosts if h in failed], not_audited=not_audited, kpis=kpis, title=title,
        csp="default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'"
            % (csp_hash(CSS), csp_hash(JS)),
        heatmap=heatmap_svg(hosts, anchors) if hosts else "", top_failing=fleet.get("top_failing") or [])
