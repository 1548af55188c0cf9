# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``dockerd_process``: the record of the dockerd serving the audited endpoint: its pid, flags
(redacted), config file, listeners (docker.socket's for ``fd://``), limits, start time and unit ExecStart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import time

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli, redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import systemd_unit
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.listeners import (
    ListenerError, parse_proc_net_tcp
)
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"
DEFAULT_CONFIG_FILE = "/etc/docker/daemon.json"


def parse_flags(argv):
    """dockerd argv -> {flag: [values]}, read the way pflag reads it (dockerd_cli.parse_flags)."""
    return dockerd_cli.parse_flags(argv)


def _limits(text):
    out = {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None}
    for line in text.splitlines():
        for key, label in (("nofile", "Max open files"), ("nproc", "Max processes")):
            if line.startswith(label):
                parts = line[len(label):].split()
                for n, field in enumerate(("soft", "hard")):
                    if len(parts) > n and parts[n].isdigit():
                        out["%s_%s" % (key, field)] = int(parts[n])
    return out


# How far the start time may be off, in seconds. /proc/PID/stat gives the start in clock ticks
# since boot (1/CLK_TCK: 10 ms at the usual 100 Hz). Boot time from /proc/uptime (centiseconds) and
# the wall clock is good to two ticks; /proc/stat btime is whole seconds, truncated, so a start
# time from it may be up to one second (plus a tick) earlier than the real one.
_UPTIME_UNCERTAINTY = 0.03
_BTIME_UNCERTAINTY = 1.02


def _iso_precise(epoch):
    """UTC ISO 8601 with microseconds (iso_time truncates to the second)."""
    whole = int(epoch)
    micro = int(round((epoch - whole) * 1000000))
    if micro >= 1000000:
        whole, micro = whole + 1, micro - 1000000
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
    return "%s.%06dZ" % (text, micro) if micro else text + "Z"


def _started(h, pid):
    """(start time UTC ISO, uncertainty in seconds) of process ``pid``; (None, None) if unreadable."""
    try:
        stat_text = h.read("/proc/%d/stat" % pid)
        ticks = int(stat_text[stat_text.rindex(")") + 2:].split()[19])
        hz = float(os.sysconf("SC_CLK_TCK"))
    except (IOError, OSError, ValueError, IndexError, AttributeError):
        return None, None
    try:
        uptime = float(h.read("/proc/uptime").split()[0])
        return _iso_precise(time.time() - uptime + ticks / hz), _UPTIME_UNCERTAINTY
    except (IOError, OSError, ValueError, IndexError):
        pass
    try:
        btime = int(re.search(r"^btime\s+(\d+)", h.read("/proc/stat"), re.MULTILINE).group(1))
    except (IOError, OSError, ValueError, AttributeError):
        return None, None
    return _iso_precise(btime + ticks / hz), _BTIME_UNCERTAINTY


def _started_at(h, pid):
    """When process ``pid`` started (UTC ISO), None if unreadable."""
    return _started(h, pid)[0]


def _dockerd_pids(h):
    pids = []
    for p in h.glob("/proc/[0-9]*/comm"):
        try:
            if h.read(p).strip() == "dockerd":
                pids.append(int(p.split("/")[-2]))
        except (IOError, OSError, ValueError):
            continue
    return sorted(pids)


def _argv(h, pid):
    try:
        return [a for a in h.read("/proc/%d/cmdline" % pid).split("\0") if a]
    except (IOError, OSError):
        return None


def _socket_inodes(h, pid):
    """Inodes of the sockets process ``pid`` holds (/proc/PID/fd/N -> socket:[INODE])."""
    out = set()
    for fd in h.listdir("/proc/%d/fd" % pid):
        try:
            m = re.match(r"^socket:\[(\d+)\]$", h.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except (IOError, OSError):
            continue
        if m:
            out.add(m.group(1))
    return out


def _same_path(h, a, b):
    if a == b:
        return True
    try:
        return h.realpath(a) == h.realpath(b)
    except (IOError, OSError, ValueError):
        return False


def _listening_inodes(h, endpoint):
    """Inodes of the listening sockets bound to ``endpoint`` (unix path from /proc/net/unix; TCP port
    from /proc/net/tcp and tcp6)."""
    inodes = set()
    if endpoint.startswith("unix://"):
        path = endpoint[len("unix://"):]
        try:
            lines = h.read("/proc/net/unix").splitlines()[1:]
        except (IOError, OSError):
            return inodes
        for line in lines:
            parts = line.split()
            # Num RefCount Protocol Flags Type St Inode Path; flag 0x10000 is __SO_ACCEPTCON (listening)
            if len(parts) >= 8 and int(parts[3], 16) & 0x10000 and _same_path(h, parts[7], path):
                inodes.add(parts[6])
        return inodes
    record = dockerd_cli.parse_host(endpoint)
    if record["scheme"] != "tcp" or record["error"]:
        return inodes
    try:
        rows = _listening_tcp(h)
    except ListenerError:
        return inodes  # unreadable: the dockerd is then chosen by its -H flags, or not at all
    for _address, port, inode in rows:
        if port == record["port"]:
            inodes.add(inode)
    return inodes


def _listening_tcp(h):
    """[(address, port, inode)] of the host's TCP LISTEN sockets (/proc/net/tcp, tcp6), read by the
    one /proc/net/tcp parser (gather.listeners); a missing table (no IPv6) is skipped."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            text = h.read(table)
        except (IOError, OSError):
            continue
        out.extend(parse_proc_net_tcp(text))
    return out


def tcp_listening(h, pid):
    """The TCP sockets process ``pid`` listens on: [{"address", "port"}], None when its fds are unreadable.

    What the kernel says dockerd serves, whatever its flags say: the evaluators hold it against
    the listeners its configuration names."""
    inodes = _socket_inodes(h, pid)
    if not inodes and not h.listdir("/proc/%d/fd" % pid):
        return None
    try:
        rows = _listening_tcp(h)
    except ListenerError:
        return None  # a table this parser cannot read: what dockerd listens on is unknown
    out = []
    for address, port, inode in rows:
        entry = {"address": address, "port": port}
        if inode in inodes and entry not in out:
            out.append(entry)
    return out


def locate_dockerd(h, endpoint=DEFAULT_ENDPOINT):
    """(pid or None, how it was chosen) of the dockerd serving ``endpoint``.

    The only dockerd, else the one holding the listening socket bound to the endpoint (its inode
    in /proc/net/unix or /proc/net/tcp among the process's fds), else the one whose own hosts name
    the endpoint's socket. Never "the first dockerd in /proc": with several and no match, None.
    """
    pids = _dockerd_pids(h)
    if not pids:
        found = (None, "no dockerd process")
    elif len(pids) == 1:
        found = (pids[0], "the only dockerd process")
    else:
        found = (None, "%d dockerd processes (%s), none found serving %s"
                 % (len(pids), ", ".join(str(p) for p in pids), endpoint))
        inodes = _listening_inodes(h, endpoint)
        holders = [p for p in pids if inodes & _socket_inodes(h, p)] if inodes else []
        if len(holders) == 1:
            found = (holders[0], "holds the listening socket of %s" % endpoint)
        elif endpoint.startswith("unix://"):
            path = endpoint[len("unix://"):]
            named = []
            for p in pids:
                argv = _argv(h, p) or []
                for r in dockerd_cli.listeners(dockerd_cli.parse_flags(argv), {}, []):
                    if r["scheme"] == "unix" and _same_path(h, r["address"], path):
                        named.append(p)
                        break
            if len(named) == 1:
                found = (named[0], "its -H names %s" % endpoint)
    return found


def config_file(flags):
    """The config file dockerd reads: its --config-file, else /etc/docker/daemon.json (moby
    daemon/command/docker.go installs --config-file with getDefaultDaemonConfigFile)."""
    values = dockerd_cli.flag_values(flags, "config-file")
    return str(values[-1]) if values and values[-1] else DEFAULT_CONFIG_FILE


def _exec_start(h):
    """docker.service's effective ExecStart (unit file and drop-ins, the last after any reset)."""
    setting = systemd_unit.list_setting(h, "docker.service", "Service", "ExecStart")
    values = setting["values"] or []
    return values[-1].lstrip("-@:+!") if values else None


def _read_config_hosts(h, path):
    """The ``hosts`` of the daemon's config file, for the listener record (daemon_config holds the file)."""
    try:
        content = json.loads(h.read(path) or "{}")
    except (IOError, OSError, ValueError):
        return {}
    # the record keeps each host value as written: a URL's credentials must not leave the host
    return redact.redact_config(content) if isinstance(content, dict) else {}


def daemon_record(h, params):
    """The record of the dockerd serving ``params["endpoint"]`` (the ``dockerd_process`` section),
    built once per gather (kept in ``params``, the module's parameters for this run).

    The files and daemon_config collectors read it too: the config file is the one this dockerd
    reads, the sockets to stat are its unix listeners.
    """
    endpoint = params.get("endpoint") or DEFAULT_ENDPOINT
    cache = params.setdefault("_daemon_records", {})
    if endpoint not in cache:
        cache[endpoint] = _build_record(h, endpoint)
    return cache[endpoint]


def _build_record(h, endpoint):
    pid, chosen = locate_dockerd(h, endpoint)
    out = {"running": pid is not None, "pid": pid, "cmdline": None, "flags": {}, "unit_exec_start": None,
           "limits": {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None},
           "started_at": None, "started_at_uncertainty": None, "endpoint": endpoint, "chosen": chosen,
           "config_file": None, "config_file_source": None, "listeners": None, "socket_activation": None,
           "tcp_listening": None}
    if pid is not None:
        out["started_at"], out["started_at_uncertainty"] = _started(h, pid)
        out["tcp_listening"] = tcp_listening(h, pid)
        try:
            # dockerd's flags can carry credentials (e.g. a registry mirror URL with user:password).
            argv = redact.redact_argv([a for a in h.read("/proc/%d/cmdline" % pid).split("\0") if a])
            out["cmdline"] = argv
            out["flags"] = parse_flags(argv)
            out["limits"] = _limits(h.read("/proc/%d/limits" % pid))
        except (IOError, OSError):
            pass
    exec_start = _exec_start(h)
    out["unit_exec_start"] = redact.redact_text(exec_start.strip()) if exec_start else None
    if out["cmdline"] is not None:
        flags, where = out["flags"], "dockerd"
    else:
        flags, where = parse_flags((out["unit_exec_start"] or "").split()), "docker.service ExecStart"
    out["config_file"] = config_file(flags)
    out["config_file_source"] = ("%s --config-file" % where if dockerd_cli.flag_values(flags, "config-file")
                                 else "%s default" % where)
    socket = systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")
    out["socket_activation"] = {"unit": "docker.socket", "files": socket["files"], "masked": socket["masked"],
                                "listen_streams": None if socket["error"] else (socket["values"] or []),
                                "error": socket["error"]}
    out["listeners"] = dockerd_cli.listeners(flags, _read_config_hosts(h, out["config_file"]),
                                             out["socket_activation"]["listen_streams"])
    return out


def config_path(h, params):
    """The config file to read as daemon.json: the audited dockerd's (its --config-file, or the default
    it reads), else the unit's --config-file, else the module's daemon_json_path."""
    record = daemon_record(h, params)
    if record["cmdline"] is not None or "--config-file" in (record["config_file_source"] or ""):
        return record["config_file"], record["config_file_source"]
    return params.get("daemon_json_path") or DEFAULT_CONFIG_FILE, "daemon_json_path option (no dockerd read)"


def socket_paths(record):
    """The unix socket paths of a daemon record's listeners (what item 30 stats)."""
    return [r["address"] for r in record.get("listeners") or []
            if r.get("scheme") == "unix" and not r.get("error") and isinstance(r.get("address"), str)]


def collect_dockerd_process(h, endpoint=DEFAULT_ENDPOINT, params=None):
    out = daemon_record(h, params) if params is not None else _build_record(h, endpoint)
    if out["pid"] is None and "none found serving" in out["chosen"]:
        raise CollectorError("%s: the audited daemon's command line is unknown" % out["chosen"], section=out)
    return out, "/proc/%d/cmdline (%s)" % (out["pid"], out["chosen"]) if out["pid"] else "no dockerd process"
