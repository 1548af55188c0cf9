# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark script's pure parts (no engine needed). The run itself is `make bench-smoke`."""

from __future__ import absolute_import, division, print_function

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("docker")
    spec = importlib.util.spec_from_file_location("dockersec_bench", os.path.join(ROOT, "benchmarks", "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_workload_mix_covers_every_setting_and_is_labelled(bench):
    specs = [bench.workload_spec(i, "r1", 21000 + i if i % 5 == 0 else None) for i in range(24)]
    assert all(s["labels"][bench.LABEL] == "1" and s["labels"][bench.RUN_LABEL] == "r1" for s in specs)
    assert len(set(s["name"] for s in specs)) == len(specs)
    assert any("user" not in s for s in specs)  # root
    assert {"1000", "1000:1000"} <= set(s.get("user") for s in specs)
    assert any(s.get("read_only") for s in specs) and any(s.get("mem_limit") for s in specs)
    assert any(s.get("network") == bench.NETWORK for s in specs)
    published = [s["ports"]["8080/tcp"] for s in specs if "ports" in s]
    assert published and all(binding[0] == "127.0.0.1" for binding in published)
    assert len(set(binding[1] for binding in published)) == len(published)
    secrets = [s["environment"]["DB_PASSWORD"] for s in specs if "DB_PASSWORD" in s["environment"]]
    assert len(secrets) >= 2 and len(set(secrets)) == len(secrets)  # random, never a fixed string


def test_slope_and_marginal_cost(bench):
    assert bench.slope([(0, 2.0), (100, 2.5), (500, 4.5)]) == pytest.approx(0.005)
    assert bench.slope([(0, 1.0)]) is None
    rows = [{"n": 0, "seen": 0, "playbook": 2.0, "gather": 0.5, "docker": 0.1, "rss": 30.0, "eval": 0.01,
             "marg_play": None, "marg_gather": None},
            {"n": 500, "seen": 500, "playbook": 4.5, "gather": 1.5, "docker": 0.6, "rss": 50.0, "eval": 0.1,
             "marg_play": 5.0, "marg_gather": 2.0}]
    text = bench.table(rows)
    assert "| 500 | 500 | 4.50 |" in text and "5.0 ms/container end to end" in text
    fleet = [{"variant": "shipped ansible.cfg", "h": 1, "wall": 3.0, "ratio": 1.0},
             {"variant": "shipped ansible.cfg", "h": 8, "wall": 7.5, "ratio": 2.5}]
    verdict = bench.verdicts(rows, fleet)
    assert "marginal cost <= 10 ms/container: MET (5.0 ms)" in verdict
    assert "not judged" in bench.verdicts(rows[:1] + [dict(rows[1], seen=10)], [])
    assert "500 containers end to end < 15 s: MET (4.50 s)" in verdict
    assert "8 hosts at forks 8 < 3x one host: MET (2.50x)" in verdict


def test_inventory_uses_the_docker_connection(bench, tmp_path):
    path = str(tmp_path / "inv.yml")
    bench.write_inventory(path, ["h0", "h1"])
    text = open(path).read()
    assert text.count("ansible_connection: community.docker.docker") == 2 and "    h1:" in text


def test_arms_are_json_objects_or_files(bench, tmp_path):
    assert bench.parse_arm('{"dockersec_profiles": ["checklist"]}', "--arm-a") == {"dockersec_profiles": ["checklist"]}
    assert bench.parse_arm("{}", "--arm-b") == {}
    path = tmp_path / "arm.json"
    path.write_text('{"dockersec_options": {"x": 1}}')
    assert bench.parse_arm("@%s" % path, "--arm-a") == {"dockersec_options": {"x": 1}}
    with pytest.raises(ValueError, match="JSON object"):
        bench.parse_arm('["checklist"]', "--arm-a")
    with pytest.raises(ValueError, match="not JSON"):
        bench.parse_arm("dockersec_profiles=checklist", "--arm-b")


def test_the_audit_gets_each_arms_extra_vars(bench, tmp_path, monkeypatch):
    seen = []

    class FakeRunner(object):
        def run(self, argv, env=None, **_kw):
            seen.append(argv)
            report_dir = env["DOCKERSEC_REPORT_DIR"]
            os.makedirs(report_dir, exist_ok=True)
            open(os.path.join(report_dir, "dockersec-report.json"), "w").close()
            return 0, 1.0, "", "", type("Usage", (), {"ru_utime": 0.5, "ru_stime": 0.1})()
    monkeypatch.setattr(bench, "RUNNER", FakeRunner())
    bench.run_playbook(str(tmp_path), extra_vars={"dockersec_profiles": ["checklist"]})
    bench.run_playbook(str(tmp_path), extra_vars={})
    assert seen[0][-2:] == ["-e", '{"dockersec_profiles": ["checklist"]}']
    assert seen[1][-2] == "-e" and seen[1][-1].startswith("dockersec_become=")  # no extra -e for an empty arm


def test_paired_runs_alternate_and_keep_the_arms_apart(bench, monkeypatch):
    arms = [("A", ("one", {"v": "a"})), ("B", ("two", {"v": "b"}))]
    assert [k for k, _arm in bench.pair_order(arms, 0) + bench.pair_order(arms, 1)] == ["A", "B", "B", "A"]
    calls = []
    walls = {"a": iter([9.0, 2.0, 2.2, 2.1, 2.0, 2.3, 2.1]), "b": iter([2.4, 2.6, 2.5, 2.4, 2.5, 2.4])}

    def fake_playbook(_tmp, extra_vars=None, **_kw):
        calls.append(extra_vars["v"])
        return next(walls[extra_vars["v"]]), 1.0, 1.0

    class FakeBed(object):
        client = type("Client", (), {"containers": type("C", (), {"list": staticmethod(lambda all: [1, 2])})()})()

        def grow_to(self, n):
            return 0.0
    monkeypatch.setattr(bench, "run_playbook", fake_playbook)
    monkeypatch.setattr(bench, "settle", lambda s: 0.0)
    rows = bench.measure_paired(FakeBed(), [0, 10], 3, arms, "/tmp", 0)
    # The unmeasured warm-up (9.0 s) first, then A B / B A / A B at each size.
    assert calls == ["a"] + ["a", "b", "b", "a", "a", "b"] * 2
    assert [r["pairs"] for r in rows] == [3, 3] and rows[0]["seen"] == 2
    assert rows[0]["a_runs"] == [2.0, 2.2, 2.1] and rows[0]["b_runs"] == [2.4, 2.6, 2.5]
    assert rows[0]["a"] == pytest.approx(2.1) and rows[0]["b"] == pytest.approx(2.5)
    assert rows[0]["diff_pct"] == pytest.approx(100 * 0.4 / 2.1)


def test_paired_table_and_target(bench):
    runs = {"A": [(2.0, 1.0), (2.2, 1.1), (2.1, 1.0)], "B": [(2.1, 1.1), (2.3, 1.2), (2.2, 1.1)]}
    row = bench.paired_row(200, 204, runs, [0.05, 0.1])
    assert row["a"] == 2.1 and row["b"] == 2.2 and row["pairs"] == 3
    assert row["diff_pct"] == pytest.approx(100 * 0.1 / 2.1)
    assert row["pair_ratio"] == pytest.approx(2.2 / 2.1)  # the pairs' ratios 1.05, 1.045, 1.048: median 1.048
    assert row["cpu_diff_pct"] == pytest.approx(10.0)
    arms = [("A", ("checklist only", {"dockersec_profiles": ["checklist"]})), ("B", ("default profiles", {}))]
    text = bench.paired_table([row], arms)
    assert "A = checklist only (`-e '{\"dockersec_profiles\": [\"checklist\"]}'`)" in text
    assert "| 200 | 204 | 3 | 2.10 | 2.20 | +4.8 % | 1.048 | 1.00 | 1.10 | +10.0 % | 10 |" in text
    assert bench.paired_verdict([row], 10) == "B at most 10 % slower than A at every size: MET (worst +4.8 % at N=200)"
    slow = bench.paired_row(500, 504, {"A": [(2.0, 1.0)], "B": [(2.5, 1.0)]}, [])
    assert "MISSED (worst +25.0 % at N=500)" in bench.paired_verdict([row, slow], 10)
