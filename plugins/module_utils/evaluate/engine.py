# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The evaluation engine: facts + catalog + options + waivers + attestations -> scored results.

Pure: no Ansible, no Docker, no clock unless ``today`` is omitted. The score is defined here
and only here (see docs/architecture.md, "Score"):

- each of the 50 checklist items is worth 2 points; ``applicable`` = 100 minus the points of
  ``not_applicable`` and ``waived`` items; ``earned`` = 2 x the ``pass`` count;
  ``score`` = round(100 x earned / applicable, 1); ``error`` earns 0;
- when nothing is applicable (every item waived or not applicable) nothing was verified: the
  score is 0.0 (band Critical) and ``nothing_applicable`` is true, so a ``fail_under`` gate
  never passes a host whose whole checklist was waived away;
- ``coverage`` = the points actually decided (``pass``, ``fail``, ``manual``; not ``waived``,
  ``not_applicable`` or ``error``) out of 100. A band is claimed only when coverage is at least
  ``min_coverage`` (default 50); below it the band is ``Incomplete``: 1 pass + 49 waivers, or a
  host whose dockerd is down (34 ``error``), says too little to be "Excellent" or "Critical".

Evaluators are ``check(facts, opts)``; the engine adds private keys to ``opts``: ``_today``
(a ``datetime.date``), ``_history`` (earlier audits of this host from the controller-side
history file) and whatever the caller passes in ``extra`` (``_scan_results`` from the action
plugin).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import common, compliance, daemon, extended
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import host, images, logging_monitoring
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import network, orchestration, runtime
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import secrets, supply_chain

SCHEMA_VERSION = 1
# Checklist order: the options' order here is the order of options_used in the report.
CHECK_MODULES = (common, host, daemon, images, runtime, network, secrets, logging_monitoring, orchestration,
                 supply_chain, compliance, extended)

_TYPES = {
    "list": (list,),
    "dict": (dict,),
    "str": (str,),
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AuditInputError(ValueError):
    """Inventory input (options, waivers, attestations) that cannot be used as given."""


def _checks():
    checks = {}
    for mod in CHECK_MODULES:
        checks.update(getattr(mod, "CHECKS", {}))
    return checks


CHECKS = _checks()
OPTION_SPECS = catalog.OPTIONS


def default_options():
    return dict((name, spec.get("default")) for name, spec in OPTION_SPECS.items())


def plain(value):
    """``value`` as plain Python: Ansible hands over its own subclasses of dict, list and str
    (``_AnsibleTaggedDict``...), whose names and reprs mean nothing to the one who wrote the value."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


# A message shows at most this much of a value: 10,000 bad entries must not print megabytes.
VALUE_WIDTH = 200


def show(value, width=VALUE_WIDTH):
    """The value as its author wrote it (repr of the plain value, cut), for error messages."""
    text = repr(plain(value))
    return text if len(text) <= width else text[:width - 3] + "..."


def type_name(value):
    """The YAML-level type of ``value``: ``dict``, ``list``, ``str``, ``int``... (never Ansible's classes)."""
    if value is None:
        return "null"
    for kind in (bool, dict, list, str, int, float):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


def option_error(name, value, spec):
    """Why ``value`` is not a valid ``dockersec_options.<name>`` of ``spec``, or None."""
    where = "dockersec_options.%s" % name
    want = _TYPES.get(spec.get("type"), (object,))
    ok = isinstance(value, want) and not (isinstance(value, bool) and bool not in want)
    if not ok:
        return "%s must be of type %s, got %s %s" % (where, spec.get("type"), type_name(value), show(value))
    if spec.get("min") is not None and value < spec["min"]:
        return "%s must be at least %s, got %s" % (where, spec["min"], show(value))
    if spec.get("pattern") and not re.match(spec["pattern"], value):
        return "%s must match %s, got %s" % (where, spec["pattern"], show(value))
    # List elements and mapping values are refused, never turned into strings: 8080 is not '8080'.
    members = []
    if spec.get("elements"):
        members = [("%s[%d]" % (where, n), item, spec["elements"]) for n, item in enumerate(value)]
    if spec.get("values"):
        members = [("%s.%s" % (where, key), item, spec["values"]) for key, item in value.items()]
    for at, item, kind in members:
        if not isinstance(item, _TYPES[kind]) or isinstance(item, bool):
            return "%s must be of type %s (quote it in YAML), got %s %s" % (at, kind, type_name(item), show(item))
    return None


def option_errors(options):
    """Every problem of ``dockersec_options`` (null means none set), as messages."""
    if options is None:
        return []
    if not isinstance(options, dict):
        return ["dockersec_options must be a dict, got %s %s" % (type_name(options), show(options))]
    errors = []
    for name, value in options.items():
        spec = OPTION_SPECS.get(name)
        if spec is None:
            errors.append("dockersec_options.%s is not a known option (known: %s)"
                          % (plain(name), ", ".join(sorted(OPTION_SPECS))))
            continue
        error = option_error(name, value, spec)
        if error:
            errors.append(error)
    return errors


def validate_options(options):
    """Merge ``options`` over the defaults; unknown names and wrong types or values are refused."""
    errors = option_errors(options)
    if errors:
        raise AuditInputError("; ".join(errors))
    merged = default_options()
    merged.update(plain(options or {}))
    return merged


def parse_date(value, what):
    """A ``YYYY-MM-DD`` date (also accepts a date object); anything else is refused with ``what`` named."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip() if value is not None else ""
    if not _DATE_RE.match(text):
        raise AuditInputError("%s: %s is not a date of the form YYYY-MM-DD" % (what, show(value)))
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise AuditInputError("%s: %s is not a real calendar date" % (what, show(value)))


def _entries(entries, kind, required):
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise AuditInputError("dockersec_%s must be a list, got %s %s" % (kind, type_name(entries), show(entries)))
    out = []
    for n, entry in enumerate(entries):
        where = "dockersec_%s[%d]" % (kind, n)
        if not isinstance(entry, dict):
            raise AuditInputError("%s must be a dict with keys %s, got %s" % (where, ", ".join(required), show(entry)))
        cid = str(entry.get("id", "")).strip()
        where = "%s (id %s)" % (where, cid or "?")
        if cid not in catalog.BY_ID:
            raise AuditInputError("%s: unknown control id %s" % (where, show(entry.get("id"))))
        for key in required:
            if key in ("expires", "date"):
                continue
            if not str(entry.get(key) or "").strip():
                raise AuditInputError("%s: missing %s" % (where, key))
        item = dict(entry)
        item["id"] = cid
        item["expires"] = parse_date(entry.get("expires"), "%s expires" % where)
        if "date" in required:
            item["date"] = parse_date(entry.get("date"), "%s date" % where)
            if item["date"] > item["expires"]:
                raise AuditInputError("%s: date %s is after expires %s" % (where, item["date"], item["expires"]))
        out.append(item)
    return out


def validate_waivers(waivers):
    return _entries(waivers, "waivers", ("reason", "expires"))


def validate_attestations(attestations):
    return _entries(attestations, "attestations", ("by", "date", "evidence", "expires"))


def _by_id(entries):
    """One entry per control id: when several are given (a renewal next to the old one), the
    one that expires last counts."""
    out = {}
    for e in entries:
        if e["id"] not in out or e["expires"] >= out[e["id"]]["expires"]:
            out[e["id"]] = e
    return out


def _run_check(control, facts, opts):
    collectors = common.as_dict(common.as_dict(facts).get("collectors"))
    for name in control["requires"]:
        state = common.as_dict(collectors.get(name))
        if not state:
            return common.ERROR, ["collector %s did not run: its facts are missing" % name]
        if state.get("ok") is not True:
            evidence = ["collector %s failed: %s" % (name, state.get("error") or "no reason given")]
            level, why = catalog.COLLECTOR_PRIVILEGE.get(name, ("none", ""))
            if level != "none":
                # Most failures without become are missing privilege: say which one this collector needs.
                evidence.append("collector %s needs %s privilege: %s" % (name, level, why))
            return common.ERROR, evidence
    if control["mode"] == "manual":
        return common.MANUAL, ["needs an attestation in dockersec_attestations (who, date, evidence, expiry)"]
    check = CHECKS.get(control["id"])
    if check is None:
        return common.ERROR, ["no evaluator is registered for this control"]
    try:
        status, evidence = check(facts, opts)
    except Exception as exc:  # an evaluator bug must never become a pass
        return common.ERROR, ["evaluator crashed: %s: %s" % (type(exc).__name__, str(exc)[:300])]
    if status not in catalog.STATUSES or status == "waived":
        return common.ERROR, ["evaluator returned an invalid status %r" % (status,)]
    return status, [str(e) for e in common.as_list(evidence)]


def _apply_attestation(status, evidence, control, attestation, today):
    if attestation is None:
        return status, evidence
    if control["mode"] == "automated":
        return status, evidence + ["attestation by %s ignored: item %s is automated and decided from facts" % (
            attestation["by"], control["id"])]
    if status != common.MANUAL:
        return status, evidence
    if attestation["expires"] < today:
        expired = "attestation expired on %s (by %s on %s: %s)" % (
            attestation["expires"], attestation["by"], attestation["date"], attestation["evidence"])
        return common.FAIL, [expired] + evidence
    if attestation["date"] > today:
        return status, evidence + ["attestation dated %s is in the future: ignored" % attestation["date"]]
    return common.PASS, ["attested by %s on %s: %s (expires %s)" % (
        attestation["by"], attestation["date"], attestation["evidence"], attestation["expires"])]


def _apply_waiver(status, evidence, waiver, today):
    if waiver is None:
        return status, evidence, None
    owner = waiver.get("owner") or "unknown owner"
    if waiver["expires"] < today:
        # docs/architecture.md: an expired waiver counts as fail, whatever the control says now.
        return common.FAIL, ["waiver expired on %s (by %s: %s); status without the waiver: %s" % (
            waiver["expires"], owner, waiver["reason"], status)] + evidence, None
    note = "waived by %s until %s: %s (status without the waiver: %s)" % (
        owner, waiver["expires"], waiver["reason"], status)
    return "waived", [note] + evidence, {"owner": owner, "expires": str(waiver["expires"]),
                                         "reason": waiver["reason"], "original_status": status}


def score_of(results):
    """Score the 50 scored results exactly as docs/architecture.md defines it."""
    excluded = sum(r["max_points"] for r in results if r["status"] in ("not_applicable", "waived"))
    applicable = catalog.POINTS_PER_ITEM * len(catalog.SCORED_IDS) - excluded
    earned = sum(r["points"] for r in results)
    # Nothing applicable (everything waived or n/a): nothing was verified, so nothing is earned.
    score = round(100.0 * earned / applicable, 1) if applicable > 0 else 0.0
    return score, earned, applicable


def _points(value):
    if value is None or isinstance(value, bool):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def coverage_of(results):
    """Points decided (pass, fail, manual) out of the checklist's 100, rounded to one decimal.

    The one coverage formula: the reports recompute a stored result's coverage with it too, so
    a result from history may carry controls without points (counted as 0).
    """
    total = catalog.POINTS_PER_ITEM * len(catalog.SCORED_IDS)
    decided = sum(_points(r.get("max_points")) for r in results
                  if isinstance(r, dict) and r.get("status") in catalog.DECIDED_STATUSES)
    return round(100.0 * decided / total, 1) if total else 0.0


def validate_min_coverage(value):
    """``dockersec_min_coverage`` as a float 0-100; anything else is refused."""
    if value is None:
        return catalog.DEFAULT_MIN_COVERAGE
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AuditInputError("dockersec_min_coverage must be a number between 0 and 100, got %s" % show(value))
    if isinstance(value, bool) or not 0 <= number <= 100:
        raise AuditInputError("dockersec_min_coverage must be a number between 0 and 100, got %s" % show(value))
    return number


def band_of(score, coverage, min_coverage):
    return catalog.band_for(score) if coverage >= min_coverage else catalog.INCOMPLETE_BAND


def _count(results):
    counts = dict((s, 0) for s in catalog.STATUSES)
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


# The controls judged on the host once, whatever its daemons: their catalog ``requires`` names none
# of a daemon's sections (docker, daemon_config, dockerd_process).
HOST_LEVEL_IDS = frozenset(c["id"] for c in catalog.CONTROLS if not set(c["requires"]) & set(common.DAEMON_SECTIONS))


def per_daemon(control_id):
    """Whether the control is judged once per daemon (every control not in HOST_LEVEL_IDS, an unknown
    id included). The others are the host's, judged once and counted in every daemon's score."""
    return str(control_id) not in HOST_LEVEL_IDS


def _judge(control, view, run):
    """One control's result entry on one daemon's view, attestation and waiver applied."""
    status, evidence = _run_check(control, view, run["opts"])
    status, evidence = _apply_attestation(status, evidence, control, run["attestations"].get(control["id"]),
                                          run["today"])
    status, evidence, waiver = _apply_waiver(status, evidence, run["waivers"].get(control["id"]), run["today"])
    if not evidence:
        evidence = ["%s (the evaluator gave no detail)" % status]
    max_points = catalog.max_points(control["id"])
    entry = {
        "id": control["id"],
        "section": control["section"],
        "section_name": catalog.SECTIONS.get(control["section"], catalog.EXTENDED_SECTION),
        "title": control["title"],
        "status": status,
        "points": max_points if status == "pass" else 0,
        "max_points": max_points,
        "evidence": evidence,
        "cis": list(control["cis"]),
        "mode": control["mode"],
        "fix": control["fix"],
        "remediation_role": control["remediation_role"],
    }
    if waiver:
        entry["waiver"] = waiver
    return entry


def subject_document(view, run, host_results):
    """One daemon's document: every control's result on ``view`` (a ``common.daemon_views`` view),
    its score, coverage, band and counts, by the one formula above.

    ``run``: ``{"opts", "today", "min_coverage", "waivers", "attestations"}`` of this audit.
    ``host_results``: ``{id: entry}`` of the host-level controls; a control judged for an earlier
    daemon is copied from it (the same verdict in every daemon's score), else judged and kept there.
    Whatever key this adds is carried into the daemon's entry of the audit result, and into the
    top level when the daemon is the weakest.
    """
    scored, extended = [], []
    for control in catalog.CONTROLS:
        if per_daemon(control["id"]):
            entry = _judge(control, view, run)
        elif control["id"] in host_results:
            entry = dict(host_results[control["id"]])
        else:
            entry = host_results[control["id"]] = _judge(control, view, run)
        (scored if catalog.is_scored(control["id"]) else extended).append(entry)
    score, earned, applicable = score_of(scored)
    coverage = coverage_of(scored)
    counts = _count(scored)
    return {
        "score": score,
        "earned": earned,
        "applicable": applicable,
        "nothing_applicable": applicable <= 0,
        "coverage": coverage,
        "min_coverage": run["min_coverage"],
        "incomplete": coverage < run["min_coverage"],
        "waivers": counts.get("waived", 0),
        "band": band_of(score, coverage, run["min_coverage"]),
        "counts": counts,
        "controls": scored,
        "extended": extended,
        "extended_counts": _count(extended),
    }


def evaluate(facts, options=None, waivers=None, attestations=None, today=None, history=None, extra=None,
             min_coverage=None):
    """Evaluate every catalog control on every daemon of the host. Input errors raise AuditInputError
    before anything is evaluated.

    ``extra``: controller-side data for evaluators, added to ``opts`` as ``_<key>``.
    ``min_coverage``: the coverage (0-100) below which the band is ``Incomplete`` (default 50).

    Each daemon (``common.daemon_views``) is a subject with its own results and score; waivers and
    attestations apply to every one. ``daemons`` lists them in facts order (name, primary,
    endpoint, rootless, user, uid, pid, data_root, then ``subject_document``'s keys); the top-level
    score, band, controls... are the weakest daemon's (lowest score; a tie goes to the primary),
    which ``daemon`` names: the host is as strong as its weakest daemon.
    """
    min_coverage = validate_min_coverage(min_coverage)
    opts = validate_options(options)
    waivers_by_id = _by_id(validate_waivers(waivers))
    attest_by_id = _by_id(validate_attestations(attestations))
    today = parse_date(today, "dockersec_today") if today is not None else datetime.date.today()
    options_used = dict(opts)
    opts["_today"] = today
    opts["_history"] = [h for h in common.as_list(history) if isinstance(h, dict)]
    for key, value in common.as_dict(extra).items():
        opts["_" + str(key).lstrip("_")] = value
    run = {"opts": opts, "today": today, "min_coverage": min_coverage, "waivers": waivers_by_id,
           "attestations": attest_by_id}

    views = common.daemon_views(facts)
    subjects, host_results = [None] * len(views), {}
    # The primary judges the host-level controls: its facts are the top-level ones they were written for.
    for n in sorted(range(len(views)), key=lambda n: not views[n][0]["primary"]):
        subjects[n] = subject_document(views[n][1], run, host_results)
    weakest = min(range(len(views)), key=lambda n: (subjects[n]["score"], not views[n][0]["primary"], n))
    doc = {"schema_version": SCHEMA_VERSION, "catalog_version": catalog.CATALOG_VERSION}
    doc.update(subjects[weakest])
    doc["options_used"] = options_used
    doc["today"] = str(today)
    doc["daemon"] = views[weakest][0]["name"]
    doc["daemons"] = []
    for (meta, dummy), subject in zip(views, subjects):
        entry = dict(meta)
        entry.update(subject)
        doc["daemons"].append(entry)
    return doc


# Fields of each container that make up the exported inventory (item 50): no env, no labels.
INVENTORY_FIELDS = ("name", "image", "state", "compose_project", "compose_service", "swarm_service", "user")


def inventory(facts):
    """The container inventory (item 50): every daemon's gathered containers, names and images
    only, each with the name of the daemon that runs it."""
    rows = []
    for meta, view in common.daemon_views(facts):
        for c in common.as_list(common.docker(view).get("containers")):
            if isinstance(c, dict):
                row = dict((k, c.get(k)) for k in INVENTORY_FIELDS)
                row["daemon"] = meta["name"]
                rows.append(row)
    return rows


def _subjects(doc):
    """``[(subject, primary)]``: the top level, then each daemon's entry (none in older results)."""
    daemons = [d for d in common.as_list(doc.get("daemons")) if isinstance(d, dict)]
    top = [d for d in daemons if d.get("name") == doc.get("daemon")]
    top_primary = not daemons or (bool(top) and top[0].get("primary") is True)
    return [(doc, top_primary)] + [(d, d.get("primary") is True) for d in daemons]


def mark_deferred(doc, deferred):
    """Remediation left these alone on purpose: say so, with the reason, where people look.

    The roles change the host and its primary daemon: a daemon-level control is marked on the
    primary only, a host-level one on every daemon. A result shared by the top level and a daemon's
    entry is marked once.
    """
    reasons = dict((str(d.get("id")), str(d.get("reason"))) for d in deferred or [] if isinstance(d, dict))
    seen = set()
    for subject, primary in _subjects(doc):
        for control in subject.get("controls", []) + subject.get("extended", []):
            if id(control) in seen or control["id"] not in reasons or control["status"] == "pass":
                continue
            seen.add(id(control))
            if primary or not per_daemon(control["id"]):
                control["evidence"] = ["remediation deferred: %s" % reasons[control["id"]]] + control["evidence"]
                control["deferred"] = reasons[control["id"]]
    doc["deferred"] = [{"id": cid, "reason": why} for cid, why in sorted(reasons.items())]


def gate(doc, threshold, fail_incomplete=True):
    """Why ``dockersec_fail_under`` fails this host, else None.

    The host's score is its weakest daemon's (the top level); with several daemons the message
    names it. An Incomplete daemon (coverage below the floor) fails the gate unless
    ``fail_incomplete`` is false: a score over a few decided points must not pass CI.
    """
    if threshold is None:
        return None
    daemons = [d for d in common.as_list(doc.get("daemons")) if isinstance(d, dict)]
    several = len(daemons) > 1
    if doc["score"] < threshold:
        which = " (daemon %s, the weakest of %d)" % (doc.get("daemon"), len(daemons)) if several else ""
        return "score %.1f%s is below dockersec_fail_under %s" % (doc["score"], which, threshold)
    if not fail_incomplete:
        return None
    for subject in daemons if several else [doc]:
        if subject.get("incomplete"):
            which = "daemon %s: " % subject.get("name") if several else ""
            return ("%scoverage %.1f%% is below dockersec_min_coverage %s (band Incomplete, %d waived): the score "
                    "%.1f is not trusted by dockersec_fail_under (dockersec_fail_incomplete: false to allow it)"
                    % (which, subject["coverage"], subject["min_coverage"], subject.get("waivers", 0),
                       subject["score"]))
    return None
