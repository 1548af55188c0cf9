"""The Prometheus report (node_exporter textfile format), read back by the official Python
client's parser and, where Debian's promtool is installed, linted by ``promtool check metrics``.
"""

import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canned_audits import make_audit  # noqa: E402  (shared result builder)
from canned_audits import EVIL_HOST, _rescore, canned_audits  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import formats as report_formats  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import prometheus as report_prometheus  # noqa: E402

SCORED = [c["id"] for c in catalog.CONTROLS if catalog.is_scored(c["id"])]
EXTENDED = [c["id"] for c in catalog.CONTROLS if not catalog.is_scored(c["id"])]


def parse(text):
    """``{metric name: {frozenset(labels.items()): value}}``, plus the families' types."""
    series, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            key = frozenset(sample.labels.items())
            assert key not in series.setdefault(sample.name, {}), "duplicate series %s %s" % (sample.name, key)
            series[sample.name][key] = sample.value
    return series, types


def value(series, name, **labels):
    return series[name][frozenset(labels.items())]


def waived_audit(host="web3", expires="2026-12-10", owner='ops "night" team'):
    audit = make_audit(host=host)
    for c in audit["controls"]:
        if c["id"] == "21":
            c["status"], c["points"] = "waived", 0
            c["waiver"] = {"owner": owner, "expires": expires, "reason": "vendor agent", "original_status": "fail"}
    return _rescore(audit)


def test_every_series_of_the_report_equals_the_json_document():
    audits = canned_audits()
    audits["web2"]["fail_under"] = 80
    doc = report_document.build_document(audits, unreachable={"down1": "ssh: timed out"}, generated_at="2026-11-23T06:00:00Z")
    series, types = parse(report_prometheus.to_prometheus(doc))
    assert set(types.values()) == {"gauge"}
    for host, entry in doc["hosts"].items():
        assert value(series, "dockersec_score", host=host) == entry["score"]
        assert value(series, "dockersec_earned_points", host=host) == entry["earned"]
        assert value(series, "dockersec_applicable_points", host=host) == entry["applicable"]
        assert value(series, "dockersec_band_info", host=host, band=entry["band"]) == 1
        assert value(series, "dockersec_audit_success", host=host) == 1
        assert value(series, "dockersec_audit_timestamp_seconds", host=host) == 1795410000  # 2026-11-23T05:00Z
        decided = sum(c["max_points"] for c in entry["controls"] if c["status"] in ("pass", "fail", "manual"))
        assert value(series, "dockersec_coverage_ratio", host=host) == pytest.approx(decided / 100.0)
        for row in report_document.section_rows(entry):
            assert value(series, "dockersec_section_earned_points", host=host, section=str(row["section"])) == \
                row["earned"]
            assert value(series, "dockersec_section_applicable_points", host=host, section=str(row["section"])) == \
                row["max"]
        for control in entry["controls"] + entry["extended"]:
            one_hot = dict((s, value(series, "dockersec_control_status", host=host, id=control["id"], status=s))
                           for s in catalog.STATUSES)
            assert one_hot == dict((s, 1 if s == control["status"] else 0) for s in catalog.STATUSES)
    assert value(series, "dockersec_score_threshold", host="web2") == 80
    assert [dict(k) for k in series["dockersec_score_threshold"]] == [{"host": "web2"}]
    # An unreachable host says so and has nothing else: no score of 0 that reads like a real one.
    assert value(series, "dockersec_audit_success", host="down1") == 0
    assert not any(dict(k).get("host") == "down1" for name, rows in series.items() for k in rows
                   if name != "dockersec_audit_success")
    # No previous report: no series about the previous audit.
    assert "dockersec_previous_score" not in series and "dockersec_control_regressed" not in series


def test_cardinality_is_bounded_by_the_catalog():
    doc = report_document.build_document(canned_audits())
    series, dummy = parse(report_prometheus.to_prometheus(doc))
    per_host = len(SCORED + EXTENDED) * len(catalog.STATUSES)
    assert len(series["dockersec_control_status"]) == per_host * len(doc["hosts"])
    assert len(series["dockersec_section_earned_points"]) == len(catalog.SECTIONS) * len(doc["hosts"])
    # Evidence, titles and fixes never become label values.
    labels = set(k for rows in series.values() for key in rows for k, dummy in key)
    assert labels == {"host", "band", "section", "id", "status"}


def test_hostile_host_names_and_owners_round_trip_through_the_parser():
    audits = canned_audits()
    audits["web3"] = waived_audit(owner='ops "night"\\team\nsecond line')
    doc = report_document.build_document(audits)
    text = report_prometheus.to_prometheus(doc)
    series, dummy = parse(text)
    assert value(series, "dockersec_score", host=EVIL_HOST) == doc["hosts"][EVIL_HOST]["score"]
    key = frozenset({"host": "web3", "id": "21", "owner": 'ops "night"\\team\nsecond line'}.items())
    assert key in series["dockersec_waiver_expiry_timestamp_seconds"]
    # One sample per line: a newline in a label value is escaped, never written raw.
    assert all(line.startswith(("#", "dockersec_")) for line in text.splitlines())


# Any text an inventory may hold: host names and waiver owners, control characters included
# (no surrogates: a label value is UTF-8).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(host=_TEXT, owner=_TEXT)
def test_any_host_name_and_owner_read_back_exactly(host, owner):
    audit = waived_audit(host=host, owner=owner)
    doc = report_document.build_document({host: audit})
    text = report_prometheus.host_file(doc, host)
    series, dummy = parse(text)
    assert value(series, "dockersec_score", host=host) == doc["hosts"][host]["score"]
    assert value(series, "dockersec_waiver_expiry_timestamp_seconds", host=host, id="21", owner=owner) == 1796947200
    # One sample per line (the format's only line break is LF).
    lines = text.rstrip("\n").split("\n")
    assert all(line.startswith(("# HELP dockersec_", "# TYPE dockersec_", "dockersec_")) for line in lines)


def test_a_waiver_counts_through_its_expires_date():
    doc = report_document.build_document({"web3": waived_audit(expires="2026-12-10")})
    series, dummy = parse(report_prometheus.to_prometheus(doc))
    # 2026-12-11T00:00:00Z: the waiver still counts on 2026-12-10 (profile.py refuses it only after).
    assert value(series, "dockersec_waiver_expiry_timestamp_seconds", host="web3", id="21",
                 owner='ops "night" team') == 1796947200
    assert value(series, "dockersec_control_status", host="web3", id="21", status="waived") == 1


def test_previous_report_gives_the_previous_score_and_the_controls_that_regressed():
    before = report_document.build_document({"web1": make_audit(host="web1", statuses={"13": "error"},
                                                                generated_at="2026-11-22T05:00:00Z")})
    now_audit = make_audit(host="web1", statuses={"12": "fail", "13": "fail", "14": "error"})
    now = report_document.build_document({"web1": now_audit, "new": make_audit(host="new")})
    series, dummy = parse(report_prometheus.to_prometheus(now, before))
    assert value(series, "dockersec_previous_score", host="web1") == before["hosts"]["web1"]["score"]
    assert value(series, "dockersec_previous_audit_timestamp_seconds", host="web1") == 1795323600
    regressed = dict((dict(k)["id"], v) for k, v in series["dockersec_control_regressed"].items())
    # pass -> fail only: error -> fail was not a pass, pass -> error was not a fail.
    assert [cid for cid, v in regressed.items() if v == 1] == ["12"]
    assert regressed["13"] == 0 and regressed["14"] == 0
    assert set(regressed) == set(SCORED + EXTENDED)
    # A host the previous report does not have gets no previous series.
    assert not any(dict(k)["host"] == "new" for k in series["dockersec_previous_score"])


def test_coverage_comes_from_the_report_when_it_has_one():
    audit = make_audit(host="web1", statuses={"1": "error", "2": "not_applicable", "3": "waived"})
    doc = report_document.build_document({"web1": audit})
    series, dummy = parse(report_prometheus.to_prometheus(doc))
    assert value(series, "dockersec_coverage_ratio", host="web1") == pytest.approx(0.94)
    doc["hosts"]["web1"]["coverage"] = 62.5
    series, dummy = parse(report_prometheus.to_prometheus(doc))
    assert value(series, "dockersec_coverage_ratio", host="web1") == pytest.approx(0.625)


def test_host_file_has_that_host_only():
    doc = report_document.build_document(canned_audits(), failed={"broken": "gather failed"})
    for host in list(doc["hosts"]) + ["broken"]:
        series, dummy = parse(report_prometheus.host_file(doc, host))
        hosts = set(dict(k)["host"] for rows in series.values() for k in rows)
        assert hosts == {host}
    assert report_prometheus.host_file(doc, "not-in-the-run") == ""


def test_the_format_is_wired_into_report_formats():
    assert report_formats.parse_formats("json,prometheus") == (["json", "prom"], [])
    assert report_formats.FILE_NAMES["prom"] == "dockersec.prom"
    doc = report_document.build_document(canned_audits())
    assert report_formats.render_format("prom", doc, doc) == report_prometheus.to_prometheus(doc, doc)


@pytest.mark.parametrize("stamp, expected", [
    ("2026-11-23T05:00:00Z", 1795410000),
    ("2026-11-23T05:00:00", 1795410000),
    ("2026-11-23T05:00:00.25Z", 1795410000),
    ("2026-11-23", 1795392000),
    ("2026-11-23T05:00:00+02:00", None),
    ("yesterday", None),
    (None, None),
])
def test_timestamps(stamp, expected):
    assert report_prometheus.timestamp(stamp) == expected


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus) is not installed; "
                                                         "make prometheus-test installs it")
def test_promtool_check_metrics_accepts_the_report():
    audits = canned_audits()
    audits["web3"] = waived_audit()
    audits["web2"]["fail_under"] = 80
    doc = report_document.build_document(audits, unreachable={"down1": "timed out"})
    previous = report_document.build_document(canned_audits(), generated_at="2026-11-22T05:00:00Z")
    for text in [report_prometheus.to_prometheus(doc, previous)] + [report_prometheus.host_file(doc, h, previous) for h in doc["hosts"]]:
        proc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0 and not proc.stdout.strip() and not proc.stderr.strip(), proc.stdout + proc.stderr


def test_the_alert_rules_ship_in_the_collection_tarball():
    """galaxy.yml's build_ignore leaves prometheus/ in (ansible-galaxy matches each pattern with fnmatch
    against the path and against the file name)."""
    import fnmatch

    import yaml

    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    with open(os.path.join(repo, "galaxy.yml")) as f:
        ignore = yaml.safe_load(f)["build_ignore"]
    rules = os.path.join("prometheus", "dockersec-alerts.yml")
    assert os.path.isfile(os.path.join(repo, rules))
    for part in ("prometheus", rules, "dockersec-alerts.yml"):
        assert not [p for p in ignore if fnmatch.fnmatch(part, p)], part


def test_one_coverage_formula_for_the_engine_and_every_report(monkeypatch):
    # Issue 19: the reports recomputed coverage with formulas of their own beside the engine's.
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine
    assert report_prometheus.coverage is report_document.coverage
    entry = make_audit(statuses={"1": "pass", "2": "fail", "3": "manual", "4": "waived"}, default="not_applicable")
    entry.pop("coverage", None)
    assert report_document.coverage(entry) == engine.coverage_of(entry["controls"]) == 6.0
    monkeypatch.setattr(engine, "coverage_of", lambda results: 42.0)
    assert report_document.coverage(entry) == 42.0
    assert report_document.coverage(dict(entry, coverage=91.5)) == 91.5
