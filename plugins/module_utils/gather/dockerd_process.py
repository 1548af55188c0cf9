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

import os
import re
import time

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli, redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import daemons, systemd_unit
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.daemons import locate_dockerd  # noqa: F401
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.listeners import ListenerError
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError

DEFAULT_ENDPOINT = daemons.DEFAULT_ENDPOINT
DEFAULT_CONFIG_FILE = daemons.DEFAULT_CONFIG_FILE


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


def config_file(flags, default=DEFAULT_CONFIG_FILE):
    """The config file dockerd reads (daemons.config_file)."""
    return daemons.config_file(flags, default)


def tcp_listening(h, pid):
    """The TCP sockets process ``pid`` listens on: [{"address", "port"}], None when its fds are unreadable.

    What the kernel says dockerd serves, whatever its flags say: the evaluators hold it against
    the listeners its configuration names."""
    inodes = daemons.socket_inodes(h, pid)
    if not inodes and not h.listdir("/proc/%d/fd" % pid):
        return None
    try:
        rows = daemons.listening_tcp(h)
    except ListenerError:
        return None  # a table this parser cannot read: what dockerd listens on is unknown
    out = []
    for address, port, inode in rows:
        entry = {"address": address, "port": port}
        if inode in inodes and entry not in out:
            out.append(entry)
    return out


def _exec_start(h):
    """docker.service's effective ExecStart (unit file and drop-ins, the last after any reset)."""
    setting = systemd_unit.list_setting(h, "docker.service", "Service", "ExecStart")
    values = setting["values"] or []
    return values[-1].lstrip("-@:+!") if values else None


def daemon_record(h, params):
    """The record of the dockerd serving ``params["endpoint"]`` (the ``dockerd_process`` section),
    built once per gather (kept in ``params``, the module's parameters for this run).

    The files and daemon_config collectors read it too: the config file is the one this dockerd
    reads, the sockets to stat are its unix listeners. ``params["_located"]``, when set, is the
    (pid, why) daemon discovery already chose (gather.daemons); ``_system_unit`` False: the daemon
    is not docker.service's, whose unit and docker.socket are then not read.
    """
    located = params.get("_located")
    endpoint = params.get("endpoint") if located else (params.get("endpoint") or DEFAULT_ENDPOINT)
    cache = params.setdefault("_daemon_records", {})
    if endpoint not in cache:
        cache[endpoint] = _build_record(h, endpoint, located, params.get("_system_unit", True))
    return cache[endpoint]


_NO_UNIT = "not docker.service's daemon: its unit is not read"


def _build_record(h, endpoint, located=None, system_unit=True):
    pid, chosen = located or locate_dockerd(h, endpoint)
    out = {"running": pid is not None, "pid": pid, "cmdline": None, "flags": {}, "unit_exec_start": None,
           "limits": {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None},
           "started_at": None, "started_at_uncertainty": None, "endpoint": endpoint, "chosen": chosen,
           "config_file": None, "config_file_source": None, "listeners": None, "socket_activation": None,
           "tcp_listening": None}
    defaults = daemons.process_defaults(h, pid)
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
    # A rootless dockerd (or another daemon discovery found) is not docker.service's.
    system_unit = system_unit and not defaults["rootless"]
    exec_start = _exec_start(h) if system_unit else None
    out["unit_exec_start"] = redact.redact_text(exec_start.strip()) if exec_start else None
    if out["cmdline"] is not None:
        flags, where = out["flags"], "dockerd"
    else:
        flags, where = parse_flags((out["unit_exec_start"] or "").split()), "docker.service ExecStart"
    out["config_file"] = config_file(flags, defaults["config_file"])
    out["config_file_source"] = ("%s --config-file" % where if dockerd_cli.flag_values(flags, "config-file")
                                 else "%s default" % where)
    if system_unit:
        socket = systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")
        out["socket_activation"] = {"unit": "docker.socket", "files": socket["files"], "masked": socket["masked"],
                                    "listen_streams": None if socket["error"] else (socket["values"] or []),
                                    "error": socket["error"]}
    else:
        out["socket_activation"] = {"unit": None, "files": [], "masked": False, "listen_streams": None,
                                    "error": _NO_UNIT}
    if out["cmdline"] is None and not system_unit:
        # Known by its socket only: no flags and no unit to read the config file or listeners from.
        out.update(config_file=None, config_file_source=None,
                   listeners=[dockerd_cli.parse_host(endpoint, "socket found (no process read)")] if endpoint else [])
        return out
    out["listeners"] = daemons.own_listeners(h, flags, daemons.config_content(h, out["config_file"]), defaults,
                                             out["socket_activation"]["listen_streams"])
    return out


def config_path(h, params):
    """The config file to read as daemon.json: the audited dockerd's (its --config-file, or the default
    it reads), else the unit's --config-file, else the module's daemon_json_path."""
    record = daemon_record(h, params)
    if record["cmdline"] is not None or "--config-file" in (record["config_file_source"] or ""):
        if not record["config_file"]:
            return None, ("rootless dockerd (pid %s): its config file is under $HOME, and its environment was not "
                          "readable" % record["pid"])
        return record["config_file"], record["config_file_source"]
    if params.get("_config_chosen_by") and not params.get("daemon_json_path"):
        return None, "a daemon found by its socket, whose owner's home is unknown"
    return (params.get("daemon_json_path") or DEFAULT_CONFIG_FILE,
            params.get("_config_chosen_by") or "daemon_json_path option (no dockerd read)")


def socket_paths(record):
    """The unix socket paths of a daemon record's listeners (what item 30 stats)."""
    return [r["address"] for r in record.get("listeners") or []
            if r.get("scheme") == "unix" and not r.get("error") and isinstance(r.get("address"), str)]


def collect_dockerd_process(h, endpoint=DEFAULT_ENDPOINT, params=None):
    out = daemon_record(h, params) if params is not None else _build_record(h, endpoint)
    if out["pid"] is None and "none found serving" in out["chosen"]:
        raise CollectorError("%s: the audited daemon's command line is unknown" % out["chosen"], section=out)
    return out, "/proc/%d/cmdline (%s)" % (out["pid"], out["chosen"]) if out["pid"] else "no dockerd process"
