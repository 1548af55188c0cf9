"""Bad input, class "external inputs" (issue 18, case 3 and the smaller ones): docker-bench-security
logs and Trivy JSON reports of valid JSON in the wrong shape, too large, or dated in the future.

Each case goes through the readers (bench_log, the gather's tools collector, evaluate/inputs.py's
read_bench_log/read_trivy_results) and the audit action in-process: the control that reads the
file (46, 13) is ``error`` with the reason, the host's audit succeeds, and the report step keeps
the host in the report (never ``hosts: {}``) and appends its history line.
"""

import json
import os
import sys
import tracemalloc

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import REPO, make_facts  # noqa: E402
from report_step import ReportRun, read_history, read_report  # noqa: E402
from fake_host import FakeHost, run_collector  # noqa: E402
from audit_step import run as run_audit  # noqa: E402
from canned_audits import make_audit  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inputs  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import tools as gather_tools  # noqa: E402

TODAY = "2026-11-23"
# Item 46 judged on the docker-bench-security log alone: this run's CIS results would credit it too.
BENCH_ONLY = ["checklist"]
BENCH = os.path.join(REPO, "tests", "data", "docker-bench", "docker-bench-security.log.json")
ON_HOST = "/opt/docker-bench-security/log/docker-bench-security.log.json"


def _bench_doc():
    with open(BENCH) as f:
        return json.load(f)


def _set(path, value):
    """A copy of the real log with ``path`` (keys and indexes) set to ``value``."""
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc
    return change


BAD_BENCH = [
    ("result-list", _set(["tests", 0, "results", 0, "result"], ["PASS"]),
     'tests[0].results[0].result is ["PASS"], not a result string'),
    ("result-dict", _set(["tests", 0, "results", 1, "result"], {"PASS": 1}),
     'tests[0].results[1].result is {"PASS": 1}, not a result string'),
    ("result-number", _set(["tests", 1, "results", 0, "result"], 1),
     "tests[1].results[0].result is 1, not a result string"),
    ("results-number", _set(["tests", 0, "results"], 5), "tests[0].results is 5, not a list"),
    ("results-string", _set(["tests", 0, "results"], "PASS"), 'tests[0].results is "PASS", not a list'),
    ("result-entry-string", _set(["tests", 0, "results", 0], "PASS"),
     'tests[0].results[0] is "PASS", not a result object'),
    ("section-number", _set(["tests", 0], 7), "tests[0] is 7, not a section object"),
    ("tests-object", _set(["tests"], {"1": []}), 'tests is {"1": []}, not a list of sections'),
    ("end-infinite", _set(["end"], float("inf")), "end is Infinity, not epoch seconds"),
    ("end-nan", _set(["end"], float("nan")), "end is NaN, not epoch seconds"),
    ("end-huge", _set(["end"], 10 ** 30), "end is 1000000000000000000000000000000, not epoch seconds"),
    ("end-negative", _set(["end"], -5), "end is -5, not epoch seconds"),
    ("end-string", _set(["end"], "soon"), 'end is "soon", not epoch seconds'),
    ("start-list", _set(["start"], [1]), "start is [1], not epoch seconds"),
    ("end-bool", _set(["end"], True), "end is true, not epoch seconds"),
    ("checks-string", _set(["checks"], "7"), 'checks is "7", not a whole number'),
    ("score-float", _set(["score"], 1.5), "score is 1.5, not a whole number"),
    ("version-number", _set(["dockerbenchsecurity"], 1.6), "dockerbenchsecurity is 1.6, not a version string"),
]


def _bench_text(change):
    # 1e999 and NaN as a JSON writer would put them (json.dumps writes Infinity/NaN, which Python reads back).
    return json.dumps(change(_bench_doc()), indent=2).replace("Infinity", "1e999")


@pytest.mark.parametrize("change, why", [(c, w) for dummy, c, w in BAD_BENCH], ids=[i for i, dummy, d in BAD_BENCH])
def test_a_bench_log_in_the_wrong_shape_is_an_error_of_item_46_not_of_the_host(tmp_path, change, why):
    text = _bench_text(change)
    summary = bench_log.summarize(text)
    assert summary["error"] == "not a docker-bench-security log: %s" % why
    assert summary["results"] == 0 and summary["complete"] is False

    # On the host: the tools collector still runs, the log's summary says why.
    state, facts_tools = run_collector(gather_tools.collect_tools, FakeHost(files={ON_HOST: text}))
    assert facts_tools["docker_bench"]["error"] == "%s: not a docker-bench-security log: %s" % (ON_HOST, why)

    # On the controller (docker_bench_log_path): item 46 is error with the reason; the host is audited.
    log = tmp_path / "bench.json"
    log.write_text(text)
    facts = make_facts()
    facts["tools"]["docker_bench"] = None
    res = run_audit({"facts": facts, "today": TODAY, "report_dir": str(tmp_path), "profiles": BENCH_ONLY,
                     "options": {"docker_bench_log_path": str(log)}})
    assert not res.get("failed"), res.get("msg")
    c46 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "46"][0]
    assert c46["status"] == "error", c46
    assert c46["evidence"][0] == ("docker-bench-security log %s (docker_bench_log_path): %s: "
                                  "not a docker-bench-security log: %s" % (log, log, why)), c46

    # The report step: the host is in the report and its history line is written.
    _seed_report(tmp_path)
    run = ReportRun(tmp_path)
    run.audit("node1", res["dockersec_audit"])
    result, dummy = run.finish()
    assert not result.get("failed")
    assert list(read_report(tmp_path)["hosts"]) == ["node1"]
    assert [h["host"] for h in read_history(tmp_path)] == ["node1", "node1"]


def _seed_report(directory):
    run = ReportRun(directory)
    run.audit("node1", make_audit(host="node1", generated_at="2026-11-20T05:00:00Z"))
    assert not run.finish()[0].get("failed")


def test_the_real_log_and_an_interrupted_one_still_read():
    """The shape check is the format docker-bench's output_lib.sh writes: the real log is not refused."""
    s = bench_log.summarize(open(BENCH).read())
    assert s["error"] is None and s["results"] == 7 and s["complete"] is True
    assert s["start"] == 1795237200 and isinstance(s["end"], int)
    # A quote in a detail (docker-bench escapes nothing) and an interrupted run: counted line by line, no error.
    broken = open(BENCH).read().replace('"Docker version too old"', '"version "20.10" too old"')
    assert bench_log.summarize(broken)["error"] is None and bench_log.summarize(broken)["parsed"] == "lines"
    # Line by line, an end time out of range is no end time (no crash, no credit as finished).
    assert bench_log.summarize(broken.replace('"end": ', '"end": 999')).get("end") is None


@pytest.mark.parametrize("doc, why", [
    ([1, 2], "[1, 2], not an object with tests"),
    ("PASS", '"PASS", not an object with tests'),
    (5, "5, not an object with tests"),
])
def test_a_bench_log_of_other_json_is_named(doc, why):
    assert bench_log.summarize(json.dumps(doc))["error"] == "not a docker-bench-security log: " + why


def test_a_deeply_nested_bench_log_does_not_raise():
    assert bench_log.summarize("[" * 200000 + "]" * 200000)["results"] == 0


def _sparse(path, size):
    with open(str(path), "wb") as f:
        f.truncate(size)


def test_a_huge_bench_log_is_not_read_whole_on_the_controller(tmp_path):
    """It was read whole for every host (300 MB: 1.8 GB RSS). Now at most the cap is read."""
    log = tmp_path / "bench.json"
    _sparse(log, 64 * 1024 * 1024)
    tracemalloc.start()
    try:
        summary = inputs.read_bench_log(str(log))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary["error"] == ("%s is 67108864 bytes, over the 16 MiB cap on a docker-bench-security log "
                                "(bench_log.MAX_BYTES): not read" % log)
    assert peak < bench_log.MAX_BYTES + 8 * 1024 * 1024, peak
    facts = make_facts()
    facts["tools"]["docker_bench"] = None
    res = run_audit({"facts": facts, "today": TODAY, "report_dir": str(tmp_path), "profiles": BENCH_ONLY,
                     "options": {"docker_bench_log_path": str(log)}})
    c46 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "46"][0]
    assert not res.get("failed") and c46["status"] == "error" and "over the 16 MiB cap" in c46["evidence"][0]


def test_a_huge_bench_log_is_not_read_on_the_host():
    class Host(FakeHost):
        def lstat(self, p):
            st = super(Host, self).lstat(p)
            return os.stat_result(st[:6] + (self.sizes.get(p, 0),) + st[7:])

        def read(self, p, limit=None):
            self.reads.append((p, limit))
            return super(Host, self).read(p, limit)

    h = Host(files={ON_HOST: "x"})
    h.sizes, h.reads = {ON_HOST: 64 * 1024 * 1024}, []
    out = gather_tools._docker_bench_json(h)
    assert out["error"] == ("%s is 67108864 bytes, over the 16 MiB cap on a docker-bench-security log "
                            "(bench_log.MAX_BYTES): not read" % ON_HOST)
    assert h.reads == [] and out["results"] == 0
    # A log that grows after the stat: no more than the cap is read.
    h.sizes, h.files[ON_HOST] = {}, "x" * (bench_log.MAX_BYTES + 100)
    out = gather_tools._docker_bench_json(h)
    assert h.reads == [(ON_HOST, bench_log.MAX_BYTES + 1)] and "over the 16 MiB cap" in out["error"]


def test_a_bench_log_dated_in_the_future_is_not_credited():
    """Like an attestation dated after the audit date (refused): a run dated after it proves nothing."""
    from sections_support import _bench, run
    f = make_facts()  # gathered 2026-11-23T05:00:00Z, audit date 2026-11-23
    f["tools"]["docker_bench"] = _bench(end=1795479600, start=1795479000)  # 2026-11-24T00:20:00Z: tomorrow
    status, ev = run("46", f)
    assert status == "fail", ev
    assert "dated 2026-11-24T00:20:00Z, in the future (audit date 2026-11-23): the log or a clock is wrong" in ev
    # Later on the audit day but within the clock skew of the gather (a host's clock a little ahead): credited.
    f["tools"]["docker_bench"] = _bench(end=1795410900, start=1795410800)  # 2026-11-23T05:15:00Z
    f["gathered_at"] = "2026-11-23T05:10:00Z"
    assert run("46", f)[0] == "pass"
    # A controller west of UTC in the evening: its date is the day before the UTC date of a run just made.
    f["gathered_at"] = "2026-11-24T02:00:00Z"
    f["tools"]["docker_bench"] = _bench(end=1795482600, start=1795482500)  # 2026-11-24T01:10:00Z
    assert run("46", f)[0] == "pass"


# --- Trivy -------------------------------------------------------------------------------------------------------

IMAGE_ID = "sha256:" + "1" * 64


def _trivy(**changes):
    doc = {"SchemaVersion": 2, "CreatedAt": "2026-11-22T10:00:00Z", "ArtifactName": "nginx:1.27",
           "Metadata": {"ImageID": IMAGE_ID, "RepoTags": ["nginx:1.27"], "RepoDigests": []},
           "Results": [{"Target": "nginx", "Vulnerabilities": [{"Severity": "HIGH"}]}]}
    doc.update(changes)
    return doc


BAD_TRIVY = [
    ("results-object", _trivy(Results={"Vulnerabilities": [{"Severity": "CRITICAL"}]}),
     'Results is {"Vulnerabilities": [{"Severity": "CR..., not a list'),
    ("results-entry", _trivy(Results=[5]), "Results[0] is 5, not an object"),
    ("vulns-number", _trivy(Results=[{"Vulnerabilities": 5}]), "Results[0].Vulnerabilities is 5, not a list"),
    ("vulns-object", _trivy(Results=[{"Vulnerabilities": {"CVE-1": {"Severity": "CRITICAL"}}}]),
     'Results[0].Vulnerabilities is {"CVE-1": {"Severity": "CRITICAL"}}, not a list'),
    ("vuln-string", _trivy(Results=[{"Vulnerabilities": ["CVE-1"]}]),
     'Results[0].Vulnerabilities[0] is "CVE-1", not a severity string'),
    ("severity-list", _trivy(Results=[{"Vulnerabilities": [{"Severity": ["CRITICAL"]}]}]),
     'Results[0].Vulnerabilities[0].Severity is ["CRITICAL"], not a severity string'),
    ("severity-missing", _trivy(Results=[{"Vulnerabilities": [{"VulnerabilityID": "CVE-1"}]}]),
     "Results[0].Vulnerabilities[0].Severity is null, not a severity string"),
    ("metadata-list", _trivy(Metadata=[IMAGE_ID]), 'Metadata is ["sha256:1111111111111111111111111111..., not an object'),
    ("image-id-number", _trivy(Metadata={"ImageID": 1}), "Metadata.ImageID is 1, not a string"),
    ("digests-string", _trivy(Metadata={"ImageID": IMAGE_ID, "RepoDigests": "nginx@sha256:a"}),
     'Metadata.RepoDigests is "nginx@sha256:a", not a list of strings'),
    ("created-number", _trivy(CreatedAt=1e999), "CreatedAt is Infinity, not a timestamp"),
    ("created-nan", _trivy(CreatedAt=float("nan")), "CreatedAt is NaN, not a timestamp"),
    ("created-garbage", _trivy(CreatedAt="yesterday"), 'CreatedAt is "yesterday", not a timestamp'),
    ("array", [_trivy()], '[{"SchemaVersion": 2, "CreatedAt": "2..., not a JSON object'),
]


@pytest.mark.parametrize("doc, why", [(d, w) for dummy, d, w in BAD_TRIVY], ids=[i for i, dummy, d in BAD_TRIVY])
def test_a_trivy_report_in_the_wrong_shape_is_an_error_of_item_13(tmp_path, doc, why):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "nginx.json").write_text(json.dumps(doc))
    out = inputs.read_trivy_results(str(scans))
    assert out == {"images": {}, "errors": ["%s: not a Trivy image report: %s" % (scans / "nginx.json", why)]}
    facts = make_facts()
    res = run_audit({"facts": facts, "today": TODAY, "report_dir": str(tmp_path),
                     "options": {"scan_report_path": str(scans)}})
    assert not res.get("failed"), res.get("msg")
    c13 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "13"][0]
    # Never a pass from a report whose findings cannot be counted (a Results object used to count 0 CRITICAL).
    assert c13["status"] == "error" and why in " ".join(c13["evidence"]), c13


def test_the_same_trivy_report_in_its_shape_is_read(tmp_path):
    (tmp_path / "nginx.json").write_text(json.dumps(_trivy()))
    out = inputs.read_trivy_results(str(tmp_path / "nginx.json"))
    assert out["errors"] == [] and out["images"][IMAGE_ID]["critical"] == 0
    # Trivy leaves Results out when there is nothing to report, and Vulnerabilities null: no findings.
    (tmp_path / "clean.json").write_text(json.dumps(dict((k, v) for k, v in _trivy().items() if k != "Results")))
    (tmp_path / "null.json").write_text(json.dumps(_trivy(Results=[{"Target": "x", "Vulnerabilities": None}])))
    assert inputs.read_trivy_results(str(tmp_path))["errors"] == []


def test_a_trivy_report_over_the_cap_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "TRIVY_MAX_BYTES", 1024)
    doc = _trivy(Results=[{"Vulnerabilities": [{"Severity": "LOW", "Description": "x" * 4096}]}])
    (tmp_path / "big.json").write_text(json.dumps(doc))
    size = os.path.getsize(str(tmp_path / "big.json"))
    out = inputs.read_trivy_results(str(tmp_path))
    assert out == {"images": {}, "errors": [
        "%s: %d bytes, over the 0 MiB cap on a Trivy report (docker_audit TRIVY_MAX_BYTES): not read; "
        "trivy --severity CRITICAL writes a smaller one" % (tmp_path / "big.json", size)]}


def test_a_deeply_nested_trivy_report_is_named(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 200000 + "]" * 200000)
    out = inputs.read_trivy_results(str(tmp_path))
    assert out["images"] == {} and len(out["errors"]) == 1 and "deep.json" in out["errors"][0]


def test_a_reader_that_raises_is_the_controls_error_not_the_hosts(tmp_path, monkeypatch):
    """Whatever goes wrong reading an external file, the host is audited (never a report with hosts: {})."""
    def broken(path):
        raise TypeError("unhashable type: 'list'")
    monkeypatch.setattr(inputs, "read_bench_log", broken)
    monkeypatch.setattr(inputs, "read_trivy_results", broken)
    facts = make_facts()
    facts["tools"]["docker_bench"] = None
    res = run_audit({"facts": facts, "today": TODAY, "report_dir": str(tmp_path), "profiles": BENCH_ONLY,
                     "options": {"docker_bench_log_path": "/ci/bench.json", "scan_report_path": "/ci/scans"}})
    assert not res.get("failed"), res.get("msg")
    controls = dict((c["id"], c) for c in res["dockersec_audit"]["controls"])
    assert controls["46"]["status"] == "error" and "TypeError: unhashable type" in controls["46"]["evidence"][0]
    assert controls["13"]["status"] == "error" and "TypeError: unhashable type" in " ".join(controls["13"]["evidence"])
