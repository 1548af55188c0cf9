# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: scorecard
type: aggregate
short_description: Scorecard and reports for dockersec.hardening audits
description:
  - Collects the result of every C(dockersec.hardening.docker_audit) task (any task whose result
    carries C(dockersec_audit)), and at the end of the run prints a scorecard per host (counts and
    points by section, the score and its band, the controls in C(error) first, then the failed ones
    with their first evidence line and fix, then the manual ones that need an attestation, and the
    extended profile's counts) and a fleet summary (hosts by band with their scores, average and minimum
    score, the O(top_failing) controls failing on most hosts with their host counts, and the waivers that
    expire within O(waiver_window_days) of the audit's date, with host, id, owner and expiry).
  - The JSON report carries the same view under its top-level C(fleet) key,
    C({hosts, average_score, min_score, by_band, hosts_by_band, scores, top_failing, failing,
    waiver_window_days, waivers_expiring}). C(by_band) maps each band to its number of hosts and
    C(hosts_by_band) to their names (worst score first). C(scores) is C([{host, score, band}]), worst first.
    C(top_failing) is C([{id, title, hosts}]) for the 10 controls failing on most hosts. C(failing) is
    C([{id, title, hosts, names}]) for every failing scored control, most hosts first, ties in catalog order.
    C(waivers_expiring) is C([{host, id, title, owner, expires, days_left, reason}]) for the active waivers
    expiring within C(waiver_window_days) of each host's audit date (C(dockersec_today)), soonest first.
    Each host's controls keep their C(waiver) (C({owner, expires, reason, original_status})) when waived,
    and each host its C(today).
  - Writes the JSON report C(dockersec-report.json) into O(report_dir) (atomically, mode 0640), and
    beside it the other formats chosen with O(formats) (JUnit XML, SARIF 2.1.0, Markdown, HTML), and
    appends one line per audited host to the audit history C(dockersec-history.jsonl) there, which
    checklist items 46 and 49 read. The history is written in check mode too, as the audit is read-only
    and meant to run with C(--check). The path of every file written is printed at the end.
  - Hosts that were unreachable, or whose tasks failed before the audit produced a result, are listed
    in the scorecard and the report with the reason. A host whose audit task failed with a result
    (for example C(fail_under)) keeps its scorecard and is listed as failed as well.
  - A run without any audit (no task returned C(dockersec_audit) and no audit task started) prints
    nothing and writes nothing, so other playbooks run with this callback enabled leave the last
    report alone.
  - Colour is used only on a terminal and not when E(NO_COLOR) or E(ANSIBLE_NOCOLOR) is set.
  - A problem in the callback never fails the play; it is shown as a warning.
author:
  - dockersec.hardening contributors (@dockersec)
version_added: 0.1.0
requirements:
  - Enable it in C(callbacks_enabled) (ansible.cfg) or E(ANSIBLE_CALLBACKS_ENABLED).
options:
  report_dir:
    description:
      - Directory for the reports and the audit history; created when missing.
      - When not set, C(./dockersec-reports) below the current directory.
      - A relative path set in C(ansible.cfg) is relative to that file's directory.
    type: path
    env:
      - name: DOCKERSEC_REPORT_DIR
    ini:
      - section: dockersec
        key: report_dir
  compact:
    description: One line per host (score, band, counts needing attention) instead of the full scorecard.
    type: bool
    default: false
    env:
      - name: DOCKERSEC_COMPACT
    ini:
      - section: dockersec
        key: compact
  show_passed:
    description: List the passed controls too (the full scorecard only).
    type: bool
    default: false
    env:
      - name: DOCKERSEC_SHOW_PASSED
    ini:
      - section: dockersec
        key: show_passed
  formats:
    description:
      - The report files to write into O(report_dir), a comma list of C(json), C(junit), C(sarif), C(md)
        and C(html) (or C(all)). The JSON report is always written.
      - C(junit) writes C(dockersec-report.junit.xml) (a testsuite per host, a testcase per control),
        C(sarif) writes C(dockersec-report.sarif) (SARIF 2.1.0, a result per failing control per host),
        C(md) writes C(dockersec-report.md) (a Markdown summary) and C(html) writes
        C(dockersec-report.html) (one self-contained page that fetches nothing).
      - An unknown name is ignored with a warning.
    type: list
    elements: str
    default: [json]
    env:
      - name: DOCKERSEC_REPORT_FORMATS
    ini:
      - section: dockersec
        key: formats
  top_failing:
    description: How many of the controls failing on most hosts the fleet summary lists.
    type: int
    default: 5
    env:
      - name: DOCKERSEC_TOP_FAILING
    ini:
      - section: dockersec
        key: top_failing
  waiver_window_days:
    description: The fleet summary and the JSON report list the waivers expiring within this many days.
    type: int
    default: 30
    env:
      - name: DOCKERSEC_WAIVER_WINDOW_DAYS
    ini:
      - section: dockersec
        key: waiver_window_days
  previous_report:
    description:
      - An earlier JSON report (C(dockersec-report.json)) to compare with. The HTML and Markdown reports
        then show the trend per host (score change, controls newly failing and fixed).
      - It may name the report this run replaces; it is read before the new one is written.
      - A missing or unreadable file gives a warning and reports without the trend.
    type: path
    env:
      - name: DOCKERSEC_PREVIOUS_REPORT
    ini:
      - section: dockersec
        key: previous_report
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# callbacks_enabled = dockersec.hardening.scorecard
# [dockersec]
# report_dir = ./dockersec-reports
# compact = false
# formats = json,junit,sarif,md,html

# or from the environment:
# ANSIBLE_CALLBACKS_ENABLED=dockersec.hardening.scorecard DOCKERSEC_REPORT_DIR=/var/lib/audits \
#   ansible-playbook -i inventory.yml dockersec.hardening.audit --check

# every format, with the trend against the last report in the same directory:
# DOCKERSEC_REPORT_FORMATS=json,junit,sarif,md,html \
#   DOCKERSEC_PREVIOUS_REPORT=./dockersec-reports/dockersec-report.json \
#   ansible-playbook -i inventory.yml dockersec.hardening.audit --check
"""

import io
import json
import os
import tempfile

from ansible import constants as C
from ansible.plugins.callback import CallbackBase

try:
    from ansible.utils import color as _color
except ImportError:  # pragma: no cover
    _color = None

from ansible_collections.dockersec.hardening.plugins.module_utils import report
from ansible_collections.dockersec.hardening.plugins.module_utils import report_formats
from ansible_collections.dockersec.hardening.plugins.module_utils import report_paths

AUDIT_KEY = "dockersec_audit"
AUDIT_ACTION = "docker_audit"
FILE_MODE = 0o640
DIR_MODE = 0o750
# plugins/callback/scorecard.py -> the collection root (MANIFEST.json installed, galaxy.yml checkout)
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_STYLE_COLORS = {
    "header": "COLOR_HIGHLIGHT",
    "pass": "COLOR_OK",
    "fail": "COLOR_ERROR",
    "error": "COLOR_UNREACHABLE",
    "manual": "COLOR_WARN",
    "skip": "COLOR_SKIP",
}


def _task_result(result):
    """The result dict (ansible-core 2.19 ``result``, older ``_result``)."""
    data = getattr(result, "result", None)
    if data is None:
        data = getattr(result, "_result", None)
    return data if isinstance(data, dict) else {}


def _host_name(result):
    host = getattr(result, "host", None) or getattr(result, "_host", None)
    return host.get_name() if host is not None else "?"


def _task(result):
    return getattr(result, "task", None) or getattr(result, "_task", None)


def _is_audit_action(task):
    for attr in ("resolved_action", "action"):
        name = getattr(task, attr, None)
        if isinstance(name, str) and name.split(".")[-1] == AUDIT_ACTION:
            return True
    return False


def _find_audit(data):
    audit = data.get(AUDIT_KEY)
    if isinstance(audit, dict):
        return audit
    for item in reversed(data.get("results") or []):  # a looped task: the last item with a result
        if isinstance(item, dict) and isinstance(item.get(AUDIT_KEY), dict):
            return item[AUDIT_KEY]
    return None


def _message(result, data):
    task = _task(result)
    name = (task.get_name() if task is not None and hasattr(task, "get_name") else "") or "task"
    msg = data.get("msg") or data.get("reason") or "failed without a message"
    return "%s: %s" % (name, msg if isinstance(msg, str) else json.dumps(msg, default=str))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "dockersec.hardening.scorecard"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        super(CallbackModule, self).__init__(display=display, options=options)
        self._audits = {}        # host -> latest dockersec_audit
        self._first = {}         # host -> first dockersec_audit (before/after when re-audited)
        self._failed = {}        # host -> message of its last failed, not ignored task
        self._unreachable = {}   # host -> message
        self._audit_seen = False

    # -- collecting --------------------------------------------------------------------------

    def _warn(self, what, exc):
        self._display.warning("dockersec.hardening.scorecard: %s: %s: %s" % (what, type(exc).__name__, exc))

    def _collect(self, result, failed=False, ignore_errors=False):
        data = _task_result(result)
        host = _host_name(result)
        audit = _find_audit(data)
        if audit is not None:
            self._audit_seen = True
            self._first.setdefault(host, audit)
            self._audits[host] = audit
            if not failed:
                self._failed.pop(host, None)  # an audit after a failure supersedes it
        if failed and not ignore_errors:
            self._failed[host] = _message(result, data)

    def v2_playbook_on_play_start(self, play):
        try:
            if not self._audit_seen and self._play_has_audit(play):
                self._audit_seen = True
        except Exception as exc:  # never fail the play
            self._warn("reading the play", exc)

    @staticmethod
    def _play_has_audit(play):
        """Whether the play's own tasks use the audit action (roles and includes show at task start)."""
        def walk(items):
            for item in items or []:
                if isinstance(getattr(item, "block", None), list):
                    if walk(item.block) or walk(getattr(item, "rescue", None)) or walk(getattr(item, "always", None)):
                        return True
                elif _is_audit_action(item):
                    return True
            return False

        return walk(list(getattr(play, "pre_tasks", None) or []) + list(getattr(play, "tasks", None) or [])
                    + list(getattr(play, "post_tasks", None) or []))

    def v2_playbook_on_task_start(self, task, is_conditional):
        try:
            if _is_audit_action(task):
                self._audit_seen = True
        except Exception as exc:
            self._warn("reading the task", exc)

    def v2_runner_on_ok(self, result):
        try:
            self._collect(result)
        except Exception as exc:
            self._warn("reading a task result", exc)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        try:
            self._collect(result, failed=True, ignore_errors=ignore_errors)
        except Exception as exc:
            self._warn("reading a failed task result", exc)

    def v2_runner_on_unreachable(self, result):
        try:
            data = _task_result(result)
            self._unreachable[_host_name(result)] = data.get("msg") or "unreachable"
        except Exception as exc:
            self._warn("reading an unreachable result", exc)

    # -- the end of the run --------------------------------------------------------------------

    def v2_playbook_on_stats(self, stats):
        try:
            self._finish(stats)
        except Exception as exc:
            self._warn("no scorecard or report", exc)

    def _option(self, name, default=None):
        try:
            value = self.get_option(name)
        except KeyError:
            return default
        return default if value is None else value

    def _finish(self, stats):
        if not (self._audit_seen or self._audits):
            self._display.vv("dockersec.hardening.scorecard: no audit in this run, no report written")
            return
        failures = getattr(stats, "failures", None)
        failed = dict(self._failed)
        if isinstance(failures, dict):
            # A failure a block's rescue handled is no failure of the host.
            failed = dict((h, m) for h, m in failed.items() if failures.get(h))
        unreachable = self._unreachable
        before = dict((h, a) for h, a in self._first.items() if a is not self._audits.get(h))
        document = report.build_document(
            self._audits, unreachable=unreachable, failed=failed, before=before,
            collection_version=report.read_collection_version(COLLECTION_ROOT),
            waiver_window_days=max(0, int(self._option("waiver_window_days", report.WAIVER_WINDOW_DAYS))))
        formats, unknown = report_formats.parse_formats(self._option("formats", ["json"]))
        if unknown:
            self._display.warning("dockersec.hardening.scorecard: unknown report format(s) ignored: %s (known: %s)"
                                  % (", ".join(unknown), ", ".join(report_formats.FORMATS)))
        # Read before anything is written: it may name the report this run replaces.
        previous = self._read_previous(self._option("previous_report"))

        try:
            self._show(report.render(document, compact=bool(self._option("compact", False)),
                                     show_passed=bool(self._option("show_passed", False)),
                                     top_n=max(0, int(self._option("top_failing", report.TOP_FAILING_TEXT)))))
        except Exception as exc:
            self._warn("printing the scorecard", exc)

        directory = report_paths.report_dir(self._option("report_dir"))
        written = []
        try:
            written.append(self._write_report(directory, document))
        except Exception as exc:
            self._warn("writing the report to %s" % directory, exc)
        for fmt in formats:
            if fmt == "json":
                continue
            name = report_formats.FILE_NAMES[fmt]
            try:
                written.append(self._write_file(directory, name, report_formats.render(fmt, document, previous)))
            except Exception as exc:
                self._warn("writing the %s report %s to %s" % (fmt, name, directory), exc)
        try:
            path = self._append_history(directory, document)
            if path:
                written.append(path)
        except Exception as exc:
            self._warn("appending the audit history in %s" % directory, exc)
        for path in written:
            self._display.display("dockersec: wrote %s" % path)

    def _show(self, lines):
        colored = _color is not None and getattr(_color, "ANSIBLE_COLOR", False)
        plain = report.to_text(lines)
        if not colored:
            self._display.display(plain)
            return
        text = "\n".join("".join(self._paint(t, s) for t, s in line) for line in lines)
        self._display.display(text, screen_only=True)
        self._display.display(plain, log_only=True)

    @staticmethod
    def _paint(text, style):
        color = getattr(C, _STYLE_COLORS.get(style, ""), None) if style else None
        if not color or not text.strip():
            return text
        return _color.stringc(text, color)

    @staticmethod
    def _ensure_dir(directory):
        if not os.path.isdir(directory):
            os.makedirs(directory, DIR_MODE)

    def _read_previous(self, path):
        """The earlier JSON report to show the trend against, or None (with a warning when unusable)."""
        if not path:
            return None
        path = os.path.abspath(os.path.expanduser(path))
        try:
            with open(path) as f:
                previous = json.load(f)
        except Exception as exc:
            self._warn("no trend: cannot read the previous report %s" % path, exc)
            return None
        if not isinstance(previous, dict) or not isinstance(previous.get("hosts"), dict):
            self._display.warning("dockersec.hardening.scorecard: no trend: %s is not a dockersec JSON report" % path)
            return None
        return previous

    def _write_report(self, directory, document):
        return self._write_file(directory, report_paths.REPORT_FILE, report.dumps_document(document))

    def _write_file(self, directory, name, text):
        """Write ``name`` in ``directory`` atomically (a temporary file renamed over it), mode 0640."""
        self._ensure_dir(directory)
        path = os.path.join(directory, name)
        fd, tmp = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory)
        try:
            with io.open(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    def _append_history(self, directory, document):
        lines = report.history_lines(document)
        if not lines:
            return None
        self._ensure_dir(directory)
        path = report_paths.history_path(directory)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        with os.fdopen(fd, "a") as f:
            f.write("".join(line + "\n" for line in lines))  # one write: lines of one run stay together
        return path
