# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report as Prometheus metrics, in the node_exporter textfile collector format.

Pure functions over the JSON report document (``document.build_document``), no Ansible needed:

``to_prometheus(document, previous)``        -> every audited host of the run (``dockersec.prom``)
``host_file(document, host, previous)``      -> one host's series, for that host's textfile directory

Every series carries a ``host`` label (the inventory name), so one file for the whole fleet and
one file per host read the same in PromQL. Cardinality is bounded by the catalog: per host one
series per control and status (6 statuses), one per section, one per waiver, one per daemon
(``daemon_*``), and per profile (cis, custom) one per status: a CIS recommendation or a custom
control never gets a series of its own. No sample carries a
timestamp: the textfile collector rejects them; the audit time is a series of its own.

``previous`` is the earlier JSON report (the one the run replaces): the previous score and the
controls that went from pass to fail come from it, so the alert rules (prometheus/dockersec-alerts.yml)
say "since the last audit" exactly, whatever the scrape interval or the time between audits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import coverage, section_rows


PREFIX = "dockersec_"

FILE_NAME = "dockersec.prom"

# name -> (help, labels). Order here is the order in the file; all of one metric's samples
# are written together, as the exposition format requires.
METRICS = (
    ("audit_success", "1 when the host has an audit result in this run, 0 when it was unreachable or "
                      "failed before the audit.", ("host",)),
    ("audit_timestamp_seconds", "When the host was audited (Unix time).", ("host",)),
    ("score", "dockersec score, 0 to 100: 100 x earned / applicable points.", ("host",)),
    ("coverage_ratio", "Share of the 100 checklist points decided (pass, fail or manual), 0 to 1.", ("host",)),
    ("band_info", "The rating band of the score, as the band label; always 1.", ("host", "band")),
    ("earned_points", "Checklist points earned.", ("host",)),
    ("applicable_points", "Checklist points applicable (100 minus not applicable and waived).", ("host",)),
    ("score_threshold", "The host's dockersec_fail_under: a score below it fails the audit.", ("host",)),
    ("section_earned_points", "Checklist points earned in a section.", ("host", "section")),
    ("section_applicable_points", "Checklist points applicable in a section.", ("host", "section")),
    ("control_status", "1 for the control's status in the audit, 0 for every other status.",
     ("host", "id", "status")),
    ("waiver_expiry_timestamp_seconds", "When the waiver of a waived control stops counting: the start "
                                        "(UTC) of the day after its expires date (Unix time).",
     ("host", "id", "owner")),
    ("previous_score", "The score of the host's previous audit (the report this run replaced).", ("host",)),
    ("previous_audit_timestamp_seconds", "When the host's previous audit ran (Unix time).", ("host",)),
    ("control_regressed", "1 when the control passed in the previous audit and fails in this one, else 0.",
     ("host", "id")),
    ("daemon_score", "dockersec score of one Docker daemon of the host, 0 to 100; the host's score is its "
                     "weakest daemon's.", ("host", "daemon", "rootless")),
    ("daemon_band_info", "The rating band of a daemon's score, as the band label; always 1.",
     ("host", "daemon", "band")),
    ("daemon_coverage_ratio", "Share of a daemon's 100 checklist points decided, 0 to 1.", ("host", "daemon")),
    ("profile_results", "Results of a profile beside the checklist (cis, custom) with the status, of the "
                        "daemon the host's score is of.", ("host", "profile", "status")),
    ("cis_pass_rate", "CIS Docker Benchmark pass rate, 0 to 100: 100 x pass / automated recommendations "
                      "decided (pass or fail).", ("host",)),
    ("cis_pass_rate_threshold", "The host's dockersec_cis_fail_under: a CIS pass rate below it fails the audit.",
     ("host",)),
)

# Profiles exported by ``profile_results``, over the fixed status set: never a label per
# recommendation or custom control id, whatever the inventory defines.
PROFILE_NAMES = ("cis", "custom")


def _label_value(value):
    """A label value as the text format wants it: backslash, double quote and newline escaped."""
    text = u"" if value is None else u"%s" % value
    return text.replace(u"\\", u"\\\\").replace(u"\"", u"\\\"").replace(u"\n", u"\\n")


def _help_text(text):
    return text.replace(u"\\", u"\\\\").replace(u"\n", u"\\n")


def _number(value):
    """A sample value: integers without a fraction, floats in their shortest exact form."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return "%d" % int(value)
    return repr(value)


def _to_float(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def timestamp(value):
    """Unix time of an ISO 8601 UTC stamp (``2026-11-23T05:00:00Z``) or a date, else None."""
    text = str(value or "").strip()
    for fmt, size in (("%Y-%m-%dT%H:%M:%S", 19), ("%Y-%m-%d", 10)):
        try:
            stamp = datetime.datetime.strptime(text[:size], fmt)
        except ValueError:
            continue
        rest = text[size:]
        if rest and rest not in ("Z", "+00:00") and not rest.startswith("."):
            # Another zone: the audit writes UTC only, so this is not a stamp of ours.
            return None
        return calendar.timegm(stamp.timetuple())
    return None


def waiver_expiry(expires):
    """A waiver counts through its ``expires`` date: it stops at the start of the next day (UTC)."""
    start = timestamp(str(expires or "")[:10]) if len(str(expires or "")) >= 10 else None
    return None if start is None else start + 86400


def _status_map(entry):
    return dict((str(c.get("id")), c.get("status")) for c in
                list(entry.get("controls") or []) + list(entry.get("extended") or []) if isinstance(c, dict))


def _host_samples(host, entry, previous_entry, previous_generated_at):
    """``[(metric, labels dict, value)]`` of one audited host."""
    out = [("audit_success", {}, 1)]
    stamp = timestamp(entry.get("generated_at"))
    if stamp is not None:
        out.append(("audit_timestamp_seconds", {}, stamp))
    score = _to_float(entry.get("score"))
    if score is not None:
        out.append(("score", {}, score))
    cov = coverage(entry)
    if cov is not None:
        out.append(("coverage_ratio", {}, round(cov / 100.0, 4)))
    if entry.get("band"):
        out.append(("band_info", {"band": entry["band"]}, 1))
    for key, metric in (("earned", "earned_points"), ("applicable", "applicable_points")):
        value = _to_float(entry.get(key))
        if value is not None:
            out.append((metric, {}, value))
    threshold = _to_float(entry.get("fail_under"))
    if threshold is not None:
        out.append(("score_threshold", {}, threshold))
    if entry.get("controls"):
        for row in section_rows(entry):
            section = str(row["section"])
            out.append(("section_earned_points", {"section": section}, _to_float(row["earned"]) or 0.0))
            out.append(("section_applicable_points", {"section": section}, _to_float(row["max"]) or 0.0))
    controls = list(entry.get("controls") or []) + list(entry.get("extended") or [])
    for control in controls:
        cid = str(control.get("id"))
        for status in catalog.STATUSES:
            out.append(("control_status", {"id": cid, "status": status},
                        1 if control.get("status") == status else 0))
    for control in controls:
        waiver = control.get("waiver")
        if control.get("status") != "waived" or not isinstance(waiver, dict):
            continue
        expiry = waiver_expiry(waiver.get("expires"))
        if expiry is not None:
            out.append(("waiver_expiry_timestamp_seconds",
                        {"id": str(control.get("id")), "owner": waiver.get("owner") or ""}, expiry))
    if isinstance(previous_entry, dict):
        prev_score = _to_float(previous_entry.get("score"))
        if prev_score is not None:
            out.append(("previous_score", {}, prev_score))
        prev_stamp = timestamp(previous_entry.get("generated_at") or previous_generated_at)
        if prev_stamp is not None:
            out.append(("previous_audit_timestamp_seconds", {}, prev_stamp))
        was = _status_map(previous_entry)
        for control in controls:
            cid = str(control.get("id"))
            if cid in was:
                out.append(("control_regressed", {"id": cid},
                            1 if was[cid] == "pass" and control.get("status") == "fail" else 0))
    out += _daemon_and_profile_samples(entry)
    return [(metric, dict(labels, host=host), value) for metric, labels, value in out]


def _daemon_and_profile_samples(entry):
    """Per daemon (issue 20) and per profile (issue 21): only for results that have them."""
    out = []
    for daemon in entry.get("daemons") or []:
        if not isinstance(daemon, dict):
            continue
        name = daemon.get("name")
        score = _to_float(daemon.get("score"))
        if score is not None:
            out.append(("daemon_score", {"daemon": name, "rootless": "true" if daemon.get("rootless") else "false"},
                        score))
        if daemon.get("band"):
            out.append(("daemon_band_info", {"daemon": name, "band": daemon["band"]}, 1))
        cov = _to_float(daemon.get("coverage"))
        if cov is not None:
            out.append(("daemon_coverage_ratio", {"daemon": name}, round(cov / 100.0, 4)))
    profiles = entry.get("profiles") if isinstance(entry.get("profiles"), dict) else {}
    for name in PROFILE_NAMES:
        profile = profiles.get(name)
        if not isinstance(profile, dict):
            continue
        counts = profile.get("counts") if isinstance(profile.get("counts"), dict) else {}
        for status in catalog.STATUSES:
            out.append(("profile_results", {"profile": name, "status": status}, _to_float(counts.get(status)) or 0))
    cis = profiles.get("cis") if isinstance(profiles.get("cis"), dict) else {}
    for key, metric in (("pass_rate", "cis_pass_rate"), ("fail_under", "cis_pass_rate_threshold")):
        value = _to_float(cis.get(key))
        if value is not None:
            out.append((metric, {}, value))
    return out


def samples(document, previous=None, hosts=None):
    """Every sample of ``document`` (only of ``hosts`` when given): ``[(metric, labels, value)]``."""
    audited = document.get("hosts") or {}
    prev_hosts = previous.get("hosts") if isinstance(previous, dict) and isinstance(previous.get("hosts"), dict) \
        else {}
    prev_stamp = previous.get("generated_at") if isinstance(previous, dict) else None
    wanted = None if hosts is None else set(hosts)
    out = []
    for host in sorted(audited):
        if wanted is None or host in wanted:
            out.extend(_host_samples(host, audited[host], prev_hosts.get(host), prev_stamp))
    missing = set((document.get("unreachable") or {})) | set((document.get("failed") or {}))
    for host in sorted(missing - set(audited)):
        if wanted is None or host in wanted:
            out.append(("audit_success", {"host": host}, 0))
    return out


def exposition(sample_list):
    """The text format: HELP and TYPE once per metric, then its samples; families in METRICS order."""
    by_metric = {}
    for metric, labels, value in sample_list:
        by_metric.setdefault(metric, []).append((labels, value))
    lines = []
    for name, help_text, label_names in METRICS:
        rows = by_metric.get(name)
        if not rows:
            continue
        full = PREFIX + name
        lines.append("# HELP %s %s" % (full, _help_text(help_text)))
        lines.append("# TYPE %s gauge" % full)
        for labels, value in rows:
            text = ",".join('%s="%s"' % (key, _label_value(labels[key])) for key in label_names if key in labels)
            lines.append("%s{%s} %s" % (full, text, _number(value)))
    return "\n".join(lines) + "\n" if lines else ""


def to_prometheus(document, previous=None):
    """``dockersec.prom``: every host of the run."""
    return exposition(samples(document, previous))


def host_file(document, host, previous=None):
    """One host's series, for the textfile directory of that host's node_exporter."""
    return exposition(samples(document, previous, hosts=[host]))
