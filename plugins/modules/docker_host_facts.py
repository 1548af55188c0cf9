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
version_added: 0.2.0
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
      - The daemon facts (C(dockerd_process), C(daemon_config)) are those of the dockerd serving this endpoint (the one
        holding its listening socket), not of the first dockerd process found.
      - This is the primary daemon. Every other dockerd on the host (rootless ones, a second daemon on its own
        C(-H) socket) is read over its own socket under C(daemons). When neither this option nor E(DOCKER_HOST) is
        set and nothing serves the default socket but other daemons exist, the first one found is the primary.
    type: str
  timeout:
    description:
      - Seconds to wait for each Engine API call and each command.
    type: int
    default: 30
  daemon_json_path:
    description:
      - Path of the daemon configuration file, read only when no dockerd process (and no C(--config-file) in
        docker.service's C(ExecStart)) is found. The audited dockerd's own configuration file wins, its
        C(--config-file), else C(/etc/docker/daemon.json), the file it really reads (a snap's dockerd reads its own).
    type: path
    default: /etc/docker/daemon.json
  collectors:
    description:
      - Which collectors to run. The default runs all of them.
    type: list
    elements: str
    choices: [host, services, sshd, audit, iptables, mounts, files, daemon_config, dockerd_process, environment,
              tools, docker, daemons]
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

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base, registry


def main():
    module = AnsibleModule(
        argument_spec=dict(
            docker_host=dict(type="str"),
            timeout=dict(type="int", default=30),
            daemon_json_path=dict(type="path", default="/etc/docker/daemon.json"),
            collectors=dict(type="list", elements="str", choices=list(registry.NAMES)),
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
    wanted = set(p["collectors"] or registry.NAMES)

    def run(argv, t):
        rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
        return rc, out, err

    host = base.Host(run_command=run)
    facts = {"schema_version": base.SCHEMA_VERSION,
             "gathered_at": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
             "collectors": {}}
    params = dict(p, endpoint=endpoint, endpoint_explicit=bool(p["docker_host"] or os.environ.get("DOCKER_HOST")))
    start = time.time()
    registry.gather(host, params, wanted, facts)

    facts["seconds"] = round(time.time() - start, 3)
    module.exit_json(changed=False, ansible_facts={"dockersec": facts})


if __name__ == "__main__":
    main()
