"""AWX artifacts (set_stats) and the node_exporter textfile write.

The playbook test runs playbooks/audit.yml --check on this machine (read-only) through
ansible-runner, the way AWX runs jobs, and reads the set_stats data from the run's artifacts
(the ``playbook_on_stats`` job event's ``artifact_data``, which AWX turns into the job's artifacts).
"""

import json
import os
import stat
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_step import ReportRun, read_report  # noqa: E402
from canned_audits import make_audit  # noqa: E402
from canned_audits import canned_audits  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.report import awx as report_awx  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import document as report_document  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils.report import prometheus as report_prometheus  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.modules import docker_prometheus_textfile as textfile  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")


def _values(text):
    return dict(((s.name, frozenset(s.labels.items())), s.value)
                for family in text_string_to_metric_families(text) for s in family.samples)


# ---------------------------------------------------------------------------------------------
# set_stats data


def test_set_stats_data_per_host_and_for_the_fleet():
    audits = canned_audits()
    audits["web2"]["fail_under"] = 80
    audits["web1"]["fail_under"] = 80
    doc = report_document.build_document(audits, unreachable={"down1": "timed out"}, failed={"web2": "below 80"})
    data = report_awx.set_stats_data(doc)
    assert sorted(data) == ["dockersec_daemons", "dockersec_fleet", "dockersec_hosts"]
    hosts = data["dockersec_hosts"]
    assert sorted(hosts) == sorted(doc["hosts"])
    for host, entry in doc["hosts"].items():
        stats = hosts[host]
        assert stats["score"] == entry["score"] and stats["band"] == entry["band"]
        assert stats["failing"] == [c["id"] for c in entry["controls"] if c["status"] == "fail"]
        assert stats["errors"] == [c["id"] for c in entry["controls"] if c["status"] == "error"]
        assert stats["coverage"] == report_prometheus.coverage(entry)
    assert hosts["web2"]["below_threshold"] is True and hosts["web1"]["below_threshold"] is False
    unset = [h for h in doc["hosts"] if h not in ("web1", "web2")]
    assert [h for h, s in hosts.items() if s["below_threshold"] is None] == unset
    fleet = data["dockersec_fleet"]
    assert fleet["audited"] == 3 and fleet["not_audited"] == ["down1"]
    assert fleet["min_score"] == min(e["score"] for e in doc["hosts"].values())
    assert fleet["below_threshold"] == ["web2"]
    assert sum(fleet["by_band"].values()) == 3
    assert fleet["failing"] == dict((item["id"], item["hosts"]) for item in doc["fleet"]["failing"])
    json.dumps(data)  # AWX stores it as JSON


def test_report_step_returns_set_stats_and_textfiles_only_for_hosts_that_ask(tmp_path):
    run = ReportRun(tmp_path, formats=["prom"])
    run.audit("web1", make_audit(host="web1")).audit("web2", make_audit(host="web2", statuses={"3": "fail"}))
    run.hostvars["web2"]["dockersec_prometheus_textfile_dir"] = "/var/lib/prometheus/node-exporter"
    result, dummy = run.finish()
    assert sorted(result["set_stats"]["dockersec_hosts"]) == ["web1", "web2"]
    assert result["set_stats"]["dockersec_hosts"]["web2"]["failing"] == ["3"]
    assert list(result["prometheus_textfiles"]) == ["web2"]
    doc = read_report(tmp_path)
    assert result["prometheus_textfiles"]["web2"] == report_prometheus.host_file(doc, "web2")


def test_prom_compares_with_the_report_the_run_replaces(tmp_path):
    ReportRun(tmp_path, formats=["prom"]).audit("web1", make_audit(host="web1")).finish()
    run = ReportRun(tmp_path, formats=["prom"])
    run.audit("web1", make_audit(host="web1", statuses={"7": "fail"}, generated_at="2026-11-24T05:00:00Z"))
    run.finish()
    values = _values((tmp_path / "dockersec.prom").read_text())
    assert values[("dockersec_previous_score", frozenset({"host": "web1"}.items()))] == 100
    assert values[("dockersec_control_regressed", frozenset({"host": "web1", "id": "7"}.items()))] == 1
    # The HTML and Markdown trend still needs previous_report: the default changed for prom only.
    assert "Trend" not in report_document.dumps_document(read_report(tmp_path))


# ---------------------------------------------------------------------------------------------
# the textfile write


def test_write_atomic_replaces_the_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "dockersec.prom").write_text("old\n")
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        # At the rename the new text is complete, on disk, under a name node_exporter skips.
        seen.append((os.path.basename(src), open(src).read(), stat.S_IMODE(os.stat(src).st_mode)))
        return real_replace(src, dst)

    monkeypatch.setattr(textfile.os, "replace", spy)
    path = textfile.write_atomic(str(tmp_path), "dockersec.prom", "dockersec_score{host=\"a\"} 1\n", 0o644)
    assert path == str(tmp_path / "dockersec.prom")
    assert (tmp_path / "dockersec.prom").read_text() == "dockersec_score{host=\"a\"} 1\n"
    (name, text, mode), = seen
    assert not name.endswith(".prom") and text == "dockersec_score{host=\"a\"} 1\n" and mode == 0o644
    assert os.listdir(str(tmp_path)) == ["dockersec.prom"]


def test_write_atomic_failure_keeps_the_old_file(tmp_path, monkeypatch):
    (tmp_path / "dockersec.prom").write_text("old\n")

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(textfile.os, "fsync", broken)
    with pytest.raises(OSError):
        textfile.write_atomic(str(tmp_path), "dockersec.prom", "new\n", 0o644)
    assert (tmp_path / "dockersec.prom").read_text() == "old\n"
    assert os.listdir(str(tmp_path)) == ["dockersec.prom"]


# ---------------------------------------------------------------------------------------------
# playbooks/audit.yml through ansible-runner (how AWX runs a job)


def _runner(tmp_path, name, extravars):
    ansible_runner = pytest.importorskip("ansible_runner")
    bindir = os.path.dirname(sys.executable)
    if not os.path.exists(os.path.join(bindir, "ansible-playbook")):
        pytest.skip("ansible-playbook is not installed next to %s" % sys.executable)
    private = tmp_path / name
    private.mkdir()
    (tmp_path / "empty.cfg").write_text("")
    envvars = {
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_CONFIG": str(tmp_path / "empty.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    inventory = "here ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable
    return ansible_runner.run(
        private_data_dir=str(private), playbook=os.path.join(REPO, "playbooks", "audit.yml"),
        inventory=inventory, cmdline="--check", envvars=envvars, quiet=True, timeout=600,
        extravars=dict({"dockersec_become": False, "dockersec_report_dir": str(tmp_path / "reports"),
                        "dockersec_report_formats": ["json", "prom"], "dockersec_fail_under": 1,
                        # make test runs the unit tests before testbed starts dockerd: with the daemon
                        # down this machine's coverage is below 50%, which would fail the threshold.
                        "dockersec_fail_incomplete": False}, **extravars))


def _artifact_data(run):
    stats = [e for e in run.events if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"]["artifact_data"]


def _task_status(run, name):
    return [e["event"] for e in run.events if e.get("event", "").startswith("runner_on_")
            and e["event"] != "runner_on_start" and e.get("event_data", {}).get("task") == name]


WRITE_TASK = "Write the host's dockersec metrics into its node_exporter textfile directory"


def test_audit_through_ansible_runner_publishes_set_stats_and_writes_the_textfile(tmp_path):
    textfile_dir = tmp_path / "textfile"
    textfile_dir.mkdir()
    run = _runner(tmp_path, "first", {"dockersec_prometheus_textfile_dir": str(textfile_dir),
                                      "dockersec_prometheus_textfile_in_check": True})
    assert run.status == "successful" and run.rc == 0, run.stdout.read()
    doc = read_report(tmp_path / "reports")
    entry = doc["hosts"]["here"]
    data = _artifact_data(run)
    # The artifacts on disk say the same as the event stream (AWX reads either).
    events_dir = os.path.join(run.config.artifact_dir, "job_events")
    on_disk = []
    for name in os.listdir(events_dir):
        with open(os.path.join(events_dir, name)) as f:
            event = json.load(f)
        if event.get("event") == "playbook_on_stats":
            on_disk.append(event["event_data"]["artifact_data"])
    assert on_disk == [data]
    here = data["dockersec_hosts"]["here"]
    assert here["score"] == entry["score"] and here["band"] == entry["band"]
    assert here["coverage"] == report_prometheus.coverage(entry)
    assert here["failing"] == [c["id"] for c in entry["controls"] if c["status"] == "fail"]
    assert here["below_threshold"] is (entry["score"] < 1)
    assert data["dockersec_fleet"]["audited"] == 1 and data["dockersec_fleet"]["min_score"] == entry["score"]
    # Asked for in --check: the host's own file, the same series as the fleet file of a one-host run.
    assert _task_status(run, WRITE_TASK) == ["runner_on_ok"]
    written = (textfile_dir / "dockersec.prom").read_text()
    assert written == (tmp_path / "reports" / "dockersec.prom").read_text()
    values = _values(written)
    assert values[("dockersec_score", frozenset({"host": "here"}.items()))] == entry["score"]
    assert values[("dockersec_score_threshold", frozenset({"host": "here"}.items()))] == 1

    # Not asked for: --check writes nothing on the host, and the task says it was skipped.
    before = os.stat(str(textfile_dir / "dockersec.prom"))
    run = _runner(tmp_path, "second", {"dockersec_prometheus_textfile_dir": str(textfile_dir)})
    assert run.status == "successful", run.stdout.read()
    assert _task_status(run, WRITE_TASK) == ["runner_on_skipped"]
    assert (textfile_dir / "dockersec.prom").read_text() == written
    assert os.stat(str(textfile_dir / "dockersec.prom")).st_mtime_ns == before.st_mtime_ns
    # The second run's fleet file compares with the report the first one wrote.
    values = _values((tmp_path / "reports" / "dockersec.prom").read_text())
    assert values[("dockersec_previous_score", frozenset({"host": "here"}.items()))] == entry["score"]
