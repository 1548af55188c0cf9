"""Every report format shows each Docker daemon of a host (issue 20) and the profiles, CIS and
custom (issue 21), from documents shaped as the engine writes them (tests/unit/canned_audits.py:
``with_daemons``, ``with_profiles``); documents without those keys render as before.
"""

import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, Skipped
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canned_audits import (  # noqa: E402
    EVIL_CUSTOM_TITLE, ROOTFUL_DAEMON, ROOTLESS_DAEMON, _page, canned_document, make_audit, multi_daemon_document,
    one_daemon, with_profiles,
)

from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import html_page as report_html_page  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import junit as report_junit  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import markdown as report_markdown  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import prometheus as report_prometheus  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import sarif as report_sarif  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import text as report_text  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import view as report_view  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SCHEMA_PATH = os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")

CIS_LINE = ("CIS Docker Benchmark 1.6.0: pass rate 75.0% of 80 automated decided "
            "(60 pass, 20 fail, 25 manual, 10 n/a, 0 error, 2 waived)")
ROOTLESS_CIS_LINE = ("CIS Docker Benchmark 1.6.0: pass rate 62.5% of 80 automated decided "
                     "(50 pass, 30 fail, 25 manual, 10 n/a, 0 error, 2 waived)")


@pytest.fixture(scope="module")
def doc():
    return multi_daemon_document()


# ---------------------------------------------------------------------------------------------
# JSON document


def test_document_keeps_daemons_and_profiles(doc):
    node1, node2 = doc["hosts"]["node1"], doc["hosts"]["node2"]
    assert node1["daemon"] == ROOTLESS_DAEMON
    assert [d["name"] for d in node1["daemons"]] == [ROOTFUL_DAEMON, ROOTLESS_DAEMON]
    rootful, rootless = node1["daemons"]
    assert (rootful["primary"], rootful["rootless"], rootless["primary"], rootless["rootless"]) == (
        True, False, False, True)
    assert rootful["score"] == 98.0 and rootless["score"] == 94.0 == node1["score"]
    assert rootless["band"] == node1["band"] and rootless["user"] == "svc" and rootless["uid"] == 1000
    # a daemon's controls are cleaned as the host's are: nothing raw reaches the report
    assert "raw_inspect" not in json.dumps(node1)
    assert [c["status"] for c in rootless["controls"] if c["id"] in ("7", "8")] == ["fail", "fail"]
    assert node1["profiles"]["cis"]["pass_rate"] == 62.5
    assert rootful["profiles"]["cis"]["pass_rate"] == 75.0
    assert len(node1["profiles"]["cis"]["results"]) == 117
    assert [r["id"] for r in node1["profiles"]["custom"]["results"]] == ["ORG-1", "ORG-2"]
    assert node2["daemon"] == ROOTFUL_DAEMON and len(node2["daemons"]) == 1
    assert "custom" not in node2["profiles"]
    json.loads(report_document.dumps_document(doc))


def test_document_without_the_new_keys_is_as_before():
    entry = report_document.host_entry(make_audit())
    assert not set(entry) & {"daemon", "daemons", "profiles"}
    fleet = canned_document()["fleet"]
    assert "cis" not in fleet and "daemons" not in fleet


def test_a_broken_profile_or_daemon_list_is_left_out():
    audit = make_audit()
    audit["profiles"] = {"cis": "oops", "custom": {"results": "no"}}
    audit["daemons"] = ["x", {"controls": 5}]
    entry = report_document.host_entry(audit)
    assert entry.get("profiles", {}).get("cis") is None
    assert entry["profiles"]["custom"]["results"] == []
    assert [d["name"] for d in entry["daemons"]] == ["daemon 2"] and entry["daemons"][0]["controls"] == []


def test_fleet_counts_cis_pass_rates_beside_scores(doc):
    cis = doc["fleet"]["cis"]
    assert cis["hosts"] == 2
    assert cis["average_pass_rate"] == round((62.5 + 90.0) / 2, 1)
    assert cis["min_pass_rate"] == 62.5
    assert [(r["host"], r["pass_rate"]) for r in cis["pass_rates"]] == [("node1", 62.5), ("node2", 90.0)]
    assert cis["below_fail_under"] == ["node1"]
    failing = dict((f["id"], f["hosts"]) for f in cis["failing"])
    assert failing["5.26"] == 2
    daemons = doc["fleet"]["daemons"]
    assert daemons == {"daemons": 3, "rootless": 1, "hosts_with_several": ["node1"]}


# ---------------------------------------------------------------------------------------------
# terminal


def _text(doc, host):
    return report_text.to_text(report_text.host_lines(host, doc["hosts"][host]))


def test_terminal_lists_every_daemon_and_groups_failures_per_daemon(doc):
    text = _text(doc, "node1")
    assert "  Daemons (2; the host's score is its weakest daemon's):" in text
    assert "    %s, rootful, primary: 98.0 / 100 — Excellent" % ROOTFUL_DAEMON in text
    assert "    %s, rootless: 94.0 / 100 — Excellent" % ROOTLESS_DAEMON in text
    host_part, rest = text.split("  Daemon %s" % ROOTFUL_DAEMON, 1)
    rootful_part, rootless_part = rest.split("  Daemon %s" % ROOTLESS_DAEMON, 1)
    # item 1 is judged once per host: listed once, before the daemons
    assert "[1] " in host_part and "[1] " not in rootful_part + rootless_part
    assert "[7] " in rootless_part and "[7] " not in rootful_part and "[7] " not in host_part
    assert CIS_LINE in rootful_part and ROOTLESS_CIS_LINE in rootless_part
    # one-daemon host: no daemon lines at all, the CIS line under the host
    text2 = _text(doc, "node2")
    assert "Daemons (" not in text2 and "  Daemon " not in text2
    assert ("CIS Docker Benchmark 1.6.0: pass rate 90.0% of 100 automated decided "
            "(90 pass, 10 fail, 17 manual, 0 n/a, 0 error)") in text2


def test_terminal_cis_failures_come_after_the_checklist_and_custom_controls_are_their_own_group(doc):
    text = _text(doc, "node2")
    assert text.index("  Failed (1):") < text.index("CIS Docker Benchmark 1.6.0") < text.index("[5.26] ")
    assert "  CIS failed (10):" in text
    text = _text(doc, "node1")
    custom = text.split("  Custom controls (not scored): 1 pass, 1 fail", 1)[1]
    assert "[ORG-1] high: no " in custom and "[ORG-2]" not in custom
    assert "expression: docker.info.LiveRestoreEnabled" in custom


def test_terminal_escapes_what_comes_from_inventory(doc):
    text = _text(doc, "node1")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert report_text.terminal_safe(EVIL_CUSTOM_TITLE) in text


def test_terminal_compact_and_fleet_lines(doc):
    line = report_text.to_text([report_text.compact_line("node1", doc["hosts"]["node1"])])
    assert "CIS 62.5%" in line and "2 daemons, weakest %s" % ROOTLESS_DAEMON in line
    fleet = report_text.to_text(report_text.fleet_lines(doc))
    assert "  CIS pass rate: average 76.2%, min 62.5% (node1); below the CIS threshold: node1" in fleet
    assert "  Daemons: 3 on 2 hosts, 1 rootless" in fleet


def test_terminal_of_an_old_document_has_no_profile_or_daemon_lines():
    text = report_text.to_text(report_text.scorecard_lines(canned_document()))
    assert "CIS Docker Benchmark 1.6.0" not in text and "Daemons (" not in text and "  Daemon " not in text
    assert "Custom controls" not in text


# ---------------------------------------------------------------------------------------------
# JUnit


def test_junit_has_a_suite_per_profile_and_per_daemon(doc, tmp_path):
    path = tmp_path / "r.xml"
    path.write_text(report_junit.to_junit(doc))
    suites = dict((s.name, s) for s in JUnitXml.fromfile(str(path)))
    assert set(suites) == {
        "node1 / %s" % ROOTFUL_DAEMON, "node1 / %s / cis" % ROOTFUL_DAEMON, "node1 / %s / custom" % ROOTFUL_DAEMON,
        "node1 / %s" % ROOTLESS_DAEMON, "node1 / %s / cis" % ROOTLESS_DAEMON, "node1 / %s / custom" % ROOTLESS_DAEMON,
        "node2", "node2 / cis"}
    cis = suites["node1 / %s / cis" % ROOTLESS_DAEMON]
    cases = list(cis)
    assert len(cases) == 117
    assert sum(1 for c in cases if any(isinstance(r, Failure) for r in c.result)) == 30
    assert sum(1 for c in cases if any(isinstance(r, Skipped) for r in c.result)) == 37
    assert "5.26 Recommendation 5.26" in [c.name for c in cases]
    custom = list(suites["node1 / %s / custom" % ROOTFUL_DAEMON])
    failed = [c for c in custom if any(isinstance(r, Failure) for r in c.result)]
    assert [c.name for c in failed] == ["ORG-1 " + report_view.clean_text(EVIL_CUSTOM_TITLE)]
    checklist = suites["node1 / %s" % ROOTLESS_DAEMON]
    failing = [c.name.split(" ")[0] for c in checklist if any(isinstance(r, Failure) for r in c.result)]
    assert failing == ["1", "7", "8"]
    props = dict((p.name, p.value) for p in checklist.properties())
    assert props["daemon"] == ROOTLESS_DAEMON and props["rootless"] == "true" and props["profile"] == "checklist"


def test_junit_of_an_old_document_has_one_suite_per_host():
    names = [s.get("name") for s in __import__("xml.etree.ElementTree").etree.ElementTree.fromstring(
        report_junit.to_junit(canned_document())).findall("testsuite")]
    assert sorted(names) == sorted(list(canned_document()["hosts"]) + ["web3", "web4"])


# ---------------------------------------------------------------------------------------------
# SARIF


@pytest.fixture(scope="module")
def sarif_schema():
    with open(SCHEMA_PATH) as f:
        return json.load(f)


def test_sarif_has_cis_and_custom_rules_and_daemon_locations(doc, sarif_schema):
    log = report_sarif.to_sarif(doc)
    jsonschema.validate(log, sarif_schema)
    run = log["runs"][0]
    rules = dict((r["id"], r) for r in run["tool"]["driver"]["rules"])
    rule = rules["cis-1.6.0/5.26"]
    assert {"cis-docker-benchmark", "automated"} <= set(rule["properties"]["tags"])
    result_cis = [r for r in doc["hosts"]["node2"]["profiles"]["cis"]["results"] if r["id"] == "5.26"][0]
    level_tags = [t for t in rule["properties"]["tags"] if t.startswith("level-")]
    assert level_tags == (["level-%d" % result_cis["level"]] if result_cis["level"] else [])
    assert rules["custom/ORG-1"]["defaultConfiguration"]["level"] == "error"
    assert rules["custom/ORG-1"]["properties"]["severity"] == "high"
    results = run["results"]
    for r in results:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]

    def of(host, rid):
        return [r for r in results if r["properties"]["host"] == host and r["ruleId"] == rid]

    # a daemon-level control fails on the rootless daemon only: one result, located on that daemon
    item7 = of("node1", "DOCKERSEC-7")
    assert len(item7) == 1 and item7[0]["properties"]["daemon"] == ROOTLESS_DAEMON
    fqns = [loc["fullyQualifiedName"] for l in item7[0]["locations"] for loc in l["logicalLocations"]]
    assert "node1/%s" % ROOTLESS_DAEMON in fqns
    # a host-level control: once per host, no daemon
    item1 = of("node1", "DOCKERSEC-1")
    assert len(item1) == 1 and "daemon" not in item1[0]["properties"]
    # CIS results per daemon on a multi-daemon host, unique fingerprints throughout
    assert sorted(r["properties"]["daemon"] for r in of("node1", "cis-1.6.0/5.26")) == sorted(
        [ROOTFUL_DAEMON, ROOTLESS_DAEMON])
    assert len(of("node2", "cis-1.6.0/5.26")) == 1 and "daemon" not in of("node2", "cis-1.6.0/5.26")[0]["properties"]
    custom = of("node1", "custom/ORG-1")
    assert len(custom) == 2 and {r["level"] for r in custom} == {"error"}
    prints = [json.dumps(r["partialFingerprints"], sort_keys=True) for r in results]
    assert len(prints) == len(set(prints))
    assert run["properties"]["hosts"]["node1"]["cis_pass_rate"] == 62.5


@pytest.mark.parametrize("severity,level", [("critical", "error"), ("high", "error"), ("medium", "warning"),
                                            ("low", "note"), ("bogus", "warning")])
def test_sarif_custom_severity_levels(severity, level):
    assert report_sarif.custom_level(severity) == level


def test_sarif_of_an_old_document_has_no_profile_rules():
    rules = [r["id"] for r in report_sarif.to_sarif(canned_document())["runs"][0]["tool"]["driver"]["rules"]]
    assert all(r.startswith("DOCKERSEC-") for r in rules)


# ---------------------------------------------------------------------------------------------
# Markdown


def test_markdown_has_a_section_per_daemon_a_cis_section_and_the_custom_group(doc):
    md = report_markdown.to_markdown(doc)
    node1 = md.split("## node1", 1)[1].split("## node2", 1)[0]
    assert "| %s | rootful, primary | 98.0 | Excellent |" % report_markdown.md_escape(ROOTFUL_DAEMON) in node1
    rootful = node1.split("### Daemon %s" % report_markdown.md_escape(ROOTFUL_DAEMON), 1)[1]
    rootful, rootless = rootful.split("### Daemon %s" % report_markdown.md_escape(ROOTLESS_DAEMON), 1)
    assert "\\[7\\]" in rootless and "\\[7\\]" not in rootful
    assert CIS_LINE in rootful and ROOTLESS_CIS_LINE in rootless
    assert "\\[5.26\\] Recommendation 5.26" in rootless
    assert "#### Custom controls (not scored)" in rootful
    assert "\\[ORG-1\\] high" in rootful and "<b>" not in md and "\x1b" not in md
    node2 = md.split("## node2", 1)[1]
    assert "### CIS Docker Benchmark 1.6.0" in node2 and "### Daemon" not in node2
    fleet = md.split("## node1", 1)[0]
    assert "CIS pass rate: average 76.2%, min 62.5% (node1)" in fleet
    assert "| Host | Score | Band | Points | Coverage | waived | fail | error | manual | CIS |" in fleet
    assert "| [node1](#node1) | 94.0 | Excellent | 94/100 | 100.0% | 0 | 3 | 0 | 0 | 62.5% |" in fleet


def test_markdown_of_an_old_document_has_no_profile_sections():
    md = report_markdown.to_markdown(canned_document())
    assert "CIS Docker Benchmark 1.6.0" not in md and "### Daemon" not in md and "Custom controls" not in md


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_filters_by_profile_and_level_and_shows_the_daemons(doc):
    html = report_html_page.to_html(doc)
    page = _page(html)
    selects = dict((a.get("id"), a) for t, a in page.tags if t == "select")
    assert {"profile-filter", "level-filter"} <= set(selects)
    options = [a.get("value") for t, a in page.tags if t == "option"]
    assert {"", "checklist", "cis", "custom", "1", "2"} <= set(options)
    profiles = [a.get("data-profile") for t, a in page.tags if a.get("data-profile")]
    assert {"checklist", "cis", "custom"} <= set(profiles)
    levels = set(a.get("data-level") for t, a in page.tags if a.get("data-profile") == "cis")
    assert {"1", "2", ""} <= levels
    text = "".join(page.text)
    assert ROOTFUL_DAEMON in text and ROOTLESS_DAEMON in text and "rootless" in text
    assert CIS_LINE in text and ROOTLESS_CIS_LINE in text
    assert "<b>root</b>" not in html and "&lt;b&gt;root&lt;/b&gt;" in html
    assert "profile-filter" in report_html_page.JS and "level-filter" in report_html_page.JS
    assert [t for t, a in page.tags].count("script") == 1
    assert "Average CIS pass rate" in text and "76.2%" in text
    fleet_row = html.split('<tr data-host="node1">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">62.5%</td>' in fleet_row


def test_html_of_an_old_document_has_no_profile_items():
    html = report_html_page.to_html(canned_document())
    assert 'data-profile="cis"' not in html and "Daemons" not in html


# ---------------------------------------------------------------------------------------------
# Prometheus


def _series(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = frozenset(sample.labels.items())
            assert key not in out.setdefault(sample.name, {}), (sample.name, key)
            out[sample.name][key] = sample.value
    return out


def test_prometheus_per_daemon_and_per_profile_series(doc):
    series = _series(report_prometheus.to_prometheus(doc))
    assert series["dockersec_score"][frozenset({"host": "node1"}.items())] == 94.0
    assert series["dockersec_daemon_score"][frozenset(
        {"host": "node1", "daemon": ROOTLESS_DAEMON, "rootless": "true"}.items())] == 94.0
    assert series["dockersec_daemon_score"][frozenset(
        {"host": "node1", "daemon": ROOTFUL_DAEMON, "rootless": "false"}.items())] == 98.0
    assert len(series["dockersec_daemon_score"]) == 3
    assert series["dockersec_daemon_band_info"][frozenset(
        {"host": "node1", "daemon": ROOTLESS_DAEMON, "band": "Excellent"}.items())] == 1
    assert series["dockersec_daemon_coverage_ratio"][frozenset(
        {"host": "node2", "daemon": ROOTFUL_DAEMON}.items())] == 1.0
    results = series["dockersec_profile_results"]
    assert results[frozenset({"host": "node1", "profile": "cis", "status": "fail"}.items())] == 30
    assert results[frozenset({"host": "node1", "profile": "custom", "status": "fail"}.items())] == 1
    assert results[frozenset({"host": "node2", "profile": "cis", "status": "error"}.items())] == 0
    # fixed cardinality: every (host, profile) has the 6 statuses, no label per recommendation
    assert len(results) == (2 + 1) * 6
    assert all(set(dict(k)) == {"host", "profile", "status"} for k in results)
    assert series["dockersec_cis_pass_rate"] == {frozenset({"host": "node1"}.items()): 62.5,
                                                 frozenset({"host": "node2"}.items()): 90.0}
    assert series["dockersec_cis_pass_rate_threshold"][frozenset({"host": "node1"}.items())] == 80


def test_prometheus_of_an_old_document_has_the_same_families():
    text = report_prometheus.to_prometheus(canned_document())
    names = set(f.name for f in text_string_to_metric_families(text))
    assert not [n for n in names if "daemon" in n or "profile" in n or "cis" in n]


def test_prometheus_one_daemon_host_without_profiles_has_its_daemon_series_only():
    doc = report_document.build_document({"solo": one_daemon(make_audit(host="solo"))})
    series = _series(report_prometheus.to_prometheus(doc))
    assert list(series["dockersec_daemon_score"]) == [
        frozenset({"host": "solo", "daemon": ROOTFUL_DAEMON, "rootless": "false"}.items())]
    assert "dockersec_profile_results" not in series


def test_with_profiles_alone_keeps_today_s_checklist_series():
    plain = report_document.build_document({"a": make_audit(host="a")}, generated_at="2026-11-23T06:00:00Z")
    rich = report_document.build_document({"a": with_profiles(make_audit(host="a"))},
                                          generated_at="2026-11-23T06:00:00Z")
    old = report_prometheus.to_prometheus(plain)
    new = report_prometheus.to_prometheus(rich)
    assert set(old.splitlines()) <= set(new.splitlines())


# ---------------------------------------------------------------------------------------------
# the report step (docker_report) over results with daemons and profiles


def test_report_step_carries_daemons_and_profiles_into_every_format(tmp_path):
    from canned_audits import with_daemons
    from report_step import ReportRun, read_report

    from ansible_collections.dockersec.hardening.plugins.module_utils.report import formats as report_formats

    run = ReportRun(tmp_path, formats=[",".join(report_formats.FORMATS)])
    run.audit("node1", with_daemons(with_profiles(make_audit(host="node1", statuses={"1": "fail"}))))
    run.audit("old", make_audit(host="old"))
    _result, display = run.finish()
    assert not display.warnings
    doc = read_report(tmp_path)
    assert [d["name"] for d in doc["hosts"]["node1"]["daemons"]] == [ROOTFUL_DAEMON, ROOTLESS_DAEMON]
    assert doc["hosts"]["node1"]["profiles"]["cis"]["pass_rate"] == 62.5
    assert not set(doc["hosts"]["old"]) & {"daemon", "daemons", "profiles"}
    assert ROOTLESS_CIS_LINE in display.text
    assert "\x1b" not in display.text
    prom = (tmp_path / report_formats.FILE_NAMES["prom"]).read_text()
    assert 'dockersec_cis_pass_rate{host="node1"} 62.5' in prom
    assert "cis-1.6.0/5.26" in (tmp_path / report_formats.FILE_NAMES["sarif"]).read_text()


def test_history_lines_keep_the_cis_counts_and_old_lines_stay_as_they_were(doc):
    lines = dict((json.loads(line)["host"], json.loads(line)) for line in report_document.history_lines(doc))
    cis = lines["node1"]["cis"]
    assert (cis["version"], cis["pass_rate"], cis["automated_decided"]) == ("1.6.0", 62.5, 80)
    assert (cis["counts"]["pass"], cis["counts"]["fail"]) == (50, 30)
    assert lines["node2"]["cis"]["pass_rate"] == 90.0
    old = [json.loads(line) for line in report_document.history_lines(canned_document())]
    assert old and not [line for line in old if "cis" in line]


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus) is not installed; "
                                                         "make prometheus-test installs it")
def test_promtool_check_metrics_accepts_the_daemon_and_profile_series(doc):
    for text in [report_prometheus.to_prometheus(doc)] + [report_prometheus.host_file(doc, h) for h in doc["hosts"]]:
        proc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0 and not proc.stdout.strip() and not proc.stderr.strip(), proc.stdout + proc.stderr


def test_a_custom_control_expecting_a_yaml_date_renders_everywhere():
    import datetime
    audit = with_profiles(make_audit(host="d"))
    audit["profiles"]["custom"]["results"][0]["expected"] = datetime.date(2026, 1, 31)
    raw = report_document.build_document({"d": audit})
    assert raw["hosts"]["d"]["profiles"]["custom"]["results"][0]["expected"] == "2026-01-31"
    json.loads(report_document.dumps_document(raw))
    # a renderer handed the result itself (not through the document) prints the date too
    direct = dict(raw, hosts={"d": dict(raw["hosts"]["d"], profiles=audit["profiles"])})
    assert "expected \"2026-01-31\"" in report_text.to_text(report_text.host_lines("d", direct["hosts"]["d"]))
    for render in (report_markdown.to_markdown, report_junit.to_junit, report_html_page.to_html,
                   lambda d: report_sarif.dumps_sarif(report_sarif.to_sarif(d))):
        assert "2026-01-31" in render(direct)


def test_the_engine_s_own_two_daemon_result_renders_per_daemon_everywhere(sarif_schema):
    """Not a canned shape: the engine scores conftest's two-daemon facts (item 16 fails on the
    rootless daemon only) and every format shows it on that daemon."""
    from conftest import make_container, make_two_daemon_facts

    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine

    audit = engine.evaluate(make_two_daemon_facts(rootless_containers=[make_container("job", user="")]),
                            today="2026-11-23")
    doc = report_document.build_document({"node1": audit}, generated_at="2026-11-23T06:00:00Z")
    entry = doc["hosts"]["node1"]
    assert entry["daemon"] == ROOTLESS_DAEMON and len(entry["daemons"]) == 2
    text = report_text.to_text(report_text.host_lines("node1", entry))
    rootless_part = text.split("  Daemon %s" % ROOTLESS_DAEMON, 1)[1]
    assert "[16] " in rootless_part and "[16] " not in text.split("  Daemon %s" % ROOTLESS_DAEMON, 1)[0]
    log = report_sarif.to_sarif(doc)
    jsonschema.validate(log, sarif_schema)
    item16 = [r for r in log["runs"][0]["results"] if r["ruleId"] == "DOCKERSEC-16"]
    assert [r["properties"]["daemon"] for r in item16] == [ROOTLESS_DAEMON]
    series = _series(report_prometheus.to_prometheus(doc))
    assert series["dockersec_daemon_score"][frozenset(
        {"host": "node1", "daemon": ROOTLESS_DAEMON, "rootless": "true"}.items())] == entry["score"]
    assert "### Daemon %s" % report_markdown.md_escape(ROOTLESS_DAEMON) in report_markdown.to_markdown(doc)
    assert "node1 / %s" % ROOTLESS_DAEMON in report_junit.to_junit(doc)


def test_set_stats_carries_the_cis_pass_rate_beside_the_score(doc):
    from ansible_collections.dockersec.hardening.plugins.module_utils.report import awx as report_awx

    hosts = report_awx.set_stats_data(doc)["dockersec_hosts"]
    assert hosts["node1"]["cis"]["pass_rate"] == 62.5 and hosts["node1"]["cis"]["below_threshold"] is True
    assert hosts["node2"]["cis"]["below_threshold"] is False and "5.26" in hosts["node2"]["cis"]["failing"]
    assert len(hosts["node2"]["cis"]["failing"]) == 10
    old = report_awx.set_stats_data(canned_document())["dockersec_hosts"]
    assert not [h for h in old.values() if "cis" in h]
