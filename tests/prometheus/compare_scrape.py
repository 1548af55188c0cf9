"""Compares what node_exporter serves for one host with the JSON report of the same audit.

Usage: compare_scrape.py METRICS_URL REPORT_JSON HOST [--textfile PATH]

Fetches METRICS_URL (node_exporter's /metrics), keeps the ``dockersec_*`` samples of HOST and
checks each against the JSON report, computed here from the report's own fields (not through the
renderer): score, coverage, band, points overall and per section, the status of every control,
the threshold, the waivers and the audit time. Any series the report does not account for, or
any value that differs, fails. node_exporter must also say it read the textfile without error.
With --textfile, ``promtool check metrics`` (where installed) must pass on that file.
Exit 0 when everything matches; 1 with the differences otherwise.
"""

import argparse
import calendar
import datetime
import json
import shutil
import subprocess
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

STATUSES = ("pass", "fail", "manual", "waived", "not_applicable", "error")
NOT_COUNTED = ("not_applicable", "waived")
DECIDED = ("pass", "fail", "manual")


def _epoch(stamp, fmt="%Y-%m-%dT%H:%M:%S"):
    return calendar.timegm(datetime.datetime.strptime(stamp[:19 if "T" in fmt else 10], fmt).timetuple())


def expected(entry, host):
    """``{(name, frozenset(labels)): value}`` of one host, from its JSON report entry."""
    out = {}

    def put(name, value, **labels):
        out[(name, frozenset(dict(labels, host=host).items()))] = float(value)

    put("dockersec_audit_success", 1)
    put("dockersec_audit_timestamp_seconds", _epoch(entry["generated_at"]))
    put("dockersec_score", entry["score"])
    put("dockersec_band_info", 1, band=entry["band"])
    put("dockersec_earned_points", entry["earned"])
    put("dockersec_applicable_points", entry["applicable"])
    scored = entry["controls"]
    coverage = entry.get("coverage")
    if coverage is None:
        coverage = 100.0 * sum(c["max_points"] for c in scored if c["status"] in DECIDED) / \
            sum(c["max_points"] for c in scored)
    put("dockersec_coverage_ratio", round(coverage / 100.0, 4))
    if entry.get("fail_under") is not None:
        put("dockersec_score_threshold", entry["fail_under"])
    sections = {}
    for c in scored:
        earned, applicable = sections.setdefault(str(c["section"]), [0.0, 0.0])
        sections[str(c["section"])] = [earned + (c["points"] or 0),
                                       applicable + (0 if c["status"] in NOT_COUNTED else c["max_points"])]
    for section, (earned, applicable) in sections.items():
        put("dockersec_section_earned_points", earned, section=section)
        put("dockersec_section_applicable_points", applicable, section=section)
    for c in scored + entry.get("extended", []):
        for status in STATUSES:
            put("dockersec_control_status", 1 if c["status"] == status else 0, id=str(c["id"]), status=status)
        waiver = c.get("waiver")
        if c["status"] == "waived" and waiver:
            put("dockersec_waiver_expiry_timestamp_seconds", _epoch(waiver["expires"], "%Y-%m-%d") + 86400,
                id=str(c["id"]), owner=waiver.get("owner") or "")
    # Issue 20: each daemon's score, band and coverage beside the host's.
    for d in entry.get("daemons") or []:
        put("dockersec_daemon_score", d["score"], daemon=d["name"], rootless="true" if d.get("rootless") else "false")
        put("dockersec_daemon_band_info", 1, daemon=d["name"], band=d["band"])
        put("dockersec_daemon_coverage_ratio", round(d["coverage"] / 100.0, 4), daemon=d["name"])
    # Issue 21: each profile's counts over the fixed statuses, and the CIS pass rate.
    for name, profile in sorted((entry.get("profiles") or {}).items()):
        for status in STATUSES:
            put("dockersec_profile_results", profile["counts"].get(status, 0), profile=name, status=status)
    cis = (entry.get("profiles") or {}).get("cis") or {}
    if cis.get("pass_rate") is not None:
        put("dockersec_cis_pass_rate", cis["pass_rate"])
    if cis.get("fail_under") is not None:
        put("dockersec_cis_pass_rate_threshold", cis["fail_under"])
    return out


def scraped(text, host):
    out, textfile_errors = {}, None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "node_textfile_scrape_error":
                textfile_errors = sample.value
            if not sample.name.startswith("dockersec_") or sample.labels.get("host") != host:
                continue
            # node_exporter adds no label to textfile series; the scraper adds instance and job.
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out, textfile_errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("report")
    parser.add_argument("host")
    parser.add_argument("--textfile")
    args = parser.parse_args(argv)
    with open(args.report) as f:
        document = json.load(f)
    entry = document["hosts"][args.host]
    with urllib.request.urlopen(args.url, timeout=30) as response:
        text = response.read().decode("utf-8")
    got, textfile_errors = scraped(text, args.host)
    want = expected(entry, args.host)
    problems = []
    if textfile_errors != 0:
        problems.append("node_textfile_scrape_error is %r, not 0" % (textfile_errors,))
    # Series of the previous audit exist only from the second audit on; this is the first.
    for key in sorted(set(want) | set(got), key=lambda k: (k[0], sorted(k[1]))):
        if key not in got:
            problems.append("missing from /metrics: %s %s" % (key[0], dict(key[1])))
        elif key not in want:
            problems.append("not in the JSON report: %s %s = %s" % (key[0], dict(key[1]), got[key]))
        elif abs(got[key] - want[key]) > 1e-9:
            problems.append("%s %s: /metrics %s, JSON report %s" % (key[0], dict(key[1]), got[key], want[key]))
    if args.textfile:
        promtool = shutil.which("promtool")
        if promtool:
            with open(args.textfile) as f:
                proc = subprocess.run([promtool, "check", "metrics"], stdin=f, capture_output=True, text=True,
                                      check=False)
            if proc.returncode or proc.stdout.strip() or proc.stderr.strip():
                problems.append("promtool check metrics %s: %s" % (args.textfile, proc.stdout + proc.stderr))
            else:
                print("promtool check metrics %s: clean" % args.textfile)
        else:
            print("promtool is not installed: check metrics skipped (make prometheus-test installs it)")
    names = sorted(set(k[0] for k in got))
    print("%s: %d dockersec series of %s compared with %s (%s); score %s, band %s" % (
        args.url, len(got), args.host, args.report, ", ".join(names), entry["score"], entry["band"]))
    if problems:
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
