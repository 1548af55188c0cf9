# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The TCP sockets a container listens on when its network namespace is the host's
(``--network host``, or ``container:<id>`` of such a container, item 23).

Such a container has no port mapping and DOCKER-USER never sees its traffic: what it listens on
is on the host's interfaces directly. ``/proc/<pid>/net/tcp{,6}`` of its process lists every
socket of that namespace (the host's own too), so a socket counts as the container's only when
one of the container's processes (its cgroup's ``cgroup.procs``) holds it: the ``inode`` column
of proc(5) against the ``socket:[inode]`` links of ``/proc/<pid>/fd``. Only (address, port)
leaves the host. Anything unreadable is an error for that container, never an empty list.

The same cgroup gives the program names of a running container's processes (CIS 5.7, no sshd
inside): ``/proc/<pid>/comm`` of each, as ``docker exec ... ps`` would list them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import services

TCP_LISTEN = "0A"  # include/net/tcp_states.h: TCP_LISTEN = 10

# Where a cgroup path of /proc/<pid>/cgroup lives: v2 (unified), hybrid, then v1 controllers.
_CGROUP_ROOTS = (("", "/sys/fs/cgroup"), ("", "/sys/fs/cgroup/unified"), ("pids", "/sys/fs/cgroup/pids"),
                 ("memory", "/sys/fs/cgroup/memory"), ("name=systemd", "/sys/fs/cgroup/systemd"))


class ListenerError(Exception):
    pass


def _address(hexaddr):
    """The address of a /proc/net/tcp{,6} entry: the kernel prints each 32-bit word of the
    network-order address with %08X in host byte order (little-endian on x86)."""
    words = [struct.pack("=I", int(hexaddr[i:i + 8], 16)) for i in range(0, len(hexaddr), 8)]
    raw = b"".join(words)
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def parse_proc_net_tcp(text):
    """[(address, port, inode)] of the LISTEN sockets in a /proc/net/tcp or tcp6 listing."""
    out = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != TCP_LISTEN:
            continue
        addr, _sep, port = fields[1].partition(":")
        try:
            out.append((_address(addr), int(port, 16), fields[9]))
        except (ValueError, struct.error, OSError):
            raise ListenerError("unreadable socket entry %r" % fields[1])
    return out


def _cgroup_dir(h, pid, cid):
    """The cgroup directory of the container's process, checked to name the container."""
    try:
        lines = h.read("/proc/%d/cgroup" % pid).splitlines()
    except (IOError, OSError) as exc:
        raise ListenerError("/proc/%d/cgroup unreadable: %s" % (pid, exc))
    paths = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            for ctrl in (parts[1].split(",") if parts[1] else [""]):
                paths.setdefault(ctrl, parts[2])
    for ctrl, root in _CGROUP_ROOTS:
        path = paths.get(ctrl)
        # The id in the path proves the pid is this container's (and not a pid of another pid
        # namespace, as when the gather runs in a container with the socket mounted).
        if path and cid and cid in path and h.exists(root + path + "/cgroup.procs"):
            return root + path
    raise ListenerError("no cgroup of process %d names container %s (cgroup: %s)"
                        % (pid, (cid or "?")[:12], "; ".join(lines)[:200]))


def _cgroup_pids(h, top, limit=64):
    """The pids of a cgroup and of the cgroups below it (a container may nest its own)."""
    pids, dirs = set(), [top]
    while dirs and limit:
        d = dirs.pop()
        limit -= 1
        try:
            pids.update(int(p) for p in h.read(d + "/cgroup.procs").split() if p.isdigit())
        except (IOError, OSError) as exc:
            raise ListenerError("%s/cgroup.procs unreadable: %s" % (d, exc))
        dirs.extend(d + "/" + n for n in h.listdir(d) if h.exists(d + "/" + n + "/cgroup.procs"))
    return pids


def _socket_inodes(h, pids, main_pid):
    inodes = set()
    for pid in sorted(pids):
        fd_dir = "/proc/%d/fd" % pid
        denied = h.denied(fd_dir)
        if denied:
            raise ListenerError("%s (run with become)" % denied)
        if not h.exists(fd_dir):
            if pid == main_pid:
                raise ListenerError("%s missing: the process is gone" % fd_dir)
            continue  # exited since cgroup.procs was read
        for fd in h.listdir(fd_dir):
            try:
                target = h.readlink(fd_dir + "/" + fd)
            except OSError:
                continue  # closed in between
            if target.startswith("socket:[") and target.endswith("]"):
                inodes.add(target[len("socket:["):-1])
    return inodes


def container_listeners(h, pid, cid):
    """[{"address", "port"}] the container's processes listen on (TCP, IPv4 and IPv6)."""
    if not pid:
        raise ListenerError("no process (State.Pid is 0): its sockets cannot be read")
    inodes = _socket_inodes(h, _cgroup_pids(h, _cgroup_dir(h, pid, cid)) | set([pid]), pid)
    found = set()
    for name in ("tcp", "tcp6"):
        path = "/proc/%d/net/%s" % (pid, name)
        try:
            text = h.read(path)
        except (IOError, OSError) as exc:
            if name == "tcp6" and not h.exists(path):
                continue  # kernel without IPv6
            raise ListenerError("%s unreadable: %s" % (path, exc))
        found.update((addr, port) for addr, port, inode in parse_proc_net_tcp(text) if inode in inodes)
    return [{"address": a, "port": p} for a, p in sorted(found)]


def in_host_netns(h, pid):
    """Whether process ``pid`` is in the network namespace of PID 1 (``/proc/<pid>/ns/net`` links to
    the same ``net:[inode]``, namespaces(7)); None when unreadable. A rootless daemon's ``--network
    host`` is the host's namespace under ``rootlesskit --detach-netns`` and rootlesskit's own without."""
    try:
        mine, init = h.readlink("/proc/%d/ns/net" % pid), h.readlink("/proc/1/ns/net")
    except (IOError, OSError, TypeError):
        return None
    return mine == init if mine and init else None


def host_network_listeners(h, inspected, containers, why_not=None):
    """Add ``listeners`` (or ``listeners_error``) to each normalised container whose network
    namespace is the host's; ``inspected`` are the inspect answers in the same order.
    ``why_not``: the reason no socket can be read here (a remote engine)."""
    by_ref = {}
    for ins in inspected:
        by_ref[ins.get("Id") or ""] = ins
        by_ref[(ins.get("Name") or "").lstrip("/")] = ins

    def host_netns(ins, depth=0):
        mode = str((ins.get("HostConfig") or {}).get("NetworkMode") or "")
        if mode == "host":
            return True
        if mode.startswith("container:") and depth < 5:
            ref = mode[len("container:"):]
            target = by_ref.get(ref) or next((i for k, i in by_ref.items() if k and k.startswith(ref)), None)
            return target is not None and host_netns(target, depth + 1)
        return False

    for ins, c in zip(inspected, containers):
        if not host_netns(ins):
            continue
        c["listeners"], c["listeners_error"] = None, why_not
        if why_not:
            continue
        pid = (ins.get("State") or {}).get("Pid") or 0
        c["netns_is_host"] = in_host_netns(h, pid) if pid else None
        try:
            c["listeners"] = container_listeners(h, pid, ins.get("Id"))
        except ListenerError as exc:
            c["listeners_error"] = str(exc)


def _process_tree(h, pid, limit=4096):
    """``pid`` and its descendants (parents from /proc/*/stat, proc(5)): the container's processes
    where its engine gives it no cgroup of its own."""
    children = {}
    for name in h.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = services.stat_fields(h.read("/proc/%s/stat" % name))[0]
        except (IOError, OSError, ValueError, IndexError):
            continue  # exited since the listing, or not a process
        children.setdefault(ppid, []).append(int(name))
    found, todo = set([pid]), [pid]
    while todo and len(found) < limit:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def programs_of(h, pid, cid, cgroupless=False):
    """The program names (/proc/PID/comm) of the processes of a container's cgroup, sorted, unique:
    what ``docker exec CONTAINER ps`` would list, read from the host without entering it.

    ``cgroupless``: the engine reports CgroupDriver ``none`` (a rootless dockerd without cgroup v2
    delegation: moby daemon/info.go; its containers share the daemon's cgroup), so the container's
    processes are its init (State.Pid) and that process's descendants instead."""
    if not pid:
        raise ListenerError("no process (State.Pid is 0)")
    names = set()
    pids = _process_tree(h, pid) if cgroupless else _cgroup_pids(h, _cgroup_dir(h, pid, cid)) | set([pid])
    for p in sorted(pids):
        try:
            names.add(h.read("/proc/%d/comm" % p).strip())
        except (IOError, OSError):
            if p == pid:
                raise ListenerError("/proc/%d/comm unreadable: the process is gone" % pid)
            # exited since cgroup.procs was read
    return sorted(n for n in names if n)


def container_programs(h, inspected, containers, why_not=None, cgroupless=False):
    """Add ``programs`` (or ``programs_error``) to each running or paused container (CIS 5.7: no sshd
    inside); ``why_not``: the reason no process can be read here (a remote engine); ``cgroupless``:
    see programs_of."""
    for ins, c in zip(inspected, containers):
        if c.get("state") not in ("running", "paused"):
            continue
        c["programs"], c["programs_error"] = None, why_not
        if why_not:
            continue
        try:
            c["programs"] = programs_of(h, (ins.get("State") or {}).get("Pid") or 0, ins.get("Id"), cgroupless)
        except ListenerError as exc:
            c["programs_error"] = str(exc)
