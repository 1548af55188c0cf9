"""Profile checks (module_utils/evaluate/inventory_check.py) and the action plugin docker_audit_profile that runs them first."""

import datetime
import types

import pytest

from ansible_collections.dockersec.hardening.plugins.action import docker_audit_profile as action
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check as profile

TODAY = "2026-06-01"


def waiver(**kw):
    entry = {"id": "3", "reason": "kernel update in the next window", "owner": "platform-team", "expires": "2026-12-31"}
    entry.update(kw)
    return entry


def attestation(**kw):
    entry = {"id": "47", "by": "security-office", "date": "2026-05-01",
             "evidence": "https://wiki.example.com/policy", "expires": "2027-05-01"}
    entry.update(kw)
    return entry


def check(**kw):
    kw.setdefault("today", TODAY)
    return profile.check_profile(**kw)


def test_a_good_profile_has_no_errors():
    assert check(fail_under=60, skip_controls=["8", 22, "X.8"],
                 waivers=[waiver(), waiver(id="22", expires=datetime.date(2026, 6, 1))],
                 attestations=[attestation(), attestation(id="13", date="2026-06-01", expires="2026-06-01")]) == []
    assert check() == []
    assert check(waivers=None, attestations=None, skip_controls=None) == []


@pytest.mark.parametrize("value", [0, 100, 72.5, "80"])
def test_fail_under_accepts_numbers_0_to_100(value):
    assert check(fail_under=value) == []


@pytest.mark.parametrize("value,message", [
    (101, "must be from 0 to 100, got 101"),
    (-1, "must be from 0 to 100, got -1"),
    ("high", "must be a number from 0 to 100, got 'high'"),
    (True, "must be a number from 0 to 100, got True"),
    (float("nan"), "must be a number from 0 to 100"),
])
def test_fail_under_refused(value, message):
    errors = check(fail_under=value)
    assert len(errors) == 1 and errors[0].startswith("dockersec_fail_under ") and message in errors[0]


def test_skip_controls_must_be_known_ids():
    assert check(skip_controls=["6", "nope", 99, True]) == [
        "dockersec_skip_controls[1]: unknown control id 'nope'",
        "dockersec_skip_controls[2]: unknown control id 99",
        "dockersec_skip_controls[3]: unknown control id True",
    ]
    assert check(skip_controls="6") == ["dockersec_skip_controls must be a list of control ids, got str '6'"]


def test_waiver_unknown_id_names_index_and_id():
    assert check(waivers=[waiver(), waiver(id="99")]) == ["dockersec_waivers[1] (id 99): unknown control id '99'"]


@pytest.mark.parametrize("key", ["reason", "owner"])
def test_waiver_missing_reason_or_owner(key):
    entry = waiver()
    del entry[key]
    assert check(waivers=[entry]) == ["dockersec_waivers[0] (id 3): missing %s" % key]
    assert check(waivers=[waiver(**{key: "  "})]) == [
        "dockersec_waivers[0] (id 3): %s must be a non-empty string, got '  '" % key]


def test_waiver_dates():
    assert check(waivers=[waiver(expires="2026-13-01")]) == [
        "dockersec_waivers[0] (id 3) expires: '2026-13-01' is not a real calendar date"]
    assert check(waivers=[waiver(expires="31/12/2026")]) == [
        "dockersec_waivers[0] (id 3) expires: '31/12/2026' is not a date of the form YYYY-MM-DD"]
    assert check(waivers=[waiver(expires="2026-05-31")]) == [
        "dockersec_waivers[0] (id 3): expired on 2026-05-31 (today is 2026-06-01): renew it or remove it"]
    entry = waiver()
    del entry["expires"]
    assert check(waivers=[entry]) == ["dockersec_waivers[0] (id 3): missing expires (YYYY-MM-DD)"]


def test_waiver_expiry_follows_today():
    assert check(waivers=[waiver(expires="2026-06-01")], today="2026-06-01") == []
    assert check(waivers=[waiver(expires="2026-06-01")], today="2026-06-02") == [
        "dockersec_waivers[0] (id 3): expired on 2026-06-01 (today is 2026-06-02): renew it or remove it"]


def test_waiver_unknown_keys_and_shapes():
    assert check(waivers=[waiver(expiry="2027-01-01")]) == [
        "dockersec_waivers[0] (id 3): unknown key expiry (allowed: id, reason, owner, expires)"]
    assert check(waivers=["3"]) == [
        "dockersec_waivers[0] must be a dict with keys id, reason, owner, expires, got '3'"]
    assert check(waivers={"id": "3"}) == [
        "dockersec_waivers must be a list of entries {id, reason, owner, expires}, got dict {'id': '3'}"]


def test_every_problem_of_a_host_is_reported_at_once():
    errors = check(waivers=[{"id": "99", "expires": "2020-01-01"}], attestations=[attestation(id="6", date="2027-01-01")])
    assert errors == [
        "dockersec_waivers[0] (id 99): unknown control id '99'",
        "dockersec_waivers[0] (id 99): missing reason",
        "dockersec_waivers[0] (id 99): missing owner",
        "dockersec_waivers[0] (id 99): expired on 2020-01-01 (today is 2026-06-01): renew it or remove it",
        "dockersec_attestations[0] (id 6): control 6 is automated (decided from facts); attestations are for manual "
        "and attestable controls only: 13, 27, 29, 32, 34, 37, 42, 43, 44, 47, 48, and the manual CIS recommendations (cis:<id>, docs/controls.md)",
        "dockersec_attestations[0] (id 6): date 2027-01-01 is in the future (today is 2026-06-01)",
    ]


def test_attestation_rules():
    assert check(attestations=[attestation(id="6")])[0].startswith(
        "dockersec_attestations[0] (id 6): control 6 is automated")
    assert check(attestations=[attestation(by="")]) == ["dockersec_attestations[0] (id 47): missing by"]
    entry = attestation()
    del entry["evidence"]
    assert check(attestations=[entry]) == ["dockersec_attestations[0] (id 47): missing evidence"]
    entry = attestation()
    del entry["date"]
    assert check(attestations=[entry]) == ["dockersec_attestations[0] (id 47): missing date (YYYY-MM-DD)"]
    assert check(attestations=[attestation(date="2026-5-1")]) == [
        "dockersec_attestations[0] (id 47) date: '2026-5-1' is not a date of the form YYYY-MM-DD"]
    assert check(attestations=[attestation(expires="2026-05-31")]) == [
        "dockersec_attestations[0] (id 47): expired on 2026-05-31 (today is 2026-06-01): renew it or remove it"]
    assert check(attestations=[attestation(date="2026-06-01", expires="2026-06-01")]) == []


def test_attestation_date_after_expiry():
    assert check(attestations=[attestation(date="2026-05-01", expires="2026-04-01")], today="2026-03-01") == [
        "dockersec_attestations[0] (id 47): date 2026-05-01 is in the future (today is 2026-03-01)",
        "dockersec_attestations[0] (id 47): date 2026-05-01 is after expires 2026-04-01",
    ]


def test_bad_today_is_the_only_answer():
    assert check(waivers=[waiver(id="99")], today="tomorrow") == [
        "dockersec_today: 'tomorrow' is not a date of the form YYYY-MM-DD"]


def test_today_defaults_to_the_clock():
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert profile.check_profile(waivers=[waiver(expires=tomorrow)]) == []
    assert "expired on %s" % yesterday in profile.check_profile(waivers=[waiver(expires=yesterday)])[0]


# -- the action plugin --------------------------------------------------------------------------


def run(args, check_mode=True, host="db1"):
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=check_mode,
                                 action="dockersec.hardening.docker_audit_profile")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/nonexistent"))
    plugin = action.ActionModule(task, connection, None, None, None)
    return plugin.run(task_vars={"inventory_hostname": host})


@pytest.mark.parametrize("check_mode", [True, False])
def test_action_fails_naming_host_and_entries(check_mode):
    res = run({"today": TODAY, "waivers": [waiver(), waiver(id="99"), waiver(id="5", expires="2026-01-01")]},
              check_mode=check_mode)
    assert res["failed"] and res["changed"] is False
    errors = ["dockersec_waivers[1] (id 99): unknown control id '99'",
              "dockersec_waivers[2] (id 5): expired on 2026-01-01 (today is 2026-06-01): renew it or remove it"]
    # Once, in the message: Ansible prints it twice already ([ERROR] and the result)
    assert "errors" not in res and res["error_count"] == 2
    assert res["msg"] == "db1: invalid dockersec profile, nothing was run: " + "; ".join(errors)


def test_action_passes_a_good_profile():
    res = run({"today": TODAY, "fail_under": "60", "skip_controls": ["8"], "waivers": [waiver()],
               "attestations": [attestation()]})
    assert not res.get("failed") and res["changed"] is False and res["errors"] == []
    assert res["msg"] == "db1: profile valid (1 waivers, 1 attestations, 1 skipped controls, fail under 60)"


def test_action_refuses_unknown_arguments():
    res = run({"today": TODAY, "bogus": 1})
    assert res["failed"] and res["msg"].startswith("db1: invalid arguments: ") and "bogus" in res["msg"]
