"""Issue 16, dockerd's listeners and the daemon record: verdicts by dockerd's own rules.

Each case is a host state that looked hardened to the old string checks (an address without
``tcp://``, ``-Htcp://...``, docker.socket's TCP ListenStream, a --config-file, a custom socket
path, a containerd socket mount, a restart within a second) and the verdict dockerd's own rules
give (moby daemon/pkg/opts/hosts.go, daemon/command/daemon.go, systemd.socket(5)).
"""

import pytest
from hypothesis import given, strategies as st

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended, secrets
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import daemon_listeners
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import dockerd_process as gather_proc


def run(item, facts):
    checks = dict(secrets.CHECKS, **{k: v for k, v in extended.CHECKS.items()})
    key = item.replace("X.", "x") if item.startswith("X.") else item
    check = checks.get(item) or getattr(extended, "check_" + key.lower())
    status, evidence = check(facts, {})
    return status, " | ".join(evidence)


def with_cmdline(argv, content=None):
    """Facts of a dockerd started with ``argv`` (and daemon.json ``content``), parsed as the gather does."""
    f = make_facts()
    f["dockerd_process"]["cmdline"] = argv
    f["dockerd_process"]["flags"] = gather_proc.parse_flags(argv)
    if content is not None:
        f["daemon_config"]["content"] = content
    return f


# --- Case 1: an address without a scheme is TCP ------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["dockerd", "-H", "0.0.0.0:2375"],
    ["dockerd", "--host=:2375"],
    ["dockerd", "--host", ":2375"],
    ["dockerd", "-Htcp://0.0.0.0:2375"],
    ["dockerd", "-H=tcp://0.0.0.0:2375"],
    ["dockerd", "-H0.0.0.0:2375"],
    ["dockerd", "-DHtcp://0.0.0.0:2375"],
    ["dockerd", "-D", "-H", "tcp://"],
    ["dockerd", "-H", "fd://", "-H", "localhost"],
    ["dockerd", "-H", "unix:///var/run/docker.sock", "-H", "[::]:2375"],
    ["dockerd", "--debug", "-H", "192.0.2.7:2375"],
    ["dockerd", "--tlsverify=f", "-H", "0.0.0.0:2375"],
    ["dockerd", "--tls=false", "-H", "0.0.0.0:2375"],
    ["dockerd", "--tlsverify=false", "-H", "0.0.0.0:2375"],
    ["dockerd", "--tlsverify=0", "-H", "0.0.0.0:2375"],
])
def test_30_x5_a_tcp_listener_in_any_form_dockerd_accepts_fails(argv):
    f = with_cmdline(argv)
    for item in ("30", "X.5"):
        status, evidence = run(item, f)
        assert status == "fail", (item, argv, evidence)
        assert "without TLS client verification" in evidence


@pytest.mark.parametrize("hosts", [["127.0.0.1:2375"], ["unix:///var/run/docker.sock", ":2375"], ["tcp://"],
                                   ["localhost"], ["[::1]:5555"]])
def test_30_x5_daemon_json_hosts_without_a_scheme_fail(hosts):
    f = make_facts()
    f["dockerd_process"]["flags"] = {"--containerd": ["/run/containerd/containerd.sock"]}
    f["daemon_config"]["content"]["hosts"] = hosts
    for item in ("30", "X.5"):
        status, evidence = run(item, f)
        assert status == "fail", (item, hosts, evidence)
        assert "daemon.json hosts" in evidence


def test_a_boolean_flag_never_takes_the_next_argument():
    flags = gather_proc.parse_flags(["dockerd", "--tlsverify", "-H", "0.0.0.0:2376", "--live-restore",
                                     "--icc=false", "--selinux-enabled", "--log-level", "info"])
    assert flags["--tlsverify"] == [""]
    assert flags["-H"] == ["0.0.0.0:2376"]
    assert flags["--live-restore"] == [""]
    assert flags["--icc"] == ["false"]
    assert flags["--log-level"] == ["info"]
    # "--tls false": pflag sets --tls and leaves "false" as a (refused) positional argument
    assert gather_proc.parse_flags(["dockerd", "--tls", "false"]) == {"--tls": [""]}
    assert gather_proc.parse_flags(["dockerd", "-D", "tcp://x"]) == {"-D": [""]}


def test_tlsverify_from_the_flag_or_the_file_passes():
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376", "--tlsverify"])
    assert run("X.5", f)[0] == "pass"
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376"])
    f["daemon_config"]["content"]["tlsverify"] = True
    assert run("X.5", f)[0] == "pass"


def test_tls_alone_implies_tlsverify_as_dockerd_applies_it():
    # options.go setDefaultOptions / loadDaemonCliConfig: TLS on and tlsverify unset -> verify.
    assert run("X.5", with_cmdline(["dockerd", "-H", "0.0.0.0:2376", "--tls"]))[0] == "pass"
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376"], dict(make_facts()["daemon_config"]["content"], tls=True))
    assert run("X.5", f)[0] == "pass"


def test_tlsverify_false_in_the_file_is_tls_without_client_verification():
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376"])
    f["daemon_config"]["content"]["tlsverify"] = False
    assert run("X.5", f)[0] == "fail"


def test_the_files_tls_false_beats_an_implied_tls_from_the_tlsverify_flag():
    # mergo fills only what the file leaves unset: "tls": false stays, and TLS is off.
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376", "--tlsverify"])
    f["daemon_config"]["content"]["tls"] = False
    status, evidence = run("X.5", f)
    assert status == "fail" and "daemon.json tls=false" in evidence


def test_tlsverify_with_an_empty_ca_trusts_every_public_ca():
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376", "--tlsverify", "--tlscacert="])
    status, evidence = run("X.5", f)
    assert status == "fail" and "system's root CAs" in evidence


@pytest.mark.parametrize("value", ["TCP://0.0.0.0:2375", "udp://0.0.0.0:2375", "tcp://0.0.0.0:2375/",
                                   "tcp://:port", "something with spaces"])
def test_a_host_dockerd_would_not_parse_is_an_error_naming_it(value):
    f = with_cmdline(["dockerd", "-H", value])
    for item in ("30", "X.5"):
        status, evidence = run(item, f)
        assert status == "error", (item, value, evidence)
        assert value.strip() in evidence


def test_a_non_list_hosts_in_daemon_json_is_an_error():
    f = make_facts()
    f["daemon_config"]["content"]["hosts"] = "tcp://0.0.0.0:2375"
    assert run("X.5", f)[0] == "error"


def test_a_non_boolean_tlsverify_is_an_error():
    f = with_cmdline(["dockerd", "-H", "unix:///var/run/docker.sock", "--tlsverify=yes"])
    assert run("X.5", f)[0] == "error"


def test_the_unit_exec_start_is_read_the_same_way():
    f = make_facts()
    f["dockerd_process"].update(flags={}, cmdline=None, unit_exec_start="/usr/bin/dockerd -Htcp://0.0.0.0:2375")
    assert run("X.5", f)[0] == "fail"
