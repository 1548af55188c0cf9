# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What the file renderers (junit, sarif, markdown, html_page) read from a document the same way:
the hosts in order, a control's evidence lines cleaned for XML/HTML, section names and percentages,
and the trend of each host against an earlier report (``host_trends``).

Every piece of text from a host goes through ``clean_text`` first; each renderer then escapes it
for the format it lands in.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import (
    COLUMNS, score_or_none, section_key, section_rows
)


TOOL_NAME = "dockersec.hardening"

FAILING = ("fail", "error")

STATUS_LABELS = dict(COLUMNS)

# XML 1.0 forbids most control characters, even escaped: they become U+FFFD everywhere.
_BAD_CHARS = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_DOCKER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def clean_text(text):
    """Host text safe for XML and HTML: forbidden control characters become U+FFFD, line ends LF."""
    text = u"%s" % ("" if text is None else text)
    # XML and HTML parsers turn CR and CRLF into LF: do it here so every format says the same.
    return _BAD_CHARS.sub(u"\ufffd", text.replace(u"\r\n", u"\n").replace(u"\r", u"\n"))


def evidence_lines(control):
    """A control's evidence as cleaned, non-blank lines."""
    evidence = control.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    # Clean before the blank test: str.strip() takes \x1c-\x1f for whitespace, clean_text shows them.
    return [line for line in (clean_text(str(e)) for e in evidence) if line.strip()]


def sorted_hosts(document):
    """``[(host, entry)]`` of the audited hosts, by name."""
    hosts = document.get("hosts") or {}
    return [(h, hosts[h]) for h in sorted(hosts)]


def hosts_not_audited(document):
    """Hosts without a result: ``[(host, "unreachable" | "failed", message)]``."""
    hosts = document.get("hosts") or {}
    out = [(h, "unreachable", m) for h, m in sorted((document.get("unreachable") or {}).items())]
    out += [(h, "failed", m) for h, m in sorted((document.get("failed") or {}).items()) if h not in hosts]
    return out


def catalog_entry(control_id):
    """The catalog's entry for ``control_id``, {} for an id the catalog does not know."""
    try:
        return catalog.get(control_id)
    except KeyError:
        return {}


def section_name(section):
    """A section's name from the catalog (``Extended`` for the extended profile)."""
    if section == catalog.EXTENDED_SECTION:
        return catalog.EXTENDED_SECTION
    key = section_key(section)
    return catalog.SECTIONS.get(key, str(key) if key is not None else "Unknown")


def format_pct(coverage):
    """``92.0%`` or ``n/a``."""
    return "n/a" if coverage is None else "%.1f%%" % coverage


def format_delta(delta):
    """``+3.5`` or ``n/a``."""
    return "n/a" if delta is None else "%+.1f" % delta


def percent(earned, applicable):
    """Earned as a percentage of applicable (0-100), None when nothing is applicable."""
    try:
        earned, applicable = float(earned or 0), float(applicable or 0)
    except (TypeError, ValueError):
        return None
    if applicable <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * earned / applicable))


def section_percentages(entry):
    """``{section key: percent of applicable points earned or None}`` over the scored sections."""
    return dict((row["section"], percent(row["earned"], row["max"])) for row in section_rows(entry))


def host_trends(document, previous):
    """The trend of every host of ``document`` against an earlier report ``previous``.

    ``{host: {"previous_score", "previous_band", "previous_generated_at", "score", "delta",
    "newly_failing": [ids], "fixed": [ids], "sections": {key: previous percent}}}``; a host the
    earlier report does not have maps to ``None``. No ``previous``: ``{}``.
    """
    if not isinstance(previous, dict):
        return {}
    prev_hosts = previous.get("hosts") if isinstance(previous.get("hosts"), dict) else {}
    trends = {}
    for host, entry in sorted_hosts(document):
        prev = prev_hosts.get(host)
        if not isinstance(prev, dict):
            trends[host] = None
            continue
        prev_status = dict((str(c.get("id")), c.get("status")) for c in prev.get("controls") or []
                           if isinstance(c, dict))
        now_status = dict((str(c.get("id")), c.get("status")) for c in entry.get("controls") or [])
        score, prev_score = entry.get("score"), score_or_none(prev.get("score"))
        trends[host] = {
            "previous_score": prev_score,
            "previous_band": prev.get("band") or (None if prev_score is None else catalog.band_for(prev_score)),
            "previous_generated_at": prev.get("generated_at") or previous.get("generated_at"),
            "score": score,
            "delta": None if score is None or prev_score is None else round(score - prev_score, 1),
            "newly_failing": [cid for cid, st in now_status.items()
                              if st in FAILING and prev_status.get(cid) not in FAILING],
            "fixed": [cid for cid, st in prev_status.items() if st in FAILING and now_status.get(cid) == "pass"],
            "sections": section_percentages(prev) if prev.get("controls") else {},
        }
    return trends


def by_status(controls, statuses):
    """``controls`` grouped in the order of ``statuses`` (others left out)."""
    return [c for status in statuses for c in controls if c.get("status") == status]


def containers_named(control, entry):
    """Containers a per-container control's evidence names (``name (compose p/s): why`` lines)."""
    if catalog_entry(control.get("id")).get("scope") != "container":
        return []
    known = set(str(c.get("name")) for c in entry.get("inventory") or [] if isinstance(c, dict) and c.get("name"))
    names = []
    for line in evidence_lines(control)[1:]:
        if ": " not in line:
            continue
        name = line.split(": ", 1)[0].strip()
        if name.startswith("container "):
            name = name[len("container "):]
        name = re.sub(r"\s*\[[^\]]*\]$", "", name)     # " [exited]"
        name = re.sub(r"\s*\([^()]*\)$", "", name)     # " (compose shop/web)"
        if _DOCKER_NAME.match(name) and (not known or name in known) and name not in names:
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------
# Every daemon of a host (issue 20) and the profiles beside the checklist (issue 21).

PROFILE_TITLES = {"checklist": "Checklist", "cis": "CIS Docker Benchmark", "custom": "Custom controls"}

# Custom control severity -> SARIF level; the order is the severity's rank.
SEVERITIES = ("critical", "high", "medium", "low")


def judged_per_daemon(control_id):
    """True when the control is judged once per daemon, as the engine scores it (``engine.per_daemon``:
    its catalog ``requires`` names a daemon's sections; an unknown id too)."""
    return engine.per_daemon(control_id)


def several_daemons(entry):
    """The host's daemons when it runs more than one (each shown on its own), else ``[]``: a
    one-daemon host reads as it always did."""
    daemons = [d for d in entry.get("daemons") or [] if isinstance(d, dict)]
    return daemons if len(daemons) > 1 else []


def daemon_label(daemon):
    """``rootless`` or ``rootful``, and ``primary`` for the daemon the top-level facts are of."""
    return ("rootless" if daemon.get("rootless") else "rootful") + (", primary" if daemon.get("primary") else "")


def host_level_controls(entry, controls):
    """Of ``controls``, those judged once per host (shown once, before the daemons)."""
    return [c for c in controls if not judged_per_daemon(c.get("id"))] if several_daemons(entry) else controls


def daemon_controls(controls):
    """Of a daemon's ``controls``, those judged per daemon."""
    return [c for c in controls if judged_per_daemon(c.get("id"))]


def profile(part, name):
    """``part``'s (a host entry's or a daemon's) profile ``name`` (``cis``, ``custom``), or None."""
    profiles = part.get("profiles")
    value = profiles.get(name) if isinstance(profiles, dict) else None
    return value if isinstance(value, dict) else None


def profile_results(part, name):
    value = profile(part, name)
    return [r for r in (value or {}).get("results") or [] if isinstance(r, dict)]


def profile_counts(value):
    """A profile's counts over every status (0 when absent)."""
    counts = dict((status, 0) for status in catalog.STATUSES)
    given = value.get("counts") if isinstance(value.get("counts"), dict) else None
    if given is None:
        for result in value.get("results") or []:
            counts[result.get("status")] = counts.get(result.get("status"), 0) + 1
        return counts
    for status, n in given.items():
        counts[status] = n if isinstance(n, int) and not isinstance(n, bool) else 0
    return counts


def pass_rate(cis):
    """The CIS profile's pass rate as a number, None when unknown (nothing automated decided)."""
    rate = cis.get("pass_rate")
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None


def below_threshold(cis):
    """True when the pass rate is below ``dockersec_cis_fail_under``."""
    rate, threshold = pass_rate(cis), cis.get("fail_under")
    return rate is not None and isinstance(threshold, (int, float)) and rate < threshold


def cis_title(cis):
    """``CIS Docker Benchmark 1.6.0``."""
    return ("%s %s" % (cis.get("title") or PROFILE_TITLES["cis"], cis.get("version") or "")).strip()


def cis_summary(cis):
    """``CIS Docker Benchmark 1.6.0: pass rate 75.0% of 80 automated decided (60 pass, 20 fail, 25
    manual, 10 n/a, 0 error)``, then ``, 2 waived`` when some are, and the threshold it misses."""
    counts = profile_counts(cis)
    decided = cis.get("automated_decided")
    text = "%s: pass rate %s of %s automated decided (%s" % (
        cis_title(cis), format_pct(pass_rate(cis)),
        decided if isinstance(decided, int) else "n/a",
        ", ".join("%d %s" % (counts.get(s, 0), label) for s, label in (
            ("pass", "pass"), ("fail", "fail"), ("manual", "manual"), ("not_applicable", "n/a"), ("error", "error"))))
    if counts.get("waived"):
        text += ", %d waived" % counts["waived"]
    text += ")"
    if below_threshold(cis):
        text += "; below dockersec_cis_fail_under %s" % cis.get("fail_under")
    return text


def profile_summary(value):
    """``1 pass, 1 fail``: the nonzero counts, in table order."""
    counts = profile_counts(value)
    return ", ".join("%d %s" % (counts[s], label) for s, label in COLUMNS if counts.get(s)) or "no result"


def fleet_cis_rate(cis):
    """``CIS pass rate: average 76.2%, min 62.5% (node1)`` and the hosts below their CIS threshold."""
    rates = [r for r in cis.get("pass_rates") or [] if r.get("pass_rate") is not None]
    text = "CIS pass rate: average %s" % format_pct(cis.get("average_pass_rate"))
    if rates:
        text += ", min %s (%s)" % (format_pct(rates[0]["pass_rate"]), rates[0]["host"])
    return text, list(cis.get("below_fail_under") or [])


def cis_rule_id(cis, rec_id):
    """``cis-1.6.0/5.26``: the benchmark version keeps ids of two versions apart (1.8.0 renumbers 2.x)."""
    return "cis-%s/%s" % (cis.get("version") or "unknown", rec_id)


def expected_text(value):
    """A custom control's expected value as JSON text; what JSON has no form for (a YAML date) as
    its string."""
    return json.dumps(value, sort_keys=True, default=str)


def custom_rule_id(control_id):
    return "custom/%s" % control_id


def severity_rank(result):
    severity = result.get("severity")
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def subjects(entry):
    """What a renderer shows per daemon: ``[(daemon or None, part)]``, one ``(None, entry)`` for a
    one-daemon host; a daemon's part has its own controls, extended and profiles."""
    daemons = several_daemons(entry)
    return [(d, d) for d in daemons] if daemons else [(None, entry)]
