# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Declarative rules (evaluate/rules.py): the semantics the CIS profile and custom controls share."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import rules

VIEW = {
    "daemon_config": {"content": {"icc": False, "log-level": "info", "insecure-registries": []}},
    "files": {"/etc/docker/daemon.json": {"exists": True, "mode": "0644", "owner": "root"},
              "/var/run/docker.sock": {"exists": True, "mode": "0666", "owner": "root"}},
    "docker": {"containers": [{"name": "web", "privileged": False, "pids_limit": 100},
                              {"name": "db", "privileged": True, "pids_limit": None}]},
}


@pytest.mark.parametrize("rule, status", [
    ({"query": "daemon_config.content.icc", "compare": "eq", "expected": False}, "pass"),
    ({"query": "daemon_config.content.icc", "compare": "eq", "expected": True}, "fail"),
    ({"query": "daemon_config.content.\"log-level\"", "compare": "in", "expected": ["info", "warn"]}, "pass"),
    ({"query": "daemon_config.content.\"insecure-registries\"", "compare": "empty"}, "pass"),
    ({"query": "docker.containers[?privileged].name", "compare": "empty"}, "fail"),
    ({"query": "files.\"/etc/docker/daemon.json\".mode", "compare": "mode_at_most", "expected": "0644"}, "pass"),
    ({"query": "files.\"/var/run/docker.sock\".mode", "compare": "mode_at_most", "expected": "0660"}, "fail"),
    ({"query": "files.*.mode", "compare": "mode_at_most", "expected": "0644"}, "fail"),
    ({"query": "docker.containers[0].pids_limit", "compare": "ge", "expected": 1}, "pass"),
    ({"query": "daemon_config.content.\"userns-remap\"", "compare": "eq", "expected": "default"}, "error"),
    ({"query": "daemon_config.content.\"userns-remap\"", "compare": "eq", "expected": "default",
      "missing": "fail"}, "fail"),
    ({"query": "daemon_config.content.icc", "compare": "eq", "expected": False,
      "applies": "docker.swarm", "applies_reason": "swarm mode is off"}, "not_applicable"),
    ({"query": "daemon_config.content.\"log-level\"", "compare": "matches", "expected": "^(info|warn)$"}, "pass"),
])
def test_rule_verdicts(rule, status):
    assert rules.check_rule(rule) == []
    got, evidence = rules.evaluate_rule(rule, VIEW)
    assert got == status, evidence
    assert evidence


def test_a_value_it_cannot_judge_is_error_never_pass():
    rule = {"query": "daemon_config.content.\"log-level\"", "compare": "ge", "expected": 1}
    status, evidence = rules.evaluate_rule(rule, VIEW)
    assert status == "error" and "not a number" in evidence[0]
    status, evidence = rules.evaluate_rule(
        {"query": "daemon_config.content.icc", "compare": "mode_at_most", "expected": "0644"}, VIEW)
    assert status == "error"


def test_the_failing_items_are_the_evidence():
    status, evidence = rules.evaluate_rule({"query": "docker.containers[?privileged].name", "compare": "empty"}, VIEW)
    assert status == "fail" and '["db"]' in evidence[0]


def test_all_fails_on_any_failing_clause_and_names_it():
    rule = {"all": [{"query": "daemon_config.content.icc", "compare": "eq", "expected": False},
                    {"query": "files.\"/var/run/docker.sock\".owner", "compare": "eq", "expected": "root"},
                    {"query": "files.\"/var/run/docker.sock\".mode", "compare": "mode_at_most", "expected": "0660"}]}
    assert rules.check_rule(rule) == []
    status, evidence = rules.evaluate_rule(rule, VIEW)
    assert status == "fail" and len(evidence) == 1 and "docker.sock" in evidence[0]
    rule["all"][2]["expected"] = "0666"
    assert rules.evaluate_rule(rule, VIEW)[0] == "pass"
    rule["all"].append({"query": "nothing.here", "compare": "truthy"})
    assert rules.evaluate_rule(rule, VIEW)[0] == "error"


@pytest.mark.parametrize("rule, message", [
    ("icc", "must be a mapping"),
    ({"query": "a[", "compare": "eq", "expected": 1}, "not a valid JMESPath"),
    ({"query": "a", "compare": "like", "expected": 1}, "compare must be one of"),
    ({"query": "a", "compare": "eq"}, "needs an expected value"),
    ({"query": "a", "compare": "empty", "expected": []}, "takes no expected value"),
    ({"query": "a", "compare": "lt", "expected": "3"}, "must be a number"),
    ({"query": "a", "compare": "mode_at_most", "expected": 420}, "octal mode string"),
    ({"query": "a", "compare": "matches", "expected": "("}, "not a valid regular expression"),
    ({"query": "a", "compare": "eq", "expected": 1, "missing": "ok"}, "missing must be one of"),
    ({"query": "a", "compare": "eq", "expected": 1, "applies": "b"}, "applies needs an applies_reason"),
    ({"query": "a", "compare": "eq", "expected": 1, "expect": 1}, "unknown key(s) expect"),
    ({"all": []}, "non-empty list"),
])
def test_bad_rules_are_refused_with_the_reason(rule, message):
    errors = rules.check_rule(rule, "dockersec_custom_controls[0]")
    assert errors and message in " ".join(errors), errors
    assert all(e.startswith("dockersec_custom_controls[0]") for e in errors)
