"""The fleet view: hosts by band, score per host, controls failing on most hosts, waivers expiring soon,
in the JSON report (``fleet``) and in the scorecard's fleet summary."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canned_audits import make_audit  # noqa: E402  (shared result builder)
from report_step import ReportRun, read_report  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import text as report_text  # noqa: E402

TODAY = "2026-06-01"


def waive(audit, cid, owner, expires, reason="planned", today=TODAY):
    """Mark ``cid`` waived the way the engine does (status, waiver block, points out of the applicable)."""
    for control in audit["controls"] + audit["extended"]:
        if control["id"] == cid:
            control["waiver"] = {"owner": owner, "expires": expires, "reason": reason,
                                 "original_status": control["status"]}
            control["status"] = "waived"
            control["points"] = 0
    audit["today"] = today
    audit["score"], audit["earned"], audit["applicable"] = engine.score_of(audit["controls"])
    audit["band"] = catalog.band_for(audit["score"])
    return audit


def fleet_fixture():
    """Four hosts: web1 fails everything (0.0), web2 fails 8 and has 7 waived (83.7), db1 fails 6 and has 3 and 22
    waived (97.9), hard1 passes everything (100.0)."""
    weak = {"3": "fail", "6": "fail", "7": "fail", "22": "fail"}
    audits = {
        "web1": make_audit(host="web1", statuses=dict(weak, **{"5": "fail"}), default="fail"),
        "web2": make_audit(host="web2", statuses=dict(weak, **dict((i, "fail") for i in ("10", "16", "17", "19", "20")))),
        "db1": make_audit(host="db1", statuses={"6": "fail", "22": "fail", "3": "fail"}),
        "hard1": make_audit(host="hard1"),
    }
    waive(audits["db1"], "3", "dba-team", "2026-06-20")       # 19 days: listed
    waive(audits["db1"], "22", "dba-team", "2026-07-01")      # 30 days: listed (the window is inclusive)
    waive(audits["web2"], "7", "web-team", "2026-07-02")      # 31 days: not listed
    waive(audits["web2"], "X.1", "web-team", "2026-06-01")    # today: listed, extended controls too
    audits["web1"]["today"] = audits["hard1"]["today"] = TODAY
    return audits


def test_fleet_json_shape_and_counts():
    doc = report_document.build_document(fleet_fixture(), generated_at="2026-06-01T08:00:00Z")
    fleet = doc["fleet"]
    assert fleet["scores"] == [
        {"host": "web1", "score": 0.0, "band": "Critical"},
        {"host": "web2", "score": 83.7, "band": "Good"},
        {"host": "db1", "score": 97.9, "band": "Excellent"},
        {"host": "hard1", "score": 100.0, "band": "Excellent"},
    ]
    assert fleet["hosts"] == 4
    assert fleet["by_band"] == {"Excellent": 2, "Good": 1, "Acceptable (dev only)": 0, "Poor": 0, "Critical": 1,
                                "Incomplete": 0}
    assert fleet["hosts_by_band"] == {"Excellent": ["db1", "hard1"], "Good": ["web2"], "Acceptable (dev only)": [],
                                      "Poor": [], "Critical": ["web1"], "Incomplete": []}
    failing = dict((item["id"], item) for item in fleet["failing"])
    # 6 fails on web1, web2, db1; 3 and 22 on web1 and web2 (waived on db1); 7 on web1 only (waived on web2)
    assert [(i["id"], i["hosts"], i["names"]) for i in fleet["failing"][:4]] == [
        ("6", 3, ["db1", "web1", "web2"]), ("3", 2, ["web1", "web2"]), ("10", 2, ["web1", "web2"]),
        ("16", 2, ["web1", "web2"])]
    assert failing["22"]["names"] == ["web1", "web2"] and failing["7"]["names"] == ["web1"]
    # every scored control fails on web1, so every one is listed, with the hosts it fails on
    assert len(fleet["failing"]) == 50
    assert sum(i["hosts"] for i in fleet["failing"]) == 50 + 8 + 1
    assert fleet["failing"][0]["title"] == catalog.get("6")["title"]
    assert fleet["top_failing"] == [dict((k, i[k]) for k in ("id", "title", "hosts")) for i in fleet["failing"][:10]]
    assert fleet["waiver_window_days"] == 30
    assert [(w["host"], w["id"], w["owner"], w["expires"], w["days_left"]) for w in fleet["waivers_expiring"]] == [
        ("web2", "X.1", "web-team", "2026-06-01", 0),
        ("db1", "3", "dba-team", "2026-06-20", 19),
        ("db1", "22", "dba-team", "2026-07-01", 30),
    ]
    assert doc["hosts"]["db1"]["today"] == TODAY
    assert [c["waiver"] for c in doc["hosts"]["db1"]["controls"] if c["id"] == "3"] == [
        {"owner": "dba-team", "expires": "2026-06-20", "reason": "planned", "original_status": "fail"}]


def test_waiver_window_is_configurable_and_uses_the_report_date_without_today():
    audits = fleet_fixture()
    for audit in audits.values():
        del audit["today"]
    doc = report_document.build_document(audits, generated_at="2026-06-15T08:00:00Z", waiver_window_days=5)
    assert [(w["host"], w["id"], w["days_left"]) for w in doc["fleet"]["waivers_expiring"]] == [("db1", "3", 5)]
    assert doc["fleet"]["waiver_window_days"] == 5


def test_engine_waivers_reach_the_fleet_view():
    facts = {}  # every control errors or is manual without facts; the waivers still apply
    audits = {}
    for host, expires in (("a", "2026-06-10"), ("b", "2026-12-31")):
        doc = engine.evaluate(facts, waivers=[{"id": "1", "reason": "r", "owner": "ops", "expires": expires}],
                              today=TODAY)
        doc["host"] = host
        audits[host] = doc
    fleet = report_document.build_document(audits)["fleet"]
    assert [(w["host"], w["id"], w["owner"], w["expires"], w["days_left"], w["reason"])
            for w in fleet["waivers_expiring"]] == [("a", "1", "ops", "2026-06-10", 9, "r")]


def test_fleet_summary_text():
    doc = report_document.build_document(fleet_fixture(), generated_at="2026-06-01T08:00:00Z")
    text = report_text.to_text(report_text.scorecard_lines(doc, compact=True, top_n=2))
    summary = text[text.index("dockersec fleet summary"):].splitlines()
    assert summary[:7] == [
        "dockersec fleet summary: 4 hosts audited",
        "  Bands: Excellent 2, Good 1, Critical 1",
        "  Score: average 70.4, min 0.0 (web1)",
        "  Hosts by band:",
        "    Excellent (2): db1 97.9, hard1 100.0",
        "    Good (1): web2 83.7",
        "    Critical (1): web1 0.0",
    ]
    assert summary[7:10] == [
        "  Failing on most hosts:",
        "    [6] %s: 3 of 4 hosts (db1, web1, web2)" % catalog.get("6")["title"],
        "    [3] %s: 2 of 4 hosts (web1, web2)" % catalog.get("3")["title"],
    ]
    assert "  Waivers expiring within 30 days (3):" in summary
    assert "    web2 [X.1] owner web-team, expires 2026-06-01 (today)" in summary
    assert "    db1 [3] owner dba-team, expires 2026-06-20 (in 19 days)" in summary
    assert "    db1 [22] owner dba-team, expires 2026-07-01 (in 30 days)" in summary


def test_fleet_summary_of_hosts_that_are_all_incomplete():
    """Issue 18: on a machine without Docker every host is Incomplete, and Bands:/Hosts by band: were empty."""
    audits = {}
    for host in ("a", "b"):
        doc = engine.evaluate({}, today=TODAY)  # every control errors or is manual without facts
        doc["host"] = host
        audits[host] = doc
    doc = report_document.build_document(audits)
    assert set(h["band"] for h in doc["hosts"].values()) == {catalog.INCOMPLETE_BAND}
    summary = report_text.to_text(report_text.scorecard_lines(doc, compact=True)).splitlines()
    summary = summary[summary.index("dockersec fleet summary: 2 hosts audited"):]
    score = "%.1f" % doc["hosts"]["a"]["score"]
    assert summary[1:6] == [
        "  Bands: Incomplete 2",
        "  Score: average %s, min %s (a)" % (score, score),
        # The CIS profile was evaluated, and nothing of it could be decided.
        "  CIS pass rate: average n/a",
        "  Hosts by band:",
        "    Incomplete (2): a %s, b %s" % (score, score),
    ]


def test_long_name_lists_are_cut():
    audits = dict(("h%02d" % i, make_audit(host="h%02d" % i, statuses={"6": "fail"})) for i in range(25))
    text = report_text.to_text(report_text.scorecard_lines(report_document.build_document(audits), compact=True))
    line = [t for t in text.splitlines() if t.startswith("    [6] ")][0]
    assert line.endswith("h19, +5 more)") and "h20" not in line


def test_report_step_options_reach_the_fleet_view(tmp_path):
    run = ReportRun(tmp_path / "reports", top_failing=1, waiver_window_days=19)
    for host, audit in sorted(fleet_fixture().items()):
        run.audit(host, audit)
    _result, display = run.finish()
    assert not display.warnings
    doc = read_report(tmp_path / "reports")
    assert [(w["host"], w["id"]) for w in doc["fleet"]["waivers_expiring"]] == [("web2", "X.1"), ("db1", "3")]
    summary = display.text[display.text.index("dockersec fleet summary"):].splitlines()
    assert len([line for line in summary if line.startswith("    [")]) == 1
    assert "Waivers expiring within 19 days (2):" in display.text
