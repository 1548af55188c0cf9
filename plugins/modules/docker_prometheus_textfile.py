#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: docker_prometheus_textfile
short_description: Write a host's dockersec metrics into its node_exporter textfile collector directory
version_added: 0.2.0
description:
  - Writes O(content) (the host's own C(dockersec.prom), from the RV(dockersec.hardening.docker_report#module:prometheus_textfiles)
    of the report step) as O(file_name) in O(directory), so that the host's node_exporter exports it.
  - Atomic, so that node_exporter never reads half a file. The text goes to a temporary file in O(directory)
    whose name does not end in C(.prom) (the collector reads only C(*.prom)), is flushed to disk, then renamed
    over O(file_name).
  - The only write the audit playbook makes on a host. It runs only when C(dockersec_prometheus_textfile_dir) is
    set, and not in C(--check) unless C(dockersec_prometheus_textfile_in_check=true).
author:
  - dockersec.hardening contributors (@dockersec)
attributes:
  check_mode:
    support: full
    description: Reports whether the file would change and writes nothing.
  diff_mode:
    support: none
    description: The metrics change at every audit (the audit time); no diff is shown.
options:
  directory:
    description:
      - The textfile collector directory (node_exporter's C(--collector.textfile.directory); Debian's
        C(prometheus-node-exporter) uses C(/var/lib/prometheus/node-exporter)). It must exist.
    type: path
    required: true
  content:
    description: The metrics, in the Prometheus text exposition format.
    type: str
    required: true
  file_name:
    description: The file's name in O(directory); it must end in C(.prom) for the collector to read it.
    type: str
    default: dockersec.prom
  mode:
    description: The file's permissions; node_exporter runs as its own user and must be able to read it.
    type: raw
    default: "0644"
seealso:
  - module: dockersec.hardening.docker_report
"""

EXAMPLES = r"""
- name: Write this host's metrics for its node_exporter
  dockersec.hardening.docker_prometheus_textfile:
    directory: /var/lib/prometheus/node-exporter
    content: "{{ dockersec_report_result['prometheus_textfiles'][inventory_hostname] }}"
"""

RETURN = r"""
path:
  description: The file written (or that would be written in check mode).
  returned: always
  type: str
  sample: /var/lib/prometheus/node-exporter/dockersec.prom
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule


def _mode(value):
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text, 8)
    except ValueError:
        return None


def write_atomic(directory, file_name, content, mode):
    """Write ``content`` to ``directory/file_name`` by rename; returns the path."""
    path = os.path.join(directory, file_name)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % file_name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def main():
    module = AnsibleModule(
        argument_spec={
            "directory": {"type": "path", "required": True},
            "content": {"type": "str", "required": True},
            "file_name": {"type": "str", "default": "dockersec.prom"},
            "mode": {"type": "raw", "default": "0644"},
        },
        supports_check_mode=True,
    )
    directory = module.params["directory"]
    file_name = module.params["file_name"]
    mode = _mode(module.params["mode"])
    path = os.path.join(directory, file_name)
    if mode is None or not 0 <= mode <= 0o7777:
        module.fail_json(msg="mode must be an octal mode such as 0644, got %r" % (module.params["mode"],), path=path)
    if os.sep in file_name or not file_name.endswith(".prom"):
        module.fail_json(msg="file_name must be a plain file name ending in .prom (node_exporter reads only "
                             "*.prom), got %r" % file_name, path=path)
    if not os.path.isdir(directory):
        module.fail_json(msg="the textfile collector directory %s does not exist: install and configure "
                             "node_exporter's textfile collector, or unset dockersec_prometheus_textfile_dir"
                             % directory, path=path)
    content = module.params["content"]
    if content and not content.endswith("\n"):
        content += "\n"
    try:
        with open(path, "rb") as f:
            current = f.read()
        same = current == content.encode("utf-8") and (os.stat(path).st_mode & 0o7777) == mode
    except (IOError, OSError):
        same = False
    if same or module.check_mode:
        module.exit_json(changed=not same, path=path)
    try:
        write_atomic(directory, file_name, content, mode)
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc), path=path)
    module.exit_json(changed=True, path=path)


if __name__ == "__main__":
    main()
