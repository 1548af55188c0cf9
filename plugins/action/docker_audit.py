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
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.dockersec.hardening.plugins.module_utils import audit
from ansible_collections.dockersec.hardening.plugins.module_utils import report_paths

ARGUMENT_SPEC = {
    "facts": {"type": "dict"},
    "options": {"type": "dict", "default": {}},
    "waivers": {"type": "list", "elements": "raw", "default": []},
    "attestations": {"type": "list", "elements": "raw", "default": []},
    "today": {"type": "str"},
    "report_dir": {"type": "path"},
    "fail_under": {"type": "float"},
}

# Fields of each container that make up the exported inventory (item 50): no env, no labels.
INVENTORY_FIELDS = ("name", "image", "state", "compose_project", "compose_service", "swarm_service", "user")


def read_history(path, host):
    """Earlier audits of ``host`` from the controller-side history; unreadable lines are skipped."""
    entries = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and entry.get("host") == host:
                    entries.append(entry)
    except (IOError, OSError):
        pass
    return entries


def read_trivy_results(path):
    """{image ref: {critical, created}} from Trivy JSON files (a file or a directory of *.json)."""
    files = sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
    images = {}
    for name in files:
        try:
            with open(name) as f:
                doc = json.load(f)
        except (IOError, OSError, ValueError) as exc:
            return {"error": "%s: %s" % (name, exc)}
        ref = doc.get("ArtifactName") if isinstance(doc, dict) else None
        if not ref:
            continue
        critical = 0
        for res in doc.get("Results") or []:
            for vuln in (res or {}).get("Vulnerabilities") or []:
                if (vuln or {}).get("Severity") == "CRITICAL":
                    critical += 1
        images[ref] = {"critical": critical, "created": doc.get("CreatedAt")}
    return {"images": images}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        result["changed"] = False
        host = task_vars.get("inventory_hostname", "?")

        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            result.update(failed=True, msg="%s: invalid arguments: %s" % (host, "; ".join(validation.error_messages)))
            return result
        args = validation.validated_parameters

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

        try:
            doc = audit.evaluate(facts, options=args.get("options"), waivers=args.get("waivers"),
                                 attestations=args.get("attestations"), today=args.get("today"),
                                 history=history, extra=extra)
        except audit.AuditInputError as exc:
            result.update(failed=True, msg="%s: %s" % (host, exc))
            return result
        except Exception as exc:
            raise AnsibleError("%s: audit evaluation failed: %s" % (host, exc))

        doc["host"] = host
        doc["generated_at"] = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
        opts = audit.validate_options(args.get("options"))
        if opts.get("inventory_export"):
            doc["inventory"] = [dict((k, c.get(k)) for k in INVENTORY_FIELDS)
                                for c in ((facts.get("docker") or {}).get("containers") or [])
                                if isinstance(c, dict)]
        result["dockersec_audit"] = doc
        counts = doc["counts"]
        result["msg"] = "score %.1f/100 (%s): %s" % (
            doc["score"], doc["band"], ", ".join("%d %s" % (n, s) for s, n in counts.items() if n))
        threshold = args.get("fail_under")
        if threshold is not None and doc["score"] < threshold:
            result["failed"] = True
            result["msg"] = "%s: score %.1f is below dockersec_fail_under %s" % (host, doc["score"], threshold)
        return result
