# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``files``: lstat of Docker's paths (owner, group, mode, kind)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import pwd
import stat

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import dockerd_process

DOCKER_PATHS = (
    "/var/run/docker.sock", "/run/docker.sock",
    "/usr/bin/docker", "/usr/bin/dockerd", "/usr/sbin/dockerd", "/var/lib/docker", "/etc/docker",
    "/etc/docker/daemon.json", "/etc/default/docker", "/etc/sysconfig/docker",
    "/lib/systemd/system/docker.service", "/usr/lib/systemd/system/docker.service",
    "/etc/systemd/system/docker.service", "/lib/systemd/system/docker.socket",
    "/usr/lib/systemd/system/docker.socket", "/etc/systemd/system/docker.socket",
    "/usr/bin/containerd", "/usr/bin/containerd-shim", "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2", "/usr/bin/runc", "/usr/sbin/runc", "/etc/containerd",
    "/etc/containerd/config.toml", "/run/containerd",
)


def stat_entry(h, path):
    try:
        st = h.lstat(path)
    except OSError as exc:
        if exc.errno == 2:
            return {"exists": False, "mode": None, "owner": None, "group": None, "type": None}
        return {"exists": None, "mode": None, "owner": None, "group": None, "type": None,
                "error": exc.strerror}
    kind = ("socket" if stat.S_ISSOCK(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode)
            else "link" if stat.S_ISLNK(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other")
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    entry = {"exists": True, "mode": "%04o" % stat.S_IMODE(st.st_mode), "owner": owner, "group": group,
             "type": kind}
    try:
        real = h.realpath(path)
    except (IOError, OSError, ValueError):
        real = None
    if real and real != path:
        entry["realpath"] = real
    return entry


# containerd's API socket: a container that mounts it (or a directory above it) runs anything as root.
CONTAINERD_SOCKETS = ("/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock")


def daemon_paths(h, params):
    """The audited dockerd's own paths to stat beside DOCKER_PATHS: its config file and every unix
    socket it serves the API on (-H unix://..., docker.socket's ListenStream paths)."""
    record = dockerd_process.daemon_record(h, params)
    paths = [dockerd_process.config_path(h, params)[0]]
    paths.extend(p for p in dockerd_process.socket_paths(record) if p.startswith("/"))
    paths.extend(CONTAINERD_SOCKETS)
    return tuple(p for i, p in enumerate(paths) if p not in paths[:i])


def collect_files(h, extra_paths=()):
    return dict((p, stat_entry(h, p)) for p in tuple(DOCKER_PATHS) + tuple(extra_paths)), "lstat"
