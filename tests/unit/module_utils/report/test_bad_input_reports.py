"""Bad input, class "interrupts" (issue 18, case 8): the report step stopped while it writes.

In-process: an earlier run's reports and history are seeded, then the report step is
interrupted at a chosen point (KeyboardInterrupt, a real SIGTERM, a kill -9 simulated by the
files it leaves). Each report is either the old one or the complete new one, the history line
is written only with the new reports, and no temporary file is left.
"""

import os
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_step import ReportRun  # noqa: E402
from canned_audits import make_audit, seventy_two  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths  # noqa: E402

FORMATS = ["json", "md", "html", "junit"]
NAMES = [report_paths.REPORT_FILE, "dockersec-report.md", "dockersec-report.html", "dockersec-report.junit.xml"]


class Stop(Exception):
    """What the test's own SIGTERM handler raises (without it a SIGTERM would end the test run)."""


def _snapshot(directory):
    out = {}
    for name in os.listdir(str(directory)):
        with open(os.path.join(str(directory), name), "rb") as f:
            out[name] = f.read()
    return out


def _seed(directory):
    result, dummy = ReportRun(directory, formats=FORMATS).audit("web1", make_audit(host="web1")).finish()
    assert not result.get("failed")
    before = _snapshot(directory)
    assert sorted(before) == sorted(NAMES + [report_paths.HISTORY_FILE])
    return before


def _next_run(directory):
    return ReportRun(directory, formats=FORMATS).audit("web1", seventy_two())


def _interrupt_on_fsync(monkeypatch, n, action):
    """Run ``action`` at the n-th os.fsync: after the bytes of a file are written, before it is in place."""
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == n:
            action()
        return real(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def _raise_keyboard_interrupt():
    raise KeyboardInterrupt()


def _send(sig):
    def send():
        os.kill(os.getpid(), sig)
        time.sleep(0.5)  # the handler runs here at the latest
    return send


@pytest.mark.parametrize("at", [2, 4])  # while the 2nd and the 4th file are written
def test_keyboard_interrupt_while_writing_leaves_the_old_reports_and_no_history_line(tmp_path, monkeypatch, at):
    before = _seed(tmp_path)
    _interrupt_on_fsync(monkeypatch, at, _raise_keyboard_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _next_run(tmp_path).finish()
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before  # every report the old one, no tmp file, no history line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_writing_leaves_the_old_reports_and_no_temporary_file(tmp_path, monkeypatch, sig):
    """An Ansible worker's own handler kills its process group at once on either signal (ansible-core
    WorkerProcess._term), stood in for by ``stop``: it gets the signal only once the temporary files are gone."""
    before = _seed(tmp_path)
    seen = []

    def stop(signum, frame):
        seen.append(sorted(os.listdir(str(tmp_path))))
        raise Stop()
    previous = signal.signal(sig, stop)
    try:
        _interrupt_on_fsync(monkeypatch, 2, _send(sig))
        with pytest.raises(Stop):
            _next_run(tmp_path).finish()
        monkeypatch.undo()
        assert signal.getsignal(sig) is stop  # given back
    finally:
        signal.signal(sig, previous)
    assert seen == [sorted(before)]  # no temporary file left when the caller's handler ran
    assert _snapshot(tmp_path) == before


def test_a_signal_the_caller_ignores_still_stops_the_report_step(tmp_path, monkeypatch):
    before = _seed(tmp_path)
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        _interrupt_on_fsync(monkeypatch, 2, _send(signal.SIGTERM))
        with pytest.raises(KeyboardInterrupt) as info:
            _next_run(tmp_path).finish()
        monkeypatch.undo()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert str(info.value) == "SIGTERM during the report step: the reports and the history are unchanged"
    assert _snapshot(tmp_path) == before


def test_an_interrupt_while_the_reports_are_put_in_place_waits_for_the_history_line(tmp_path, monkeypatch):
    """SIGINT after the first rename: the renames and the history line complete, then the interrupt comes."""
    before = _seed(tmp_path)
    real = os.replace
    sent = []

    def replace(src, dst):
        if not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGINT)
        return real(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, whatever ran before
    try:
        with pytest.raises(KeyboardInterrupt):
            _next_run(tmp_path).finish()
    finally:
        signal.signal(signal.SIGINT, previous)
    monkeypatch.undo()
    after = _snapshot(tmp_path)
    assert sorted(after) == sorted(before)  # no tmp file
    for name in NAMES:
        assert after[name] != before[name], name  # every report is the new one
    assert after[report_paths.HISTORY_FILE].startswith(before[report_paths.HISTORY_FILE])
    assert after[report_paths.HISTORY_FILE].count(b"\n") == 2 and b'"score": 72.0' in after[report_paths.HISTORY_FILE]


def test_stale_temporary_files_of_a_killed_run_are_swept_at_the_next_run(tmp_path):
    _seed(tmp_path)
    stale = tmp_path / ".dockersec-report.json.k1ll3d.tmp"
    stale_html = tmp_path / ".dockersec-report.html.k1ll3d.tmp"
    fresh = tmp_path / ".dockersec-report.json.running.tmp"
    other = tmp_path / ".someone-else.tmp"
    for path in (stale, stale_html, fresh, other):
        path.write_bytes(b"x" * 1024)
    old = time.time() - report_paths.STALE_TMP_SECONDS - 60
    for path in (stale, stale_html, other):
        os.utime(str(path), (old, old))
    result, dummy = _next_run(tmp_path).finish()
    assert not result.get("failed")
    left = sorted(os.listdir(str(tmp_path)))
    # A younger one may be another run's, in progress; a file not named like ours is not ours.
    assert left == sorted(NAMES + [report_paths.HISTORY_FILE, fresh.name, other.name])
    assert report_paths.sweep_stale_tmp(str(tmp_path), now=time.time() + 2 * report_paths.STALE_TMP_SECONDS) == [
        str(fresh)]


def test_a_second_signal_while_the_temporary_files_are_removed_does_not_leave_one(tmp_path, monkeypatch):
    """Ctrl-C reaches an Ansible worker twice (the terminal's SIGINT, then ansible-playbook's own)."""
    before = _seed(tmp_path)
    real_unlink = os.unlink
    sent = []

    def unlink(path):
        if not sent:
            sent.append(path)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        return real_unlink(path)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_on_fsync(monkeypatch, 3, _send(signal.SIGINT))
        monkeypatch.setattr(os, "unlink", unlink)
        with pytest.raises(KeyboardInterrupt):
            _next_run(tmp_path).finish()
        monkeypatch.undo()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert sent and _snapshot(tmp_path) == before


def test_ctrl_c_as_an_ansible_worker_gets_it_sigint_then_sigterm_leaves_no_temporary_file(tmp_path, monkeypatch):
    """ansible-playbook passes Ctrl-C to its worker as SIGINT, and SIGTERMs it right after
    (TaskQueueManager._cleanup_processes): the second signal must not cut the cleanup the first started."""
    before = _seed(tmp_path)
    got = []

    def stop(signum, frame):
        got.append((signum, sorted(os.listdir(str(tmp_path)))))
        raise Stop()

    def both():
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)
    previous = dict((sig, signal.signal(sig, stop)) for sig in (signal.SIGINT, signal.SIGTERM))
    try:
        _interrupt_on_fsync(monkeypatch, 2, both)
        with pytest.raises(Stop):
            _next_run(tmp_path).finish()
        monkeypatch.undo()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert got == [(signal.SIGINT, sorted(before))]
    assert _snapshot(tmp_path) == before
