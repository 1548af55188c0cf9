# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Side by side: docker-bench-security's verdicts and this collection's, per CIS recommendation.

Not part of CI (issue 21, item 6: a one-off measurement). For each host it reads a
docker-bench-security JSON log (``docker-bench-security.sh -l FILE`` writes ``FILE.json``) and
this collection's JSON report of the same host (``dockersec-report.json``, or one host's result
document), and prints a Markdown table of every CIS Docker Benchmark id either side names, with
docker-bench's verdict (PASS / WARN / INFO / NOTE) and ours.

Our verdicts come from the ``cis`` profile (``profiles.cis.results``, one result per
recommendation) when the report has it. Reports without it (the checklist only) are read through
the checklist controls' ``cis`` ids: every control (scored and extended) that names a recommendation,
with its own status; such a control's rule is the checklist item's, which may be broader or
narrower than the recommendation's, so the table says which control spoke.

    .venv/bin/python benchmarks/compare_docker_bench.py --dir /tmp/dbench
    .venv/bin/python benchmarks/compare_docker_bench.py --pair weak weak.log.json report.json

``--dir`` pairs ``<host>.log.json`` with ``<host>.audit.json`` in that directory.
"""

from __future__ import absolute_import, division, print_function

import argparse
import glob
import json
import os
import re
import sys

# docker-bench-security's result words (functions/output_lib.sh: pass, warn, info, note) as a
# verdict on the recommendation: PASS and WARN decide it, INFO and NOTE only inform.
BENCH_VERDICT = {"PASS": "pass", "WARN": "fail", "INFO": None, "NOTE": None}
DECIDED = ("pass", "fail")
_MODE_SUFFIX = re.compile(r"\s*\((Automated|Manual|Scored|Not Scored)\)\s*$")


class InputError(Exception):
    """A log or report that cannot be read as what it should be."""


def id_key(cis_id):
    """Sort key of a CIS id: numerically by its dotted parts ("1.1.10" after "1.1.9"); others last."""
    parts = str(cis_id).split(".")
    if all(p.isdigit() for p in parts):
        return (0, [int(p) for p in parts], "")
    return (1, [], str(cis_id))


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (IOError, OSError) as exc:
        raise InputError("%s: %s" % (path, exc))
    except ValueError as exc:
        # docker-bench writes its JSON piecewise: a run that was stopped leaves a truncated file.
        raise InputError("%s is not JSON (an interrupted docker-bench run?): %s" % (path, exc))


def parse_bench_log(doc):
    """{cis id: {"result", "desc", "details"}} from docker-bench-security's JSON log (``tests[].results[]``)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("tests"), list):
        raise InputError("not a docker-bench-security JSON log (no `tests` list)")
    out = {}
    for section in doc["tests"]:
        for res in (section or {}).get("results") or []:
            if not isinstance(res, dict) or "id" not in res:
                continue
            result = str(res.get("result", "")).upper()
            if result not in BENCH_VERDICT:
                raise InputError("docker-bench result %r for %s is none of %s" % (
                    res.get("result"), res["id"], "/".join(sorted(BENCH_VERDICT))))
            out[str(res["id"])] = {"result": result, "desc": _MODE_SUFFIX.sub("", str(res.get("desc", ""))),
                                   "details": str(res.get("details", ""))}
    return out


def host_document(report, host=None):
    """One host's result document from a full report (``hosts``) or from a document already."""
    if isinstance(report, dict) and isinstance(report.get("hosts"), dict):
        hosts = report["hosts"]
        if host in hosts:
            return hosts[host]
        if host is None and len(hosts) == 1:
            return next(iter(hosts.values()))
        raise InputError("the report has no host %r (hosts: %s)" % (host, ", ".join(sorted(hosts)) or "none"))
    if isinstance(report, dict) and isinstance(report.get("controls"), list):
        return report
    raise InputError("not a dockersec report (no `hosts` and no `controls`)")


def parse_ours(doc):
    """(source, {cis id: [(who, status, evidence)]}) of one host's result document.

    source "profiles.cis": the cis profile's results (who = "cis", or "cis (reuses N)"); else
    "checklist": every control naming the id in its ``cis`` list (who = "control N"). On a host with several
    daemons the primary one's profile is read (``daemons[primary].profiles``): docker-bench judges only the
    daemon its docker CLI reaches by default, while the top-level keys hold the weakest daemon's.
    """
    profiles = doc.get("profiles") or {}
    primary = [d for d in doc.get("daemons") or [] if isinstance(d, dict) and d.get("primary")]
    if len(doc.get("daemons") or []) > 1 and primary:
        profiles = primary[0].get("profiles") or {}
    cis = (profiles.get("cis") or {}).get("results")
    out = {}
    if isinstance(cis, list) and cis:
        for res in cis:
            who = "cis (reuses %s)" % res["reuses"] if res.get("reuses") else "cis"
            out.setdefault(str(res["id"]), []).append((who, res.get("status"), list(res.get("evidence") or [])))
        return "profiles.cis", out
    for control in list(doc.get("controls") or []) + list(doc.get("extended") or []):
        for cis_id in control.get("cis") or []:
            out.setdefault(str(cis_id), []).append(("control %s" % control["id"], control.get("status"),
                                                    list(control.get("evidence") or [])))
    return "checklist", out


def agreement(bench, ours):
    """agree / DISAGREE / partly / undecided / only docker-bench / only ours, of one id."""
    if bench is None:
        return "only ours"
    if not ours:
        return "only docker-bench"
    theirs = BENCH_VERDICT[bench["result"]]
    mine = [status for _who, status, _ev in ours if status in DECIDED]
    if theirs is None or not mine:
        return "undecided"
    same = sum(1 for status in mine if status == theirs)
    if same == len(mine):
        return "agree"
    return "DISAGREE" if same == 0 else "partly"


def compare(bench_log, report, host=None):
    """{"source", "rows": [{"id", "title", "bench", "ours", "agreement", ...}], "counts"} for one host."""
    bench = parse_bench_log(bench_log)
    source, ours = parse_ours(host_document(report, host))
    rows, counts = [], {}
    for cis_id in sorted(set(bench) | set(ours), key=id_key):
        b, o = bench.get(cis_id), ours.get(cis_id, [])
        agree = agreement(b, o)
        counts[agree] = counts.get(agree, 0) + 1
        rows.append({"id": cis_id, "title": b["desc"] if b else "", "bench": b["result"] if b else "-",
                     "bench_details": b["details"] if b else "", "ours": o, "agreement": agree})
    return {"source": source, "rows": rows, "counts": counts}


def _cell(text, limit=None):
    text = " ".join(str(text).split()).replace("|", "\\|")
    if limit and len(text) > limit:
        text = text[:limit - 3] + "..."
    return text


def markdown(host, result, details=False, only=None):
    """A Markdown table of one host's comparison (``only``: the agreement values to keep)."""
    head = "| CIS id | recommendation (docker-bench's words) | docker-bench | ours | agreement |"
    if details:
        head += " docker-bench details | our evidence |"
    out = ["### %s (ours from %s)" % (host, result["source"]), "", head, "|" + "---|" * head.count(" |")]
    for row in result["rows"]:
        if only and row["agreement"] not in only:
            continue
        ours = ", ".join("%s (%s)" % (status, who) for who, status, _ev in row["ours"]) or "-"
        cells = (row["id"], _cell(row["title"], 80), row["bench"], _cell(ours), row["agreement"])
        line = "| %s | %s | %s | %s | %s |" % cells
        if details:
            evidence = " / ".join("; ".join(ev) for _who, _status, ev in row["ours"])
            line += " %s | %s |" % (_cell(row["bench_details"], 160), _cell(evidence, 240))
        out.append(line)
    counts = result["counts"]
    out += ["", ", ".join("%s: %d" % (k, counts[k]) for k in sorted(counts)) + " (of %d ids)" % len(result["rows"])]
    return "\n".join(out)


def pairs_in(directory):
    """[(host, log, report)] for every ``<host>.log.json`` with a ``<host>.audit.json`` beside it."""
    found = []
    for log in sorted(glob.glob(os.path.join(directory, "*.log.json"))):
        host = os.path.basename(log)[:-len(".log.json")]
        report = os.path.join(directory, host + ".audit.json")
        if os.path.exists(report):
            found.append((host, log, report))
    return found


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--dir", help="pair <host>.log.json with <host>.audit.json in this directory")
    ap.add_argument("--pair", nargs=3, action="append", default=[], metavar=("HOST", "BENCH_LOG", "REPORT"),
                    help="one host: its docker-bench JSON log and our JSON report (repeatable)")
    ap.add_argument("--details", action="store_true", help="add docker-bench's details and our evidence")
    ap.add_argument("--only", help="keep only these agreement values, comma-separated (e.g. DISAGREE,partly)")
    ap.add_argument("--json", metavar="PATH", help="also write the comparison as JSON")
    args = ap.parse_args(argv)
    pairs = [tuple(p) for p in args.pair] + (pairs_in(args.dir) if args.dir else [])
    if not pairs:
        ap.error("nothing to compare: give --dir DIR or --pair HOST BENCH_LOG REPORT")
    only = set(x.strip() for x in args.only.split(",")) if args.only else None
    results = {}
    try:
        for host, log, report in pairs:
            results[host] = compare(load_json(log), load_json(report), host)
    except InputError as exc:
        sys.stderr.write("compare_docker_bench: %s\n" % exc)
        return 2
    print("\n\n".join(markdown(h, results[h], args.details, only) for h in results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
