# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What a remediation run will do to the score, known before it runs.

From the audit before remediation and the controls each role will fix (its controls from the
remediation plan, less the ones it deferred), the predicted result: every such control that is
not passing turns to pass, everything else stays as it is. ``remediate.yml --check`` prints it;
after a real run the report sets it beside the actual score, so a fix that did not do what it
promised shows as a difference.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog

# A fix makes these pass; waived and not applicable controls are out of the score either way,
# and a manual one needs an attestation, which no role can give.
FLIPPABLE = ("fail", "error")


def fixes_from(plan, deferred):
    """``[{id, role}]``: the plan's controls that their role did not defer."""
    held = set(str(d.get("id")) for d in deferred or [] if isinstance(d, dict))
    out = []
    for step in plan or []:
        if not isinstance(step, dict):
            continue
        for cid in step.get("controls") or []:
            if str(cid) not in held:
                out.append({"id": str(cid), "role": str(step.get("role"))})
    return out


def _flip(subject, roles, flips):
    """``(score, earned, applicable)`` of ``subject`` (an audit result or one daemon's entry) once
    the roles turned their failing and error controls to pass; ``flips`` gets each such control."""
    scored = []
    for control in subject.get("controls") or []:
        entry = dict(control)
        cid = str(control.get("id"))
        if cid in roles and control.get("status") in FLIPPABLE:
            flips.append({"id": cid, "title": control.get("title"), "role": roles[cid], "from": control.get("status")})
            entry.update(status="pass", points=catalog.max_points(cid))
        scored.append(entry)
    for control in subject.get("extended") or []:
        cid = str(control.get("id"))
        if cid in roles and control.get("status") in FLIPPABLE:
            flips.append({"id": cid, "title": control.get("title"), "role": roles[cid], "from": control.get("status")})
    return engine.score_of(scored)


def _score(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def predict(before, fixes, deferred=None, stops=None):
    """The predicted result of remediation on the host audited as ``before`` (a ``dockersec_audit``).

    Returns ``{"score", "earned", "applicable", "band", "daemon", "held_by", "flips": [{id, title,
    role, from}], "deferred": [{id, reason}], "stops": [name]}``; ``flips`` are the scored and
    extended controls a role will turn from fail or error to pass; ``stops`` the running
    containers a dockerd restart the operator allowed (daemon_restart_running_containers) stops.

    The roles change the host and its primary daemon only, so the flips are the primary's
    (``catalog.primary_daemon``) and every other daemon keeps its current score: the host's
    forecast is the lowest of the primary's forecast and the others' scores (a tie goes to the
    primary), ``daemon`` names the daemon it is, ``held_by`` too when that is not the primary.
    """
    roles = dict((str(f["id"]), f["role"]) for f in fixes or [] if isinstance(f, dict) and "id" in f)
    before = before if isinstance(before, dict) else {}
    primary = catalog.primary_daemon(before)
    flips = []
    score, earned, applicable = _flip(primary, roles, flips)
    name = primary.get("name") if primary is not before else before.get("daemon")
    held_by = None
    for entry in before.get("daemons") or []:
        current = _score(entry.get("score")) if isinstance(entry, dict) and entry is not primary else None
        if current is not None and current < score:
            score, earned, applicable = current, entry.get("earned"), entry.get("applicable")
            name = held_by = entry.get("name")
    return {
        "score": score,
        "earned": earned,
        "applicable": applicable,
        "band": catalog.band_for(score),
        "daemon": name,
        "held_by": held_by,
        "flips": flips,
        "deferred": [{"id": str(d.get("id")), "reason": str(d.get("reason"))}
                     for d in deferred or [] if isinstance(d, dict)],
        "stops": sorted(str(n) for n in stops or [] if not isinstance(stops, (str, dict))),
    }


def lines(host, predicted, actual=None):
    """The terminal view: what each role would fix, what it defers and why, the predicted score."""
    out = ["dockersec remediation forecast: %s" % host]
    by_role = {}
    for flip in predicted.get("flips") or []:
        by_role.setdefault(flip["role"], []).append(flip["id"])
    for role in sorted(by_role, key=lambda r: catalog.REMEDIATION_ROLES.index(r)
                       if r in catalog.REMEDIATION_ROLES else len(catalog.REMEDIATION_ROLES)):
        out.append("  %s fixes: %s" % (role, ", ".join(by_role[role])))
    if not by_role:
        out.append("  no role changes a verdict")
    for item in predicted.get("deferred") or []:
        out.append("  deferred %s: %s" % (item["id"], item["reason"]))
    if predicted.get("stops"):
        out.append("  the dockerd restart stops %d running containers (daemon_restart_running_containers): %s"
                   % (len(predicted["stops"]), ", ".join(predicted["stops"])))
    held = "; daemon %s, which no role changes" % predicted["held_by"] if predicted.get("held_by") else ""
    text = "  Predicted score: %.1f / 100 (%s%s)" % (predicted["score"], predicted["band"], held)
    if actual is not None:
        text += "; actual %.1f (%s)" % (actual, "as predicted" if actual == predicted["score"] else
                                        "differs by %+.1f" % (actual - predicted["score"]))
    out.append(text)
    return out
