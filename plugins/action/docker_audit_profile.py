# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side check of a host's audit profile: it never connects to the host, so
audit.yml and remediate.yml can run it first and stop before anything reaches any host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils import profile
from ansible_collections.dockersec.hardening.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    # raw: the profile check names a wrong value itself, with the variable it came from
    "fail_under": {"type": "raw"},
    "skip_controls": {"type": "raw", "default": []},
    "waivers": {"type": "raw", "default": []},
    "attestations": {"type": "raw", "default": []},
    "today": {"type": "str"},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def act(self, result, args, task_vars, host):

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
