# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``host``: kernel, OS, installed kernels, MAC (AppArmor/SELinux), update agents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re


def _version_key(text):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-+~]", text) if p]


def _safe_sort(values):
    try:
        return sorted(values, key=_version_key)
    except TypeError:
        return sorted(values)


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
    installed = _safe_sort(installed)
    apt_periodic = ""
    for p in h.glob("/etc/apt/apt.conf.d/*"):
        try:
            apt_periodic += h.read(p)
        except (IOError, OSError):
            continue
    uu_enabled = bool(re.search(r'APT::Periodic::Unattended-Upgrade\s+"?(1|always)"?', apt_periodic))
    in_container = h.exists("/.dockerenv")
    try:
        in_container = in_container or "container=" in h.read("/proc/1/environ").replace("\0", "\n")
    except (IOError, OSError):
        pass
    try:
        apparmor = h.read("/sys/module/apparmor/parameters/enabled").strip() == "Y"
    except (IOError, OSError):
        apparmor = False
    return {
        "hostname": uname[1],
        "os_id": os_release.get("ID"),
        "os_version": os_release.get("VERSION_ID"),
        "kernel_running": uname[2],
        "kernels_installed": installed,
        "kernel_newest_installed": installed[-1] if installed else None,
        "reboot_required": h.exists("/var/run/reboot-required") or h.exists("/run/reboot-required"),
        "auto_updates": {
            "unattended_upgrades_installed": h.exists("/usr/bin/unattended-upgrade"),
            "unattended_upgrades_enabled": uu_enabled and h.exists("/usr/bin/unattended-upgrade"),
            "dnf_automatic_enabled": bool(h.glob("/etc/systemd/system/timers.target.wants/dnf-automatic*.timer")),
        },
        "in_container": bool(in_container),
        "apparmor_enabled": apparmor,
        "selinux_enabled": h.exists("/sys/fs/selinux/enforce"),
    }, "uname, /etc/os-release, /boot, /lib/modules, /etc/apt/apt.conf.d"
