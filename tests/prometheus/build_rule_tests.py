"""Builds the ``promtool test rules`` input for prometheus/dockersec-alerts.yml from this
collection's own output.

Two audits of two hosts run through the real engine (``audit.evaluate`` on the unit tests'
fixture facts), the report (``report_document.build_document``) and the Prometheus renderer
(``report/prometheus.py``). The rendered files become promtool input series, and the alerts each
rule must raise are derived from the JSON reports, not from the rules:

- day 0: web-a (threshold 70, one waiver) and web-b (threshold 80) are audited;
- day 1: web-a is audited again with a privileged root container (controls turn pass -> fail,
  the score drops); web-b is unreachable.

Test 1 deploys per-host files (each host's textfile directory, scraped as ``<host>:9100``): web-b
keeps its day-0 file and goes stale. Test 2 deploys the fleet file ``dockersec.prom`` of each run
(scraped from the controller): web-b's series end and ``dockersec_audit_success`` says why.

promtool's clock starts at 0: every Unix-time value is shifted so that day 0 is t=0.

Usage: build_rule_tests.py OUTDIR  -> OUTDIR/dockersec-alerts.test.yml and the rendered .prom files.
"""

import calendar
import copy
import datetime
import os
import sys

import yaml
from prometheus_client.parser import text_string_to_metric_families

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "unit"))
import conftest  # noqa: E402  (links the collection into .collections and builds fixture facts)

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import prometheus as report_prometheus  # noqa: E402

RULES = os.path.join(REPO, "prometheus", "dockersec-alerts.yml")
DAY = 86400
STEP = 300                      # one scrape every 5 minutes (promtool's run time grows with samples)
END = 8 * DAY + 13 * 3600       # the last input sample
FOR = 300                       # the rules' `for: 5m`
STALE_DAYS = 7                  # DockersecAuditStale
WAIVER_DAYS = 30                # DockersecWaiverExpiring
DAY0 = "2026-11-01"
BASE = calendar.timegm(datetime.datetime.strptime(DAY0, "%Y-%m-%d").timetuple())
EVAL_TIMES = (12 * 3600, DAY + 3600, 7 * DAY + 12 * 3600, 8 * DAY + 12 * 3600)
THRESHOLDS = {"web-a": 70.0, "web-b": 80.0}
WAIVERS = {"web-a": [{"id": "45", "reason": "needs a vendor agent", "owner": "platform-team",
                      "expires": "2026-12-05"}]}
TIMESTAMP_METRICS = ("dockersec_audit_timestamp_seconds", "dockersec_previous_audit_timestamp_seconds",
                     "dockersec_waiver_expiry_timestamp_seconds")


def run_audit(host, day, facts):
    """One host's ``dockersec_audit`` result, as the docker_audit action returns it."""
    today = (datetime.date(2026, 11, 1) + datetime.timedelta(days=day)).isoformat()
    doc = audit.evaluate(facts, waivers=WAIVERS.get(host, []), today=today)
    doc["host"] = host
    doc["generated_at"] = today + "T00:00:00Z"
    doc["fail_under"] = THRESHOLDS[host]
    return doc


def audits():
    clean = conftest.make_facts()
    risky = conftest.make_facts(containers=[conftest.make_container("shop", privileged=True, user="")])
    day0 = report_document.build_document({"web-a": run_audit("web-a", 0, copy.deepcopy(clean)),
                                           "web-b": run_audit("web-b", 0, copy.deepcopy(clean))},
                                          generated_at=DAY0 + "T00:00:00Z")
    day1 = report_document.build_document({"web-a": run_audit("web-a", 1, risky)},
                                          unreachable={"web-b": "ssh: connect to host web-b port 22: timed out"},
                                          generated_at="2026-11-02T00:00:00Z")
    return day0, day1


def parse(text, extra_labels):
    """``{(name, sorted label items): value}`` of a rendered file, timestamps shifted to test time."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = dict(sample.labels, **extra_labels)
            value = sample.value - BASE if sample.name in TIMESTAMP_METRICS else sample.value
            out[(sample.name, tuple(sorted(labels.items())))] = value
    return out


def _selector(name, labels):
    def esc(v):
        return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return "%s{%s}" % (name, ",".join('%s="%s"' % (k, esc(v)) for k, v in labels))


def _num(value):
    return "%d" % value if value == int(value) else repr(value)


def _values(runs):
    """promtool's expanding notation from ``[(value or None, samples)]``: ``vxN`` is N+1 samples of v,
    ``_`` no sample."""
    merged = []
    for value, count in runs:
        if merged and merged[-1][0] == value:
            merged[-1][1] += count
        elif count:
            merged.append([value, count])
    tokens = []
    for value, count in merged:
        token = "_" if value is None else _num(value)
        tokens.append(token if count == 1 else "%sx%d" % (token, count - 1))
    return " ".join(tokens)


def input_series(timeline):
    """``timeline``: ``[(start second, {series: value})]``, each file in force from its start until
    the next one. Returns promtool's ``input_series``."""
    steps = END // STEP + 1
    bounds = [start // STEP for start, dummy in timeline] + [steps]
    keys = sorted(set(k for dummy, files in timeline for k in files))
    series = []
    for key in keys:
        runs = [(None, bounds[0])] + [(files.get(key), bounds[i + 1] - bounds[i])
                                      for i, (dummy, files) in enumerate(timeline)]
        series.append({"series": _selector(key[0], key[1]), "values": _values(runs)})
    return series


def expected_alerts(timeline, t, hosts_json):
    """The alerts in force at ``t`` by the JSON reports: ``{alertname: [{exp_labels, exp_annotations}]}``.

    ``hosts_json``: ``[(start, {host: (entry, previous entry or None, extra labels)}, audit_success)]``.
    ``for: 5m``: a condition must hold since ``t - 5m``; every eval time is hours away from a change.
    """
    current = [item for item in hosts_json if item[0] <= t][-1]
    dummy, hosts, missing = current
    alerts = dict((name, []) for name in ("DockersecScoreBelowThreshold", "DockersecScoreDropped",
                                          "DockersecControlRegressed", "DockersecAuditStale",
                                          "DockersecAuditMissing", "DockersecWaiverExpiring"))
    for host, (entry, prev, extra) in sorted(hosts.items()):
        labels = dict(extra, host=host)
        if entry["score"] < entry["fail_under"]:
            alerts["DockersecScoreBelowThreshold"].append(_alert(labels, "critical", {
                "summary": "Docker host %s scores below its threshold" % host,
                "description": "dockersec score %.1f is below the host's dockersec_fail_under." % entry["score"]}))
        if prev is not None and prev["score"] - entry["score"] > 0:
            alerts["DockersecScoreDropped"].append(_alert(labels, "warning", {
                "summary": "Docker host %s lost dockersec score since its previous audit" % host,
                "description": "The dockersec score dropped by %.1f points since the previous audit."
                               % (prev["score"] - entry["score"])}))
        if prev is not None:
            was = dict((c["id"], c["status"]) for c in prev["controls"] + prev["extended"])
            for c in entry["controls"] + entry["extended"]:
                if was.get(c["id"]) == "pass" and c["status"] == "fail":
                    alerts["DockersecControlRegressed"].append(_alert(dict(labels, id=c["id"]), "warning", {
                        "summary": "Control %s turned from pass to fail on %s" % (c["id"], host),
                        "description": "Checklist control %s passed in the previous audit and fails now." % c["id"]}))
        age = (t - (report_prometheus.timestamp(entry["generated_at"]) - BASE)) / float(DAY)
        if age - FOR / float(DAY) > STALE_DAYS:
            alerts["DockersecAuditStale"].append(_alert(labels, "warning", {
                "summary": "Docker host %s was not audited for more than 7 days" % host,
                "description": "The last dockersec audit of the host is %.1f days old." % age}))
        for c in entry["controls"] + entry["extended"]:
            waiver = c.get("waiver")
            if c["status"] != "waived" or not waiver:
                continue
            left = (report_prometheus.waiver_expiry(waiver["expires"]) - BASE - t) / float(DAY)
            if left + FOR / float(DAY) < WAIVER_DAYS:
                alerts["DockersecWaiverExpiring"].append(_alert(
                    dict(labels, id=c["id"], owner=waiver["owner"]), "info", {
                        "summary": "Waiver of control %s on %s expires in less than 30 days" % (c["id"], host),
                        "description": "The waiver (owner %s) stops counting in %.1f days." % (waiver["owner"], left)}))
    for host, extra in missing:
        alerts["DockersecAuditMissing"].append(_alert(dict(extra, host=host), "warning", {
            "summary": "Docker host %s was not audited in the last run" % host,
            "description": "The host was unreachable, or failed before its audit result."}))
    return alerts


def _alert(labels, severity, annotations):
    return {"exp_labels": dict(labels, severity=severity), "exp_annotations": annotations}


def per_host_test(day0, day1, outdir):
    """Each host's own file in its textfile directory: re-written by its audits, kept when unreachable."""
    timeline, hosts_json = [], []
    files = {}
    for start, doc, previous in ((0, day0, None), (DAY, day1, day0)):
        for host in doc["hosts"]:
            text = report_prometheus.host_file(doc, host, previous)
            path = os.path.join(outdir, "day%d-%s.prom" % (start // DAY, host))
            with open(path, "w") as f:
                f.write(text)
            extra = {"instance": "%s:9100" % host, "job": "node"}
            prev = previous["hosts"].get(host) if previous else None
            files[host] = (parse(text, extra), (doc["hosts"][host], prev, extra))
        merged = {}
        for series, dummy in files.values():
            merged.update(series)
        timeline.append((start, merged))
        hosts_json.append((start, dict((h, meta) for h, (dummy, meta) in files.items()), []))
    return _test("per-host textfile directories", timeline, hosts_json)


def fleet_test(day0, day1, outdir):
    """The fleet file of each run on the controller, one scrape target."""
    timeline, hosts_json = [], []
    extra = {"instance": "controller:9100", "job": "node"}
    for start, doc, previous in ((0, day0, None), (DAY, day1, day0)):
        text = report_prometheus.to_prometheus(doc, previous)
        with open(os.path.join(outdir, "day%d-fleet.prom" % (start // DAY)), "w") as f:
            f.write(text)
        timeline.append((start, parse(text, extra)))
        hosts = dict((h, (e, (previous or {}).get("hosts", {}).get(h), extra)) for h, e in doc["hosts"].items())
        missing = [(h, extra) for h in sorted(set(doc["unreachable"]) | set(doc["failed"])) if h not in doc["hosts"]]
        hosts_json.append((start, hosts, missing))
    return _test("fleet file", timeline, hosts_json)


def _test(name, timeline, hosts_json):
    tests = []
    for t in EVAL_TIMES:
        for alertname, exp in sorted(expected_alerts(timeline, t, hosts_json).items()):
            tests.append({"eval_time": "%ds" % t, "alertname": alertname, "exp_alerts": exp})
    return {"name": name, "interval": "%ds" % STEP, "input_series": input_series(timeline),
            "alert_rule_test": tests}


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    day0, day1 = audits()
    tests = [per_host_test(day0, day1, outdir), fleet_test(day0, day1, outdir)]
    fired = set(case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"])
    with open(RULES) as f:
        rules = [r["alert"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
    silent = sorted(set(rules) - fired)
    if silent:
        # A rule no expectation makes fire is not tested, whatever promtool says.
        sys.exit("build_rule_tests: the scenario raises no %s: extend it" % ", ".join(silent))
    unknown = sorted(fired - set(rules))
    if unknown:
        sys.exit("build_rule_tests: expected alerts the rules do not define: %s" % ", ".join(unknown))
    doc = {"rule_files": [RULES], "evaluation_interval": "%ds" % STEP, "tests": tests}
    path = os.path.join(outdir, "dockersec-alerts.test.yml")
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=1000)
    counts = dict((name, sum(len(c["exp_alerts"]) for t in tests for c in t["alert_rule_test"]
                             if c["alertname"] == name)) for name in rules)
    print("wrote %s: %d input series, expected alerts %s" % (
        path, sum(len(t["input_series"]) for t in tests), ", ".join("%s %d" % kv for kv in counts.items())))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])
