# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 10, Compliance and Governance: items 46-50.

Items 47 and 48 are manual (no evaluator): the engine reports them ``manual`` unless attested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, PASS, as_dict, as_list, days_since, docker, opt, parse_timestamp, result, text, today
)


# This collection's CIS results credit item 46 only when they say something: at least half of the
# automated recommendations the profile tried to judge (decided + error) were decided.
CIS_MIN_DECIDED_SHARE = 0.5


def credit_problem(summary):
    """Why a CIS summary (this run's, or a history line's) is no CIS assessment for item 46, else None."""
    summary = as_dict(summary)
    counts = as_dict(summary.get("counts"))
    decided = summary.get("automated_decided")
    if not isinstance(decided, int) or isinstance(decided, bool):
        # A line that kept only the counts: pass and fail, attested manual ones included.
        decided = sum(n for k, n in counts.items() if k in (PASS, FAIL) and isinstance(n, int))
    errors = counts.get(ERROR) if isinstance(counts.get(ERROR), int) else 0
    if decided <= 0:
        return "no automated recommendation was decided (%d error)" % errors
    if decided < CIS_MIN_DECIDED_SHARE * (decided + errors):
        return "only %d recommendations decided against %d error: mostly not judged" % (decided, errors)
    return None


_CIS_COUNTS = ("pass", "fail", "manual", "not_applicable", "error", "waived")


def _cis_line(summary):
    counts = as_dict(summary.get("counts"))
    rate, decided = summary.get("pass_rate"), summary.get("automated_decided")
    return "CIS Docker Benchmark %s profile results: %s; pass rate %s%s" % (
        text(summary.get("version") or "?", 20),
        ", ".join("%s %s" % (counts[k], k) for k in _CIS_COUNTS if counts.get(k)) or "no counts",
        "n/a" if rate is None else "%.1f%%" % rate,
        "" if decided is None else " of %s automated recommendations decided" % decided)


def _cis_runs(opts, day, max_age):
    """(credited, notes): this run's CIS profile results (``_cis_summary``, evaluate/profiles.py) and
    the newest history line carrying CIS counts (``cis``, report/document.history_lines), each judged
    by ``credit_problem`` and its age."""
    opts = as_dict(opts)
    found = []
    if isinstance(opts.get("_cis_summary"), dict):
        found.append(("this run's " + _cis_line(opts["_cis_summary"]), opts["_cis_summary"], 0))
    recorded = [(parse_timestamp(e.get("generated_at")), e["cis"]) for e in as_list(opts.get("_history"))
                if isinstance(e, dict) and isinstance(e.get("cis"), dict)]
    recorded = [(ts, cis) for ts, cis in recorded if ts is not None and days_since(ts, day) >= 0]
    if recorded:
        ts, cis = max(recorded, key=lambda item: item[0])
        age = days_since(ts, day)
        found.append(("this collection's %s, recorded %d days ago" % (_cis_line(cis), age), cis, age))
    credited, notes = [], []
    for line, summary, age in found:
        problem = credit_problem(summary)
        if problem:
            notes.append("%s: not credited: %s" % (line, problem))
        elif age > max_age:
            notes.append("%s; %d days old (benchmark_max_age_days %d)" % (line, age, max_age))
        else:
            credited.append(line)
    return credited, notes


# How far a host's clock may be ahead of the gather's timestamp for a run to count as not in the future.
_CLOCK_SKEW = datetime.timedelta(minutes=10)


def _bench_runs(facts, opts):
    """docker-bench-security logs known for this host: the one read on the host, the one the
    controller was pointed at (docker_bench_log_path)."""
    runs = []
    on_host = as_dict(as_dict(as_dict(facts).get("tools")).get("docker_bench"))
    if on_host:
        runs.append(("on the host", on_host))
    given = as_dict(as_dict(opts).get("_bench_log"))
    if given:
        runs.append(("docker_bench_log_path", given))
    return runs


def _bench_date(run):
    """When the run ended (else started, else the file's date)."""
    for key in ("end", "start", "mtime"):
        if run.get(key) not in (None, ""):
            ts = parse_timestamp(run.get(key))
            if ts is not None:
                return ts, key
    return None, None


def check_46(facts, opts):
    """A CIS assessment with results within benchmark_max_age_days: a docker-bench-security run (its
    JSON log), or this collection's CIS profile results (this run's, or a history line's) when most
    of its automated recommendations were decided. Never because the profile merely exists."""
    facts = as_dict(facts)
    max_age = opt(opts, "benchmark_max_age_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown")
    credited, notes, errors = [], [], []
    gathered = parse_timestamp(facts.get("gathered_at"))
    for where, run in _bench_runs(facts, opts):
        path = text(run.get("path"), 120)
        if run.get("error"):
            errors.append("docker-bench-security log %s (%s): %s" % (path, where, text(run["error"], 400)))
            continue
        if not run.get("results"):
            notes.append("docker-bench-security log %s (%s) holds no results: not a completed run" % (path, where))
            continue
        stamp, key = _bench_date(run)
        age = days_since(stamp, day) if stamp is not None else None
        line = "docker-bench-security %s log %s (%s): %s" % (
            text(run.get("version") or "?", 20), path, where, bench_log.describe(run))
        if not run.get("complete"):
            line += "; the run did not finish (no end time)"
        if age is None:
            notes.append(line + "; run date unreadable")
        elif age < 0 and (gathered is None or stamp > gathered + _CLOCK_SKEW):
            # As an attestation dated after the audit date: a run dated later proves nothing about now. Only
            # after the gather too (a host's clock, which dated the log): the audit date is the controller's.
            notes.append("%s; dated %s, in the future (audit date %s): the log or a clock is wrong, not credited"
                         % (line, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), day))
        elif max(age, 0) > max_age:
            notes.append("%s; %d days old (benchmark_max_age_days %d)" % (line, age, max_age))
        elif not run.get("complete"):
            notes.append(line)
        else:
            credited.append("%s; ran %d days ago" % (line, max(age, 0)))
    cis_credited, cis_notes = _cis_runs(opts, day, max_age)
    credited += cis_credited
    notes += cis_notes
    if credited:
        return result(PASS, credited + notes + errors)
    if errors:
        # A log that cannot be read proves neither a run nor its absence.
        return result(ERROR, errors + notes)
    legacy = as_dict(facts.get("tools")).get("docker_bench_log")
    if legacy:
        notes.append("text log %s found: only its JSON log (log/docker-bench-security.log.json) shows the results"
                     % text(legacy, 120))
    return result(FAIL, ["no finished docker-bench-security run with results in the last %d days "
                         "(benchmark_max_age_days); run it and keep log/docker-bench-security.log.json where the "
                         "gather looks, or point dockersec_options.docker_bench_log_path at it; or select the cis "
                         "profile (dockersec_profiles), whose results count when most of them are decided" % max_age]
                  + notes)


def _audit_days(opts):
    """The distinct days of the recorded audits of this host (history), oldest first."""
    days = set()
    for entry in as_list(as_dict(opts).get("_history")):
        ts = parse_timestamp(as_dict(entry).get("generated_at"))
        if ts is not None:
            days.add(ts.date())
    return sorted(days)


def check_49(facts, opts):
    """A cadence: two or more recorded audits on different days, the newest within the period, and
    no gap between recorded audits (within the history window) longer than the period."""
    facts = as_dict(facts)
    period = opt(opts, "audit_max_age_days")
    window = opt(opts, "audit_history_window_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown")
    days = [d for d in _audit_days(opts) if d <= day]
    if len(days) < 2:
        return result(FAIL, "%d recorded audit%s of this host on different days (%s): a cadence needs at least two, "
                            "no more than %d days apart (audit_max_age_days)" % (
                                len(days), "" if len(days) == 1 else "s",
                                ", ".join(str(d) for d in days) or "none", period))
    # Only gaps inside the window count: a lapse long ago that has since been fixed is history.
    recent = [d for d in days if (day - d).days <= window]
    gaps = [((b - a).days, a, b) for a, b in zip(recent, recent[1:]) if (b - a).days > period]
    newest_age = (day - days[-1]).days
    problems = []
    if newest_age > period:
        problems.append("newest recorded audit %s is %d days old (audit_max_age_days %d)"
                        % (days[-1], newest_age, period))
    for gap, a, b in gaps:
        problems.append("%d days without an audit between %s and %s" % (gap, a, b))
    span = "%d recorded audits on different days, %s to %s" % (len(days), days[0], days[-1])
    if problems:
        return result(FAIL, problems + [span])
    return result(PASS, ["%s: none more than %d days apart within the last %d days, the newest %d days ago"
                         % (span, period, window, newest_age)])


def check_50(facts, opts):
    """The inventory export is enabled and this run gathered every container."""
    facts = as_dict(facts)
    if not opt(opts, "inventory_export"):
        return result(FAIL, "container inventory export disabled (dockersec_options.inventory_export: false)")
    d = docker(facts)
    containers = d.get("containers")
    if d.get("reachable") is False or not isinstance(containers, list):
        return result(ERROR, "the container list was not gathered: the inventory would be incomplete")
    states = {}
    for c in containers:
        if isinstance(c, dict):
            state = str(c.get("state"))
            states[state] = states.get(state, 0) + 1
    shown = ", ".join("%d %s" % (states[k], k) for k in sorted(states, key=lambda k: (k != "running", k)))
    return result(PASS, "inventory of %d containers (%s) exported in the JSON report"
                  % (len(containers), shown or "none"))


CHECKS = {"46": check_46, "49": check_49, "50": check_50}
