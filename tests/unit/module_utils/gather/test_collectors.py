"""Collectors on fake hosts: what they read, what they refuse to copy, and how they fail."""

import json
import os
import stat

import pytest
from fake_host import FakeHost, run_collector

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import audit as gather_audit
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base as gather_base
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import daemon_config as gather_daemon_config
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import dockerd_process as gather_dockerd_process
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import environment as gather_environment
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import files as gather_files
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import host as gather_host
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import image_files as gather_image_files
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import iptables as gather_iptables
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import mounts as gather_mounts
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import services as gather_services
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import sshd as gather_sshd
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import tools as gather_tools


# ---------------------------------------------------------------- daemon.json

def test_daemon_json_parsed_and_secrets_redacted():
    h = FakeHost(files={"/etc/docker/daemon.json": json.dumps(
        {"icc": False, "log-level": "info", "registry-password": "hunter2", "tlskey": "/etc/docker/key.pem"})})
    state, out = run_collector(gather_daemon_config.collect_daemon_config, h, "/etc/docker/daemon.json")
    assert state["ok"] and out["valid"] and out["content"]["icc"] is False
    assert out["content"]["registry-password"] == "<redacted>"
    assert "hunter2" not in json.dumps(out)


def test_daemon_json_not_json_is_a_specific_error():
    h = FakeHost(files={"/etc/docker/daemon.json": '{"icc": false,, }'})
    state, out = run_collector(gather_daemon_config.collect_daemon_config, h, "/etc/docker/daemon.json")
    assert not state["ok"] and "is not JSON" in state["error"] and "line 1" in state["error"]


def test_daemon_json_not_an_object():
    h = FakeHost(files={"/etc/docker/daemon.json": "[1, 2]"})
    state, _out = run_collector(gather_daemon_config.collect_daemon_config, h, "/etc/docker/daemon.json")
    assert not state["ok"] and "not an object" in state["error"]


def test_daemon_json_unreadable():
    h = FakeHost(files={"/etc/docker/daemon.json": IOError(13, "Permission denied")})
    state, _out = run_collector(gather_daemon_config.collect_daemon_config, h, "/etc/docker/daemon.json")
    assert not state["ok"] and "Permission denied" in state["error"]


def test_daemon_json_missing_is_fine():
    state, out = run_collector(gather_daemon_config.collect_daemon_config, FakeHost(), "/etc/docker/daemon.json")
    assert state["ok"] and out["exists"] is False and out["content"] is None


# ---------------------------------------------------------------- sshd, audit, iptables

def test_sshd_effective_config_first_value_wins():
    h = FakeHost(binaries={"sshd": "/usr/sbin/sshd"},
                 commands={"/usr/sbin/sshd -T": (0, "PermitRootLogin no\npasswordauthentication no\n"
                                                    "passwordauthentication yes\n", "")})
    state, out = run_collector(gather_sshd.collect_sshd, h)
    assert state["ok"] and out["effective"] == {"permitrootlogin": "no", "passwordauthentication": "no"}


def test_sshd_missing_privsep_dir_is_an_error_with_reason():
    h = FakeHost(binaries={"sshd": "/usr/sbin/sshd"},
                 commands={"/usr/sbin/sshd -T": (255, "", "Missing privilege separation directory: /run/sshd\n")})
    state, _out = run_collector(gather_sshd.collect_sshd, h)
    assert not state["ok"] and "privilege separation" in state["error"]


def test_sshd_not_installed_is_not_an_error():
    state, out = run_collector(gather_sshd.collect_sshd, FakeHost())
    assert state["ok"] and out["binary"] is None


def test_audit_live_rules_and_refused_fallback():
    rules = "-w /usr/bin/docker -p wa -k docker\n"
    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"},
                 commands={"/sbin/auditctl -l": (0, rules, ""), "/sbin/auditctl -s": (0, "enabled 2\n", "")})
    state, out = run_collector(gather_audit.collect_audit, h)
    assert out["live_rules"] == ["-w /usr/bin/docker -p wa -k docker"] and out["enabled_flag"] == 2

    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"},
                 files={"/etc/audit/rules.d/docker.rules": "# comment\n" + rules},
                 commands={"/sbin/auditctl -l": (1, "", "You must be root to run this program.")})
    state, out = run_collector(gather_audit.collect_audit, h)
    assert state["ok"] and out["live_rules"] is None and "root" in out["live_error"]
    assert out["file_rules"] == {"/etc/audit/rules.d/docker.rules": ["-w /usr/bin/docker -p wa -k docker"]}

    # Debian 13's auditctl refuses in two lines: the evidence keeps one.
    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"}, files={"/etc/audit/rules.d/docker.rules": rules},
                 commands={"/sbin/auditctl -l": (1, "", "Error sending rule list data request (Operation not "
                                                        "permitted)\nThere was an error while processing parameters\n")})
    state, out = run_collector(gather_audit.collect_audit, h)
    assert out["live_error"] == ("auditctl -l: Error sending rule list data request (Operation not permitted); "
                                 "There was an error while processing parameters")


def test_audit_without_root_is_an_error_not_an_empty_rule_set():
    # Non-root: auditctl -l refused and /etc/audit (0750 root) not listable. Reporting "no rules"
    # would be a verdict on facts that were never read.
    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"},
                 commands={"/sbin/auditctl -l": (1, "", "You must be root to run this program.")})
    h.denied_paths = {"/etc/audit/rules.d": "/etc/audit/rules.d: Permission denied"}
    state, out = run_collector(gather_audit.collect_audit, h)
    assert not state["ok"] and out is None
    assert state["error"] == ("auditctl -l: You must be root to run this program., and the rules files are not "
                              "readable (/etc/audit/rules.d: Permission denied): run with become (root)")
    # A rules file that exists but cannot be read, without live rules: the same.
    h = FakeHost(files={"/etc/audit/audit.rules": IOError(13, "Permission denied")})
    state, _out = run_collector(gather_audit.collect_audit, h)
    assert not state["ok"] and "/etc/audit/audit.rules: Permission denied" in state["error"]
    # With the live rules, an unreadable rules file is only noted.
    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"}, files={"/etc/audit/audit.rules": IOError(13, "Permission denied")},
                 commands={"/sbin/auditctl -l": (0, "No rules\n", ""), "/sbin/auditctl -s": (0, "enabled 1\n", "")})
    state, out = run_collector(gather_audit.collect_audit, h)
    assert state["ok"] and out["live_rules"] == [] and "unreadable" in out["live_error"]


def test_audit_resolves_rule_paths_on_the_host():
    rules = ("-w /lib/systemd/system/docker.service -p wa -k docker\n-w /usr/bin/runc -p wa -k docker\n"
             "-a always,exit -F path=/usr/bin/docker -F perm=wa -k docker\n-w /etc/docker/ -p wa\n")
    h = FakeHost(binaries={"auditctl": "/sbin/auditctl"},
                 commands={"/sbin/auditctl -l": (0, rules, ""), "/sbin/auditctl -s": (0, "enabled 1\n", "")})
    h.links = {"/lib": "/usr/lib", "/usr/bin/runc": "/usr/sbin/runc"}
    _state, out = run_collector(gather_audit.collect_audit, h)
    # Only the spellings that differ from their canonical path are listed; the kernel resolves a
    # watch's parents, never its last component: the watch on the /usr/bin/runc link stays on the link.
    assert out["resolved"] == {"/lib/systemd/system/docker.service": "/usr/lib/systemd/system/docker.service"}


def test_realpath_on_a_real_tree(tmp_path):
    # A merged-/usr layout: /lib -> usr/lib, and runc installed in sbin with a bin symlink.
    (tmp_path / "usr" / "lib" / "systemd" / "system").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "systemd" / "system" / "docker.service").write_text("[Unit]\n")
    (tmp_path / "usr" / "sbin").mkdir()
    (tmp_path / "usr" / "bin").mkdir()
    (tmp_path / "usr" / "sbin" / "runc").write_text("")
    os.symlink("usr/lib", str(tmp_path / "lib"))
    os.symlink("../sbin/runc", str(tmp_path / "usr" / "bin" / "runc"))
    h = gather_base.Host(root=str(tmp_path))
    assert h.realpath("/lib/systemd/system/docker.service") == "/usr/lib/systemd/system/docker.service"
    assert h.realpath("/usr/bin/runc") == "/usr/sbin/runc" and h.realpath("/") == "/"
    assert gather_audit._resolve_rule_paths(h, ["-w /lib/systemd/system/docker.service -p wa", "-w /usr/sbin/runc -p wa",
                                                "-a always,exit -F dir=/usr/bin/runc -F perm=wa"]) == {
        "/lib/systemd/system/docker.service": "/usr/lib/systemd/system/docker.service"}   # the link stays a link
    entry = gather_files.stat_entry(h, "/usr/bin/runc")
    assert entry["type"] == "link" and entry["realpath"] == "/usr/sbin/runc"
    assert "realpath" not in gather_files.stat_entry(h, "/usr/sbin/runc")


def test_tools_summarize_the_newest_docker_bench_json_log():
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "docker-bench",
                           "docker-bench-security.log.json")) as f:
        log = f.read()
    h = FakeHost(files={"/opt/docker-bench-security/log/docker-bench-security.log.json": log,
                        "/var/log/docker-bench-security.log.json": '{"tests": ['})
    h.modes = {}
    real_lstat = h.lstat

    def lstat(p):
        st = real_lstat(p)
        newer = 2000 if p.startswith("/opt/") else 1000
        return os.stat_result(tuple(st)[:8] + (newer, newer))
    h.lstat = lstat
    _state, out = run_collector(gather_tools.collect_tools, h)
    bench = out["docker_bench"]
    assert bench["path"] == "/opt/docker-bench-security/log/docker-bench-security.log.json"
    assert bench["counts"] == {"PASS": 3, "WARN": 2, "INFO": 1, "NOTE": 1} and bench["complete"] is True
    assert run_collector(gather_tools.collect_tools, FakeHost())[1]["docker_bench"] is None


def test_iptables_chain_and_missing_chain():
    h = FakeHost(binaries={"iptables": "/usr/sbin/iptables"}, commands={
        "/usr/sbin/iptables -w 5 -S DOCKER-USER": (0, "-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n", ""),
        "/usr/sbin/iptables -w 5 -S FORWARD": (0, "-P FORWARD DROP\n", "")})
    _state, out = run_collector(gather_iptables.collect_iptables, h)
    assert out["docker_user"] == ["-N DOCKER-USER", "-A DOCKER-USER -j RETURN"] and out["forward_policy"] == "DROP"
    assert out["docker_user6"] is None and out["docker_user6_error"] == "ip6tables not installed"
    h.binaries["ip6tables"] = "/usr/sbin/ip6tables"
    h.commands["/usr/sbin/ip6tables -w 5 -S DOCKER-USER"] = (0, "-N DOCKER-USER\n", "")
    _state, out = run_collector(gather_iptables.collect_iptables, h)
    assert out["binary6"] == "/usr/sbin/ip6tables" and out["docker_user6"] == ["-N DOCKER-USER"]
    h.commands["/usr/sbin/iptables -w 5 -S DOCKER-USER"] = (1, "", "iptables: No chain/target/match by that name.")
    _state, out = run_collector(gather_iptables.collect_iptables, h)
    assert out["docker_user"] is None and "No chain" in out["docker_user_error"]


def test_iptables_not_installed_is_an_error():
    state, _out = run_collector(gather_iptables.collect_iptables, FakeHost())
    assert not state["ok"] and "iptables not installed" in state["error"]


# ---------------------------------------------------------------- dockerd, files, env, host

def test_dockerd_flags_and_limits():
    argv = "/usr/bin/dockerd\0-H\0fd://\0--log-level=debug\0--default-ulimit\0nofile=1024:2048\0--icc=false\0"
    limits = ("Limit                     Soft Limit           Hard Limit           Units\n"
              "Max processes             unlimited            unlimited            processes\n"
              "Max open files            1048576              1048576              files\n")
    h = FakeHost(files={"/proc/42/comm": "dockerd\n", "/proc/42/cmdline": argv, "/proc/42/limits": limits,
                        "/lib/systemd/system/docker.service": "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n"})
    _state, out = run_collector(gather_dockerd_process.collect_dockerd_process, h)
    assert out["pid"] == 42 and out["flags"]["-H"] == ["fd://"] and out["flags"]["--log-level"] == ["debug"]
    assert out["flags"]["--default-ulimit"] == ["nofile=1024:2048"] and out["flags"]["--icc"] == ["false"]
    assert out["limits"]["nofile_hard"] == 1048576 and out["limits"]["nproc_hard"] is None
    assert out["unit_exec_start"] == "/usr/bin/dockerd -H fd://"


def test_dockerd_start_time_from_proc(monkeypatch):
    # starttime is field 22 of /proc/PID/stat, in clock ticks since boot (btime in /proc/stat).
    stat_line = "42 (dockerd) S 1 42 42 0 -1 4194560 " + " ".join(["0"] * 12) + " 360000 1 2 3\n"
    h = FakeHost(files={"/proc/42/comm": "dockerd\n", "/proc/42/cmdline": "/usr/bin/dockerd\0",
                        "/proc/42/limits": "", "/proc/42/stat": stat_line, "/proc/stat": "cpu 1 2\nbtime 1795219200\n"})
    monkeypatch.setattr(gather_dockerd_process.os, "sysconf", lambda name: 100)
    _state, out = run_collector(gather_dockerd_process.collect_dockerd_process, h)
    assert out["started_at"] == "2026-11-21T01:00:00Z"   # btime 2026-11-21T00:00Z + 360000 ticks at 100 Hz
    h.files["/proc/stat"] = "cpu 1 2\n"
    assert run_collector(gather_dockerd_process.collect_dockerd_process, h)[1]["started_at"] is None


def test_files_stat_modes_and_missing():
    h = FakeHost(modes={"/var/run/docker.sock": (stat.S_IFSOCK | 0o660, 0, 0)})
    _state, out = run_collector(gather_files.collect_files, h)
    sock = out["/var/run/docker.sock"]
    assert sock["exists"] and sock["mode"] == "0660" and sock["type"] == "socket" and sock["owner"] == "root"
    assert out["/etc/default/docker"]["exists"] is False


def test_content_trust_only_that_variable():
    h = FakeHost(files={"/etc/environment": "DB_PASSWORD=hunter2\nDOCKER_CONTENT_TRUST=1\n",
                        "/etc/profile.d/dct.sh": "export DOCKER_CONTENT_TRUST='0'\n"})
    _state, out = run_collector(gather_environment.collect_environment, h)
    assert out["docker_content_trust"] == [{"file": "/etc/environment", "value": "1"},
                                           {"file": "/etc/profile.d/dct.sh", "value": "0"}]
    assert "hunter2" not in json.dumps(out)


def test_kernels_sorted_by_version_and_kernel_threads_not_services():
    h = FakeHost(files={"/boot/vmlinuz-6.1.0-9-amd64": "", "/boot/vmlinuz-6.1.0-26-amd64": "",
                        "/proc/1/comm": "systemd\n", "/proc/1/cmdline": "/sbin/init\0",
                        "/proc/2/comm": "kthreadd\n", "/proc/2/cmdline": "",
                        "/proc/7/comm": "apache2\n", "/proc/7/cmdline": "/usr/sbin/apache2\0"})
    _state, out = run_collector(gather_host.collect_host, h)
    assert out["kernel_newest_installed"] == "6.1.0-26-amd64"
    _state, out = run_collector(gather_services.collect_services, h)
    assert out["source"] == "ps" and out["processes"] == ["apache2", "systemd"]


def _proc(pid, comm, ppid, tty=0, ns="pid:[4026531836]"):
    stat = "%d (%s) S %d %d %d %d -1 4194560 0 0" % (pid, comm, ppid, pid, pid, tty)
    return {"/proc/%d/comm" % pid: comm + "\n", "/proc/%d/cmdline" % pid: comm + "\0",
            "/proc/%d/stat" % pid: stat, "/proc/%d/ns/pid" % pid: ns}


def test_without_systemd_only_daemons_adopted_by_init_are_services():
    files = {}
    for spec in [(1, "docker-init", 0), (20, "dockerd", 1), (31, "sshd", 1), (40, "containerd-shim", 1),
                 (50, "nginx", 40, 0, "pid:[4026532999]"),    # a container's process: its own namespace
                 (60, "sh", 1, 34816), (61, "head", 60, 34816),  # an interactive shell and its pipe
                 (70, "python3", 1), (71, "sed", 70),          # this audit's helpers
                 (80, "weird) name", 1)]:                     # comm with a parenthesis
        files.update(_proc(*spec))

    class NsHost(FakeHost):
        def readlink(self, p):
            return self.read(p)

    _state, out = run_collector(gather_services.collect_services, NsHost(files=files))
    assert out["source"] == "ps"
    assert out["daemons"] == ["containerd-shim", "dockerd", "python3", "sshd", "weird) name"]
    assert out["running"] == out["daemons"]
    assert {"nginx", "head", "sed", "sh"} <= set(out["processes"])


def test_mounts_keep_the_bind_root_and_device():
    h = FakeHost(files={"/proc/self/mountinfo": "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                                                "31 22 254:1 /var/lib/docker /var/lib/docker rw - ext4 /dev/vda1 rw\n"
                                                "32 22 254:1 /a\\040b /mnt/x rw - ext4 /dev/vda1 rw\n"})
    _state, out = run_collector(gather_mounts.collect_mounts, h)
    assert [(e["target"], e["root"], e["dev"]) for e in out["entries"]] == [
        ("/", "/", "254:1"), ("/var/lib/docker", "/var/lib/docker", "254:1"), ("/mnt/x", "/a b", "254:1")]


def test_crypt_devices_from_lsblk_stack():
    tree = {"blockdevices": [{"name": "vg-docker", "type": "lvm", "path": "/dev/mapper/vg-docker", "children": [
        {"name": "luks", "type": "crypt", "path": "/dev/mapper/luks", "children": [
            {"name": "vda2", "type": "part", "path": "/dev/vda2"}]}]},
        {"name": "vda1", "type": "part", "path": "/dev/vda1"}]}
    h = FakeHost(binaries={"lsblk": "/bin/lsblk"},
                 files={"/proc/self/mountinfo": "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                                                "30 22 253:1 / /var/lib/docker rw - ext4 /dev/mapper/vg-docker rw\n"},
                 commands={"lsblk -J -s -o NAME,TYPE,PATH": (0, json.dumps(tree), "")})
    _state, out = run_collector(gather_mounts.collect_mounts, h)
    assert out["entries"][1] == {"target": "/var/lib/docker", "source": "/dev/mapper/vg-docker", "fstype": "ext4",
                                 "options": "rw", "root": "/", "dev": "253:1"}
    assert out["crypt_devices"] == ["/dev/mapper/luks", "/dev/mapper/vg-docker"]


def test_a_crashing_collector_is_recorded_not_raised():
    def boom(_h):
        raise RuntimeError("disk on fire")
    facts = {}
    state = gather_base.timed("host", boom, facts, None)
    assert state["ok"] is False and "RuntimeError: disk on fire" in state["error"]


# ---------------------------------------------------------------- docker engine

class FakeClient(object):
    def __init__(self, containers, swarm=None):
        self._containers = containers
        self._swarm = swarm
        self.inspected = []

    def info(self):
        sw = {"LocalNodeState": "inactive"}
        if self._swarm:
            sw = {"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": True, "Managers": 1, "Nodes": 3,
                  "Cluster": {"ID": "cluster1",
                              "Spec": {"CAConfig": {"NodeCertExpiry": 7776000000000000},
                                       "EncryptionConfig": {"AutoLockManagers": False}}}}
        return {"ServerVersion": "24.0.7", "Driver": "overlay2", "DockerRootDir": "/var/lib/docker",
                "SecurityOptions": ["name=seccomp,profile=default"], "Swarm": sw}

    def version(self):
        return {"ApiVersion": "1.43"}

    def containers(self, all=False):
        return [{"Id": c["Id"]} for c in self._containers]

    def inspect_container(self, cid):
        self.inspected.append(cid)
        for c in self._containers:
            if c["Id"] == cid:
                return c
        raise Exception("404 Client Error: No such container: %s" % cid)

    def inspect_image(self, iid):
        return {"RepoTags": ["app:1"], "Size": 5, "Os": "linux",
                "Config": {"Env": ["PATH=/bin", "API_TOKEN=abc123"], "User": ""}}

    def history(self, iid):
        return [{"CreatedBy": "/bin/sh -c #(nop)  ENV API_TOKEN=abc123"}, {"CreatedBy": "ARG DB_PASSWORD=s3cr3t"}]

    def networks(self):
        return [{"Name": "bridge", "Driver": "bridge", "Options": {"com.docker.network.bridge.enable_icc": "true"},
                 "Containers": {}}]

    def volumes(self):
        return {"Volumes": [{"Name": "v1"}]}

    def secrets(self):
        return [{"Spec": {"Name": "db_pass", "Data": "c2VjcmV0"}, "CreatedAt": "2026-01-01T00:00:00Z",
                 "UpdatedAt": "2026-01-01T00:00:00Z"}]

    def nodes(self):
        return [{"ID": "n1", "Description": {"Hostname": "mgr"}, "Spec": {"Role": "manager", "Availability": "active"},
                 "Status": {"State": "ready"}, "ManagerStatus": {"Leader": True, "Reachability": "reachable"}},
                {"ID": "n2", "Description": {"Hostname": "w1"}, "Spec": {"Role": "worker", "Availability": "active"},
                 "Status": {"State": "down"}}]

    def services(self):
        return [{"Spec": {"Name": "web", "Labels": {"security-zone": "restricted", "owner": "team-a"},
                          "TaskTemplate": {"ContainerSpec": {"Env": ["DB_PASSWORD=s3cr3t"],
                                                             "Secrets": [{"SecretName": "db_pass"}]}}}}]


def _inspect(cid, name, **hc):
    host_config = {"Privileged": False, "CapAdd": ["NET_ADMIN"], "Memory": 0, "PidsLimit": None}
    host_config.update(hc)
    return {"Id": cid, "Name": "/" + name, "Image": "sha256:img",
            "Config": {"Image": "app:1", "User": "", "Env": ["DB_PASSWORD=s3cr3t", "PATH=/bin"],
                       "Labels": {"com.docker.compose.project": "shop", "secret.label": "s3cr3t"},
                       "Cmd": ["--password", "s3cr3t"]},
            "HostConfig": host_config, "State": {"Status": "running"},
            "NetworkSettings": {"Networks": {"bridge": {}},
                                "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "81/tcp": None}},
            "Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock",
                        "RW": True}]}


def test_docker_collector_normalizes_and_never_copies_secret_values():
    client = FakeClient([_inspect("c1", "web"), _inspect("c2", "db")], swarm=True)
    out = gather_docker.collect_docker(lambda: client, 4, {"security-zone"}, {"join_token_rotated_at": None})
    text = json.dumps(out)
    for secret in ("s3cr3t", "abc123", "c2VjcmV0", "team-a"):
        assert secret not in text
    web = [c for c in out["containers"] if c["name"] == "web"][0]
    assert web["env_names"] == ["DB_PASSWORD", "PATH"] and web["compose_project"] == "shop"
    assert web["ports"] == [{"container_port": "80/tcp", "host_ip": "0.0.0.0", "host_port": "8080"}]
    assert web["cap_add"] == ["NET_ADMIN"] and web["mounts"][0]["source"] == "/var/run/docker.sock"
    assert out["images"]["sha256:img"]["env_names"] == ["API_TOKEN", "PATH"]
    assert [h["names"] for h in out["images"]["sha256:img"]["history"]] == [["API_TOKEN"], ["DB_PASSWORD"]]
    assert out["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] == "true"
    assert out["swarm"]["cert_expiry_seconds"] == 7776000 and out["swarm"]["secrets"][0]["name"] == "db_pass"
    assert out["swarm"]["services"][0]["labels"] == {"security-zone": "restricted"}
    assert out["volumes_count"] == 1 and sorted(client.inspected) == ["c1", "c2"]


def test_container_removed_between_list_and_inspect_is_skipped():
    client = FakeClient([_inspect("c1", "web")])
    client.containers = lambda all=False: [{"Id": "c1"}, {"Id": "gone"}]
    out = gather_docker.collect_docker(lambda: client, 2, set(), {})
    assert [c["name"] for c in out["containers"]] == ["web"]


@pytest.mark.parametrize("error,needle", [
    ("('Connection aborted.', PermissionError(13, 'Permission denied'))", "permission denied on /var/run/docker.sock"),
    ("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))", "Docker is not installed"),
    ("('Connection aborted.', ConnectionRefusedError(111, 'Connection refused'))", "dockerd is not running"),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
     "closed the connection in the middle of the gather"),
])
def test_docker_error_messages_are_specific(error, needle):
    assert needle in gather_docker.describe_engine_error(Exception(error), "unix:///var/run/docker.sock")


def test_docker_collector_lists_swarm_nodes_and_the_leader_on_a_manager():
    client = FakeClient([], swarm=True)
    sw = gather_docker.collect_docker(lambda: client, 1, set(), {})["swarm"]
    assert sw["cluster_id"] == "cluster1" and sw["is_leader"] is True
    assert [(n["hostname"], n["role"], n["state"], n["leader"]) for n in sw["node_list"]] == [
        ("mgr", "manager", "ready", True), ("w1", "worker", "down", False)]


def test_docker_collector_leaves_manager_only_lists_unknown_on_a_worker():
    client = FakeClient([], swarm=True)
    info = client.info()
    info["Swarm"]["ControlAvailable"] = False
    client.info = lambda: info
    sw = gather_docker.collect_docker(lambda: client, 1, set(), {})["swarm"]
    assert sw["is_manager"] is False and sw["is_leader"] is None
    assert sw["node_list"] is None and sw["secrets"] is None and sw["services"] is None


def test_engine_dying_mid_gather_is_named():
    import http.client
    msg = gather_docker.describe_engine_error(
        http.client.RemoteDisconnected("Remote end closed connection without response"), "unix:///var/run/docker.sock")
    assert msg.startswith("the Docker engine at unix:///var/run/docker.sock closed the connection in the middle")


# ---------------------------------------------------------------- image files (X.2)

def _overlay(tmp_path, upper, lowers):
    return {"GraphDriver": {"Name": "overlay2", "Data": {
        "UpperDir": str(upper), "LowerDir": ":".join(str(d) for d in lowers),
        "MergedDir": str(tmp_path / "merged"), "WorkDir": str(tmp_path / "work")}}}


def _layer(tmp_path, name, files=(), links=None):
    root = tmp_path / name
    root.mkdir()
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    for rel, target in (links or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, str(root / rel))
    return root


def test_image_shell_through_a_merged_usr_link_in_a_lower_layer(tmp_path):
    base = _layer(tmp_path, "base", ["usr/bin/dash"], {"bin": "usr/bin", "usr/bin/sh": "dash"})
    upper = _layer(tmp_path, "upper", ["app/server"])
    shells, why = gather_image_files.image_shells(_overlay(tmp_path, upper, [base]))
    assert why is None and shells == ["/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash"]
    assert gather_docker.normalize_image(_overlay(tmp_path, upper, [base]), [])["has_shell"] is True


def test_image_absolute_links_resolve_inside_the_image_not_on_the_host(tmp_path):
    # bin -> /usr/bin (absolute): on the host /usr/bin/sh exists, in this image usr/bin holds no shell.
    base = _layer(tmp_path, "base", ["usr/bin/server"], {"bin": "/usr/bin"})
    upper = _layer(tmp_path, "upper")
    img = gather_docker.normalize_image(_overlay(tmp_path, upper, [base]), [])
    assert img["has_shell"] is False and img["shells"] == [] and img["has_shell_error"] is None


def test_image_whiteout_in_the_upper_layer_removes_the_shell(tmp_path):
    base = _layer(tmp_path, "base", ["bin/sh", "bin/bash"])
    upper = _layer(tmp_path, "upper")
    (upper / "bin").mkdir()
    try:
        os.mknod(str(upper / "bin" / "sh"), stat.S_IFCHR | 0o600, os.makedev(0, 0))
        os.mknod(str(upper / "bin" / "bash"), stat.S_IFCHR | 0o600, os.makedev(0, 0))
    except PermissionError:
        pytest.skip("mknod of an overlay whiteout needs root")
    assert gather_image_files.image_shells(_overlay(tmp_path, upper, [base]))[0] == []
    assert gather_image_files.image_shells(_overlay(tmp_path, base, []))[0] == ["/bin/sh", "/bin/bash"]


def test_image_shell_on_vfs_through_the_layer_store(tmp_path):
    import hashlib
    diffs = ["sha256:" + "a" * 64, "sha256:" + "b" * 64]
    chain = "sha256:" + hashlib.sha256(("%s %s" % (diffs[0], diffs[1])).encode()).hexdigest()
    store = tmp_path / "image" / "vfs" / "layerdb" / "sha256" / chain.split(":")[1]
    store.mkdir(parents=True)
    (store / "cache-id").write_text("c0ffee\n")
    (tmp_path / "vfs" / "dir").mkdir(parents=True)
    _layer(tmp_path / "vfs" / "dir", "c0ffee", ["bin/bash"])
    ins = {"GraphDriver": {"Name": "vfs", "Data": None}, "RootFS": {"Type": "layers", "Layers": diffs}}
    assert gather_image_files.image_shells(ins, str(tmp_path)) == (["/bin/bash"], None)
    shells, why = gather_image_files.image_shells(ins, str(tmp_path / "elsewhere"))
    assert shells is None and why.startswith("vfs layer store unreadable")


def test_image_without_mapped_layers_says_why():
    img = gather_docker.normalize_image({"GraphDriver": {"Name": "overlayfs", "Data": None}}, [])
    assert img["has_shell"] is None and img["has_shell_error"] == (
        "storage driver overlayfs: the image's layer files are not mapped")
    assert gather_image_files.image_shells({})[1].startswith("no GraphDriver (containerd image store)")


def test_every_collector_is_listed_once_and_named_alike_everywhere():
    import importlib

    import yaml

    from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import registry

    names = list(registry.NAMES)
    assert len(names) == len(set(names))
    module = importlib.import_module("ansible_collections.dockersec.hardening.plugins.modules.docker_host_facts")
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]["collectors"]["choices"]
    assert documented == names
    assert sorted(catalog.COLLECTOR_PRIVILEGE) == sorted(names)
    required = set(name for control in catalog.CONTROLS for name in control["requires"])
    assert required <= set(names), required - set(names)
