# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side check of a host's audit profile: it never connects to the host, so
audit.yml and remediate.yml can run it first and stop before anything reaches any host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check
from ansible_collections.dockersec.hardening.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    # raw: the profile check names a wrong value itself, with the variable it came from
    "fail_under": {"type": "raw"},
    "skip_controls": {"type": "raw", "default": []},
    "waivers": {"type": "raw", "default": []},
    "attestations": {"type": "raw", "default": []},
    "today": {"type": "str"},
    # Also check every other dockersec_* variable the host sees (the playbooks' first play).
    "variables": {"type": "bool", "default": False},
    # remediate.yml's first play: its roles need the checklist's verdicts (dockersec_profiles).
    "remediation": {"type": "bool", "default": False},
}
# The arguments stand for these variables: the argument's value is the one checked.
_ARGUMENT_VARIABLES = {"fail_under": "dockersec_fail_under", "skip_controls": "dockersec_skip_controls",
                       "waivers": "dockersec_waivers", "attestations": "dockersec_attestations",
                       "today": "dockersec_today"}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def _variables(self, task_vars, errors):
        """``{name: value}`` of every dockersec_* variable the host sees, templated; one that cannot be
        templated (an undefined variable in it) is a problem named in ``errors``."""
        out = {}
        for name in sorted(task_vars):
            # What the playbooks set themselves (gathered facts, results) is theirs, not the profile.
            if name.startswith("dockersec_") and name not in inventory_check.OUTPUT_VARIABLES:
                try:
                    out[name] = self._templar.template(task_vars[name])
                except Exception as exc:  # AnsibleError and what a filter raises: named, never a traceback
                    errors.append("%s cannot be templated: %s" % (name, str(exc).partition("\n")[0][:300]))
        return out

    def act(self, result, args, task_vars, host):
        unusable = []
        variables = self._variables(task_vars, unusable) if args.get("variables") else {}
        for arg, name in _ARGUMENT_VARIABLES.items():
            if arg in self._task.args:
                variables[name] = args.get(arg)
        errors = unusable + inventory_check.check_variables(variables, remediation=args.get("remediation"))
        formats = os.environ.get("DOCKERSEC_REPORT_FORMATS")
        if args.get("variables") and formats is not None and "dockersec_report_formats" not in variables:
            # The report step reads it when the variable is unset: an unknown format is refused here too.
            errors += inventory_check.VARIABLES["dockersec_report_formats"]("DOCKERSEC_REPORT_FORMATS (environment)", formats)
        if errors:
            # The message only, cut: Ansible prints it twice already ([ERROR] and the result).
            result.update(failed=True, error_count=len(errors),
                          msg="%s: invalid dockersec profile, nothing was run: %s" % (host, inventory_check.summary(errors)))
            return result
        fail_under = variables.get("dockersec_fail_under")
        result["msg"] = "%s: profile valid (%d waivers, %d attestations, %d skipped controls%s)" % (
            host, len(variables.get("dockersec_waivers") or []), len(variables.get("dockersec_attestations") or []),
            len(variables.get("dockersec_skip_controls") or []),
            "" if fail_under is None else ", fail under %s" % fail_under)
        result["errors"] = []
        return result
