"""The engine: score math, collector failures, evaluator crashes, waivers, attestations, option
validation, result shape, and fuzzing with malformed facts."""

import copy
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_container, make_facts, make_image

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit

TODAY = "2026-11-23"
MANUAL_IDS = [c["id"] for c in catalog.CONTROLS if c["mode"] == "manual"]
ATTESTABLE_IDS = [c["id"] for c in catalog.CONTROLS if c["mode"] == "attestable"]


def attestation(cid, **kw):
    a = {"id": cid, "by": "sec-team", "date": "2026-11-01", "evidence": "https://wiki/x", "expires": "2027-11-01"}
    a.update(kw)
    return a


def waiver(cid, **kw):
    w = {"id": cid, "reason": "migration planned", "owner": "ops", "expires": "2027-01-01"}
    w.update(kw)
    return w


ALL_GOVERNANCE = [attestation(i) for i in MANUAL_IDS + ATTESTABLE_IDS]
HISTORY = [{"host": "h", "generated_at": "2026-08-30T00:00:00Z", "score": 85.0},
           {"host": "h", "generated_at": "2026-11-20T00:00:00Z", "score": 90.0}]
FULL_OPTS = {"private_registries": ["docker.io/library"], "signature_policy": "/etc/containers/policy.json"}


def by_id(doc):
    return dict((c["id"], c) for c in doc["controls"] + doc["extended"])


def evaluate(facts=None, **kw):
    kw.setdefault("today", TODAY)
    return audit.evaluate(facts if facts is not None else make_facts(), **kw)


@pytest.fixture
def all_pass(monkeypatch):
    """Every evaluator passes: the score math can be checked on exact numbers."""
    for cid in list(audit.CHECKS):
        monkeypatch.setitem(audit.CHECKS, cid, lambda facts, opts: ("pass", ["ok"]))

    def force(statuses):
        for cid, status in statuses.items():
            monkeypatch.setitem(audit.CHECKS, cid, lambda facts, opts, s=status: (s, ["forced %s" % s]))
    return force


# ---------------------------------------------------------------- score

def test_all_pass_scores_100_excellent(all_pass):
    doc = evaluate(attestations=[attestation(i) for i in MANUAL_IDS])
    assert doc["counts"]["pass"] == 50
    assert (doc["score"], doc["earned"], doc["applicable"], doc["band"]) == (100.0, 100, 100, "Excellent")
    assert doc["nothing_applicable"] is False


def test_five_fails_score_90(all_pass):
    all_pass(dict((str(i), "fail") for i in (1, 7, 12, 23, 41)))
    doc = evaluate(attestations=[attestation(i) for i in MANUAL_IDS])
    assert (doc["score"], doc["earned"], doc["applicable"], doc["band"]) == (90.0, 90, 100, "Excellent")
    assert doc["counts"]["fail"] == 5 and by_id(doc)["7"]["points"] == 0


def test_manual_without_attestation_earns_nothing(all_pass):
    doc = evaluate()
    assert doc["counts"]["manual"] == len(MANUAL_IDS) == 4
    assert (doc["earned"], doc["applicable"], doc["score"]) == (92, 100, 92.0)


def test_not_applicable_and_waived_leave_the_applicable_points(all_pass):
    all_pass({"36": "not_applicable", "37": "not_applicable", "9": "fail"})
    doc = evaluate(attestations=[attestation(i) for i in MANUAL_IDS], waivers=[waiver("9")])
    assert doc["counts"]["not_applicable"] == 2 and doc["counts"]["waived"] == 1
    assert (doc["earned"], doc["applicable"], doc["score"]) == (94, 94, 100.0)


def test_error_earns_nothing_but_stays_applicable(all_pass):
    all_pass({"4": "error"})
    doc = evaluate(attestations=[attestation(i) for i in MANUAL_IDS])
    assert (doc["earned"], doc["applicable"], doc["score"]) == (98, 100, 98.0)


def test_score_rounds_to_one_decimal(all_pass):
    # 47 not applicable, 2 pass, 1 fail: 4 / 6 = 66.666...
    statuses = dict((cid, "not_applicable") for cid in catalog.SCORED_IDS[:47] if cid not in MANUAL_IDS)
    statuses.update({"48": "pass", "49": "pass", "50": "fail"})
    all_pass(statuses)
    waivers = [waiver(i) for i in MANUAL_IDS if i not in ("48",)]
    doc = evaluate(waivers=waivers, attestations=[attestation("48")])
    assert (doc["earned"], doc["applicable"], doc["score"]) == (4, 6, 66.7)
    # 6 points decided out of 100: too few to claim a band, unless the floor is lowered.
    assert doc["coverage"] == 6.0 and doc["band"] == "Incomplete"
    doc = evaluate(waivers=waivers, attestations=[attestation("48")], min_coverage=5)
    assert doc["band"] == "Acceptable (dev only)"


@pytest.mark.parametrize("passes,applicable_items,score,band", [
    (45, 50, 90.0, "Excellent"), (44, 50, 88.0, "Good"), (40, 50, 80.0, "Good"), (39, 50, 78.0, "Acceptable (dev only)"),
    (30, 50, 60.0, "Acceptable (dev only)"), (29, 50, 58.0, "Poor"), (19, 50, 38.0, "Critical"), (0, 50, 0.0, "Critical"),
    (1, 3, 33.3, "Critical"), (2, 3, 66.7, "Acceptable (dev only)"),
])
def test_score_of_and_bands(passes, applicable_items, score, band):
    results = ([{"status": "pass", "points": 2, "max_points": 2}] * passes
               + [{"status": "fail", "points": 0, "max_points": 2}] * (applicable_items - passes)
               + [{"status": "not_applicable", "points": 0, "max_points": 2}] * (50 - applicable_items))
    got = audit.score_of(results)
    assert got == (score, 2 * passes, 2 * applicable_items)
    assert catalog.band_for(got[0]) == band


# ---------------------------------------------------------------- coverage (issue 11's gaming cases)

def test_one_pass_and_49_waivers_is_incomplete_not_excellent(all_pass):
    waivers = [waiver(cid) for cid in catalog.SCORED_IDS if cid != "1"]
    doc = evaluate(waivers=waivers)
    assert doc["score"] == 100.0
    assert doc["coverage"] == 2.0 and doc["waivers"] == 49
    assert doc["band"] == "Incomplete" and doc["incomplete"] is True


@pytest.fixture
def statuses(monkeypatch):
    """Every control, manual ones included, gets the status given by id (default pass)."""
    def force(by_id_status):
        monkeypatch.setattr(audit, "_run_check", lambda control, facts, opts, checks=None: (
            by_id_status.get(control["id"], "pass"), ["forced"]))
    return force


def test_ten_pass_and_40_not_applicable_is_incomplete(statuses):
    statuses(dict((cid, "not_applicable") for cid in catalog.SCORED_IDS[10:]))
    doc = evaluate()
    assert (doc["score"], doc["earned"], doc["applicable"]) == (100.0, 20, 20)
    assert doc["coverage"] == 20.0 and doc["waivers"] == 0
    assert doc["band"] == "Incomplete"


def test_dockerd_down_is_incomplete_not_critical():
    facts = make_facts()
    facts["docker"] = {"reachable": False, "api_version": None, "info": {}, "bridge_network": None,
                       "containers": [], "images": {}, "networks": [], "volumes_count": None, "swarm": None,
                       "local_state": {}}
    facts["collectors"]["docker"] = {"ok": False, "error": "connection refused at unix:///var/run/docker.sock: "
                                                           "dockerd is not running"}
    doc = evaluate(facts)
    assert doc["counts"]["error"] >= 25
    assert doc["coverage"] < 50 and doc["band"] == "Incomplete"


def test_coverage_counts_pass_fail_and_manual_only(statuses):
    ids = catalog.SCORED_IDS
    statuses(dict([(ids[0], "fail"), (ids[1], "manual"), (ids[2], "error"), (ids[3], "not_applicable")]))
    doc = evaluate(waivers=[waiver(ids[4])])
    assert doc["coverage"] == 94.0 and doc["band"] == "Excellent" and doc["incomplete"] is False
    assert doc["counts"]["manual"] == 1 and doc["waivers"] == 1


def test_min_coverage_moves_the_floor(statuses):
    statuses(dict((cid, "not_applicable") for cid in catalog.SCORED_IDS[30:]))
    assert evaluate()["band"] == "Excellent"
    doc = evaluate(min_coverage=61)
    assert doc["coverage"] == 60.0 and doc["min_coverage"] == 61.0 and doc["band"] == "Incomplete"
    assert evaluate(min_coverage=0)["band"] == "Excellent"


@pytest.mark.parametrize("value", [-1, 100.5, "lots", True, [50]])
def test_min_coverage_refused(value):
    with pytest.raises(audit.AuditInputError, match="dockersec_min_coverage must be a number between 0 and 100"):
        evaluate(min_coverage=value)


def test_nothing_applicable_scores_zero_with_a_flag(all_pass):
    waivers = [waiver(cid) for cid in catalog.SCORED_IDS]
    doc = evaluate(waivers=waivers)
    assert doc["counts"]["waived"] == 50
    assert (doc["score"], doc["earned"], doc["applicable"]) == (0.0, 0, 0)
    assert doc["nothing_applicable"] is True and doc["band"] == "Incomplete"
    assert doc["coverage"] == 0.0 and doc["waivers"] == 50
    assert audit.score_of([{"status": "waived", "points": 0, "max_points": 2}] * 50) == (0.0, 0, 0)


def test_extended_controls_never_touch_the_score(all_pass):
    all_pass(dict((cid, "fail") for cid in catalog.EXTENDED_IDS))
    doc = evaluate(attestations=[attestation(i) for i in MANUAL_IDS])
    assert doc["score"] == 100.0
    assert doc["extended_counts"]["fail"] == len(catalog.EXTENDED_IDS)
    assert all(c["max_points"] == 0 and c["points"] == 0 for c in doc["extended"])
    assert sum(doc["counts"].values()) == 50


def test_fully_hardened_fixture_host_scores_100():
    doc = evaluate(make_facts(), options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)
    counts = doc["counts"]
    assert counts["fail"] == counts["error"] == counts["manual"] == 0, [
        (c["id"], c["status"], c["evidence"]) for c in doc["controls"] if c["status"] in ("fail", "error", "manual")]
    assert doc["applicable"] == 100 - 2 * counts["not_applicable"]
    assert doc["earned"] == 2 * counts["pass"] == doc["applicable"]
    assert doc["score"] == 100.0 and doc["band"] == "Excellent"


def test_real_failures_lower_the_score_exactly():
    facts = make_facts()
    facts["docker"]["info"]["Driver"] = "aufs"                     # 9
    facts["daemon_config"]["content"]["log-level"] = "debug"       # 7
    base = evaluate(make_facts(), options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)
    doc = evaluate(facts, options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)
    assert by_id(doc)["9"]["status"] == "fail" and by_id(doc)["7"]["status"] == "fail"
    assert doc["earned"] == base["earned"] - 4 and doc["applicable"] == base["applicable"]
    assert doc["score"] == round(100.0 * doc["earned"] / doc["applicable"], 1)


# ---------------------------------------------------------------- collectors / evaluators

@pytest.mark.parametrize("collector", sorted(set(n for c in catalog.CONTROLS for n in c["requires"])))
def test_failed_collector_errors_exactly_the_controls_that_require_it(collector):
    facts = make_facts()
    facts["collectors"][collector] = {"ok": False, "error": "boom: permission denied", "source": None, "seconds": 0}
    doc = evaluate(facts, options=FULL_OPTS, attestations=ALL_GOVERNANCE, history=HISTORY)
    errors = set(c["id"] for c in doc["controls"] + doc["extended"] if c["status"] == "error")
    assert errors == set(c["id"] for c in catalog.CONTROLS if collector in c["requires"])
    level, why = catalog.COLLECTOR_PRIVILEGE[collector]
    for cid in errors:
        assert by_id(doc)[cid]["evidence"][0] == "collector %s failed: boom: permission denied" % collector
        assert by_id(doc)[cid]["points"] == 0
        # The privilege the collector needs follows the reason, except for collectors that need none.
        hint = ["collector %s needs %s privilege: %s" % (collector, level, why)] if level != "none" else []
        assert by_id(doc)[cid]["evidence"][1:] == hint


def test_missing_collector_entry_is_an_error():
    facts = make_facts()
    del facts["collectors"]["sshd"]
    c = by_id(evaluate(facts))["3"]
    assert c["status"] == "error" and "collector sshd did not run" in c["evidence"][0]


def test_collector_ok_must_be_true():
    facts = make_facts()
    facts["collectors"]["sshd"]["ok"] = "yes"
    assert by_id(evaluate(facts))["3"]["status"] == "error"


def test_crashing_evaluator_is_error_never_pass(monkeypatch):
    def boom(facts, opts):
        raise KeyError("Options")
    monkeypatch.setitem(audit.CHECKS, "6", boom)
    c = by_id(evaluate())["6"]
    assert c["status"] == "error" and c["evidence"] == ["evaluator crashed: KeyError: 'Options'"]


@pytest.mark.parametrize("bad", [lambda f, o: ("excellent", []), lambda f, o: ("waived", []), lambda f, o: None,
                                 lambda f, o: "pass", lambda f, o: ("pass",)])
def test_evaluator_returning_garbage_is_error(monkeypatch, bad):
    monkeypatch.setitem(audit.CHECKS, "6", bad)
    assert by_id(evaluate())["6"]["status"] == "error"


def test_evaluators_get_history_today_and_extra(monkeypatch):
    seen = {}

    def spy(facts, opts):
        seen.update(opts)
        return "pass", ["ok"]
    monkeypatch.setitem(audit.CHECKS, "49", spy)
    evaluate(history=HISTORY + ["garbage", None], extra={"scan_results": {"images": {}}})
    assert seen["_today"] == datetime.date(2026, 11, 23)
    assert seen["_history"] == HISTORY
    assert seen["_scan_results"] == {"images": {}}
    assert seen["max_image_size_mb"] == 200


def test_today_defaults_to_the_current_date(monkeypatch):
    seen = {}
    monkeypatch.setitem(audit.CHECKS, "49", lambda f, o: (seen.update(o) or "pass", ["ok"]))
    audit.evaluate(make_facts())
    assert seen["_today"] == datetime.date.today()


# ---------------------------------------------------------------- manual and attestations

def test_manual_items_are_manual_without_attestation():
    doc = evaluate()
    for cid in MANUAL_IDS:
        c = by_id(doc)[cid]
        assert c["status"] == "manual" and c["points"] == 0 and "dockersec_attestations" in c["evidence"][0]


def test_valid_attestation_passes_with_who_when_what():
    c = by_id(evaluate(attestations=[attestation("47", by="alice", evidence="https://wiki/policy")]))["47"]
    assert c["status"] == "pass" and c["points"] == 2
    assert c["evidence"] == ["attested by alice on 2026-11-01: https://wiki/policy (expires 2027-11-01)"]


def test_expired_attestation_fails():
    c = by_id(evaluate(attestations=[attestation("47", expires="2026-11-22")]))["47"]
    assert c["status"] == "fail" and c["evidence"][0].startswith("attestation expired on 2026-11-22")


def test_attestation_expiring_today_still_counts():
    assert by_id(evaluate(attestations=[attestation("47", expires=TODAY)]))["47"]["status"] == "pass"


def test_future_dated_attestation_is_ignored():
    c = by_id(evaluate(attestations=[attestation("47", date="2026-12-01", expires="2027-12-01")]))["47"]
    assert c["status"] == "manual" and "in the future" in " ".join(c["evidence"])


def test_attestable_control_is_attested_only_when_the_evaluator_says_manual():
    facts = make_facts()                               # 13: trivy installed, no results -> manual
    assert by_id(evaluate(facts))["13"]["status"] == "manual"
    assert by_id(evaluate(facts, attestations=[attestation("13")]))["13"]["status"] == "pass"
    facts["tools"]["trivy"] = None                     # no scanner at all -> fail, attestation can't help
    assert by_id(evaluate(facts, attestations=[attestation("13")]))["13"]["status"] == "fail"


def test_attestation_never_overrides_an_automated_control():
    facts = make_facts()
    facts["daemon_config"]["content"]["log-level"] = "debug"
    c = by_id(evaluate(facts, attestations=[attestation("7")]))["7"]
    assert c["status"] == "fail" and "ignored: item 7 is automated" in " ".join(c["evidence"])


def test_renewed_attestation_next_to_the_expired_one_counts():
    atts = [attestation("47", date="2025-01-01", expires="2025-12-31"), attestation("47")]
    assert by_id(evaluate(attestations=atts))["47"]["status"] == "pass"
    assert by_id(evaluate(attestations=list(reversed(atts))))["47"]["status"] == "pass"


@pytest.mark.parametrize("entry,needle", [
    ({"id": "47", "by": "a", "date": "2026-01-01", "expires": "2027-01-01"}, r"\[0\] \(id 47\): missing evidence"),
    ({"id": "47", "by": "", "date": "2026-01-01", "evidence": "e", "expires": "2027-01-01"}, "missing by"),
    ({"id": "47", "by": "a", "date": "2026-13-01", "evidence": "e", "expires": "2027-01-01"}, "not a real calendar"),
    ({"id": "47", "by": "a", "date": "1st May", "evidence": "e", "expires": "2027-01-01"}, "YYYY-MM-DD"),
    ({"id": "47", "by": "a", "date": "2026-01-01", "evidence": "e"}, "expires"),
    ({"id": "47", "by": "a", "date": "2027-06-01", "evidence": "e", "expires": "2027-01-01"}, "after expires"),
    ({"id": "470", "by": "a", "date": "2026-01-01", "evidence": "e", "expires": "2027-01-01"}, "unknown control id"),
    (["47"], "must be a dict"),
])
def test_bad_attestations_are_refused_naming_the_entry(entry, needle):
    with pytest.raises(audit.AuditInputError, match=needle) as err:
        evaluate(attestations=[entry])
    assert "dockersec_attestations[0]" in str(err.value)


def test_attestations_must_be_a_list():
    with pytest.raises(audit.AuditInputError, match="dockersec_attestations must be a list"):
        evaluate(attestations={"id": "47"})


def test_yaml_dates_are_accepted():
    a = attestation("47", date=datetime.date(2026, 11, 1), expires=datetime.date(2027, 11, 1))
    assert by_id(evaluate(attestations=[a], today=datetime.date(2026, 11, 23)))["47"]["status"] == "pass"


# ---------------------------------------------------------------- waivers

def test_waiver_keeps_the_original_status_and_evidence():
    facts = make_facts()
    facts["docker"]["info"]["Driver"] = "aufs"
    base = evaluate(facts)
    doc = evaluate(facts, waivers=[waiver("9")])
    c = by_id(doc)["9"]
    assert c["status"] == "waived" and c["points"] == 0
    assert c["evidence"][0] == ("waived by ops until 2027-01-01: migration planned (status without the waiver: "
                                "fail)")
    assert "storage driver aufs" in c["evidence"][1]
    assert c["waiver"] == {"owner": "ops", "expires": "2027-01-01", "reason": "migration planned",
                           "original_status": "fail"}
    assert doc["applicable"] == base["applicable"] - 2 and doc["earned"] == base["earned"]


def test_waiver_without_owner():
    c = by_id(evaluate(waivers=[{"id": "9", "reason": "r", "expires": "2027-01-01"}]))["9"]
    assert c["status"] == "waived" and "unknown owner" in c["evidence"][0]


def test_expired_waiver_fails_whatever_the_control_says():
    facts = make_facts()
    facts["docker"]["info"]["Driver"] = "aufs"
    c = by_id(evaluate(facts, waivers=[waiver("9", expires="2026-11-22")]))["9"]
    assert c["status"] == "fail" and c["points"] == 0
    assert c["evidence"][0].startswith("waiver expired on 2026-11-22 (by ops: migration planned)")
    c = by_id(evaluate(waivers=[waiver("9", expires="2026-11-22")]))["9"]
    assert c["status"] == "fail" and "status without the waiver: pass" in c["evidence"][0]


def test_waiver_applies_to_errors_and_extended_controls():
    facts = make_facts()
    facts["collectors"]["sshd"]["ok"] = False
    doc = evaluate(facts, waivers=[waiver("3"), waiver("X.2")])
    assert by_id(doc)["3"]["status"] == "waived" and "status without the waiver: error" in by_id(doc)["3"]["evidence"][0]
    assert by_id(doc)["X.2"]["status"] == "waived"


def test_integer_ids_from_yaml_are_accepted():
    assert by_id(evaluate(waivers=[waiver(9)]))["9"]["status"] == "waived"


@pytest.mark.parametrize("entry,needle", [
    ({"id": "99", "reason": "r", "expires": "2027-01-01"}, "unknown control id '99'"),
    ({"id": "X.99", "reason": "r", "expires": "2027-01-01"}, "unknown control id"),
    ({"reason": "r", "expires": "2027-01-01"}, "unknown control id"),
    ({"id": "9", "reason": "", "expires": "2027-01-01"}, "missing reason"),
    ({"id": "9", "reason": "r", "expires": "next year"}, "not a date of the form YYYY-MM-DD"),
    ({"id": "9", "reason": "r", "expires": "2027-02-30"}, "not a real calendar date"),
    ({"id": "9", "reason": "r", "expires": "2027-1-5"}, "YYYY-MM-DD"),
    ({"id": "9", "reason": "r"}, "expires"),
    ("9", "must be a dict"),
])
def test_bad_waivers_are_refused_naming_the_entry(entry, needle):
    with pytest.raises(audit.AuditInputError, match=needle) as err:
        evaluate(waivers=[waiver("1"), entry])
    assert "dockersec_waivers[1]" in str(err.value)


def test_input_is_validated_before_anything_is_evaluated(monkeypatch):
    called = []
    monkeypatch.setitem(audit.CHECKS, "1", lambda f, o: called.append(1) or ("pass", ["ok"]))
    with pytest.raises(audit.AuditInputError):
        evaluate(waivers=[{"id": "9", "reason": "r", "expires": "soon"}])
    with pytest.raises(audit.AuditInputError):
        evaluate(today="23.11.2026")
    assert called == []


# ---------------------------------------------------------------- options

@pytest.mark.parametrize("options,needle", [
    ({"no_such_option": 1}, "dockersec_options.no_such_option is not a known option"),
    ({"max_image_size_mb": "200"}, "dockersec_options.max_image_size_mb must be of type int"),
    ({"trusted_registries": "docker.io"}, "dockersec_options.trusted_registries must be of type list"),
    ({"allow_single_manager": 1}, "dockersec_options.allow_single_manager must be of type bool"),
    ({"max_image_size_mb": True}, "must be of type int"),
    ({"sshd_required": ["no"]}, "dockersec_options.sshd_required must be of type dict"),
    ({"scan_report_path": 5}, "must be of type str"),
    ({"scan_max_age_days": -1}, "dockersec_options.scan_max_age_days must be at least 0"),
    ({"_today": "2026-01-01"}, "not a known option"),
])
def test_bad_options_are_refused_naming_the_option(options, needle):
    with pytest.raises(audit.AuditInputError, match=needle.replace(".", r"\.")):
        evaluate(options=options)


def test_options_must_be_a_dict():
    with pytest.raises(audit.AuditInputError, match="must be a dict"):
        evaluate(options=["x"])


def test_options_used_merges_defaults_and_hides_private_keys():
    doc = evaluate(options={"max_image_size_mb": 50})
    used = doc["options_used"]
    assert used["max_image_size_mb"] == 50 and used["trusted_registries"] == ["docker.io/library"]
    assert set(used) == set(audit.OPTION_SPECS) and not [k for k in used if k.startswith("_")]


# ---------------------------------------------------------------- result shape

def test_result_shape_and_catalog_order():
    doc = evaluate()
    assert doc["schema_version"] == 1
    assert [c["id"] for c in doc["controls"]] == catalog.SCORED_IDS
    assert [c["id"] for c in doc["extended"]] == catalog.EXTENDED_IDS
    keys = {"id", "section", "section_name", "title", "status", "points", "max_points", "evidence", "cis", "mode",
            "fix", "remediation_role"}
    for c in doc["controls"] + doc["extended"]:
        assert keys <= set(c)
        assert c["status"] in catalog.STATUSES and isinstance(c["evidence"], list) and c["evidence"]
        assert c["points"] == (c["max_points"] if c["status"] == "pass" else 0)
        entry = catalog.get(c["id"])
        assert (c["title"], c["cis"], c["mode"], c["fix"]) == (entry["title"], entry["cis"], entry["mode"], entry["fix"])
    assert doc["controls"][0]["section_name"] == "Host Configuration"
    assert doc["extended"][0]["section_name"] == catalog.EXTENDED_SECTION
    assert set(doc["counts"]) == set(catalog.STATUSES) and sum(doc["counts"].values()) == 50
    assert sum(doc["extended_counts"].values()) == len(catalog.EXTENDED_IDS)


def test_result_is_json_serialisable():
    import json
    json.dumps(evaluate(waivers=[waiver("9")], attestations=[attestation("47")], history=HISTORY))


def test_evaluate_does_not_mutate_its_input():
    facts = make_facts()
    w, a = [waiver("9")], [attestation("47")]
    before = copy.deepcopy((facts, w, a))
    evaluate(facts, waivers=w, attestations=a)
    assert (facts, w, a) == before


# ---------------------------------------------------------------- robustness

_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
_weird = st.one_of(_json, st.sampled_from(["$(rm -rf /)", "`id`", "a;b|c&&d", "ünïcødé ☃", "../../etc/passwd",
                                           "-w /etc -p wa", "\x00nul", "' OR 1=1 --"]))


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
                if value == "<delete>":
                    node.pop(path[-1], None)
                else:
                    node[path[-1]] = value
            elif isinstance(node, list) and node:
                node[0] = value
    return facts


_SECTIONS = ["docker", "daemon_config", "dockerd_process", "files", "audit", "sshd", "iptables", "host", "services",
             "mounts", "environment", "tools", "collectors"]
_PATHS = [(s,) for s in _SECTIONS] + [
    ("docker", "containers"), ("docker", "containers", 0), ("docker", "containers", 0, "user"),
    ("docker", "containers", 0, "ports"), ("docker", "containers", 0, "ports", 0), ("docker", "containers", 0, "name"),
    ("docker", "containers", 0, "image"), ("docker", "containers", 0, "image_id"), ("docker", "containers", 0, "state"),
    ("docker", "containers", 0, "cap_add"), ("docker", "containers", 0, "networks"), ("docker", "containers", 0, "links"),
    ("docker", "containers", 0, "security_opt"), ("docker", "containers", 0, "memory"), ("docker", "reachable"),
    ("docker", "info"), ("docker", "info", "SecurityOptions"), ("docker", "info", "DockerRootDir"),
    ("docker", "info", "Driver"), ("docker", "images"), ("docker", "networks"), ("docker", "networks", 1),
    ("docker", "networks", 1, "containers"), ("docker", "swarm"), ("docker", "bridge_network"),
    ("daemon_config", "content"), ("daemon_config", "content", "default-ulimits"),
    ("daemon_config", "content", "default-ulimits", "nofile"), ("daemon_config", "content", "icc"),
    ("dockerd_process", "flags"), ("dockerd_process", "limits"), ("sshd", "effective"), ("sshd", "binary"),
    ("audit", "live_rules"), ("audit", "file_rules"), ("audit", "live_rules", 0), ("iptables", "docker_user"),
    ("mounts", "entries"), ("mounts", "entries", 0), ("host", "kernel_running"), ("host", "auto_updates"),
    ("services", "running"), ("services", "source"), ("collectors", "docker"), ("collectors", "docker", "ok"),
    ("environment", "docker_content_trust"), ("tools", "trivy"),
]


def _assert_valid(doc):
    for c in doc["controls"] + doc["extended"]:
        assert c["status"] in catalog.STATUSES
        assert isinstance(c["evidence"], list) and c["evidence"] and all(isinstance(e, str) for e in c["evidence"])
        assert "evaluator crashed" not in " ".join(c["evidence"]), (c["id"], c["evidence"])
    assert 0.0 <= doc["score"] <= 100.0
    assert len(doc["controls"]) == 50


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_PATHS), st.one_of(_weird, st.just("<delete>"))), min_size=1, max_size=6))
def test_malformed_facts_never_crash_any_evaluator(mutations):
    facts = _mutate(make_facts(containers=[make_container(name="a;$(rm -rf /)`x`"), make_container("ünï ☃")]),
                    mutations)
    _assert_valid(audit.evaluate(facts, today=TODAY))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_SECTIONS), _json, max_size=6))
def test_random_sections_never_crash(sections):
    facts = make_facts()
    facts.update(sections)
    _assert_valid(audit.evaluate(facts, today=TODAY))


@given(st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3)))
def test_garbage_instead_of_facts_passes_nothing(garbage):
    doc = audit.evaluate(garbage, today=TODAY)
    assert not [c["id"] for c in doc["controls"] + doc["extended"] if c["status"] == "pass"]
    assert all(c["status"] == "error" for c in doc["controls"] + doc["extended"] if catalog.get(c["id"])["requires"])


@settings(max_examples=100, deadline=None)
@given(st.lists(_json, max_size=3), st.lists(_json, max_size=3))
def test_random_waivers_and_attestations_are_refused_cleanly_or_accepted(waivers, attestations):
    try:
        doc = audit.evaluate(make_facts(), waivers=waivers, attestations=attestations, today=TODAY)
    except audit.AuditInputError as exc:
        assert str(exc).startswith("dockersec_")
    else:
        _assert_valid(doc)


def test_huge_container_lists_stay_bounded():
    containers = [make_container("c%d" % i, user="") for i in range(3000)]
    doc = audit.evaluate(make_facts(containers=containers), today=TODAY)
    c16 = by_id(doc)["16"]
    assert c16["status"] == "fail" and "3000 of 3000" in c16["evidence"][0]
    assert len(c16["evidence"]) <= 22 and "and 2980 more" in c16["evidence"][-1]


def test_hostile_names_are_reported_verbatim_as_data():
    name = "x$(touch /tmp/pwned);`id`|ünï"
    doc = audit.evaluate(make_facts(containers=[make_container(name, user="")]), today=TODAY)
    assert name in " ".join(by_id(doc)["16"]["evidence"])


# Every field of a container and of its image, not only the paths above: hostile strings (shell
# metacharacters, unicode, NULs, format strings), lists of them, and anything JSON can hold.
_HOSTILE = st.sampled_from(["$(touch /tmp/pwned)", "`id`", "a;b|c&&d>e<f", "ünïcødé ☃ 🐳", "\x00\n\r\t", "%s%n{0}{}",
                            "' OR 1=1 --", "<script>alert(1)</script>", "DB_PASSWORD=x", "-" * 300, "", " "])
_FIELD_VALUE = st.one_of(_weird, _HOSTILE, st.lists(_HOSTILE, max_size=6), st.lists(st.text(max_size=20), max_size=4),
                         st.dictionaries(_HOSTILE, _HOSTILE, max_size=3))
_CONTAINER_KEYS = sorted(make_container().keys())
_IMAGE_KEYS = sorted(make_image().keys())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_CONTAINER_KEYS), _FIELD_VALUE, min_size=1, max_size=10),
       st.dictionaries(st.sampled_from(_IMAGE_KEYS), _FIELD_VALUE, max_size=6))
def test_hostile_values_in_any_container_or_image_field(container_fields, image_fields):
    bad = make_container("bad")
    bad.update(container_fields)
    image = make_image()
    image.update(image_fields)
    facts = make_facts(containers=[bad, make_container("good")], images={"sha256:" + "1" * 64: image})
    _assert_valid(audit.evaluate(facts, today=TODAY))


def test_huge_label_and_env_lists_with_hostile_names():
    names = ["l%d;$(id)`x`ünï☃" % i for i in range(20000)]
    c = make_container("big", label_names=names, env_names=names + ["DB_PASSWORD"])
    doc = audit.evaluate(make_facts(containers=[c]), today=TODAY)
    _assert_valid(doc)
    # The secret-like env name is still found among 20000 others.
    c26 = by_id(doc)["26"]
    assert c26["status"] == "fail" and "DB_PASSWORD" in " ".join(c26["evidence"])
