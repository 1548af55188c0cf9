# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of this collection's controller-only actions (profile check, audit, report).

They never connect to a host: the playbooks can run them before the gather (the profile check)
or after every host (the report), and a wrong argument fails naming the host, not the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


class ControllerAction(ActionBase):
    """Validates the arguments against ``ARGUMENT_SPEC``, then hands over to ``act``."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    ARGUMENT_SPEC = {}
    # What an invalid-arguments message starts with; None: the host's inventory name.
    LABEL = None

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ControllerAction, self).run(tmp, task_vars)
        result["changed"] = False
        host = task_vars.get("inventory_hostname", "?")
        validation = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            result.update(failed=True, errors=list(validation.error_messages),
                          msg="%s: invalid arguments: %s" % (self.LABEL or host, "; ".join(validation.error_messages)))
            return result
        return self.act(result, validation.validated_parameters, task_vars, host)

    def act(self, result, args, task_vars, host):
        """The action itself: ``result`` to complete and return, ``args`` validated."""
        raise NotImplementedError
