# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Declarative rules: a JMESPath query over one daemon's facts, compared with an expected value.

Used by the CIS profile's simple recommendations (catalog ``expr``) and by the controls users
write themselves (``dockersec_custom_controls``). On the controller only: ``jmespath`` is a
controller requirement (requirements.txt, the EE); the targets never import this module.

A rule is ``{"query", "compare", "expected", "missing", "applies", "applies_reason"}`` or
``{"all": [rule, ...]}``. ``check_rule`` says what is wrong with one (messages, nothing raised);
``evaluate_rule`` judges a view and returns ``(status, evidence)``:

- ``applies`` (optional) is evaluated first: a falsy result is ``not_applicable`` with
  ``applies_reason``;
- a ``null`` query result (the path does not exist, a fact not gathered) is ``missing``
  (default ``error``): a rule never passes on a fact it did not see;
- a value the comparison cannot judge (a string where a number is compared, a mode that is not
  an octal string) is ``error`` naming the value, never ``pass``;
- ``all``: any failing clause fails the rule; else any error is ``error``; else every clause
  ``not_applicable`` is ``not_applicable``; else ``pass``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
    JMESPATH_IMPORT_ERROR = None
except ImportError as exc:  # checked in the first play: the message names the fix
    jmespath = None
    JMESPathError = Exception
    JMESPATH_IMPORT_ERROR = exc

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import common

MISSING_MESSAGE = ("the Python package jmespath is not installed on the controller: declarative rules (the CIS "
                   "profile, dockersec_custom_controls) need it; install requirements.txt "
                   "(pip install jmespath) in the Python that runs ansible-playbook")

# Operators that take no ``expected``.
UNARY = ("truthy", "falsy", "empty", "not_empty")
ORDERED = ("lt", "le", "gt", "ge")
COMPARES = ("eq", "ne") + ORDERED + ("in", "not_in", "contains", "not_contains", "matches", "mode_at_most") + UNARY
MISSING_STATUSES = (common.ERROR, common.FAIL, common.PASS, common.NA)
RULE_KEYS = ("query", "compare", "expected", "missing", "applies", "applies_reason")
_OCTAL_RE = re.compile(r"^0?[0-7]{3,4}$")
# Evidence shows at most this much of a value.
VALUE_WIDTH = 160


def available():
    """Why declarative rules cannot run here (a message), or None."""
    return MISSING_MESSAGE if jmespath is None else None


def _show(value):
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 3] + "..."


def _compile_error(expression):
    if jmespath is None:
        return MISSING_MESSAGE
    if not isinstance(expression, str) or not expression.strip():
        return "must be a non-empty JMESPath expression string, got %s" % _show(expression)
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        return "is not a valid JMESPath expression (%s): %s" % (str(exc).splitlines()[0], _show(expression))
    return None


def check_rule(rule, where="rule"):
    """Every problem of ``rule`` as messages prefixed with ``where``; [] when it can be evaluated."""
    if not isinstance(rule, dict):
        return ["%s must be a mapping, got %s" % (where, _show(rule))]
    if "all" in rule:
        clauses = rule["all"]
        extra = sorted(set(rule) - set(["all"]))
        errors = ["%s: 'all' takes no other keys, got %s" % (where, ", ".join(extra))] if extra else []
        if not isinstance(clauses, list) or not clauses:
            return errors + ["%s.all must be a non-empty list of rules" % where]
        for n, clause in enumerate(clauses):
            errors.extend(check_rule(clause, "%s.all[%d]" % (where, n)))
        return errors
    errors = []
    unknown = sorted(str(k) for k in rule if k not in RULE_KEYS)
    if unknown:
        errors.append("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(RULE_KEYS)))
    problem = _compile_error(rule.get("query"))
    if problem:
        errors.append("%s.query %s" % (where, problem))
    compare = rule.get("compare", "eq")
    if compare not in COMPARES:
        errors.append("%s.compare must be one of %s, got %s" % (where, ", ".join(COMPARES), _show(compare)))
    elif compare in UNARY:
        if "expected" in rule:
            errors.append("%s: compare %s takes no expected value" % (where, compare))
    elif "expected" not in rule:
        errors.append("%s: compare %s needs an expected value" % (where, compare))
    else:
        errors.extend(_expected_errors(where, compare, rule["expected"]))
    if rule.get("missing", common.ERROR) not in MISSING_STATUSES:
        errors.append("%s.missing must be one of %s, got %s"
                      % (where, ", ".join(MISSING_STATUSES), _show(rule.get("missing"))))
    if "applies" in rule:
        problem = _compile_error(rule["applies"])
        if problem:
            errors.append("%s.applies %s" % (where, problem))
        if not str(rule.get("applies_reason") or "").strip():
            errors.append("%s: applies needs an applies_reason (what a person reads when it does not apply)" % where)
    return errors


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _expected_errors(where, compare, expected):
    if compare in ORDERED and not _number(expected):
        return ["%s.expected must be a number for compare %s, got %s" % (where, compare, _show(expected))]
    if compare in ("in", "not_in") and not isinstance(expected, list):
        return ["%s.expected must be a list for compare %s, got %s" % (where, compare, _show(expected))]
    if compare == "matches":
        if not isinstance(expected, str):
            return ["%s.expected must be a regular expression string, got %s" % (where, _show(expected))]
        try:
            re.compile(expected)
        except re.error as exc:
            return ["%s.expected is not a valid regular expression (%s): %s" % (where, exc, _show(expected))]
    if compare == "mode_at_most" and not (isinstance(expected, str) and _OCTAL_RE.match(expected)):
        return ["%s.expected must be an octal mode string such as \"0644\", got %s" % (where, _show(expected))]
    return []


def file_mode(value):
    """A file mode as the files collector writes it ("0660"), as an int; None when it is not one."""
    if isinstance(value, str) and _OCTAL_RE.match(value):
        return int(value, 8)
    return None


def _compare(compare, value, expected):
    """(holds: True/False/None for cannot judge, what was seen)."""
    if compare == "eq":
        return value == expected, None
    if compare == "ne":
        return value != expected, None
    if compare in ORDERED:
        if not _number(value):
            return None, "%s is not a number" % _show(value)
        return {"lt": value < expected, "le": value <= expected, "gt": value > expected,
                "ge": value >= expected}[compare], None
    if compare == "in":
        return value in expected, None
    if compare == "not_in":
        return value not in expected, None
    if compare in ("contains", "not_contains"):
        if not isinstance(value, (list, str)) or (isinstance(value, str) and not isinstance(expected, str)):
            return None, "%s is neither a list nor a string to look in" % _show(value)
        found = expected in value
        return (found if compare == "contains" else not found), None
    if compare == "matches":
        if not isinstance(value, str):
            return None, "%s is not a string" % _show(value)
        return re.search(expected, value) is not None, None
    if compare == "mode_at_most":
        limit = file_mode(expected)
        modes = value if isinstance(value, list) else [value]
        parsed = [file_mode(m) for m in modes]
        if not modes or None in parsed:
            return None, "%s is not an octal file mode (or a list of them)" % _show(value)
        return all(m & ~limit == 0 for m in parsed), None
    if compare in ("truthy", "falsy"):
        return bool(value) == (compare == "truthy"), None
    # empty / not_empty
    if not isinstance(value, (list, dict, str)):
        return None, "%s is not a list, mapping or string" % _show(value)
    return (len(value) == 0) == (compare == "empty"), None


def _describe(rule, compare):
    if compare in UNARY:
        return "%s is %s" % (rule["query"], compare.replace("_", " "))
    return "%s %s %s" % (rule["query"], compare, _show(rule.get("expected")))


def describe(rule):
    """The rule in words, as the docs and evidence show it (``all``: its clauses joined by "and")."""
    if isinstance(rule, dict) and "all" in rule:
        return " and ".join(describe(clause) for clause in rule["all"])
    text = _describe(rule, rule.get("compare", "eq"))
    if "applies" in rule:
        text += " (only where %s)" % rule["applies"]
    return text


def _one(rule, view):
    compare = rule.get("compare", "eq")
    if "applies" in rule and not jmespath.search(rule["applies"], view):
        return common.NA, ["not applicable: %s" % rule["applies_reason"]]
    value = jmespath.search(rule["query"], view)
    wanted = _describe(rule, compare)
    if value is None:
        missing = rule.get("missing", common.ERROR)
        return missing, ["%s: the query found nothing (null), which counts as %s" % (wanted, missing)]
    holds, why = _compare(compare, value, rule.get("expected"))
    if holds is None:
        return common.ERROR, ["%s: cannot judge: %s" % (wanted, why)]
    return (common.PASS if holds else common.FAIL), ["%s: %s (found %s)" % (
        wanted, "holds" if holds else "does not hold", _show(value))]


def evaluate_rule(rule, view):
    """``(status, evidence)`` of ``rule`` (already checked by ``check_rule``) over ``view``."""
    if jmespath is None:
        return common.ERROR, [MISSING_MESSAGE]
    view = common.as_dict(view)
    try:
        if "all" not in rule:
            return _one(rule, view)
        outcomes = [evaluate_rule(clause, view) for clause in rule["all"]]
    except JMESPathError as exc:
        return common.ERROR, ["the rule could not be evaluated: %s" % str(exc).splitlines()[0]]
    statuses = [status for status, evidence in outcomes]
    every = [line for status, evidence in outcomes for line in evidence]
    for worst in (common.FAIL, common.ERROR):
        if worst in statuses:
            return worst, [line for status, evidence in outcomes if status == worst for line in evidence]
    if all(status == common.NA for status in statuses):
        return common.NA, every
    return common.PASS, every
