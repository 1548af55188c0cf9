"""The report document, the history and the AWX artifacts of a host with several daemons
(issue 20): the host's keys keep their meaning, the per-daemon detail is added beside them."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canned_audits import ROOTFUL, ROOTLESS, make_audit, two_daemon_audit  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.report import awx as report_awx  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths  # noqa: E402


def document():
    return report_document.build_document({"node1": two_daemon_audit(), "old": make_audit(host="old")},
                                          generated_at="2026-11-23T06:00:00Z", collection_version="0.1.0")


def test_the_host_entry_keeps_the_weakest_daemon_and_lists_every_daemon():
    entry = document()["hosts"]["node1"]
    assert entry["daemon"] == ROOTLESS["name"] and entry["score"] == 96.0
    primary, rootless = entry["daemons"]
    assert (primary["name"], primary["primary"], primary["rootless"], primary["score"]) == (
        ROOTFUL["name"], True, False, 100.0)
    assert (rootless["name"], rootless["rootless"], rootless["user"], rootless["uid"], rootless["score"]) == (
        ROOTLESS["name"], True, "svc", 1000, 96.0)
    assert rootless["controls"] == entry["controls"] and rootless["band"] == entry["band"]
    assert [c["id"] for c in rootless["controls"] if c["status"] == "fail"] == ["16", "17"]
    # what the result carries beyond the report's keys never reaches it, per daemon too
    assert "raw_inspect" not in json.dumps(entry["daemons"])
    assert "daemons" not in document()["hosts"]["old"]


def test_history_keeps_the_host_score_and_adds_each_daemons():
    lines = [json.loads(line) for line in report_document.history_lines(document())]
    node1, old = sorted(lines, key=lambda line: line["host"])
    assert node1["history_format"] == report_paths.HISTORY_FORMAT == 2
    assert node1["score"] == 96.0
    assert node1["daemons"] == [{"name": ROOTFUL["name"], "rootless": False, "score": 100.0, "coverage": 100.0},
                                {"name": ROOTLESS["name"], "rootless": True, "score": 96.0, "coverage": 100.0}]
    assert "daemons" not in old


def test_format_1_lines_are_still_read_and_a_bad_daemons_list_is_skipped(tmp_path):
    path = report_paths.history_path(str(tmp_path))
    v1 = {"history_format": 1, "host": "node1", "generated_at": "2026-10-01T05:00:00Z", "score": 70.0}
    v2 = json.loads(report_document.history_lines(document(), ["node1"])[0])
    bad = dict(v2, daemons=[{"name": "x", "score": 300}])
    with open(path, "w") as f:
        f.write("".join(json.dumps(r) + "\n" for r in (v1, v2, bad)))
    records, warnings = report_paths.read_history_records(path)
    assert records == [v1, v2]
    assert warnings == ["history %s line 3 skipped: daemons[0].score is 300, not a number from 0 to 100" % path]


def test_set_stats_adds_each_hosts_daemons_beside_the_unchanged_keys():
    doc = document()
    data = report_awx.set_stats_data(doc)
    assert sorted(data) == ["dockersec_daemons", "dockersec_fleet", "dockersec_hosts"]
    assert data["dockersec_hosts"]["node1"]["score"] == 96.0
    assert data["dockersec_hosts"]["node1"]["failing"] == ["16", "17"]
    assert data["dockersec_daemons"] == {
        "node1": [{"name": ROOTFUL["name"], "primary": True, "rootless": False, "score": 100.0, "band": "Excellent",
                   "coverage": 100.0, "failing": []},
                  {"name": ROOTLESS["name"], "primary": False, "rootless": True, "score": 96.0, "band": "Excellent",
                   "coverage": 100.0, "failing": ["16", "17"]}],
        "old": []}
    json.dumps(data)


def test_the_report_step_keeps_each_daemon_in_the_report_the_history_the_stats_and_the_forecast(tmp_path):
    from report_step import ReportRun, read_history, read_report
    run = ReportRun(tmp_path)
    # 6 fails on the primary (the daemon role fixes it), 16 and 17 on the rootless daemon (no role does)
    before = two_daemon_audit(primary_statuses={"6": "fail"})
    after = two_daemon_audit()
    run.audit("node1", before).audit("node1", after)
    run.hostvars["node1"].update(dockersec_plan=[{"role": "daemon", "controls": ["6"], "skipped": []}],
                                 dockersec_deferred=[])
    result, display = run.finish()
    entry = read_report(tmp_path)["hosts"]["node1"]
    assert entry["daemon"] == ROOTLESS["name"] and [d["score"] for d in entry["daemons"]] == [100.0, 96.0]
    assert entry["predicted"]["score"] == 96.0 and entry["predicted"]["held_by"] == ROOTLESS["name"]
    assert [f["id"] for f in entry["predicted"]["flips"]] == ["6"]
    assert "  Predicted score: 96.0 / 100 (Excellent; daemon %s, which no role changes)" % ROOTLESS["name"] in (
        display.lines)
    assert [d["score"] for d in read_history(tmp_path)[-1]["daemons"]] == [100.0, 96.0]
    assert [d["name"] for d in result["set_stats"]["dockersec_daemons"]["node1"]] == [ROOTFUL["name"], ROOTLESS["name"]]
