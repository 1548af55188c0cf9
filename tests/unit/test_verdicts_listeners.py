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


# --- Case 2: the listener list against a reference parse, and moby's own host-parsing cases -------

def normalized(record):
    """A listener record as ParseDaemonHost prints the host (``tcp://[::1]:5555``, ``unix:///path``)."""
    if record["scheme"] == "tcp":
        host = record["address"]
        return "tcp://%s:%s" % ("[%s]" % host if ":" in host else host, record["port"])
    return "%s://%s" % (record["scheme"], record["address"])


# moby daemon/pkg/opts/hosts_test.go TestParseDockerDaemonHost (DefaultHTTPHost localhost, port 2375).
MOBY_VALID = {
    ":": "tcp://localhost:2375",
    ":5555": "tcp://localhost:5555",
    "0.0.0.1:": "tcp://0.0.0.1:2375",
    "0.0.0.1:5555": "tcp://0.0.0.1:5555",
    "[::1]": "tcp://[::1]:2375",
    "[::1]:": "tcp://[::1]:2375",
    "[::1]:5555": "tcp://[::1]:5555",
    "[0:0:0:0:0:0:0:1]": "tcp://[0:0:0:0:0:0:0:1]:2375",
    "[0:0:0:0:0:0:0:1]:": "tcp://[0:0:0:0:0:0:0:1]:2375",
    "[0:0:0:0:0:0:0:1]:5555": "tcp://[0:0:0:0:0:0:0:1]:5555",
    "localhost": "tcp://localhost:2375",
    "localhost:": "tcp://localhost:2375",
    "localhost:5555": "tcp://localhost:5555",
    "fd://": "fd://",
    "fd://something": "fd://something",
    "npipe://": "npipe:////./pipe/docker_engine",
    "npipe:////./pipe/foo": "npipe:////./pipe/foo",
    "tcp://host:": "tcp://host:2375",
    "tcp://": "tcp://localhost:2375",
    "tcp://:": "tcp://localhost:2375",
    "tcp://:5555": "tcp://localhost:5555",
    "tcp://[::1]": "tcp://[::1]:2375",
    "tcp://[::1]:": "tcp://[::1]:2375",
    "tcp://[::1]:5555": "tcp://[::1]:5555",
    "tcp://0.0.0.0:5555": "tcp://0.0.0.0:5555",
    "tcp://192.168:5555": "tcp://192.168:5555",
    "tcp://192.168.0.1:5555": "tcp://192.168.0.1:5555",
    "tcp://0.0.0.0:1234567890": "tcp://0.0.0.0:1234567890",
    "tcp://docker.com:5555": "tcp://docker.com:5555",
    "unix://": "unix:///var/run/docker.sock",
    "unix://path/to/socket": "unix://path/to/socket",
    "unix:///run/docker.sock": "unix:///run/docker.sock",
}

# The same test's invalid hosts. Left out: "" and " ": dockerd's ValidateHost never parses an empty
# value, 20.10-26 ParseHost trims and takes it for the default host (parse_host does the same).
MOBY_INVALID = [
    "something with spaces", "://", "unknown://", "tcp://:port", "tcp://invalid:port", "tcp://:5555/",
    "tcp://:5555/p", "tcp://0.0.0.0:5555/", "tcp://0.0.0.0:5555/p", "tcp://[::1]:/", "tcp://[::1]:5555/",
    "tcp://[::1]:5555/p", "tcp:a.b.c.d", "tcp:a.b.c.d/path", "tcp://127.0.0.1/", "udp://127.0.0.1",
    "udp://127.0.0.1:5555", "tcp://unix:///run/docker.sock", " tcp://:5555/path ", ":5555/path",
    "0.0.0.1:5555/path", "[::1]:5555/path", "[0:0:0:0:0:0:0:1]:5555/path", "tcp://:5555/path",
    "localhost:5555/path", "unix://tcp://127.0.0.1", "unix://unix://tcp://127.0.0.1",
]


@pytest.mark.parametrize("value,expected", sorted(MOBY_VALID.items()))
def test_moby_valid_hosts(value, expected):
    record = dockerd_cli.parse_host(value)
    assert record["error"] is None, record
    assert normalized(record) == expected


@pytest.mark.parametrize("value", MOBY_INVALID)
def test_moby_invalid_hosts_are_error_records(value):
    record = dockerd_cli.parse_host(value)
    assert record["error"], record
    assert value.strip() in record["error"]


# Reference model of what dockerd listens on, built from the parts the strategies draw: a TCP host
# (empty: localhost), a port (none: 2375), written with or without tcp://; a unix path (empty: the
# default socket); an fd spec. Written independently of dockerd_cli: the parts are known, not parsed.
TCP_HOSTS = ["", "0.0.0.0", "127.0.0.1", "localhost", "192.0.2.7", "docker.example", "[::]", "[::1]",
             "[fe80::1]"]
UNIX_PATHS = ["", "/var/run/docker.sock", "/run/docker.sock", "/srv/docker/api.sock"]


@st.composite
def host_value(draw):
    kind = draw(st.sampled_from(["tcp", "tcp", "unix", "fd"]))
    if kind == "tcp":
        host = draw(st.sampled_from(TCP_HOSTS))
        port = draw(st.one_of(st.none(), st.just(""), st.integers(min_value=1, max_value=65535)))
        scheme = draw(st.sampled_from(["tcp://", ""]))
        text = scheme + host + ("" if port is None else ":%s" % port)
        if not text:
            text = "tcp://"
        expected = ("tcp", host.strip("[]") or "localhost", port if isinstance(port, int) else 2375)
        return text, expected
    if kind == "unix":
        path = draw(st.sampled_from(UNIX_PATHS))
        return "unix://" + path, ("unix", path or "/var/run/docker.sock", None)
    spec = draw(st.sampled_from(["", "*", "3"]))
    return "fd://" + spec, ("fd", spec, None)


@st.composite
def host_argv(draw, value):
    """One -H/--host value in a form pflag accepts."""
    forms = [["-H", value], ["-H=" + value], ["--host", value], ["--host=" + value]]
    if value:
        forms += [["-H" + value], ["-DH" + value], ["-D", "-H" + value]]
    return draw(st.sampled_from(forms))


NOISE = st.sampled_from([["--tlsverify=false"], ["--debug"], ["--live-restore"], ["--icc=false"],
                         ["--userland-proxy=false"], ["--selinux-enabled"], ["--no-new-privileges"],
                         ["--iptables"], ["--ip-masq=true"], ["--experimental"], ["--init"],
                         ["--log-level", "info"], ["--containerd", "/run/containerd/containerd.sock"],
                         ["-l", "warn"], ["-G", "docker"], ["--data-root=/srv/docker"]])


@given(flag_hosts=st.lists(host_value(), max_size=4), file_hosts=st.lists(host_value(), max_size=3),
       data=st.data())
def test_listener_list_matches_the_reference_parse(flag_hosts, file_hosts, data):
    argv = ["/usr/bin/dockerd"]
    for value, _expected in flag_hosts:
        argv += data.draw(NOISE) if data.draw(st.booleans()) else []
        argv += data.draw(host_argv(value))
    argv += data.draw(NOISE) if data.draw(st.booleans()) else []
    f = make_facts()
    f["dockerd_process"].update(cmdline=argv, flags=gather_proc.parse_flags(argv),
                                socket_activation={"listen_streams": []})
    content = {}
    if file_hosts or data.draw(st.booleans()):
        content["hosts"] = [v for v, _e in file_hosts]
    f["daemon_config"]["content"] = content
    expected = [e for _v, e in flag_hosts + file_hosts]
    if not expected:
        # no host: the unix socket, or with TLS on (--tlsverify set to anything) tcp://localhost:2376
        tls_on = "--tlsverify=false" in argv
        expected = [("tcp", "localhost", 2376) if tls_on else ("unix", "/var/run/docker.sock", None)]
    got = [(r["scheme"], r["address"], r["port"]) for r in daemon_listeners(f) if r["source"] != "docker.socket"]
    assert sorted(got, key=repr) == sorted(expected, key=repr), argv
    # and the verdict follows: any TCP host fails X.5 (the noise never turns client verification on)
    status = run("X.5", f)[0]
    has_tcp = any(e[0] == "tcp" for e in expected)
    has_fd = any(e[0] == "fd" for e in expected)
    assert status == ("fail" if has_tcp else "error" if has_fd else "pass"), (argv, content)


def test_tls_without_a_host_listens_on_tcp_localhost_2376():
    # loadDaemonCliConfig: no host and TLS on -> DefaultTLSHost; --tlsverify=false turns TLS on unverified.
    f = with_cmdline(["dockerd", "--tlsverify=false"])
    status, evidence = run("X.5", f)
    assert status == "fail" and "tcp://localhost:2376" in evidence
