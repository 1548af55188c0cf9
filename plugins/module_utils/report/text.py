# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The terminal scorecard: lists of lines, each line a list of ``(text, style)`` segments.

``scorecard_lines(document)`` is the whole run (every host, then the fleet summary);
``to_text(lines)`` is what a terminal without colour shows. The styles are names
(``STYLE_BY_STATUS``, ``band_style``) the caller maps to colours.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    COLUMNS, MESSAGE_WIDTH, WAIVER_WINDOW_DAYS, fleet_stats, format_score, num, one_line, score_text, section_rows,
    status_counts
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import (
    expected_text, below_threshold, cis_summary, daemon_controls, daemon_label, fleet_cis_rate, format_pct, host_level_controls, pass_rate, profile,
    profile_results, profile_summary, severity_rank, several_daemons
)


TOP_FAILING_TEXT = 5

# The fleet view names at most this many hosts per line (bands, failing controls).
NAMES_TEXT = 20

EVIDENCE_WIDTH = 200

# Styles the renderer attaches to text segments; the report action (docker_report) maps them to colours.
STYLE_HEADER = "header"

STYLE_BY_STATUS = {
    "pass": "pass",
    "fail": "fail",
    "error": "error",
    "manual": "manual",
    "waived": "skip",
    "not_applicable": "skip",
}


def _first_evidence(control):
    evidence = control.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    for item in evidence:
        line = one_line(item, EVIDENCE_WIDTH)
        if line:
            return line
    return ""


def band_style(band):
    """``pass`` for the two top bands, ``manual`` (a warning) for the middle one and for an
    Incomplete host (too little decided to rate), ``fail`` below."""
    names = [name for dummy, name in catalog.BANDS]
    if band == catalog.INCOMPLETE_BAND:
        return "manual"
    if band not in names:
        return None
    index = names.index(band)
    if index < 2:
        return "pass"
    if index == 2:
        return "manual"
    return "fail"


# What a terminal obeys instead of showing: C0 (ESC starts colour, cursor and OSC title/link
# sequences, BEL, CR and LF forge or overwrite lines), DEL, C1 (0x9b is a one-byte CSI), and the
# Unicode bidi controls and line separators that reorder or break what follows.
_UNSAFE = set(range(0x00, 0x20)) | set(range(0x7f, 0xa0)) | set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a)) \
    | set((0x061c, 0x200e, 0x200f, 0x2028, 0x2029))
_ESCAPES = dict((c, "\\x%02x" % c if c < 0x100 else "\\u%04x" % c) for c in _UNSAFE)


def terminal_safe(text):
    """``text`` with every character a terminal would act on shown escaped (``\\x1b``): every
    string from a host or a profile passes here before it is printed."""
    text = text if isinstance(text, str) else str(text)
    return text.translate(_ESCAPES)


def safe_lines(lines):
    """``lines`` with every segment's text through ``terminal_safe`` (the styles are the caller's)."""
    return [[(terminal_safe(text), style) for text, style in line] for line in lines]


def to_text(lines):
    """Plain text of rendered lines (what a terminal without colour shows), made safe to print."""
    return "\n".join("".join(text for text, dummy in line) for line in safe_lines(lines))


def _table(entry):
    rows = section_rows(entry)
    name_width = max([len("Section")] + [len("%2s %s" % (r["section"], r["name"])) for r in rows])
    head = "  %-*s" % (name_width, "Section") + "".join(" %6s" % label for dummy, label in COLUMNS) + "  points"
    lines = [[(head, STYLE_HEADER)]]
    totals = dict((status, 0) for status, dummy in COLUMNS)
    earned = applicable = 0.0
    for row in rows:
        line = [("  %-*s" % (name_width, "%2s %s" % (row["section"], row["name"])), None)]
        for status, dummy in COLUMNS:
            n = row["counts"].get(status, 0)
            totals[status] += n
            line.append((" %6d" % n, STYLE_BY_STATUS.get(status) if n and status != "pass" else None))
        line.append(("  %s/%s" % (row["earned"], row["max"]), None))
        earned += float(row["earned"] or 0)
        applicable += float(row["max"] or 0)
        lines.append(line)
    total = "  %-*s" % (name_width, "Total") + "".join(" %6d" % totals[s] for s, dummy in COLUMNS)
    lines.append([(total + "  %s/%s" % (num(earned), num(applicable)), STYLE_HEADER)])
    return lines


def _extended_line(entry):
    extended = entry.get("extended") or []
    if not extended:
        return None
    counts = status_counts(extended)
    parts = []
    for status, label in COLUMNS:
        n = counts.get(status, 0)
        if not n:
            continue
        text = "%d %s" % (n, label)
        if status in ("fail", "error"):
            text += " (%s)" % ", ".join(str(c.get("id")) for c in extended if c.get("status") == status)
        parts.append(text)
    return [("  Extended profile (not scored): ", None), (", ".join(parts), None)]


def _control_lines(controls, status, heading, with_fix):
    controls = [c for c in controls if c.get("status") == status]
    if not controls:
        return []
    style = STYLE_BY_STATUS.get(status)
    lines = [[("  %s (%d):" % (heading, len(controls)), style)]]
    for c in controls:
        lines.append([("    [%s] %s" % (c.get("id"), c.get("title") or ""), style)])
        evidence = _first_evidence(c)
        if evidence:
            lines.append([("        evidence: %s" % evidence, None)])
        if with_fix and c.get("fix"):
            lines.append([("        fix: %s" % one_line(c.get("fix"), EVIDENCE_WIDTH), None)])
    return lines


def host_lines(host, entry, show_passed=False, failed_msg=None):
    """The full scorecard of one host."""
    band = entry.get("band") or ""
    lines = [
        [("", None)],
        [("dockersec scorecard: %s" % host, STYLE_HEADER)],
    ]
    lines += _table(entry)
    lines.append([("  Score: %s" % score_text(entry), None), (" — ", None), (band, band_style(band))])
    before = entry.get("before")
    if before and before.get("score") is not None and entry.get("score") is not None:
        delta = entry["score"] - before["score"]
        lines.append([("  Before: %s (%s) -> after: %s (%s), %+.1f" % (
            format_score(before["score"]), before.get("band"), format_score(entry["score"]), band, delta),
            "pass" if delta > 0 else ("fail" if delta < 0 else None))])
        if before.get("fixed"):
            lines.append([("  Fixed by this run: %s" % ", ".join(before["fixed"]), "pass")])
        if before.get("regressed"):
            lines.append([("  Worse after this run: %s" % ", ".join(before["regressed"]), "fail")])
    if failed_msg:
        lines.append([("  Audit task failed: %s" % failed_msg, "fail")])
    daemons = several_daemons(entry)
    if daemons:
        lines.append([("  Daemons (%d; the host's score is its weakest daemon's):" % len(daemons), None)])
        for daemon in daemons:
            lines.append(_daemon_line("    %s, %s: " % (daemon.get("name"), daemon_label(daemon)), daemon))
    lines += _checklist_lines(host_level_controls(entry, entry.get("controls") or []), show_passed)
    if not daemons:
        extended = _extended_line(entry)
        if extended:
            lines.append(extended)
        return lines + _profile_lines(entry)
    for daemon in daemons:
        lines.append(_daemon_line("  Daemon %s (%s): " % (daemon.get("name"), daemon_label(daemon)), daemon))
        lines += _checklist_lines(daemon_controls(daemon.get("controls") or []), show_passed)
        extended = _extended_line(daemon)
        if extended:
            lines.append(extended)
        lines += _profile_lines(daemon)
    return lines


def _daemon_line(head, daemon):
    band = daemon.get("band") or ""
    return [(head + "%s / 100" % format_score(daemon.get("score")), None), (" — ", None), (band, band_style(band))]


def _checklist_lines(controls, show_passed):
    # Errors first: a control that could not be checked hides a verdict.
    lines = _control_lines(controls, "error", "Errors: could not check, 0 points", with_fix=False)
    lines += _control_lines(controls, "fail", "Failed", with_fix=True)
    lines += _control_lines(controls, "manual", "Manual: needs an attestation", with_fix=False)
    lines += _control_lines(controls, "waived", "Waived", with_fix=False)
    if show_passed:
        lines += _control_lines(controls, "pass", "Passed", with_fix=False)
    return lines


def _profile_lines(part):
    """The CIS summary line and its failures, then the custom controls, of a host or a daemon."""
    lines = []
    cis = profile(part, "cis")
    if cis is not None:
        lines.append([("  %s" % cis_summary(cis), "fail" if below_threshold(cis) else None)])
        results = profile_results(part, "cis")
        lines += _control_lines(results, "error", "CIS errors: could not check", with_fix=False)
        lines += _control_lines(results, "fail", "CIS failed", with_fix=False)
    custom = profile(part, "custom")
    if custom is not None:
        lines.append([("  Custom controls (not scored): %s" % profile_summary(custom), None)])
        failing = sorted((r for r in profile_results(part, "custom") if r.get("status") in ("fail", "error")),
                         key=severity_rank)
        for result in failing:
            style = STYLE_BY_STATUS.get(result.get("status"))
            lines.append([("    [%s] %s: %s (%s)" % (result.get("id"), result.get("severity") or "no severity",
                                                     result.get("title") or "", result.get("status")), style)])
            evidence = _first_evidence(result)
            if evidence:
                lines.append([("        evidence: %s" % evidence, None)])
            if result.get("expression"):
                lines.append([("        expression: %s, expected %s" % (
                    one_line(result["expression"], EVIDENCE_WIDTH),
                    one_line(expected_text(result.get("expected")), EVIDENCE_WIDTH)), None)])
    return lines


def compact_line(host, entry, failed_msg=None):
    """One line per host: score, band, item counts and the status counts that need attention."""
    counts = status_counts(entry.get("controls") or [])
    band = entry.get("band") or ""
    attention = ", ".join("%d %s" % (counts[s], label) for s, label in COLUMNS
                          if s in ("fail", "error", "manual") and counts.get(s))
    line = [("%s: %s" % (host, score_text(entry)), None), (" — ", None), (band, band_style(band))]
    if attention:
        line.append(("; %s" % attention, None))
    cis = profile(entry, "cis")
    if cis is not None:
        line.append(("; CIS %s" % format_pct(pass_rate(cis)), "fail" if below_threshold(cis) else None))
    daemons = several_daemons(entry)
    if daemons:
        line.append(("; %d daemons, weakest %s" % (len(daemons), entry.get("daemon") or "n/a"), None))
    if failed_msg:
        line.append(("; audit task failed: %s" % one_line(failed_msg, EVIDENCE_WIDTH), "fail"))
    return line


def _names(names, limit=NAMES_TEXT):
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (", +%d more" % (len(names) - limit) if len(names) > limit else "")


def _hosts_by_band_lines(hosts, fleet):
    """Per band (best first), its hosts with their scores, worst first."""
    by_band = fleet.get("hosts_by_band")
    if not isinstance(by_band, dict):
        return []
    lines = [[("  Hosts by band:", None)]]
    for name in _band_names():
        members = by_band.get(name) or []
        if not members:
            continue
        scored = ["%s %s" % (h, format_score((hosts.get(h) or {}).get("score"))) for h in members]
        lines.append([("    ", None), ("%s (%d)" % (name, len(members)), band_style(name)),
                      (": %s" % _names(scored), None)])
    return lines if len(lines) > 1 else []


def _expiring_lines(fleet):
    expiring = fleet.get("waivers_expiring")
    if not expiring:
        return []
    days = fleet.get("waiver_window_days", WAIVER_WINDOW_DAYS)
    lines = [[("  Waivers expiring within %s days (%d):" % (days, len(expiring)), "manual")]]
    for w in expiring:
        left = w.get("days_left")
        when = "today" if left == 0 else "in %s day%s" % (left, "" if left == 1 else "s")
        lines.append([("    %s [%s] owner %s, expires %s (%s)" % (
            w.get("host"), w.get("id"), w.get("owner"), w.get("expires"), when), None)])
    return lines


def _cis_fleet_lines(cis, top_n):
    """``(pass rate line, failing recommendation lines)`` of the fleet's CIS results."""
    if not isinstance(cis, dict):
        return [], []
    text, below = fleet_cis_rate(cis)
    rate = [[("  " + text, None)] + ([("; below the CIS threshold: %s" % _names(below), "fail")] if below else [])]
    failing = cis.get("failing") or []
    lines = []
    if failing:
        lines.append([("  CIS recommendations failing on most hosts:", None)])
        for item in failing[:top_n]:
            hosts_text = "%d host%s" % (item["hosts"], "" if item["hosts"] == 1 else "s")
            lines.append([("    [%s] %s: %s (%s)" % (item["id"], item["title"], hosts_text, _names(item["names"])),
                           "fail")])
    return rate, lines


def _band_names():
    """Every band a host can be in, Incomplete (too little decided to rate) last."""
    return [name for dummy, name in catalog.BANDS] + [catalog.INCOMPLETE_BAND]


def fleet_lines(document, top_n=TOP_FAILING_TEXT):
    hosts = document.get("hosts") or {}
    fleet = document.get("fleet") or fleet_stats(hosts)
    unreachable = document.get("unreachable") or {}
    failed = document.get("failed") or {}
    not_audited = dict((h, m) for h, m in failed.items() if h not in hosts)
    summary = "%d host%s audited" % (fleet["hosts"], "" if fleet["hosts"] == 1 else "s")
    if unreachable:
        summary += ", %d unreachable" % len(unreachable)
    if not_audited:
        summary += ", %d failed without a result" % len(not_audited)
    lines = [[("", None)], [("dockersec fleet summary: %s" % summary, STYLE_HEADER)]]
    if hosts:
        bands = []
        for name in _band_names():
            n = fleet["by_band"].get(name, 0)
            if n:
                if bands:
                    bands.append((", ", None))
                bands.append(("%s %d" % (name, n), band_style(name)))
        if bands:
            lines.append([("  Bands: ", None)] + bands)
        scored = [(entry["score"], h) for h, entry in hosts.items() if entry.get("score") is not None]
        if scored:
            low, low_host = min(scored)
            lines.append([("  Score: average %s, min %s (%s)" % (
                format_score(fleet["average_score"]), format_score(low), low_host), None)])
        cis_rate, cis_failing = _cis_fleet_lines(fleet.get("cis"), top_n)
        lines += cis_rate
        daemons = fleet.get("daemons")
        # One rootful daemon per host is what every fleet had before: only more is worth a line.
        if isinstance(daemons, dict) and (daemons.get("hosts_with_several") or daemons.get("rootless")):
            listed = sum(1 for entry in hosts.values() if isinstance(entry.get("daemons"), list))
            several = daemons.get("hosts_with_several") or []
            lines.append([("  Daemons: %s on %d host%s, %s rootless%s" % (
                daemons.get("daemons"), listed, "" if listed == 1 else "s", daemons.get("rootless"),
                "; several on %s" % _names(several) if several else ""), None)])
        lines += _hosts_by_band_lines(hosts, fleet)
        # ``failing`` is the whole list (``top_failing`` stops at TOP_FAILING_JSON); older reports have only the top.
        top = fleet.get("failing") or fleet.get("top_failing") or []
        names = dict((item.get("id"), item.get("names") or []) for item in fleet.get("failing") or [])
        if top:
            lines.append([("  Failing on most hosts:", None)])
            for item in top[:top_n]:
                lines.append([("    [%s] %s: %d of %d host%s%s" % (
                    item["id"], item["title"], item["hosts"], fleet["hosts"], "" if fleet["hosts"] == 1 else "s",
                    " (%s)" % _names(names[item["id"]]) if names.get(item["id"]) else ""), "fail")])
        lines += cis_failing
        lines += _expiring_lines(fleet)
    for host in sorted(unreachable):
        lines.append([("  Unreachable: %s: %s" % (host, one_line(unreachable[host], MESSAGE_WIDTH)), "error")])
    for host in sorted(failed):
        what = "audit task failed" if host in hosts else "failed, no audit result"
        lines.append([("  %s %s: %s" % (host, what, one_line(failed[host], MESSAGE_WIDTH)), "error")])
    return lines


def scorecard_lines(document, compact=False, show_passed=False, top_n=TOP_FAILING_TEXT):
    """The terminal scorecard of the whole run: every host, then the fleet summary."""
    hosts = document.get("hosts") or {}
    failed = document.get("failed") or {}
    lines = []
    if compact:
        lines.append([("", None)])
        lines.append([("dockersec scorecard", STYLE_HEADER)])
        for host in sorted(hosts):
            lines.append(compact_line(host, hosts[host], failed.get(host)))
    else:
        for host in sorted(hosts):
            lines += host_lines(host, hosts[host], show_passed=show_passed, failed_msg=failed.get(host))
    lines += fleet_lines(document, top_n=top_n)
    return lines
