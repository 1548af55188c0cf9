# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the gather adds for the CIS profile: the docker group, the daemon's certs.d and TLS files,
container cgroup parent, mount propagation, exec sessions and process names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import stat

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import dockerd_process
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import files as gather_files
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import host as gather_host
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import listeners

from fake_host import FakeHost


def test_docker_group_lists_members_and_primary_group_accounts():
    h = FakeHost(files={"/etc/group": "root:x:0:\ndocker:x:998:alice,bob\n",
                        "/etc/passwd": "root:x:0:0::/root:/bin/sh\nci:x:1001:998::/home/ci:/bin/sh\n"})
    assert gather_host.docker_group(h) == {"name": "docker", "exists": True, "gid": 998,
                                           "members": ["alice", "bob", "ci"], "error": None}
    assert gather_host.docker_group(FakeHost(files={"/etc/group": "root:x:0:\n"}))["exists"] is False
    assert gather_host.docker_group(FakeHost())["error"].startswith("/etc/group")


def _dockerd(h, argv):
    h.files["/proc/1/cmdline"] = "\0".join(argv)
    return {"endpoint": "unix:///var/run/docker.sock",
            "_daemon_records": {"unix:///var/run/docker.sock": {
                "cmdline": argv, "flags": dockerd_process.parse_flags(argv),
                "config_file": "/etc/docker/daemon.json", "config_file_source": "dockerd default",
                "listeners": []}}}


def test_cis_paths_are_the_certs_tree_and_the_tls_files_the_daemon_names():
    h = FakeHost(files={"/etc/docker/certs.d/reg:5000/ca.crt": "x",
                        "/etc/docker/daemon.json": json.dumps({"tlscacert": "/etc/docker/tls/ca.pem"})},
                 modes={"/etc/docker/certs.d": (stat.S_IFDIR | 0o755, 0, 0),
                        "/etc/docker/certs.d/reg:5000": (stat.S_IFDIR | 0o755, 0, 0)})
    params = _dockerd(h, ["/usr/bin/dockerd", "--tlsverify", "--tlskey=/etc/docker/tls/key.pem"])
    paths = gather_files.cis_paths(h, params)
    assert paths == ("/etc/docker/certs.d", "/etc/docker/certs.d/reg:5000", "/etc/docker/certs.d/reg:5000/ca.crt",
                     "/etc/docker/tls/ca.pem", "/root/.docker/cert.pem", "/etc/docker/tls/key.pem")
    # without TLS, the defaults are not the daemon's files
    params = _dockerd(FakeHost(), ["/usr/bin/dockerd"])
    assert gather_files.cis_paths(FakeHost(), params) == ("/etc/docker/certs.d",)


def test_container_record_keeps_cgroup_parent_and_propagation():
    c = gather_docker.normalize_container({
        "Id": "a" * 64, "Name": "/web", "HostConfig": {"CgroupParent": "/custom"},
        "Mounts": [{"Type": "bind", "Source": "/srv", "Destination": "/srv", "RW": True, "Propagation": "rshared"}]})
    assert c["cgroup_parent"] == "/custom" and c["mounts"][0]["propagation"] == "rshared"


class _Client(object):
    def __init__(self, answers):
        self.answers = answers

    def exec_inspect(self, eid):
        value = self.answers[eid]
        if isinstance(value, Exception):
            raise value
        return value


def test_exec_sessions_privileged_and_unknown():
    inspected = [{"ExecIDs": ["e1", "e2"]}, {"ExecIDs": None}]
    containers = [{}, {}]
    client = _Client({"e1": {"ProcessConfig": {"privileged": True, "user": ""}}, "e2": IOError("gone")})
    gather_docker.exec_sessions(client, inspected, containers, 2)
    assert containers == [{"exec_sessions": [{"privileged": True, "root": True},
                                             {"privileged": None, "root": None}]}, {"exec_sessions": []}]


def test_registry_config_keeps_only_cidrs_and_secure():
    info = {"RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"], "Mirrors": ["https://u:p@m"],
                               "IndexConfigs": {"docker.io": {"Name": "docker.io", "Secure": True, "Mirrors": []}}}}
    assert gather_docker.registry_config(info) == {"InsecureRegistryCIDRs": ["127.0.0.0/8"],
                                                   "IndexConfigs": {"docker.io": {"Secure": True}}}
    assert gather_docker.registry_config({}) is None


def test_programs_of_a_container_from_its_cgroup():
    cid = "c" * 64
    cg = "/system.slice/docker-%s.scope" % cid
    h = FakeHost(files={"/proc/42/cgroup": "0::%s\n" % cg, "/sys/fs/cgroup%s/cgroup.procs" % cg: "42\n43\n",
                        "/proc/42/comm": "tini\n", "/proc/43/comm": "sshd\n"})
    assert listeners.programs_of(h, 42, cid) == ["sshd", "tini"]
    containers = [{"state": "running"}, {"state": "exited"}]
    listeners.container_programs(h, [{"Id": cid, "State": {"Pid": 42}}, {"Id": "d"}], containers)
    assert containers[0] == {"state": "running", "programs": ["sshd", "tini"], "programs_error": None}
    assert "programs" not in containers[1]
    listeners.container_programs(h, [{"Id": cid, "State": {"Pid": 0}}], containers[:1])
    assert containers[0]["programs"] is None and "State.Pid is 0" in containers[0]["programs_error"]


def test_tls_on_as_dockerd_decides_it():
    from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli
    assert dockerd_cli.tls_on({"--tlsverify": ["false"]}, {}) is True     # TLS without client verification
    assert dockerd_cli.tls_on({"--tls": ["false"]}, {}) is False
    assert dockerd_cli.tls_on({}, {"tlsverify": True}) is True
    assert dockerd_cli.tls_on({}, {}) is False
    assert dockerd_cli.tls_file({}, {"tls": True}, "tlskey") == ("/root/.docker/key.pem",
                                                                 "dockerd default (~/.docker of root)")
    assert dockerd_cli.tls_file({}, {}, "tlskey") == (None, None)
