"""The report step (action dockersec.hardening.docker_report): what it reads from the hosts'
results, what it prints and writes, and a real ansible-playbook run of playbooks/audit.yml with
no ansible.cfg and no callback."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_step import ReportRun, read_history, read_report  # noqa: E402
from canned_audits import make_audit, seventy_two  # noqa: E402  (shared result builder)

from ansible_collections.dockersec.hardening.plugins.action import docker_report  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
SCORE_72 = "72.0 / 100 (36/50 earned, 72 of 100 applicable points; coverage 96.0%, 0 waived) — Acceptable (dev only)"


def test_reads_registered_results_writes_report_and_history(tmp_path):
    run = ReportRun(tmp_path / "reports")
    run.audit("web1", make_audit(host="web1"))
    run.audit("web2", seventy_two(), failed_msg="score 72.0 is below fail_under 80")
    result, display = run.finish()
    assert not result.get("failed") and not display.warnings and result["changed"] is False

    doc = read_report(tmp_path / "reports")
    assert sorted(doc["hosts"]) == ["web1", "web2"] and doc["hosts"]["web2"]["score"] == 72.0
    assert doc["failed"] == {"web2": "Evaluate every control and score the host: score 72.0 is below fail_under 80"}
    assert doc["collection_version"] == docker_report.report_document.read_collection_version(REPO)
    assert [(h["host"], h["score"]) for h in read_history(tmp_path / "reports")] == [("web1", 100.0), ("web2", 72.0)]
    mode = stat.S_IMODE(os.stat(str(tmp_path / "reports" / report_paths.REPORT_FILE)).st_mode)
    assert mode & 0o027 == 0  # 0640 or stricter: no group write, nothing for others
    assert sorted(os.listdir(str(tmp_path / "reports"))) == sorted([report_paths.REPORT_FILE,
                                                                    report_paths.HISTORY_FILE])
    assert SCORE_72 in display.text
    assert display.lines[-3:] == [
        "dockersec: wrote %s" % (tmp_path / "reports" / report_paths.REPORT_FILE),
        "dockersec: wrote %s" % report_paths.history_path(str(tmp_path / "reports")),
        "dockersec: the history %s held 0 earlier audit(s) of these hosts"
        % report_paths.history_path(str(tmp_path / "reports")),
    ]
    assert result["scores"] == {"web1": 100.0, "web2": 72.0}
    assert "hunter2" not in display.text and "hunter2" not in json.dumps(doc)


def test_history_is_appended_run_after_run_and_counted(tmp_path):
    for n in range(2):
        _result, display = ReportRun(tmp_path).audit("web1", make_audit(
            host="web1", generated_at="2026-11-2%dT05:00:00Z" % n)).finish()
        assert "held %d earlier audit(s)" % n in display.text
    assert [h["generated_at"] for h in read_history(tmp_path)] == ["2026-11-20T05:00:00Z", "2026-11-21T05:00:00Z"]


def test_no_audited_host_writes_and_prints_nothing(tmp_path):
    run = ReportRun(tmp_path)
    run._host("web1")["dockersec_audit_result"] = {"skipped": True}
    result, display = run.finish()
    assert result.get("skipped_report") and "nothing written" in result["msg"]
    assert os.listdir(str(tmp_path)) == [] and display.lines == [] and display.warnings == []


def test_hosts_without_a_result_are_listed_with_the_reason(tmp_path):
    run = ReportRun(tmp_path, compact=True)
    run.fail("web3", "ssh: connection refused", kind="unreachable")
    run.fail("web4", "Gather: docker not reachable")
    run.audit("web1", make_audit(host="web1"))
    run._host("web5")  # a later batch of a stopped rollout: not reached, not listed
    _result, display = run.finish()
    doc = read_report(tmp_path)
    assert doc["unreachable"] == {"web3": "ssh: connection refused"}
    assert doc["failed"] == {"web4": "Gather: docker not reachable"}
    assert sorted(doc["hosts"]) == ["web1"]
    assert [h["host"] for h in read_history(tmp_path)] == ["web1"]
    assert "Unreachable: web3: ssh: connection refused" in display.text
    assert "web4 failed, no audit result: Gather: docker not reachable" in display.text
    assert "web1: 100.0 / 100" in display.text and "Section" not in display.text


def test_every_host_failed_before_the_audit(tmp_path):
    _result, display = ReportRun(tmp_path).fail("web1", "Gather: boom").finish()
    assert read_report(tmp_path)["failed"] == {"web1": "Gather: boom"}
    assert not os.path.exists(report_paths.history_path(str(tmp_path)))
    assert "0 hosts audited, 1 failed without a result" in display.text


def test_re_audit_shows_before_and_after(tmp_path):
    run = ReportRun(tmp_path)
    run.audit("web1", seventy_two()).audit("web1", make_audit(host="web1"))
    _result, display = run.finish()
    host = read_report(tmp_path)["hosts"]["web1"]
    assert (host["score"], host["before"]["score"]) == (100.0, 72.0)
    assert "Before: 72.0 (Acceptable (dev only)) -> after: 100.0 (Excellent), +28.0" in display.text
    assert read_history(tmp_path)[0]["before"]["score"] == 72.0


def test_a_batch_appends_only_its_own_hosts_to_the_history(tmp_path):
    run = ReportRun(tmp_path)
    run.audit("web1", make_audit(host="web1")).audit("web2", seventy_two())
    run.finish(batch=["web1"])
    run.finish(batch=["web2"])
    assert [h["host"] for h in read_history(tmp_path)] == ["web1", "web2"]
    assert sorted(read_report(tmp_path)["hosts"]) == ["web1", "web2"]


def test_an_unwritable_report_directory_fails_the_step_after_the_scorecard(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result, display = ReportRun(blocker).audit("web1", seventy_two()).finish()
    assert SCORE_72 in display.text  # the scorecard still shows
    assert result["failed"] and result["msg"].startswith("dockersec report: cannot write the report or the history in ")
    assert str(blocker) in result["msg"]


def test_invalid_arguments_fail(tmp_path):
    result, _display = ReportRun(tmp_path, formats="json", compact="maybe").audit("web1", seventy_two()).finish()
    assert result["failed"] and "compact" in result["msg"]


def test_colour_only_when_ansible_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(docker_report._color, "ANSIBLE_COLOR", False)
    _result, display = ReportRun(tmp_path).audit("web1", seventy_two()).finish()
    assert "\033[" not in display.text
    monkeypatch.setattr(docker_report._color, "ANSIBLE_COLOR", True)
    _result, display = ReportRun(tmp_path).audit("web1", seventy_two()).finish()
    assert "\033[" in display.text


def test_the_default_directory_does_not_depend_on_the_current_one(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKERSEC_REPORT_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(str(tmp_path))
    assert report_paths.report_dir() == str(tmp_path / "data" / "dockersec")
    monkeypatch.setenv("DOCKERSEC_REPORT_DIR", "rel")
    assert report_paths.report_dir() == str(tmp_path / "rel")
    assert report_paths.report_dir("/explicit") == "/explicit"


# ---------------------------------------------------------------------------------------------
# playbooks/audit.yml for real, as an installed collection is run: no ansible.cfg, no callback


def _ansible_playbook():
    path = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if not os.path.exists(path):
        pytest.skip("ansible-playbook is not installed next to %s" % sys.executable)
    return path


def _run_audit(tmp_path, cwd, *extra, **env_extra):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("ANSIBLE_", "DOCKERSEC_")) and k != "NO_COLOR")
    env.update({
        "ANSIBLE_CONFIG": str(tmp_path / "empty.cfg"),  # an empty file: no setting at all
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    })
    env.update(env_extra)
    cwd.mkdir(exist_ok=True)
    (tmp_path / "empty.cfg").write_text("")
    return subprocess.run([_ansible_playbook(), "-i", str(tmp_path / "inventory.ini"), "--check",
                           "-e", "dockersec_become=false", os.path.join(REPO, "playbooks", "audit.yml")] + list(extra),
                          cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_real_audit_playbook_reports_without_a_callback(tmp_path):
    (tmp_path / "inventory.ini").write_text(textwrap.dedent("""\
        here ansible_connection=local ansible_python_interpreter={python}
        ghost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=5'
        """).format(python=sys.executable))
    proc = _run_audit(tmp_path, tmp_path / "one")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out  # ghost could not be reached
    assert "Traceback" not in out, out
    directory = tmp_path / "xdg" / "dockersec"
    doc = read_report(directory)
    assert sorted(doc["hosts"]) == ["here"] and list(doc["unreachable"]) == ["ghost"]
    assert len(doc["hosts"]["here"]["controls"]) == 50
    assert "dockersec scorecard: here" in proc.stdout and "Unreachable: ghost:" in proc.stdout
    assert "dockersec: wrote %s" % (directory / report_paths.REPORT_FILE) in proc.stdout
    assert "held 0 earlier audit(s)" in proc.stdout

    # From another directory, the same history; dockersec_report_dir overrides it.
    proc = _run_audit(tmp_path, tmp_path / "two", "--limit", "here")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "held 1 earlier audit(s)" in proc.stdout
    assert [h["host"] for h in read_history(directory)] == ["here", "here"]
    proc = _run_audit(tmp_path, tmp_path / "two", "--limit", "here", "-e", "dockersec_report_dir=%s" % (tmp_path / "ci"),
                      "-e", '{"dockersec_report_formats": ["all"]}')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(os.listdir(str(tmp_path / "ci"))) == sorted(
        [report_paths.HISTORY_FILE] + list(docker_report.report_formats.FILE_NAMES.values()))
