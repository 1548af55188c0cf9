# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's audit profile, checked before anything runs on any host.

A profile is what inventory groups set for their hosts: ``dockersec_fail_under`` (threshold),
``dockersec_skip_controls`` (control ids no remediation role may touch), ``dockersec_waivers``
(``{id, reason, owner, expires}``) and ``dockersec_attestations`` (``{id, by, date, evidence,
expires}`` for manual and attestable controls).

The engine (audit.py) already refuses what it cannot use at all; this check is stricter on
purpose, because it runs first in audit.yml and remediate.yml and stops the run: a waiver or
attestation that has already expired, or an attestation dated in the future, is an inventory
to fix now, not a verdict to discover on the scorecard. Every problem of a host is reported
at once, each naming the entry by its index and id.

Pure: no Ansible, no clock unless ``today`` is omitted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.audit import AuditInputError, parse_date

WAIVER_KEYS = ("id", "reason", "owner", "expires")
ATTESTATION_KEYS = ("id", "by", "date", "evidence", "expires")
ATTESTABLE_MODES = ("manual", "attestable")


def _is_text(value):
    return isinstance(value, str) and bool(value.strip())


def _control_id(value):
    """The id as the catalog spells it (``6`` written unquoted in YAML is the control ``"6"``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _date(value, what, errors):
    try:
        return parse_date(value, what)
    except AuditInputError as exc:
        errors.append(str(exc))
        return None


def check_fail_under(value):
    """Errors of ``dockersec_fail_under``: a number from 0 to 100 (a numeric string from -e is fine)."""
    if value is None:
        return []
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or math.isnan(number):
        return ["dockersec_fail_under must be a number from 0 to 100, got %r" % (value,)]
    if not 0 <= number <= 100:
        return ["dockersec_fail_under must be from 0 to 100, got %r" % (value,)]
    return []


def check_skip_controls(value):
    """Errors of ``dockersec_skip_controls``: a list of catalog ids."""
    if value is None:
        return []
    if not isinstance(value, list):
        return ["dockersec_skip_controls must be a list of control ids, got %s %r" % (type(value).__name__, value)]
    errors = []
    for n, item in enumerate(value):
        cid = _control_id(item)
        if cid not in catalog.BY_ID:
            errors.append("dockersec_skip_controls[%d]: unknown control id %r" % (n, item))
    return errors


def _entry_errors(entries, kind, keys, today, check):
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["dockersec_%s must be a list of entries {%s}, got %s" % (kind, ", ".join(keys), type(entries).__name__)]
    errors = []
    for n, entry in enumerate(entries):
        where = "dockersec_%s[%d]" % (kind, n)
        if not isinstance(entry, dict):
            errors.append("%s must be a dict with keys %s, got %r" % (where, ", ".join(keys), entry))
            continue
        cid = _control_id(entry.get("id"))
        where = "%s (id %s)" % (where, cid or "?")
        found = []
        unknown = sorted(str(k) for k in entry if k not in keys)
        if unknown:
            found.append("%s: unknown key%s %s (allowed: %s)" % (
                where, "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(keys)))
        control = catalog.BY_ID.get(cid)
        if control is None:
            found.append("%s: unknown control id %r" % (where, entry.get("id")))
        for key in keys:
            if key in ("id", "date", "expires"):
                continue
            if not _is_text(entry.get(key)):
                found.append("%s: missing %s" % (where, key) if entry.get(key) in (None, "")
                             else "%s: %s must be a non-empty string, got %r" % (where, key, entry.get(key)))
        if "expires" not in entry or entry.get("expires") in (None, ""):
            found.append("%s: missing expires (YYYY-MM-DD)" % where)
            expires = None
        else:
            expires = _date(entry.get("expires"), "%s expires" % where, found)
        if expires is not None and expires < today:
            found.append("%s: expired on %s (today is %s): renew it or remove it" % (where, expires, today))
        if check is not None:
            found.extend(check(where, entry, control, expires, today))
        errors.extend(found)
    return errors


def _attestation_extra(where, entry, control, expires, today):
    found = []
    if control is not None and control["mode"] not in ATTESTABLE_MODES:
        found.append("%s: control %s is %s (decided from facts); attestations are for manual and attestable "
                     "controls only: %s" % (where, control["id"], control["mode"], ", ".join(attestable_ids())))
    if entry.get("date") in (None, ""):
        found.append("%s: missing date (YYYY-MM-DD)" % where)
        return found
    date = _date(entry.get("date"), "%s date" % where, found)
    if date is None:
        return found
    if date > today:
        found.append("%s: date %s is in the future (today is %s)" % (where, date, today))
    if expires is not None and date > expires:
        found.append("%s: date %s is after expires %s" % (where, date, expires))
    return found


def attestable_ids():
    return [c["id"] for c in catalog.CONTROLS if c["mode"] in ATTESTABLE_MODES]


def check_waivers(waivers, today):
    return _entry_errors(waivers, "waivers", WAIVER_KEYS, today, None)


def check_attestations(attestations, today):
    return _entry_errors(attestations, "attestations", ATTESTATION_KEYS, today, _attestation_extra)


def check_profile(fail_under=None, skip_controls=None, waivers=None, attestations=None, today=None):
    """Every problem of one host's profile, as messages (empty: the profile is good).

    ``today``: ``YYYY-MM-DD`` or a date (``dockersec_today``); the controller's date when omitted.
    """
    if today is None:
        today = datetime.date.today()
    else:
        try:
            today = parse_date(today, "dockersec_today")
        except AuditInputError as exc:
            # Without a valid date no expiry can be judged: that alone is the answer.
            return [str(exc)]
    return (check_fail_under(fail_under) + check_skip_controls(skip_controls)
            + check_waivers(waivers, today) + check_attestations(attestations, today))
