# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
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
import difflib
import math

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.engine import (
    AuditInputError, option_errors, parse_date, plain, show, type_name
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report import formats as report_formats

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


def _as_number(value):
    """``value`` as a float (a number, or a numeric string as ``-e`` gives it), None when it is none or NaN."""
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or math.isnan(number):
        return None
    return number


def check_fail_under(value):
    """Errors of ``dockersec_fail_under``: a number from 0 to 100 (a numeric string from -e is fine)."""
    if value is None:
        return []
    number = _as_number(value)
    if number is None:
        return ["dockersec_fail_under must be a number from 0 to 100, got %s" % show(value)]
    if not 0 <= number <= 100:
        return ["dockersec_fail_under must be from 0 to 100, got %s" % show(value)]
    return []


def check_skip_controls(value):
    """Errors of ``dockersec_skip_controls``: a list of catalog ids."""
    if value is None:
        return []
    if not isinstance(value, list):
        return ["dockersec_skip_controls must be a list of control ids, got %s %s" % (type_name(value), show(value))]
    errors = []
    for n, item in enumerate(value):
        cid = _control_id(item)
        if cid not in catalog.BY_ID:
            errors.append("dockersec_skip_controls[%d]: unknown control id %s" % (n, show(item)))
    return errors


def _entry_errors(entries, kind, keys, today, check):
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["dockersec_%s must be a list of entries {%s}, got %s %s" % (
            kind, ", ".join(keys), type_name(entries), show(entries))]
    errors = []
    for n, entry in enumerate(entries):
        where = "dockersec_%s[%d]" % (kind, n)
        if not isinstance(entry, dict):
            errors.append("%s must be a dict with keys %s, got %s" % (where, ", ".join(keys), show(entry)))
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
            found.append("%s: unknown control id %s" % (where, show(entry.get("id"))))
        for key in keys:
            if key in ("id", "date", "expires"):
                continue
            if not _is_text(entry.get(key)):
                found.append("%s: missing %s" % (where, key) if entry.get(key) in (None, "")
                             else "%s: %s must be a non-empty string, got %s" % (where, key, show(entry.get(key))))
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


# -- every dockersec_* variable ------------------------------------------------------------------
#
# One spec for every variable the playbooks, roles and actions read, checked in the first play of
# audit.yml and remediate.yml before any host is touched. Null (an empty key in YAML) means "none"
# for a list or mapping variable, as the later plays read it too; a scalar must have a value (an
# empty ``dockersec_fail_under:`` would drop a gate without a word). Values from ``-e`` arrive as
# strings: numbers and booleans are accepted as Ansible would convert them.

_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f")
# Set by the playbooks themselves (register, set_fact, set_stats): present when a playbook
# imports audit.yml after remediate.yml, or an AWX workflow passes the previous node's stats.
OUTPUT_VARIABLES = ("dockersec_gather", "dockersec_audit_result", "dockersec_audit_before", "dockersec_failure",
                    "dockersec_report_result", "dockersec_plan", "dockersec_step", "dockersec_deferred",
                    "dockersec_restart_stops", "dockersec_daemon_change", "dockersec_hosts", "dockersec_fleet",
                    "dockersec_daemons")


def _got(value):
    if value is None:
        return "null (an empty key in YAML: give it a value or remove it)"
    return "%s %s" % (type_name(value), show(value))


def _number(low, high):
    def check(name, value):
        number = _as_number(value)
        if number is None or not low <= number <= high:
            return ["%s must be a number from %s to %s, got %s" % (name, low, high, _got(value))]
        return []
    return check


def _integer(low, high=None):
    def check(name, value):
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number < low or (high is not None and number > high):
            span = "from %s to %s" % (low, high) if high is not None else "of at least %s" % low
            return ["%s must be a whole number %s, got %s" % (name, span, _got(value))]
        return []
    return check


def _boolean(name, value):
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return []
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return []
    return ["%s must be true or false, got %s" % (name, _got(value))]


def _text(absolute=False, prefixes=None):
    def check(name, value):
        if not isinstance(value, str) or not value.strip():
            return ["%s must be a non-empty string, got %s" % (name, _got(value))]
        if absolute and not value.startswith(("/", "~")):
            return ["%s must be an absolute path, got %s" % (name, _got(value))]
        if prefixes and not value.startswith(prefixes):
            return ["%s must start with %s, got %s" % (name, " or ".join(prefixes), _got(value))]
        return []
    return check


def _string_list(choices=None, what="names", commas=False):
    """A list of strings (null: none); ``choices``: the allowed ones; ``commas``: ``"a,b"`` is the list too."""
    def check(name, value):
        if value is None:
            return []
        if commas and isinstance(value, str):
            value = [item for item in value.split(",") if item.strip()]
        if not isinstance(value, list):
            return ["%s must be a list of %s, got %s" % (name, what, _got(value))]
        errors = []
        for n, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                errors.append("%s[%d] must be a non-empty string, got %s" % (name, n, _got(item)))
            elif choices is not None and item.strip().lower() not in choices:
                errors.append("%s[%d]: %s is not one of %s" % (name, n, show(item), ", ".join(choices)))
        return errors
    return check


def _fix_controls(name, value):
    if value is None:
        return []
    if not isinstance(value, list):
        return ["%s must be a list of control ids, got %s" % (name, _got(value))]
    fixable = [c["id"] for c in catalog.CONTROLS if c.get("remediation_role")]
    return ["%s[%d]: no role fixes %s (the fixable controls are %s)" % (name, n, show(item), ", ".join(fixable))
            for n, item in enumerate(value) if _control_id(item) not in fixable]


def _serial(name, value):
    # The play keyword takes a batch size, a percentage, or a list of them (growing batches).
    items = value if isinstance(value, list) and value else [value]
    for item in items:
        text = item.strip() if isinstance(item, str) else item
        ok = (isinstance(text, int) and not isinstance(text, bool) and text >= 1) or (
            isinstance(text, str) and (text.isdigit() and int(text) >= 1
                                       or text.endswith("%") and text[:-1].isdigit() and 0 < int(text[:-1]) <= 100))
        if not ok:
            return ["%s must be a batch size (1 or more), a percentage such as '25%%' or a list of them, got %s"
                    % (name, _got(value))]
    return []


def _target(name, value):
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return []
    return _text()(name, value)


def _profile(name, value):
    return []  # checked by check_profile, with the date they are judged against


VARIABLES = {
    "dockersec_attestations": _profile,
    "dockersec_become": _boolean,
    "dockersec_daemon_json_path": _text(absolute=True),
    "dockersec_docker_host": _text(prefixes=("unix://", "tcp://", "ssh://", "/")),
    "dockersec_fail_incomplete": _boolean,
    "dockersec_fail_under": _number(0, 100),
    "dockersec_fix_controls": _fix_controls,
    "dockersec_max_fail_percentage": _integer(0, 100),
    "dockersec_min_coverage": _number(0, 100),
    "dockersec_options": lambda name, value: option_errors(value),
    "dockersec_prometheus_textfile_dir": _text(absolute=True),
    "dockersec_prometheus_textfile_in_check": _boolean,
    "dockersec_remediate_roles": _string_list(catalog.REMEDIATION_ROLES, "role names"),
    "dockersec_report_dir": _text(),
    "dockersec_report_formats": _string_list(
        tuple(report_formats.FORMATS) + tuple(sorted(report_formats.ALIASES)) + ("all",), "report formats", commas=True),
    "dockersec_serial": _serial,
    "dockersec_skip_controls": _profile,
    "dockersec_target": _target,
    "dockersec_today": _profile,
    "dockersec_waivers": _profile,
}

# A message lists at most this many problems: 10,000 bad waivers must not print megabytes.
MAX_ERRORS = 20


def check_variables(variables, today=None):
    """Every problem of the ``dockersec_*`` variables a host sees (``{name: value}``, the defined
    ones), as messages: the profile check above, then every other variable by its spec, then the
    names no part of the collection reads (a typo such as ``dockersec_fail_undr`` drops a gate)."""
    variables = dict((name, plain(value)) for name, value in variables.items())
    if variables.get("dockersec_today", today) is not None:
        today = variables.get("dockersec_today", today)
    elif "dockersec_today" in variables:
        return ["dockersec_today must be a date YYYY-MM-DD, got %s" % _got(None)]
    errors = check_profile(skip_controls=variables.get("dockersec_skip_controls"),
                           waivers=variables.get("dockersec_waivers"),
                           attestations=variables.get("dockersec_attestations"), today=today)
    for name in sorted(variables):
        check = VARIABLES.get(name)
        if check is not None:
            errors.extend(check(name, variables[name]))
        elif name not in OUTPUT_VARIABLES:
            close = difflib.get_close_matches(name, sorted(VARIABLES), 1, 0.8)
            errors.append("%s is not a variable of dockersec.hardening (%s)" % (
                name, "did you mean %s?" % close[0] if close else "they are %s" % ", ".join(sorted(VARIABLES))))
    return errors


def summary(errors, limit=MAX_ERRORS):
    """``errors`` joined for one message: the first ``limit``, then how many more."""
    shown = "; ".join(errors[:limit])
    if len(errors) > limit:
        shown += "; and %d more problem%s (fix these first)" % (len(errors) - limit,
                                                                "" if len(errors) - limit == 1 else "s")
    return shown
