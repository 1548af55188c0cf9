"""The controller-side action plugin dockersec.hardening.docker_audit, driven without a play."""

import json
import os

import pytest

from audit_step import run
from conftest import REPO, make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.action import docker_audit as action
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inputs
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths

TODAY = "2026-11-23"


@pytest.fixture
def report_dir(tmp_path):
    return str(tmp_path)


def test_facts_default_to_ansible_facts_dockersec(report_dir):
    res = run({"today": TODAY, "report_dir": report_dir}, {"ansible_facts": {"dockersec": make_facts()}})
    assert not res.get("failed") and res["changed"] is False
    doc = res["dockersec_audit"]
    assert doc["host"] == "node1" and doc["generated_at"].endswith("Z") and len(doc["controls"]) == 50
    assert res["msg"].startswith("score %.1f/100 (%s), coverage %.1f%%, 0 waived: " % (
        doc["score"], doc["band"], doc["coverage"]))
    assert "%d pass" % doc["counts"]["pass"] in res["msg"]


def test_missing_facts_fail_clearly(report_dir):
    res = run({"today": TODAY, "report_dir": report_dir})
    assert res["failed"] and "node1" in res["msg"] and "run dockersec.hardening.docker_host_facts" in res["msg"]


def test_input_errors_fail_naming_host_and_entry(report_dir):
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir,
               "waivers": [{"id": "99", "reason": "r", "expires": "2027-01-01"}]})
    assert res["failed"] and res["msg"].startswith("node1: dockersec_waivers[0]") and "unknown control id" in res["msg"]
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir, "options": {"nope": 1}})
    assert res["failed"] and "dockersec_options.nope" in res["msg"]


def test_invalid_arguments_fail(report_dir):
    res = run({"facts": make_facts(), "report_dir": report_dir, "bogus": 1})
    assert res["failed"] and "bogus" in res["msg"]


def test_fail_under(report_dir):
    facts = make_facts()
    res = run({"facts": facts, "today": TODAY, "report_dir": report_dir, "fail_under": 100.0})
    score = res["dockersec_audit"]["score"]
    assert score < 100.0 and res["failed"]
    assert res["msg"] == "node1: score %.1f is below dockersec_fail_under 100.0" % score
    res = run({"facts": facts, "today": TODAY, "report_dir": report_dir, "fail_under": score})
    assert not res.get("failed")


def _waive_all_but(cid):
    return [{"id": c, "reason": "r", "owner": "o", "expires": "2027-01-01"}
            for c in catalog.SCORED_IDS if c != cid]


def test_fail_under_fails_an_incomplete_host_unless_told_otherwise(report_dir, monkeypatch):
    monkeypatch.setitem(audit.CHECKS, "1", lambda facts, opts: ("pass", ["forced pass"]))
    args = {"facts": make_facts(), "today": TODAY, "report_dir": report_dir, "waivers": _waive_all_but("1")}
    res = run(dict(args, fail_under=90.0))
    doc = res["dockersec_audit"]
    assert (doc["score"], doc["band"], doc["coverage"], doc["waivers"]) == (100.0, "Incomplete", 2.0, 49)
    assert res["failed"] and res["msg"].startswith("node1: coverage 2.0% is below dockersec_min_coverage 50.0")
    assert not run(dict(args, fail_under=90.0, fail_incomplete=False)).get("failed")
    # The inventory variables count when the playbook passes no argument.
    assert not run(dict(args, fail_under=90.0), {"dockersec_fail_incomplete": "no"}).get("failed")
    res = run(dict(args, fail_under=90.0), {"dockersec_min_coverage": 1})
    assert not res.get("failed") and res["dockersec_audit"]["band"] == "Excellent"
    # Without a threshold nothing fails: the band says Incomplete.
    assert not run(args).get("failed")


def test_min_coverage_out_of_range_fails_clearly(report_dir):
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir, "min_coverage": 150})
    assert res["failed"] and res["msg"] == "node1: dockersec_min_coverage must be a number between 0 and 100, got 150.0"


def test_history_of_this_host_only_and_corrupt_lines_skipped(report_dir):
    path = os.path.join(report_dir, report_paths.HISTORY_FILE)
    with open(path, "w") as f:
        f.write(json.dumps({"host": "node1", "generated_at": "2026-11-20T00:00:00Z", "score": 80.0}) + "\n")
        f.write("{not json\n\x00\xff\n[1, 2]\n")
        f.write(json.dumps({"host": "other", "generated_at": "2026-11-22T00:00:00Z", "score": 10.0}) + "\n")
    assert inputs.read_history(path, "node1") == [{"host": "node1", "generated_at": "2026-11-20T00:00:00Z",
                                                   "score": 80.0}]
    assert inputs.read_history(os.path.join(report_dir, "missing.jsonl"), "node1") == []
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir})
    c49 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "49"][0]
    # One recorded audit of node1 (the other host's does not count) is no cadence yet.
    assert c49["status"] == "fail" and "1 recorded audit of this host" in c49["evidence"][0], c49
    with open(path, "a") as f:
        f.write(json.dumps({"host": "node1", "generated_at": "2026-10-01T00:00:00Z", "score": 70.0}) + "\n")
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir})
    c49 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "49"][0]
    assert c49["status"] == "pass", c49


def test_docker_bench_log_path_is_read_on_the_controller(report_dir, tmp_path):
    facts = make_facts()
    facts["tools"]["docker_bench"] = None
    bench = os.path.join(REPO, "tests", "data", "docker-bench", "docker-bench-security.log.json")
    res = run({"facts": facts, "today": TODAY, "report_dir": report_dir,
               "options": {"docker_bench_log_path": bench}})
    c46 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "46"][0]
    assert c46["status"] == "pass" and "3 PASS, 2 WARN, 1 INFO, 1 NOTE (score 1 of 7 checks)" in c46["evidence"][0]
    # A directory: the newest *.json counts; an empty one is named in the evidence.
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = inputs.read_bench_log(str(empty))
    assert summary["error"] == "%s: no *.json files" % empty
    res = run({"facts": facts, "today": TODAY, "report_dir": report_dir, "options": {"docker_bench_log_path": str(empty)}})
    c46 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "46"][0]
    assert c46["status"] == "error" and "no *.json files" in " ".join(c46["evidence"])


def test_inventory_export_on_by_default_and_off_by_option(report_dir):
    facts = make_facts(containers=[make_container("web", compose_project="shop", compose_service="web",
                                                  env_names=["DB_PASSWORD"])])
    doc = run({"facts": facts, "today": TODAY, "report_dir": report_dir})["dockersec_audit"]
    assert doc["inventory"] == [{"name": "web", "image": facts["docker"]["containers"][0]["image"], "state": "running",
                                 "compose_project": "shop", "compose_service": "web", "swarm_service": None,
                                 "user": "1000:1000", "daemon": "default"}]
    doc = run({"facts": facts, "today": TODAY, "report_dir": report_dir,
               "options": {"inventory_export": False}})["dockersec_audit"]
    assert "inventory" not in doc


def test_scan_report_path_feeds_item_13(report_dir, tmp_path):
    facts = make_facts()
    image_ref = facts["docker"]["containers"][0]["image"]
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "nginx.json").write_text(json.dumps({
        "SchemaVersion": 2, "CreatedAt": "2026-11-22T10:00:00Z", "ArtifactName": image_ref,
        "Metadata": {"ImageID": "sha256:" + "1" * 64, "RepoTags": ["nginx:1.27"]},
        "Results": [{"Vulnerabilities": [{"Severity": "HIGH"}, {"Severity": "CRITICAL"}]}]}))
    res = run({"facts": facts, "today": TODAY, "report_dir": report_dir,
               "options": {"scan_report_path": str(scans)}})
    c13 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "13"][0]
    assert c13["status"] == "fail" and "1 CRITICAL" in " ".join(c13["evidence"])


def test_read_trivy_results(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({
        "ArtifactName": "app:1", "CreatedAt": "2026-11-01T00:00:00Z",
        "Metadata": {"ImageID": "sha256:abc", "RepoTags": ["app:1"], "RepoDigests": ["app@sha256:def"]},
        "Results": [{"Vulnerabilities": [{"Severity": "CRITICAL"}]}, {"Vulnerabilities": None}]}))
    (tmp_path / "b.json").write_text(json.dumps({
        "ArtifactName": "app:1", "CreatedAt": "2026-11-20T00:00:00Z", "Results": []}))
    (tmp_path / "old-format.json").write_text(json.dumps({"ArtifactName": "old:1", "Results": []}))
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text("[]")
    out = inputs.read_trivy_results(str(tmp_path))
    assert out["images"]["app:1"]["critical"] == 0 and out["images"]["app:1"]["created"].startswith("2026-11-20")
    assert out["images"]["sha256:abc"]["critical"] == 1 and "app@sha256:def" in out["images"]
    assert out["images"]["old:1"]["created"].endswith("Z")         # file mtime when CreatedAt is absent
    assert len(out["errors"]) == 2 and any("broken.json" in e for e in out["errors"])
    assert inputs.read_trivy_results(str(tmp_path / "missing.json"))["errors"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert inputs.read_trivy_results(str(empty)) == {"images": {}, "errors": ["%s: no *.json files" % empty]}


def test_deferred_controls_are_marked(report_dir):
    facts = make_facts()
    facts["daemon_config"]["content"]["log-level"] = "debug"
    doc = run({"facts": facts, "today": TODAY, "report_dir": report_dir,
               "deferred": [{"id": "7", "reason": "swarm active"}]})["dockersec_audit"]
    c7 = [c for c in doc["controls"] if c["id"] == "7"][0]
    assert c7["evidence"][0] == "remediation deferred: swarm active"


def test_result_is_json_serialisable(report_dir):
    res = run({"facts": make_facts(), "today": TODAY, "report_dir": report_dir,
               "attestations": [{"id": "47", "by": "a", "date": "2026-11-01", "evidence": "e", "expires": "2027-01-01"}]})
    json.dumps(res)


def test_module_stub_documents_the_action():
    import yaml
    from ansible_collections.dockersec.hardening.plugins.modules import docker_audit as stub
    doc = yaml.safe_load(stub.DOCUMENTATION)
    documented = set(doc["options"])
    assert documented == set(action.ARGUMENT_SPEC), documented ^ set(action.ARGUMENT_SPEC)
    for name, spec in action.ARGUMENT_SPEC.items():
        assert doc["options"][name]["type"] == spec["type"], name
    yaml.safe_load(stub.EXAMPLES)
    assert "dockersec_audit" in yaml.safe_load(stub.RETURN)


def test_the_action_only_wires_scoring_policy_and_input_readers_live_in_evaluate():
    # Issue 19: the action kept the gate, the deferred marking and the Trivy/docker-bench parsers.
    for name in ("gate", "_mark_deferred", "inventory", "read_trivy_results", "read_bench_log", "read_history"):
        assert not hasattr(action, name), name
    assert callable(audit.gate) and callable(audit.mark_deferred) and callable(audit.inventory)
    assert callable(inputs.read_trivy_results) and callable(inputs.read_bench_log) and callable(inputs.read_history)
    doc = {"score": 70.0, "coverage": 10.0, "min_coverage": 50.0, "incomplete": True, "waivers": 3}
    assert audit.gate(doc, None) is None
    assert audit.gate(doc, 80.0) == "score 70.0 is below dockersec_fail_under 80.0"
    assert audit.gate(doc, 60.0).startswith("coverage 10.0% is below dockersec_min_coverage 50.0 (band Incomplete")
    assert audit.gate(doc, 60.0, fail_incomplete=False) is None
