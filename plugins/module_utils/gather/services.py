# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``services``: running units (systemd, else ps) and process names of the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def stat_fields(text):
    """(ppid, tty_nr) from /proc/PID/stat; the command name may hold spaces and parentheses."""
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[1]), int(rest[4])


def _stat_state(text):
    """The state letter of /proc/PID/stat (proc(5)): R S D running or waiting, T t stopped, Z X dead."""
    return text[text.rindex(")") + 2:].split()[0]


def _pid_ns(h, pid):
    try:
        return h.readlink("/proc/%s/ns/pid" % pid)
    except (IOError, OSError, AttributeError):
        return None


def _full_name(h, proc, comm, cmdline):
    """The untruncated name of a process whose comm is cut at 15 characters (proc(5):
    TASK_COMM_LEN 16): the basename of /proc/PID/exe, else of argv[0], when it starts with the
    comm (that confirms it is the same name); None otherwise."""
    if len(comm) != 15:
        return None
    candidates = []
    try:
        candidates.append(h.readlink(proc + "/exe").replace(" (deleted)", ""))
    except (IOError, OSError, AttributeError):
        pass
    candidates.append(cmdline.split("\0", 1)[0])
    for c in candidates:
        base = c.rstrip("/").rsplit("/", 1)[-1]
        if len(base) > 15 and base.startswith(comm):
            return base
    return None


def _frozen(h, proc, cache):
    """Whether the process's cgroup is frozen (``docker pause``): its tasks then show S or D in
    /proc/PID/stat, not T. cgroup v2: ``frozen 1`` in cgroup.events; v1: freezer.state FROZEN
    (both report the effective state, an ancestor's freeze included)."""
    try:
        lines = h.read(proc + "/cgroup").splitlines()
    except (IOError, OSError):
        return False
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            path = "/sys/fs/cgroup%s/cgroup.events" % parts[2].rstrip("/")
            want = "frozen 1"
        elif "freezer" in parts[1].split(","):
            path = "/sys/fs/cgroup/freezer%s/freezer.state" % parts[2].rstrip("/")
            want = "FROZEN"
        else:
            continue
        if path not in cache:
            try:
                cache[path] = want in [x.strip() for x in h.read(path).splitlines()]
            except (IOError, OSError):
                cache[path] = False
        if cache[path]:
            return True
    return False


def _process_names(h):
    """Every process name, and the daemons among them.

    Without systemd the process table is all there is. A daemon is a process that init adopted
    (parent PID 1) with no controlling terminal, in init's PID namespace: that leaves out the
    short-lived commands of this very audit (children of a shell or of Python), login shells,
    and the processes of containers (their own PID namespace, children of a containerd shim).
    """
    names, daemons, stopped, live = set(), set(), set(), set()
    host_ns = _pid_ns(h, 1)
    freezer = {}
    for p in h.glob("/proc/[0-9]*/comm"):
        proc = p[:-len("/comm")]
        try:
            # Kernel threads have an empty command line: they are not services.
            cmdline = h.read(proc + "/cmdline")
            if not cmdline.strip("\0"):
                continue
            name = h.read(p).strip()
        except (IOError, OSError):
            continue
        if not name:
            continue
        # A truncated comm is listed with its confirmed full name: "systemd-journal" alone is not
        # "systemd-journal-upload".
        full = _full_name(h, proc, name, cmdline)
        these = [name] + ([full] if full else [])
        names.update(these)
        try:
            stat = h.read(proc + "/stat")
            ppid, tty = stat_fields(stat)
            # SIGSTOP freezes a sensor while its unit still shows running (systemd does not track it);
            # so does the cgroup freezer of a paused container.
            frozen = _stat_state(stat) in ("T", "t", "Z", "X") or _frozen(h, proc, freezer)
            (stopped if frozen else live).update(these)
        except (IOError, OSError, ValueError, IndexError):
            continue
        if ppid != 1 or tty != 0:
            continue
        ns = _pid_ns(h, proc.rsplit("/", 1)[-1])
        if host_ns and ns and ns != host_ns:
            continue
        daemons.update(these)
    # A name counts as stopped when none of its processes runs.
    return sorted(names), sorted(daemons), sorted(stopped - live)


def collect_services(h):
    processes, daemons, stopped = _process_names(h)
    systemd_running = h.exists("/run/systemd/system")
    if systemd_running and h.which("systemctl"):
        rc, out, err = h.run(["systemctl", "list-units", "--type=service", "--state=running", "--no-legend",
                              "--plain", "--no-pager"])
        if rc == 0:
            running = sorted(line.split()[0] for line in out.splitlines() if line.strip())
            return ({"source": "systemd", "running": running, "processes": processes, "daemons": daemons,
                     "stopped": stopped},
                    "systemctl list-units")
    return ({"source": "ps", "running": daemons, "processes": processes, "daemons": daemons, "stopped": stopped},
            "/proc/*/{comm,stat} (no systemd: daemons adopted by init)")
