# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report step that ends both playbooks: scorecard, report files and history, on the controller.

A playbook task rather than a callback, so that an installed collection run by FQCN, with no
ansible.cfg and no callback setting, still prints the scorecard and keeps its history.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible import constants as C
from ansible.utils.display import Display

try:
    from ansible.utils import color as _color
except ImportError:  # pragma: no cover
    _color = None

from ansible_collections.dockersec.hardening.plugins.module_utils.report import awx as report_awx
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document
from ansible_collections.dockersec.hardening.plugins.module_utils.report import formats as report_formats
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths
from ansible_collections.dockersec.hardening.plugins.module_utils.report import prometheus as report_prometheus
from ansible_collections.dockersec.hardening.plugins.module_utils.report import text as report_text
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import prediction
from ansible_collections.dockersec.hardening.plugins.plugin_utils.controller_action import ControllerAction

display = Display()


def _env_bool(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _env_int(name, default):
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return default


ARGUMENT_SPEC = {
    "hosts": {"type": "list", "elements": "str"},
    "batch": {"type": "list", "elements": "str"},
    "result_var": {"type": "str", "default": "dockersec_audit_result"},
    "before_var": {"type": "str", "default": "dockersec_audit_before"},
    "failure_var": {"type": "str", "default": "dockersec_failure"},
    "report_dir": {"type": "path"},
    "formats": {"type": "list", "elements": "str"},
    "compact": {"type": "bool"},
    "show_passed": {"type": "bool"},
    "top_failing": {"type": "int"},
    "waiver_window_days": {"type": "int"},
    "previous_report": {"type": "path"},
    # remediate.yml's plan and the roles' deferrals, per host: the forecast of the fix.
    "plan_var": {"type": "str", "default": "dockersec_plan"},
    "deferred_var": {"type": "str", "default": "dockersec_deferred"},
    # Hosts that set this variable get their own Prometheus file in the result (prometheus_textfiles).
    "textfile_var": {"type": "str", "default": "dockersec_prometheus_textfile_dir"},
}
# plugins/action/docker_report.py -> the collection root (MANIFEST.json installed, galaxy.yml checkout)
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_STYLE_COLORS = {
    "header": "COLOR_HIGHLIGHT",
    "pass": "COLOR_OK",
    "fail": "COLOR_ERROR",
    "error": "COLOR_UNREACHABLE",
    "manual": "COLOR_WARN",
    "skip": "COLOR_SKIP",
}


def _audit_of(result):
    """The ``dockersec_audit`` document of a registered docker_audit result (also when the task failed)."""
    if not isinstance(result, dict):
        return None
    audit = result.get("dockersec_audit")
    return audit if isinstance(audit, dict) else None


def collect(hostvars, hosts, result_var, before_var, failure_var):
    """``(audits, before, unreachable, failed)`` from each host's registered results and recorded failure.

    ``failure_var`` is ``{"kind": "unreachable"|"failed", "msg": str}``, set by the playbook's
    rescue. A host with neither a result nor a failure was not reached by this run (a later batch
    of a stopped rollout) and is left out.
    """
    audits, before, unreachable, failed = {}, {}, {}, {}
    for host in hosts:
        try:
            hv = hostvars[host]
        except KeyError:
            continue
        after = _audit_of(hv.get(result_var))
        first = _audit_of(hv.get(before_var))
        if after is not None:
            audits[host] = after
            if first is not None and first is not after:
                before[host] = first
        elif first is not None:
            audits[host] = first
        failure = hv.get(failure_var)
        if isinstance(failure, dict) and failure:
            msg = str(failure.get("msg") or "failed without a message")
            if failure.get("kind") == "unreachable":
                unreachable[host] = msg
            else:
                failed[host] = msg
    return audits, before, unreachable, failed


def forecasts(document, before, hostvars, plan_var, deferred_var):
    """``{host: predicted}`` for the hosts remediate.yml planned a fix for; also put in the document."""
    out = {}
    for host, first in sorted(before.items()):
        try:
            hv = hostvars[host]
        except KeyError:
            continue
        plan = hv.get(plan_var)
        if not isinstance(plan, list) or host not in document["hosts"]:
            continue
        deferred = hv.get(deferred_var) or []
        # The daemon role names the running containers a restart it was allowed to make stops.
        predicted = prediction.predict(first, prediction.fixes_from(plan, deferred), deferred,
                                       stops=hv.get("dockersec_restart_stops"))
        document["hosts"][host]["predicted"] = predicted
        out[host] = predicted
    return out


def read_previous(path):
    """The earlier JSON report to show the trend against: ``(document or None, warning or None)``."""
    if not path:
        return None, None
    path = os.path.abspath(os.path.expanduser(path))
    try:
        with open(path) as f:
            previous = json.load(f)
    except Exception as exc:
        return None, "no trend: cannot read the previous report %s: %s" % (path, exc)
    if not isinstance(previous, dict) or not isinstance(previous.get("hosts"), dict):
        return None, "no trend: %s is not a dockersec JSON report" % path
    return previous, None


def history_count(directory, hosts, warnings=None):
    """How many earlier audits of ``hosts`` the history in ``directory`` holds (told on every run);
    the lines skipped as malformed are added to ``warnings``."""
    return len(report_paths.read_history(os.path.join(directory, report_paths.HISTORY_FILE), hosts, warnings))


def publish(document, directory, formats, previous=None, history_hosts=None, metrics_previous=None):
    """Write the JSON report, the other formats and then the history lines of ``history_hosts``.

    ``metrics_previous``: the report the Prometheus format compares with, when it is not ``previous``.

    Every file is rendered before anything is written, and report_paths.write_reports replaces
    them all and appends the history only once each is complete: an interrupt or an error leaves
    the earlier reports and the history as they were. Returns ``(written paths, warnings)``; one
    format that fails to render or to be written is a warning, never the loss of the others.
    """
    files, warnings = [(report_paths.REPORT_FILE, report_document.dumps_document(document))], []
    for fmt in formats:
        if fmt == "json":
            continue
        name = report_formats.FILE_NAMES[fmt]
        try:
            earlier = metrics_previous if fmt == "prom" and metrics_previous is not None else previous
            files.append((name, report_formats.render_format(fmt, document, earlier)))
        except Exception as exc:
            warnings.append("writing the %s report %s to %s: %s: %s" % (fmt, name, directory, type(exc).__name__, exc))
    written, write_warnings = report_paths.write_reports(
        directory, files, report_document.history_lines(document, history_hosts),
        optional=[name for name, dummy in files[1:]])
    return written, warnings + write_warnings


def _paint(text, style):
    color = getattr(C, _STYLE_COLORS.get(style, ""), None) if style else None
    if not color or not text.strip():
        return text
    return _color.stringc(text, color)


def show(lines):
    """Everything the report step prints, on the terminal: colour only where Ansible would colour
    (a tty, no NO_COLOR). ``lines``: rendered lines (segments), or plain strings; either way every
    text from a host or a profile (names, evidence, owners, paths) is shown escaped, never obeyed."""
    lines = report_text.safe_lines([[(line, None)] if isinstance(line, str) else line for line in lines])
    plain = report_text.to_text(lines)
    if not (_color is not None and getattr(_color, "ANSIBLE_COLOR", False)):
        display.display(plain)
        return
    display.display("\n".join("".join(_paint(t, s) for t, s in line) for line in lines), screen_only=True)
    display.display(plain, log_only=True)


def warn(text):
    display.warning(report_text.terminal_safe(text))


def textfiles(document, hostvars, textfile_var, previous):
    """``{host: its own dockersec.prom text}`` for the audited hosts that set ``textfile_var``."""
    out = {}
    for host in sorted(document.get("hosts") or {}):
        try:
            wanted = hostvars[host].get(textfile_var)
        except KeyError:
            continue
        if wanted:
            out[host] = report_prometheus.host_file(document, host, previous)
    return out


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    LABEL = "dockersec report"

    def act(self, result, args, task_vars, host):
        # Files on the controller only; the hosts are unchanged, in check mode as well, because the
        # audit is meant to run with --check and its report and history are its output.
        hostvars = task_vars.get("hostvars") or {}
        hosts = args.get("hosts") or list(task_vars.get("ansible_play_hosts_all") or [])
        batch = args.get("batch") or list(task_vars.get("ansible_play_batch") or hosts)

        formats_arg = args.get("formats")
        if formats_arg is None:
            formats_arg = os.environ.get("DOCKERSEC_REPORT_FORMATS") or ["json"]
        formats, unknown = report_formats.parse_formats(formats_arg)
        warnings = []
        if unknown:
            warnings.append("unknown report format(s) ignored: %s (known: %s)"
                            % (", ".join(unknown), ", ".join(report_formats.FORMATS)))

        audits, before, unreachable, failed = collect(hostvars, hosts, args["result_var"], args["before_var"],
                                                      args["failure_var"])
        if not (audits or unreachable or failed):
            result["msg"] = "dockersec report: no host was audited in this run, nothing written"
            result["skipped_report"] = True
            return result

        window = args.get("waiver_window_days")
        if window is None:
            window = _env_int("DOCKERSEC_WAIVER_WINDOW_DAYS", report_document.WAIVER_WINDOW_DAYS)
        document = report_document.build_document(
            audits, unreachable=unreachable, failed=failed, before=before,
            collection_version=report_document.read_collection_version(COLLECTION_ROOT),
            waiver_window_days=max(0, window))
        predicted = forecasts(document, before, hostvars, args["plan_var"], args["deferred_var"])
        # Read before anything is written: it may name the report this run replaces.
        previous, warning = read_previous(args.get("previous_report") or os.environ.get("DOCKERSEC_PREVIOUS_REPORT"))
        if warning:
            warnings.append(warning)

        compact = args.get("compact")
        show_passed = args.get("show_passed")
        top = args.get("top_failing")
        show(report_text.scorecard_lines(
            document,
            compact=_env_bool("DOCKERSEC_COMPACT") if compact is None else compact,
            show_passed=_env_bool("DOCKERSEC_SHOW_PASSED") if show_passed is None else show_passed,
            top_n=max(0, _env_int("DOCKERSEC_TOP_FAILING", report_text.TOP_FAILING_TEXT) if top is None else top)))
        # In check mode nothing changed: the forecast is the answer; after a real run, beside the actual.
        check_mode = bool(getattr(self._task, "check_mode", False))
        for host, forecast in sorted(predicted.items()):
            actual = None if check_mode else document["hosts"][host]["score"]
            show(prediction.lines(host, forecast, actual))

        directory = report_paths.report_dir(args.get("report_dir"))
        # The metrics say "since the previous audit" (score drop, pass -> fail alerts): without a
        # previous report named, that is the report this run replaces.
        metrics_previous = previous
        if metrics_previous is None:
            metrics_previous, dummy = read_previous(os.path.join(directory, report_paths.REPORT_FILE))
        earlier = history_count(directory, set(audits), warnings)
        try:
            written, write_warnings = publish(document, directory, formats, previous,
                                              history_hosts=[h for h in batch if h in audits],
                                              metrics_previous=metrics_previous)
        except (IOError, OSError) as exc:
            # The scorecard above is on the screen; a report or history that was not kept must not
            # pass unnoticed (items 46 and 49 read the history at the next audit).
            result.update(failed=True, report_dir=directory,
                          msg="dockersec report: cannot write the report or the history in %s: %s"
                          % (directory, exc))
            return result
        warnings.extend(write_warnings)
        lines = ["dockersec: wrote %s" % path for path in written]
        lines.append("dockersec: the history %s held %d earlier audit(s) of these hosts"
                     % (report_paths.history_path(directory), earlier))
        show(lines)
        for warning in warnings:
            warn("dockersec report: %s" % warning)

        result.update(
            msg="dockersec report: %d host(s) in %s" % (len(document["hosts"]), directory),
            report_dir=directory, written=written, warnings_list=warnings,
            scores=dict((h, e.get("score")) for h, e in document["hosts"].items()),
            predicted=dict((h, p["score"]) for h, p in predicted.items()),
            # For ansible.builtin.set_stats (AWX workflow artifacts): per host and for the fleet.
            set_stats=report_awx.set_stats_data(document),
            prometheus_textfiles=textfiles(document, hostvars, args["textfile_var"], metrics_previous),
        )
        return result
