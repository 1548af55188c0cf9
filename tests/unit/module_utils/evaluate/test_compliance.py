"""Items 46-50 (compliance: evaluate/compliance.py).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest
from conftest import make_container, make_facts
from sections_support import BENCH_LOG, CHECKS, _bench, _history, days_ago, run

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log, compliance


# --- 46 / 49 history ------------------------------------------------------------------------------


def _no_bench():
    f = make_facts()
    f["tools"]["docker_bench"] = None
    return f


def test_46_fail_without_a_bench_run():
    status, ev = run("46", _no_bench())
    assert status == "fail" and "in the last 30 days" in ev


def test_46_own_history_is_not_a_cis_benchmark_run():
    # Issue 11: any second run of this collection used to pass item 46.
    status, ev = run("46", _no_bench(), _history=_history(45, 7, 1))
    assert status == "fail" and "no finished docker-bench-security run" in ev


def test_46_pass_shows_the_results_of_the_bench_log_on_the_host():
    f = make_facts()
    f["tools"]["docker_bench"] = _bench()
    status, ev = run("46", f)
    assert status == "pass", ev
    assert ("docker-bench-security 1.6.0 log /opt/docker-bench-security/log/docker-bench-security.log.json (on the "
            "host): 3 PASS, 2 WARN, 1 INFO, 1 NOTE (score 1 of 7 checks); ran 2 days ago") in ev


def test_46_bench_log_from_the_controller_option():
    status, ev = run("46", _no_bench(), _bench_log=_bench(path="/ci/bench.json"))
    assert status == "pass" and "/ci/bench.json (docker_bench_log_path): 3 PASS, 2 WARN" in ev


@pytest.mark.parametrize("change, why", [
    ({"end": None, "complete": False}, "the run did not finish"),
    ({"results": 0, "counts": {"PASS": 0, "WARN": 0, "INFO": 0, "NOTE": 0}}, "holds no results"),
])
def test_46_a_log_without_a_finished_run_is_not_credited(change, why):
    f = make_facts()
    f["tools"]["docker_bench"] = _bench(**change)
    status, ev = run("46", f)
    assert status == "fail" and why in ev


def test_46_a_log_that_cannot_be_read_is_an_error_not_a_fail():
    """Issue 18: it proves neither a run nor its absence."""
    f = make_facts()
    f["tools"]["docker_bench"] = _bench(error="permission denied")
    status, ev = run("46", f)
    assert status == "error" and "permission denied" in ev


def test_46_old_bench_run_fails():
    f = make_facts()
    f["tools"]["docker_bench"] = _bench()
    status, ev = run("46", f, _today=datetime.date(2026, 12, 31))
    assert status == "fail" and "40 days old (benchmark_max_age_days 30)" in ev
    assert run("46", f, _today=datetime.date(2026, 12, 31), benchmark_max_age_days=60)[0] == "pass"


def test_46_text_log_alone_is_named_but_not_credited():
    f = _no_bench()
    f["tools"]["docker_bench_log"] = "/var/log/docker-bench-security.log"
    f["tools"]["docker_bench_log_mtime"] = days_ago(3)
    status, ev = run("46", f)
    assert status == "fail" and "text log /var/log/docker-bench-security.log found" in ev


def test_bench_log_summary_of_the_real_format_and_of_broken_json():
    with open(BENCH_LOG) as f:
        text = f.read()
    s = bench_log.summarize(text)
    assert (s["version"], s["checks"], s["score"], s["results"], s["complete"], s["parsed"]) == (
        "1.6.0", 7, 1, 7, True, "json")
    assert s["counts"] == {"PASS": 3, "WARN": 2, "INFO": 1, "NOTE": 1}
    # docker-bench escapes nothing: a quote in a detail breaks the JSON; counted line by line instead.
    broken = text.replace('"Docker version too old"', '"version "20.10" too old"')
    s = bench_log.summarize(broken)
    assert s["parsed"] == "lines" and s["counts"]["PASS"] == 3 and s["complete"] is True
    # An interrupted run: no closing checks/score/end.
    s = bench_log.summarize(text[:text.index('"id": "2.9"')])
    assert s["complete"] is False and s["results"] == 5 and s["end"] is None
    assert bench_log.summarize("")["results"] == 0 and bench_log.summarize(None)["complete"] is False


def test_49_needs_two_audits_on_different_days():
    status, ev = run("49", make_facts())
    assert status == "fail" and "0 recorded audits" in ev and "at least two" in ev
    # Issue 11: a second run used to pass; one recorded audit is no cadence.
    assert run("49", make_facts(), _history=_history(1))[0] == "fail"
    # Two runs on one day are one audit day.
    status, ev = run("49", make_facts(), _history=_history(0, 0))
    assert status == "fail" and "1 recorded audit of this host" in ev
    status, ev = run("49", make_facts(), _history=_history(60, 5))
    assert status == "pass" and "2 recorded audits on different days" in ev


def test_49_gap_longer_than_the_period_fails():
    status, ev = run("49", make_facts(), _history=_history(200, 10))
    assert status == "fail" and "190 days without an audit between" in ev
    assert run("49", make_facts(), _history=_history(200, 10), audit_max_age_days=190)[0] == "pass"
    # The newest audit too old.
    status, ev = run("49", make_facts(), _history=_history(150, 100))
    assert status == "fail" and "is 100 days old (audit_max_age_days 92)" in ev
    # A lapse older than the window (365 days) no longer counts.
    assert run("49", make_facts(), _history=_history(900, 400, 330, 250, 170, 90, 10))[0] == "pass"
    assert run("49", make_facts(), _history=_history(900, 330, 250, 170, 90, 10))[0] == "pass"
    assert run("49", make_facts(), _history=_history(900, 300, 200, 100, 10))[0] == "fail"


def test_history_today_falls_back_to_gathered_at():
    status, _ev = CHECKS["49"](make_facts(), {"_history": _history(40, 10)})
    assert status == "pass"


# --- 50 inventory ---------------------------------------------------------------------------------

def test_50_pass_fail_error():
    status, ev = run("50", make_facts(containers=[make_container("a"), make_container("b", state="exited")]))
    assert status == "pass" and "inventory of 2 containers" in ev
    status, ev = run("50", make_facts(), inventory_export=False)
    assert status == "fail" and "inventory_export" in ev
    f = make_facts()
    f["docker"]["containers"] = None
    assert run("50", f)[0] == "error"


# --- 46 from this collection's CIS profile results (issue 21 item 5) -------------------------------

CIS_GOOD = {"version": "1.6.0", "pass_rate": 75.0, "automated_decided": 80,
            "counts": {"pass": 60, "fail": 20, "manual": 25, "not_applicable": 10, "error": 2, "waived": 0}}
CIS_MOSTLY_ERROR = {"version": "1.6.0", "pass_rate": 50.0, "automated_decided": 4,
                    "counts": {"pass": 2, "fail": 2, "manual": 25, "not_applicable": 0, "error": 86, "waived": 0}}


def test_46_this_runs_cis_results_credit_it_with_their_counts():
    status, ev = run("46", _no_bench(), _cis_summary=CIS_GOOD)
    assert status == "pass"
    assert "this run's CIS Docker Benchmark 1.6.0 profile results: 60 pass, 20 fail, 25 manual, 10 not_applicable" \
           ", 2 error; pass rate 75.0% of 80 automated recommendations decided" in ev


def test_46_cis_results_that_are_mostly_error_do_not_credit_it():
    status, ev = run("46", _no_bench(), _cis_summary=CIS_MOSTLY_ERROR)
    assert status == "fail"
    assert "not credited: only 4 recommendations decided against 86 error" in ev


def test_46_a_history_line_with_cis_counts_within_the_age_limit_credits_it():
    history = _history(45, 3)
    history[1]["cis"] = dict((k, CIS_GOOD[k]) for k in ("version", "pass_rate", "counts"))
    status, ev = run("46", _no_bench(), _history=history)
    assert status == "pass" and "recorded 3 days ago" in ev and "60 pass, 20 fail" in ev
    # Too old: benchmark_max_age_days (30 by default).
    history = _history(45)
    history[0]["cis"] = CIS_GOOD
    status, ev = run("46", _no_bench(), _history=history)
    assert status == "fail" and "45 days old" in ev


def test_46_the_profile_selected_without_results_proves_nothing():
    # Old history lines carry no cis key; a run without the CIS profile passes no summary.
    assert run("46", _no_bench(), _history=_history(1), _cis_summary=None)[0] == "fail"
    empty = {"version": "1.6.0", "pass_rate": None, "automated_decided": 0, "counts": {"manual": 25}}
    status, ev = run("46", _no_bench(), _cis_summary=empty)
    assert status == "fail" and "no automated recommendation was decided" in ev


@pytest.mark.parametrize("summary, credited", [
    ({"counts": {"pass": 60, "fail": 20, "error": 5}, "automated_decided": 80}, True),
    ({"counts": {"pass": 2, "fail": 1, "error": 90}, "automated_decided": 3}, False),
    ({"counts": {"pass": 0, "fail": 0, "error": 0, "manual": 25}, "automated_decided": 0}, False),
    ({"counts": {"pass": 30, "fail": 20, "error": 50}}, True),
    ({"counts": {"pass": 30, "fail": 19, "error": 50}}, False),
    ({}, False),
])
def test_a_cis_summary_credits_item_46_only_when_mostly_decided(summary, credited):
    assert (compliance.credit_problem(summary) is None) is credited
