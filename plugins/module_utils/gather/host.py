# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``host``: kernel, OS, installed kernels, MAC (AppArmor/SELinux), update agents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import versions


# --- apt's configuration as apt reads it (item 2) ---------------------------------------------

_APT_PART = re.compile(r"^[A-Za-z0-9_.-]+$")
_APT_MAGIC = ("clear", "include", "x-apt-configure-index")


def _apt_strip_comments(line, state):
    """One line without comments, as apt-pkg/contrib/configuration.cc ReadConfigFile strips them:
    ``/* */`` blocks (across lines), ``//`` and ``#`` to the end of the line outside quotes,
    except the directives ``#clear``, ``#include``."""
    if state["in_comment"]:
        end = line.find("*/")
        if end < 0:
            return ""
        line = line[end + 2:]
        state["in_comment"] = False
    start = 0
    while True:
        start = line.find("//", start)
        if start < 0:
            break
        if line[:start].count('"') % 2:
            start += 1
            continue
        line = line[:start]
        break
    start = 0
    while True:
        start = line.find("#", start)
        if start < 0:
            break
        if line[:start].count('"') % 2 or any(line.startswith(m, start + 1) for m in _APT_MAGIC):
            start += 1
            continue
        line = line[:start]
        break
    out, start = "", 0
    while True:
        i = line.find("/*", start)
        if i < 0:
            break
        if line[:i].count('"') % 2:
            start = i + 2
            continue
        out += line[:i]
        end = line.find("*/", i + 2)
        if end < 0:
            state["in_comment"] = True
            return out
        line, start = line[end + 2:], 0
    return out + line


def _apt_words(text):
    """The quote-aware words of one statement (apt's ParseQuoteWord: quotes group and are dropped)."""
    return ["".join(a or b for a, b in re.findall(r'"([^"]*)"|([^\s"]+)', w))
            for w in re.findall(r'(?:"[^"]*"|[^\s"])+', text)]


def apt_config(h, parts="/etc/apt/apt.conf.d", main="/etc/apt/apt.conf"):
    """({lower-case key: value}, [problems]) of apt's configuration: the files of apt.conf.d in
    lexical order (names of letters, digits, ``_ - .`` with no extension or ``.conf``, apt.conf(5)),
    then apt.conf; a later value overrides, ``#clear`` drops a tree, scopes nest (``APT { Periodic
    { ... }; };``). Keys compare case-insensitively, as apt's Configuration::Lookup does."""
    conf, problems = {}, []

    def read_file(path, depth):
        if depth > 10:
            problems.append("%s: too many nested includes" % path)
            return
        try:
            text = h.read(path)
        except (IOError, OSError) as exc:
            problems.append("%s unreadable: %s" % (path, getattr(exc, "strerror", None) or exc))
            return
        state, buf, stack, parent = {"in_comment": False}, "", [], ""
        for number, raw in enumerate(text.splitlines(), 1):
            frag = _apt_strip_comments(raw.replace("\t", " ").strip(), state)
            in_quote, start = False, 0
            for i, ch in enumerate(frag):
                if ch == '"':
                    in_quote = not in_quote
                if in_quote or ch not in "{;}":
                    continue
                piece = frag[start:i].strip()
                buf = (buf + " " + piece).strip() if piece else buf
                start = i + 1
                if ch == "{" and not buf:
                    problems.append("%s:%d: block starts with no name" % (path, number))
                    return
                if not buf:
                    if ch == "}":
                        parent = stack.pop() if stack else ""
                    continue
                words = _apt_words(buf)
                buf = ""
                if len(words) > 2:
                    problems.append("%s:%d: extra junk after value" % (path, number))
                    return
                tag, word = words[0], (words[1] if len(words) > 1 else None)
                if word is None and ch != "{":
                    tag, word = "", tag
                if ch == "{":
                    stack.append(parent)
                    parent = "%s::%s" % (parent, tag) if parent else tag
                    tag = ""
                item = ("%s::%s" % (parent, tag) if (ch != "{" or tag) else parent) if parent else tag
                if tag.startswith("#"):
                    if tag == "#clear" and word is not None:
                        key = word.lower()
                        for k in [k for k in conf if k == key or k.startswith(key + "::")]:
                            del conf[k]
                    elif tag == "#include" and word is not None:
                        if word.endswith("/"):
                            read_dir(word, depth + 1)
                        else:
                            read_file(word, depth + 1)
                    else:
                        problems.append("%s:%d: unsupported directive %s" % (path, number, tag))
                elif word is not None:
                    conf[item.lower()] = word
                if ch == "}":
                    parent = stack.pop() if stack else ""
            rest = frag[start:].strip()
            if rest:
                buf = (buf + " " + rest).strip()
        if buf:
            problems.append("%s: extra junk at end of file" % path)

    def read_dir(directory, depth):
        for name in sorted(h.listdir(directory)):
            ext = name.rsplit(".", 1)[1] if "." in name else ""
            if name.startswith(".") or not _APT_PART.match(name) or ext not in ("", "conf"):
                continue
            read_file("%s/%s" % (directory.rstrip("/"), name), depth)

    read_dir(parts, 0)
    if h.exists(main):
        read_file(main, 0)
    return conf, problems


def _apt_interval_on(value):
    """apt.systemd.daily: an interval in days, ``always``, or 0 (off)."""
    v = str(value or "").strip().lower()
    return v == "always" or (v.isdigit() and int(v) > 0)


# The timers that install updates without a person (apt-daily-upgrade.timer runs
# unattended-upgrade; dnf-automatic-install.timer installs; dnf-automatic.timer installs only with
# apply_updates = yes in automatic.conf; -download and -notifyonly install nothing).
UPDATE_TIMERS = ("apt-daily-upgrade.timer", "dnf-automatic.timer", "dnf-automatic-install.timer",
                 "dnf5-automatic.timer")


def _unit_states(h, units):
    """{unit: {load, unit_file, active}} from systemctl show; None without a running systemd."""
    if not (h.exists("/run/systemd/system") and h.which("systemctl")):
        return None
    rc, out, _err = h.run(["systemctl", "show", "--no-pager", "-p", "Id,LoadState,UnitFileState,ActiveState"]
                          + list(units))
    if rc != 0:
        return None
    states, current = {}, {}
    for line in (out or "").splitlines() + [""]:
        if not line.strip():
            if current.get("Id"):
                states[current["Id"]] = {"load": current.get("LoadState", ""),
                                         "unit_file": current.get("UnitFileState", ""),
                                         "active": current.get("ActiveState", "")}
            current = {}
            continue
        k, _eq, v = line.partition("=")
        current[k.strip()] = v.strip()
    return states


def _dnf_apply_updates(h):
    """apply_updates in /etc/dnf/automatic.conf [commands] (default no), None when absent."""
    try:
        text = h.read("/etc/dnf/automatic.conf")
    except (IOError, OSError):
        return None
    section, value = None, False
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]").strip().lower()
        elif section == "commands" and "=" in line:
            k, v = line.split("=", 1)
            if k.strip().lower() == "apply_updates":
                value = v.strip().lower() in ("1", "yes", "true", "on")
    return value


def timer_works(state):
    """A timer that fires now and after a reboot: loaded, active, enabled (or static), not masked."""
    state = state or {}
    return (state.get("load") == "loaded" and state.get("active") == "active"
            and state.get("unit_file") in ("enabled", "enabled-runtime", "static", "generated"))


def _auto_updates(h):
    conf, problems = apt_config(h) if h.exists("/etc/apt") else ({}, [])
    periodic = dict((k, v) for k, v in conf.items() if k.startswith("apt::periodic::"))
    enable = periodic.get("apt::periodic::enable", "1")
    uu_config = _apt_interval_on(periodic.get("apt::periodic::unattended-upgrade")) and str(enable).strip() != "0"
    timers = _unit_states(h, UPDATE_TIMERS)
    apply_updates = _dnf_apply_updates(h)
    dnf_on = bool(timers) and (timer_works(timers.get("dnf-automatic-install.timer")) or (
        apply_updates is True and any(timer_works(timers.get(t))
                                      for t in ("dnf-automatic.timer", "dnf5-automatic.timer"))))
    return {
        "unattended_upgrades_installed": h.exists("/usr/bin/unattended-upgrade"),
        "unattended_upgrades_enabled": uu_config and h.exists("/usr/bin/unattended-upgrade"),
        "apt_periodic": periodic,
        "apt_config_problems": problems,
        "timers": timers,
        "apt_compat_cron": h.exists("/etc/cron.daily/apt-compat"),
        "dnf_apply_updates": apply_updates,
        "dnf_automatic_enabled": dnf_on,
    }


def _kernel_package_version(h, release):
    """The installed version of the running kernel's own package (Debian: linux-image-RELEASE), else None.

    Debian keeps the ABI name (6.1.0-26-amd64) across security updates: the file under /boot is
    replaced while the running kernel stays the old build, which uname -v names ("Debian 6.1.112-1").
    """
    try:
        text = h.read("/var/lib/dpkg/status")
    except (IOError, OSError):
        return None
    wanted = ("linux-image-%s" % release, "linux-image-%s-unsigned" % release)
    for stanza in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line[:1].isspace())
        if fields.get("Package") in wanted and fields.get("Status", "").endswith(" installed"):
            return fields.get("Version")
    return None


def _unprivileged_port_start(h):
    """net.ipv4.ip_unprivileged_port_start of the host's network namespace (ip-sysctl: the first port
    an unprivileged process may bind, IPv4 and IPv6 alike; 1024 by default), None when unreadable: a
    rootless daemon's rootlesskit binds published ports below it only with CAP_NET_BIND_SERVICE."""
    try:
        value = h.read("/proc/sys/net/ipv4/ip_unprivileged_port_start").strip()
    except (IOError, OSError):
        return None
    return int(value) if value.isdigit() else None


def docker_group(h, name="docker"):
    """Who is in the group dockerd gives its socket to (CIS 1.1.2): the members /etc/group lists and
    the accounts of /etc/passwd whose primary group it is (group(5), passwd(5)). Local files only:
    members an NSS source (LDAP, SSSD) adds are not seen."""
    try:
        groups = h.read("/etc/group").splitlines()
    except (IOError, OSError) as exc:
        return {"name": name, "exists": None, "gid": None, "members": None, "error": "/etc/group: %s" % exc}
    entry = next((line.split(":") for line in groups if line.split(":", 1)[0] == name), None)
    if entry is None or len(entry) < 4:
        return {"name": name, "exists": False, "gid": None, "members": [], "error": None}
    members = set(m for m in entry[3].split(",") if m)
    try:
        for line in h.read("/etc/passwd").splitlines():
            fields = line.split(":")
            if len(fields) > 3 and fields[3] == entry[2]:
                members.add(fields[0])
    except (IOError, OSError) as exc:
        return {"name": name, "exists": True, "gid": int(entry[2]) if entry[2].isdigit() else None,
                "members": sorted(members),
                "error": "/etc/passwd: %s (primary-group members unknown)" % exc}
    return {"name": name, "exists": True, "gid": int(entry[2]) if entry[2].isdigit() else None,
            "members": sorted(members), "error": None}


def collect_host(h):
    uname = os.uname()
    os_release = {}
    try:
        for line in h.read("/etc/os-release").splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                os_release[k] = v.strip().strip('"')
    except (IOError, OSError):
        pass
    installed = set()
    for p in h.glob("/boot/vmlinuz-*"):
        installed.add(os.path.basename(p)[len("vmlinuz-"):])
    for name in h.listdir("/lib/modules"):
        if h.exists("/lib/modules/%s/modules.dep" % name) or h.exists("/boot/vmlinuz-%s" % name):
            installed.add(name)
    installed = sorted(installed, key=versions.sort_key)
    auto_updates = _auto_updates(h)
    in_container = h.exists("/.dockerenv")
    try:
        in_container = in_container or "container=" in h.read("/proc/1/environ").replace("\0", "\n")
    except (IOError, OSError):
        pass
    try:
        apparmor = h.read("/sys/module/apparmor/parameters/enabled").strip() == "Y"
    except (IOError, OSError):
        apparmor = False
    try:
        # selinuxfs "enforce": 1 enforcing, 0 permissive (denials only logged); absent: SELinux off.
        selinux_enforcing = h.read("/sys/fs/selinux/enforce").strip() == "1"
    except (IOError, OSError):
        selinux_enforcing = None if h.exists("/sys/fs/selinux/enforce") else False
    return {
        "hostname": uname[1],
        "os_id": os_release.get("ID"),
        "os_version": os_release.get("VERSION_ID"),
        "kernel_running": uname[2],
        # The running build (uname -v, Debian's "Debian 6.1.112-1") and the installed package of that release.
        "kernel_build": (re.search(r"\bDebian (\S+)", uname[3]) or [None, None])[1],
        "kernel_package_version": _kernel_package_version(h, uname[2]),
        "kernels_installed": installed,
        "kernel_newest_installed": installed[-1] if installed else None,
        "reboot_required": h.exists("/var/run/reboot-required") or h.exists("/run/reboot-required"),
        "auto_updates": auto_updates,
        "in_container": bool(in_container),
        "apparmor_enabled": apparmor,
        "selinux_enabled": h.exists("/sys/fs/selinux/enforce"),
        "selinux_enforcing": selinux_enforcing,
        "ip_unprivileged_port_start": _unprivileged_port_start(h),
        "docker_group": docker_group(h),
    }, "uname, /etc/os-release, /boot, /lib/modules, /etc/apt/apt.conf.d, /proc/sys/net/ipv4, /etc/group"
