# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side check of a host's audit profile: it never connects to the host, so
audit.yml and remediate.yml can run it first and stop before anything reaches any host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.dockersec.hardening.plugins.module_utils import profile

ARGUMENT_SPEC = {
    # raw: the profile check names a wrong value itself, with the variable it came from
    "fail_under": {"type": "raw"},
    "skip_controls": {"type": "raw", "default": []},
    "waivers": {"type": "raw", "default": []},
    "attestations": {"type": "raw", "default": []},
    "today": {"type": "str"},
}


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
            result.update(failed=True, errors=list(validation.error_messages),
                          msg="%s: invalid arguments: %s" % (host, "; ".join(validation.error_messages)))
            return result
        args = validation.validated_parameters

        errors = profile.check_profile(fail_under=args.get("fail_under"), skip_controls=args.get("skip_controls"),
                                       waivers=args.get("waivers"), attestations=args.get("attestations"),
                                       today=args.get("today"))
        if errors:
            result.update(failed=True, errors=errors,
                          msg="%s: invalid dockersec profile, nothing was run: %s" % (host, "; ".join(errors)))
            return result
        result["msg"] = "%s: profile valid (%d waivers, %d attestations, %d skipped controls%s)" % (
            host, len(args.get("waivers") or []), len(args.get("attestations") or []),
            len(args.get("skip_controls") or []),
            "" if args.get("fail_under") is None else ", fail under %s" % args["fail_under"])
        result["errors"] = []
        return result
