"""Every dockerd on a host: discovery from a fake /proc, the primary choice, and each daemon read over its own socket."""

import json
import pwd
import stat

import pytest
from fake_host import FakeHost

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import daemons as gather_daemons
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import registry

HOST_USERNS, HOST_MNTNS, HOST_PIDNS = "user:[4026531837]", "mnt:[4026531841]", "pid:[4026531836]"
SECRET = "hunter2-aws-secret"
ACCOUNTS = {0: ("root", "/root"), 1000: ("svc", "/home/svc"), 1001: ("ci", "/home/ci")}


@pytest.fixture(autouse=True)
def accounts(monkeypatch):
    # The real machine's passwd must not decide a test: uid -> (name, home) from ACCOUNTS only.
    def getpwuid(uid):
        if uid not in ACCOUNTS:
            raise KeyError(uid)
        name, home = ACCOUNTS[uid]
        return pwd.struct_passwd((name, "x", uid, uid, "", home, "/bin/sh"))
    monkeypatch.setattr(gather_daemons.pwd, "getpwuid", getpwuid)


def _process(files, links, pid, comm, argv, uid=0, ppid=1, userns=HOST_USERNS, mntns=HOST_MNTNS, environ="",
             exe=None, uid_map="         0          0 4294967295\n", pidns=HOST_PIDNS):
    files["/proc/%d/comm" % pid] = comm + "\n"
    files["/proc/%d/cmdline" % pid] = "\0".join(argv) + "\0"
    files["/proc/%d/status" % pid] = "Name:\t%s\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n" % (comm, ppid, uid, uid, uid, uid)
    files["/proc/%d/limits" % pid] = ""
    files["/proc/%d/environ" % pid] = environ
    files["/proc/%d/uid_map" % pid] = uid_map
    links["/proc/%d/ns/user" % pid] = userns
    links["/proc/%d/ns/mnt" % pid] = mntns
    links["/proc/%d/ns/pid" % pid] = pidns
    if exe:
        links["/proc/%d/exe" % pid] = exe


def two_daemon_host(rootful=True, rootless=True, srv=True, schemeless=True, orphan_socket=True):
    """A rootful dockerd (docker.service, fd://), a rootless one under rootlesskit, a second rootful one
    on -H unix:///srv/docker.sock, one started with a scheme-less -H /srv/x.sock, and a user socket
    no process serves."""
    files, links, modes = {}, {}, {}
    _process(files, links, 1, "init", ["/sbin/init"])
    if rootful:
        _process(files, links, 100, "dockerd", ["/usr/bin/dockerd", "-H", "fd://",
                                                "--containerd=/run/containerd/containerd.sock"],
                 environ="PATH=/usr/bin\0DB_PASSWORD=%s\0HOME=/root\0" % SECRET, exe="/usr/bin/dockerd")
        files["/lib/systemd/system/docker.socket"] = "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n"
        files["/lib/systemd/system/docker.service"] = "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n"
        files["/proc/net/unix"] = ("Num RefCount Protocol Flags Type St Inode Path\n"
                                   "0000: 00000002 00000000 00010000 0001 01 5555 /run/docker.sock\n")
        files["/proc/100/fd/3"] = ""
        links["/proc/100/fd/3"] = "socket:[5555]"
        modes["/var/run/docker.sock"] = (stat.S_IFSOCK | 0o660, 0, 999)
    if rootless:
        _process(files, links, 200, "rootlesskit", ["rootlesskit", "--net=slirp4netns", "dockerd-rootless.sh"],
                 uid=1000, exe="/usr/bin/rootlesskit")
        _process(files, links, 201, "exe", ["rootlesskit", "--net=slirp4netns", "dockerd-rootless.sh"],
                 uid=1000, ppid=200, userns="user:[4026532500]", mntns="mnt:[4026532501]",
                 exe="/usr/bin/rootlesskit", uid_map="0 1000 1\n1 100000 65536\n")
        _process(files, links, 202, "dockerd", ["dockerd"], uid=1000, ppid=201, userns="user:[4026532500]",
                 mntns="mnt:[4026532501]", exe="/usr/bin/dockerd", uid_map="0 1000 1\n1 100000 65536\n",
                 environ="AWS_SECRET_ACCESS_KEY=%s\0XDG_RUNTIME_DIR=/run/user/1000\0HOME=/home/svc\0"
                         "DOCKER_PASS=%s\0" % (SECRET, SECRET))
        files["/home/svc/.config/docker/daemon.json"] = json.dumps({"log-level": "warn"})
        modes["/run/user/1000/docker.sock"] = (stat.S_IFSOCK | 0o660, 1000, 1000)
    if srv:
        _process(files, links, 300, "dockerd", ["/usr/bin/dockerd", "-H", "unix:///srv/docker.sock",
                                                "--config-file", "/srv/daemon.json", "--data-root", "/srv/lib"])
        files["/srv/daemon.json"] = json.dumps({"icc": False})
        modes["/srv/docker.sock"] = (stat.S_IFSOCK | 0o660, 0, 0)
    if schemeless:
        _process(files, links, 400, "dockerd", ["/usr/bin/dockerd", "-H", "/srv/x.sock"])
    if orphan_socket:
        modes["/run/user/1001/docker.sock"] = (stat.S_IFSOCK | 0o600, 1001, 1001)
    h = FakeHost(files=files, modes=modes)
    h.symlinks = links
    h.links = {"/var/run": "/run"}
    # FakeHost.glob sees files only: the sockets are modes
    h.glob = lambda pattern, _glob=h.glob: sorted(set(_glob(pattern)) | set(
        p for p in modes if __import__("fnmatch").fnmatch(p, pattern)))
    return h


def _params(endpoint=None, **extra):
    params = {"docker_host": endpoint, "endpoint": endpoint or "unix:///var/run/docker.sock",
              "endpoint_explicit": bool(endpoint), "timeout": 5, "daemon_json_path": "/etc/docker/daemon.json",
              "inspect_workers": 2, "state_path": "/etc/dockersec/state.json", "sensitive_label_keys": []}
    params.update(extra)
    return params


@pytest.fixture()
def engines(monkeypatch):
    """Each daemon's engine, by its socket path: what collect_docker returns, or the exception it raises.
    No socket is opened (this machine's own /var/run/docker.sock must not answer a test)."""
    answers = {}

    class Client(object):
        def __init__(self, endpoint, timeout, sdk=None, sdk_error=None):
            if not endpoint:
                raise gather_docker.CollectorError("no Docker endpoint given")
            self.socket_path = endpoint[len("unix://"):]
    monkeypatch.setattr(gather_docker, "engine_client", Client)

    def collect_docker(client_factory, workers, sensitive_label_keys, state, host=None, host_why_not=None):
        client = client_factory()
        answer = answers.get(client.socket_path)
        if answer is None:
            raise FileNotFoundError(2, "No such file or directory")
        if isinstance(answer, Exception):
            raise answer
        return answer
    monkeypatch.setattr(gather_docker, "collect_docker", collect_docker)
    return answers


def _engine(root, *names):
    return {"reachable": True, "api_version": "1.47", "info": {"DockerRootDir": root, "SecurityOptions": []},
            "containers": [{"name": n} for n in names], "images": {}, "networks": [], "volumes_count": 0,
            "swarm": None, "bridge_network": None, "local_state": {}}


def _gather(h, params, wanted=None):
    return registry.gather(h, params, set(wanted or registry.NAMES), {"collectors": {}})


def test_every_dockerd_is_found_and_each_non_primary_one_read_over_its_own_socket(engines):
    engines["/var/run/docker.sock"] = _engine("/var/lib/docker", "web")
    engines["/run/user/1000/docker.sock"] = _engine("/home/svc/.local/share/docker", "svc-app")
    engines["/srv/docker.sock"] = ConnectionRefusedError(111, "Connection refused")
    engines["/run/user/1001/docker.sock"] = _engine("/home/ci/.local/share/docker", "ci-job")
    facts = _gather(two_daemon_host(), _params(), ["daemons", "docker", "dockerd_process", "daemon_config", "files"])

    assert facts["collectors"]["daemons"]["ok"], facts["collectors"]["daemons"]
    by_name = dict((d["name"], d) for d in facts["daemons"])
    assert [d["name"] for d in facts["daemons"]] == [
        "root@unix:///var/run/docker.sock", "svc@unix:///run/user/1000/docker.sock", "root@unix:///srv/docker.sock",
        "root@pid:400", "ci@unix:///run/user/1001/docker.sock"]

    primary = by_name["root@unix:///var/run/docker.sock"]
    assert primary["primary"] and primary["pid"] == 100 and primary["rootless"] is False
    assert primary["found_by"] == "process" and primary["data_root"] == "/var/lib/docker"
    assert "docker" not in primary and "collectors" not in primary   # its sections are the top-level ones
    assert facts["dockerd_process"]["pid"] == 100 and [c["name"] for c in facts["docker"]["containers"]] == ["web"]

    svc = by_name["svc@unix:///run/user/1000/docker.sock"]
    assert svc["rootless"] is True and svc["user"] == "svc" and svc["uid"] == 1000 and svc["pid"] == 202
    assert svc["endpoint"] == "unix:///run/user/1000/docker.sock" and not svc["primary"]
    assert svc["data_root"] == "/home/svc/.local/share/docker"
    assert [c["name"] for c in svc["docker"]["containers"]] == ["svc-app"]
    assert svc["collectors"]["docker"]["ok"] and svc["collectors"]["docker"]["source"] == svc["endpoint"]
    assert svc["daemon_config"]["path"] == "/home/svc/.config/docker/daemon.json"
    assert svc["daemon_config"]["content"] == {"log-level": "warn"}
    assert svc["dockerd_process"]["pid"] == 202 and svc["dockerd_process"]["unit_exec_start"] is None
    assert svc["dockerd_process"]["listeners"][0]["address"] == "/run/user/1000/docker.sock"

    srv = by_name["root@unix:///srv/docker.sock"]
    assert srv["rootless"] is False and srv["data_root"] == "/srv/lib"
    assert srv["daemon_config"]["content"] == {"icc": False}
    # its socket refuses: that daemon's own collector error, the others gathered all the same
    assert not srv["collectors"]["docker"]["ok"] and "connection refused" in srv["collectors"]["docker"]["error"]
    assert srv["docker"]["reachable"] is False

    # dockerd reads a scheme-less host as TCP (ParseDaemonHost) and refuses a path: not guessed as a socket
    schemeless = by_name["root@pid:400"]
    assert schemeless["endpoint"] is None and not schemeless["collectors"]["docker"]["ok"]
    assert "path element" in schemeless["dockerd_process"]["listeners"][0]["error"]

    orphan = by_name["ci@unix:///run/user/1001/docker.sock"]
    assert orphan["found_by"] == "socket" and orphan["pid"] is None and orphan["rootless"] is True
    assert [c["name"] for c in orphan["docker"]["containers"]] == ["ci-job"]
    assert orphan["daemon_config"]["path"] == "/home/ci/.config/docker/daemon.json"
    assert orphan["daemon_config"]["chosen_by"] == "rootless default under the socket owner's home (no process read)"
    assert orphan["dockerd_process"]["pid"] is None and orphan["dockerd_process"]["config_file"] is None
    assert [r["address"] for r in orphan["dockerd_process"]["listeners"]] == ["/run/user/1001/docker.sock"]

    for path in ("/home/svc/.config/docker/daemon.json", "/run/user/1000/docker.sock", "/srv/docker.sock",
                 "/srv/daemon.json", "/srv/lib", "/home/svc/.local/share/docker", "/run/user/1001/docker.sock"):
        assert path in facts["files"], path
    assert facts["files"]["/run/user/1000/docker.sock"]["owner"] == "svc"
    # Each daemon's registry certificates beside its own config file (CIS 3.7/3.8), stat'ed even when absent.
    for path in ("/etc/docker/certs.d", "/home/svc/.config/docker/certs.d", "/srv/certs.d"):
        assert path in facts["files"], path


def test_nothing_of_a_daemons_environment_but_its_runtime_dir_and_home_is_kept(engines):
    h = two_daemon_host()
    params = _params()
    facts = _gather(h, params)
    assert SECRET not in json.dumps(facts, default=str)
    assert SECRET not in repr(params)            # nor in what the gather keeps between collectors
    assert gather_daemons.kept_environ(h, 202) == {"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/svc"}
    # a rootful dockerd's environment is not read at all
    reads = []
    h.read = lambda p, limit=None, _read=h.read: reads.append(p) or _read(p, limit)
    gather_daemons.discover(h, _params())
    assert "/proc/100/environ" not in reads and "/proc/202/environ" in reads


def test_rootless_needs_rootlesskit_above_it_and_its_own_user_namespace():
    h = two_daemon_host(rootful=False, srv=False, schemeless=False, orphan_socket=False)
    assert gather_daemons.rootless_state(h, 202)[0] is True
    # a dockerd in a user namespace without rootlesskit above it (a userns-remapped container) is not rootless
    h.files["/proc/202/status"] = h.files["/proc/202/status"].replace("PPid:\t201", "PPid:\t1")
    assert gather_daemons.rootless_state(h, 202) == (False, "no rootlesskit process above it")
    # under rootlesskit but in the host's user namespace: not rootless either
    h.files["/proc/202/status"] = h.files["/proc/202/status"].replace("PPid:\t1", "PPid:\t201")
    h.symlinks["/proc/202/ns/user"] = HOST_USERNS
    assert gather_daemons.rootless_state(h, 202)[0] is False


def test_a_dockerd_inside_a_container_is_not_taken_for_one_of_this_host(engines):
    h = two_daemon_host(rootless=False, srv=False, schemeless=False, orphan_socket=False)
    _process(h.files, h.symlinks, 500, "dockerd", ["dockerd", "-H", "unix:///var/run/docker.sock"],
             mntns="mnt:[4026533000]", pidns="pid:[4026533001]")
    # a snap's (or a sandboxed unit's) dockerd has a mount namespace of its own, and is this host's
    _process(h.files, h.symlinks, 600, "dockerd", ["dockerd", "-H", "unix:///run/snap.docker/docker.sock"],
             mntns="mnt:[4026533100]")
    facts = _gather(h, _params(), ["daemons"])
    assert [d["pid"] for d in facts["daemons"]] == [100, 600]
    assert "pid 500 runs in another PID namespace" in facts["collectors"]["daemons"]["source"]


def test_a_rootless_dockerd_inside_a_container_is_not_this_hosts_either(engines):
    # its rootlesskit, not only the dockerd, is in another PID namespace than the host's
    h = two_daemon_host(rootful=False, srv=False, schemeless=False, orphan_socket=False)
    h.symlinks["/proc/200/ns/pid"] = "pid:[4026533000]"
    del h.modes["/run/user/1000/docker.sock"]        # its socket is in the container's file system
    facts = _gather(h, _params(), ["daemons"])
    assert facts["daemons"] == []
    assert "dockerd pid 202 runs in another PID namespace (pid:[4026533000] of rootlesskit pid 200" in (
        facts["collectors"]["daemons"]["source"])


def test_the_host_namespaces_are_the_gathers_own_where_proc_1_is_not_readable(engines):
    # some sandboxes refuse readlink /proc/1/ns/*: the gather's own namespaces stand for the host's
    h = two_daemon_host(srv=False, schemeless=False, orphan_socket=False)
    h.symlinks["/proc/self/ns/pid"], h.symlinks["/proc/self/ns/user"] = HOST_PIDNS, HOST_USERNS
    del h.symlinks["/proc/1/ns/pid"], h.symlinks["/proc/1/ns/user"]
    _process(h.files, h.symlinks, 500, "dockerd", ["dockerd"], pidns="pid:[4026533000]")
    facts = _gather(h, _params(), ["daemons"])
    assert [(d["pid"], d["rootless"]) for d in facts["daemons"]] == [(100, False), (202, True)]


def test_without_a_default_socket_the_first_daemon_found_is_primary(engines):
    engines["/run/user/1000/docker.sock"] = _engine("/home/svc/.local/share/docker", "svc-app")
    h = two_daemon_host(rootful=False, srv=False, schemeless=False, orphan_socket=False)
    params = _params()
    facts = _gather(h, params)
    assert [(d["name"], d["primary"]) for d in facts["daemons"]] == [("svc@unix:///run/user/1000/docker.sock", True)]
    assert facts["dockerd_process"]["pid"] == 202
    assert facts["dockerd_process"]["chosen"] == ("the first dockerd found (pid 202): nothing serves "
                                                  "unix:///var/run/docker.sock")
    assert facts["dockerd_process"]["endpoint"] == "unix:///run/user/1000/docker.sock"
    assert facts["daemon_config"]["path"] == "/home/svc/.config/docker/daemon.json"
    assert facts["collectors"]["docker"]["ok"] and facts["docker"]["containers"] == [{"name": "svc-app"}]


def test_an_explicit_docker_host_is_the_primary_even_when_nothing_serves_it(engines):
    h = two_daemon_host(rootful=False, srv=False, schemeless=False, orphan_socket=False)
    facts = _gather(h, _params("unix:///var/run/docker.sock"), ["daemons", "docker", "dockerd_process"])
    primary = facts["daemons"][0]
    assert primary["primary"] and primary["endpoint"] == "unix:///var/run/docker.sock"
    assert primary["found_by"] == "docker_host" and primary["pid"] is None
    assert not facts["collectors"]["docker"]["ok"]                  # as today: that endpoint is not there
    # the only dockerd serves another socket: its record is not passed off as this endpoint's
    assert facts["dockerd_process"]["pid"] is None and not facts["collectors"]["dockerd_process"]["ok"]
    assert facts["daemons"][1]["name"] == "svc@unix:///run/user/1000/docker.sock"


def test_a_rootless_primary_reads_its_own_config_file_not_the_system_unit(engines):
    h = two_daemon_host(srv=False, schemeless=False, orphan_socket=False)
    facts = _gather(h, _params("unix:///run/user/1000/docker.sock"), ["dockerd_process", "daemon_config", "daemons"])
    assert facts["dockerd_process"]["pid"] == 202
    assert facts["dockerd_process"]["config_file"] == "/home/svc/.config/docker/daemon.json"
    assert facts["dockerd_process"]["unit_exec_start"] is None
    assert facts["daemons"][0]["name"] == "svc@unix:///run/user/1000/docker.sock" and facts["daemons"][0]["primary"]
    assert facts["daemons"][1]["name"] == "root@unix:///var/run/docker.sock"


def test_a_host_without_docker_has_no_daemons_and_everything_as_before(engines):
    h = FakeHost(files={"/proc/1/comm": "init\n", "/proc/1/cmdline": "/sbin/init\0"})
    params = _params()
    facts = _gather(h, params, ["daemons", "dockerd_process"])
    assert facts["daemons"] == [] and facts["collectors"]["daemons"]["ok"]
    assert facts["dockerd_process"]["chosen"] == "no dockerd process"
    assert params["endpoint"] == "unix:///var/run/docker.sock"


def test_names_are_stable_across_runs(engines):
    first = [d["name"] for d in _gather(two_daemon_host(), _params(), ["daemons"])["daemons"]]
    second = [d["name"] for d in _gather(two_daemon_host(), _params(), ["daemons"])["daemons"]]
    assert first == second and len(set(first)) == len(first)


def test_each_daemon_is_read_by_the_top_level_collectors_own_functions():
    top = dict(registry.COLLECTORS)
    assert [name for name, _run in registry.DAEMON_COLLECTORS] == ["daemon_config", "dockerd_process", "docker"]
    for name, run in registry.DAEMON_COLLECTORS:
        assert top[name] is run, name


def test_a_rootless_dockerd_is_not_the_idle_socket_activated_rootful_one(engines):
    # docker.socket holds /run/docker.sock and docker.service has not started yet (it starts on the
    # first connection): the only dockerd process is svc's rootless one, which serves its own socket.
    h = two_daemon_host(rootful=False, srv=False, schemeless=False, orphan_socket=False)
    h.modes["/var/run/docker.sock"] = (stat.S_IFSOCK | 0o660, 0, 999)
    h.files["/lib/systemd/system/docker.socket"] = "[Socket]\nListenStream=/run/docker.sock\n"
    engines["/var/run/docker.sock"] = _engine("/var/lib/docker", "rootful-app")
    engines["/run/user/1000/docker.sock"] = _engine("/home/svc/.local/share/docker", "svc-app")
    facts = _gather(h, _params())
    primary, rootless = facts["daemons"]
    assert (primary["name"], primary["rootless"], primary["found_by"]) == (
        "root@unix:///var/run/docker.sock", False, "socket")
    assert [c["name"] for c in facts["docker"]["containers"]] == ["rootful-app"]
    assert (rootless["name"], rootless["rootless"], rootless["primary"]) == (
        "svc@unix:///run/user/1000/docker.sock", True, False)
    assert [c["name"] for c in rootless["docker"]["containers"]] == ["svc-app"]
