#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sshd_login_facts
short_description: Read what the sshd role needs to harden sshd without locking the connecting account out
version_added: 0.2.0
description:
  - Reads the main sshd configuration, the files in the directory its first C(Include) names, the effective
    configuration (C(sshd -T)).
  - With O(login_user), also reads what the lockout guard needs about that account's own login (it judges
    nothing itself) - its groups (primary and supplementary), its authorized keys (the C(AuthorizedKeysFile) of its connection,
    with each key's C(command=), C(restrict) and C(from=) options), the C(Match) blocks - and runs
    C(sshd -T -C) for its connection (from C(SSH_CONNECTION), else an outside address) twice, on the current
    configuration and on a copy that has O(settings) where the role would write them.
  - Changes nothing (the copy lives in a temporary directory). Fails with the reason when C(sshd -T) fails (for
    example a missing privilege separation directory C(/run/sshd)).
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
  login_user:
    description: The account Ansible connects as (C(id -un) without become). Without it no login is read.
    type: str
  ssh_connection:
    description: C(SSH_CONNECTION) of that account's session (client address and port, server address and port).
    type: str
    default: ""
  settings:
    description: The settings the role would write (keyword to value), for the changed-configuration probe.
    type: dict
    default: {}
  dropin_name:
    description: The drop-in name the role would write.
    type: str
    default: 00-dockersec-hardening.conf
notes:
  - Accounts whose shell is C(nologin) or C(false) do not count as a way in.
  - C(AuthorizedKeysCommand) is not followed; keys served that way are not seen (the guard calls the login
    unknown).
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
login:
  description: The connecting account (user, uid, groups, shell, addr, host, laddr, lport, spec, via_ssh, keys,
    match_blocks), or user and error.
  type: dict
  returned: when O(login_user) is given
login_before:
  description: C(sshd -T -C) for that account's connection as keyword to every value, or null (see login_before_error).
  type: dict
  returned: when O(login_user) is given
login_after:
  description: The same with O(settings) written, or null (see login_after_error, candidate_invalid).
  type: dict
  returned: when O(login_user) is given
candidate_invalid:
  description: C(sshd -t) rejects the changed configuration (the role's write step then fails and installs nothing).
  type: bool
  returned: when O(login_user) is given
"""

import grp
import os
import posixpath
import pwd
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import sshd as gather_sshd
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import Host
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.sshd_policy import (
    SshdPolicyError, authorized_key_paths, effective_values, parse_effective, parse_includes, parse_key_line,
    placement, render_block, validate_settings)


def _keys(path):
    """The key lines of one authorized_keys file, with their options; [] when there is none."""
    out = []
    try:
        with open(path, "r") as f:
            lines = f.read().splitlines()
    except (IOError, OSError, UnicodeDecodeError):
        return out
    for number, raw in enumerate(lines, 1):
        entry = parse_key_line(raw)
        if entry:
            entry.update(path=path, line=number)
            out.append(entry)
    return out


def _probe(module, binary, config, spec):
    rc, out, err = module.run_command([binary, "-T", "-f", config, "-C", spec])
    if rc != 0:
        lines = (err or out).strip().splitlines()
        return None, "rc %s: %s" % (rc, lines[-1] if lines else "no output")
    return effective_values(out), None


def _candidate(tmp, config_path, text, settings, dropin_name):
    """A copy of the configuration with ``settings`` where the role would write them; its path."""
    place = placement(text, _dir_files(text, config_path), dropin_name, posixpath.dirname(config_path) or "/etc/ssh")
    block = render_block(validate_settings(settings))
    path = os.path.join(tmp, "sshd_config")
    if place["mode"] == "dropin":
        copy = os.path.join(tmp, "d")
        os.mkdir(copy)
        for name in os.listdir(place["dir"]) if os.path.isdir(place["dir"]) else []:
            if os.path.isfile(os.path.join(place["dir"], name)):
                shutil.copy(os.path.join(place["dir"], name), os.path.join(copy, name))
        with open(os.path.join(copy, dropin_name), "w") as f:
            f.write(block + "\n")
        lines = text.splitlines()
        lines[place["include_line"] - 1] = place["include_text"].replace("@TMP@", copy)
        text = "\n".join(lines) + "\n"
    else:
        text = block + "\n" + text
    with open(path, "w") as f:
        f.write(text)
    return path


def _dir_files(text, config_path):
    includes, _first = parse_includes(text, posixpath.dirname(config_path) or "/etc/ssh")
    if includes:
        d = posixpath.dirname(includes[0]["pattern"])
        if os.path.isdir(d):
            return sorted(os.listdir(d))
    return []


def read_login(module, binary, config_path, text, effective):
    """The connecting account, its connection's settings now and after the change (see RETURN)."""
    p = module.params
    user = p["login_user"]
    result = {"login": {"user": user}, "login_before": None, "login_after": None, "candidate_invalid": False}
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        result["login"]["error"] = "no passwd entry for %s" % user
        return result
    gids = os.getgrouplist(user, pw.pw_gid)
    groups = []
    for gid in gids:
        try:
            name = grp.getgrgid(gid).gr_name
        except KeyError:
            name = str(gid)
        if name not in groups:
            groups.append(name)
    conn = (p["ssh_connection"] or "").split()
    port = str(effective.get("port") or "22")
    if len(conn) == 4:
        addr, laddr, lport = conn[0], conn[2], conn[3]
    else:
        # Not an SSH session (docker, local): judged as a login from outside.
        addr, laddr, lport = gather_sshd.DEFAULTS["addr"], gather_sshd.DEFAULTS["laddr"], port
    # UseDNS no (the default): sshd knows the client by its address.
    spec = "user=%s,host=%s,addr=%s,laddr=%s,lport=%s" % (user, addr, addr, laddr, lport)
    login = {"user": user, "uid": pw.pw_uid, "groups": groups, "shell": pw.pw_shell, "addr": addr, "host": addr,
             "laddr": laddr, "lport": lport, "spec": spec, "via_ssh": len(conn) == 4}
    result["login"] = login
    before, error = _probe(module, binary, config_path, spec)
    if before is None:
        login["error"] = "sshd -T -C %s failed (%s)" % (spec, error)
        return result
    result["login_before"] = before
    fields = ["x", pw.pw_uid, pw.pw_gid, pw.pw_gecos, pw.pw_dir, pw.pw_shell]
    keys = []
    for entry in authorized_key_paths({user: fields}, " ".join(before.get("authorizedkeysfile") or [])):
        keys.extend(_keys(entry["path"]))
    login["keys"] = keys
    _files, blocks, _problems = gather_sshd.read_config(Host(), config_path)
    login["match_blocks"] = [dict((k, b.get(k)) for k in ("file", "line", "criteria", "parsed", "keywords", "error"))
                             for b in blocks]
    tmp = tempfile.mkdtemp(prefix="dockersec-sshd-")
    try:
        try:
            candidate = _candidate(tmp, config_path, text, p["settings"], p["dropin_name"])
        except SshdPolicyError as exc:
            # The role's plan fails with the same message; nothing is judged here.
            result["login_after_error"] = str(exc)
            return result
        rc, out, err = module.run_command([binary, "-t", "-f", candidate])
        if rc != 0:
            result["candidate_invalid"] = True
            result["login_after_error"] = ((err or out).strip().splitlines() or ["no output"])[-1]
            return result
        result["login_after"], result["login_after_error"] = _probe(module, binary, candidate, spec)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_path=dict(type="path", default="/etc/ssh/sshd_config"),
            sshd_binary=dict(type="path", default="/usr/sbin/sshd"),
            login_user=dict(type="str"),
            ssh_connection=dict(type="str", default=""),
            settings=dict(type="dict", default={}),
            dropin_name=dict(type="str", default="00-dockersec-hardening.conf"),
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

    extra = read_login(module, binary, config_path, text, effective) if module.params["login_user"] else {}
    module.exit_json(changed=False, config_text=text, include_dir=include_dir, include_dir_files=files,
                     effective=effective, **extra)


if __name__ == "__main__":
    main()
