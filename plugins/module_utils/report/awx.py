# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What the playbooks publish with ``ansible.builtin.set_stats`` for AWX / Automation Platform.

AWX keeps the run's global custom stats (``set_stats`` with ``per_host: false``) as the job's
artifacts and hands them to the next workflow nodes as extra variables, so per-host values go
inside the data, keyed by inventory name:

``dockersec_hosts``  ``{host: {"score", "coverage", "band", "failing": [ids], "errors": [ids],
                     "below_threshold": bool or None}}``
``dockersec_fleet``  ``{"audited", "not_audited": [hosts], "average_score", "min_score",
                     "min_coverage", "by_band", "below_threshold": [hosts],
                     "failing": {id: number of hosts}}``
``dockersec_daemons`` ``{host: [{"name", "primary", "rootless", "score", "band", "coverage",
                     "failing": [ids]}]}``: each daemon of the host, in facts order (empty for a
                     result from before daemons were scored one by one)

A host's score, band and failing controls are its weakest daemon's (the report's ``daemon``).
A host with a CIS result also has ``dockersec_hosts[host].cis``: ``{"pass_rate", "failing": [ids],
"below_threshold": bool or None}`` (of that same daemon).

Pure: built from the JSON report document (``document.build_document``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import coverage
from ansible_collections.dockersec.hardening.plugins.module_utils.report.view import pass_rate, profile, profile_results


def _ids(entry, status):
    return [str(c.get("id")) for c in entry.get("controls") or [] if c.get("status") == status]


def host_stats(entry):
    score = entry.get("score")
    threshold = entry.get("fail_under")
    stats = {
        "score": score,
        "coverage": coverage(entry),
        "band": entry.get("band"),
        "failing": _ids(entry, "fail"),
        "errors": _ids(entry, "error"),
        # None: no threshold set for the host, so nothing to be below.
        "below_threshold": None if threshold is None or score is None else score < threshold,
    }
    cis = profile(entry, "cis")
    if cis is not None:
        rate, cis_threshold = pass_rate(cis), cis.get("fail_under")
        stats["cis"] = {"pass_rate": rate,
                        "failing": [str(r.get("id")) for r in profile_results(entry, "cis") if r.get("status") == "fail"],
                        "below_threshold": None if rate is None or not isinstance(cis_threshold, (int, float))
                        else rate < cis_threshold}
    return stats


def daemon_stats(entry):
    """Each daemon of a host's entry: who it is, and its score, band, coverage and failing controls."""
    return [{"name": d.get("name"), "primary": d.get("primary"), "rootless": d.get("rootless"),
             "score": d.get("score"), "band": d.get("band"), "coverage": coverage(d), "failing": _ids(d, "fail")}
            for d in entry.get("daemons") or [] if isinstance(d, dict)]


def set_stats_data(document):
    """``{"dockersec_hosts": ..., "dockersec_fleet": ..., "dockersec_daemons": ...}`` for
    ``ansible.builtin.set_stats``."""
    entries = sorted((document.get("hosts") or {}).items())
    hosts = dict((host, host_stats(entry)) for host, entry in entries)
    scores = [h["score"] for h in hosts.values() if h["score"] is not None]
    coverages = [h["coverage"] for h in hosts.values() if h["coverage"] is not None]
    by_band = dict((name, 0) for dummy, name in catalog.BANDS)
    failing = {}
    for stats in hosts.values():
        if stats["band"]:
            by_band[stats["band"]] = by_band.get(stats["band"], 0) + 1
        for cid in stats["failing"]:
            failing[cid] = failing.get(cid, 0) + 1
    not_audited = sorted((set(document.get("unreachable") or {}) | set(document.get("failed") or {})) - set(hosts))
    fleet = {
        "audited": len(hosts),
        "not_audited": not_audited,
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "min_score": min(scores) if scores else None,
        "min_coverage": min(coverages) if coverages else None,
        "by_band": by_band,
        "below_threshold": [h for h, s in hosts.items() if s["below_threshold"]],
        "failing": failing,
    }
    return {"dockersec_hosts": hosts, "dockersec_fleet": fleet,
            "dockersec_daemons": dict((host, daemon_stats(entry)) for host, entry in entries)}
