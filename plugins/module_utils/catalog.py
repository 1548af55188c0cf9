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
    return [_control(row) for row in data["controls"]], data["options"]


# The controls (checklist items 1-50, then the extended profile) and the audit options
# (dockersec_options) live as data in catalog.json beside this file; everything reads them here.
CONTROLS, OPTIONS = _load()
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
