# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Testinfra checks of the remediated instance, run by verify.yml after the fault case.

Ansible's verify play already asserts the report's verdicts; these look at the host itself,
from outside Ansible: the daemon serves with the merged file, the unrelated key survived, the
backup is private, and the workload kept running through the restart.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

testinfra_hosts = ["docker://fixme", "docker://fixme-trixie"]


def _daemon_json(host):
    return json.loads(host.file("/etc/docker/daemon.json").content_string)


def test_dockerd_serves_with_the_merged_configuration(host):
    assert host.process.filter(comm="dockerd"), "no dockerd process"
    info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["LoggingDriver"] == "json-file"
    assert info["Driver"] == "vfs"
    config = _daemon_json(host)
    assert info["LiveRestoreEnabled"] is bool(config.get("live-restore"))


def test_unrelated_key_survived_and_hardened_keys_are_there(host):
    config = _daemon_json(host)
    assert config["storage-driver"] == "vfs"
    assert config["icc"] is False
    assert config["log-level"] == "info"
    assert config["no-new-privileges"] is True
    assert "userns-remap" not in config
    assert int(config["default-ulimits"]["nofile"]["Hard"]) <= 20000


def test_daemon_json_is_root_owned_and_not_world_writable(host):
    f = host.file("/etc/docker/daemon.json")
    assert f.user == "root" and f.group == "root"
    assert f.mode & 0o022 == 0


def test_backups_are_private(host):
    backups = host.file("/var/backups/dockersec")
    assert backups.is_directory and backups.mode == 0o700
    names = host.check_output("ls -1 /var/backups/dockersec").split()
    assert any(n.startswith("daemon.json.") and n.endswith(".bak") for n in names), names


def test_workload_containers_still_run(host):
    # The weak profile's containers (web, socket-client) must have survived the restart.
    running = host.check_output("docker ps --format '{{.Names}}'").split()
    assert {"web", "socket-client"} <= set(running), running
