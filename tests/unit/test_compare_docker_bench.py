# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""benchmarks/compare_docker_bench.py: reading docker-bench-security's JSON log and our report, side by side."""

from __future__ import absolute_import, division, print_function

import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_LOG = os.path.join(ROOT, "tests", "data", "docker-bench", "docker-bench-security.log.json")


@pytest.fixture(scope="module")
def cmp():
    spec = importlib.util.spec_from_file_location("dockersec_compare_docker_bench",
                                                  os.path.join(ROOT, "benchmarks", "compare_docker_bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def bench_log():
    with open(BENCH_LOG) as f:
        return json.load(f)


def checklist_report(host="h1"):
    """Today's document: no cis profile, the checklist controls name their CIS ids."""
    controls = [
        {"id": "4", "cis": ["1.1.1"], "status": "fail", "evidence": ["same device as /"]},
        {"id": "5", "cis": ["1.1.3"], "status": "fail", "evidence": ["not watched"]},
        {"id": "6", "cis": ["2.2"], "status": "pass", "evidence": ["icc=false"]},
        {"id": "22", "cis": ["2.2"], "status": "fail", "evidence": ["user network | icc"]},
        {"id": "7", "cis": ["2.3"], "status": "fail", "evidence": ["log-level=debug"]},
        {"id": "1", "cis": ["1.2.1"], "status": "pass", "evidence": []},
        {"id": "47", "cis": [], "status": "manual", "evidence": []},
    ]
    extended = [{"id": "X.8", "cis": ["2.15"], "status": "fail", "evidence": ["live-restore off"]}]
    return {"hosts": {host: {"controls": controls, "extended": extended}}}


def test_the_log_is_read_by_id_with_the_mode_suffix_dropped(cmp, bench_log):
    results = cmp.parse_bench_log(bench_log)
    assert sorted(results, key=cmp.id_key) == ["1.1.1", "1.1.3", "1.2.1", "2.2", "2.3", "2.9", "2.18"]
    assert results["1.1.1"] == {"result": "WARN", "desc": "Ensure a separate partition for containers has been created",
                                "details": ""}
    assert results["2.18"]["result"] == "NOTE" and results["2.18"]["details"] == "Docker version too old"
    assert results["2.9"]["desc"] == "Enable user namespace support"


def test_bad_logs_are_refused_by_name(cmp, bench_log, tmp_path):
    truncated = tmp_path / "db.log.json"
    truncated.write_text(json.dumps(bench_log)[:200])
    with pytest.raises(cmp.InputError, match="interrupted docker-bench run"):
        cmp.load_json(str(truncated))
    with pytest.raises(cmp.InputError, match="no `tests` list"):
        cmp.parse_bench_log({"checks": 1})
    bench_log["tests"][0]["results"][0]["result"] = "FAIL"
    with pytest.raises(cmp.InputError, match="'FAIL' for 1.1.1"):
        cmp.parse_bench_log(bench_log)


def test_ids_sort_numerically(cmp):
    ids = ["1.1.10", "2.2", "1.1.9", "c_1", "1.2.1", "10.1"]
    assert sorted(ids, key=cmp.id_key) == ["1.1.9", "1.1.10", "1.2.1", "2.2", "10.1", "c_1"]


def test_without_the_cis_profile_the_checklist_mapping_speaks(cmp, bench_log):
    result = cmp.compare(bench_log, checklist_report(), "h1")
    assert result["source"] == "checklist"
    rows = dict((r["id"], r) for r in result["rows"])
    assert rows["1.1.1"]["agreement"] == "agree"          # WARN / fail
    assert rows["1.1.3"]["agreement"] == "DISAGREE"       # PASS / fail
    assert rows["2.2"]["agreement"] == "partly"           # PASS / pass (6), fail (22)
    assert rows["2.3"]["agreement"] == "DISAGREE"         # PASS / fail
    assert rows["1.2.1"]["agreement"] == "undecided"      # INFO: docker-bench does not decide it
    assert rows["2.9"]["agreement"] == "only docker-bench"
    assert rows["2.15"]["agreement"] == "only ours" and rows["2.15"]["bench"] == "-"
    assert rows["2.2"]["ours"] == [("control 6", "pass", ["icc=false"]), ("control 22", "fail", ["user network | icc"])]
    assert rows["2.18"]["agreement"] == "only docker-bench"  # NOTE, and no control names it
    assert result["counts"] == {"agree": 1, "DISAGREE": 2, "partly": 1, "undecided": 1, "only docker-bench": 2,
                                "only ours": 1}


def test_the_cis_profile_wins_over_the_checklist(cmp, bench_log):
    report = checklist_report()
    report["hosts"]["h1"]["profiles"] = {"cis": {"results": [
        {"id": "1.1.1", "status": "pass", "evidence": ["own partition"], "reuses": "4"},
        {"id": "2.9", "status": "fail", "evidence": ["no userns"], "reuses": None},
        {"id": "2.18", "status": "manual", "evidence": [], "reuses": None},
    ]}}
    result = cmp.compare(bench_log, report, "h1")
    assert result["source"] == "profiles.cis"
    rows = dict((r["id"], r) for r in result["rows"])
    assert rows["1.1.1"]["ours"] == [("cis (reuses 4)", "pass", ["own partition"])]
    assert rows["1.1.1"]["agreement"] == "DISAGREE"      # WARN / pass
    assert rows["2.9"]["agreement"] == "agree"           # WARN / fail
    assert rows["2.18"]["agreement"] == "undecided"      # NOTE / manual
    assert rows["2.2"]["agreement"] == "only docker-bench"  # the checklist's 2.2 is not read once the profile is there


def test_several_daemons_the_primary_one_is_compared(cmp, bench_log):
    doc = checklist_report()["hosts"]["h1"]
    weakest = {"cis": {"results": [{"id": "2.9", "status": "fail", "evidence": ["rootless, no userns"]}]}}
    doc.update(profiles=weakest, daemons=[
        {"name": "svc@unix:///run/user/1000/docker.sock", "primary": False, "profiles": weakest},
        {"name": "root@unix:///var/run/docker.sock", "primary": True,
         "profiles": {"cis": {"results": [{"id": "2.9", "status": "pass", "evidence": ["userns"]}]}}}])
    rows = dict((r["id"], r) for r in cmp.compare(bench_log, doc)["rows"])
    assert rows["2.9"]["ours"] == [("cis", "pass", ["userns"])]
    doc["daemons"] = doc["daemons"][1:]  # one daemon: the top level is its own
    assert dict((r["id"], r) for r in cmp.compare(bench_log, doc)["rows"])["2.9"]["ours"][0][1] == "fail"


def test_a_host_document_or_the_named_host_of_a_report(cmp):
    report = checklist_report("weak")
    assert cmp.host_document(report, "weak") is report["hosts"]["weak"]
    assert cmp.host_document(report) is report["hosts"]["weak"]
    assert cmp.host_document(report["hosts"]["weak"], "anything") is report["hosts"]["weak"]
    with pytest.raises(cmp.InputError, match="no host 'hardened' \\(hosts: weak\\)"):
        cmp.host_document(report, "hardened")
    with pytest.raises(cmp.InputError, match="not a dockersec report"):
        cmp.host_document({"tests": []})


def test_markdown_table_and_the_command_line(cmp, bench_log, tmp_path, capsys):
    (tmp_path / "h1.log.json").write_text(json.dumps(bench_log))
    (tmp_path / "h1.audit.json").write_text(json.dumps(checklist_report()))
    (tmp_path / "lonely.log.json").write_text(json.dumps(bench_log))  # no report beside it: skipped
    assert cmp.main(["--dir", str(tmp_path), "--details", "--json", str(tmp_path / "out.json")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("### h1 (ours from checklist)")
    assert "lonely" not in text
    assert "| 2.3 | Ensure the logging level is set to 'info' | PASS | fail (control 7) | DISAGREE |  | log-level=debug |" \
        in text
    assert "user network \\| icc" in text  # a | in evidence cannot break the table
    assert json.load(open(str(tmp_path / "out.json")))["h1"]["source"] == "checklist"
    assert cmp.main(["--pair", "h1", str(tmp_path / "h1.log.json"), str(tmp_path / "h1.audit.json"),
                     "--only", "DISAGREE"]) == 0
    only = capsys.readouterr().out
    assert "| 2.3 |" in only and "| 1.1.1 |" not in only
    (tmp_path / "bad.audit.json").write_text("{}")
    assert cmp.main(["--pair", "bad", str(tmp_path / "h1.log.json"), str(tmp_path / "bad.audit.json")]) == 2
    assert "not a dockersec report" in capsys.readouterr().err
