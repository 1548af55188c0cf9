"""The profiles beside the checklist (evaluate/profiles.py, BRIEF C2): a fixture CIS profile of each
kind of recommendation and custom controls, judged on the facts the checklist is judged on."""

import pytest

from cis_fixture import raw_profile
from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import cis, engine, profiles

TODAY = "2026-11-23"


@pytest.fixture
def fixture_profile(monkeypatch):
    profile = catalog.load_cis(raw_profile())
    monkeypatch.setattr(catalog, "cis_profile", lambda: profile)

    def userns(facts, opts):
        remap = (facts.get("docker") or {}).get("info", {}).get("SecurityOptions") or []
        return ("pass", ["userns in SecurityOptions"]) if "name=userns" in remap else ("fail", ["no userns"])
    monkeypatch.setitem(cis.CHECKS, "2.8", userns)
    return profile


def _cis(doc):
    return dict((r["id"], r) for r in doc["profiles"]["cis"]["results"])


def _facts(**docker):
    facts = make_facts()
    facts["docker"].setdefault("info", {})["SecurityOptions"] = ["name=seccomp,profile=builtin", "name=userns"]
    facts["docker"].update(docker)
    return facts


def test_each_kind_is_decided_and_counted(fixture_profile):
    doc = engine.evaluate(_facts(), today=TODAY)
    results = _cis(doc)
    assert [r["id"] for r in doc["profiles"]["cis"]["results"]] == ["1.1.1", "2.2", "2.8", "3.17", "5.5"]
    assert dict((i, r["status"]) for i, r in results.items()) == {
        "1.1.1": "manual", "2.2": "pass", "2.8": "pass", "3.17": "pass", "5.5": "pass"}
    # The reused control's own verdict and evidence, under the CIS id.
    checklist = dict((c["id"], c) for c in doc["controls"])
    assert results["2.2"]["evidence"] == checklist["7"]["evidence"] and results["2.2"]["reuses"] == "7"
    assert results["2.8"]["v180"] == "2.9" and results["2.8"]["level"] == 2
    assert results["3.17"]["section_name"] == "Docker daemon configuration files"
    cis_doc = doc["profiles"]["cis"]
    assert cis_doc["counts"] == {"pass": 4, "fail": 0, "manual": 1, "waived": 0, "not_applicable": 0, "error": 0}
    assert (cis_doc["automated_decided"], cis_doc["pass_rate"], cis_doc["fail_under"]) == (4, 100.0, None)
    assert cis_doc["version"] == "1.6.0" and "custom" not in doc["profiles"]


def test_failures_errors_and_the_pass_rate(fixture_profile, monkeypatch):
    facts = _facts(containers=[make_container("web"), make_container("root", privileged=True)])
    facts["docker"]["info"]["SecurityOptions"] = []
    facts["files"]["/etc/docker/daemon.json"]["mode"] = "0666"
    facts["collectors"]["daemon_config"] = {"ok": False, "error": "permission denied", "source": "x", "seconds": 0}
    doc = engine.evaluate(facts, today=TODAY)
    results = _cis(doc)
    assert results["5.5"]["status"] == "fail" and "root" in results["5.5"]["evidence"][0]
    assert results["3.17"]["status"] == "fail" and "mode" in " ".join(results["3.17"]["evidence"])
    assert results["2.8"]["status"] == "fail"
    # The reused item 7 needs daemon_config: its collector failed, so the recommendation is error too.
    assert results["2.2"]["status"] == "error" and "collector daemon_config failed" in results["2.2"]["evidence"][0]
    cis_doc = doc["profiles"]["cis"]
    assert (cis_doc["automated_decided"], cis_doc["pass_rate"]) == (3, 0.0)


def test_a_crashing_evaluator_is_error_and_a_missing_one_too(fixture_profile, monkeypatch):
    def boom(facts, opts):
        raise KeyError("SecurityOptions")
    monkeypatch.setitem(cis.CHECKS, "2.8", boom)
    result = _cis(engine.evaluate(_facts(), today=TODAY))["2.8"]
    assert result["status"] == "error" and "evaluator crashed: KeyError" in result["evidence"][0]
    monkeypatch.delitem(cis.CHECKS, "2.8")
    result = _cis(engine.evaluate(_facts(), today=TODAY))["2.8"]
    assert result["status"] == "error" and "no evaluator is registered" in result["evidence"][0]


def test_nothing_decided_gives_a_null_pass_rate(fixture_profile):
    facts = _facts()
    for name in list(facts["collectors"]):
        facts["collectors"][name] = {"ok": False, "error": "down", "source": "x", "seconds": 0}
    cis_doc = engine.evaluate(facts, today=TODAY)["profiles"]["cis"]
    assert cis_doc["automated_decided"] == 0 and cis_doc["pass_rate"] is None
    assert cis_doc["counts"]["error"] == 4


ATTEST = {"id": "cis:1.1.1", "by": "ops", "date": "2026-11-01", "evidence": "LVM volume /var/lib/docker",
          "expires": "2027-11-01"}


def test_manual_ones_follow_attestations_and_waivers_cis_ids(fixture_profile):
    doc = engine.evaluate(_facts(), today=TODAY, attestations=[ATTEST],
                          waivers=[{"id": "cis:5.5", "reason": "migration", "owner": "ops", "expires": "2027-01-01"}])
    results = _cis(doc)
    assert results["1.1.1"]["status"] == "pass" and "attested by ops" in results["1.1.1"]["evidence"][0]
    assert results["5.5"]["status"] == "waived" and results["5.5"]["waiver"]["original_status"] == "pass"
    counts = doc["profiles"]["cis"]["counts"]
    assert (counts["pass"], counts["waived"]) == (4, 1)
    # An attested manual one is not an automated decision: the rate stays over the automated ones.
    assert doc["profiles"]["cis"]["automated_decided"] == 3
    # The checklist's own item 5 is untouched by a cis: entry.
    assert [c["status"] for c in doc["controls"] if c["id"] == "5"] == ["pass"]


def test_an_expired_attestation_or_waiver_is_fail(fixture_profile):
    old = dict(ATTEST, date="2025-01-01", expires="2026-01-01")
    waiver = {"id": "cis:3.17", "reason": "r", "owner": "ops", "expires": "2026-01-01"}
    results = _cis(engine.evaluate(_facts(), today=TODAY, attestations=[old], waivers=[waiver]))
    assert results["1.1.1"]["status"] == "fail" and "attestation expired" in results["1.1.1"]["evidence"][0]
    assert results["3.17"]["status"] == "fail" and "waiver expired" in results["3.17"]["evidence"][0]


def test_an_attestation_of_an_automated_recommendation_is_ignored(fixture_profile):
    attest = dict(ATTEST, id="cis:5.5")
    facts = _facts(containers=[make_container("root", privileged=True)])
    result = _cis(engine.evaluate(facts, today=TODAY, attestations=[attest]))["5.5"]
    assert result["status"] == "fail" and "ignored" in result["evidence"][-1]


def test_unknown_cis_ids_are_refused(fixture_profile):
    with pytest.raises(engine.AuditInputError, match="unknown control id 'cis:9.9'"):
        engine.evaluate(_facts(), today=TODAY, attestations=[dict(ATTEST, id="cis:9.9")])


CUSTOM = [
    {"id": "ORG-1", "title": "Live restore is on", "expression": "daemon_config.content.\"live-restore\"",
     "expected": True, "severity": "high"},
    {"id": "ORG-2", "title": "No container runs privileged", "expression": "docker.containers[?privileged].name",
     "compare": "empty", "severity": "critical"},
    {"id": "ORG-3", "title": "A key nobody sets", "expression": "daemon_config.content.nothing",
     "expected": 1, "severity": "low", "missing": "not_applicable"},
]


def test_custom_controls_are_their_own_group_never_in_the_score(fixture_profile):
    plain = engine.evaluate(_facts(), today=TODAY)
    facts = _facts(containers=[make_container("root", privileged=True)])
    facts["daemon_config"]["content"]["live-restore"] = True
    doc = engine.evaluate(facts, today=TODAY, profile_settings={"custom_controls": CUSTOM})
    custom = doc["profiles"]["custom"]
    assert custom["title"] == "Custom controls"
    assert [(r["id"], r["status"], r["severity"]) for r in custom["results"]] == [
        ("ORG-1", "pass", "high"), ("ORG-2", "fail", "critical"), ("ORG-3", "not_applicable", "low")]
    assert custom["results"][1]["expression"] == "docker.containers[?privileged].name"
    assert custom["results"][1]["expected"] is None and custom["results"][0]["expected"] is True
    assert custom["counts"]["fail"] == 1
    assert len(doc["controls"]) == len(plain["controls"]) == 50
    assert "ORG-1" not in [c["id"] for c in doc["controls"] + doc["extended"]]


@pytest.mark.parametrize("entry, message", [
    ({"id": "1org", "title": "t", "expression": "host", "compare": "truthy", "severity": "low"}, "id must start"),
    ({"id": "X.1", "title": "t", "expression": "host", "compare": "truthy", "severity": "low"},
     "id X.1 is already a catalog control's id"),
    ({"id": "ORG-1", "title": "t", "expression": "host[", "compare": "truthy", "severity": "low"},
     "(id ORG-1).expression is not a valid JMESPath expression"),
    ({"id": "ORG-1", "title": "t", "expression": "host", "compare": "truthy", "severity": "urgent"},
     "severity must be one of low, medium, high, critical"),
    ({"id": "ORG-1", "title": "t", "expression": "host", "severity": "low"}, "compare eq needs an expected value"),
    ({"id": "ORG-1", "title": "t", "expression": "host", "compare": "lt", "expected": "x", "severity": "low"},
     "expected must be a number for compare lt"),
    ({"id": "ORG-1", "title": "", "expression": "host", "compare": "truthy", "severity": "low"}, "title must be"),
    ({"id": "ORG-1", "title": "t", "expression": "host", "compare": "truthy", "severity": "low", "sevrity": 1},
     "unknown key(s) sevrity"),
    ({"id": "ORG-1", "title": "t", "expression": "host", "compare": "truthy", "severity": "low",
      "missing": "ok"}, "missing must be one of"),
])
def test_a_bad_custom_control_is_refused_with_its_index_and_id(entry, message):
    errors = profiles.custom_control_errors([entry])
    assert any(message in e for e in errors), errors
    assert all(e.startswith("dockersec_custom_controls[0]") for e in errors)
    with pytest.raises(engine.AuditInputError, match="dockersec_custom_controls"):
        engine.evaluate(make_facts(), today=TODAY, profile_settings={"custom_controls": [entry]})


def test_custom_ids_must_be_unique_and_not_cis_ids(fixture_profile):
    errors = profiles.custom_control_errors([CUSTOM[0], dict(CUSTOM[1], id="ORG-1")])
    assert errors == ["dockersec_custom_controls[1] (id ORG-1): id ORG-1 is used by an earlier custom control"]
    assert profiles.custom_control_errors(CUSTOM) == []
    assert "must be a list" in profiles.custom_control_errors({"id": "ORG-1"})[0]


def test_unselected_profiles_are_neither_evaluated_nor_in_the_result(fixture_profile, monkeypatch):
    called = []
    monkeypatch.setitem(cis.CHECKS, "2.8", lambda facts, opts: called.append(1) or ("pass", ["x"]))
    doc = engine.evaluate(_facts(), today=TODAY, profile_settings={"profiles": ["checklist"]})
    assert doc["profiles"] == {} and called == [] and doc["profiles_selected"] == ["checklist"]
    assert len(doc["controls"]) == 50 and doc["score"] is not None


def test_without_the_checklist_there_is_no_score_and_no_fail_under_gate(fixture_profile, monkeypatch):
    ran = []
    monkeypatch.setitem(engine.CHECKS, "1", lambda facts, opts: ran.append(1) or ("pass", ["x"]))
    doc = engine.evaluate(_facts(), today=TODAY, profile_settings={"profiles": "cis"})
    assert ran == [] and doc["controls"] == [] and doc["extended"] == []
    assert (doc["score"], doc["band"], doc["coverage"]) == (None, None, None)
    assert doc["profiles"]["cis"]["pass_rate"] == 100.0
    assert "does not select the checklist" in engine.gate(doc, 80)


def test_selection_and_its_errors():
    assert profiles.selection(None) == ["checklist", "cis"]
    assert profiles.selection(["CIS", "checklist"]) == ["checklist", "cis"]
    assert profiles.selection("cis") == ["cis"]
    assert profiles.selection_errors([]) == [
        "dockersec_profiles must be a non-empty list of profiles from checklist, cis, got []"]
    assert profiles.selection_errors(["checklist", "nist"]) == [
        "dockersec_profiles[1]: 'nist' is not a profile (the profiles are checklist, cis)"]


def test_cis_gate_holds_each_daemons_pass_rate(fixture_profile):
    facts = _facts(containers=[make_container("root", privileged=True)])
    doc = engine.evaluate(facts, today=TODAY, profile_settings={"cis_fail_under": 80})
    assert doc["profiles"]["cis"]["fail_under"] == 80.0 and doc["profiles"]["cis"]["pass_rate"] == 75.0
    assert profiles.gate(doc, 80) == "CIS pass rate 75.0% is below dockersec_cis_fail_under 80"
    assert profiles.gate(doc, 75) is None and profiles.gate(doc, None) is None
    two = {"daemons": [dict(doc, name="root@unix:///var/run/docker.sock"),
                       {"name": "svc@unix:///run/user/1000/docker.sock",
                        "profiles": {"cis": {"pass_rate": 50.0}}}]}
    assert profiles.gate(two, 60) == ("CIS pass rate 50.0% on svc@unix:///run/user/1000/docker.sock is below "
                                      "dockersec_cis_fail_under 60")
    assert profiles.gate(two, 50) is None
    no_rate = {"profiles": {"cis": {"pass_rate": None}}}
    assert "no automated CIS recommendation was decided" in profiles.gate(no_rate, 10)
    assert "no CIS result" in profiles.gate({"profiles": {}}, 10)


def test_cis_fail_under_is_a_number_from_0_to_100():
    with pytest.raises(engine.AuditInputError, match="dockersec_cis_fail_under must be a number from 0 to 100"):
        engine.evaluate(make_facts(), today=TODAY, profile_settings={"cis_fail_under": 120})


def test_without_cis_data_the_result_is_as_before():
    # Until catalog.json holds profiles.cis, the default selection evaluates the checklist alone.
    if catalog.cis_profile() is not None:
        pytest.skip("the catalog holds the CIS profile")
    doc = engine.evaluate(make_facts(), today=TODAY)
    assert doc["profiles"] == {} and len(doc["controls"]) == 50


def test_item_46_credits_this_runs_cis_results_and_only_them(fixture_profile):
    facts = _facts()
    facts["tools"]["docker_bench"] = None
    c46 = [c for c in engine.evaluate(facts, today=TODAY)["controls"] if c["id"] == "46"][0]
    assert c46["status"] == "pass" and c46["evidence"][0].startswith(
        "this run's CIS Docker Benchmark 1.6.0 profile results: 4 pass, 1 manual; pass rate 100.0% of 4")
    c46 = [c for c in engine.evaluate(facts, today=TODAY, profile_settings={"profiles": ["checklist"]})["controls"]
           if c["id"] == "46"][0]
    assert c46["status"] == "fail"
