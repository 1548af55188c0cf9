# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side evaluation: facts never travel back to the host, waivers and the audit
history live on the controller, and tests can fix the date."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import glob
import json
import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths
from ansible_collections.dockersec.hardening.plugins.plugin_utils.controller_action import ControllerAction
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import as_dict, as_list
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import parse_timestamp

ARGUMENT_SPEC = {
    "facts": {"type": "dict"},
    "options": {"type": "dict", "default": {}},
    "waivers": {"type": "list", "elements": "raw", "default": []},
    "attestations": {"type": "list", "elements": "raw", "default": []},
    "today": {"type": "str"},
    "report_dir": {"type": "path"},
    "fail_under": {"type": "float"},
    "min_coverage": {"type": "float"},
    "fail_incomplete": {"type": "bool"},
    "deferred": {"type": "list", "elements": "dict", "default": []},
}

# Fields of each container that make up the exported inventory (item 50): no env, no labels.
INVENTORY_FIELDS = ("name", "image", "state", "compose_project", "compose_service", "swarm_service", "user")
_UTC = datetime.timezone.utc


def inventory(facts):
    """The container inventory (item 50): every gathered container, names and images only."""
    containers = as_list(as_dict(as_dict(facts).get("docker")).get("containers"))
    return [dict((k, c.get(k)) for k in INVENTORY_FIELDS) for c in containers if isinstance(c, dict)]


def read_history(path, host):
    """Earlier audits of ``host`` from the controller-side history (one JSON object a line)."""
    return report_paths.read_history(path, set([host]))


def _trivy_keys(doc):
    """Every name a Trivy report knows its image by: ArtifactName, image id, tags, digests."""
    meta = doc.get("Metadata") if isinstance(doc.get("Metadata"), dict) else {}
    keys = [doc.get("ArtifactName"), meta.get("ImageID")]
    for field in ("RepoTags", "RepoDigests"):
        keys.extend(meta.get(field) if isinstance(meta.get(field), list) else [])
    return [k for k in keys if isinstance(k, str) and k]


def read_trivy_results(path):
    """Trivy JSON results (a file, or a directory of ``*.json``) for item 13.

    Returns ``{"images": {name: {"critical", "created", "file", "image_id", "repo_digests"}}, "errors": [...]}``:
    ``image_id``/``repo_digests`` are the report's Metadata.ImageID/RepoDigests (what was scanned); one entry
    per name the image is known by (ArtifactName, Metadata.ImageID/RepoTags/RepoDigests); when
    an image was scanned more than once the newest scan counts. ``created`` is the report's
    CreatedAt, else the file's modification time. Unreadable files are listed in ``errors``.
    """
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.json")))
        if not files:
            return {"images": {}, "errors": ["%s: no *.json files" % path]}
    else:
        files = [path]
    images, errors = {}, []
    for name in files:
        try:
            with open(name, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
            mtime = datetime.datetime.fromtimestamp(os.path.getmtime(name), _UTC).replace(microsecond=0, tzinfo=None)
        except (IOError, OSError, ValueError, UnicodeDecodeError) as exc:
            errors.append("%s: %s" % (name, exc))
            continue
        keys = _trivy_keys(doc) if isinstance(doc, dict) else []
        if not keys:
            errors.append("%s: not a Trivy image report (no ArtifactName)" % name)
            continue
        critical = 0
        for res in doc.get("Results") if isinstance(doc.get("Results"), list) else []:
            vulns = res.get("Vulnerabilities") if isinstance(res, dict) else None
            for vuln in vulns if isinstance(vulns, list) else []:
                if isinstance(vuln, dict) and vuln.get("Severity") == "CRITICAL":
                    critical += 1
        created = doc.get("CreatedAt") if isinstance(doc.get("CreatedAt"), str) else mtime.isoformat() + "Z"
        # What the report was a scan of (item 13 matches by these, never by a tag, which can move).
        meta = doc.get("Metadata") if isinstance(doc.get("Metadata"), dict) else {}
        scan = {"critical": critical, "created": created, "file": name,
                "image_id": meta.get("ImageID") if isinstance(meta.get("ImageID"), str) else None,
                "repo_digests": [d for d in (meta.get("RepoDigests") if isinstance(meta.get("RepoDigests"), list)
                                             else []) if isinstance(d, str)]}
        for key in keys:
            old = images.get(key)
            newer = old is None or (parse_timestamp(created) or datetime.datetime.min) >= (
                parse_timestamp(old["created"]) or datetime.datetime.min)
            if newer:
                images[key] = scan
    return {"images": images, "errors": errors}


def read_bench_log(path):
    """The newest docker-bench-security JSON log at ``path`` (a file, or a directory of ``*.json``) on
    the controller, summarized (bench_log.summarize) with ``path``, ``mtime`` and ``error``."""
    files = sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
    dated = []
    for name in files:
        try:
            dated.append((os.path.getmtime(name), name))
        except OSError as exc:
            return {"path": name, "mtime": None, "error": "%s: %s" % (name, exc.strerror or exc)}
    if not dated:
        return {"path": path, "mtime": None, "error": "%s: no *.json files" % path}
    mtime, name = max(dated)
    out = {"path": name, "error": None,
           "mtime": datetime.datetime.fromtimestamp(mtime, _UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"}
    try:
        with open(name, "rb") as f:
            out.update(bench_log.summarize(f.read().decode("utf-8", "replace")))
    except (IOError, OSError) as exc:
        out["error"] = "%s: %s" % (name, exc)
    return out


def _mark_deferred(doc, deferred):
    """Remediation left these alone on purpose: say so, with the reason, where people look."""
    reasons = dict((str(d.get("id")), str(d.get("reason"))) for d in deferred or [] if isinstance(d, dict))
    for control in doc["controls"] + doc["extended"]:
        if control["id"] in reasons and control["status"] != "pass":
            control["evidence"] = ["remediation deferred: %s" % reasons[control["id"]]] + control["evidence"]
            control["deferred"] = reasons[control["id"]]
    doc["deferred"] = [{"id": cid, "reason": why} for cid, why in sorted(reasons.items())]


def _inventory_setting(templar, task_vars, args, name, default):
    """An argument, else the inventory variable ``dockersec_<name>``, else ``default``: the
    playbooks need not pass every score setting for the inventory's value to count."""
    if args.get(name) is not None:
        return args[name]
    value = task_vars.get("dockersec_" + name)
    if value is None:
        return default
    return templar.template(value) if templar is not None else value


def gate(doc, threshold, fail_incomplete=True):
    """Why ``dockersec_fail_under`` fails this host, else None.

    An Incomplete host (coverage below the floor) fails the gate unless ``fail_incomplete`` is
    false: a score over a few decided points must not pass CI.
    """
    if threshold is None:
        return None
    if doc["score"] < threshold:
        return "score %.1f is below dockersec_fail_under %s" % (doc["score"], threshold)
    if doc.get("incomplete") and fail_incomplete:
        return ("coverage %.1f%% is below dockersec_min_coverage %s (band Incomplete, %d waived): the score %.1f "
                "is not trusted by dockersec_fail_under (dockersec_fail_incomplete: false to allow it)"
                % (doc["coverage"], doc["min_coverage"], doc.get("waivers", 0), doc["score"]))
    return None


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def act(self, result, args, task_vars, host):

        facts = args.get("facts")
        if facts is None:
            facts = (task_vars.get("ansible_facts") or {}).get("dockersec")
        if not isinstance(facts, dict):
            result.update(failed=True, msg="%s: no dockersec facts: run dockersec.hardening.docker_host_facts "
                                           "before dockersec.hardening.docker_audit" % host)
            return result

        directory = report_paths.report_dir(args.get("report_dir"))
        history = read_history(os.path.join(directory, report_paths.HISTORY_FILE), host)
        extra = {}
        scan_path = (args.get("options") or {}).get("scan_report_path")
        if isinstance(scan_path, str) and scan_path:
            extra["scan_results"] = read_trivy_results(os.path.expanduser(scan_path))
        bench_path = (args.get("options") or {}).get("docker_bench_log_path")
        if isinstance(bench_path, str) and bench_path:
            extra["bench_log"] = read_bench_log(os.path.expanduser(bench_path))

        try:
            doc = engine.evaluate(facts, options=args.get("options"), waivers=args.get("waivers"),
                                 attestations=args.get("attestations"), today=args.get("today"),
                                 history=history, extra=extra,
                                 min_coverage=_inventory_setting(self._templar, task_vars, args, "min_coverage", None))
        except engine.AuditInputError as exc:
            result.update(failed=True, msg="%s: %s" % (host, exc))
            return result
        except Exception as exc:
            raise AnsibleError("%s: audit evaluation failed: %s" % (host, exc))

        _mark_deferred(doc, args.get("deferred"))
        doc["host"] = host
        doc["generated_at"] = datetime.datetime.now(_UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        if doc["options_used"].get("inventory_export"):
            doc["inventory"] = inventory(facts)
        result["dockersec_audit"] = doc
        counts = doc["counts"]
        result["msg"] = "score %.1f/100 (%s), coverage %.1f%%, %d waived: %s" % (
            doc["score"], doc["band"], doc["coverage"], doc["waivers"],
            ", ".join("%d %s" % (n, s) for s, n in counts.items() if n))
        if doc.get("nothing_applicable"):
            result["msg"] += " (nothing applicable: every item waived or not applicable)"
        threshold = args.get("fail_under")
        if threshold is not None:
            # The report and its Prometheus series carry the threshold the score is held against.
            doc["fail_under"] = threshold
        try:
            fail_incomplete = boolean(_inventory_setting(self._templar, task_vars, args, "fail_incomplete", True))
        except TypeError as exc:
            result.update(failed=True, msg="%s: dockersec_fail_incomplete: %s" % (host, exc))
            return result
        why = gate(doc, threshold, fail_incomplete)
        if why:
            result["failed"] = True
            result["msg"] = "%s: %s" % (host, why)
        return result
