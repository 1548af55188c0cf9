"""The scorecard callback: collection of results, files written, and a real ansible-playbook run."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_report import make_audit, seventy_two  # noqa: E402  (shared result builder)

from ansible_collections.dockersec.hardening.plugins.callback import scorecard  # noqa: E402
from ansible_collections.dockersec.hardening.plugins.module_utils import report_paths  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
SCORE_72 = "72.0 / 100 (36/50 earned, 72 of 100 applicable points; coverage 96.0%, 0 waived) — Acceptable (dev only)"


# ---------------------------------------------------------------------------------------------
# the callback object, driven directly


class FakeDisplay:
    verbosity = 0

    def __init__(self):
        self.lines = []
        self.warnings = []

    def display(self, msg, **kwargs):
        if not kwargs.get("log_only"):
            self.lines.append(msg)

    def warning(self, msg, **kwargs):
        self.warnings.append(msg)

    def vv(self, msg, **kwargs):
        pass

    @property
    def text(self):
        return "\n".join(self.lines)


class FakeHost:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class FakeTask:
    def __init__(self, name="Evaluate every control and score the host", action="dockersec.hardening.docker_audit"):
        self.name = name
        self.action = action
        self.resolved_action = action

    def get_name(self):
        return self.name


class FakeResult:
    def __init__(self, host, data, task=None):
        self.host = FakeHost(host)
        self.task = task or FakeTask()
        self.result = data


class FakeStats:
    def __init__(self, failures=None):
        self.failures = failures or {}


def make_callback(report_dir, **options):
    display = FakeDisplay()
    cb = scorecard.CallbackModule(display=display)
    cb._plugin_options = dict({"report_dir": str(report_dir), "compact": False, "show_passed": False}, **options)
    return cb, display


def read_report(report_dir):
    with open(os.path.join(str(report_dir), report_paths.REPORT_FILE)) as f:
        return json.load(f)


def read_history(report_dir):
    with open(report_paths.history_path(str(report_dir))) as f:
        return [json.loads(line) for line in f]


def test_collects_by_key_writes_report_and_history(tmp_path):
    cb, display = make_callback(tmp_path / "reports")
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": make_audit(host="web1")},
                                  task=FakeTask(name="anything", action="my.own.wrapper")))
    cb.v2_runner_on_ok(FakeResult("web2", {"changed": False}, task=FakeTask(name="other", action="ping")))
    cb.v2_runner_on_failed(FakeResult("web2", {"dockersec_audit": seventy_two(), "failed": True,
                                               "msg": "score 72.0 is below fail_under 80"}))
    cb.v2_playbook_on_stats(FakeStats({"web2": 1}))
    assert not display.warnings

    doc = read_report(tmp_path / "reports")
    assert sorted(doc["hosts"]) == ["web1", "web2"]
    assert doc["hosts"]["web2"]["score"] == 72.0
    assert doc["failed"] == {"web2": "Evaluate every control and score the host: score 72.0 is below fail_under 80"}
    assert doc["collection_version"] == scorecard.report.read_collection_version(REPO)
    assert [(h["host"], h["score"]) for h in read_history(tmp_path / "reports")] == [("web1", 100.0),
                                                                                     ("web2", 72.0)]
    mode = stat.S_IMODE(os.stat(str(tmp_path / "reports" / report_paths.REPORT_FILE)).st_mode)
    assert mode & 0o027 == 0  # 0640 or stricter: no group write, nothing for others
    assert sorted(os.listdir(str(tmp_path / "reports"))) == sorted([report_paths.REPORT_FILE,
                                                                    report_paths.HISTORY_FILE])
    assert SCORE_72 in display.text
    assert display.lines[-2:] == [
        "dockersec: wrote %s" % (tmp_path / "reports" / report_paths.REPORT_FILE),
        "dockersec: wrote %s" % report_paths.history_path(str(tmp_path / "reports")),
    ]
    assert "hunter2" not in display.text and "hunter2" not in json.dumps(doc)


def test_history_is_appended_run_after_run(tmp_path):
    for run in range(2):
        cb, display = make_callback(tmp_path)
        cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": make_audit(
            host="web1", generated_at="2026-11-2%dT05:00:00Z" % run)}))
        cb.v2_playbook_on_stats(FakeStats())
    assert [h["generated_at"] for h in read_history(tmp_path)] == ["2026-11-20T05:00:00Z", "2026-11-21T05:00:00Z"]


def test_run_without_an_audit_writes_and_prints_nothing(tmp_path):
    cb, display = make_callback(tmp_path)
    cb.v2_playbook_on_task_start(FakeTask(name="assert", action="ansible.builtin.assert"), False)
    cb.v2_runner_on_ok(FakeResult("web1", {"changed": False}, task=FakeTask(action="ansible.builtin.assert")))
    cb.v2_runner_on_failed(FakeResult("web2", {"msg": "nope"}, task=FakeTask(action="ansible.builtin.assert")))
    cb.v2_playbook_on_stats(FakeStats({"web2": 1}))
    assert os.listdir(str(tmp_path)) == []
    assert display.lines == [] and display.warnings == []


def test_hosts_without_a_result_are_listed_with_the_reason(tmp_path):
    cb, display = make_callback(tmp_path, compact=True)
    cb.v2_playbook_on_task_start(FakeTask(name="Gather", action="dockersec.hardening.docker_host_facts"), False)
    cb.v2_runner_on_unreachable(FakeResult("web3", {"unreachable": True, "msg": "ssh: connection refused"}))
    cb.v2_runner_on_failed(FakeResult("web4", {"failed": True, "msg": "docker not reachable"},
                                      task=FakeTask(name="Gather", action="dockersec.hardening.docker_host_facts")))
    # rescued and ignored failures are no failures of the host
    cb.v2_runner_on_failed(FakeResult("web5", {"failed": True, "msg": "rescued"}))
    cb.v2_runner_on_failed(FakeResult("web6", {"failed": True, "msg": "ignored"}), ignore_errors=True)
    cb.v2_playbook_on_task_start(FakeTask(), False)  # the audit task started: this is an audit run
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": make_audit(host="web1")}))
    cb.v2_playbook_on_stats(FakeStats({"web4": 1, "web5": 0}))

    doc = read_report(tmp_path)
    assert doc["unreachable"] == {"web3": "ssh: connection refused"}
    assert doc["failed"] == {"web4": "Gather: docker not reachable"}
    assert [h["host"] for h in read_history(tmp_path)] == ["web1"]
    assert "Unreachable: web3: ssh: connection refused" in display.text
    assert "web4 failed, no audit result: Gather: docker not reachable" in display.text
    assert "web1: 100.0 / 100" in display.text and "Section" not in display.text


def test_every_host_failed_before_the_audit(tmp_path):
    cb, display = make_callback(tmp_path)

    class Block:
        def __init__(self, tasks):
            self.block, self.rescue, self.always = tasks, [], []

    class Play:
        pre_tasks, post_tasks = [], []
        tasks = [Block([FakeTask(action="ping"), Block([FakeTask(action="dockersec.hardening.docker_audit")])])]

    cb.v2_playbook_on_play_start(Play())
    cb.v2_runner_on_failed(FakeResult("web1", {"failed": True, "msg": "boom"}, task=FakeTask(name="Gather")))
    cb.v2_playbook_on_stats(FakeStats({"web1": 1}))
    assert read_report(tmp_path)["failed"] == {"web1": "Gather: boom"}
    assert not os.path.exists(report_paths.history_path(str(tmp_path)))
    assert "0 hosts audited, 1 failed without a result" in display.text


def test_re_audit_shows_before_and_after(tmp_path):
    cb, display = make_callback(tmp_path)
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": seventy_two()}))
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": make_audit(host="web1")}))
    cb.v2_playbook_on_stats(FakeStats())
    host = read_report(tmp_path)["hosts"]["web1"]
    assert (host["score"], host["before"]["score"]) == (100.0, 72.0)
    assert "Before: 72.0 (Acceptable (dev only)) -> after: 100.0 (Excellent), +28.0" in display.text


def test_looped_audit_result_is_found(tmp_path):
    cb, display = make_callback(tmp_path)
    cb.v2_runner_on_ok(FakeResult("web1", {"results": [{"item": 1}, {"dockersec_audit": seventy_two()}]}))
    cb.v2_playbook_on_stats(FakeStats())
    assert read_report(tmp_path)["hosts"]["web1"]["score"] == 72.0


def test_never_crashes_the_play(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    cb, display = make_callback(blocker)
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": seventy_two()}))
    cb.v2_runner_on_ok(object())  # not a task result at all
    cb.v2_runner_on_failed(None)
    cb.v2_runner_on_unreachable(None)
    cb.v2_playbook_on_stats(FakeStats())
    assert SCORE_72 in display.text  # the scorecard still shows
    assert any("writing the report" in w for w in display.warnings)
    assert any("appending the audit history" in w for w in display.warnings)
    assert not any(line.startswith("dockersec: wrote") for line in display.lines)

    cb, display = make_callback(tmp_path)
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": "garbage"}))
    cb._audits["web2"] = {"controls": "garbage", "score": "x"}
    cb.v2_playbook_on_stats(None)
    assert all(w.startswith("dockersec.hardening.scorecard:") for w in display.warnings)


def test_colour_only_when_ansible_says_so(tmp_path, monkeypatch):
    cb, display = make_callback(tmp_path)
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": seventy_two()}))
    monkeypatch.setattr(scorecard._color, "ANSIBLE_COLOR", False)
    cb.v2_playbook_on_stats(FakeStats())
    assert "\033[" not in display.text

    cb, display = make_callback(tmp_path)
    cb.v2_runner_on_ok(FakeResult("web1", {"dockersec_audit": seventy_two()}))
    monkeypatch.setattr(scorecard._color, "ANSIBLE_COLOR", True)
    cb.v2_playbook_on_stats(FakeStats())
    assert "\033[" in display.text


# ---------------------------------------------------------------------------------------------
# a real ansible-playbook run

FAKE_AUDIT_ACTION = '''
from ansible.plugins.action import ActionBase
import json


class ActionModule(ActionBase):
    """Test stand-in for dockersec.hardening.docker_audit: returns a canned result per host."""

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        with open(self._task.args["source"]) as f:
            audit = json.load(f)[task_vars["inventory_hostname"]]
        result["dockersec_audit"] = audit
        fail_under = self._task.args.get("fail_under")
        if fail_under is not None and audit["score"] < float(fail_under):
            result["failed"] = True
            result["msg"] = "score %.1f is below fail_under %s" % (audit["score"], fail_under)
        return result
'''

PLAYBOOK = '''
- name: Audit (test stand-ins)
  hosts: all
  gather_facts: false
  tasks:
    - name: Gather stand-in
      ansible.builtin.ping:
    - name: Fail before the audit on web4
      ansible.builtin.fail:
        msg: docker is not reachable
      when: inventory_hostname == "web4"
    - name: Evaluate stand-in
      fake_audit:
        source: "{{ playbook_dir }}/audits.json"
        fail_under: 80
'''

OTHER_PLAYBOOK = '''
- name: Not an audit
  hosts: web1
  gather_facts: false
  tasks:
    - name: Something else
      ansible.builtin.debug:
        msg: hello
'''


def _ansible_playbook():
    path = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if not os.path.exists(path):
        pytest.skip("ansible-playbook is not installed next to %s" % sys.executable)
    return path


def _run(binary, tmp_path, playbook, report_dir):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("ANSIBLE_", "DOCKERSEC_")) and k != "NO_COLOR")
    env.update({
        "ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_CALLBACKS_ENABLED": "dockersec.hardening.scorecard",
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "remote-tmp"),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "DOCKERSEC_REPORT_DIR": str(report_dir),
    })
    return subprocess.run([binary, "-i", str(tmp_path / "inventory.ini"), str(tmp_path / playbook)],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_real_playbook_run(tmp_path):
    binary = _ansible_playbook()
    (tmp_path / "action_plugins").mkdir()
    (tmp_path / "action_plugins" / "fake_audit.py").write_text(FAKE_AUDIT_ACTION)
    (tmp_path / "playbook.yml").write_text(PLAYBOOK)
    (tmp_path / "other.yml").write_text(OTHER_PLAYBOOK)
    (tmp_path / "ansible.cfg").write_text("[defaults]\ngathering = explicit\nretry_files_enabled = false\n")
    (tmp_path / "audits.json").write_text(json.dumps({
        "web1": make_audit(host="web1"), "web2": seventy_two(), "web3": make_audit(host="web3"),
        "web4": make_audit(host="web4"),
    }))
    local = "ansible_connection=local ansible_python_interpreter=%s" % sys.executable
    (tmp_path / "inventory.ini").write_text(textwrap.dedent("""\
        web1 {local}
        web2 {local}
        web3 ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=5'
        web4 {local}
        """).format(local=local))
    report_dir = tmp_path / "reports"

    proc = _run(binary, tmp_path, "playbook.yml", report_dir)
    out = proc.stdout + proc.stderr
    assert proc.returncode in (2, 4), out  # failed and unreachable hosts
    assert "Traceback" not in out and "dockersec.hardening.scorecard:" not in out, out

    doc = read_report(report_dir)
    assert sorted(doc["hosts"]) == ["web1", "web2"]
    assert doc["hosts"]["web2"]["score"] == 72.0 and doc["hosts"]["web2"]["band"] == "Acceptable (dev only)"
    assert len(doc["hosts"]["web1"]["controls"]) == 50
    assert doc["failed"] == {"web2": "Evaluate stand-in: score 72.0 is below fail_under 80",
                             "web4": "Fail before the audit on web4: docker is not reachable"}
    assert list(doc["unreachable"]) == ["web3"] and doc["unreachable"]["web3"]
    assert doc["fleet"]["hosts"] == 2 and doc["fleet"]["min_score"] == 72.0
    history = read_history(report_dir)
    assert [(h["host"], h["score"]) for h in history] == [("web1", 100.0), ("web2", 72.0)]

    assert "dockersec scorecard: web2" in proc.stdout
    assert SCORE_72 in proc.stdout
    assert "Unreachable: web3:" in proc.stdout
    assert "dockersec: wrote %s" % (report_dir / report_paths.REPORT_FILE) in proc.stdout
    assert "dockersec: wrote %s" % report_paths.history_path(str(report_dir)) in proc.stdout

    # Another playbook with the callback enabled (Molecule's verify, say) leaves the report alone.
    before = (report_dir / report_paths.REPORT_FILE).read_text()
    proc = _run(binary, tmp_path, "other.yml", report_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dockersec" not in proc.stdout
    assert (report_dir / report_paths.REPORT_FILE).read_text() == before
    assert len(read_history(report_dir)) == 2


def test_real_playbook_where_every_host_fails_before_the_audit(tmp_path):
    """No result at all: the play's audit task (found by its action name) still makes it an audit run."""
    binary = _ansible_playbook()
    (tmp_path / "action_plugins").mkdir()
    (tmp_path / "action_plugins" / "docker_audit.py").write_text(FAKE_AUDIT_ACTION)
    (tmp_path / "playbook.yml").write_text(textwrap.dedent('''\
        - name: Audit
          hosts: all
          gather_facts: false
          tasks:
            - name: Gather stand-in
              ansible.builtin.fail:
                msg: cannot read /var/run/docker.sock
            - name: Evaluate
              docker_audit:
                source: nowhere.json
        '''))
    (tmp_path / "ansible.cfg").write_text("[defaults]\ngathering = explicit\nretry_files_enabled = false\n")
    (tmp_path / "inventory.ini").write_text("web1 ansible_connection=local ansible_python_interpreter=%s\n"
                                            % sys.executable)
    report_dir = tmp_path / "reports"
    proc = _run(binary, tmp_path, "playbook.yml", report_dir)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    doc = read_report(report_dir)
    assert doc["hosts"] == {} and doc["failed"] == {"web1": "Gather stand-in: cannot read /var/run/docker.sock"}
    assert "web1 failed, no audit result: Gather stand-in: cannot read /var/run/docker.sock" in proc.stdout
    assert not os.path.exists(report_paths.history_path(str(report_dir)))
