"""Drives the report step (action dockersec.hardening.docker_report) without a play.

Each host gets what the playbooks leave in its hostvars: the registered docker_audit results
(``dockersec_audit_before`` / ``dockersec_audit_result``) and the failure the rescue recorded
(``dockersec_failure``). Shared by the report, fleet and format tests.
"""

import json
import os
import types

from ansible_collections.dockersec.hardening.plugins.action import docker_report
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths


class FakeDisplay:
    def __init__(self):
        self.lines = []
        self.warnings = []

    def display(self, msg, **kwargs):
        if not kwargs.get("log_only"):
            self.lines.extend(msg.split("\n"))

    def warning(self, msg, **kwargs):
        self.warnings.append(msg)

    @property
    def text(self):
        return "\n".join(self.lines)


class ReportRun:
    """One run's hostvars, then the report step over them."""

    def __init__(self, report_dir, **args):
        self.report_dir = str(report_dir)
        self.args = dict(args)
        self.hostvars = {}
        self.order = []

    def _host(self, host):
        if host not in self.hostvars:
            self.hostvars[host] = {}
            self.order.append(host)
        return self.hostvars[host]

    def audit(self, host, audit, failed_msg=None, task="Evaluate every control and score the host"):
        """The registered audit result; ``failed_msg``: the task failed with a result (fail_under)."""
        hv = self._host(host)
        if "dockersec_audit_result" in hv:
            hv["dockersec_audit_before"] = hv["dockersec_audit_result"]
        hv["dockersec_audit_result"] = {"dockersec_audit": audit, "failed": bool(failed_msg)}
        if failed_msg:
            self.fail(host, "%s: %s" % (task, failed_msg))
        return self

    def fail(self, host, msg, kind="failed"):
        self._host(host)["dockersec_failure"] = {"kind": kind, "msg": msg}
        return self

    def finish(self, monkeypatch=None, hosts=None, batch=None):
        display = FakeDisplay()
        saved = docker_report.display
        docker_report.display = display
        try:
            args = dict(self.args, report_dir=self.report_dir)
            if hosts is not None:
                args["hosts"] = hosts
            if batch is not None:
                args["batch"] = batch
            task = types.SimpleNamespace(args=args, async_val=0, check_mode=True,
                                         action="dockersec.hardening.docker_report")
            connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/nonexistent"))
            plugin = docker_report.ActionModule(task, connection, None, None, None)
            result = plugin.run(task_vars={"hostvars": self.hostvars, "ansible_play_hosts_all": list(self.order),
                                           "inventory_hostname": (self.order or ["?"])[0]})
        finally:
            docker_report.display = saved
        return result, display


def read_report(report_dir):
    with open(os.path.join(str(report_dir), report_paths.REPORT_FILE)) as f:
        return json.load(f)


def read_history(report_dir):
    with open(report_paths.history_path(str(report_dir))) as f:
        return [json.loads(line) for line in f]
