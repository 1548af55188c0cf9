# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side evaluation: facts never travel back to the host, waivers and the audit
history live on the controller, and tests can fix the date."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine, inputs, profiles
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths
from ansible_collections.dockersec.hardening.plugins.plugin_utils.controller_action import ControllerAction

_UTC = datetime.timezone.utc

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
    # raw: evaluate/profiles.py names a wrong value with its variable
    "profiles": {"type": "raw"},
    "custom_controls": {"type": "raw"},
    "cis_fail_under": {"type": "raw"},
    "deferred": {"type": "list", "elements": "dict", "default": []},
}


def _inventory_setting(templar, task_vars, args, name, default):
    """An argument, else the inventory variable ``dockersec_<name>``, else ``default``: the
    playbooks need not pass every score setting for the inventory's value to count."""
    if args.get(name) is not None:
        return args[name]
    value = task_vars.get("dockersec_" + name)
    if value is None:
        return default
    return templar.template(value) if templar is not None else value


def _summary(doc):
    """The task's one line: the checklist's score (when selected) and the CIS pass rate (when evaluated)."""
    parts = []
    if doc.get("score") is not None:
        counts = doc["counts"]
        parts.append("score %.1f/100 (%s), coverage %.1f%%, %d waived: %s" % (
            doc["score"], doc["band"], doc["coverage"], doc["waivers"],
            ", ".join("%d %s" % (n, s) for s, n in counts.items() if n)))
        if doc.get("nothing_applicable"):
            parts[-1] += " (nothing applicable: every item waived or not applicable)"
    else:
        parts.append("checklist not selected (dockersec_profiles)")
    cis = doc.get("profiles", {}).get("cis")
    if cis:
        rate = "n/a" if cis["pass_rate"] is None else "%.1f%%" % cis["pass_rate"]
        parts.append("CIS %s pass rate %s of %d automated decided: %s" % (
            cis["version"], rate, cis["automated_decided"],
            ", ".join("%d %s" % (n, s) for s, n in cis["counts"].items() if n)))
    return "; ".join(parts)


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
        warnings = []
        history = inputs.read_history(os.path.join(directory, report_paths.HISTORY_FILE), host, warnings)
        if warnings:
            # Items 46 and 49 are judged without those lines: say which, where people look.
            result["warnings"] = ["%s: %s" % (host, w) for w in warnings]
        extra = {}
        scan_path = (args.get("options") or {}).get("scan_report_path")
        # An external file is judged by its control (13, 46): whatever is in it, never the host's audit.
        if isinstance(scan_path, str) and scan_path:
            try:
                extra["scan_results"] = inputs.read_trivy_results(os.path.expanduser(scan_path))
            except Exception as exc:
                extra["scan_results"] = {"images": {}, "errors": ["%s: %s: %s" % (scan_path, type(exc).__name__, exc)]}
        bench_path = (args.get("options") or {}).get("docker_bench_log_path")
        if isinstance(bench_path, str) and bench_path:
            try:
                extra["bench_log"] = inputs.read_bench_log(os.path.expanduser(bench_path))
            except Exception as exc:
                extra["bench_log"] = {"path": bench_path, "mtime": None,
                                      "error": "%s: %s: %s" % (bench_path, type(exc).__name__, exc)}

        # dockersec_profiles, dockersec_custom_controls, dockersec_cis_fail_under: the inventory's, unless passed.
        chosen = dict((name, _inventory_setting(self._templar, task_vars, args, name, None))
                      for name in ("profiles", "custom_controls", "cis_fail_under"))
        try:
            doc = engine.evaluate(facts, options=args.get("options"), waivers=args.get("waivers"),
                                  attestations=args.get("attestations"), today=args.get("today"),
                                  history=history, extra=extra,
                                  min_coverage=_inventory_setting(self._templar, task_vars, args, "min_coverage", None),
                                  profile_settings=chosen)
        except engine.AuditInputError as exc:
            result.update(failed=True, msg="%s: %s" % (host, exc))
            return result
        except Exception as exc:
            raise AnsibleError("%s: audit evaluation failed: %s" % (host, exc))

        engine.mark_deferred(doc, args.get("deferred"))
        doc["host"] = host
        doc["generated_at"] = datetime.datetime.now(_UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        if doc["options_used"].get("inventory_export"):
            doc["inventory"] = engine.inventory(facts)
        result["dockersec_audit"] = doc
        result["msg"] = _summary(doc)
        threshold = args.get("fail_under")
        if threshold is not None:
            # The report and its Prometheus series carry the threshold the score is held against.
            doc["fail_under"] = threshold
        try:
            fail_incomplete = boolean(_inventory_setting(self._templar, task_vars, args, "fail_incomplete", True))
        except TypeError as exc:
            result.update(failed=True, msg="%s: dockersec_fail_incomplete: %s" % (host, exc))
            return result
        # The CIS gate beside the checklist's, with the same exit code (already checked by the engine).
        why = engine.gate(doc, threshold, fail_incomplete) or profiles.gate(
            doc, profiles.settings(chosen)["cis_fail_under"])
        if why:
            result["failed"] = True
            result["msg"] = "%s: %s" % (host, why)
        return result
