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
    checks = dict(secrets.CHECKS, **dict(extended.CHECKS))
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


# --- Case 3: -H fd:// serves docker.socket's ListenStream= sockets --------------------------------

@pytest.mark.parametrize("streams,status", [
    (["/run/docker.sock"], "pass"),
    (["/run/docker.sock", "2375"], "fail"),
    (["/run/docker.sock", "0.0.0.0:2375"], "fail"),
    (["[::]:2375"], "fail"),
    (["@docker"], "fail"),
    (["vsock:2:2375"], "fail"),
    ([], "error"),
    (["docker.example:2375"], "error"),
])
def test_30_x5_judge_docker_socket_listen_streams(streams, status):
    f = make_facts()
    f["dockerd_process"]["socket_activation"]["listen_streams"] = streams
    for item in ("30", "X.5"):
        got, evidence = run(item, f)
        assert got == status, (item, streams, evidence)


def test_fd_without_the_socket_unit_read_is_an_error():
    f = make_facts()
    del f["dockerd_process"]["socket_activation"]
    status, evidence = run("X.5", f)
    assert status == "error" and "ListenStream" in evidence


class UnitHost(object):
    """Files (and links) from dicts, for the systemd unit and /proc readers."""

    def __init__(self, files, links=None):
        self.files, self.links = files, links or {}

    def read(self, p):
        if p not in self.files:
            raise IOError(2, "No such file or directory")
        return self.files[p]

    def exists(self, p):
        return p in self.files or p in self.links

    def listdir(self, p):
        prefix = p.rstrip("/") + "/"
        return sorted(set(k[len(prefix):].split("/")[0] for k in list(self.files) + list(self.links)
                          if k.startswith(prefix)))

    def glob(self, pattern):
        import fnmatch
        return sorted(p for p in self.files if fnmatch.fnmatch(p, pattern))

    def lstat(self, p):
        import os
        import stat
        if p in self.links:
            return os.stat_result((stat.S_IFLNK | 0o777, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        if p in self.files:
            return os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        raise OSError(2, "No such file or directory")

    def readlink(self, p):
        if p in self.links:
            return self.links[p]
        raise OSError(22, "Invalid argument")

    def realpath(self, p):
        return "/run" + p[len("/var/run"):] if p.startswith("/var/run/") else p


SOCKET_UNIT = "[Unit]\nDescription=Docker Socket\n\n[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n"


def test_socket_unit_drop_ins_reset_and_add():
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import systemd_unit
    h = UnitHost({
        "/lib/systemd/system/docker.socket": SOCKET_UNIT,
        "/etc/systemd/system/docker.socket.d/10-tcp.conf": "[Socket]\nListenStream=\nListenStream=2375\n"
                                                           "ListenStream=%t/docker.sock\n",
        "/lib/systemd/system/docker.socket.d/20-more.conf": "[Socket]\n# ListenStream=9999\nListenStream=[::1]:2376\n",
        "/lib/systemd/system/docker.socket.d/10-tcp.conf": "[Socket]\nListenStream=1111\n",   # hidden by /etc's
    })
    got = systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")
    assert got["values"] == ["2375", "/run/docker.sock", "[::1]:2376"]
    assert "/lib/systemd/system/docker.socket.d/10-tcp.conf" not in got["files"]


def test_socket_unit_in_etc_replaces_the_one_in_lib_and_a_mask_has_none():
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import systemd_unit
    h = UnitHost({"/lib/systemd/system/docker.socket": SOCKET_UNIT,
                  "/etc/systemd/system/docker.socket": "[Socket]\nListenStream=0.0.0.0:2375\n"})
    assert systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")["values"] == ["0.0.0.0:2375"]
    h = UnitHost({"/lib/systemd/system/docker.socket": SOCKET_UNIT},
                 links={"/etc/systemd/system/docker.socket": "/dev/null"})
    got = systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")
    assert got["masked"] and got["values"] == []


def test_gathered_record_lists_the_socket_units_tcp_listener():
    h = UnitHost({
        "/proc/42/comm": "dockerd\n", "/proc/42/cmdline": "/usr/bin/dockerd\0-H\0fd://\0", "/proc/42/limits": "",
        "/lib/systemd/system/docker.socket": SOCKET_UNIT,
        "/etc/systemd/system/docker.socket.d/override.conf": "[Socket]\nListenStream=2375\n",
    })
    out, _source = gather_proc.collect_dockerd_process(h)
    assert out["socket_activation"]["listen_streams"] == ["/run/docker.sock", "2375"]
    assert [(r["scheme"], r["port"]) for r in out["listeners"] if r["source"] == "docker.socket ListenStream"] == \
        [("unix", None), ("tcp", 2375)]
    f = make_facts()
    f["dockerd_process"] = dict(f["dockerd_process"], **out)
    assert run("X.5", f)[0] == "fail"


# --- Case 4: the daemon's own config file, from the dockerd serving the endpoint --------------------

def test_a_config_file_dockerd_does_not_read_is_never_judged():
    f = make_facts()
    f["dockerd_process"]["config_file"] = "/var/snap/docker/current/config/daemon.json"
    f["docker"]["info"].pop("LiveRestoreEnabled")
    for item in ("7", "10", "X.8", "X.9"):
        check = dict(extended.CHECKS, **__import__(
            "ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.daemon",
            fromlist=["CHECKS"]).CHECKS)[item]
        status, evidence = check(f, {})
        assert status == "error", (item, evidence)
        assert "/var/snap/docker/current/config/daemon.json" in " ".join(evidence)


def test_a_config_file_flag_alone_names_the_file_too():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    f["dockerd_process"]["flags"]["--config-file"] = ["/srv/docker/daemon.json"]
    assert daemon.check_10(f, {})[0] == "error"


def proc_host(pids, extra=None):
    files = {}
    for pid, argv in pids.items():
        files["/proc/%d/comm" % pid] = "dockerd\n"
        files["/proc/%d/cmdline" % pid] = "\0".join(argv) + "\0"
        files["/proc/%d/limits" % pid] = ""
    files.update(extra or {})
    return UnitHost(files)


def test_the_record_is_of_the_dockerd_serving_the_endpoint_not_the_first_one():
    h = proc_host({
        100: ["/usr/bin/dockerd", "-H", "unix:///run/other.sock", "--config-file", "/etc/other/daemon.json"],
        200: ["/snap/docker/bin/dockerd", "--config-file=/var/snap/docker/current/config/daemon.json",
              "-H", "unix:///var/run/docker.sock"],
    })
    out, _source = gather_proc.collect_dockerd_process(h, "unix:///var/run/docker.sock")
    assert out["pid"] == 200
    assert out["config_file"] == "/var/snap/docker/current/config/daemon.json"
    params = {"endpoint": "unix:///var/run/docker.sock", "daemon_json_path": "/etc/docker/daemon.json"}
    assert gather_proc.config_path(h, params)[0] == "/var/snap/docker/current/config/daemon.json"


def test_the_dockerd_holding_the_endpoints_socket_inode_is_chosen():
    h = proc_host({100: ["/usr/bin/dockerd", "-H", "fd://"], 200: ["/usr/bin/dockerd", "-H", "fd://"]}, {
        "/proc/net/unix": "Num RefCount Protocol Flags Type St Inode Path\n"
                          "0000: 00000002 00000000 00010000 0001 01 5555 /run/docker.sock\n"
                          "0000: 00000002 00000000 00010000 0001 01 6666 /run/other.sock\n",
        "/proc/100/fd/3": "", "/proc/200/fd/3": "",
    })
    h.links.update({"/proc/100/fd/3": "socket:[6666]", "/proc/200/fd/3": "socket:[5555]"})
    assert gather_proc.locate_dockerd(h, "unix:///var/run/docker.sock")[0] == 200


def test_several_dockerds_and_none_known_to_serve_the_endpoint_is_a_collector_error():
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError
    h = proc_host({100: ["/usr/bin/dockerd", "-H", "fd://"], 200: ["/usr/bin/dockerd", "-H", "fd://"]})
    with pytest.raises(CollectorError):
        gather_proc.collect_dockerd_process(h, "unix:///var/run/docker.sock")


# --- Case 5: every unix listener stat'ed; containerd's socket and parent directories ---------------

def test_30_a_custom_socket_path_is_stat_ed():
    f = with_cmdline(["dockerd", "-H", "unix:///srv/docker/api.sock"])
    status, evidence = run("30", f)
    assert status == "error" and "/srv/docker/api.sock: not stat'ed" in evidence
    f["files"]["/srv/docker/api.sock"] = {"exists": True, "mode": "0666", "owner": "root", "group": "docker",
                                          "type": "socket"}
    status, evidence = run("30", f)
    assert status == "fail" and "/srv/docker/api.sock 0666" in evidence
    f["files"]["/srv/docker/api.sock"]["mode"] = "0660"
    assert run("30", f)[0] == "pass"


@pytest.mark.parametrize("source", ["/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock",
                                    "/run/containerd", "/run", "/var/run/", "/", "/srv/docker"])
def test_30_mounts_of_containerds_socket_or_a_parent_directory_fail(source):
    f = with_cmdline(["dockerd", "-H", "unix:///srv/docker/api.sock"])
    f["files"]["/srv/docker/api.sock"] = {"exists": True, "mode": "0660", "owner": "root", "group": "docker",
                                          "type": "socket"}
    f["docker"]["containers"] = [make_container(mounts=[{"type": "bind", "source": source,
                                                         "destination": "/host", "rw": False}])]
    status, evidence = run("30", f)
    assert status == "fail" and "mounts %s" % source in evidence


@pytest.mark.parametrize("argv,source", [
    # dockerd supervises its own containerd under exec-root when no system one runs (Docker 20.10 on Debian).
    (["dockerd"], "/var/run/docker/containerd/containerd.sock"),
    (["dockerd", "--exec-root=/srv/exec"], "/srv/exec/containerd/containerd.sock"),
    (["dockerd", "--containerd", "/opt/ctrd/api.sock"], "/opt/ctrd/api.sock"),
])
def test_30_a_mount_of_the_containerd_socket_dockerd_uses_fails(argv, source):
    # Found by molecule/adversarial: the supervised containerd's socket passed on bookworm and trixie.
    f = with_cmdline(argv)
    f["docker"]["containers"] = [make_container(mounts=[{"type": "bind", "source": source,
                                                         "destination": "/c.sock", "rw": False}])]
    status, evidence = run("30", f)
    assert status in ("fail", "error") and "mounts %s" % source in evidence


def test_30_a_mount_of_var_is_not_a_mount_of_var_run():
    f = make_facts()
    f["docker"]["containers"] = [make_container(mounts=[{"type": "bind", "source": "/var", "destination": "/v",
                                                         "rw": False}])]
    assert run("30", f)[0] == "pass"


def test_files_collector_stats_the_daemons_sockets_and_config_file():
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import files
    h = proc_host({7: ["/usr/bin/dockerd", "-H", "unix:///srv/docker/api.sock", "--config-file", "/srv/d.json"]})
    paths = files.daemon_paths(h, {"endpoint": "unix:///srv/docker/api.sock"})
    assert "/srv/docker/api.sock" in paths and "/srv/d.json" in paths
    assert "/run/containerd/containerd.sock" in paths


# --- Case 6: a file written just before dockerd started is not "changed after" ----------------------

def test_10_a_write_within_the_start_times_precision_is_not_a_pending_restart():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    # daemon.json written at .6, dockerd started 0.3 s later; btime truncation puts the start at :00
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00.600000Z"
    f["dockerd_process"]["started_at"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at_uncertainty"] = 1.02
    assert daemon.check_10(f, {})[0] == "pass"
    del f["dockerd_process"]["started_at_uncertainty"]     # older facts: whole seconds, twice truncated
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:01Z"
    assert daemon.check_10(f, {})[0] == "pass"
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:05Z"    # well after: the file is not in effect
    assert daemon.check_10(f, {})[0] == "error"


def test_a_precise_start_time_keeps_a_real_change_after_it():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    f["dockerd_process"].update(started_at="2026-11-22T10:00:00.250000Z", started_at_uncertainty=0.03)
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00.900000Z"
    assert daemon.check_10(f, {})[0] == "error"


def test_start_time_from_uptime_has_sub_second_precision(monkeypatch):
    stat_line = "42 (dockerd) S 1 42 42 0 -1 4194560 " + " ".join(["0"] * 12) + " 12345 1 2 3\n"
    h = proc_host({42: ["/usr/bin/dockerd"]}, {"/proc/42/stat": stat_line, "/proc/uptime": "200.50 100.00\n",
                                               "/proc/stat": "btime 1795219200\n"})
    monkeypatch.setattr(gather_proc.os, "sysconf", lambda name: 100)
    monkeypatch.setattr(gather_proc.time, "time", lambda: 1795219400.75)
    started, uncertainty = gather_proc._started(h, 42)
    # boot at 1795219400.75 - 200.50 = 1795219200.25 (00:00:00.25), + 12345 ticks at 100 Hz = 123.45 s
    assert started == "2026-11-21T00:02:03.700000Z" and uncertainty < 0.1


# --- Case 7: review of items 6-10, 20, X.5-X.9 against moby -------------------------------------

def test_10_a_ulimit_entry_limits_what_its_name_says():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    # mergeUlimits appends the entry itself: {"nofile": {"Name": "nproc"}} limits nproc only.
    f["daemon_config"]["content"]["default-ulimits"] = {
        "nofile": {"Name": "nproc", "Hard": 4096, "Soft": 4096},
        "nproc": {"Name": "nproc", "Hard": 4096, "Soft": 4096}}
    status, evidence = daemon.check_10(f, {})
    assert status == "fail" and "nofile not set" in " ".join(evidence)


def test_10_lower_case_ulimit_fields_are_read_as_dockerd_decodes_them():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    f["daemon_config"]["content"]["default-ulimits"] = {
        "nofile": {"name": "nofile", "hard": 20000, "soft": 20000},
        "nproc": {"name": "nproc", "hard": 4096, "soft": 4096}}
    assert daemon.check_10(f, {})[0] == "pass"


def test_a_flag_beats_the_file_for_the_same_key():
    # findConfigurationConflicts: dockerd refuses a key given both ways, so the file changed since.
    f = make_facts()
    f["dockerd_process"]["flags"]["--userland-proxy"] = ["true"]
    status, evidence = run("X.9", f)
    assert status == "fail" and "--userland-proxy" in evidence


def test_a_go_boolean_flag_value_is_read_as_pflag_reads_it():
    f = make_facts()
    f["daemon_config"]["content"].pop("userland-proxy")
    f["dockerd_process"]["flags"]["--userland-proxy"] = ["F"]
    assert run("X.9", f)[0] == "pass"


def test_x5_a_daemon_json_changed_after_start_leaves_the_listeners_unknown():
    # hosts/tlsverify are read at start: a file that gained tlsverify (or lost a TCP host) since is not what runs
    f = with_cmdline(["dockerd", "-H", "0.0.0.0:2376"])
    f["daemon_config"]["content"]["tlsverify"] = True
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    status, evidence = run("X.5", f)
    assert status == "error" and "changed at" in evidence


def test_x5_a_changed_daemon_json_opens_no_tcp_api_when_dockerd_holds_no_tcp_socket():
    # Found by molecule/faults (daemon.json replaced by a symlink after dockerd started): the kernel's own list
    # of dockerd's TCP listening sockets settles the TCP side.
    f = make_facts()
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    f["dockerd_process"]["tcp_listening"] = []
    status, evidence = run("X.5", f)
    assert status == "pass" and "no TCP listening socket" in evidence
    f["dockerd_process"]["tcp_listening"] = None
    assert run("X.5", f)[0] == "error"


def test_x9_a_string_false_in_daemon_json_is_not_a_boolean_dockerd_takes():
    f = make_facts()
    f["daemon_config"]["content"]["userland-proxy"] = "false"
    assert run("X.9", f)[0] == "error"


def test_x5_a_live_tcp_socket_no_setting_explains_is_an_error():
    # e.g. -H in $DOCKER_OPTS of an EnvironmentFile, or a form this model does not read
    f = make_facts()
    f["dockerd_process"]["tcp_listening"] = [{"address": "0.0.0.0", "port": 2375}]
    status, evidence = run("X.5", f)
    assert status == "error" and "TCP 0.0.0.0 port 2375" in evidence
    f["dockerd_process"]["tcp_listening"] = [{"address": "127.0.0.1", "port": 9323}]
    f["daemon_config"]["content"]["metrics-addr"] = "127.0.0.1:9323"
    assert run("X.5", f)[0] == "pass"
    f = with_cmdline(["dockerd", "-H", "fd://", "--tlsverify"])
    f["dockerd_process"]["socket_activation"]["listen_streams"] = ["/run/docker.sock", "2376"]
    f["dockerd_process"]["tcp_listening"] = [{"address": "::", "port": 2376}]
    assert run("X.5", f)[0] == "pass"


def test_gather_lists_dockerds_tcp_listening_sockets():
    h = proc_host({42: ["/usr/bin/dockerd", "-H", "fd://"]}, {
        "/proc/42/fd/3": "", "/proc/42/fd/4": "",
        "/proc/net/tcp": "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode\n"
                         "0: 00000000:094F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 777 1\n"
                         "1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 888 1\n",
    })
    h.links.update({"/proc/42/fd/3": "socket:[777]", "/proc/42/fd/4": "pipe:[1]"})
    assert gather_proc.tcp_listening(h, 42) == [{"address": "0.0.0.0", "port": 2383}]


def test_10_evidence_names_the_config_file_dockerd_reads():
    # Found by molecule/adversarial: with --config-file the evidence said "daemon.json" for another file.
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon
    f = make_facts()
    f["dockerd_process"]["config_file"] = "/etc/docker/daemon-live.json"
    f["daemon_config"]["path"] = "/etc/docker/daemon-live.json"
    f["daemon_config"]["content"].pop("default-ulimits", None)
    status, evidence = daemon.check_10(f, {})
    assert status == "fail" and "/etc/docker/daemon-live.json" in " ".join(evidence)


def test_x5_a_published_port_dockerd_holds_without_the_userland_proxy_is_no_api():
    # Found by molecule/remediation: with userland-proxy off dockerd binds 0.0.0.0:80 itself for a container's
    # published port (moby libnetwork/portmapper newDummyProxy); that is not an API listener.
    f = make_facts()
    f["dockerd_process"]["tcp_listening"] = [{"address": "0.0.0.0", "port": 80}]
    f["docker"]["containers"] = [make_container(ports=[{"container_port": "80/tcp", "host_ip": "0.0.0.0",
                                                        "host_port": "80"}])]
    assert run("X.5", f)[0] == "pass"
    f["dockerd_process"]["tcp_listening"].append({"address": "0.0.0.0", "port": 2375})
    status, evidence = run("X.5", f)
    assert status == "error" and "port 2375" in evidence
