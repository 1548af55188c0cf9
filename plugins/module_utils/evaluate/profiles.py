# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The profiles beside the 50-point checklist: the CIS Docker Benchmark and the custom controls.

Judged from the same view of one daemon as the checklist (``common.daemon_views``), never mixed
into its 100 points. A CIS recommendation is decided by exactly one of:

- ``reuses``: a checklist control's evaluator (engine.CHECKS), on the same view;
- ``evaluator``: evaluate/cis.py ``CHECKS[id]``;
- ``expr``: a declarative rule (evaluate/rules.py);
- nothing, when it is manual: ``manual`` until an unexpired attestation ``cis:<id>`` says otherwise.

Every one goes through ``engine._run_check``, so the collectors it needs are checked and a crash
is ``error`` exactly as for the checklist; attestations and waivers ``cis:<id>`` follow the
checklist's rules (an expired one is ``fail``). The CIS pass rate counts the automated
recommendations decided (pass or fail) only: 100 x pass / decided, one decimal, null when none
was decided.

``dockersec_profiles`` selects what is evaluated and printed (default: both). Without
``checklist`` the 50 items and the extended profile are not evaluated: the result's ``controls``
and ``extended`` are empty, its ``score``, ``earned``, ``applicable``, ``coverage`` and ``band`` are
null, ``dockersec_fail_under`` is refused by the first play (it would gate on nothing) and so is
remediate.yml (its roles fix checklist controls, chosen by the checklist's verdicts). A CIS
recommendation that reuses a checklist control still runs that control's evaluator, under its
CIS id.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import cis, common, engine, rules

PROFILE_NAMES = ("checklist", "cis")
SEVERITIES = ("low", "medium", "high", "critical")
CUSTOM_KEYS = ("id", "title", "expression", "expected", "compare", "severity", "missing")
_CUSTOM_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
# What an automated recommendation is decided as (the pass rate's denominator).
DECIDED = (common.PASS, common.FAIL)


# -- the settings (dockersec_profiles, dockersec_custom_controls, dockersec_cis_fail_under) -------

# The inventory variables of the profiles, for docs/options.md (tools/gen_docs.py); their checks are
# below, run by the first play (inventory_check.VARIABLES) and the engine.
VARIABLE_DOCS = (
    ("dockersec_profiles", "list of str (or a comma-separated str)", '["checklist", "cis"]',
     "What is evaluated and printed: `checklist` (the 50 items and the extended profile) and `cis` (the CIS "
     "Docker Benchmark recommendations). Not selected is neither evaluated nor printed. Without `checklist` the "
     "score, coverage and band are null (`n/a`), `dockersec_fail_under` is refused by the first play and so is "
     "remediate.yml (its roles are chosen by the checklist's verdicts); a CIS recommendation that reuses a "
     "checklist item still runs that item's evaluator."),
    ("dockersec_cis_fail_under", "number 0-100", "none",
     "Fail a host whose CIS pass rate (100 x pass / automated recommendations decided; manual ones, "
     "not applicable, waived and error left out) is below it, or that decided no automated recommendation. "
     "Checked on every daemon of the host, beside `dockersec_fail_under`, with the same exit code."),
    ("dockersec_custom_controls", "list of dict", "[]",
     "Your own controls, each `{id, title, expression, expected, compare, severity, missing}`: `expression` is "
     "a JMESPath query over one daemon's facts (docs/facts.md; `daemon` names the daemon), compared with "
     "`expected` by `compare` (default `eq`; also `ne`, `lt`, `le`, `gt`, `ge`, `in`, `not_in`, `contains`, "
     "`not_contains`, `matches` (a regular expression), `mode_at_most` (an octal mode such as \"0644\"), and "
     "`truthy`, `falsy`, `empty`, `not_empty`, which take no `expected`); `missing` is what a null result "
     "counts as (`error`, the default, `fail`, `pass` or `not_applicable`); `severity` is `low`, `medium`, "
     "`high` or `critical`; `id` starts with a letter (`ORG-1`) and is no catalog id. Checked in the first "
     "play; reported as their own group, never in the score."),
)


def _names(value):
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def selection_errors(value, name="dockersec_profiles"):
    """Problems of ``dockersec_profiles``: a non-empty list of ``checklist`` and ``cis`` (null: both)."""
    if value is None:
        return []
    value = _names(value)
    if not isinstance(value, list) or not value:
        return ["%s must be a non-empty list of profiles from %s, got %s"
                % (name, ", ".join(PROFILE_NAMES), engine.show(value))]
    return ["%s[%d]: %s is not a profile (the profiles are %s)" % (name, n, engine.show(item), ", ".join(PROFILE_NAMES))
            for n, item in enumerate(value) if not isinstance(item, str) or item.strip().lower() not in PROFILE_NAMES]


def selection(value):
    """The profiles ``dockersec_profiles`` selects, in PROFILE_NAMES order (checked first)."""
    if value is None:
        return list(PROFILE_NAMES)
    wanted = set(item.strip().lower() for item in _names(value))
    return [name for name in PROFILE_NAMES if name in wanted]


def _custom_rule(entry):
    """The RULE (evaluate/rules.py) a custom control stands for: query = its expression."""
    rule = {"query": entry.get("expression"), "compare": entry.get("compare", "eq"),
            "missing": entry.get("missing", common.ERROR)}
    if "expected" in entry:
        rule["expected"] = entry["expected"]
    return rule


def custom_control_errors(value, name="dockersec_custom_controls"):
    """Problems of ``dockersec_custom_controls`` (null: none), each naming the entry by index and id."""
    if value is None:
        return []
    if not isinstance(value, list):
        return ["%s must be a list of controls {%s}, got %s %s"
                % (name, ", ".join(CUSTOM_KEYS), engine.type_name(value), engine.show(value))]
    errors, seen = [], set()
    cis_ids = set((catalog.cis_profile() or {}).get("by_id") or ())
    for n, entry in enumerate(value):
        where = "%s[%d]" % (name, n)
        if not isinstance(entry, dict):
            errors.append("%s must be a dict with keys %s, got %s" % (where, ", ".join(CUSTOM_KEYS), engine.show(entry)))
            continue
        cid = entry.get("id")
        where = "%s (id %s)" % (where, cid if isinstance(cid, str) else "?")
        unknown = sorted(str(k) for k in entry if k not in CUSTOM_KEYS)
        if unknown:
            errors.append("%s: unknown key(s) %s (allowed: %s)" % (where, ", ".join(unknown), ", ".join(CUSTOM_KEYS)))
        if not isinstance(cid, str) or not _CUSTOM_ID_RE.match(cid):
            errors.append("%s: id must start with a letter and hold only letters, digits, '.', '_' and '-' "
                          "(at most 64), such as ORG-1; got %s" % (where, engine.show(cid)))
        elif cid in catalog.BY_ID or cid in cis_ids:
            errors.append("%s: id %s is already a catalog control's id: choose another (such as ORG-%s)"
                          % (where, cid, cid))
        elif cid in seen:
            errors.append("%s: id %s is used by an earlier custom control" % (where, cid))
        seen.add(cid)
        if not isinstance(entry.get("title"), str) or not entry["title"].strip():
            errors.append("%s: title must be a non-empty string, got %s" % (where, engine.show(entry.get("title"))))
        if entry.get("severity") not in SEVERITIES:
            errors.append("%s: severity must be one of %s, got %s"
                          % (where, ", ".join(SEVERITIES), engine.show(entry.get("severity"))))
        # The rule's own checks, named as the user wrote the keys (expression, not query). Without
        # jmespath no expression compiles: the first play says that once, for every control.
        errors.extend(m.replace(where + ".query", where + ".expression")
                      for m in rules.check_rule(_custom_rule(entry), where) if not m.endswith(rules.MISSING_MESSAGE))
    return errors


def _fail_under_error(value, name="dockersec_cis_fail_under"):
    if value is None:
        return []
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not 0 <= number <= 100:
        return ["%s must be a number from 0 to 100, got %s" % (name, engine.show(value))]
    return []


def settings(value):
    """``{"profiles", "custom_controls", "cis_fail_under"}`` as the engine uses them, from the
    inventory's values (any of them absent or null: the defaults). AuditInputError on a bad one."""
    value = common.as_dict(value)
    errors = (selection_errors(value.get("profiles")) + custom_control_errors(value.get("custom_controls"))
              + _fail_under_error(value.get("cis_fail_under")))
    if errors:
        raise engine.AuditInputError("; ".join(errors))
    threshold = value.get("cis_fail_under")
    return {"profiles": selection(value.get("profiles")),
            "custom_controls": [engine.plain(c) for c in value.get("custom_controls") or []],
            "cis_fail_under": None if threshold is None else float(threshold)}


def checklist_controls(selected):
    """The catalog controls the engine evaluates: none when the checklist is not selected."""
    return catalog.CONTROLS if "checklist" in selected else []


def unselected_checklist(doc, selected):
    """Without the checklist there is no score: say so with nulls, never with a 0 that reads Critical."""
    doc["profiles_selected"] = list(selected)
    if "checklist" not in selected:
        doc.update(score=None, earned=None, applicable=None, coverage=None, band=None, incomplete=False,
                   nothing_applicable=False, waivers=0)
    return doc


# -- evaluation --------------------------------------------------------------------------------

def _rule_check(rule):
    return lambda facts, opts: rules.evaluate_rule(rule, facts)


def _cis_result(rec, view, opts, waivers, attestations, today):
    if rec["kind"] == "reuses":
        status, evidence = engine._run_check(catalog.get(rec["reuses"]), view, opts)
    else:
        # A manual one (no kind) is ``manual`` from _run_check once its collectors are read.
        checks = {"evaluator": cis.CHECKS, "expr": {rec["id"]: _rule_check(rec["expr"])}}.get(rec["kind"], {})
        status, evidence = engine._run_check(rec, view, opts, checks)
    key = catalog.CIS_PREFIX + rec["id"]
    status, evidence = engine._apply_attestation(status, evidence, dict(rec, id=key), attestations.get(key), today)
    status, evidence, waiver = engine._apply_waiver(status, evidence, waivers.get(key), today)
    entry = dict((k, rec[k]) for k in ("id", "v180", "title", "section", "section_name", "level", "mode", "reuses",
                                       "fix"))
    entry.update(status=status, evidence=evidence or ["%s (the evaluator gave no detail)" % status])
    if waiver:
        entry["waiver"] = waiver
    return entry


def _cis(profile, view, opts, waivers, attestations, today):
    results = [_cis_result(rec, view, opts, waivers, attestations, today) for rec in profile["recommendations"]]
    automated = [r for r in results if r["mode"] == "automated"]
    decided = [r for r in automated if r["status"] in DECIDED]
    passed = len([r for r in decided if r["status"] == common.PASS])
    return {
        "title": profile["title"],
        "version": profile["version"],
        "counts": engine._count(results),
        "automated_decided": len(decided),
        "pass_rate": round(100.0 * passed / len(decided), 1) if decided else None,
        "fail_under": opts.get("_cis_fail_under"),
        "results": results,
    }


def _custom(controls, view, opts):
    results = []
    for control in controls:
        rule = _custom_rule(control)
        judge = {"id": control["id"], "requires": [], "mode": "automated"}
        status, evidence = engine._run_check(judge, view, opts, {control["id"]: _rule_check(rule)})
        results.append({"id": control["id"], "title": control["title"], "severity": control["severity"],
                        "status": status, "evidence": evidence or ["%s (the rule gave no detail)" % status],
                        "expression": control["expression"], "expected": control.get("expected")})
    return {"title": "Custom controls", "counts": engine._count(results), "results": results}


def evaluate_profiles(view, opts, waivers, attestations, today, selected, custom_controls):
    """The ``profiles`` of one daemon's result document (BRIEF C2), from that daemon's ``view``.

    ``waivers``/``attestations``: the engine's validated entries by id (``cis:<id>`` for the CIS
    ones); ``selected``: ``settings()["profiles"]``; ``custom_controls``: the checked inventory list.
    ``cis`` is there when selected and the catalog holds the profile; ``custom`` when any is given.
    """
    out = {}
    profile = catalog.cis_profile() if "cis" in selected else None
    if profile is not None:
        out["cis"] = _cis(profile, view, opts, waivers, attestations, today)
    if custom_controls:
        out["custom"] = _custom(custom_controls, view, opts)
    return out


# -- what other parts read ----------------------------------------------------------------------

def cis_summary(profiles):
    """``{"version", "pass_rate", "counts", "automated_decided"}`` of a result's CIS profile, or None:
    what item 46 (through ``opts["_cis_summary"]``) and the history line keep of it."""
    found = common.as_dict(common.as_dict(profiles).get("cis"))
    if not found:
        return None
    return dict((k, found.get(k)) for k in ("version", "pass_rate", "counts", "automated_decided"))


def gate(doc, threshold):
    """Why ``dockersec_cis_fail_under`` fails this host, else None: each daemon's CIS pass rate is
    held against it (the host is as strong as its weakest daemon)."""
    if threshold is None:
        return None
    subjects = [d for d in common.as_list(common.as_dict(doc).get("daemons")) if isinstance(d, dict)] or [doc]
    for subject in subjects:
        where = " on %s" % subject["name"] if len(subjects) > 1 and subject.get("name") else ""
        found = common.as_dict(common.as_dict(subject.get("profiles")).get("cis"))
        if not found:
            return ("dockersec_cis_fail_under is set but no CIS result was made%s (dockersec_profiles does not select "
                    "cis, or the catalog holds no CIS profile)" % where)
        if found.get("pass_rate") is None:
            return ("no automated CIS recommendation was decided%s: the CIS pass rate is not held against "
                    "dockersec_cis_fail_under %s" % (where, threshold))
        if found["pass_rate"] < threshold:
            return "CIS pass rate %.1f%%%s is below dockersec_cis_fail_under %s" % (found["pass_rate"], where, threshold)
    return None
