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
