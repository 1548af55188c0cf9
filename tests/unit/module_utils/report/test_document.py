"""The report builder: JSON document, fleet statistics, terminal scorecard and history lines."""

import json
import os

import pytest
from canned_audits import make_audit, seventy_two

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document
from ansible_collections.dockersec.hardening.plugins.module_utils.report import text as report_text

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def test_fixture_scores_72():
    audit = seventy_two()
    assert (audit["score"], audit["earned"], audit["applicable"]) == (72.0, 72, 100)
    assert audit["band"] == "Acceptable (dev only)"


def test_document_shape():
    inventory = [{"name": "app", "image": "nginx", "state": "running", "compose_project": None,
                  "compose_service": None, "user": "1000"}]
    audit = make_audit(inventory=inventory)
    doc = report_document.build_document({"node1": audit}, unreachable={"node2": "ssh: connect refused"},
                                         failed={"node3": "Gather: docker not reachable"},
                                         generated_at="2026-11-23T06:00:00Z", collection_version="0.1.0")
    assert set(doc) >= {"generated_at", "collection_version", "catalog_version", "hosts", "unreachable",
                        "failed", "fleet"}
    assert doc["generated_at"] == "2026-11-23T06:00:00Z"
    assert doc["collection_version"] == "0.1.0"
    assert doc["catalog_version"] == catalog.CATALOG_VERSION
    host = doc["hosts"]["node1"]
    assert set(host) >= {"score", "earned", "applicable", "band", "counts", "controls", "extended", "inventory"}
    assert (host["score"], host["earned"], host["applicable"], host["band"]) == (100.0, 100, 100, "Excellent")
    assert len(host["controls"]) == 50 and len(host["extended"]) == len(catalog.EXTENDED_IDS)
    assert host["inventory"] == inventory
    control = host["controls"][0]
    assert set(control) >= {"id", "section", "title", "status", "points", "max_points", "evidence", "cis",
                            "mode", "fix"}
    assert control["id"] == "1" and control["title"] == catalog.get("1")["title"]
    assert "raw_inspect" not in control
    assert "hunter2" not in json.dumps(doc)
    assert doc["unreachable"] == {"node2": "ssh: connect refused"}
    assert doc["failed"] == {"node3": "Gather: docker not reachable"}
    # The document is plain JSON and round-trips.
    assert json.loads(report_document.dumps_document(doc)) == doc


def test_document_tolerates_missing_keys():
    doc = report_document.build_document({"bare": {"score": 55, "controls": [{"id": 3, "status": "fail"}]}})
    host = doc["hosts"]["bare"]
    assert host["band"] == catalog.band_for(55) and host["inventory"] == []
    assert host["controls"][0]["id"] == "3" and host["controls"][0]["title"] == catalog.get("3")["title"]
    assert host["counts"]["fail"] == 1
    assert report_text.to_text(report_text.scorecard_lines(doc))  # renders without the optional keys


def test_band_counting():
    scores = {"a": 100, "b": 90, "c": 89.9, "d": 80, "e": 60, "f": 59.9, "g": 40, "h": 39.9, "i": 0}
    audits = {}
    for host, score in scores.items():
        audit = make_audit(host=host)
        audit.update(score=score, band=catalog.band_for(score))
        audits[host] = audit
    by_band = report_document.build_document(audits)["fleet"]["by_band"]
    audits["j"] = make_audit(host="j")
    audits["j"].update(score=100.0, band="Incomplete", coverage=2.0, waivers=49)
    doc = report_document.build_document(audits)
    by_band = doc["fleet"]["by_band"]
    assert list(by_band) == [name for dummy, name in catalog.BANDS] + ["Incomplete"]
    assert by_band == {"Excellent": 2, "Good": 2, "Acceptable (dev only)": 1, "Poor": 2, "Critical": 2,
                       "Incomplete": 1}
    assert doc["fleet"]["hosts_by_band"]["Incomplete"] == ["j"]
    assert report_text.band_style("Incomplete") == "manual"
    assert (doc["hosts"]["j"]["coverage"], doc["hosts"]["j"]["waivers"]) == (2.0, 49)
    assert "100.0 / 100 (" in report_text.to_text(report_text.scorecard_lines(doc)) and "coverage 2.0%, 49 waived) — Incomplete" in \
        report_text.to_text(report_text.scorecard_lines(doc))


def test_fleet_stats():
    audits = {"a": make_audit(host="a"), "b": seventy_two(), "c": make_audit(host="c", default="fail")}
    fleet = report_document.build_document(audits)["fleet"]
    assert fleet["hosts"] == 3
    assert fleet["average_score"] == round((100.0 + 72.0 + 0.0) / 3, 1)
    assert fleet["min_score"] == 0.0
    assert sum(fleet["by_band"].values()) == 3


def test_fleet_without_hosts():
    doc = report_document.build_document({}, unreachable={"x": "down"})
    assert doc["fleet"]["hosts"] == 0 and doc["fleet"]["average_score"] is None
    assert doc["fleet"]["min_score"] is None and doc["fleet"]["top_failing"] == []
    text = report_text.to_text(report_text.scorecard_lines(doc))
    assert "0 hosts audited, 1 unreachable" in text and "Unreachable: x: down" in text


def test_top_failing_order_and_limit():
    audits = {
        "a": make_audit(host="a", statuses={"7": "fail", "6": "fail", "12": "fail"}),
        "b": make_audit(host="b", statuses={"7": "fail", "12": "fail"}),
        "c": make_audit(host="c", statuses={"12": "fail", "3": "error"}, extended={"X.1": "fail"}),
    }
    top = report_document.build_document(audits)["fleet"]["top_failing"]
    assert top == [
        {"id": "12", "title": catalog.get("12")["title"], "hosts": 3},
        {"id": "7", "title": catalog.get("7")["title"], "hosts": 2},
        {"id": "6", "title": catalog.get("6")["title"], "hosts": 1},
    ]
    # errors and extended controls are not "failing" items of the score
    many = dict(("h%d" % i, make_audit(host="h%d" % i, default="fail")) for i in range(2))
    assert len(report_document.top_failing(report_document.build_document(many)["hosts"])) == report_document.TOP_FAILING_JSON
    # ties keep the catalog's order
    assert [t["id"] for t in report_document.top_failing(report_document.build_document(many)["hosts"], limit=3)] == ["1", "2", "3"]


def test_table_has_every_section_and_the_score():
    doc = report_document.build_document({"node1": seventy_two()})
    text = report_text.to_text(report_text.scorecard_lines(doc))
    for number, name in catalog.SECTIONS.items():
        assert name in text
    assert "dockersec scorecard: node1" in text
    assert ("72.0 / 100 (36/50 earned, 72 of 100 applicable points; coverage 96.0%, 0 waived) "
            "— Acceptable (dev only)") in text
    # per-section points: section 1 has two errors and three fails (items 1-5): 0 of 10 points
    row = [line for line in text.splitlines() if catalog.SECTIONS[1] in line][0]
    assert row.split()[-1] == "0/10"
    assert row.split()[-7:-1] == ["0", "3", "0", "2", "0", "0"]
    total = [line for line in text.splitlines() if line.strip().startswith("Total")][0]
    assert total.split()[1:] == ["36", "8", "4", "2", "0", "0", "72/100"]


def test_not_applicable_and_waived_leave_the_applicable_points():
    audit = make_audit(statuses={"36": "not_applicable", "37": "not_applicable", "38": "waived", "1": "fail"})
    assert (audit["earned"], audit["applicable"]) == (92, 94)
    text = report_text.to_text(report_text.scorecard_lines(report_document.build_document({"n": audit})))
    assert "97.9 / 100 (46/47 earned, 92 of 94 applicable points; coverage 94.0%, 1 waived) — Excellent" in text
    row = [line for line in text.splitlines() if catalog.SECTIONS[8] in line][0]
    assert row.split()[-1] == "4/4"


def test_errors_listed_first_then_failed_then_manual():
    text = report_text.to_text(report_text.scorecard_lines(report_document.build_document({"node1": seventy_two()})))
    errors = text.index("Errors: could not check")
    failed = text.index("Failed (8):")
    manual = text.index("Manual: needs an attestation (4):")
    assert errors < failed < manual
    assert text.index("[1] %s" % catalog.get("1")["title"]) < failed
    assert "evidence: error evidence for 1" in text


def test_failed_control_shows_first_evidence_line_and_fix():
    text = report_text.to_text(report_text.scorecard_lines(report_document.build_document({"n": make_audit(statuses={"6": "fail"})})))
    assert "[6] %s" % catalog.get("6")["title"] in text
    assert "evidence: fail evidence for 6" in text
    assert "second line for 6" not in text
    assert "fix: %s" % catalog.get("6")["fix"] in text
    assert "hunter2" not in text


def test_passed_controls_only_on_request():
    doc = report_document.build_document({"n": make_audit(statuses={"6": "fail"})})
    assert "Passed (" not in report_text.to_text(report_text.scorecard_lines(doc))
    assert "Passed (49):" in report_text.to_text(report_text.scorecard_lines(doc, show_passed=True))


def test_extended_counts_on_one_line():
    text = report_text.to_text(report_text.scorecard_lines(report_document.build_document({"node1": seventy_two()})))
    lines = [line for line in text.splitlines() if "Extended profile" in line]
    assert len(lines) == 1
    assert lines[0].strip() == "Extended profile (not scored): %d pass, 2 fail (X.2, X.4), 1 error (X.6)" % (
        len(catalog.EXTENDED_IDS) - 3)


def test_compact_is_one_line_per_host():
    audits = {"a": seventy_two(), "b": make_audit(host="b")}
    doc = report_document.build_document(audits, failed={"a": "Evaluate: score 72.0 is below fail_under 80"})
    text = report_text.to_text(report_text.scorecard_lines(doc, compact=True))
    host_lines = [line for line in text.splitlines() if line.startswith(("a:", "b:"))]
    assert host_lines == [
        "a: 72.0 / 100 (36/50 earned, 72 of 100 applicable points; coverage 96.0%, 0 waived) — Acceptable (dev only); 8 fail, 4 manual, "
        "2 error; audit task failed: Evaluate: score 72.0 is below fail_under 80",
        "b: 100.0 / 100 (50/50 earned, 100 of 100 applicable points; coverage 100.0%, 0 waived) — Excellent",
    ]
    assert "Section" not in text and "Failed (" not in text
    assert "dockersec fleet summary: 2 hosts audited" in text


def test_fleet_summary_text():
    audits = {"a": seventy_two(), "b": make_audit(host="b", statuses={"3": "fail"})}
    doc = report_document.build_document(audits, unreachable={"c": "Failed to connect to the host via ssh"},
                                         failed={"d": "Gather Docker host facts in one pass: permission denied",
                                                 "b": "Evaluate every control and score the host: score below 99"})
    text = report_text.to_text(report_text.scorecard_lines(doc))
    summary = text[text.index("dockersec fleet summary"):]
    assert summary.splitlines()[0] == ("dockersec fleet summary: 2 hosts audited, 1 unreachable, "
                                       "1 failed without a result")
    assert "Bands: Excellent 1, Acceptable (dev only) 1" in summary
    assert "Score: average 85.0, min 72.0 (a)" in summary
    assert "[3] %s: 2 of 2 hosts" % catalog.get("3")["title"] in summary
    assert "Unreachable: c: Failed to connect to the host via ssh" in summary
    assert "d failed, no audit result: Gather Docker host facts in one pass: permission denied" in summary
    assert "b audit task failed: Evaluate every control and score the host: score below 99" in summary
    # the failed host with a result keeps its scorecard and says why it failed
    assert "Audit task failed: Evaluate every control" in text[:text.index("dockersec fleet summary")]


def test_before_and_after():
    before = make_audit(statuses={"6": "fail", "7": "fail"}, generated_at="2026-11-23T05:00:00Z")
    after = make_audit(generated_at="2026-11-23T05:10:00Z")
    doc = report_document.build_document({"n": after}, before={"n": before})
    assert doc["hosts"]["n"]["before"]["score"] == 96.0
    assert "Before: 96.0 (Excellent) -> after: 100.0 (Excellent), +4.0" in report_text.to_text(report_text.scorecard_lines(doc))
    assert doc["hosts"]["n"]["before"]["fixed"] == ["6", "7"] and doc["hosts"]["n"]["before"]["regressed"] == []
    assert "Fixed by this run: 6, 7" in report_text.to_text(report_text.scorecard_lines(doc))


def test_before_and_after_names_what_got_worse():
    before = make_audit(generated_at="2026-11-23T05:00:00Z")
    after = make_audit(statuses={"31": "fail"}, generated_at="2026-11-23T05:10:00Z")
    doc = report_document.build_document({"n": after}, before={"n": before})
    assert doc["hosts"]["n"]["before"]["fixed"] == [] and doc["hosts"]["n"]["before"]["regressed"] == ["31"]
    assert "Worse after this run: 31" in report_text.to_text(report_text.scorecard_lines(doc))


def test_history_lines():
    doc = report_document.build_document({"b": make_audit(host="b", generated_at="2026-11-23T05:00:00Z"),
                                          "a": seventy_two()},
                                         unreachable={"c": "down"}, collection_version="0.1.0")
    lines = [json.loads(line) for line in report_document.history_lines(doc)]
    a, b = doc["hosts"]["a"], doc["hosts"]["b"]
    assert lines == [
        {"history_format": 2, "host": "a", "generated_at": "2026-11-23T05:00:00Z", "score": 72.0,
         "collection_version": "0.1.0", "earned": a["earned"], "applicable": a["applicable"], "coverage": 96.0,
         "waivers": 0},
        {"history_format": 2, "host": "b", "generated_at": "2026-11-23T05:00:00Z", "score": 100.0,
         "collection_version": "0.1.0",
         "earned": b["earned"], "applicable": b["applicable"], "coverage": 100.0, "waivers": 0},
    ]
    assert a["earned"] is not None and b["applicable"] is not None
    # A batch writes only its own hosts' lines (the document may hold earlier batches' hosts).
    assert [json.loads(line)["host"] for line in report_document.history_lines(doc, ["b", "zz"])] == ["b"]
    assert report_document.history_lines(doc, []) == []


def test_history_line_of_a_remediation_run_says_what_it_fixed():
    before = make_audit(statuses={"6": "fail", "7": "fail"}, generated_at="2026-11-23T05:00:00Z")
    doc = report_document.build_document({"n": make_audit(generated_at="2026-11-23T05:10:00Z")}, before={"n": before})
    line = json.loads(report_document.history_lines(doc)[0])
    assert line["before"] == {"score": 96.0, "earned": before["earned"], "fixed": ["6", "7"], "regressed": []}
    assert line["earned"] - line["before"]["earned"] == 4


def test_history_falls_back_to_the_document_time():
    audit = make_audit()
    del audit["generated_at"]
    doc = report_document.build_document({"n": audit}, generated_at="2026-11-23T07:00:00Z")
    assert json.loads(report_document.history_lines(doc)[0])["generated_at"] == "2026-11-23T07:00:00Z"


def test_collection_version_from_galaxy_yml():
    import yaml
    with open(os.path.join(REPO, "galaxy.yml")) as f:
        expected = str(yaml.safe_load(f)["version"])
    assert report_document.read_collection_version(REPO) == expected


def test_collection_version_prefers_manifest(tmp_path):
    (tmp_path / "galaxy.yml").write_text("namespace: dockersec\nversion: 0.0.1\n")
    assert report_document.read_collection_version(str(tmp_path)) == "0.0.1"
    (tmp_path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "1.2.3"}}))
    assert report_document.read_collection_version(str(tmp_path)) == "1.2.3"
    assert report_document.read_collection_version(str(tmp_path / "missing")) is None


@pytest.mark.parametrize("band,style", [("Excellent", "pass"), ("Good", "pass"),
                                        ("Acceptable (dev only)", "manual"), ("Poor", "fail"),
                                        ("Critical", "fail"), ("bogus", None)])
def test_band_style(band, style):
    assert report_text.band_style(band) == style


def test_render_segments_carry_styles_for_colour():
    lines = report_text.scorecard_lines(report_document.build_document({"node1": seventy_two()}))
    styles = set(style for line in lines for dummy, style in line)
    assert {"header", "fail", "error", "manual"} <= styles
    score_line = [line for line in lines if line[0][0].startswith("  Score:")][0]
    assert score_line[-1] == ("Acceptable (dev only)", "manual")


def test_host_entry_keeps_remediation_deferrals_only_when_there_are_some():
    audit = {"score": 50, "controls": [], "deferred": [{"id": "5", "reason": "takes effect after reboot"}, "junk"]}
    assert report_document.host_entry(audit)["deferred"] == [{"id": "5", "reason": "takes effect after reboot"}]
    assert "deferred" not in report_document.host_entry({"score": 50, "controls": [], "deferred": []})
    assert "deferred" not in report_document.host_entry({"score": 50, "controls": []})


def test_a_long_rollback_message_keeps_its_end_in_the_report_and_is_clipped_on_the_terminal():
    msg = "daemon : Fail this host: " + "changed keys: icc, log-level; " * 30 + "dockerd is serving again."
    doc = report_document.build_document({}, failed={"web1": msg})
    assert doc["failed"]["web1"].endswith("dockerd is serving again.")
    text = "\n".join("".join(piece[0] for piece in line) for line in report_text.fleet_lines(doc))
    summary = [line for line in text.splitlines() if "web1" in line][0]
    assert len(summary) < report_document.MESSAGE_WIDTH + 60 and summary.endswith("...")
