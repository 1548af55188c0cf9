# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The catalog of controls: the single source of truth.

Audit, remediation, generated docs, reports and tests all read this module; nothing else
restates a control's id, title, points, CIS reference, remediation role or an audit option.
The controls and options themselves are data, in ``catalog.json`` beside this file; this
module loads them once, checks their shape and answers questions about them.

Ids ``1``..``50`` are the public item numbers of the 50-point checklist (2 points each,
100 in all). Ids ``X.n`` form the extended profile: reported with their own counts and
never mixed into the 100-point score.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

CATALOG_VERSION = 1
POINTS_PER_ITEM = 2

SECTIONS = {
    1: "Host Configuration",
    2: "Docker Daemon Configuration",
    3: "Image Security",
    4: "Container Runtime Security",
    5: "Network Security",
    6: "Secrets and Data Management",
    7: "Logging and Monitoring",
    8: "Orchestration Security",
    9: "Supply Chain Security",
    10: "Compliance and Governance",
}
EXTENDED_SECTION = "Extended"

# Rating bands of the checklist, lowest bound first match wins (score is 0-100).
BANDS = (
    (90.0, "Excellent"),
    (80.0, "Good"),
    (60.0, "Acceptable (dev only)"),
    (40.0, "Poor"),
    (0.0, "Critical"),
)
# The band of a host whose decided points (pass, fail, manual) fall below the coverage floor:
# its score says too little to claim a band (1 pass + 49 waivers would read "100 Excellent").
INCOMPLETE_BAND = "Incomplete"
DEFAULT_MIN_COVERAGE = 50.0
DECIDED_STATUSES = ("pass", "fail", "manual")

STATUSES = ("pass", "fail", "manual", "waived", "not_applicable", "error")

# Modes: automated = decided from facts; manual = earns points only from an attestation;
# attestable = decided from facts when evidence exists, otherwise an attestation may earn it.
MODES = ("automated", "manual", "attestable")

# Scopes tell the reader what "every in-scope object passes" ranges over.
SCOPES = ("host", "daemon", "container", "image", "network", "swarm", "governance")


# Least privilege: what each collector of docker_host_facts needs to read its facts. A control
# needs the most any of its collectors needs (``privilege_for``); docs/controls.md shows it.
# ``docker-api`` is access to the Engine API socket: root-equivalent, which is why the collection
# never asks for a user in the ``docker`` group and gathers with become instead.
PRIVILEGES = ("none", "docker-api", "root")
COLLECTOR_PRIVILEGE = {
    "host": ("none", "uname, /etc/os-release, /boot, /lib/modules: world-readable"),
    "services": ("none", "systemctl list-units, or /proc/*/comm"),
    "sshd": ("root", "sshd -T loads the host keys, which only root can read"),
    "audit": ("root", "auditctl -l needs CAP_AUDIT_CONTROL and /etc/audit is mode 0750 root"),
    "iptables": ("root", "iptables -S needs CAP_NET_ADMIN"),
    "mounts": ("none", "/proc/self/mountinfo, lsblk"),
    "files": ("none", "lstat of Docker's paths (needs only search permission on their parents)"),
    "daemon_config": ("none", "reads /etc/docker/daemon.json, mode 0644 by default (root when it is not "
                              "world-readable)"),
    "dockerd_process": ("none", "/proc/<dockerd>/cmdline and limits (root when /proc is mounted hidepid=2)"),
    "environment": ("none", "/etc/environment, /etc/profile.d"),
    "tools": ("none", "looks for binaries in the usual directories"),
    "daemons": ("docker-api", "/proc of every dockerd and each daemon's Engine API socket (a rootless daemon's "
                              "socket is its user's; root reads them all)"),
    "docker": ("docker-api", "the Engine API socket (root, or membership of the docker group, which is "
                             "root-equivalent)"),
}


def privilege_for(requires):
    """The least privilege that lets every collector in ``requires`` read its facts."""
    levels = [COLLECTOR_PRIVILEGE[name][0] for name in requires]
    return max(levels, key=PRIVILEGES.index) if levels else "none"


_DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog.json")


class CatalogError(ValueError):
    """catalog.json cannot be read or breaks the catalog's schema (a packaging or editing error)."""


def _unique_keys(pairs):
    # json.load keeps the last of two equal keys without a word: a second definition of an
    # option would silently replace the first.
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise CatalogError("%s defines %r twice" % (_DATA_FILE, key))
        seen[key] = value
    return seen


def _rule(row):
    # Every verdict mirrors the judged program's own rule: a control that cannot name it is a guess.
    rule = row["rule"]
    if not isinstance(rule, str) or not rule.strip():
        raise CatalogError("%s: control %r states no upstream rule (\"rule\")" % (_DATA_FILE, row.get("id")))
    return rule


def _control(row):
    """A catalog entry from its row in catalog.json: optional fields filled, privilege derived."""
    if not isinstance(row, dict):
        raise CatalogError("%s: a control must be an object, got %r" % (_DATA_FILE, row))
    try:
        return {
            "id": str(row["id"]),
            "section": row["section"],
            "title": row["title"],
            "cis": list(row["cis"]),
            "mode": row["mode"],
            "requires": list(row["requires"]),
            "privilege": privilege_for(row["requires"]),
            "scope": row["scope"],
            "check": row["check"],
            # The judged program's own rule the evaluator mirrors (upstream source file and
            # function, or the man page and its section): docs/controls.md prints it.
            "rule": _rule(row),
            "fix": row["fix"],
            "remediation_role": row.get("remediation_role"),
            "hazards": row.get("hazards"),
            # Remediation roles own controls by id; this lists the other ids one fix also serves.
            "related": list(row.get("related") or ()),
        }
    except (KeyError, TypeError) as exc:
        raise CatalogError("%s: control %r lacks or mistypes %s" % (_DATA_FILE, row.get("id"), exc))


def _load():
    try:
        with open(_DATA_FILE, "rb") as f:
            data = json.loads(f.read().decode("utf-8"), object_pairs_hook=_unique_keys)
    except (IOError, OSError, ValueError) as exc:
        raise CatalogError("cannot read the control catalog %s: %s" % (_DATA_FILE, exc))
    if not (isinstance(data, dict) and isinstance(data.get("controls"), list) and isinstance(data.get("options"), dict)):
        raise CatalogError("%s must be an object with a list \"controls\" and an object \"options\"" % _DATA_FILE)
    if data.get("catalog_version") != CATALOG_VERSION:
        raise CatalogError("%s is catalog_version %r, this code reads %r"
                           % (_DATA_FILE, data.get("catalog_version"), CATALOG_VERSION))
    if not isinstance(data.get("profiles", {}), dict):
        raise CatalogError("%s: \"profiles\" must be an object keyed by profile name" % _DATA_FILE)
    return [_control(row) for row in data["controls"]], data["options"], data.get("profiles") or {}


# The controls (checklist items 1-50, then the extended profile) and the audit options
# (dockersec_options) live as data in catalog.json beside this file; everything reads them here.
# The profiles beside the checklist (``profiles``, today the CIS Docker Benchmark) are checked on
# first use (``cis_profile``): their declarative rules need evaluate/rules.py, which imports this module.
CONTROLS, OPTIONS, _PROFILES = _load()
BY_ID = dict((c["id"], c) for c in CONTROLS)
SCORED_IDS = [c["id"] for c in CONTROLS if c["section"] != EXTENDED_SECTION]
EXTENDED_IDS = [c["id"] for c in CONTROLS if c["section"] == EXTENDED_SECTION]


def get(control_id):
    """Return the catalog entry for ``control_id`` (a string such as ``"6"`` or ``"X.3"``)."""
    return BY_ID[str(control_id)]


def is_scored(control_id):
    return not str(control_id).startswith("X.")


def max_points(control_id):
    return POINTS_PER_ITEM if is_scored(control_id) else 0


def band_for(score):
    """Return the checklist's rating band for a 0-100 score."""
    for lower, name in BANDS:
        if score >= lower:
            return name
    return BANDS[-1][1]


# ----------------------------------------------------------------------------- remediation

# The order remediate.yml runs the roles in: the daemon first (it turns live-restore on before
# anything else may restart dockerd), the swarm last (its leader changes the cluster once every
# node of the batch is fixed).
REMEDIATION_ROLES = ("daemon", "sshd", "auditd", "docker_user_chain", "docker_socket", "content_trust",
                     "container_limits", "updates", "swarm")
# Run only when dockersec_remediate_roles names them: they change running workloads or packages.
OPT_IN_ROLES = ("container_limits", "updates")
DEFAULT_REMEDIATION_ROLES = tuple(r for r in REMEDIATION_ROLES if r not in OPT_IN_ROLES)
# Roles of the collection outside the remediation plan: they fix no checklist control, so
# remediate.yml never runs them (not even when dockersec_remediate_roles names them); each has a
# playbook of its own. rootless switches a service account to rootless Docker (issue 20).
STANDALONE_ROLES = ("rootless",)


def normalize_ids(ids):
    """Control ids as the catalog spells them: ``3`` and ``"3"`` are the same item."""
    return [str(i).strip() for i in ids or [] if str(i).strip()]


def role_controls(role, skip=None, controls=None):
    """The ids ``role`` fixes, in catalog order, without the ``skip``ped ones."""
    skipped = set(normalize_ids(skip))
    return [c["id"] for c in (CONTROLS if controls is None else controls)
            if c.get("remediation_role") == role and c["id"] not in skipped]


def primary_daemon(audit):
    """The entry of the daemon the remediation roles change, the primary (rootful) one, in an audit
    result's ``daemons``; the result itself when it lists none (a result from before daemons were
    scored one by one). Its top level is the weakest daemon's, which may be one no role touches."""
    daemons = audit.get("daemons") if isinstance(audit, dict) else None
    for entry in daemons if isinstance(daemons, list) else []:
        if isinstance(entry, dict) and entry.get("primary") is True:
            return entry
    return audit


def verdicts_of(audit):
    """``{id: status}`` from an audit result (docker_audit's ``dockersec_audit``: its primary
    daemon's ``controls`` and ``extended`` lists) or from such a mapping already; ``None`` stays
    ``None`` (no audit)."""
    if audit is None:
        return None
    audit = primary_daemon(audit)
    if isinstance(audit, dict) and ("controls" in audit or "extended" in audit):
        rows = list(audit.get("controls") or []) + list(audit.get("extended") or [])
        return dict((str(r.get("id")), r.get("status")) for r in rows if isinstance(r, dict))
    if isinstance(audit, dict):
        return dict((str(k), v) for k, v in audit.items())
    raise ValueError("the before-audit's verdicts must be an audit result or a mapping of id to status, got %s"
                     % type(audit).__name__)


# The only verdict a role acts on by itself: pass, waived, not_applicable, manual and error
# leave the control's settings as they are (an error is an unknown, not a licence to rewrite).
FIXABLE_STATUS = "fail"


def remediation_plan(skip=None, roles=None, controls=None, verdicts=None, fix=None):
    """Which role fixes which controls on this run: the one place remediate.yml learns it from.

    ``roles``: the roles asked for (``None``: the default set, opt-in roles left out).
    ``verdicts``: the before-audit's ``{id: status}`` (see ``verdicts_of``); a role gets only its
    controls whose verdict is ``fail``, plus the ones the user names in ``fix``
    (``dockersec_fix_controls``) whatever their verdict. ``None`` (no audit): every control the
    role owns. ``skip`` wins over ``fix``. Returns ``[{"role", "controls", "skipped", "left"}]``
    (``left``: ``{id: verdict}`` of the controls left alone because they do not fail) in
    ``REMEDIATION_ROLES`` order, for the roles asked for that still have a control to fix; a role
    with nothing to fix is left out. An unknown role name, or a ``fix`` id no role owns, raises
    ``ValueError``.
    """
    controls = CONTROLS if controls is None else controls
    wanted = DEFAULT_REMEDIATION_ROLES if roles is None else tuple(str(r) for r in roles)
    unknown = [r for r in wanted if r not in REMEDIATION_ROLES]
    if unknown:
        raise ValueError("unknown remediation role(s) %s: the roles are %s"
                         % (", ".join(unknown), ", ".join(REMEDIATION_ROLES)))
    named = normalize_ids(fix)
    fixable = set(c["id"] for c in controls if c.get("remediation_role"))
    stray = [cid for cid in named if cid not in fixable]
    if stray:
        raise ValueError("dockersec_fix_controls: no role fixes %s (the fixable controls are %s)"
                         % (", ".join(stray), ", ".join(c["id"] for c in controls if c.get("remediation_role"))))
    named = set(named)
    skipped = set(normalize_ids(skip))
    plan = []
    for role in REMEDIATION_ROLES:
        if role not in wanted:
            continue
        owned = role_controls(role, controls=controls)
        fixes, left = [], {}
        for cid in owned:
            if cid in skipped:
                continue
            status = None if verdicts is None else verdicts.get(cid)
            if verdicts is None or status == FIXABLE_STATUS or cid in named:
                fixes.append(cid)
            else:
                left[cid] = status or "not audited"
        if fixes:
            plan.append({"role": role, "controls": fixes, "skipped": [cid for cid in owned if cid in skipped],
                         "left": left})
    return plan


def planned_controls(role, plan):
    """The controls ``plan`` (``remediation_plan``'s result) gives ``role``; none when it is not in it."""
    for step in plan or []:
        if isinstance(step, dict) and step.get("role") == role:
            return list(step.get("controls") or [])
    return []


# ----------------------------------------------------------------------------- the CIS profile

# Attestations and waivers name a CIS recommendation as ``cis:<id>`` (``cis:1.1.1``): the CIS ids
# overlap the checklist's ("5" is item 5, "5.26" a CIS id), so the prefix says which is meant.
CIS_PREFIX = "cis:"
CIS_MODES = ("automated", "manual")
CIS_LEVELS = (1, 2, None)
# How an automated recommendation is decided: exactly one of these keys (none for a manual one).
CIS_KINDS = ("reuses", "evaluator", "expr")
CIS_PROFILE_KEYS = ("title", "version", "v180_note", "sections", "recommendations")
CIS_KEYS = ("id", "v180", "title", "mode", "level", "requires", "check", "fix", "rule") + CIS_KINDS
_CIS_ID_RE = re.compile(r"^[1-9][0-9]*(\.[1-9][0-9]*){1,2}$")
# CIS Docker Benchmark v1.8.0 inserts 2.7 ("devicemapper storage driver is not used") and so
# renumbers v1.6.0's 2.7-2.18 as 2.8-2.19; every other id is unchanged.
V180_SHIFTED = ("2", 7, 18)


def v180_id(cis_id):
    """The CIS Docker Benchmark v1.8.0 id of the v1.6.0 recommendation ``cis_id``."""
    parts = str(cis_id).split(".")
    section, low, high = V180_SHIFTED
    if len(parts) == 2 and parts[0] == section and parts[1].isdigit() and low <= int(parts[1]) <= high:
        return "%s.%d" % (section, int(parts[1]) + 1)
    return str(cis_id)


def _cis_recommendation(row, sections, where, errors):
    """One recommendation, normalized; its problems appended to ``errors`` (None when unusable)."""
    if not isinstance(row, dict):
        errors.append("%s must be an object, got %r" % (where, row))
        return None
    rid = row.get("id")
    where = "%s (id %r)" % (where, rid)
    problems = []
    if not isinstance(rid, str) or not _CIS_ID_RE.match(rid):
        problems.append("id must be a dotted CIS number such as \"5.26\"")
    unknown = sorted(str(k) for k in row if k not in CIS_KEYS)
    if unknown:
        problems.append("unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(CIS_KEYS)))
    for key in ("title", "check"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            problems.append("%s must be a non-empty string" % key)
    if row.get("fix") is not None and not (isinstance(row["fix"], str) and row["fix"].strip()):
        problems.append("fix must be a non-empty string or absent")
    if row.get("mode") not in CIS_MODES:
        problems.append("mode must be one of %s, got %r" % (", ".join(CIS_MODES), row.get("mode")))
    if "level" not in row or row["level"] not in CIS_LEVELS or isinstance(row["level"], bool):
        problems.append("level must be 1, 2 or null (no public source gives it), got %r" % row.get("level", "nothing"))
    section = rid.split(".")[0] if isinstance(rid, str) else None
    if section is not None and section not in sections:
        problems.append("its section %s is not one of the profile's sections %s" % (section, ", ".join(sorted(sections))))
    if isinstance(rid, str):
        if row.get("v180") != v180_id(rid):
            problems.append("v180 must be %r (v1.8.0 renumbers only 2.7-2.18, as 2.8-2.19), got %r"
                            % (v180_id(rid), row.get("v180")))
    requires = row.get("requires", [])
    if not isinstance(requires, list) or any(name not in COLLECTOR_PRIVILEGE for name in requires):
        problems.append("requires must be a list of collectors (%s), got %r"
                        % (", ".join(sorted(COLLECTOR_PRIVILEGE)), requires))
        requires = []
    kinds = [k for k in CIS_KINDS if k in row]
    if row.get("mode") == "manual" and kinds:
        problems.append("a manual recommendation is decided by an attestation only: it takes no %s" % ", ".join(kinds))
    if row.get("mode") == "automated" and len(kinds) != 1:
        problems.append("an automated recommendation needs exactly one of %s, got %s"
                        % (", ".join(CIS_KINDS), ", ".join(kinds) or "none"))
    if "reuses" in row:
        control = BY_ID.get(str(row["reuses"])) if isinstance(row["reuses"], str) else None
        if control is None:
            problems.append("reuses %r, which is not a catalog control id" % (row["reuses"],))
        elif control["mode"] == "manual":
            problems.append("reuses %s, a manual control: it has no evaluator to reuse" % control["id"])
        else:
            requires = list(control["requires"])
    if "evaluator" in row and row["evaluator"] is not True:
        problems.append("evaluator must be true (its evaluator is evaluate/cis.py CHECKS[id]), got %r" % (row["evaluator"],))
    if "expr" in row:
        # Imported here, not at the top: evaluate/rules.py imports evaluate/common.py, which imports this module.
        from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import rules
        # Without jmespath a query cannot be compiled: the first play stops on that, with its own
        # message; every other problem of the rule is still found.
        problems.extend(m for m in rules.check_rule(row["expr"], "expr") if not m.endswith(rules.MISSING_MESSAGE))
    if problems:
        errors.extend("%s: %s" % (where, p) for p in problems)
        return None
    rec = dict((k, row.get(k)) for k in ("id", "v180", "title", "mode", "level", "check", "fix", "rule"))
    rec.update({
        "section": int(section),
        "section_name": sections[section],
        "requires": requires,
        "privilege": privilege_for(requires),
        "reuses": row.get("reuses"),
        "evaluator": row.get("evaluator") is True,
        "expr": row.get("expr"),
        "kind": kinds[0] if kinds else None,
    })
    return rec


def load_cis(raw, where="profiles.cis"):
    """The CIS profile from its catalog.json data (``profiles.cis``), checked; None when absent.

    Raises CatalogError naming every bad entry: ids unique, a v1.8.0 id consistent with the
    renumbering (``v180_id``), exactly one way to decide an automated recommendation and none for
    a manual one, ``reuses`` a catalog control, ``expr`` a rule ``rules.check_rule`` accepts, level
    1, 2 or null.
    """
    if raw is None:
        return None
    where = "%s: %s" % (_DATA_FILE, where)
    if not isinstance(raw, dict):
        raise CatalogError("%s must be an object" % where)
    errors = []
    unknown = sorted(str(k) for k in raw if k not in CIS_PROFILE_KEYS)
    if unknown:
        errors.append("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(CIS_PROFILE_KEYS)))
    for key in ("title", "version", "v180_note"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            errors.append("%s: %s must be a non-empty string" % (where, key))
    sections = raw.get("sections")
    if not isinstance(sections, dict) or not all(isinstance(k, str) and k.isdigit() and isinstance(v, str)
                                                 for k, v in sections.items()):
        errors.append("%s: sections must map section numbers (\"1\") to names" % where)
        sections = {}
    rows = raw.get("recommendations")
    if not isinstance(rows, list) or not rows:
        errors.append("%s: recommendations must be a non-empty list" % where)
        rows = []
    recs, seen = [], set()
    for n, row in enumerate(rows):
        rec = _cis_recommendation(row, sections, "%s.recommendations[%d]" % (where, n), errors)
        if rec is None:
            continue
        if rec["id"] in seen:
            errors.append("%s.recommendations[%d]: id %s is defined twice" % (where, n, rec["id"]))
        seen.add(rec["id"])
        recs.append(rec)
    if errors:
        raise CatalogError("; ".join(errors[:20]) + ("; and %d more" % (len(errors) - 20) if len(errors) > 20 else ""))
    return {
        "title": raw["title"],
        "version": raw["version"],
        "v180_note": raw["v180_note"],
        "sections": dict((int(k), v) for k, v in sections.items()),
        "recommendations": recs,
        "by_id": dict((r["id"], r) for r in recs),
    }


_CIS = []


def cis_profile():
    """The CIS profile (``load_cis`` of catalog.json's ``profiles.cis``), loaded once; None when the
    catalog has none. Unknown profile names are a catalog error too."""
    if not _CIS:
        stray = sorted(str(name) for name in _PROFILES if name != "cis")
        if stray:
            raise CatalogError("%s: unknown profile(s) %s (known: cis)" % (_DATA_FILE, ", ".join(stray)))
        _CIS.append(load_cis(_PROFILES.get("cis")))
    return _CIS[0]


def lookup(entry_id):
    """The catalog control ``entry_id`` names, or the CIS recommendation ``cis:<id>`` names; None when neither."""
    entry_id = str(entry_id)
    if entry_id.startswith(CIS_PREFIX):
        profile = cis_profile()
        return profile["by_id"].get(entry_id[len(CIS_PREFIX):]) if profile else None
    return BY_ID.get(entry_id)
