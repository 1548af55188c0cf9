"""Every dockerd of a host scored as its own subject (issue 20, BRIEF interfaces B and C): the
per-daemon views, host-level controls judged once, the weakest daemon as the host's score."""

import copy

import pytest

from conftest import (PRIMARY_DAEMON, ROOTLESS_DAEMON, SECOND_DAEMON, make_container, make_facts, make_primary_daemon,
                      make_two_daemon_facts)

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import common
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit

TODAY = "2026-11-23"
SECTIONS = ("docker", "daemon_config", "dockerd_process")
HOST_LEVEL = [c["id"] for c in catalog.CONTROLS if not set(c["requires"]) & set(SECTIONS)]
DAEMON_LEVEL = [c["id"] for c in catalog.CONTROLS if set(c["requires"]) & set(SECTIONS)]
# The keys evaluate() returned before daemons were scored one by one.
TODAY_KEYS = {"schema_version", "catalog_version", "score", "earned", "applicable", "nothing_applicable", "coverage",
              "min_coverage", "incomplete", "waivers", "band", "counts", "controls", "extended", "extended_counts",
              "options_used", "today"}


def evaluate(facts, **kw):
    kw.setdefault("today", TODAY)
    return audit.evaluate(facts, **kw)


def by_id(entry):
    return dict((c["id"], c) for c in entry["controls"] + entry["extended"])


def weak_second_facts():
    """A second rootful daemon runs a container as root (item 16 fails there only)."""
    return make_two_daemon_facts(rootless_containers=[make_container("job", user="")], second_rootless=False)


def weak_rootless_facts():
    """The rootless daemon runs a container as root (item 16 fails there only)."""
    return make_two_daemon_facts(rootless_containers=[make_container("job", user="")])


# ---------------------------------------------------------------- the views (interface B)

def test_facts_without_daemons_are_one_view_the_facts_themselves():
    facts = make_facts()
    facts["dockerd_process"]["endpoint"] = "unix:///var/run/docker.sock"
    views = common.daemon_views(facts)
    assert len(views) == 1
    meta, view = views[0]
    assert meta == view["daemon"]
    assert (meta["name"], meta["primary"], meta["rootless"], meta["endpoint"]) == (
        "unix:///var/run/docker.sock", True, False, "unix:///var/run/docker.sock")
    # Shallow: the sections are the facts' own objects, never copies.
    assert all(view[k] is facts[k] for k in facts)
    assert "daemon" not in facts


@pytest.mark.parametrize("daemons", [None, []])
def test_no_daemon_found_names_the_default(daemons):
    facts = make_facts()
    if daemons is not None:
        facts["daemons"] = daemons
    (meta, view), = common.daemon_views(facts)
    assert meta["name"] == "default" and meta["primary"] is True and view["docker"] is facts["docker"]


def test_a_rootless_engine_without_daemons_is_read_from_what_dockerd_reports():
    facts = make_facts()
    facts["docker"]["info"]["SecurityOptions"].append("name=rootless")
    (meta, dummy), = common.daemon_views(facts)
    assert meta["rootless"] is True


def test_each_daemon_view_carries_its_own_sections_and_the_host_sections_unchanged():
    facts = make_two_daemon_facts()
    before = copy.deepcopy(facts)
    (pmeta, primary), (rmeta, rootless) = common.daemon_views(facts)
    record = facts["daemons"][1]
    for name in SECTIONS:
        assert primary[name] is facts[name]
        assert rootless[name] is record[name]
        assert rootless["collectors"][name] is record["collectors"][name]
        assert primary["collectors"][name] is facts["collectors"][name]
    for name in ("host", "files", "services", "sshd", "audit", "daemons"):
        assert rootless[name] is facts[name] and primary[name] is facts[name]
    assert rootless["collectors"]["sshd"] is facts["collectors"]["sshd"]
    assert (pmeta["name"], pmeta["primary"], pmeta["rootless"]) == (PRIMARY_DAEMON, True, False)
    assert (rmeta["name"], rmeta["primary"], rmeta["rootless"], rmeta["user"], rmeta["uid"], rmeta["pid"]) == (
        ROOTLESS_DAEMON, False, True, "svc", 1000, 5678)
    assert rmeta["data_root"] == "/home/svc/.local/share/docker" and rootless["daemon"] is rmeta
    assert facts == before


def test_a_daemon_record_without_its_sections_errors_their_controls_not_the_primary():
    facts = make_two_daemon_facts()
    for name in SECTIONS:
        del facts["daemons"][1][name]
    del facts["daemons"][1]["collectors"]
    dummy, rootless = common.daemon_views(facts)[1]
    assert all(rootless.get(name) is None and name not in rootless["collectors"] for name in SECTIONS)
    doc = evaluate(facts)
    primary, other = doc["daemons"]
    assert all(by_id(other)[cid]["status"] == "error" for cid in DAEMON_LEVEL)
    assert "collector docker did not run" in by_id(other)["16"]["evidence"][0]
    assert not [cid for cid in DAEMON_LEVEL if by_id(primary)[cid]["status"] == "error"]


def test_without_a_primary_record_the_first_daemon_is_primary():
    facts = make_two_daemon_facts()
    facts["daemons"][0]["primary"] = False
    views = common.daemon_views(facts)
    assert [m["primary"] for m, v in views] == [True, False]
    assert views[0][1]["docker"] is facts["docker"]


# ---------------------------------------------------------------- the document (interface C)

def test_the_weaker_rootless_daemon_gives_the_host_its_score():
    doc = evaluate(weak_rootless_facts())
    primary, rootless = doc["daemons"]
    assert (primary["name"], rootless["name"]) == (PRIMARY_DAEMON, ROOTLESS_DAEMON)
    assert by_id(primary)["16"]["status"] == "pass" and by_id(rootless)["16"]["status"] == "fail"
    # Item 16 costs the rootless daemon 2 points against its own verdicts without the root container.
    unweakened = evaluate(make_two_daemon_facts())["daemons"][1]
    assert (rootless["earned"], rootless["applicable"]) == (unweakened["earned"] - 2, unweakened["applicable"])
    assert rootless["score"] < primary["score"]
    assert doc["daemon"] == ROOTLESS_DAEMON
    for key in ("score", "earned", "applicable", "band", "coverage", "counts", "controls", "extended",
                "extended_counts", "waivers", "incomplete", "nothing_applicable", "min_coverage"):
        assert doc[key] == rootless[key], key
    assert rootless["rootless"] is True and primary["rootless"] is False
    assert (rootless["user"], rootless["uid"]) == ("svc", 1000)
    assert rootless["endpoint"] == "unix:///run/user/1000/docker.sock"


def test_the_weaker_primary_gives_the_host_its_score():
    facts = make_two_daemon_facts(second_rootless=False, containers=[make_container("web", user="")])
    doc = evaluate(facts)
    assert doc["daemon"] == PRIMARY_DAEMON
    assert doc["score"] == doc["daemons"][0]["score"] < doc["daemons"][1]["score"]


def test_a_tie_names_the_primary():
    facts = make_two_daemon_facts(second_rootless=False)
    facts["daemons"].reverse()  # facts order is kept; the tie still goes to the primary
    doc = evaluate(facts)
    assert [d["name"] for d in doc["daemons"]] == [SECOND_DAEMON, PRIMARY_DAEMON]
    assert doc["daemons"][0]["score"] == doc["daemons"][1]["score"]
    assert doc["daemon"] == PRIMARY_DAEMON and doc["controls"] == doc["daemons"][1]["controls"]


def test_host_level_controls_are_judged_once_and_appear_identically_in_both(monkeypatch):
    calls = dict((cid, 0) for cid in audit.CHECKS)

    def counting(cid, check):
        def run(facts, opts):
            calls[cid] += 1
            return check(facts, opts)
        return run
    for cid, check in list(audit.CHECKS.items()):
        monkeypatch.setitem(audit.CHECKS, cid, counting(cid, check))
    doc = evaluate(weak_rootless_facts())
    primary, rootless = (by_id(d) for d in doc["daemons"])
    for cid in HOST_LEVEL:
        assert primary[cid] == rootless[cid], cid
        assert calls.get(cid, 0) <= 1, cid
    assert [cid for cid in DAEMON_LEVEL if calls[cid] != 2] == []


def test_a_one_daemon_host_gives_todays_document_plus_daemon_and_daemons():
    facts = make_facts()
    doc = evaluate(facts)
    assert set(doc) == TODAY_KEYS | {"daemon", "daemons"}
    entry, = doc["daemons"]
    assert doc["daemon"] == entry["name"] == "default" and entry["primary"] is True
    for key in TODAY_KEYS - {"schema_version", "catalog_version", "options_used", "today"}:
        assert entry[key] == doc[key], key
    facts["collectors"]["daemons"] = {"ok": True, "error": None, "source": "test", "seconds": 0.0}
    facts["daemons"] = [make_primary_daemon()]
    listed = evaluate(facts)
    assert listed["daemon"] == PRIMARY_DAEMON
    assert dict((k, listed[k]) for k in TODAY_KEYS) == dict((k, doc[k]) for k in TODAY_KEYS)


def test_old_facts_without_daemons_still_score_as_before():
    facts = make_facts()
    doc = evaluate(facts)
    # What main's engine gives the fixture host (12, 45 and 49 fail, 8 manual, 7 not applicable).
    assert (doc["score"], doc["band"], doc["counts"]["error"]) == (76.7, "Acceptable (dev only)", 0)
    assert len(doc["daemons"]) == 1 and doc["daemons"][0]["score"] == 76.7


def test_an_evaluator_crash_on_one_daemon_is_error_there_only(monkeypatch):
    check = audit.CHECKS["9"]

    def crash_on_rootless(facts, opts):
        if facts["daemon"]["rootless"]:
            raise KeyError("Driver")
        return check(facts, opts)
    monkeypatch.setitem(audit.CHECKS, "9", crash_on_rootless)
    doc = evaluate(make_two_daemon_facts())
    primary, rootless = (by_id(d) for d in doc["daemons"])
    assert primary["9"]["status"] == "pass"
    assert rootless["9"]["status"] == "error" and "evaluator crashed: KeyError" in rootless["9"]["evidence"][0]
    assert doc["daemon"] == ROOTLESS_DAEMON


def test_waivers_and_attestations_apply_to_every_daemon():
    waiver = {"id": "16", "reason": "batch job image", "owner": "ops", "expires": "2027-01-01"}
    attestation = {"id": "47", "by": "sec", "date": "2026-11-01", "evidence": "wiki", "expires": "2027-11-01"}
    doc = evaluate(weak_rootless_facts(), waivers=[waiver], attestations=[attestation])
    for entry in doc["daemons"]:
        assert by_id(entry)["16"]["status"] == "waived" and by_id(entry)["47"]["status"] == "pass"
        assert entry["waivers"] == 1
    assert [by_id(d)["16"]["waiver"]["original_status"] for d in doc["daemons"]] == ["pass", "fail"]


def test_extra_keys_of_the_subject_document_are_carried_per_daemon(monkeypatch):
    body = audit.subject_document

    def with_profiles(view, *args, **kwargs):
        doc = body(view, *args, **kwargs)
        doc["profiles"] = {"seen": view["daemon"]["name"]}
        return doc
    monkeypatch.setattr(audit, "subject_document", with_profiles)
    doc = evaluate(weak_rootless_facts())
    assert [d["profiles"] for d in doc["daemons"]] == [{"seen": PRIMARY_DAEMON}, {"seen": ROOTLESS_DAEMON}]
    assert doc["profiles"] == {"seen": ROOTLESS_DAEMON}


def test_the_result_stays_json_and_the_facts_unchanged():
    import json
    facts = weak_rootless_facts()
    before = copy.deepcopy(facts)
    json.dumps(evaluate(facts))
    assert facts == before


# ---------------------------------------------------------------- inventory, gate, deferred

def test_the_inventory_lists_every_daemons_containers_with_its_name():
    rows = audit.inventory(weak_rootless_facts())
    assert [(r["name"], r["daemon"]) for r in rows] == [("app", PRIMARY_DAEMON), ("job", ROOTLESS_DAEMON)]
    assert set(rows[0]) == set(audit.INVENTORY_FIELDS) | {"daemon"}
    assert [(r["name"], r["daemon"]) for r in audit.inventory(make_facts())] == [("app", "default")]


def test_the_gate_holds_the_host_score_and_names_the_daemon_when_there_are_several():
    doc = evaluate(weak_second_facts())
    assert doc["score"] == 74.4 < doc["daemons"][0]["score"]
    why = audit.gate(doc, 75)
    assert why == "score 74.4 (daemon %s, the weakest of 2) is below dockersec_fail_under 75" % SECOND_DAEMON
    assert audit.gate(doc, 74.4) is None
    single = evaluate(make_facts())
    assert audit.gate(single, 80) == "score 76.7 is below dockersec_fail_under 80"


def test_an_incomplete_daemon_fails_the_gate_naming_it():
    facts = make_two_daemon_facts()
    facts["daemons"][1]["collectors"]["docker"] = {"ok": False, "error": "connection refused", "source": "x"}
    doc = evaluate(facts)
    assert doc["daemon"] == ROOTLESS_DAEMON and doc["incomplete"] is True
    why = audit.gate(doc, 0)
    assert why.startswith("daemon %s: coverage" % ROOTLESS_DAEMON) and "band Incomplete" in why
    assert audit.gate(doc, 0, fail_incomplete=False) is None


def test_deferred_marks_the_primary_daemon_and_host_level_controls_everywhere():
    facts = make_two_daemon_facts()
    for record in (facts, facts["daemons"][1]):
        record["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    facts["sshd"]["effective"]["permitrootlogin"] = "yes"
    doc = evaluate(facts)
    audit.mark_deferred(doc, [{"id": "6", "reason": "icc needs a restart"}, {"id": "3", "reason": "ssh session"}])
    primary, rootless = (by_id(d) for d in doc["daemons"])
    assert primary["6"]["deferred"] == "icc needs a restart" and "deferred" not in rootless["6"]
    assert primary["3"]["deferred"] == rootless["3"]["deferred"] == "ssh session"
    assert primary["3"]["evidence"][0] == "remediation deferred: ssh session"
    assert rootless["3"]["evidence"][0] == "remediation deferred: ssh session"
    assert rootless["3"]["evidence"][1] != "remediation deferred: ssh session"
    assert doc["deferred"] == [{"id": "3", "reason": "ssh session"}, {"id": "6", "reason": "icc needs a restart"}]


def test_deferred_on_a_one_daemon_host_marks_once():
    doc = evaluate(make_facts())
    doc_controls = by_id(doc)
    doc_controls["9"]["status"] = "fail"
    audit.mark_deferred(doc, [{"id": "9", "reason": "later"}])
    assert by_id(doc)["9"]["evidence"].count("remediation deferred: later") == 1
    assert by_id(doc["daemons"][0])["9"]["deferred"] == "later"


# ---------------------------------------------------------------- remediation plan and forecast: the primary

def icc_on(*records):
    """The default bridge lets containers talk (6 and 22 fail) on these daemons' facts."""
    for record in records:
        record["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"


def test_the_plan_reads_the_primary_daemons_verdicts_not_the_weakest():
    from ansible_collections.dockersec.hardening.plugins.filter.remediation_plan import remediation_plan
    facts = weak_rootless_facts()
    icc_on(facts["daemons"][1])  # 6 fails on the rootless daemon only: no role changes it
    doc = evaluate(facts)
    assert doc["daemon"] == ROOTLESS_DAEMON and by_id(doc)["6"]["status"] == "fail"
    assert catalog.verdicts_of(doc)["6"] == "pass"
    assert "6" not in catalog.planned_controls("daemon", remediation_plan(["daemon"], verdicts=doc))
    facts = make_two_daemon_facts(rootless_containers=[make_container("job", user="", cap_drop=[],
                                                                      readonly_rootfs=False)])
    icc_on(facts)  # 6 and 22 fail on the primary, whose entry is not the top level
    doc = evaluate(facts)
    assert doc["daemon"] == ROOTLESS_DAEMON and by_id(doc)["6"]["status"] == "pass"
    assert catalog.planned_controls("daemon", remediation_plan(["daemon"], verdicts=doc)) == ["6", "22"]


FIXES = [{"id": "6", "role": "daemon"}, {"id": "22", "role": "daemon"}]


def test_the_forecast_is_the_primarys_or_a_weaker_daemons_current_score():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import prediction
    facts = make_two_daemon_facts(second_rootless=False)
    icc_on(facts)
    before = evaluate(facts)
    primary, rootless = before["daemons"]
    assert before["daemon"] == PRIMARY_DAEMON and primary["score"] < rootless["score"]
    forecast = prediction.predict(before, FIXES)
    # The primary's forecast equals the rootless daemon's current score: the tie goes to the primary.
    assert (forecast["score"], forecast["daemon"]) == (rootless["score"], PRIMARY_DAEMON)
    assert [f["id"] for f in forecast["flips"]] == ["6", "22"]

    facts = weak_second_facts()
    icc_on(facts)
    before = evaluate(facts)
    primary, rootless = before["daemons"]
    forecast = prediction.predict(before, FIXES)
    # The role lifts the primary above the rootless daemon, which it does not change.
    assert (forecast["score"], forecast["earned"], forecast["applicable"]) == (
        rootless["score"], rootless["earned"], rootless["applicable"])
    assert forecast["daemon"] == SECOND_DAEMON and forecast["band"] == catalog.band_for(rootless["score"])
    assert [f["id"] for f in forecast["flips"]] == ["6", "22"]
    assert prediction.lines("node1", forecast)[-1] == (
        "  Predicted score: %.1f / 100 (%s; daemon %s, which no role changes)"
        % (rootless["score"], forecast["band"], SECOND_DAEMON))


def test_a_one_daemon_forecast_is_as_before():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import prediction
    facts = make_facts()
    icc_on(facts)
    before = evaluate(facts)
    forecast = prediction.predict(before, FIXES)
    assert forecast["score"] == 76.7 and forecast["daemon"] == "default"
    assert prediction.lines("node1", forecast)[-1] == "  Predicted score: 76.7 / 100 (Acceptable (dev only))"


@pytest.mark.parametrize("daemons", ["root@x", [1, None, "x"], {"name": "x"}])
def test_a_daemons_value_that_is_no_list_of_records_is_the_facts_alone(daemons):
    facts = make_facts()
    facts["daemons"] = daemons
    doc = evaluate(facts)
    assert [d["name"] for d in doc["daemons"]] == ["default"] and doc["score"] == 76.7


def test_a_malformed_record_is_judged_error_not_from_another_daemons_facts():
    facts = make_two_daemon_facts()
    facts["daemons"][1] = {"name": 5, "primary": "yes", "rootless": "true", "docker": "garbage", "collectors": "x"}
    doc = evaluate(facts)
    primary, other = doc["daemons"]
    assert (other["name"], other["primary"], other["rootless"]) == ("daemon 2", False, False)
    assert all(by_id(other)[cid]["status"] == "error" for cid in DAEMON_LEVEL)
    assert [by_id(other)[cid] for cid in HOST_LEVEL] == [by_id(primary)[cid] for cid in HOST_LEVEL]
    assert doc["daemon"] == "daemon 2"
