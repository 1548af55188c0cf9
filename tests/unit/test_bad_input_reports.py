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
from test_report import make_audit, seventy_two  # noqa: E402

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


def _send_sigterm():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)  # the handler runs here at the latest


@pytest.mark.parametrize("at", [2, 4])  # while the 2nd and the 4th file are written
def test_keyboard_interrupt_while_writing_leaves_the_old_reports_and_no_history_line(tmp_path, monkeypatch, at):
    before = _seed(tmp_path)
    _interrupt_on_fsync(monkeypatch, at, _raise_keyboard_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _next_run(tmp_path).finish()
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before  # every report the old one, no tmp file, no history line


def test_sigterm_while_writing_leaves_the_old_reports_and_no_temporary_file(tmp_path, monkeypatch):
    before = _seed(tmp_path)

    def stop(signum, frame):
        raise Stop()
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        _interrupt_on_fsync(monkeypatch, 2, _send_sigterm)
        with pytest.raises((KeyboardInterrupt, Stop)) as info:
            _next_run(tmp_path).finish()
        monkeypatch.undo()
        # The report step turns it into KeyboardInterrupt after cleaning up, and gives the handler back.
        assert info.type is KeyboardInterrupt and "unchanged" in str(info.value)
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, previous)
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
