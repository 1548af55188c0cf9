# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``daemons``: every dockerd on the host, rootful and rootless, and which one is the primary.

Found in the process table (``/proc/*/comm`` or the basename of ``/proc/*/exe`` is ``dockerd``) and
by the rootless sockets ``/run/user/*/docker.sock`` no process was found serving. Each process's
own listeners are read as dockerd reads them (``-H``/``--host`` and its config file's ``hosts``,
dockerd_cli.listeners; none: dockerd's default socket), its config file from ``--config-file``,
else dockerd's default.

The primary daemon is the one serving the module's endpoint (``locate_dockerd``); its sections
are the top-level ``docker``, ``daemon_config`` and ``dockerd_process``. When the endpoint was not
given (no docker_host, no DOCKER_HOST) and nothing serves the default socket but other daemons
exist, the first found is primary (``resolve_primary``). Every other daemon gets its own
``collectors``/``docker``/``daemon_config``/``dockerd_process``, read over its own socket by the
same collector code (registry.DAEMON_COLLECTORS).

Of a daemon's environment (``/proc/PID/environ``) only ``XDG_RUNTIME_DIR`` and ``HOME`` are read:
the file is parsed here and every other variable is dropped at once (``kept_environ``); nothing
else of it is kept, returned or logged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
import re
import stat

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli, redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import systemd_unit
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError, timed
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.listeners import (
    ListenerError, parse_proc_net_tcp
)

DEFAULT_ENDPOINT = "unix://" + dockerd_cli.DEFAULT_UNIX_SOCKET
DEFAULT_CONFIG_FILE = "/etc/docker/daemon.json"
DEFAULT_DATA_ROOT = "/var/lib/docker"
USER_SOCKETS = "/run/user/*/docker.sock"
SOURCE = "/proc, %s" % USER_SOCKETS
# dockerd-rootless.sh runs the first of these it finds (contrib/dockerd-rootless.sh).
ROOTLESSKIT_PROGRAMS = ("rootlesskit", "docker-rootlesskit")
KEPT_ENVIRON = ("XDG_RUNTIME_DIR", "HOME")


# --- The process table ---------------------------------------------------------------------------

def _program(h, pid):
    """(comm, basename of the executable) of process ``pid``; None for what cannot be read."""
    try:
        comm = h.read("/proc/%d/comm" % pid).strip()
    except (IOError, OSError):
        comm = None
    try:
        exe = os.path.basename(h.readlink("/proc/%d/exe" % pid).replace(" (deleted)", ""))
    except (IOError, OSError):
        exe = None
    return comm, exe


def dockerd_pids(h):
    """Pids of every dockerd: its comm (the kernel's 15-character task name) or its executable's
    basename is ``dockerd`` (a renamed comm or a snap's wrapper still runs the dockerd binary)."""
    pids = []
    for p in h.glob("/proc/[0-9]*/comm"):
        try:
            pid = int(p.split("/")[-2])
        except ValueError:
            continue
        if "dockerd" in _program(h, pid):
            pids.append(pid)
    return sorted(pids)


def argv(h, pid):
    try:
        return [a for a in h.read("/proc/%d/cmdline" % pid).split("\0") if a]
    except (IOError, OSError):
        return None


def _status(h, pid):
    """{"ppid", "uid"} from /proc/PID/status (the uid as this reader's user namespace sees it: the
    host's uid for a process in a child namespace); None values when unreadable."""
    out = {"ppid": None, "uid": None}
    try:
        text = h.read("/proc/%d/status" % pid)
    except (IOError, OSError):
        return out
    m = re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE)
    out["ppid"] = int(m.group(1)) if m else None
    m = re.search(r"^Uid:\s+(\d+)", text, re.MULTILINE)
    out["uid"] = int(m.group(1)) if m else None
    return out


def _namespace(h, pid, kind):
    try:
        return h.readlink("/proc/%s/ns/%s" % (pid, kind))
    except (IOError, OSError):
        return None


def _host_namespace(h, kind):
    """The host's namespace of ``kind``: /proc/1's, else this gather's own (/proc/1/ns is not
    readable in some sandboxes, and the gather runs on the host)."""
    return _namespace(h, 1, kind) or _namespace(h, "self", kind)


def _root_maps_to(h, pid):
    """The host uid that uid 0 inside process ``pid``'s user namespace is (/proc/PID/uid_map:
    ``inside outside count`` lines), None when unreadable or not mapped."""
    try:
        lines = h.read("/proc/%d/uid_map" % pid).splitlines()
    except (IOError, OSError):
        return None
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "0" and parts[1].isdigit():
            return int(parts[1])
    return None


def _rootlesskit_ancestor(h, pid, depth=4):
    """The pid of the outermost rootlesskit process above ``pid``, None if none. RootlessKit's
    child re-executes its own binary (comm ``exe``, so the executable's basename is checked beside
    comm) inside the new namespaces; the parent above it is the one in the host's."""
    seen = set()
    found = None
    current = _status(h, pid)["ppid"]
    while current and current not in seen and depth > 0:
        seen.add(current)
        if set(_program(h, current)) & set(ROOTLESSKIT_PROGRAMS):
            found = current
        elif found is not None:
            break
        current = _status(h, current)["ppid"]
        depth -= 1
    return found


def rootless_state(h, pid):
    """(rootless, why) of dockerd ``pid``, by dockerd's own rule read from outside.

    dockerd is rootless when it runs under RootlessKit (moby daemon/internal/rootless/rootless.go
    RunningWithRootlessKit: ROOTLESSKIT_STATE_DIR is set, which rootlesskit does for its child,
    and then daemon/command/docker.go sets honorXDG). That variable is not read here (only
    XDG_RUNTIME_DIR and HOME may be); what RootlessKit does is: it starts dockerd in a user
    namespace of its own (/proc/PID/ns/user differs from /proc/1/ns/user) whose uid 0 is the
    unprivileged user (/proc/PID/uid_map), as a descendant of the rootlesskit process. Both must
    hold: a dockerd in a container's user namespace (userns-remap) has no rootlesskit above it.
    """
    ancestor = _rootlesskit_ancestor(h, pid)
    own, init = _namespace(h, pid, "user"), _host_namespace(h, "user")
    maps_to = _root_maps_to(h, pid)
    if ancestor is None:
        return False, "no rootlesskit process above it"
    if own is not None and init is not None:
        if own == init:
            return False, "under rootlesskit (pid %s) but in the host's user namespace" % ancestor
        return True, "under rootlesskit (pid %s), in its own user namespace (uid 0 is host uid %s)" % (
            ancestor, maps_to)
    if maps_to not in (None, 0):
        return True, "under rootlesskit (pid %s), its uid 0 is host uid %s" % (ancestor, maps_to)
    return False, "under rootlesskit (pid %s), but its user namespace could not be read" % ancestor


def in_a_container(h, pid, rootless):
    """Why dockerd ``pid`` runs inside a container, else None: the process that stands for it on
    the host (itself; for a rootless one, its outermost rootlesskit, which may give dockerd a PID
    namespace of its own with --pidns) is in another PID namespace than the host's. Every container
    runtime gives a container its own PID namespace; a snap's or a sandboxed systemd unit's dockerd
    only gets its own mount namespace, and stays this host's. Such a dockerd's socket paths are not
    this host's (docker-in-docker): it is audited as a container of the daemon running it."""
    subject = _rootlesskit_ancestor(h, pid) if rootless else pid
    own, host_ns = _namespace(h, subject, "pid"), _host_namespace(h, "pid")
    if own is None or host_ns is None or own == host_ns:
        return None
    return "dockerd pid %d runs in another PID namespace (%s%s, not %s): a dockerd inside a container" % (
        pid, own, "" if subject == pid else " of rootlesskit pid %s" % subject, host_ns)


def kept_environ(h, pid):
    """{XDG_RUNTIME_DIR, HOME} of process ``pid`` (the ones that are set); every other variable
    of /proc/PID/environ is dropped here, unread beyond its name."""
    try:
        raw = h.read("/proc/%d/environ" % pid)
    except (IOError, OSError):
        return {}
    kept = {}
    for item in raw.split("\0"):
        name, sep, value = item.partition("=")
        if sep and name in KEPT_ENVIRON:
            kept[name] = value
    del raw
    return kept


def user_name(uid):
    if uid is None:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return str(uid)


def _home_of(uid):
    try:
        return pwd.getpwuid(uid).pw_dir
    except (KeyError, OverflowError, TypeError):
        return None


def process_defaults(h, pid):
    """What dockerd ``pid`` uses when its flags and config file say nothing: ``{uid, user,
    rootless, rootless_why, default_host, config_file, data_root}``; rootful defaults for None.

    Rootless (honorXDG): the socket is unix://$XDG_RUNTIME_DIR/docker.sock (daemon/command/daemon.go
    defaultAPISocketPath), the config file $XDG_CONFIG_HOME/docker/daemon.json, else
    $HOME/.config/docker/daemon.json (daemon_unix.go getDefaultDaemonConfigDir, pkg/homedir
    GetConfigHome), the data root $XDG_DATA_HOME/docker, else $HOME/.local/share/docker
    (daemon/config/config_linux.go). XDG_CONFIG_HOME and XDG_DATA_HOME are not read (only
    XDG_RUNTIME_DIR and HOME may be): dockerd-rootless.sh does not set them. Rootful:
    unix:///var/run/docker.sock (``default_host`` "": dockerd_cli.parse_host's default, TCP 2376 with
    TLS), /etc/docker/daemon.json, /var/lib/docker. ``default_host`` None: rootless, XDG_RUNTIME_DIR unknown.
    """
    out = {"uid": 0, "user": "root", "rootless": False, "rootless_why": None, "default_host": "",
           "config_file": DEFAULT_CONFIG_FILE, "data_root": DEFAULT_DATA_ROOT}
    if pid is None:
        return out
    uid = _status(h, pid)["uid"]
    rootless, why = rootless_state(h, pid)
    out.update(uid=uid, user=user_name(uid), rootless=rootless, rootless_why=why)
    if rootless:
        env = kept_environ(h, pid)
        home, runtime = env.get("HOME"), env.get("XDG_RUNTIME_DIR")
        out["default_host"] = "unix://" + os.path.join(runtime, "docker.sock") if runtime else None
        out["config_file"] = os.path.join(home, ".config", "docker", "daemon.json") if home else None
        out["data_root"] = os.path.join(home, ".local", "share", "docker") if home else None
    return out


def config_file(flags, default=DEFAULT_CONFIG_FILE):
    """The config file dockerd reads: its --config-file, else ``default`` (moby
    daemon/command/docker.go installs --config-file with getDefaultDaemonConfigFile)."""
    values = dockerd_cli.flag_values(flags, "config-file")
    return str(values[-1]) if values and values[-1] else default


def config_content(h, path):
    """The daemon's config file content for the listener record, redacted (daemon_config holds the file)."""
    if not path:
        return {}
    try:
        content = json.loads(h.read(path) or "{}")
    except (IOError, OSError, ValueError):
        return {}
    # the record keeps each host value as written: a URL's credentials must not leave the host
    return redact.redact_config(content) if isinstance(content, dict) else {}


def own_listeners(h, flags, config, defaults, socket_streams):
    """dockerd_cli.listeners with this daemon's own default host (rootless: under XDG_RUNTIME_DIR)."""
    records = dockerd_cli.listeners(flags, config, socket_streams, default_host=defaults["default_host"] or "")
    if defaults["default_host"] is None:
        # A rootless dockerd's default socket is under XDG_RUNTIME_DIR, which could not be read.
        records = [r if not r["source"].startswith("default") else dict(
            r, scheme=None, address=None, error="rootless dockerd's default socket is $XDG_RUNTIME_DIR/docker.sock "
                                                "and its environment was not readable") for r in records]
    return records


def data_root(flags, config, defaults):
    """--data-root (or the old -g/--graph), else the config file's ``data-root``, else the default
    (daemon/command/config.go: --data-root; dockerd refuses one set both ways, so the flag is what runs)."""
    values = dockerd_cli.flag_values(flags, "data-root") or dockerd_cli.flag_values(flags, "graph")
    if values and values[-1]:
        return str(values[-1])
    if isinstance(config.get("data-root"), str) and config["data-root"]:
        return config["data-root"]
    return defaults["data_root"]


# --- Which dockerd serves an endpoint --------------------------------------------------------------

def socket_inodes(h, pid):
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


def same_path(h, a, b):
    if a == b:
        return True
    try:
        return h.realpath(a) == h.realpath(b)
    except (IOError, OSError, ValueError):
        return False


def listening_tcp(h):
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
            if len(parts) >= 8 and int(parts[3], 16) & 0x10000 and same_path(h, parts[7], path):
                inodes.add(parts[6])
        return inodes
    record = dockerd_cli.parse_host(endpoint)
    if record["scheme"] != "tcp" or record["error"]:
        return inodes
    try:
        rows = listening_tcp(h)
    except ListenerError:
        return inodes  # unreadable: the dockerd is then chosen by its -H flags, or not at all
    for _address, port, inode in rows:
        if port == record["port"]:
            inodes.add(inode)
    return inodes


def _names_endpoint(h, pid, path):
    """Whether dockerd ``pid``'s own listeners (flags, config file hosts, its default) name the unix socket ``path``."""
    flags = dockerd_cli.parse_flags(argv(h, pid) or [])
    defaults = process_defaults(h, pid)
    config = config_content(h, config_file(flags, defaults["config_file"]))
    streams = None if defaults["rootless"] else _system_streams(h)
    for r in own_listeners(h, flags, config, defaults, streams):
        if r["scheme"] == "unix" and not r["error"] and same_path(h, r["address"], path):
            return True
    return False


def locate_dockerd(h, endpoint=DEFAULT_ENDPOINT):
    """(pid or None, how it was chosen) of the dockerd serving ``endpoint``.

    The only dockerd, else the one holding the listening socket bound to the endpoint (its inode
    in /proc/net/unix or /proc/net/tcp among the process's fds), else the one whose own hosts
    (-H, its config file's ``hosts``, else its default socket) name the endpoint's socket. Never
    "the first dockerd in /proc": with several and no match, None.
    """
    pids = dockerd_pids(h)
    if not pids:
        return None, "no dockerd process"
    if len(pids) == 1:
        return pids[0], "the only dockerd process"
    found = (None, "%d dockerd processes (%s), none found serving %s"
             % (len(pids), ", ".join(str(p) for p in pids), endpoint))
    inodes = _listening_inodes(h, endpoint)
    holders = [p for p in pids if inodes & socket_inodes(h, p)] if inodes else []
    if len(holders) == 1:
        return holders[0], "holds the listening socket of %s" % endpoint
    if endpoint.startswith("unix://"):
        named = [p for p in pids if _names_endpoint(h, p, endpoint[len("unix://"):])]
        if len(named) == 1:
            found = (named[0], "its -H names %s" % endpoint)
    return found


def serves(h, pid, endpoint):
    """Whether dockerd ``pid`` is known to serve ``endpoint`` (its socket inode, or its own hosts)."""
    inodes = _listening_inodes(h, endpoint)
    if inodes and inodes & socket_inodes(h, pid):
        return True
    return endpoint.startswith("unix://") and _names_endpoint(h, pid, endpoint[len("unix://"):])


# --- Discovery ---------------------------------------------------------------------------------------

def _endpoint(records):
    """The endpoint to read a daemon over: its first unix socket, else its first TCP listener."""
    for scheme in ("unix", "tcp"):
        for r in records:
            if r["scheme"] == scheme and not r["error"] and r["address"]:
                if scheme == "unix":
                    return "unix://" + r["address"] if r["address"].startswith("/") else None
                host = "[%s]" % r["address"] if ":" in r["address"] else r["address"]
                return "tcp://%s:%d" % (host, r["port"])
    return None


def _system_streams(h):
    streams = systemd_unit.list_setting(h, "docker.socket", "Socket", "ListenStream")
    return None if streams["error"] else (streams["values"] or [])


def _process_entry(h, pid, streams):
    """The discovery record of dockerd ``pid``: public ``meta`` and what its collectors need."""
    defaults = process_defaults(h, pid)
    flags = dockerd_cli.parse_flags(redact.redact_argv(argv(h, pid) or []))
    path = config_file(flags, defaults["config_file"])
    config = config_content(h, path)
    # systemd hands docker.socket's sockets to docker.service's (rootful) dockerd only.
    records = own_listeners(h, flags, config, defaults, None if defaults["rootless"] else streams)
    endpoint = _endpoint(records)
    if endpoint and same_path(h, endpoint[len("unix://"):], dockerd_cli.DEFAULT_UNIX_SOCKET):
        endpoint = DEFAULT_ENDPOINT  # one name for docker.socket's /run/docker.sock and /var/run/docker.sock
    meta = {"name": None, "primary": False, "endpoint": endpoint, "rootless": defaults["rootless"],
            "user": defaults["user"], "uid": defaults["uid"], "pid": pid, "found_by": "process",
            "data_root": data_root(flags, config, defaults)}
    sockets = [r["address"] for r in records if r["scheme"] == "unix" and not r["error"]
               and str(r["address"]).startswith("/")]
    return {"meta": meta, "config_file": path, "sockets": sockets}


def _socket_entry(h, path):
    """A daemon known by its socket only (no process found serving it): rootless when the socket
    is not root's (daemon/listeners/listeners_linux.go: sockets.NewUnixSocket creates it as the
    user dockerd runs as, only its group changed to --group; a rootless dockerd's uid 0 is its user)."""
    st = h.lstat(path)
    if not stat.S_ISSOCK(st.st_mode):
        return None
    uid = st.st_uid
    home = _home_of(uid)
    rootless = uid != 0
    meta = {"name": None, "primary": False, "endpoint": "unix://" + path, "rootless": rootless,
            "user": user_name(uid), "uid": uid, "pid": None, "found_by": "socket",
            "data_root": (os.path.join(home, ".local", "share", "docker") if rootless and home else None)}
    config = (os.path.join(home, ".config", "docker", "daemon.json") if rootless and home
              else DEFAULT_CONFIG_FILE if not rootless else None)
    return {"meta": meta, "config_file": config, "sockets": [path]}


def _name(meta, taken):
    name = "%s@%s" % (meta["user"] if meta["user"] is not None else "?",
                      meta["endpoint"] or ("pid:%s" % meta["pid"]))
    if name in taken:
        name = "%s#%s" % (name, meta["pid"])
    taken.add(name)
    return name


def _choose_primary(h, params, endpoint, entries):
    """(primary entry or None, its endpoint, (pid, chosen) or None) among the discovered ``entries``.

    The dockerd serving ``endpoint`` (locate_dockerd, today's choice). When the endpoint was not
    given (``endpoint_explicit`` false) and nothing serves it (no dockerd known to, no socket at
    its path) but daemons exist, the first found is primary and its own endpoint is read. A given
    endpoint no dockerd is found serving is still the primary (found_by ``docker_host``); a
    default socket with no process is found_by ``socket``. No daemon and no socket: None.
    """
    explicit = bool(params.get("endpoint_explicit"))
    unix_path = endpoint[len("unix://"):] if endpoint.startswith("unix://") else None
    socket_there = bool(unix_path) and h.exists(unix_path)
    pid, chosen = locate_dockerd(h, endpoint)
    by_pid = [e for e in entries if pid is not None and e["meta"]["pid"] == pid]
    if (by_pid and by_pid[0]["meta"]["rootless"] and chosen == "the only dockerd process" and unix_path
            and not serves(h, pid, endpoint)):
        # A rootless dockerd serves its own socket ($XDG_RUNTIME_DIR/docker.sock), never the system
        # one: being the only dockerd does not make it this endpoint's (a socket-activated rootful
        # docker.service not started yet, whose docker.socket holds the path, is).
        by_pid = []
    if by_pid and (socket_there or not unix_path or serves(h, pid, endpoint)):
        return by_pid[0], endpoint, (pid, chosen)
    if not explicit and not socket_there and entries:
        first = entries[0]
        if first["meta"]["pid"] is not None:
            why = "the first dockerd found (pid %d): nothing serves %s" % (first["meta"]["pid"], endpoint)
            return first, first["meta"]["endpoint"], (first["meta"]["pid"], why)
        return first, first["meta"]["endpoint"], None
    if pid is not None:
        # the only dockerd, but it serves another socket (or runs in a container): not this endpoint's
        chosen = "dockerd pid %d serves other sockets, none found serving %s" % (pid, endpoint)
    located = (None, chosen)
    by_socket = [e for e in entries if e["meta"]["pid"] is None and unix_path
                 and same_path(h, e["sockets"][0], unix_path)]
    if by_socket:
        return by_socket[0], endpoint, located
    if not (explicit or socket_there or entries):
        return None, endpoint, None
    uid = None
    if socket_there:
        try:
            uid = h.lstat(unix_path).st_uid
        except (IOError, OSError):
            pass
    meta = {"name": None, "primary": True, "endpoint": endpoint, "rootless": False, "user": user_name(uid),
            "uid": uid, "pid": None, "found_by": "docker_host" if explicit else "socket", "data_root": None}
    return {"meta": meta, "config_file": params.get("daemon_json_path") or DEFAULT_CONFIG_FILE,
            "sockets": [unix_path] if unix_path else []}, endpoint, located


def discover(h, params):
    """Every daemon on the host, primary first (built once per gather, kept in ``params``):
    ``{"entries": [{"meta", "config_file", "sockets"}], "skipped": [why, ...],
    "endpoint": the primary's, "located": (pid, chosen) of the primary or None}``."""
    if "_daemons" in params:
        return params["_daemons"]
    endpoint = params.get("endpoint") or DEFAULT_ENDPOINT
    streams = _system_streams(h)
    entries, skipped = [], []
    for pid in dockerd_pids(h):
        entry = _process_entry(h, pid, streams)
        why = in_a_container(h, pid, entry["meta"]["rootless"])
        if why:
            skipped.append(why)
            continue
        entries.append(entry)
    claimed = [p for e in entries for p in e["sockets"]]
    for path in h.glob(USER_SOCKETS):
        if any(same_path(h, path, c) for c in claimed):
            continue
        try:
            entry = _socket_entry(h, path)
        except (IOError, OSError):
            continue
        if entry:
            entries.append(entry)
    primary, endpoint, located = _choose_primary(h, params, endpoint, entries)
    if primary is not None:
        if primary in entries:
            entries.remove(primary)
        entries.insert(0, primary)
        primary["meta"].update(primary=True, endpoint=endpoint)
    taken = set()
    for e in entries:
        e["meta"]["name"] = _name(e["meta"], taken)
    params["_daemons"] = {"entries": entries, "skipped": skipped, "endpoint": endpoint, "located": located}
    return params["_daemons"]


def resolve_primary(h, params):
    """Discover the daemons and point ``params`` at the primary (its ``endpoint``; ``_located``:
    the process and how it was chosen, which dockerd_process.chosen reports). Never raises:
    a discovery failure is the ``daemons`` collector's error, and the gather goes on as before."""
    try:
        found = discover(h, params)
    except Exception as exc:  # pylint: disable=broad-except  # the module must gather the rest
        params["_daemons_error"] = "%s: %s" % (type(exc).__name__, exc)
        return
    params["endpoint"] = found["endpoint"]
    if found["located"] is not None:
        params["_located"] = found["located"]


def own_paths(h, params):
    """Every discovered daemon's own paths for the files collector: config file, unix sockets, data root."""
    try:
        entries = discover(h, params)["entries"]
    except Exception:  # pylint: disable=broad-except  # the daemons collector reports it
        return ()
    paths = []
    for e in entries:
        paths.extend([e["config_file"]] + e["sockets"] + [e["meta"]["data_root"]])
    return tuple(p for i, p in enumerate(paths) if p and p.startswith("/") and p not in paths[:i])


def other_daemon_params(h, params):
    """``daemon_params`` of every daemon found but the primary ([] when discovery failed: the
    ``daemons`` collector reports why)."""
    try:
        entries = discover(h, params)["entries"]
    except Exception:  # pylint: disable=broad-except  # the daemons collector reports it
        return []
    return [daemon_params(params, e) for e in entries if not e["meta"]["primary"]]


def daemon_params(params, entry):
    """The module's parameters as one non-primary daemon's collectors read them."""
    meta = entry["meta"]
    chosen = "found by its %s" % ("process (pid %d)" % meta["pid"] if meta["pid"] is not None else "socket")
    return dict(params, endpoint=meta["endpoint"], endpoint_explicit=True, _daemon_records={},
                _located=(meta["pid"], chosen), _system_unit=False, daemon_json_path=entry["config_file"],
                _config_chosen_by=None if meta["pid"] is not None else (
                    "rootless default under the socket owner's home (no process read)" if meta["rootless"]
                    else "dockerd default (no process read)"))


def collect_daemons(h, params, per_daemon):
    """The ``daemons`` section: each daemon's record; for each non-primary one, the sections of
    ``per_daemon`` (``[(name, run)]``, registry.DAEMON_COLLECTORS) read over its own endpoint,
    each with its own collector state (a failure is that daemon's collector error)."""
    if params.get("_daemons_error"):
        raise CollectorError("daemon discovery failed: %s" % params["_daemons_error"], section=[])
    found = discover(h, params)
    out = []
    for entry in found["entries"]:
        record = dict(entry["meta"])
        if not record["primary"]:
            sections = {"collectors": {}}
            sub = daemon_params(params, entry)
            for name, run in per_daemon:
                timed(name, run, sections, h, sub)
            if isinstance(sections.get("docker"), dict) and sections["docker"].get("reachable"):
                root = (sections["docker"].get("info") or {}).get("DockerRootDir")
                record["data_root"] = root or record["data_root"]
            for name, _run in per_daemon:
                record[name] = sections.get(name)
            record["collectors"] = sections["collectors"]
        out.append(record)
    source = SOURCE
    if found["skipped"]:
        source += "; not audited here: " + "; ".join(found["skipped"])
    return out, source
