"""Canned audit results and documents the report tests share (the browser and Prometheus rule
tests too), and the HTML reader they look at pages with."""

from html.parser import HTMLParser

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document


def make_audit(host="node1", statuses=None, extended=None, default="pass", inventory=None,
               generated_at="2026-11-23T05:00:00Z"):
    """A ``dockersec_audit`` result shaped like the action plugin's, scored by the documented rule."""
    statuses = statuses or {}
    extended = extended or {}

    def control(c, status, scored):
        max_points = catalog.max_points(c["id"])
        return {
            "id": c["id"], "section": c["section"],
            "section_name": catalog.SECTIONS.get(c["section"], catalog.EXTENDED_SECTION),
            "title": c["title"], "status": status,
            "points": max_points if (scored and status == "pass") else 0, "max_points": max_points,
            "evidence": ["%s evidence for %s" % (status, c["id"]), "second line for %s" % c["id"]],
            "cis": c["cis"], "mode": c["mode"], "fix": c["fix"], "remediation_role": c["remediation_role"],
            "raw_inspect": {"Env": ["PASSWORD=hunter2"]},  # must never reach the report
        }

    controls = [control(c, statuses.get(c["id"], default), True) for c in catalog.CONTROLS
                if catalog.is_scored(c["id"])]
    ext = [control(c, extended.get(c["id"], "pass"), False) for c in catalog.CONTROLS
           if not catalog.is_scored(c["id"])]
    earned = sum(c["points"] for c in controls)
    applicable = sum(c["max_points"] for c in controls if c["status"] not in ("not_applicable", "waived"))
    score = round(100.0 * earned / applicable, 1) if applicable else 0.0

    def counts(items):
        out = dict((s, 0) for s in catalog.STATUSES)
        for c in items:
            out[c["status"]] += 1
        return out

    audit = {
        "host": host, "generated_at": generated_at, "schema_version": 1,
        "score": score, "earned": earned, "applicable": applicable, "band": catalog.band_for(score),
        "counts": counts(controls), "controls": controls, "extended": ext, "extended_counts": counts(ext),
    }
    if inventory is not None:
        audit["inventory"] = inventory
    return audit


def seventy_two():
    """36 of 50 items pass: 72.0, Acceptable (dev only); 2 errors, 8 fails, 4 manual."""
    statuses = {}
    ids = catalog.SCORED_IDS
    for cid in ids[:2]:
        statuses[cid] = "error"
    for cid in ids[2:10]:
        statuses[cid] = "fail"
    for cid in ("34", "44", "47", "48"):
        statuses[cid] = "manual"
    return make_audit(statuses=statuses, extended={"X.2": "fail", "X.4": "fail", "X.6": "error"})


EVIL_CONTAINER = "<script>alert('c')</script>"
EVIL_HOST = "db|<script>alert(1)</script>&\"'"


def _set(audit, cid, status, evidence=None):
    for c in audit["controls"] + audit["extended"]:
        if c["id"] == cid:
            c["status"] = status
            c["points"] = c["max_points"] if status == "pass" else 0
            if evidence is not None:
                c["evidence"] = evidence
    return audit


def _rescore(audit):
    controls = audit["controls"]
    earned = sum(c["points"] for c in controls)
    applicable = sum(c["max_points"] for c in controls if c["status"] not in ("not_applicable", "waived"))
    audit["earned"], audit["applicable"] = earned, applicable
    audit["score"] = round(100.0 * earned / applicable, 1) if applicable else 0.0
    audit["band"] = catalog.band_for(audit["score"])
    audit["counts"] = dict((s, sum(1 for c in controls if c["status"] == s)) for s in catalog.STATUSES)
    return audit


def canned_audits():
    """Three audited hosts: web1 (Excellent), web2 (72.0, with containers named in the evidence,
    one of them hostile) and a host whose name is hostile."""
    web1 = make_audit(host="web1", statuses={"36": "not_applicable", "37": "not_applicable", "38": "waived"})
    web2 = seventy_two()
    web2["host"] = "web2"
    web2["inventory"] = [{"name": "shop-web-1"}, {"name": "db"}, {"name": EVIL_CONTAINER}]
    _set(web2, "16", "fail", [
        "containers run as root: 3 of 4 containers",
        "shop-web-1 (compose shop/web): Config.User is empty (root)",
        "container db [exited]: runs as 0",
        "%s: runs as root" % EVIL_CONTAINER,
        "ghost: not in the inventory",
    ])
    _set(web2, "3", "pass")  # items 3 and 4 pass, 16 and 17 fail instead: the score stays 72.0
    _set(web2, "4", "pass")
    _set(web2, "17", "fail", ["privileged container: 1 of 4 containers", "shop-web-1 (compose shop/web): privileged",
                              "control chars \x1b[31mred\x1b[0m and \x00 nul"])
    evil = make_audit(host=EVIL_HOST, default="fail", statuses={"1": "pass", "2": "pass", "34": "manual"})
    _set(evil, "6", "fail", ["icc | true on the default bridge *not* `fine` <b>bold</b> & [link](x)"])
    return {"web1": _rescore(web1), "web2": _rescore(web2), EVIL_HOST: _rescore(evil)}


def canned_document():
    return report_document.build_document(
        canned_audits(),
        unreachable={"web3": "Failed to connect to the host via ssh: <refused>"},
        failed={"web2": "Evaluate: score 72.0 is below fail_under 80", "web4": "Gather: docker not reachable"},
        generated_at="2026-11-23T06:00:00Z", collection_version="0.1.0")


def canned_previous():
    """An earlier report: web1 was at 72.0, web2 had every item but 6 passing; the hostile host is new."""
    web1 = seventy_two()
    web1["generated_at"] = "2026-11-16T05:00:00Z"
    web2 = make_audit(host="web2", statuses={"6": "fail"}, generated_at="2026-11-16T05:00:00Z")
    return report_document.build_document({"web1": web1, "web2": web2}, generated_at="2026-11-16T06:00:00Z",
                                          collection_version="0.1.0")


class _Page(HTMLParser):
    """Tags, attributes and text of a page, as a browser's tokenizer sees them."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.tags = []
        self.text = []
        self.scripts = []
        self.styles = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def _page(text):
    page = _Page()
    page.feed(text)
    page.close()
    return page


ROOTFUL = {"name": "root@unix:///var/run/docker.sock", "primary": True, "endpoint": "unix:///var/run/docker.sock",
           "rootless": False, "user": "root", "uid": 0, "pid": 123, "data_root": "/var/lib/docker"}
ROOTLESS = {"name": "svc@unix:///run/user/1000/docker.sock", "primary": False,
            "endpoint": "unix:///run/user/1000/docker.sock", "rootless": True, "user": "svc", "uid": 1000,
            "pid": 5678, "data_root": "/home/svc/.local/share/docker"}


def two_daemon_audit(host="node1", primary_statuses=None, rootless_statuses=None):
    """A host with a rootful primary daemon and a rootless one, shaped like the engine's result
    (BRIEF interface C): by default every item passes on the primary and 16, 17 fail on the
    rootless daemon, whose results are then the top level."""
    primary = make_audit(host=host, statuses=primary_statuses)
    rootless = make_audit(host=host, statuses={"16": "fail", "17": "fail"} if rootless_statuses is None
                          else rootless_statuses)
    entries = []
    for meta, audit in ((ROOTFUL, primary), (ROOTLESS, rootless)):
        entry = dict(meta)
        entry.update((k, v) for k, v in audit.items() if k not in ("host", "generated_at", "schema_version"))
        entries.append(entry)
    weakest = min(entries, key=lambda e: (e["score"], not e["primary"]))
    top = primary if weakest is entries[0] else rootless
    audit = dict(top, daemon=weakest["name"], daemons=entries)
    return audit


# ---------------------------------------------------------------------------------------------
# Every daemon of a host (BRIEF interface C) and the profiles (C2), shaped as the engine writes them.

ROOTFUL_DAEMON = "root@unix:///var/run/docker.sock"
ROOTLESS_DAEMON = "svc@unix:///run/user/1000/docker.sock"

# A CIS result list that adds up to the brief's example line: 60 pass, 20 fail, 25 manual,
# 10 n/a, 0 error, 2 waived (117 recommendations), so 80 automated decided and 75.0%.
CIS_MIX = (("pass", 60), ("fail", 20), ("manual", 25), ("not_applicable", 10), ("waived", 2))

EVIL_CUSTOM_TITLE = "no \x1b[2J\x1b]0;pwned\x07 <b>root</b> | *login* \u202e"


def cis_results(mix=CIS_MIX):
    """CIS results in 1.6.0 numbering: 5.26 and 5.31 fail first, levels 1 and 2 and unset mixed."""
    statuses = [status for status, n in mix for dummy in range(n)]
    fails = [i for i, s in enumerate(statuses) if s == "fail"]
    results = []
    for i, status in enumerate(statuses):
        section = 1 + i % 7
        rid = "%d.%d" % (section, 1 + i // 7)
        if fails and i == fails[0]:
            rid, section = "5.26", 5
        elif len(fails) > 1 and i == fails[1]:
            rid, section = "5.31", 5
        results.append({
            "id": rid, "v180": rid, "title": "Recommendation %s" % rid, "section": section,
            "section_name": "Section %d" % section, "level": (1, 2, None)[i % 3],
            "mode": "manual" if status == "manual" else "automated", "status": status,
            "evidence": ["%s evidence for CIS %s" % (status, rid)], "reuses": None,
            "fix": "fix CIS %s" % rid if status == "fail" else None,
        })
    return results


def cis_profile(mix=CIS_MIX, fail_under=80):
    results = cis_results(mix)
    counts = dict((s, 0) for s in ("pass", "fail", "manual", "not_applicable", "error", "waived"))
    for r in results:
        counts[r["status"]] += 1
    decided = sum(1 for r in results if r["mode"] == "automated" and r["status"] in ("pass", "fail"))
    return {"title": "CIS Docker Benchmark", "version": "1.6.0", "counts": counts, "automated_decided": decided,
            "pass_rate": round(100.0 * counts["pass"] / decided, 1) if decided else None,
            "fail_under": fail_under, "results": results}


def custom_profile(title=EVIL_CUSTOM_TITLE):
    """Two inventory controls: ORG-1 (high) fails with a hostile title, ORG-2 (low) passes."""
    results = [
        {"id": "ORG-1", "title": title, "severity": "high", "status": "fail",
         "evidence": ["docker.info.LiveRestoreEnabled is false, expected true"],
         "expression": "docker.info.LiveRestoreEnabled", "expected": True},
        {"id": "ORG-2", "title": "log driver is journald", "severity": "low", "status": "pass",
         "evidence": ["docker.info.LoggingDriver is 'journald'"],
         "expression": "docker.info.LoggingDriver", "expected": "journald"},
    ]
    counts = dict((s, 0) for s in ("pass", "fail", "manual", "not_applicable", "error", "waived"))
    for r in results:
        counts[r["status"]] += 1
    return {"title": "Custom controls", "counts": counts, "results": results}


def with_profiles(audit, cis=None, custom=True):
    """``audit`` with ``profiles`` (C2): the CIS profile (``cis_profile()`` unless given) and the
    custom group; every daemon entry the audit has gets its own copy."""
    profiles = {"cis": cis if cis is not None else cis_profile()}
    if custom:
        profiles["custom"] = custom_profile()
    audit["profiles"] = profiles
    for daemon in audit.get("daemons") or []:
        daemon.setdefault("profiles", {"cis": dict(profiles["cis"]), "custom": profiles.get("custom")}
                          if custom else {"cis": dict(profiles["cis"])})
    return audit


def _daemon_entry(audit, name, rootless, user, uid, primary):
    keys = ("score", "band", "coverage", "earned", "applicable", "counts", "controls", "extended", "extended_counts")
    entry = dict((k, audit.get(k)) for k in keys)
    entry.update({"name": name, "primary": primary, "endpoint": name.split("@", 1)[1], "rootless": rootless,
                  "user": user, "uid": uid, "incomplete": False})
    return entry


ROOTLESS_CIS_MIX = (("pass", 50), ("fail", 30), ("manual", 25), ("not_applicable", 10), ("waived", 2))


def with_daemons(audit, rootless_statuses=None):
    """``audit`` as a host running a rootful daemon (the primary, ``audit``'s own results) and a
    rootless one whose daemon-level controls ``rootless_statuses`` changes (default: 7 and 8 fail)
    and, with profiles, whose CIS pass rate is 62.5% (ROOTLESS_CIS_MIX): the top-level keys become
    the weaker daemon's, as the engine reports the host."""
    import copy
    rootful = _daemon_entry(audit, ROOTFUL_DAEMON, False, "root", 0, True)
    weak = _rescore(copy.deepcopy(audit))
    for cid, status in (rootless_statuses or {"7": "fail", "8": "fail"}).items():
        _set(weak, cid, status, ["%s on the rootless daemon" % status])
    _rescore(weak)
    rootless = _daemon_entry(weak, ROOTLESS_DAEMON, True, "svc", 1000, False)
    if "profiles" in audit:
        rootful["profiles"] = audit["profiles"]
        rootless["profiles"] = copy.deepcopy(audit["profiles"])
        rootless["profiles"]["cis"] = cis_profile(ROOTLESS_CIS_MIX)
    daemons = [rootful, rootless]
    weakest = min(daemons, key=lambda d: (d["score"], not d["primary"]))
    for key in ("score", "band", "earned", "applicable", "counts", "controls", "extended", "extended_counts"):
        audit[key] = copy.deepcopy(weakest[key])
    if "profiles" in weakest:
        audit["profiles"] = copy.deepcopy(weakest["profiles"])
    audit["daemon"] = weakest["name"]
    audit["daemons"] = daemons
    return audit


def one_daemon(audit):
    """``audit`` of a one-daemon host as the engine writes it: ``daemons`` has exactly that daemon."""
    audit["daemon"] = ROOTFUL_DAEMON
    audit["daemons"] = [_daemon_entry(audit, ROOTFUL_DAEMON, False, "root", 0, True)]
    if "profiles" in audit:
        audit["daemons"][0]["profiles"] = audit["profiles"]
    return audit


def multi_daemon_document():
    """node1: two daemons (the rootless one weaker; host-level item 1 fails on both) with both
    profiles; node2: one daemon, CIS only (90.0%)."""
    node1 = with_daemons(with_profiles(make_audit(host="node1", statuses={"1": "fail"})))
    node2 = one_daemon(with_profiles(make_audit(host="node2", statuses={"6": "fail"}),
                                     cis=cis_profile((("pass", 90), ("fail", 10), ("manual", 17))), custom=False))
    return report_document.build_document({"node1": node1, "node2": node2}, generated_at="2026-11-23T06:00:00Z",
                                          collection_version="0.1.0")
