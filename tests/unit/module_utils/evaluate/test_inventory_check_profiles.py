"""The first play's check of the profile variables (issue 21): dockersec_profiles, dockersec_cis_fail_under,
dockersec_custom_controls, cis:<id> waivers and attestations, and jmespath on the controller."""

import types

import pytest

from cis_fixture import raw_profile

from ansible_collections.dockersec.hardening.plugins.action import docker_audit_profile as action
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check, rules

TODAY = "2026-06-01"
CUSTOM = {"id": "ORG-1", "title": "Live restore is on", "expression": "daemon_config.content.\"live-restore\"",
          "expected": True, "severity": "high"}


@pytest.fixture
def fixture_profile(monkeypatch):
    profile = catalog.load_cis(raw_profile())
    monkeypatch.setattr(catalog, "cis_profile", lambda: profile)
    return profile


def check(remediation=False, **variables):
    return inventory_check.check_variables(dict(("dockersec_" + k, v) for k, v in variables.items()), TODAY,
                                           remediation)


def test_the_new_variables_are_known_and_good_values_pass(fixture_profile):
    assert check(profiles=["checklist", "cis"], cis_fail_under=80, custom_controls=[CUSTOM]) == []
    assert check(profiles="cis", cis_fail_under="75.5") == []
    assert check(profiles=None, custom_controls=None) == []


@pytest.mark.parametrize("variables, message", [
    ({"profiles": ["checklist", "nist"]}, "dockersec_profiles[1]: 'nist' is not a profile"),
    ({"profiles": []}, "dockersec_profiles must be a non-empty list"),
    ({"cis_fail_under": 101}, "dockersec_cis_fail_under must be a number from 0 to 100"),
    ({"cis_fail_under": None}, "dockersec_cis_fail_under must be a number from 0 to 100, got null"),
    ({"custom_controls": [dict(CUSTOM, expression="daemon_config.[")]},
     "dockersec_custom_controls[0] (id ORG-1).expression is not a valid JMESPath expression"),
    ({"custom_controls": [dict(CUSTOM, id="7")]}, "dockersec_custom_controls[0] (id 7): id must start with a letter"),
    ({"custom_controls": [dict(CUSTOM, id="X.2")]}, "id X.2 is already a catalog control's id"),
    ({"profiles": ["cis"], "fail_under": 80}, "dockersec_fail_under gates the checklist score, but dockersec_profiles"),
    ({"profiles": ["checklist"], "cis_fail_under": 80}, "dockersec_cis_fail_under gates the CIS pass rate, but"),
])
def test_bad_values_stop_the_run_naming_the_variable(fixture_profile, variables, message):
    errors = check(**variables)
    assert any(message in e for e in errors), errors


def test_a_cis_gate_without_cis_data_is_refused(monkeypatch):
    monkeypatch.setattr(catalog, "cis_profile", lambda: None)
    assert check(cis_fail_under=80) == [
        "dockersec_cis_fail_under is set, but this collection's catalog holds no CIS profile to gate on"]


def test_remediation_needs_the_checklist(fixture_profile):
    assert check(profiles=["cis"]) == []
    assert check(remediation=True, profiles=["cis"]) == [
        "dockersec_profiles ['cis'] does not select checklist: remediate.yml fixes checklist controls, chosen by "
        "the checklist's verdicts"]


def test_cis_ids_in_waivers_and_attestations(fixture_profile):
    waiver = {"id": "cis:5.5", "reason": "r", "owner": "o", "expires": "2026-12-31"}
    attest = {"id": "cis:1.1.1", "by": "ops", "date": "2026-05-01", "evidence": "e", "expires": "2027-05-01"}
    assert check(waivers=[waiver], attestations=[attest]) == []
    errors = check(waivers=[dict(waiver, id="cis:9.9")], attestations=[dict(attest, id="cis:5.5")])
    assert "dockersec_waivers[0] (id cis:9.9): unknown control id 'cis:9.9'" in errors
    assert any(e.startswith("dockersec_attestations[0] (id cis:5.5): control cis:5.5 is automated") for e in errors)
    # A CIS id without its prefix is not the CIS recommendation.
    assert "dockersec_waivers[0] (id 5.5): unknown control id '5.5'" in check(waivers=[dict(waiver, id="5.5")])


def test_without_jmespath_the_first_play_stops_with_the_fix(fixture_profile, monkeypatch):
    monkeypatch.setattr(rules, "jmespath", None)
    errors = check()
    assert errors == [rules.MISSING_MESSAGE]
    assert check(custom_controls=[CUSTOM], profiles=["checklist"]) == [rules.MISSING_MESSAGE]
    # Nothing asks for a rule: the checklist alone runs without it.
    assert check(profiles=["checklist"]) == []
    task = types.SimpleNamespace(args={"variables": True}, async_val=0, check_mode=True,
                                 action="dockersec.hardening.docker_audit_profile")
    plugin = action.ActionModule(task, types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/x")), None, None,
                                 None)
    plugin._templar = types.SimpleNamespace(template=lambda value: value)
    res = plugin.run(task_vars={"inventory_hostname": "db1", "dockersec_today": TODAY})
    assert res["failed"] and res["msg"] == "db1: invalid dockersec profile, nothing was run: " + rules.MISSING_MESSAGE


def test_jmespath_missing_is_what_an_import_failure_gives(monkeypatch):
    # Simulated as Python would see it: the import raises, rules.py keeps the error and available() says why.
    import builtins
    import importlib

    real = builtins.__import__

    def no_jmespath(name, *args, **kwargs):
        if name.split(".")[0] == "jmespath":
            raise ImportError("No module named 'jmespath'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jmespath)
    try:
        reloaded = importlib.reload(rules)
        assert reloaded.jmespath is None and reloaded.available() == rules.MISSING_MESSAGE
        assert reloaded.evaluate_rule({"query": "a", "compare": "truthy"}, {"a": 1}) == ("error", [rules.MISSING_MESSAGE])
    finally:
        monkeypatch.setattr(builtins, "__import__", real)
        importlib.reload(rules)
    assert rules.available() is None


def test_remediate_yml_tells_the_first_play_it_remediates():
    import os
    import yaml
    from conftest import REPO
    flags = {}
    for name in ("audit.yml", "remediate.yml"):
        with open(os.path.join(REPO, "playbooks", name)) as f:
            first = yaml.safe_load(f)[0]["tasks"]
        flags[name] = [t.get("vars", {}).get("check_inputs_remediation") for t in first
                       if t.get("ansible.builtin.import_tasks") == "tasks/check_inputs.yml"]
    assert flags == {"audit.yml": [None], "remediate.yml": [True]}
    with open(os.path.join(REPO, "playbooks", "tasks", "check_inputs.yml")) as f:
        task = [t for t in yaml.safe_load(f) if "dockersec.hardening.docker_audit_profile" in t][0]
    assert task["dockersec.hardening.docker_audit_profile"]["remediation"] == (
        "{{ check_inputs_remediation | default(false) }}")


def test_the_profile_check_module_stub_documents_every_argument():
    import yaml
    from ansible_collections.dockersec.hardening.plugins.modules import docker_audit_profile as stub
    doc = yaml.safe_load(stub.DOCUMENTATION)
    assert set(doc["options"]) == set(action.ARGUMENT_SPEC)
    assert doc["options"]["remediation"]["type"] == "bool"
