#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_daemon_config
short_description: Merge settings into daemon.json safely, never overwriting unrelated keys
version_added: 0.2.0
description:
  - Merges O(settings) into the Docker daemon configuration file and removes the keys in O(absent);
    every other key is kept as it was.
  - Refuses, before writing anything, an existing file that is not a JSON object, keys it does not know,
    values of the wrong type, keys the running engine is too old for, and keys that the dockerd command line
    already sets (dockerd refuses to start when a setting is in both places).
  - Writes a timestamped backup first, then the candidate to a temporary file in the same directory, and
    renames it over the old file; on engines that have C(dockerd --validate) (23.0 and later) the candidate
    is validated before the rename.
  - A failure at any step (for example a full disk, reported as C(disk full (ENOSPC ...))) fails the task
    with the step and the reason, removes the temporary file and this run's backup, and leaves the old file
    byte for byte as it was.
  - Reports whether the change needs a dockerd restart or only a reload (SIGHUP); it never restarts dockerd
    itself (the C(dockersec.hardening.daemon) role does, with a health check and rollback).
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  path:
    description: The daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  settings:
    description:
      - Keys to set (daemon.json names, for example C(icc), C(log-level), C(default-ulimits)).
      - The map keys C(default-ulimits), C(log-opts), C(features) and C(runtimes) are merged entry by entry
        (every existing entry is kept, the given ones are added or changed), unless named in O(replace).
    type: dict
    default: {}
  replace:
    description: Map keys of O(settings) that replace the file's value whole instead of being merged into it.
    type: list
    elements: str
    default: []
  absent:
    description: Keys to remove.
    type: list
    elements: str
    default: []
  engine_version:
    description: The running engine's version (C(docker info) ServerVersion); keys newer than it are refused.
    type: str
  dockerd_flags:
    description: Flags on the running dockerd command line (for example C(-H), C(--icc)); keys they set are refused.
    type: list
    elements: str
    default: []
  backup_dir:
    description: Where the timestamped backup goes. Defaults to the file's own directory.
    type: path
  validate_with_dockerd:
    description: Run C(dockerd --validate --config-file) on the candidate when the engine supports it (23.0+).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Disable inter-container communication and set the log level
  dockersec.hardening.docker_daemon_config:
    settings:
      icc: false
      log-level: info
    engine_version: "{{ ansible_facts['dockersec']['docker']['info']['ServerVersion'] }}"
    dockerd_flags: "{{ ansible_facts['dockersec']['dockerd_process']['flags'] | list }}"
  register: dockersec_daemon_change
"""

RETURN = r"""
backup_file:
  description: The backup of the previous file, when one was written.
  returned: changed and the file existed
  type: str
  sample: /etc/docker/daemon.json.20261123T060000Z.bak
changed_keys:
  description: Keys whose value changed.
  returned: always
  type: list
  elements: str
restart_required:
  description: True when a changed key is read only at dockerd start; false when a reload (SIGHUP) applies it.
  returned: always
  type: bool
config:
  description: The resulting configuration, with the values of secret-like keys and URL credentials redacted.
  returned: always
  type: dict
errno:
  description: The operating system error number when writing the backup or the new file failed.
  returned: failed while writing
  type: int
  sample: 28
"""

import datetime
import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc
from ansible_collections.dockersec.hardening.plugins.module_utils import redact, versions


def _read(module, path):
    if not os.path.exists(path):
        return {}, False
    try:
        with open(path) as f:
            text = f.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg="%s is unreadable: %s; nothing was changed" % (path, exc))
    if not text.strip():
        return {}, True
    try:
        data = json.loads(text)
    except ValueError as exc:
        module.fail_json(msg="%s is not valid JSON (%s); fix it by hand first, nothing was changed" % (path, exc))
    if not isinstance(data, dict):
        module.fail_json(msg="%s holds a JSON %s, not an object; nothing was changed" % (path, type(data).__name__))
    return data, True


def _dockerd_validate(module, candidate, engine_version):
    if (versions.release(engine_version) or ()) < (23, 0, 0):
        return "skipped: engine %s has no dockerd --validate" % (engine_version or "unknown")
    dockerd = module.get_bin_path("dockerd")
    if not dockerd:
        return "skipped: dockerd binary not found"
    rc, out, err = module.run_command([dockerd, "--validate", "--config-file", candidate])
    if rc != 0:
        module.fail_json(msg="dockerd --validate rejected the new configuration: %s; nothing was changed"
                         % (err or out).strip())
    return "dockerd --validate: ok"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/docker/daemon.json"),
            settings=dict(type="dict", default={}),
            absent=dict(type="list", elements="str", default=[]),
            replace=dict(type="list", elements="str", default=[]),
            engine_version=dict(type="str"),
            dockerd_flags=dict(type="list", elements="str", default=[]),
            backup_dir=dict(type="path"),
            validate_with_dockerd=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    path = p["path"]
    try:
        dc.validate(p["settings"], p["engine_version"], p["dockerd_flags"])
    except dc.DaemonConfigError as exc:
        module.fail_json(msg="refusing to change %s: %s" % (path, exc))

    current = _read(module, path)[0]
    new = dc.merge(current, p["settings"], p["absent"], p["replace"])
    keys = dc.changed_keys(current, new)
    # daemon.json can hold secrets (log-opts tokens, credentials in URLs): what this module prints
    # (the result at -v, the --diff) shows them redacted; the file itself is written unredacted.
    result = dict(changed=bool(keys), changed_keys=keys, restart_required=dc.needs_restart(keys),
                  config=redact.redact_config(new))
    if module._diff:
        result["diff"] = {"before": json.dumps(redact.redact_config(current), indent=2, sort_keys=True) + "\n",
                          "after": json.dumps(redact.redact_config(new), indent=2, sort_keys=True) + "\n",
                          "before_header": path, "after_header": path}
    if not keys or module.check_mode:
        module.exit_json(**result)

    # Backup first, then a temp file in the same directory, then a rename: a full disk, a
    # refusal from dockerd --validate or a failed move leaves the old file as it was.
    def validate(candidate):
        result["validation"] = (_dockerd_validate(module, candidate, p["engine_version"])
                                if p["validate_with_dockerd"] else "skipped")

    stamp = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(new, indent=2, sort_keys=True) + "\n"
    try:
        backup = dc.safe_replace(path, text, backup_dir=p["backup_dir"], stamp=stamp, validate=validate,
                                 move=module.atomic_move)
    except dc.WriteError as exc:
        module.fail_json(msg=str(exc), errno=exc.errno, changed_keys=keys)
    if backup:
        result["backup_file"] = backup
    module.exit_json(**result)


if __name__ == "__main__":
    main()
