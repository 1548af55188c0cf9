#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sshd_login_facts
short_description: Read what the sshd role needs to harden sshd without locking anyone out
version_added: 0.2.0
description:
  - Reads the main sshd configuration, the files in the directory its first C(Include) names, the effective
    configuration (C(sshd -T)), and which accounts with a login shell hold at least one authorized key
    (the C(AuthorizedKeysFile) patterns of the effective configuration).
  - Changes nothing. Fails with the reason when C(sshd -T) fails (for example a missing privilege separation
    directory C(/run/sshd)).
author:
  - dockersec.hardening contributors (@dockersec)
extends_documentation_fragment:
  - dockersec.hardening.attributes
attributes:
  check_mode:
    support: full
    details:
      - This module does not modify state.
  diff_mode:
    support: none
options:
  config_path:
    description: The main sshd configuration file.
    type: path
    default: /etc/ssh/sshd_config
  sshd_binary:
    description: The sshd binary.
    type: path
    default: /usr/sbin/sshd
notes:
  - Accounts whose shell is C(nologin) or C(false) do not count as a way in.
  - C(AuthorizedKeysCommand) is not followed; keys served that way are not seen.
"""

EXAMPLES = r"""
- name: Read sshd's configuration and the accounts that can log in with a key
  dockersec.hardening.sshd_login_facts:
  register: sshd_facts
"""

RETURN = r"""
config_text:
  description: The main configuration file's text.
  type: str
  returned: success
include_dir:
  description: The directory of the first C(Include) pattern, or null when there is none.
  type: str
  returned: success
include_dir_files:
  description: Names of the files in O(config_path)'s first C(Include) directory.
  type: list
  elements: str
  returned: success
effective:
  description: C(sshd -T) as lower-case keyword to value (the first value of repeated keywords).
  type: dict
  returned: success
key_users:
  description: Accounts with a login shell that have at least one authorized key.
  type: list
  elements: str
  returned: success
"""

import os
import posixpath
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.sshd_policy import (
    authorized_key_paths, parse_effective, parse_includes)


def _has_key(path):
    try:
        with open(path, "r") as f:
            return any(line.strip() and not line.strip().startswith("#") for line in f)
    except (IOError, OSError):
        return False


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_path=dict(type="path", default="/etc/ssh/sshd_config"),
            sshd_binary=dict(type="path", default="/usr/sbin/sshd"),
        ),
        supports_check_mode=True,
    )
    config_path = module.params["config_path"]
    binary = module.params["sshd_binary"]
    if not os.access(binary, os.X_OK):
        module.fail_json(msg="%s is not an executable sshd" % binary)
    try:
        with open(config_path, "r") as f:
            text = f.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read %s: %s" % (config_path, exc))
    rc, out, err = module.run_command([binary, "-T", "-f", config_path])
    if rc != 0:
        lines = (err or out).strip().splitlines()
        module.fail_json(msg="%s -T failed (rc %s): %s" % (binary, rc, lines[-1] if lines else "no output"))
    effective = parse_effective(out)

    includes, _first = parse_includes(text, posixpath.dirname(config_path) or "/etc/ssh")
    include_dir, files = None, []
    if includes:
        include_dir = posixpath.dirname(includes[0]["pattern"])
        if os.path.isdir(include_dir):
            files = sorted(os.listdir(include_dir))

    passwd = dict((p.pw_name, ["x", p.pw_uid, p.pw_gid, p.pw_gecos, p.pw_dir, p.pw_shell]) for p in pwd.getpwall())
    key_users = sorted(set(e["user"] for e in authorized_key_paths(passwd, effective.get("authorizedkeysfile", ""))
                           if _has_key(e["path"])))
    module.exit_json(changed=False, config_text=text, include_dir=include_dir, include_dir_files=files,
                     effective=effective, key_users=key_users)


if __name__ == "__main__":
    main()
