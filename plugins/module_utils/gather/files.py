# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``files``: lstat of Docker's paths (owner, group, mode, kind) and their POSIX ACLs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import json
import posixpath
import pwd
import stat
import struct

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli
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


_ACL_USER, _ACL_GROUP, _ACL_MASK = 0x02, 0x08, 0x10


def _id_name(lookup, ident):
    try:
        return lookup(ident)[0]
    except (KeyError, OverflowError):
        return None


def parse_posix_acl(raw):
    """The named users and groups a ``system.posix_acl_access`` value grants read or write, as
    {"users": [{"id", "name", "perm"}], "groups": [...]} (linux/posix_acl_xattr.h: a u32 version 2,
    then (tag u16, perm u16, id u32) entries; a named entry's access is masked by the MASK entry,
    acl(5)). ValueError for any other layout."""
    if len(raw) < 4 or (len(raw) - 4) % 8 or struct.unpack("<I", raw[:4])[0] != 2:
        raise ValueError("not a version 2 POSIX ACL")
    entries = [struct.unpack("<HHI", raw[i:i + 8]) for i in range(4, len(raw), 8)]
    mask = [perm for tag, perm, _id in entries if tag == _ACL_MASK]
    out = {"users": [], "groups": []}
    for tag, perm, ident in entries:
        if tag not in (_ACL_USER, _ACL_GROUP):
            continue
        if mask:
            perm &= mask[0]
        text = ("r" if perm & 4 else "") + ("w" if perm & 2 else "")
        if text:
            kind, lookup = ("users", pwd.getpwuid) if tag == _ACL_USER else ("groups", grp.getgrgid)
            out[kind].append({"id": ident, "name": _id_name(lookup, ident), "perm": text})
    return out


def _acl(h, path):
    """(acl, error): the access ACL's named entries, or why it could not be read; (None, None)
    when the path has none or the filesystem keeps none (ENODATA, ENOTSUP)."""
    getxattr = getattr(h, "getxattr", None)
    if getxattr is None:
        return None, None
    try:
        return parse_posix_acl(getxattr(path, "system.posix_acl_access")), None
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP):
            return None, None
        return None, exc.strerror or str(exc)
    except (ValueError, struct.error) as exc:
        return None, str(exc)


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
    if kind != "link":
        # setfacl -m u:jenkins:rw grants beyond the mode bits (which then show the ACL mask).
        acl, error = _acl(h, path)
        if acl is not None:
            entry["acl"] = acl
        if error is not None:
            entry["acl_error"] = error
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


# Registry certificates dockerd reads (moby registry CertsDir); a rootless daemon's sit beside its
# config file ($XDG_CONFIG_HOME/docker/certs.d).
CERTS_DIR = "/etc/docker/certs.d"
# At most this many entries of a certs.d tree are stat'ed (one directory per registry, a few files each).
CERTS_LIMIT = 256


def _tree(h, top, limit=CERTS_LIMIT):
    """``top`` and the paths below it, breadth first, symlinks not followed, at most ``limit``."""
    out, dirs = [top], [top]
    while dirs and len(out) < limit:
        d = dirs.pop(0)
        for name in h.listdir(d):
            path = posixpath.join(d, name)
            out.append(path)
            try:
                if stat.S_ISDIR(h.lstat(path).st_mode):
                    dirs.append(path)
            except OSError:
                pass
            if len(out) >= limit:
                break
    return out


def _config_content(h, path):
    try:
        content = json.loads(h.read(path) or "{}")
    except (IOError, OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def cis_paths(h, params):
    """The paths CIS 3.7-3.14 judge beside DOCKER_PATHS: the audited dockerd's certs.d tree and the TLS
    CA, certificate and key it names (its flags, else its config file; dockerd's ~/.docker default
    for root when it serves TLS without naming them)."""
    record = dockerd_process.daemon_record(h, params)
    config = dockerd_process.config_path(h, params)[0]
    flags = record.get("flags") or {}
    content = _config_content(h, config)
    paths = list(_tree(h, CERTS_DIR)) if h.exists(CERTS_DIR) else [CERTS_DIR]
    own = posixpath.join(posixpath.dirname(config), "certs.d")
    if own != CERTS_DIR:
        paths.extend(_tree(h, own) if h.exists(own) else [own])
    for key, _default in dockerd_cli.TLS_FILES:
        path, _source = dockerd_cli.tls_file(flags, content, key)
        if isinstance(path, str) and path.startswith("/"):
            paths.append(posixpath.normpath(path))
    return tuple(p for i, p in enumerate(paths) if p not in paths[:i])


def collect_files(h, extra_paths=()):
    return dict((p, stat_entry(h, p)) for p in tuple(DOCKER_PATHS) + tuple(extra_paths)), "lstat"
