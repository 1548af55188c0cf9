"""The engine: catalog integrity, score math, waivers, attestations, collector failures, fuzzing."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import audit, catalog

TODAY = "2026-11-23"
ALL_GOVERNANCE = [{"id": i, "by": "sec", "date": "2026-11-01", "evidence": "https://wiki/x", "expires": "2027-11-01"}
                  for i in ("13", "29", "32", "34", "43", "44", "47", "48")]
HISTORY = [{"host": "h", "generated_at": "2026-11-20T00:00:00Z", "score": 90.0}]
FULL_OPTS = {"private_registries": ["docker.io/library"], "signature_policy": "/etc/containers/policy.json"}


def by_id(doc):
    return dict((c["id"], c) for c in doc["controls"] + doc["extended"])


def evaluate(facts=None, **kw):
    kw.setdefault("today", TODAY)
    return audit.evaluate(facts if facts is not None else make_facts(), **kw)


# ---------------------------------------------------------------- catalog

def test_catalog_has_50_items_in_10_sections_of_5_worth_100():
    assert catalog.SCORED_IDS == [str(i) for i in range(1, 51)]
    for section in range(1, 11):
        ids = [c["id"] for c in catalog.CONTROLS if c["section"] == section]
        assert ids == [str(i) for i in range((section - 1) * 5 + 1, section * 5 + 1)]
    assert sum(catalog.max_points(i) for i in catalog.SCORED_IDS) == 100


def test_catalog_extended_and_fields():
    assert len(catalog.EXTENDED_IDS) >= 12
    assert len(set(c["id"] for c in catalog.CONTROLS)) == len(catalog.CONTROLS)
    collectors = {"docker", "daemon_config", "dockerd_process", "files", "audit", "sshd", "iptables", "host",
                  "services", "mounts", "environment", "tools"}
    for c in catalog.CONTROLS:
        assert c["mode"] in catalog.MODES and c["scope"] in catalog.SCOPES
        assert set(c["requires"]) <= collectors, c["id"]
        assert c["title"] and c["check"] and c["fix"]


def test_every_non_manual_control_has_an_evaluator():
    for c in catalog.CONTROLS:
        if c["mode"] == "manual":
            assert c["id"] not in audit.CHECKS
        else:
            assert c["id"] in audit.CHECKS, c["id"]


def test_bands():
    assert catalog.band_for(100) == "Excellent" and catalog.band_for(90.0) == "Excellent"
    assert catalog.band_for(89.9) == "Good" and catalog.band_for(60) == "Acceptable (dev only)"
    assert catalog.band_for(59.9) == "Poor" and catalog.band_for(39.9) == "Critical"


# ---------------------------------------------------------------- score

def _perfect():
    return evaluate(make_facts(swarm=None), options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)


def test_fully_hardened_host_scores_by_definition():
    doc = _perfect()
    counts = doc["counts"]
    assert counts["fail"] == 0 and counts["error"] == 0 and counts["manual"] == 0, [
        (c["id"], c["status"], c["evidence"]) for c in doc["controls"] if c["status"] in ("fail", "error", "manual")]
    na = counts["not_applicable"]
    assert doc["applicable"] == 100 - 2 * na
    assert doc["earned"] == 2 * counts["pass"] == doc["applicable"]
    assert doc["score"] == 100.0 and doc["band"] == "Excellent"


def test_failures_lower_score_exactly():
    facts = make_facts()
    facts["docker"]["info"]["Driver"] = "aufs"                     # 9
    facts["daemon_config"]["content"]["log-level"] = "debug"       # 7
    doc = evaluate(facts, options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)
    assert by_id(doc)["9"]["status"] == "fail" and by_id(doc)["7"]["status"] == "fail"
    assert by_id(doc)["9"]["points"] == 0
    assert doc["earned"] == doc["applicable"] - 4
    assert doc["score"] == round(100.0 * doc["earned"] / doc["applicable"], 1)


def test_score_rounds_to_one_decimal():
    results = [{"status": "pass", "points": 2, "max_points": 2}] * 2 + \
              [{"status": "fail", "points": 0, "max_points": 2}] * 1 + \
              [{"status": "not_applicable", "points": 0, "max_points": 2}] * 47
    score, earned, applicable = audit.score_of(results)
    assert (earned, applicable, score) == (4, 6, 66.7)


def test_nothing_applicable_scores_100():
    results = [{"status": "waived", "points": 0, "max_points": 2}] * 50
    assert audit.score_of(results) == (100.0, 0, 0)


# ---------------------------------------------------------------- collectors / evaluator failures

def test_failed_collector_makes_exactly_its_controls_error():
    facts = make_facts()
    facts["collectors"]["sshd"] = {"ok": False, "error": "sshd -T failed: Missing privilege separation directory",
                                   "source": None, "seconds": 0}
    doc = evaluate(facts)
    errors = [c["id"] for c in doc["controls"] + doc["extended"] if c["status"] == "error"]
    assert errors == ["3"]
    assert "privilege separation" in by_id(doc)["3"]["evidence"][0]


def test_docker_unreachable_errors_name_the_reason():
    facts = make_facts()
    facts["collectors"]["docker"] = {"ok": False, "error": "connection refused at unix:///var/run/docker.sock",
                                     "source": None, "seconds": 0}
    doc = evaluate(facts)
    needing = [c["id"] for c in catalog.CONTROLS if "docker" in c["requires"]]
    for cid in needing:
        assert by_id(doc)[cid]["status"] == "error"
        assert "connection refused" in by_id(doc)[cid]["evidence"][0]
    assert by_id(doc)["3"]["status"] == "pass"


def test_crashing_evaluator_is_error_never_pass(monkeypatch):
    def boom(facts, opts):
        raise KeyError("x")
    monkeypatch.setitem(audit.CHECKS, "6", boom)
    assert by_id(evaluate())["6"]["status"] == "error"
    monkeypatch.setitem(audit.CHECKS, "6", lambda f, o: ("excellent", []))
    assert by_id(evaluate())["6"]["status"] == "error"


# ---------------------------------------------------------------- manual, attestations, waivers

def test_manual_items_need_attestation():
    doc = evaluate()
    for cid in ("34", "44", "47", "48"):
        assert by_id(doc)[cid]["status"] == "manual" and by_id(doc)[cid]["points"] == 0


def test_valid_attestation_earns_points_and_expired_fails():
    att = {"id": "47", "by": "alice", "date": "2026-10-01", "evidence": "https://wiki/policy", "expires": "2027-10-01"}
    c = by_id(evaluate(attestations=[att]))["47"]
    assert c["status"] == "pass" and c["points"] == 2 and "alice" in c["evidence"][0]
    att["expires"] = "2026-11-01"
    c = by_id(evaluate(attestations=[att]))["47"]
    assert c["status"] == "fail" and "expired on 2026-11-01" in " ".join(c["evidence"])


def test_attestation_does_not_override_failed_automated_check():
    facts = make_facts()
    facts["daemon_config"]["content"]["log-level"] = "debug"
    att = {"id": "7", "by": "x", "date": "2026-10-01", "evidence": "y", "expires": "2027-01-01"}
    assert by_id(evaluate(facts, attestations=[att]))["7"]["status"] == "fail"


def test_waiver_removes_points_from_applicable_then_expires_to_fail():
    facts = make_facts()
    facts["docker"]["info"]["Driver"] = "aufs"
    base = evaluate(facts)
    w = {"id": "9", "reason": "migration planned", "owner": "ops", "expires": "2027-01-01"}
    waived = evaluate(facts, waivers=[w])
    c = by_id(waived)["9"]
    assert c["status"] == "waived" and "migration planned" in c["evidence"][0] and "fail" in c["evidence"][0]
    assert waived["applicable"] == base["applicable"] - 2 and waived["earned"] == base["earned"]
    w["expires"] = "2026-11-22"
    c = by_id(evaluate(facts, waivers=[w]))["9"]
    assert c["status"] == "fail" and "waiver by ops expired on 2026-11-22" in " ".join(c["evidence"])


@pytest.mark.parametrize("entry,needle", [
    ({"id": "99", "reason": "r", "expires": "2027-01-01"}, "unknown control id"),
    ({"id": "9", "reason": "", "expires": "2027-01-01"}, "missing reason"),
    ({"id": "9", "reason": "r", "expires": "next year"}, "not a date"),
    ({"id": "9", "reason": "r", "expires": "2027-02-30"}, "not a real calendar date"),
    ("9", "must be a dict"),
])
def test_bad_waivers_are_refused(entry, needle):
    with pytest.raises(audit.AuditInputError, match=needle):
        evaluate(waivers=[entry])


@pytest.mark.parametrize("entry,needle", [
    ({"id": "47", "by": "a", "date": "2026-01-01", "expires": "2027-01-01"}, "missing evidence"),
    ({"id": "47", "by": "a", "date": "2026-13-01", "evidence": "e", "expires": "2027-01-01"}, "date"),
    ({"id": "47", "by": "a", "date": "2027-06-01", "evidence": "e", "expires": "2027-01-01"}, "after expires"),
])
def test_bad_attestations_are_refused(entry, needle):
    with pytest.raises(audit.AuditInputError, match=needle):
        evaluate(attestations=[entry])


@pytest.mark.parametrize("options,needle", [
    ({"no_such_option": 1}, "not a known option"),
    ({"max_image_size_mb": "200"}, "must be of type int"),
    ({"trusted_registries": "docker.io"}, "must be of type list"),
    ({"allow_single_manager": 1}, "must be of type bool"),
    ({"max_image_size_mb": True}, "must be of type int"),
])
def test_bad_options_are_refused_naming_the_option(options, needle):
    with pytest.raises(audit.AuditInputError, match=needle):
        evaluate(options=options)


def test_result_shape():
    doc = evaluate()
    assert len(doc["controls"]) == 50
    for c in doc["controls"] + doc["extended"]:
        assert set(["id", "section", "title", "status", "points", "max_points", "evidence", "cis"]) <= set(c)
        assert c["status"] in catalog.STATUSES and isinstance(c["evidence"], list) and c["evidence"]


# ---------------------------------------------------------------- robustness

_weird = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
                   st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                              max_size=3))


def _mutate(facts, paths_and_values):
    for path, value in paths_and_values:
        node = facts
        for key in path[:-1]:
            if isinstance(node, dict) and isinstance(node.get(key), (dict, list)):
                node = node[key]
            elif isinstance(node, list) and node and isinstance(key, int):
                node = node[key % len(node)]
            else:
                break
        else:
            if isinstance(node, dict):
                node[path[-1]] = value
            elif isinstance(node, list) and node:
                node[0] = value
    return facts


_PATHS = [("docker",), ("docker", "containers"), ("docker", "containers", 0), ("docker", "containers", 0, "user"),
          ("docker", "containers", 0, "ports"), ("docker", "containers", 0, "name"), ("docker", "info"),
          ("docker", "info", "SecurityOptions"), ("docker", "images"), ("docker", "networks"), ("docker", "swarm"),
          ("daemon_config", "content"), ("daemon_config", "content", "default-ulimits"), ("sshd", "effective"),
          ("audit", "live_rules"), ("iptables", "docker_user"), ("mounts", "entries"), ("files",), ("host",),
          ("services", "running"), ("collectors", "docker"), ("environment", "docker_content_trust"), ("tools",)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _weird), min_size=1, max_size=6))
def test_malformed_facts_never_crash_and_every_status_is_valid(mutations):
    facts = _mutate(make_facts(containers=[make_container(name="a;$(rm -rf /)`x`"), make_container("ünï")]),
                    mutations)
    doc = audit.evaluate(facts, today=TODAY)
    for c in doc["controls"] + doc["extended"]:
        assert c["status"] in catalog.STATUSES
        assert isinstance(c["evidence"], list) and all(isinstance(e, str) for e in c["evidence"])
    assert 0.0 <= doc["score"] <= 100.0


@given(st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3)))
def test_garbage_instead_of_facts(garbage):
    doc = audit.evaluate(garbage, today=TODAY)
    # Nothing was gathered, so nothing may pass; controls that read only the controller-side
    # history (49) may still fail on their own terms.
    assert not [c["id"] for c in doc["controls"] + doc["extended"] if c["status"] == "pass"]
    assert all(c["status"] == "error" for c in doc["controls"] if catalog.get(c["id"])["requires"])


def test_huge_container_list_is_linear_enough():
    containers = [make_container("c%d" % i, user="") for i in range(2000)]
    doc = audit.evaluate(make_facts(containers=containers), today=TODAY)
    c16 = by_id(doc)["16"]
    assert c16["status"] == "fail" and "2000 of 2000" in c16["evidence"][0]
    assert len(c16["evidence"]) <= 22


def test_evaluate_does_not_mutate_facts():
    facts = make_facts()
    before = copy.deepcopy(facts)
    audit.evaluate(facts, today=TODAY)
    assert facts == before
