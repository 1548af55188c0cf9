"""The remediation forecast: which controls each role turns to pass, and the score it leads to."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_step import ReportRun, read_report  # noqa: E402
from canned_audits import make_audit  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import prediction  # noqa: E402

PLAN = [{"role": "daemon", "controls": ["6", "7", "8", "X.8"], "skipped": []},
        {"role": "docker_socket", "controls": ["30"], "skipped": []}]
DEFERRED = [{"id": "8", "reason": "userns-remap while containers exist"}]


def test_fixes_are_the_plan_less_what_the_roles_deferred():
    assert prediction.fixes_from(PLAN, DEFERRED) == [
        {"id": "6", "role": "daemon"}, {"id": "7", "role": "daemon"}, {"id": "X.8", "role": "daemon"},
        {"id": "30", "role": "docker_socket"}]


def test_failing_and_error_controls_a_role_fixes_flip_and_the_rest_stays():
    before = make_audit(host="web1", statuses={"6": "fail", "7": "pass", "8": "fail", "30": "error",
                                               "12": "fail"}, extended={"X.8": "fail"})
    forecast = prediction.predict(before, prediction.fixes_from(PLAN, DEFERRED), DEFERRED)
    assert [(f["id"], f["role"], f["from"]) for f in forecast["flips"]] == [
        ("6", "daemon", "fail"), ("30", "docker_socket", "error"), ("X.8", "daemon", "fail")]
    # 12 (no role planned) and 8 (deferred) stay failing: 2 of 50 items, 96/100.
    assert (forecast["score"], forecast["earned"], forecast["applicable"]) == (96.0, 96, 100)
    assert forecast["band"] == "Excellent" and forecast["deferred"] == DEFERRED


def test_a_waived_control_is_no_flip():
    before = make_audit(host="web1", statuses={"6": "waived"})
    forecast = prediction.predict(before, [{"id": "6", "role": "daemon"}])
    assert forecast["flips"] == [] and forecast["applicable"] == 98


def test_the_report_step_prints_the_forecast_and_keeps_it_in_the_report(tmp_path):
    run = ReportRun(tmp_path)
    before = make_audit(host="web1", statuses={"6": "fail", "30": "fail"})
    run.audit("web1", before).audit("web1", make_audit(host="web1", statuses={"30": "fail"}))
    run.hostvars["web1"].update(dockersec_plan=PLAN, dockersec_deferred=DEFERRED)
    result, display = run.finish()
    doc = read_report(tmp_path)
    assert doc["hosts"]["web1"]["predicted"]["score"] == 100.0 and result["predicted"] == {"web1": 100.0}
    assert "dockersec remediation forecast: web1" in display.text
    assert "  daemon fixes: 6" in display.text and "  docker_socket fixes: 30" in display.text
    assert "  deferred 8: userns-remap while containers exist" in display.text
    # the driver runs in check mode: the forecast alone, no actual score beside it
    assert "  Predicted score: 100.0 / 100 (Excellent)" in display.lines


def test_after_a_real_run_the_forecast_stands_beside_the_actual_score():
    forecast = {"score": 100.0, "band": "Excellent", "flips": [], "deferred": []}
    assert prediction.lines("web1", forecast, 98.0)[-1] == (
        "  Predicted score: 100.0 / 100 (Excellent); actual 98.0 (differs by -2.0)")
    assert prediction.lines("web1", forecast, 100.0)[-1].endswith("actual 100.0 (as predicted)")
