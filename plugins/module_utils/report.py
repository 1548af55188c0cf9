# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the audit report from per-host audit results: pure functions, no Ansible needed.

The scorecard callback collects each host's ``dockersec_audit`` result (see the action plugin
``dockersec.hardening.docker_audit``) and calls, in this order:

``build_document``  -> the JSON report (``dockersec-report.json``)
``render``          -> the terminal scorecard, as lines of ``(text, style)`` segments
``history_lines``   -> one JSON line per audited host for the history file

Sections, titles and bands come from catalog.py; nothing here restates them.
Only what the audit result carries (names, evidence, fixes) ever reaches the output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog

REPORT_SCHEMA_VERSION = 1

# Table columns: (status, column heading).
COLUMNS = (
    ("pass", "pass"),
    ("fail", "fail"),
    ("manual", "manual"),
    ("error", "error"),
    ("not_applicable", "n/a"),
    ("waived", "waived"),
)
# Statuses whose points leave the applicable total (see the score definition).
NOT_COUNTED = ("not_applicable", "waived")

TOP_FAILING_JSON = 10
TOP_FAILING_TEXT = 5
# Waivers that expire within this many days of the audit's date are listed in the fleet view.
WAIVER_WINDOW_DAYS = 30
# The fleet view names at most this many hosts per line (bands, failing controls).
NAMES_TEXT = 20
EVIDENCE_WIDTH = 200
MESSAGE_WIDTH = 500
# A failed host's message in the JSON report: a rollback message names the failed step, the
# restored backup and whether dockerd serves again; 500 characters cut the last part off.
REPORT_MESSAGE_WIDTH = 4000

# Keys a control keeps in the JSON report.
CONTROL_KEYS = ("id", "section", "title", "status", "points", "max_points", "evidence", "cis", "mode", "fix",
                "remediation_role")

# Styles the renderer attaches to text segments; the callback maps them to colours.
STYLE_HEADER = "header"
STYLE_BY_STATUS = {
    "pass": "pass",
    "fail": "fail",
    "error": "error",
    "manual": "manual",
    "waived": "skip",
    "not_applicable": "skip",
}


# ---------------------------------------------------------------------------------------------
# small helpers


def utc_now():
    """Now, UTC, as the ISO 8601 string the audit results use (``2026-11-23T05:00:00Z``)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(value):
    """Points as the reader expects them: ``72`` rather than ``72.0``, ``71.5`` kept."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return int(f) if f == int(f) else round(f, 1)


def _score(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return None


def _fmt_score(score):
    return "n/a" if score is None else "%.1f" % score


def _one_line(text, width):
    text = " ".join(str(text if text is not None else "").split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _first_evidence(control):
    evidence = control.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    for item in evidence:
        line = _one_line(item, EVIDENCE_WIDTH)
        if line:
            return line
    return ""


def _catalog_index(control_id):
    try:
        return catalog.CONTROLS.index(catalog.get(control_id))
    except KeyError:
        return len(catalog.CONTROLS)


def _section_key(section):
    """Catalog section keys are ints (1-10) or the extended section's name; results may carry strings."""
    if isinstance(section, str) and section.isdigit():
        return int(section)
    return section


def _band(score, band=None):
    if band:
        return band
    return None if score is None else catalog.band_for(score)


def band_style(band):
    """``pass`` for the two top bands, ``manual`` (a warning) for the middle one, ``fail`` below."""
    names = [name for dummy, name in catalog.BANDS]
    if band not in names:
        return None
    index = names.index(band)
    if index < 2:
        return "pass"
    if index == 2:
        return "manual"
    return "fail"


def _counts(controls):
    counts = dict((status, 0) for status in catalog.STATUSES)
    for control in controls:
        status = control.get("status")
        counts[status] = counts.get(status, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# the document


def _control_entry(control):
    entry = dict((key, control.get(key)) for key in CONTROL_KEYS)
    entry["id"] = str(entry["id"])
    entry["section"] = _section_key(entry["section"])
    if not entry["title"]:
        try:
            entry["title"] = catalog.get(entry["id"])["title"]
        except KeyError:
            entry["title"] = ""
    evidence = entry["evidence"]
    entry["evidence"] = [evidence] if isinstance(evidence, str) else list(evidence or [])
    entry["cis"] = list(entry["cis"] or [])
    waiver = control.get("waiver")
    if isinstance(waiver, dict):
        entry["waiver"] = dict((key, waiver.get(key)) for key in ("owner", "expires", "reason", "original_status"))
    return entry


def host_entry(audit, before=None):
    """One host's part of the JSON report, from its ``dockersec_audit`` result.

    ``before``: an earlier audit of the same host in the same run (remediate re-audits), kept as
    ``{"score", "earned", "applicable", "band"}`` so the report shows the delta.
    """
    audit = audit if isinstance(audit, dict) else {}
    controls = [_control_entry(c) for c in audit.get("controls") or [] if isinstance(c, dict)]
    extended = [_control_entry(c) for c in audit.get("extended") or [] if isinstance(c, dict)]
    score = _score(audit.get("score"))
    entry = {
        "generated_at": audit.get("generated_at"),
        "today": audit.get("today"),
        "score": score,
        "earned": _num(audit.get("earned")),
        "applicable": _num(audit.get("applicable")),
        "band": _band(score, audit.get("band")),
        "counts": dict(audit.get("counts") or _counts(controls)),
        "controls": controls,
        "extended": extended,
        "extended_counts": dict(audit.get("extended_counts") or _counts(extended)),
        "inventory": list(audit.get("inventory") or []),
    }
    fail_under = _score(audit.get("fail_under"))
    if fail_under is not None:
        entry["fail_under"] = fail_under
    # Deferred by remediation (remediate.yml): also the ones whose control passes anyway, such as
    # audit rules judged from the rules files while the kernel refuses loading them.
    deferred = [d for d in audit.get("deferred") or [] if isinstance(d, dict)]
    if deferred:
        entry["deferred"] = [{"id": str(d.get("id")), "reason": str(d.get("reason"))} for d in deferred]
    if isinstance(before, dict):
        before_score = _score(before.get("score"))
        entry["before"] = {
            "generated_at": before.get("generated_at"),
            "score": before_score,
            "earned": _num(before.get("earned")),
            "applicable": _num(before.get("applicable")),
            "band": _band(before_score, before.get("band")),
        }
        was = dict((str(c.get("id")), c.get("status")) for c in (before.get("controls") or []) + (
            before.get("extended") or []) if isinstance(c, dict))
        now = dict((c["id"], c["status"]) for c in controls + extended)
        order = [c["id"] for c in controls + extended]
        # What the remediation changed, by id: the score's delta is the points of `fixed` minus
        # those of `regressed` (scored items only; X.n never count).
        entry["before"]["fixed"] = [i for i in order if i in was and was[i] != "pass" and now[i] == "pass"]
        entry["before"]["regressed"] = [i for i in order if was.get(i) == "pass" and now[i] != "pass"]
    return entry


def failing_controls(hosts):
    """Every scored control failing somewhere: ``[{"id", "title", "hosts": n, "names": [...]}]``, most hosts
    first, ties in catalog order."""
    failing = {}
    titles = {}
    for host in sorted(hosts):
        for control in hosts[host].get("controls") or []:
            if control.get("status") != "fail":
                continue
            cid = str(control.get("id"))
            failing.setdefault(cid, []).append(host)
            titles.setdefault(cid, control.get("title") or "")
    ordered = sorted(failing, key=lambda cid: (-len(failing[cid]), _catalog_index(cid), cid))
    return [{"id": cid, "title": titles[cid], "hosts": len(failing[cid]), "names": failing[cid]} for cid in ordered]


def top_failing(hosts, limit=TOP_FAILING_JSON):
    """The scored controls failing on most hosts: ``[{"id", "title", "hosts": n}]``, most first."""
    return [dict((k, item[k]) for k in ("id", "title", "hosts")) for item in failing_controls(hosts)[:limit]]


def _date_of(value):
    """``YYYY-MM-DD`` (or the date part of an ISO 8601 timestamp) as a date, else None."""
    try:
        return datetime.datetime.strptime(str(value)[:10], "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None


def waivers_expiring(hosts, days=WAIVER_WINDOW_DAYS, fallback_today=None):
    """Active waivers that expire within ``days`` of the date each host was audited against
    (its ``today``, else ``fallback_today``): ``[{"host", "id", "title", "owner", "expires",
    "days_left", "reason"}]``, soonest first."""
    out = []
    for host in sorted(hosts):
        entry = hosts[host]
        today = _date_of(entry.get("today")) or _date_of(fallback_today)
        if today is None:
            continue
        for control in list(entry.get("controls") or []) + list(entry.get("extended") or []):
            waiver = control.get("waiver")
            if control.get("status") != "waived" or not isinstance(waiver, dict):
                continue
            expires = _date_of(waiver.get("expires"))
            if expires is None:
                continue
            left = (expires - today).days
            if 0 <= left <= days:
                out.append({"host": host, "id": str(control.get("id")), "title": control.get("title") or "",
                            "owner": waiver.get("owner"), "expires": expires.isoformat(), "days_left": left,
                            "reason": waiver.get("reason")})
    return sorted(out, key=lambda w: (w["expires"], w["host"], _catalog_index(w["id"])))


def fleet_stats(hosts, waiver_window_days=WAIVER_WINDOW_DAYS, generated_at=None):
    """Fleet summary over the audited hosts' entries (``host_entry`` shape)."""
    by_band = dict((name, 0) for dummy, name in catalog.BANDS)
    hosts_by_band = dict((name, []) for dummy, name in catalog.BANDS)
    scores = []
    per_host = []
    for host in sorted(hosts):
        entry = hosts[host]
        score = entry.get("score")
        band = entry.get("band")
        if band in by_band:
            by_band[band] += 1
        if score is not None:
            scores.append(score)
        per_host.append({"host": host, "score": score, "band": band})
    # Worst first: the hosts that need attention lead every list.
    per_host.sort(key=lambda h: (h["score"] is None, h["score"] if h["score"] is not None else 0, h["host"]))
    for item in per_host:
        if item["band"] in hosts_by_band:
            hosts_by_band[item["band"]].append(item["host"])
    failing = failing_controls(hosts)
    return {
        "hosts": len(hosts),
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "min_score": min(scores) if scores else None,
        "by_band": by_band,
        "hosts_by_band": hosts_by_band,
        "scores": per_host,
        "top_failing": [dict((k, item[k]) for k in ("id", "title", "hosts")) for item in failing[:TOP_FAILING_JSON]],
        "failing": failing,
        "waiver_window_days": waiver_window_days,
        "waivers_expiring": waivers_expiring(hosts, waiver_window_days, generated_at),
    }


def build_document(audits, unreachable=None, failed=None, generated_at=None, collection_version=None,
                   before=None, waiver_window_days=WAIVER_WINDOW_DAYS):
    """The JSON report.

    ``audits``: ``{host: dockersec_audit}`` (the latest audit of each host);
    ``unreachable`` / ``failed``: ``{host: message}`` (a host whose audit task failed but still
    returned a result, e.g. fail_under, is in both ``hosts`` and ``failed``);
    ``before``: ``{host: earlier dockersec_audit}`` for hosts audited twice in one run;
    ``waiver_window_days``: how far ahead ``fleet.waivers_expiring`` looks.
    """
    before = before or {}
    generated_at = generated_at or utc_now()
    hosts = dict((host, host_entry(audits[host], before.get(host))) for host in sorted(audits))
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "generated_at": generated_at,
        "collection_version": collection_version,
        "catalog_version": catalog.CATALOG_VERSION,
        "hosts": hosts,
        "unreachable": dict((h, _one_line(m, REPORT_MESSAGE_WIDTH)) for h, m in sorted((unreachable or {}).items())),
        "failed": dict((h, _one_line(m, REPORT_MESSAGE_WIDTH)) for h, m in sorted((failed or {}).items())),
        "fleet": fleet_stats(hosts, waiver_window_days, generated_at),
    }


def dumps_document(document):
    return json.dumps(document, indent=2) + "\n"


def history_lines(document):
    """One JSON line per audited host: ``{"host", "generated_at", "score", "earned", "applicable",
    "collection_version"}``, plus ``"before": {"score", "earned", "fixed", "regressed"}`` for a host
    audited before and after a remediation in the same run."""
    lines = []
    for host in sorted(document.get("hosts") or {}):
        entry = document["hosts"][host]
        line = {
            "host": host,
            "generated_at": entry.get("generated_at") or document.get("generated_at"),
            "score": entry.get("score"),
            "earned": entry.get("earned"),
            "applicable": entry.get("applicable"),
            "collection_version": document.get("collection_version"),
        }
        before = entry.get("before")
        if isinstance(before, dict):
            line["before"] = dict((k, before.get(k)) for k in ("score", "earned", "fixed", "regressed"))
        lines.append(json.dumps(line, sort_keys=True))
    return lines


def read_collection_version(collection_root):
    """The collection's version from MANIFEST.json (installed) or galaxy.yml (checkout), else None."""
    manifest = os.path.join(collection_root, "MANIFEST.json")
    try:
        with open(manifest) as f:
            version = json.load(f)["collection_info"]["version"]
        if version:
            return str(version)
    except (IOError, OSError, ValueError, KeyError, TypeError):
        pass
    galaxy = os.path.join(collection_root, "galaxy.yml")
    try:
        with open(galaxy) as f:
            text = f.read()
    except (IOError, OSError):
        return None
    try:
        import yaml
        data = yaml.safe_load(text)
        version = data.get("version") if isinstance(data, dict) else None
    except Exception:  # PyYAML missing or the file is broken: a plain top-level key still reads
        version = None
        for line in text.splitlines():
            if line.startswith("version:"):
                version = line.split(":", 1)[1].strip().strip("'\"")
                break
    return str(version) if version else None


# ---------------------------------------------------------------------------------------------
# the terminal scorecard: lists of lines, each line a list of (text, style) segments


def to_text(lines):
    """Plain text of rendered lines (what a terminal without colour shows)."""
    return "\n".join("".join(text for text, dummy in line) for line in lines)


def section_rows(entry):
    """Per catalog section: counts by status and points earned / applicable."""
    rows = []
    by_section = {}
    for control in entry.get("controls") or []:
        by_section.setdefault(_section_key(control.get("section")), []).append(control)
    keys = list(catalog.SECTIONS) + sorted((k for k in by_section if k not in catalog.SECTIONS), key=str)
    for key in keys:
        controls = by_section.get(key, [])
        if not controls and key not in catalog.SECTIONS:
            continue
        counts = _counts(controls)
        rows.append({
            "section": key,
            "name": catalog.SECTIONS.get(key, str(key)),
            "counts": counts,
            "earned": _num(sum(float(c.get("points") or 0) for c in controls)),
            "max": _num(sum(float(c.get("max_points") or 0) for c in controls if c.get("status") not in NOT_COUNTED)),
        })
    return rows


def score_text(entry):
    """``72.0 / 100 (36/50 earned, 72 of 100 applicable points) — Acceptable (dev only)`` without the band."""
    controls = entry.get("controls") or []
    items_earned = sum(1 for c in controls if float(c.get("points") or 0) > 0)
    items_applicable = sum(1 for c in controls if c.get("status") not in NOT_COUNTED)
    return "%s / 100 (%d/%d earned, %s of %s applicable points)" % (
        _fmt_score(entry.get("score")), items_earned, items_applicable,
        _num(entry.get("earned")), _num(entry.get("applicable")))


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
    lines.append([(total + "  %s/%s" % (_num(earned), _num(applicable)), STYLE_HEADER)])
    return lines


def _extended_line(entry):
    extended = entry.get("extended") or []
    if not extended:
        return None
    counts = _counts(extended)
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


def _control_lines(entry, status, heading, with_fix):
    controls = [c for c in entry.get("controls") or [] if c.get("status") == status]
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
            lines.append([("        fix: %s" % _one_line(c.get("fix"), EVIDENCE_WIDTH), None)])
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
            _fmt_score(before["score"]), before.get("band"), _fmt_score(entry["score"]), band, delta),
            "pass" if delta > 0 else ("fail" if delta < 0 else None))])
        if before.get("fixed"):
            lines.append([("  Fixed by this run: %s" % ", ".join(before["fixed"]), "pass")])
        if before.get("regressed"):
            lines.append([("  Worse after this run: %s" % ", ".join(before["regressed"]), "fail")])
    if failed_msg:
        lines.append([("  Audit task failed: %s" % failed_msg, "fail")])
    # Errors first: a control that could not be checked hides a verdict.
    lines += _control_lines(entry, "error", "Errors: could not check, 0 points", with_fix=False)
    lines += _control_lines(entry, "fail", "Failed", with_fix=True)
    lines += _control_lines(entry, "manual", "Manual: needs an attestation", with_fix=False)
    lines += _control_lines(entry, "waived", "Waived", with_fix=False)
    if show_passed:
        lines += _control_lines(entry, "pass", "Passed", with_fix=False)
    extended = _extended_line(entry)
    if extended:
        lines.append(extended)
    return lines


def compact_line(host, entry, failed_msg=None):
    """One line per host: score, band, item counts and the status counts that need attention."""
    counts = _counts(entry.get("controls") or [])
    band = entry.get("band") or ""
    attention = ", ".join("%d %s" % (counts[s], label) for s, label in COLUMNS
                          if s in ("fail", "error", "manual") and counts.get(s))
    line = [("%s: %s" % (host, score_text(entry)), None), (" — ", None), (band, band_style(band))]
    if attention:
        line.append(("; %s" % attention, None))
    if failed_msg:
        line.append(("; audit task failed: %s" % _one_line(failed_msg, EVIDENCE_WIDTH), "fail"))
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
    for dummy, name in catalog.BANDS:
        members = by_band.get(name) or []
        if not members:
            continue
        scored = ["%s %s" % (h, _fmt_score((hosts.get(h) or {}).get("score"))) for h in members]
        lines.append([("    ", None), ("%s (%d)" % (name, len(members)), band_style(name)),
                      (": %s" % _names(scored), None)])
    return lines


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
        for dummy, name in catalog.BANDS:
            n = fleet["by_band"].get(name, 0)
            if n:
                if bands:
                    bands.append((", ", None))
                bands.append(("%s %d" % (name, n), band_style(name)))
        lines.append([("  Bands: ", None)] + bands)
        scored = [(entry["score"], h) for h, entry in hosts.items() if entry.get("score") is not None]
        if scored:
            low, low_host = min(scored)
            lines.append([("  Score: average %s, min %s (%s)" % (
                _fmt_score(fleet["average_score"]), _fmt_score(low), low_host), None)])
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
        lines += _expiring_lines(fleet)
    for host in sorted(unreachable):
        lines.append([("  Unreachable: %s: %s" % (host, _one_line(unreachable[host], MESSAGE_WIDTH)), "error")])
    for host in sorted(failed):
        what = "audit task failed" if host in hosts else "failed, no audit result"
        lines.append([("  %s %s: %s" % (host, what, _one_line(failed[host], MESSAGE_WIDTH)), "error")])
    return lines


def render(document, compact=False, show_passed=False, top_n=TOP_FAILING_TEXT):
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
