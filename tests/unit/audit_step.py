"""Drives the controller-side action dockersec.hardening.docker_audit without a play."""

import types

from ansible_collections.dockersec.hardening.plugins.action import docker_audit as action


def run(args, task_vars=None, check_mode=True):
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="dockersec.hardening.docker_audit")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/nonexistent"))
    plugin = action.ActionModule(task, connection, None, None, None)
    tv = {"inventory_hostname": "node1"}
    tv.update(task_vars or {})
    return plugin.run(task_vars=tv)
