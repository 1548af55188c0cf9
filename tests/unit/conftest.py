"""Shared fixtures for the unit tests.

Makes the collection importable as ``ansible_collections.dockersec.hardening`` from a
checkout (through ``.collections``, the symlink the Makefile creates), and provides a
facts builder that follows docs/facts.md: ``make_facts()`` is a well-hardened host,
tests change only what their case is about.
"""

import copy
import os
import sys

import pytest
from hypothesis import settings

# CI explores the same examples every run, so a landing never hangs on a newly drawn one;
# developers' runs stay random and keep finding new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "dockersec", "hardening")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.relpath(REPO, os.path.dirname(_LINK)), _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


def _collector(source="test"):
    return {"ok": True, "error": None, "source": source, "seconds": 0.0}


DOCKER_PATHS = [
    "/usr/bin/docker", "/usr/bin/dockerd", "/var/lib/docker", "/etc/docker", "/etc/docker/daemon.json",
    "/etc/default/docker", "/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket",
    "/usr/bin/containerd", "/usr/bin/runc", "/etc/containerd", "/run/containerd",
]


def make_container(name="app", **overrides):
    """A running container that passes every per-container control."""
    c = {
        "id": (name.encode().hex() + "0" * 64)[:64],
        "name": name,
        "image": "docker.io/library/nginx@sha256:" + "a" * 64,
        "image_id": "sha256:" + "1" * 64,
        "state": "running",
        "compose_project": None,
        "compose_service": None,
        "swarm_service": None,
        "user": "1000:1000",
        "env_names": ["PATH", "APP_MODE"],
        "label_names": [],
        "privileged": False,
        "cap_add": [],
        "cap_drop": ["ALL"],
        "readonly_rootfs": True,
        "memory": 256 * 1024 * 1024,
        "nano_cpus": 500000000,
        "cpu_quota": 0,
        "cpu_shares": 0,
        "pids_limit": 100,
        "security_opt": ["no-new-privileges:true"],
        "network_mode": "appnet",
        "networks": ["appnet"],
        "links": [],
        "ports": [{"container_port": "8080/tcp", "host_ip": "127.0.0.1", "host_port": "8080"}],
        "port_bindings": [{"container_port": "8080/tcp", "host_ip": "127.0.0.1", "host_port": "8080"}],
        "mounts": [],
        "tmpfs": ["/run/secrets"],
        "pid_mode": "",
        "ipc_mode": "private",
        "uts_mode": "",
        "userns_mode": "",
        "init": True,
        "restart_policy": {"name": "on-failure", "max_retry": 5},
        "apparmor_profile": "docker-default",
        "healthcheck": True,
        "started_at": "2026-11-20T00:00:00Z",
    }
    c.update(overrides)
    return c


def make_image(**overrides):
    img = {
        "repo_tags": ["nginx:1.27"],
        "repo_digests": ["nginx@sha256:" + "a" * 64],
        "size": 40 * 1024 * 1024,
        "os": "linux",
        "env_names": ["PATH", "NGINX_VERSION"],
        "history": ["/bin/sh -c #(nop) COPY file:abc in /server", "/bin/sh -c #(nop)  USER app"],
        "user": "app",
        "healthcheck": True,
        "labels_names": [],
        "has_shell": False,
    }
    img.update(overrides)
    if isinstance(img.get("history"), list) and all(isinstance(h, str) for h in img["history"]):
        # Tests write history as the CreatedBy lines an engine returns; the facts hold what the gather
        # makes of them (one summary per layer, never the line).
        from ansible_collections.dockersec.hardening.plugins.module_utils.gather.image_history import (
            summarize_history)
        img["history"] = summarize_history([{"CreatedBy": h} for h in img["history"]])
    return img


def make_facts(containers=None, images=None, swarm=None):
    """A host that passes every automated control it can; no swarm unless given."""
    containers = [make_container()] if containers is None else containers
    images = {"sha256:" + "1" * 64: make_image()} if images is None else images
    facts = {
        "schema_version": 1,
        "gathered_at": "2026-11-23T05:00:00Z",
        "collectors": dict((n, _collector()) for n in (
            "docker", "daemon_config", "dockerd_process", "files", "audit", "sshd", "iptables", "host",
            "services", "mounts", "environment", "tools")),
        "host": {
            "hostname": "node1", "os_id": "debian", "os_version": "12",
            "kernel_running": "6.1.0-26-amd64",
            "kernels_installed": ["6.1.0-25-amd64", "6.1.0-26-amd64"],
            "kernel_newest_installed": "6.1.0-26-amd64",
            "reboot_required": False,
            "auto_updates": {"unattended_upgrades_installed": True, "unattended_upgrades_enabled": True,
                             "dnf_automatic_enabled": False,
                             "apt_periodic": {"apt::periodic::unattended-upgrade": "1",
                                              "apt::periodic::update-package-lists": "1"},
                             "apt_config_problems": [], "apt_compat_cron": True, "dnf_apply_updates": None,
                             "timers": {"apt-daily-upgrade.timer": {"load": "loaded", "unit_file": "enabled",
                                                                    "active": "active"}}},
            "in_container": False, "apparmor_enabled": True, "selinux_enabled": False,
        },
        "services": {
            "source": "systemd",
            "running": ["docker.service", "containerd.service", "ssh.service", "auditd.service",
                        "systemd-timesyncd.service", "fluent-bit.service", "prometheus-node-exporter.service",
                        "falco.service", "cron.service", "systemd-journald.service", "systemd-logind.service",
                        "systemd-udevd.service", "dbus.service"],
            "processes": ["auditd", "containerd", "dockerd", "falco", "fluent-bit", "prometheus-node-exporter",
                          "sshd", "systemd"],
        },
        "sshd": {
            "binary": "/usr/sbin/sshd",
            "effective": {"permitrootlogin": "no", "passwordauthentication": "no", "x11forwarding": "no",
                          "maxauthtries": "3"},
            "config_files": ["/etc/ssh/sshd_config"],
            "match_blocks": [], "config_problems": [],
            "outside_probe": {"spec": "user=root,host=client.invalid,addr=203.0.113.9,laddr=198.51.100.22,lport=22",
                              "changed": {}, "error": None},
        },
        "audit": {
            "auditctl": "/usr/sbin/auditctl",
            "live_rules": ["-w %s -p wa -k docker" % p for p in DOCKER_PATHS],
            "live_error": None,
            "enabled_flag": 1,
            "file_rules": {"/etc/audit/rules.d/docker.rules": ["-w %s -p wa -k docker" % p for p in DOCKER_PATHS]},
        },
        "iptables": {
            "binary": "/usr/sbin/iptables",
            "docker_user": ["-N DOCKER-USER",
                            "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                            "-A DOCKER-USER -s 10.0.0.0/8 -j ACCEPT",
                            "-A DOCKER-USER -i eth0 -j DROP"],
            "docker_user_error": None,
            "forward_policy": "DROP",
        },
        "mounts": {
            "entries": [
                {"target": "/", "source": "/dev/vda1", "fstype": "ext4", "options": "rw,relatime"},
                {"target": "/var/lib/docker", "source": "/dev/mapper/luks-docker", "fstype": "ext4",
                 "options": "rw,relatime"},
            ],
            "crypt_devices": ["/dev/mapper/luks-docker"],
            "lsblk_error": None,
        },
        "files": dict((p, {"exists": True, "mode": "0644", "owner": "root", "group": "root", "type": "file"})
                      for p in DOCKER_PATHS),
        "daemon_config": {
            "path": "/etc/docker/daemon.json", "exists": True, "valid": True, "error": None,
            "content": {
                "icc": False, "log-level": "info", "userns-remap": "default",
                "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 20000, "Soft": 20000},
                                    "nproc": {"Name": "nproc", "Hard": 4096, "Soft": 4096}},
                "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"},
                "no-new-privileges": True, "live-restore": True, "userland-proxy": False,
            },
        },
        "dockerd_process": {
            "running": True, "pid": 123,
            "cmdline": ["/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"],
            "flags": {"-H": ["fd://"], "--containerd": ["/run/containerd/containerd.sock"]},
            "unit_exec_start": "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
            "limits": {"nofile_soft": 1048576, "nofile_hard": 1048576, "nproc_soft": None, "nproc_hard": None},
            # -H fd://: the sockets dockerd serves are docker.socket's
            "socket_activation": {"unit": "docker.socket", "files": ["/lib/systemd/system/docker.socket"],
                                  "listen_streams": ["/run/docker.sock"], "error": None},
        },
        "docker": {
            "reachable": True,
            "api_version": "1.43",
            "info": {
                "ServerVersion": "24.0.7", "Driver": "overlay2", "DockerRootDir": "/var/lib/docker",
                "SecurityOptions": ["name=apparmor", "name=seccomp,profile=default", "name=userns"],
                "LoggingDriver": "json-file", "CgroupVersion": "2", "LiveRestoreEnabled": True,
                "CgroupDriver": "systemd", "MemoryLimit": True, "CpuCfsQuota": True, "PidsLimit": True,
                "Containers": len(containers), "ContainersRunning": len(containers), "Images": len(images),
                "Swarm": {"LocalNodeState": "inactive", "NodeID": "", "ControlAvailable": False,
                          "Managers": 0, "Nodes": 0, "Cluster": None},
            },
            "bridge_network": {"Options": {"com.docker.network.bridge.enable_icc": "false"}},
            "containers": containers,
            "images": images,
            "networks": [
                {"name": "bridge", "id": "b1", "driver": "bridge", "scope": "local", "internal": False,
                 "attachable": False, "options": {"com.docker.network.bridge.enable_icc": "false"},
                 "containers": [], "encrypted": False},
                {"name": "appnet", "id": "n1", "driver": "bridge", "scope": "local", "internal": False,
                 "attachable": False, "options": {}, "containers": [c["name"] for c in containers],
                 "encrypted": False},
            ],
            "volumes_count": 0,
            "swarm": swarm,
            "local_state": {"join_token_rotated_at": None},
        },
        "environment": {"docker_content_trust": [{"file": "/etc/environment", "value": "1"}]},
        "tools": {"trivy": "/usr/bin/trivy", "grype": None, "docker_scout": None, "cosign": "/usr/bin/cosign",
                  "notary": None, "falco": "/usr/bin/falco", "docker_bench_log": None,
                  "docker_bench_log_mtime": None,
                  # docker-bench-security ran two days before the audit date the tests use (2026-11-23)
                  "docker_bench": {"path": "/opt/docker-bench-security/log/docker-bench-security.log.json",
                                   "mtime": "2026-11-21T05:01:00Z", "error": None, "version": "1.6.0",
                                   "start": 1795237200, "end": 1795237260, "checks": 117, "score": 25,
                                   "counts": {"PASS": 64, "WARN": 21, "INFO": 27, "NOTE": 5}, "results": 117,
                                   "complete": True, "parsed": "json"}},
    }
    facts["files"]["/var/run/docker.sock"] = {
        "exists": True, "mode": "0660", "owner": "root", "group": "docker", "type": "socket"}
    return copy.deepcopy(facts)


PRIMARY_DAEMON = "root@unix:///var/run/docker.sock"
ROOTLESS_DAEMON = "svc@unix:///run/user/1000/docker.sock"


def make_primary_daemon(**overrides):
    """The ``daemons`` record of the rootful daemon whose sections are the top-level ones (docs/facts.md)."""
    record = {"name": PRIMARY_DAEMON, "primary": True, "endpoint": "unix:///var/run/docker.sock",
              "rootless": False, "user": "root", "uid": 0, "pid": 123, "found_by": "process",
              "data_root": "/var/lib/docker"}
    record.update(overrides)
    return record


def make_rootless_daemon(containers=None, name=ROOTLESS_DAEMON, uid=1000, user="svc", **overrides):
    """A second, rootless daemon's ``daemons`` record with its own sections, read over its own
    socket: dockerd under rootlesskit reports ``name=rootless`` in SecurityOptions."""
    base = make_facts(containers=containers)
    home = "/home/%s" % user
    endpoint = "unix:///run/user/%d/docker.sock" % uid
    docker = base["docker"]
    docker["info"]["SecurityOptions"] = ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"]
    docker["info"]["DockerRootDir"] = home + "/.local/share/docker"
    config = base["daemon_config"]
    config["path"] = home + "/.config/docker/daemon.json"
    process = base["dockerd_process"]
    process.update(pid=5678, cmdline=["dockerd"], flags={}, unit_exec_start=None, endpoint=endpoint,
                   socket_activation={"unit": None, "files": [], "listen_streams": [], "error": None})
    record = {"name": name, "primary": False, "endpoint": endpoint, "rootless": True, "user": user, "uid": uid,
              "pid": 5678, "found_by": "process", "data_root": home + "/.local/share/docker",
              "collectors": dict((n, _collector("rootless")) for n in ("docker", "daemon_config", "dockerd_process")),
              "docker": docker, "daemon_config": config, "dockerd_process": process}
    record.update(overrides)
    return record


SECOND_DAEMON = "root@unix:///srv/docker.sock"


def make_second_rootful_daemon(containers=None):
    """A second rootful daemon (``-H unix:///srv/docker.sock``) whose facts are the primary's: its
    verdicts differ from the primary's only where a test makes them, so scoring mechanics show."""
    record = make_rootless_daemon(containers=containers, name=SECOND_DAEMON, uid=0, user="root", rootless=False,
                                  endpoint="unix:///srv/docker.sock", data_root="/var/lib/docker")
    record["docker"]["info"]["SecurityOptions"] = list(make_facts()["docker"]["info"]["SecurityOptions"])
    record["docker"]["info"]["DockerRootDir"] = "/var/lib/docker"
    record["daemon_config"] = make_facts()["daemon_config"]
    record["dockerd_process"]["endpoint"] = record["endpoint"]
    return record


def make_two_daemon_facts(rootless_containers=None, containers=None, second_rootless=True):
    """``make_facts()`` plus a rootless daemon next to the rootful primary (interface A's ``daemons``);
    ``second_rootless=False``: a second rootful daemon instead (make_second_rootful_daemon)."""
    facts = make_facts(containers=containers)
    # The service account's home on its own encrypted partition: its daemon's data root passes 4 and 27 too.
    facts["mounts"]["entries"].append({"target": "/home", "source": "/dev/mapper/luks-home", "fstype": "ext4",
                                       "options": "rw,relatime"})
    facts["mounts"]["crypt_devices"].append("/dev/mapper/luks-home")
    facts["collectors"]["daemons"] = _collector("/proc, /run/user/*/docker.sock")
    second = (make_rootless_daemon if second_rootless else make_second_rootful_daemon)(containers=rootless_containers)
    facts["daemons"] = [make_primary_daemon(), second]
    return facts


ROOTLESS_VIEW_META = {
    "name": "svc@unix:///run/user/1000/docker.sock", "primary": False,
    "endpoint": "unix:///run/user/1000/docker.sock", "rootless": True, "user": "svc", "uid": 1000,
    "pid": 5678, "found_by": "process", "data_root": "/home/svc/.local/share/docker",
}


def make_rootless_facts(containers=None, images=None):
    """The view of a rootless dockerd (BRIEF B: ``daemon`` = its record) run by ``svc`` (uid 1000) on a
    host that also runs the rootful one: docker info as dockerd-rootless.sh's daemon reports it
    without cgroup v2 delegation (name=rootless, CgroupDriver none, no limit support), its config in
    ~/.config/docker, its data in ~/.local/share/docker on /home, its socket in /run/user/1000."""
    facts = make_facts(containers=containers, images=images)
    facts["daemon"] = dict(ROOTLESS_VIEW_META)
    info = facts["docker"]["info"]
    info.update({"SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"],
                 "CgroupDriver": "none", "MemoryLimit": False, "CpuCfsQuota": False, "PidsLimit": False,
                 "DockerRootDir": "/home/svc/.local/share/docker"})
    content = dict(facts["daemon_config"]["content"])
    content.pop("userns-remap")
    facts["daemon_config"] = {"path": "/home/svc/.config/docker/daemon.json", "exists": True, "valid": True,
                              "error": None, "content": content}
    facts["dockerd_process"] = {
        "running": True, "pid": 5678, "cmdline": ["dockerd"], "flags": {}, "unit_exec_start": None,
        "limits": {"nofile_soft": 1048576, "nofile_hard": 1048576, "nproc_soft": None, "nproc_hard": None},
        "socket_activation": None, "config_file": "/home/svc/.config/docker/daemon.json"}
    facts["mounts"]["entries"].append({"target": "/home", "source": "/dev/vdb1", "fstype": "ext4",
                                       "options": "rw,relatime", "dev": "254:17"})
    facts["host"]["ip_unprivileged_port_start"] = 1024
    facts["files"]["/run/user/1000/docker.sock"] = {
        "exists": True, "mode": "0660", "owner": "svc", "group": "svc", "type": "socket"}
    return facts


@pytest.fixture
def facts():
    return make_facts()


def evaluator_sections(*modules):
    """The evaluator modules of several checklist sections seen as one: their functions, and
    CHECKS merged, so a test file can cover a range of items across sections."""
    import types

    merged = types.SimpleNamespace(CHECKS={})
    for mod in modules:
        for name, value in vars(mod).items():
            if name != "CHECKS" and not name.startswith("__"):
                setattr(merged, name, value)
        merged.CHECKS.update(mod.CHECKS)
    return merged
