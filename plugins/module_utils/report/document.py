# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report document: what every format is rendered from. Pure functions, no Ansible needed.

``build_document``  -> the JSON report (``dockersec-report.json``; ``dumps_document`` is the JSON renderer)
``history_lines``   -> one JSON line per audited host for the history file
``host_entry``, ``fleet_stats``, ``section_rows`` -> the parts renderers show

The helpers a renderer needs to read a document the same way everywhere (``num``,
``format_score``, ``one_line``, ``section_key``, ``status_counts``, ...) are public here; the
renderers (text, junit, sarif, markdown, html_page, prometheus, awx) use nothing else of this module.

Sections, titles and bands come from catalog.py; nothing here restates them.
Only what the audit result carries (names, evidence, fixes) ever reaches the output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import common, engine, profiles
from ansible_collections.dockersec.hardening.plugins.module_utils.report.paths import HISTORY_DAEMON_KEYS
from ansible_collections.dockersec.hardening.plugins.module_utils.report.paths import HISTORY_FORMAT


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

# Waivers that expire within this many days of the audit's date are listed in the fleet view.
WAIVER_WINDOW_DAYS = 30

MESSAGE_WIDTH = 500

# A failed host's message in the JSON report: a rollback message names the failed step, the
# restored backup and whether dockerd serves again; 500 characters cut the last part off.
REPORT_MESSAGE_WIDTH = 4000

# Keys a control keeps in the JSON report.
CONTROL_KEYS = ("id", "section", "title", "status", "points", "max_points", "evidence", "cis", "mode", "fix",
                "remediation_role")


def utc_now():
    """Now, UTC, as the ISO 8601 string the audit results use (``2026-11-23T05:00:00Z``)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def num(value):
    """Points as the reader expects them: ``72`` rather than ``72.0``, ``71.5`` kept."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return int(f) if f == int(f) else round(f, 1)


def score_or_none(value):
    """A score rounded to one decimal, None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return None


def format_score(score):
    """``72.5`` or ``n/a``: how every renderer prints a score."""
    return "n/a" if score is None else "%.1f" % score


def one_line(text, width):
    """Text from a host on one line (whitespace folded), cut to ``width`` with ``...``."""
    text = " ".join(str(text if text is not None else "").split())
    return text if len(text) <= width else text[:width - 3] + "..."


def catalog_index(control_id):
    """The control's position in the catalog (unknown ids last): the order every list keeps."""
    try:
        return catalog.CONTROLS.index(catalog.get(control_id))
    except KeyError:
        return len(catalog.CONTROLS)


def section_key(section):
    """Catalog section keys are ints (1-10) or the extended section's name; results may carry strings."""
    if isinstance(section, str) and section.isdigit():
        return int(section)
    return section


def _band(score, band=None):
    if band:
        return band
    return None if score is None else catalog.band_for(score)


def status_counts(controls):
    """``{status: n}`` over ``controls``, every catalog status present (0 when absent)."""
    counts = dict((status, 0) for status in catalog.STATUSES)
    for control in controls:
        status = control.get("status")
        counts[status] = counts.get(status, 0) + 1
    return counts


def _control_entry(control):
    entry = dict((key, control.get(key)) for key in CONTROL_KEYS)
    entry["id"] = str(entry["id"])
    entry["section"] = section_key(entry["section"])
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


def coverage(audit):
    """The audit's coverage; for results from before coverage existed, recomputed from their
    controls by the engine's formula (``engine.coverage_of``); None without either."""
    value = audit.get("coverage")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    controls = audit.get("controls") or []
    if not controls:
        return None
    return engine.coverage_of(controls)


def _waiver_count(audit, controls):
    value = audit.get("waivers")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return sum(1 for c in controls if c.get("status") == "waived")


def format_coverage(entry):
    """``coverage 92.0%, 2 waived`` (``coverage n/a`` when unknown)."""
    coverage = entry.get("coverage")
    text = "coverage n/a" if coverage is None else "coverage %.1f%%" % coverage
    return "%s, %d waived" % (text, entry.get("waivers") or 0)


# Keys a profile result (BRIEF interface C2) keeps: CIS recommendations and custom controls.
PROFILE_RESULT_KEYS = ("id", "v180", "title", "section", "section_name", "level", "mode", "status", "evidence",
                       "reuses", "fix", "severity", "expression", "expected")

# Profiles beside the checklist, in report order; each renderer shows them after the checklist.
PROFILES = ("cis", "custom")


def _profile_result(result):
    entry = dict((key, result.get(key)) for key in PROFILE_RESULT_KEYS if key in result)
    entry["id"] = str(result.get("id"))
    entry["title"] = str(result.get("title") or "")
    evidence = result.get("evidence")
    entry["evidence"] = [evidence] if isinstance(evidence, str) else list(evidence or [])
    if "expected" in entry:
        # From inventory: a YAML date has no JSON form, the report keeps its string.
        entry["expected"] = json.loads(json.dumps(entry["expected"], default=str))
    return entry


def _profiles(value):
    """The profiles of an audit (or of one of its daemons), each result cleaned; a profile that is
    not an object is left out, a result list that is not a list is empty."""
    if not isinstance(value, dict):
        return None
    out = {}
    for name in PROFILES:
        profile = value.get(name)
        if not isinstance(profile, dict):
            continue
        results = profile.get("results") if isinstance(profile.get("results"), list) else []
        entry = dict((k, v) for k, v in profile.items() if k != "results")
        entry["results"] = [_profile_result(r) for r in results if isinstance(r, dict)]
        entry["counts"] = dict(profile.get("counts") or status_counts(entry["results"]))
        out[name] = entry
    return out


def _listed(audit, key):
    """``audit[key]`` when it is a list, else ``[]`` (a broken result renders without it)."""
    value = audit.get(key)
    return value if isinstance(value, list) else []


def _results(audit):
    """Score, band, coverage, counts and results of one subject (the host or one of its daemons)."""
    controls = [_control_entry(c) for c in _listed(audit, "controls") if isinstance(c, dict)]
    extended = [_control_entry(c) for c in _listed(audit, "extended") if isinstance(c, dict)]
    score = score_or_none(audit.get("score"))
    return {
        "score": score,
        "earned": num(audit.get("earned")),
        "applicable": num(audit.get("applicable")),
        "band": _band(score, audit.get("band")),
        "coverage": coverage({"coverage": audit.get("coverage"), "controls": controls}),
        "waivers": _waiver_count(audit, controls),
        "counts": dict(audit.get("counts") or status_counts(controls)),
        "controls": controls,
        "extended": extended,
        "extended_counts": dict(audit.get("extended_counts") or status_counts(extended)),
    }


def _daemon_entry(index, daemon):
    """One daemon of the host: who it is, its score and its own results and profiles (as the host's)."""
    entry = dict((key, daemon.get(key)) for key in common.DAEMON_META)
    entry["name"] = str(entry["name"] or "daemon %d" % (index + 1))
    entry["incomplete"] = bool(daemon.get("incomplete"))
    entry.update(_results(daemon))
    profiles = _profiles(daemon.get("profiles"))
    if profiles is not None:
        entry["profiles"] = profiles
    return entry


def host_entry(audit, before=None):
    """One host's part of the JSON report, from its ``dockersec_audit`` result.

    ``before``: an earlier audit of the same host in the same run (remediate re-audits), kept as
    ``{"score", "earned", "applicable", "band"}`` so the report shows the delta.
    The host's score and results are its weakest daemon's, which ``daemon`` names; ``daemons``
    has each daemon's (results from before daemons were scored one by one have neither).
    """
    audit = audit if isinstance(audit, dict) else {}
    entry = {"generated_at": audit.get("generated_at"), "today": audit.get("today")}
    entry.update(_results(audit))
    entry["inventory"] = list(audit.get("inventory") or [])
    controls, extended = entry["controls"], entry["extended"]
    daemons = [_daemon_entry(i, d) for i, d in enumerate(_listed(audit, "daemons")) if isinstance(d, dict)]
    if daemons:
        entry["daemon"] = audit.get("daemon")
        entry["daemons"] = daemons
    fail_under = score_or_none(audit.get("fail_under"))
    if fail_under is not None:
        entry["fail_under"] = fail_under
    # The profiles beside the checklist (issue 21): only when the audit has them, so results from
    # before them render as they always did.
    profiles = _profiles(audit.get("profiles"))
    if profiles is not None:
        entry["profiles"] = profiles
    # Deferred by remediation (remediate.yml): also the ones whose control passes anyway, such as
    # audit rules judged from the rules files while the kernel refuses loading them.
    deferred = [d for d in audit.get("deferred") or [] if isinstance(d, dict)]
    if deferred:
        entry["deferred"] = [{"id": str(d.get("id")), "reason": str(d.get("reason"))} for d in deferred]
    if isinstance(before, dict):
        before_score = score_or_none(before.get("score"))
        entry["before"] = {
            "generated_at": before.get("generated_at"),
            "score": before_score,
            "earned": num(before.get("earned")),
            "applicable": num(before.get("applicable")),
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
    ordered = sorted(failing, key=lambda cid: (-len(failing[cid]), catalog_index(cid), cid))
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
    return sorted(out, key=lambda w: (w["expires"], w["host"], catalog_index(w["id"])))


def cis_key(rec_id):
    """A CIS id's sort key: ``2.10`` after ``2.9``; ids that are not dotted numbers last."""
    parts = str(rec_id).split(".")
    return (0, tuple(int(p) for p in parts)) if all(p.isdigit() for p in parts) else (1, str(rec_id))


def _profile_of(entry, name):
    profiles = entry.get("profiles")
    profile = profiles.get(name) if isinstance(profiles, dict) else None
    return profile if isinstance(profile, dict) else None


def _cis_fleet(hosts):
    """CIS pass rates beside the scores: per host (its weakest daemon's, as its score), worst first;
    the recommendations failing on most hosts (on any of their daemons). None without a CIS result."""
    rates, failing, titles = [], {}, {}
    for host in sorted(hosts):
        entry = hosts[host]
        cis = _profile_of(entry, "cis")
        if cis is None:
            continue
        rates.append({"host": host, "pass_rate": score_or_none(cis.get("pass_rate")),
                      "fail_under": score_or_none(cis.get("fail_under")), "version": cis.get("version")})
        profiles = [cis] + [p for p in (_profile_of(d, "cis") for d in entry.get("daemons") or []) if p]
        ids = set()
        for profile in profiles:
            for result in profile.get("results") or []:
                if result.get("status") == "fail":
                    ids.add(str(result.get("id")))
                    titles.setdefault(str(result.get("id")), result.get("title") or "")
        for rid in ids:
            failing.setdefault(rid, []).append(host)
    if not rates:
        return None
    known = [r["pass_rate"] for r in rates if r["pass_rate"] is not None]
    rates.sort(key=lambda r: (r["pass_rate"] is None, r["pass_rate"] or 0, r["host"]))
    ordered = sorted(failing, key=lambda rid: (-len(failing[rid]), cis_key(rid)))
    return {
        "hosts": len(rates),
        "average_pass_rate": round(sum(known) / len(known), 1) if known else None,
        "min_pass_rate": min(known) if known else None,
        "pass_rates": rates,
        "below_fail_under": [r["host"] for r in rates if r["pass_rate"] is not None and r["fail_under"] is not None
                             and r["pass_rate"] < r["fail_under"]],
        "failing": [{"id": rid, "title": titles[rid], "hosts": len(failing[rid]), "names": failing[rid]}
                    for rid in ordered],
    }


def _daemon_fleet(hosts):
    """How many daemons the fleet runs, how many rootless, which hosts run several; None when no
    host's result lists its daemons."""
    listed = dict((h, hosts[h]["daemons"]) for h in sorted(hosts) if isinstance(hosts[h].get("daemons"), list))
    if not listed:
        return None
    return {"daemons": sum(len(d) for d in listed.values()),
            "rootless": sum(1 for d in listed.values() for item in d if item.get("rootless")),
            "hosts_with_several": [h for h, d in listed.items() if len(d) > 1]}


def fleet_stats(hosts, waiver_window_days=WAIVER_WINDOW_DAYS, generated_at=None):
    """Fleet summary over the audited hosts' entries (``host_entry`` shape)."""
    band_names = [name for dummy, name in catalog.BANDS] + [catalog.INCOMPLETE_BAND]
    by_band = dict((name, 0) for name in band_names)
    hosts_by_band = dict((name, []) for name in band_names)
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
    stats = {
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
    for key, value in (("cis", _cis_fleet(hosts)), ("daemons", _daemon_fleet(hosts))):
        if value is not None:
            stats[key] = value
    return stats


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
        "unreachable": dict((h, one_line(m, REPORT_MESSAGE_WIDTH)) for h, m in sorted((unreachable or {}).items())),
        "failed": dict((h, one_line(m, REPORT_MESSAGE_WIDTH)) for h, m in sorted((failed or {}).items())),
        "fleet": fleet_stats(hosts, waiver_window_days, generated_at),
    }


def dumps_document(document):
    return json.dumps(document, indent=2) + "\n"


def history_lines(document, hosts=None):
    """One JSON line per audited host (only those in ``hosts`` when given): ``{"history_format", "host",
    "generated_at", "score", "earned", "applicable", "coverage", "waivers", "collection_version"}``
    (the host's: its weakest daemon's), plus ``"daemons": [{"name", "rootless", "score", "coverage"}]``
    (history_format 2), ``"before": {"score", "earned", "fixed", "regressed"}`` for a host audited
    before and after a remediation in the same run, and ``"cis": {"version", "pass_rate", "counts",
    "automated_decided"}`` when the host's result holds the CIS profile (item 46 credits it from
    there; lines without it still read)."""
    lines = []
    wanted = None if hosts is None else set(hosts)
    for host in sorted(document.get("hosts") or {}):
        if wanted is not None and host not in wanted:
            continue
        entry = document["hosts"][host]
        line = {
            "history_format": HISTORY_FORMAT,
            "host": host,
            "generated_at": entry.get("generated_at") or document.get("generated_at"),
            "score": entry.get("score"),
            "earned": entry.get("earned"),
            "applicable": entry.get("applicable"),
            "coverage": entry.get("coverage"),
            "waivers": entry.get("waivers"),
            "collection_version": document.get("collection_version"),
        }
        daemons = entry.get("daemons")
        if isinstance(daemons, list):
            line["daemons"] = [dict((k, d.get(k)) for k in HISTORY_DAEMON_KEYS) for d in daemons if isinstance(d, dict)]
        before = entry.get("before")
        if isinstance(before, dict):
            line["before"] = dict((k, before.get(k)) for k in ("score", "earned", "fixed", "regressed"))
        cis = profiles.cis_summary(entry.get("profiles"))
        if cis is not None:
            line["cis"] = cis
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


def section_rows(entry):
    """Per catalog section: counts by status and points earned / applicable."""
    rows = []
    by_section = {}
    for control in entry.get("controls") or []:
        by_section.setdefault(section_key(control.get("section")), []).append(control)
    keys = list(catalog.SECTIONS) + sorted((k for k in by_section if k not in catalog.SECTIONS), key=str)
    for key in keys:
        controls = by_section.get(key, [])
        if not controls and key not in catalog.SECTIONS:
            continue
        counts = status_counts(controls)
        rows.append({
            "section": key,
            "name": catalog.SECTIONS.get(key, str(key)),
            "counts": counts,
            "earned": num(sum(float(c.get("points") or 0) for c in controls)),
            "max": num(sum(float(c.get("max_points") or 0) for c in controls if c.get("status") not in NOT_COUNTED)),
        })
    return rows


def score_text(entry):
    """``72.0 / 100 (36/50 earned, 72 of 100 applicable points) — Acceptable (dev only)`` without the band."""
    controls = entry.get("controls") or []
    items_earned = sum(1 for c in controls if float(c.get("points") or 0) > 0)
    items_applicable = sum(1 for c in controls if c.get("status") not in NOT_COUNTED)
    return "%s / 100 (%d/%d earned, %s of %s applicable points; %s)" % (
        format_score(entry.get("score")), items_earned, items_applicable,
        num(entry.get("earned")), num(entry.get("applicable")), format_coverage(entry))
