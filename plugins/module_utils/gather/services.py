# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collector ``services``: running units (systemd, else ps) and process names of the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _stat_fields(text):
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


def _process_names(h):
    """Every process name, and the daemons among them.

    Without systemd the process table is all there is. A daemon is a process that init adopted
    (parent PID 1) with no controlling terminal, in init's PID namespace: that leaves out the
    short-lived commands of this very audit (children of a shell or of Python), login shells,
    and the processes of containers (their own PID namespace, children of a containerd shim).
    """
    names, daemons, stopped, live = set(), set(), set(), set()
    host_ns = _pid_ns(h, 1)
    for p in h.glob("/proc/[0-9]*/comm"):
        proc = p[:-len("/comm")]
        try:
            # Kernel threads have an empty command line: they are not services.
            if not h.read(proc + "/cmdline").strip("\0"):
                continue
            name = h.read(p).strip()
        except (IOError, OSError):
            continue
        if not name:
            continue
        names.add(name)
        try:
            stat = h.read(proc + "/stat")
            ppid, tty = _stat_fields(stat)
            # SIGSTOP freezes a sensor while its unit still shows running (systemd does not track it).
            (stopped if _stat_state(stat) in ("T", "t", "Z", "X") else live).add(name)
        except (IOError, OSError, ValueError, IndexError):
            continue
        if ppid != 1 or tty != 0:
            continue
        ns = _pid_ns(h, proc.rsplit("/", 1)[-1])
        if host_ns and ns and ns != host_ns:
            continue
        daemons.add(name)
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
