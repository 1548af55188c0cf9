"""Issue 18, case 6: every string from a host or a profile is printed escaped, never obeyed.

Waiver owners and reasons come from the inventory, evidence, container and process names from the
host: an ESC, OSC, BEL or a newline in one of them must not reach the terminal as such (colour,
cursor moves, a window title, a forged ``Score: 100.0`` line), with or without colour. The report
files escape them already (JSON, HTML); this is the terminal scorecard, the forecast, the report
step's warnings and the messages the playbooks fail with.
"""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_step import ReportRun  # noqa: E402
from canned_audits import make_audit  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.action import docker_report  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import text as report_text  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Every class the terminal acts on: C0 (incl. ESC, BEL, CR, LF, TAB, NUL), DEL, C1, bidi overrides
# and isolates, line separators.
UNSAFE = ([chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xa0)]
          + [chr(c) for c in range(0x202a, 0x202f)] + [chr(c) for c in range(0x2066, 0x206a)]
          + ["\u2028", "\u2029", "\u200e", "\u200f", "\u061c"])
FORGED = "ops\n  Score: 100.0 / 100 (50/50 earned) \u2014 Excellent"
OSC_TITLE = "\x1b]0;pwned\x07"
CSI = "\x1b[2J\x1b[31m"


def _raw(text):
    """The unsafe characters present in ``text``."""
    return sorted(set(ch for ch in text if ch in UNSAFE and ch != "\n"))


@pytest.mark.parametrize("ch", UNSAFE, ids=lambda ch: "U+%04X" % ord(ch))
def test_every_unsafe_character_is_shown_escaped(ch):
    out = report_text.terminal_safe("a%sb" % ch)
    assert ch not in out
    assert out == "a%sb" % (("\\x%02x" % ord(ch)) if ord(ch) < 0x100 else ("\\u%04x" % ord(ch)))


@pytest.mark.parametrize("text", ["plain", "caf\u00e9 \u6f22\u5b57 \U0001f512", "C:\\path\\x1b as typed", "", "50%"])
def test_printable_text_is_unchanged(text):
    assert report_text.terminal_safe(text) == text
    assert report_text.terminal_safe(report_text.terminal_safe(text)) == text


def _evil_run(tmp_path):
    """One host whose waiver owner/reason, evidence and failure carry escape sequences and a forged line."""
    audit = make_audit(host="web1", statuses={"7": "waived", "8": "fail", "9": "error"})
    for control in audit["controls"]:
        if control["id"] == "7":
            control["waiver"] = {"owner": FORGED, "expires": "2026-11-30", "reason": "ok" + OSC_TITLE,
                                 "original_status": "fail"}
            control["evidence"] = ["waived by %s until 2026-11-30: ok%s" % (FORGED, OSC_TITLE)]
        if control["id"] == "8":
            control["evidence"] = ["process " + CSI + "evil\rok\u202egnp.exe runs as root"]
        if control["id"] == "9":
            control["evidence"] = ["container \x9b31mname\x85x could not be read"]
    audit["today"] = "2026-11-23"
    run = ReportRun(tmp_path / "reports")
    run.audit("web1", audit, failed_msg="score below" + CSI)
    run.fail("ghost", "ssh banner\x1b]8;;http://evil/\x07click\x1b]8;;\x07\nScore: 100.0", kind="unreachable")
    return run


@pytest.mark.parametrize("colour", [False, True], ids=["no-colour", "colour"])
def test_scorecard_prints_host_and_profile_strings_escaped(tmp_path, monkeypatch, colour):
    monkeypatch.setattr(docker_report._color, "ANSIBLE_COLOR", colour)
    result, display = _evil_run(tmp_path).finish()
    assert not result.get("failed"), result
    out = display.text
    if colour:
        # The only escape sequences are the painter's own SGR colours.
        painted = re.sub("\x1b\\[[0-9;]*m", "", out)
        assert "\x1b[" in out and _raw(painted) == [], _raw(painted)
    else:
        assert _raw(out) == [], _raw(out)  # NO_COLOR (or no tty): not one control character
    assert "\\x1b]0;pwned\\x07" in out and "\\x1b[2J\\x1b[31mevil ok\\u202egnp.exe" in out
    assert "\\x9b31mname" in out and "\\x1b]8;;http://evil/\\x07click" in out
    # A newline in an owner or a host's message forges no line: every Score line is the real one.
    scores = [line for line in display.lines if re.match(r"\s*Score: [0-9.]+ / 100", line)]
    assert len(scores) == 1 and scores[0].startswith("  Score: 95.9 / 100"), scores
    assert "owner ops\\x0a  Score: 100.0" in out


def test_forecast_and_warnings_are_escaped(tmp_path, monkeypatch):
    monkeypatch.setattr(docker_report._color, "ANSIBLE_COLOR", False)
    run = ReportRun(tmp_path / "reports", formats=["json", "bogus\x1b[5m"])
    run.audit("web1", make_audit(host="web1", statuses={"20": "fail"}))
    run.audit("web1", make_audit(host="web1", statuses={"20": "fail"}))
    run.hostvars["web1"]["dockersec_plan"] = [{"role": "daemon", "controls": ["20"]}]
    run.hostvars["web1"]["dockersec_deferred"] = [{"id": "20", "reason": "containers \x1b[8mhidden\nforged"}]
    run.hostvars["web1"]["dockersec_restart_stops"] = ["db\x07\x1b]0;x\x07"]
    result, display = run.finish()
    assert not result.get("failed"), result
    assert "dockersec remediation forecast: web1" in display.text
    assert _raw(display.text) == [] and "\\x1b[8mhidden\\x0aforged" in display.text
    assert "db\\x07\\x1b]0;x\\x07" in display.text
    assert display.warnings and all(_raw(w) == [] for w in display.warnings)
    assert any("bogus\\x1b[5m" in w for w in display.warnings)


def test_the_playbooks_fail_with_escaped_messages():
    # Ansible prints a failed task's message raw on its [ERROR] line: the playbooks pass the
    # messages from the host (gather errors, recorded failures) through the same function.
    from ansible_collections.dockersec.hardening.plugins.filter import terminal_safe as terminal_safe_filter
    assert terminal_safe_filter.FilterModule().filters()["terminal_safe"] is report_text.terminal_safe
    for name in ("audit.yml", "remediate.yml"):
        with open(os.path.join(REPO, "playbooks", name)) as f:
            text = f.read()
        assert "msg: \"{{ dockersec_failure['msg'] | dockersec.hardening.terminal_safe }}\"" in text, name
        assert "default('unreachable') | dockersec.hardening.terminal_safe }}\"" in text, name
