"""Bad input, class "history" (issue 18, cases 1 and 2): a history line that is not a record.

Each case seeds a report directory with an earlier report and history, puts one bad line
between two good records, and drives the one reader (report_paths.read_history), the audit
action (items 46 and 49) and the report step in-process: the bad line is skipped with a warning
naming the file and the line number, nothing raises, the good records count, and the earlier
history is kept byte for byte (the run only appends).
"""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import make_facts  # noqa: E402
from report_step import ReportRun, read_report  # noqa: E402
from audit_step import run as run_audit  # noqa: E402
from canned_audits import make_audit  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths  # noqa: E402

TODAY = "2026-11-23"
OLD = {"history_format": 1, "host": "node1", "generated_at": "2026-10-01T05:00:00Z", "score": 70.0}
NEWER = {"history_format": 1, "host": "node1", "generated_at": "2026-11-20T05:00:00Z", "score": 80.0}


def _line(obj):
    return json.dumps(obj, sort_keys=True) + "\n"


def _seed(directory, bad):
    """An earlier report and a history of OLD, ``bad`` (bytes, one line), NEWER; returns the history bytes."""
    run = ReportRun(directory)
    run.audit("node1", make_audit(host="node1", generated_at="2026-11-20T05:00:00Z"))
    result, dummy = run.finish()
    assert not result.get("failed")
    data = _line(OLD).encode() + bad + b"\n" + _line(NEWER).encode()
    with open(report_paths.history_path(str(directory)), "wb") as f:
        f.write(data)
    return data


BAD_LINES = [
    ("host-list", _line(dict(OLD, host=["node1"])).strip().encode(), 'host is ["node1"], not a host name'),
    ("host-dict", _line(dict(OLD, host={"name": "node1"})).strip().encode(), 'host is {"name": "node1"}'),
    ("host-number", _line(dict(OLD, host=7)).strip().encode(), "host is 7, not a host name"),
    ("host-missing", b'{"generated_at": "2026-10-02T05:00:00Z", "score": 1}', "host is null, not a host name"),
    ("host-empty", _line(dict(OLD, host="")).strip().encode(), 'host is "", not a host name'),
    ("array", b'["node1", "2026-10-02T05:00:00Z"]', "not a JSON object"),
    ("string", b'"node1"', "not a JSON object"),
    ("number", b"5", "not a JSON object"),
    ("null", b"null", "not a JSON object"),
    ("not-json", b"{not json", "not JSON"),
    ("binary", b"\x00\xff\xfe", "not JSON"),
    ("nested", b"[" * 100000 + b"]" * 100000, "longer than 65536 bytes"),
    ("deep-but-short", b"[" * 30000 + b"]" * 30000, "not JSON"),
    ("huge", b'{"host": "node1", "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}', "longer than 65536 bytes"),
    ("date-number", _line(dict(OLD, generated_at=20261002)).strip().encode(), "generated_at is 20261002"),
    ("date-garbage", _line(dict(OLD, generated_at="yesterday")).strip().encode(), 'generated_at is "yesterday"'),
    ("date-list", _line(dict(OLD, generated_at=["2026-10-02"])).strip().encode(), "generated_at is [\"2026-10-02\"]"),
    ("score-string", _line(dict(OLD, score="80")).strip().encode(), 'score is "80", not a number from 0 to 100'),
    ("score-nan", b'{"host": "node1", "generated_at": "2026-10-02T05:00:00Z", "score": NaN}', "score is nan"),
    ("score-inf", b'{"host": "node1", "generated_at": "2026-10-02T05:00:00Z", "score": 1e999}', "score is inf"),
    ("score-range", _line(dict(OLD, score=1000)).strip().encode(), "score is 1000, not a number from 0 to 100"),
    ("score-bool", _line(dict(OLD, score=True)).strip().encode(), "score is true"),
    ("before-list", _line(dict(OLD, before=[1])).strip().encode(), "before is [1], not an object"),
    ("format-string", _line(dict(OLD, history_format="1")).strip().encode(), 'history_format is "1"'),
]


@pytest.mark.parametrize("bad, why", [(b, w) for dummy, b, w in BAD_LINES], ids=[i for i, dummy, dummy2 in BAD_LINES])
def test_a_bad_history_line_is_skipped_with_file_and_line(tmp_path, bad, why):
    data = _seed(tmp_path, bad)
    path = report_paths.history_path(str(tmp_path))
    report_before = read_report(tmp_path)

    warnings = []
    entries = report_paths.read_history(path, {"node1"}, warnings)
    assert entries == [OLD, NEWER]
    assert len(warnings) == 1 and warnings[0].startswith("history %s line 2 skipped: " % path), warnings
    assert why in warnings[0], warnings

    # The audit of the host: no crash, the warning on the task, item 49 judged from the good lines.
    res = run_audit({"facts": make_facts(), "today": TODAY, "report_dir": str(tmp_path)})
    assert not res.get("failed"), res.get("msg")
    assert res["warnings"] == ["node1: %s" % warnings[0]]
    c49 = [c for c in res["dockersec_audit"]["controls"] if c["id"] == "49"][0]
    assert c49["status"] == "pass" and "2 recorded audits" in c49["evidence"][0], c49
    assert read_report(tmp_path) == report_before  # the audit writes nothing
    with open(path, "rb") as f:
        assert f.read() == data

    # The report step: it warns once, counts the good lines, keeps the earlier ones and appends its own.
    run = ReportRun(tmp_path)
    run.audit("node1", res["dockersec_audit"])
    result, display = run.finish()
    assert not result.get("failed"), result.get("msg")
    assert "dockersec report: %s" % warnings[0] in display.warnings
    assert "held 2 earlier audit(s)" in display.text
    with open(path, "rb") as f:
        after = f.read()
    assert after.startswith(data) and after.count(b"\n") == data.count(b"\n") + 1
    assert [e["score"] for e in report_paths.read_history(path, {"node1"})] == [
        70.0, 80.0, res["dockersec_audit"]["score"]]


def test_an_unterminated_last_line_keeps_both_records(tmp_path):
    """Case 1: a valid last line without its newline used to swallow the next record (and itself)."""
    path = report_paths.history_path(str(tmp_path))
    with open(path, "w") as f:
        f.write(_line(OLD) + _line(NEWER).rstrip("\n"))
    run = ReportRun(tmp_path)
    run.audit("node1", make_audit(host="node1", generated_at="2026-11-23T05:00:00Z"))
    result, display = run.finish()
    assert not result.get("failed") and not display.warnings, display.warnings
    warnings = []
    entries = report_paths.read_history(path, {"node1"}, warnings)
    assert [e["generated_at"] for e in entries] == [OLD["generated_at"], NEWER["generated_at"], "2026-11-23T05:00:00Z"]
    assert warnings == []
    with open(path) as f:
        assert f.read().endswith("\n")


def test_append_to_an_unterminated_history_directly(tmp_path):
    path = report_paths.history_path(str(tmp_path))
    with open(path, "w") as f:
        f.write(_line(OLD).rstrip("\n"))
    report_paths.append_history(str(tmp_path), [_line(NEWER).rstrip("\n")])
    report_paths.append_history(str(tmp_path), [_line(NEWER).rstrip("\n")])
    with open(path) as f:
        assert f.read() == _line(OLD) + _line(NEWER) + _line(NEWER)


def test_a_merged_line_is_named_and_the_next_record_still_counts(tmp_path):
    """A history damaged before this fix (two records on one line): that line is named, nothing else is lost."""
    path = report_paths.history_path(str(tmp_path))
    with open(path, "w") as f:
        f.write(_line(OLD).rstrip("\n") + _line(NEWER))
    report_paths.append_history(str(tmp_path), [_line(NEWER).rstrip("\n")])
    records, warnings = report_paths.read_history_records(path)
    assert records == [NEWER]
    assert len(warnings) == 1 and "line 1 skipped: not JSON" in warnings[0]


def test_records_carry_the_format_version_and_unknown_keys_are_tolerated(tmp_path):
    doc = report_document.build_document({"node1": make_audit(host="node1")})
    line = json.loads(report_document.history_lines(doc)[0])
    assert line["history_format"] == report_paths.HISTORY_FORMAT == 2
    later = dict(NEWER, history_format=7, daemon={"version": "99"}, profile=["x"])
    unversioned = dict((k, v) for k, v in OLD.items() if k != "history_format")
    path = report_paths.history_path(str(tmp_path))
    with open(path, "w") as f:
        f.write(_line(unversioned) + _line(later))
    assert report_paths.read_history_records(path) == ([unversioned, later], [])


def test_many_bad_lines_are_counted_after_the_first_few(tmp_path):
    path = report_paths.history_path(str(tmp_path))
    with open(path, "w") as f:
        f.write(_line(OLD) + "[]\n" * 12 + _line(NEWER))
    records, warnings = report_paths.read_history_records(path)
    assert records == [OLD, NEWER]
    assert warnings[:2] == ["history %s line 2 skipped: not a JSON object" % path,
                            "history %s line 3 skipped: not a JSON object" % path]
    assert warnings[-1] == "history %s: 7 more malformed lines skipped" % path and len(warnings) == 6


def test_an_unreadable_history_is_a_warning_not_a_crash(tmp_path):
    path = report_paths.history_path(str(tmp_path))
    os.mkdir(path)  # a directory where the file should be
    records, warnings = report_paths.read_history_records(path)
    assert records == [] and len(warnings) == 1 and warnings[0].startswith("history %s unreadable" % path)
    assert report_paths.read_history_records(str(tmp_path / "missing.jsonl")) == ([], [])
