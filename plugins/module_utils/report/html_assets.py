# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What the HTML page embeds: its CSS and JS (allowed by hash in the page's CSP), the colours of
bands and statuses, and the SVG charts (score gauge, section bars, fleet heat map, band bars).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import html

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import format_score, section_rows
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    STATUS_LABELS, clean_text, percent, section_percentages
)


BAND_COLORS = {
    "Excellent": "#1a9850",
    "Good": "#66bd63",
    "Acceptable (dev only)": "#f9a825",
    "Poor": "#f46d43",
    "Critical": "#d73027",
    catalog.INCOMPLETE_BAND: "#6e7781",
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

CSS = """
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
.band-Critical { background: #d73027; } .band-Incomplete { background: #6e7781; } .band-none { background: #8c959f; }
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
.is-hidden, .profile-hidden, .level-hidden { display: none; }
.toolbar select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
.daemon { border-top: 1px dashed var(--line); margin-top: 14px; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.chart { overflow-x: auto; }
details > summary { cursor: pointer; margin: 8px 0; }
footer { color: var(--muted); font-size: 12px; padding: 14px 28px; border-top: 1px solid var(--line); }
@media print { .toolbar { display: none; } details { display: block; } .host { break-inside: avoid-page; } }
"""

JS = """
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
  // Profile and CIS level filters: each hides with its own class, so the host filter and these
  // two combine (an item shows when no filter hides it).
  function bySelect(id, attribute, hiddenClass, selector) {
    var select = document.getElementById(id);
    if (!select) { return; }
    select.addEventListener("change", function () {
      var wanted = select.value;
      var items = document.querySelectorAll(selector);
      for (var i = 0; i < items.length; i++) {
        var value = items[i].getAttribute(attribute) || "";
        items[i].classList.toggle(hiddenClass, wanted !== "" && value !== wanted);
      }
    });
  }
  bySelect("profile-filter", "data-profile", "profile-hidden", "div[data-profile]");
  bySelect("level-filter", "data-level", "level-hidden", "[data-level]");
  // A link can preset them: report.html#profile=cis&level=1 (host anchors have no "=").
  var presets = {profile: "profile-filter", level: "level-filter"};
  var pairs = (window.location.hash || "").replace(/^#/, "").split("&");
  for (var p = 0; p < pairs.length; p++) {
    var kv = pairs[p].split("=");
    var preset = kv.length === 2 && presets.hasOwnProperty(kv[0]) ? document.getElementById(presets[kv[0]]) : null;
    if (preset) {
      preset.value = decodeURIComponent(kv[1]);
      preset.dispatchEvent(new Event("change"));
    }
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


def escape(text):
    """HTML text and attribute values: every ``<>&"'`` escaped, control characters replaced."""
    return html.escape(clean_text(text), quote=True)


def csp_hash(text):
    """The CSP ``sha256-...`` source that allows one inline script or style."""
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


def ink(fill):
    """Black or white text, whichever reads on ``fill``."""
    r, g, b = [int(fill[i:i + 2], 16) for i in (1, 3, 5)]
    return "#1f2328" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


def truncate(text, width):
    """Text cut to ``width`` characters with an ellipsis (SVG labels have no overflow)."""
    text = str(text)
    return text if len(text) <= width else text[:width - 1] + u"\u2026"


def gauge_svg(score, band):
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
        '</svg>' % (escape(format_score(score)), escape(format_score(score)), radius, width, radius, color, width, circ * share, circ,
                    escape(format_score(score))))


def section_bars_svg(entry, previous_sections=None):
    """Per-section bars: percent of the applicable points earned, with counts; the previous
    report's percent as a dark tick when a trend is known."""
    rows = section_rows(entry)
    label_w, bar_w, row_h, top = 250, 420, 24, 6
    width = label_w + bar_w + 190
    height = top + row_h * len(rows) + 6
    parts = ['<svg class="bars" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="points per section">' % (width, height, width, height)]
    for i, row in enumerate(rows):
        y = top + i * row_h
        pct = percent(row["earned"], row["max"])
        name = "%s %s" % (row["section"], row["name"])
        counts = row["counts"]
        parts.append('<g><title>%s: %s/%s points%s</title>' % (
            escape(name), escape(row["earned"]), escape(row["max"]),
            "" if pct is None else " (%.0f%%)" % pct))
        parts.append('<text x="0" y="%d" font-size="12.5" fill="#1f2328">%s</text>' % (y + 15, escape(name)))
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
            label_w + bar_w + 10, y + 15, escape(detail), escape("  (%s)" % extras) if extras else ""))
        parts.append('</g>')
    parts.append('</svg>')
    return "".join(parts)


def heatmap_svg(hosts, anchors):
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
                     '<title>%s</title>%s %s</text>' % (x, head_h - 8, escape(name), key, escape(name)))
    for i, (host, entry) in enumerate(hosts):
        y = head_h + i * cell_h
        pcts = section_percentages(entry)
        parts.append('<g><a href="#%s"><text x="%d" y="%d" font-size="12.5" text-anchor="end" fill="#0969da">'
                     '<title>%s</title>%s</text></a>' % (anchors[host], label_w - 8, y + 16, escape(host),
                                                         escape(truncate(host, 36))))
        band = entry.get("band")
        fill = BAND_COLORS.get(band, NO_DATA_COLOR)
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff">'
                     '<title>%s: score %s, %s</title></rect>' % (
                         label_w, y, score_w - 4, cell_h, fill, escape(host), escape(format_score(entry.get("score"))),
                         escape(band or "no band")))
        parts.append('<text x="%.1f" y="%d" font-size="12" font-weight="700" text-anchor="middle" fill="%s">'
                     '%s</text>' % (label_w + (score_w - 4) / 2.0, y + 16, ink(fill), escape(format_score(entry.get("score")))))
        for j, (key, name) in enumerate(sections):
            pct = pcts.get(key)
            fill = heat_color(pct)
            x = label_w + score_w + j * cell_w
            label = "n/a" if pct is None else "%.0f%%" % pct
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff">'
                         '<title>%s, %s: %s</title></rect>' % (
                             x, y, cell_w, cell_h, fill, escape(host), escape(name), escape(label)))
            parts.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="%s">%s</text>' % (
                x + cell_w / 2.0, y + 16, ink(fill), escape(label)))
        parts.append('</g>')
    parts.append('</svg>')
    return "".join(parts)


def bands_svg(fleet, total):
    """Hosts per band as one stacked bar."""
    width, height = 520, 26
    parts = ['<svg class="band-bar" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="hosts per band">' % (width, height, width, height)]
    x = 0.0
    for name in [name for dummy, name in catalog.BANDS] + [catalog.INCOMPLETE_BAND]:
        n = (fleet.get("by_band") or {}).get(name, 0)
        if not n or not total:
            continue
        w = width * float(n) / total
        parts.append('<rect x="%.1f" y="0" width="%.1f" height="%d" fill="%s"><title>%s: %d host%s</title></rect>' % (
            x, w, height, BAND_COLORS[name], escape(name), n, "" if n == 1 else "s"))
        if w > 24:
            parts.append('<text x="%.1f" y="17" font-size="12" font-weight="700" text-anchor="middle" fill="%s">'
                         '%d</text>' % (x + w / 2.0, ink(BAND_COLORS[name]), n))
        x += w
    parts.append('</svg>')
    return "".join(parts)
