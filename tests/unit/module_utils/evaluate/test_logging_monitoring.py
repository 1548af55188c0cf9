"""Items 31-35 (logging and monitoring: evaluate/logging_monitoring.py).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from conftest import make_container, make_facts
from sections_support import run


# --- 31 logging -----------------------------------------------------------------------------------

def test_31_pass_json_file_with_rotation():
    assert run("31", make_facts())[0] == "pass"


def test_31_fail_json_file_without_rotation():
    f = make_facts()
    del f["daemon_config"]["content"]["log-opts"]
    status, ev = run("31", f)
    assert status == "fail" and "max-size" in ev and "max-file" in ev


def test_31_fail_names_missing_max_file():
    f = make_facts()
    f["daemon_config"]["content"]["log-opts"] = {"max-size": "10m"}
    status, ev = run("31", f)
    assert status == "fail" and "max-file" in ev and "max-size and" not in ev


def test_31_remote_driver_passes():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "syslog"
    f["docker"]["info"]["LoggingDriver"] = "syslog"
    del f["daemon_config"]["content"]["log-opts"]
    assert run("31", f)[0] == "pass"


def test_31_local_driver_rotates_by_default():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "local"
    f["docker"]["info"]["LoggingDriver"] = "local"
    del f["daemon_config"]["content"]["log-opts"]
    assert run("31", f)[0] == "pass"


def test_31_fail_on_none_driver():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "none"
    f["docker"]["info"]["LoggingDriver"] = "none"
    status, ev = run("31", f)
    assert status == "fail" and "none" in ev


def test_31_reads_log_opt_flags():
    f = make_facts()
    for k in ("log-driver", "log-opts"):
        del f["daemon_config"]["content"][k]
    f["dockerd_process"]["flags"]["--log-opt"] = ["max-size=10m", "max-file=3"]
    assert run("31", f)[0] == "pass"


def test_31_the_running_default_driver_wins_over_daemon_json():
    # daemon.json edited to a remote driver, dockerd not restarted: it still runs json-file, unrotated.
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "syslog"
    del f["daemon_config"]["content"]["log-opts"]
    status, ev = run("31", f)
    assert status == "fail" and "docker info LoggingDriver; daemon.json says syslog (restart pending)" in ev


def test_31_containers_created_without_rotation_fail():
    f = make_facts(containers=[make_container("web"), make_container("old")])
    f["docker"]["containers"][0].update(log_type="json-file", log_opts={"max-size": "10m", "max-file": "3"})
    f["docker"]["containers"][1].update(log_type="json-file", log_opts={})
    status, ev = run("31", f)
    assert status == "fail" and "1 of 2 running containers log without rotation" in ev
    assert "old" in ev and "json-file without max-size and max-file" in ev and "web:" not in ev


def test_31_restart_pending_is_confirmed_by_the_containers_or_an_error():
    f = make_facts(containers=[])
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    status, ev = run("31", f)
    assert status == "error" and "after dockerd started at 2026-11-20T08:00:00Z" in ev
    f = make_facts()
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    f["docker"]["containers"][0].update(log_type="json-file", log_opts={"max-size": "10m", "max-file": "3"})
    status, ev = run("31", f)
    assert status == "pass" and "every running container rotates or ships its logs (1 checked)" in ev


# --- 32 / 33 / 35 agents --------------------------------------------------------------------------

def _no_agents(f):
    f["services"]["running"] = ["docker.service", "ssh.service"]
    f["services"]["processes"] = ["dockerd", "sshd", "systemd"]
    return f


def test_32_pass_and_manual():
    status, ev = run("32", make_facts())
    assert status == "pass" and "fluent-bit" in ev
    status, ev = run("32", _no_agents(make_facts()))
    assert status == "manual" and "no log/event shipper" in ev


def test_32_shipper_in_a_container():
    f = _no_agents(make_facts(containers=[make_container("logs", image="fluent/fluent-bit:3.0")]))
    status, ev = run("32", f)
    assert status == "pass" and "container logs" in ev


def test_33_pass_and_fail():
    assert run("33", make_facts())[0] == "pass"
    status, ev = run("33", _no_agents(make_facts()))
    assert status == "fail" and "no metrics agent" in ev


def test_33_cadvisor_container_and_truncated_comm():
    f = _no_agents(make_facts(containers=[make_container("cadvisor", image="gcr.io/cadvisor/cadvisor:v0.49.1")]))
    assert run("33", f)[0] == "pass"
    f = _no_agents(make_facts())
    f["services"]["processes"].append("prometheus-node")  # comm is cut at 15 characters
    assert run("33", f)[0] == "pass"


def test_33_patterns_match_whole_words_only():
    f = _no_agents(make_facts())
    f["services"]["processes"].append("notprometheusd")
    assert run("33", f)[0] == "fail"


def test_35_pass_and_fail_mentions_installed_binary():
    assert run("35", make_facts())[0] == "pass"
    status, ev = run("35", _no_agents(make_facts()))
    assert status == "fail" and "falco is installed at /usr/bin/falco but not running" in ev


def test_35_falco_container():
    f = _no_agents(make_facts(containers=[make_container("falco", image="falcosecurity/falco:0.38.0")]))
    status, ev = run("35", f)
    assert status == "pass" and "container falco" in ev
