#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_host_facts
short_description: Gather everything the dockersec audit needs from a Docker host, in one read-only pass
version_added: 0.1.0
description:
  - Gathers daemon configuration (daemon.json, the dockerd command line and unit, C(docker info)), every
    container and the images they use (listed once and inspected concurrently through the Engine API),
    networks, volumes, swarm state, socket and file modes, audit rules (live C(auditctl -l) and
    C(/etc/audit/rules.d)), the effective sshd configuration (C(sshd -T)), the C(DOCKER-USER) chain,
    kernel and update state, mounts and running services.
  - Returns them as C(ansible_facts['dockersec']); the schema is documented in C(docs/facts.md).
  - Each collector is isolated. One that fails records why in C(collectors[NAME].error) and the others
    still run; the controls that need it then evaluate to C(error).
  - Never writes anything on the host. Environment variables, labels and command lines are returned as
    names only, never values.
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
  - dockersec.hardening.attributes.facts
  - dockersec.hardening.attributes.facts_module
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  docker_host:
    description:
      - The Docker Engine API endpoint. A C(unix:///path/to/docker.sock) socket is read with the Python standard
        library. C(tcp://HOST:PORT) and C(ssh://USER@HOST) need the Python docker SDK on the host (for TLS,
        E(DOCKER_TLS_VERIFY) and E(DOCKER_CERT_PATH) as the docker CLI reads them).
      - If not set, the value of the E(DOCKER_HOST) environment variable is used, else
        C(unix:///var/run/docker.sock).
    type: str
  timeout:
    description:
      - Seconds to wait for each Engine API call and each command.
    type: int
    default: 30
  daemon_json_path:
    description:
      - Path of the daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  collectors:
    description:
      - Which collectors to run. The default runs all of them.
    type: list
    elements: str
    choices: [host, services, sshd, audit, iptables, mounts, files, daemon_config, dockerd_process, environment,
              tools, docker]
  inspect_workers:
    description:
      - Concurrent Engine API inspects.
    type: int
    default: 8
  state_path:
    description:
      - JSON file where this collection's roles record state on the host (for example the last join-token
        rotation). Read only.
    type: path
    default: /etc/dockersec/state.json
  sensitive_label_keys:
    description:
      - Swarm service label names whose values are kept (item 40 looks at them); other label values are dropped.
    type: list
    elements: str
    default: [security-zone, sensitivity, classification, pci, pii]
requirements:
  - Nothing beyond the Python standard library on the host when the engine is reached on its unix socket.
  - The Python docker SDK (C(python3-docker) or C(pip install docker)) on the host only for a C(tcp://) or
    C(ssh://) O(docker_host); without it such an endpoint fails with a message naming what to install.
notes:
  - Most collectors need root (sshd -T, iptables, /proc of dockerd, the Docker socket). Run with C(become);
    without it the audit still completes and the unreadable parts come out as C(error) with the reason.
seealso:
  - module: dockersec.hardening.docker_audit
"""

EXAMPLES = r"""
- name: Gather Docker host facts
  dockersec.hardening.docker_host_facts:
  become: true

- name: Gather from a non-default endpoint, only daemon settings
  dockersec.hardening.docker_host_facts:
    docker_host: unix:///run/user/1000/docker.sock
    collectors: [docker, daemon_config, dockerd_process]

- name: Show the engine version
  ansible.builtin.debug:
    msg: "{{ ansible_facts['dockersec']['docker']['info']['ServerVersion'] }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: dict
  contains:
    dockersec:
      description:
        - Everything gathered, one section per collector, plus C(collectors) with each collector's
          C(ok), C(error), C(source) and C(seconds). See C(docs/facts.md).
      type: dict
      returned: always
"""

import datetime
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockersec.hardening.plugins.module_utils import collectors as col


def _docker_sdk(endpoint):
    """The docker SDK for a remote endpoint, or (None, why not).

    Imported only when needed: unix sockets are read with the standard library, and importing
    the SDK (requests, urllib3) would cost every gather its start-up time.
    """
    if endpoint.startswith(("unix://", "/")):
        return None, None
    try:
        import docker
    except Exception as exc:  # ImportError, or a broken install
        return None, str(exc)
    return docker, None


ALL_COLLECTORS = ["host", "services", "sshd", "audit", "iptables", "mounts", "files", "daemon_config",
                  "dockerd_process", "environment", "tools", "docker"]


def _docker_error(exc, endpoint):
    text = str(exc)
    if "Permission denied" in text or "PermissionError" in text:
        path = endpoint.replace("unix://", "")
        return "permission denied on %s: run with become (root) to read the Docker engine" % path
    if "FileNotFoundError" in text or "No such file" in text:
        return "no Docker engine socket at %s: Docker is not installed or dockerd is not running" % endpoint
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused at %s: dockerd is not running" % endpoint
    # http.client's RemoteDisconnected says only "Remote end closed connection without response".
    kind = "%s %s" % (type(exc).__name__, text)
    if any(k in kind for k in ("RemoteDisconnected", "Connection aborted", "Connection reset", "BadStatusLine",
                               "IncompleteRead", "ConnectionResetError", "BrokenPipe")):
        return ("the Docker engine at %s closed the connection in the middle of the gather (dockerd stopped or "
                "crashed during the audit): %s" % (endpoint, text[:200]))
    if "timed out" in text.lower():
        return "the Docker engine at %s did not answer in time" % endpoint
    return "Docker engine at %s: %s" % (endpoint, text[:300])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            docker_host=dict(type="str"),
            timeout=dict(type="int", default=30),
            daemon_json_path=dict(type="path", default="/etc/docker/daemon.json"),
            collectors=dict(type="list", elements="str", choices=ALL_COLLECTORS),
            inspect_workers=dict(type="int", default=8),
            state_path=dict(type="path", default="/etc/dockersec/state.json"),
            sensitive_label_keys=dict(type="list", elements="str", no_log=False,
                                      default=["security-zone", "sensitivity", "classification", "pci", "pii"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["timeout"] < 1:
        module.fail_json(msg="timeout must be at least 1 second, got %d" % p["timeout"])
    if not 1 <= p["inspect_workers"] <= 64:
        module.fail_json(msg="inspect_workers must be between 1 and 64, got %d" % p["inspect_workers"])
    endpoint = p["docker_host"] or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    wanted = set(p["collectors"] or ALL_COLLECTORS)
    timeout = p["timeout"]

    def run(argv, t):
        rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
        return rc, out, err

    host = col.Host(run_command=run)
    facts = {"schema_version": col.SCHEMA_VERSION,
             "gathered_at": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
             "collectors": {}}
    start = time.time()
    plan = [
        ("host", col.collect_host, (host,)),
        ("services", col.collect_services, (host,)),
        ("sshd", col.collect_sshd, (host,)),
        ("audit", col.collect_audit, (host,)),
        ("iptables", col.collect_iptables, (host,)),
        ("mounts", col.collect_mounts, (host,)),
        ("files", col.collect_files, (host, (p["daemon_json_path"],))),
        ("daemon_config", col.collect_daemon_config, (host, p["daemon_json_path"])),
        ("dockerd_process", col.collect_dockerd_process, (host,)),
        ("environment", col.collect_environment, (host,)),
        ("tools", col.collect_tools, (host,)),
    ]
    for name, func, args in plan:
        if name in wanted:
            col.timed(name, func, facts, *args)

    if "docker" in wanted:
        state = col.read_state(host, p["state_path"])
        facts["docker"] = {"reachable": False, "api_version": None, "info": {}, "bridge_network": None,
                           "containers": [], "images": {}, "networks": [], "volumes_count": None, "swarm": None,
                           "local_state": state}

        def gather_docker():
            try:
                sdk, sdk_error = _docker_sdk(endpoint)
                client = col.engine_client(endpoint, timeout, sdk, sdk_error)
                return col.collect_docker(lambda: client, p["inspect_workers"], set(p["sensitive_label_keys"]),
                                          state), endpoint
            except col.CollectorError:
                raise
            except Exception as exc:
                raise col.CollectorError(_docker_error(exc, endpoint))

        col.timed("docker", gather_docker, facts)

    facts["seconds"] = round(time.time() - start, 3)
    module.exit_json(changed=False, ansible_facts={"dockersec": facts})


if __name__ == "__main__":
    main()
