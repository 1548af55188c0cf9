# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""dockerd's own reading of its command line, its ``hosts`` and its TLS settings, modelled on moby.

Pure functions, standard library only (Python 3.6+): the collectors run them on the target to
build the daemon record (``dockerd_process.flags``/``listeners``), the evaluators run them on the
facts, so both read a command line the way dockerd does.

- Flags: spf13/pflag as dockerd installs them (moby ``daemon/command/options.go`` installFlags,
  ``daemon/command/config.go`` / ``config_unix.go`` installCommonConfigFlags /
  installConfigFlags; ``cmd/dockerd`` before 27): a boolean flag never takes the next argument
  (``--tls false`` is ``--tls`` and a stray ``false``), ``--flag=value``, ``-Hvalue``, ``-H=value``,
  ``-DH value`` (short flags grouped), ``--`` ends the flags.
- Hosts: moby ``daemon/pkg/opts/hosts.go`` ParseDaemonHost / ParseTCPAddr / parseTCPAddr: a value
  without ``://`` is TCP; ``tcp://`` defaults to ``localhost:2375``; ``unix://`` to
  /var/run/docker.sock; ``fd://`` is systemd socket activation; any other scheme is refused.
- TLS: moby ``daemon/command/daemon.go`` loadDaemonCliConfig and newAPIServerTLSConfig, with
  ``options.go`` setDefaultOptions: ``--tlsverify`` (or daemon.json ``tlsverify``), set to any
  value, turns TLS on; TLS on without a tlsverify setting verifies clients; clients are then
  checked against ``tlscacert`` (an empty one means the system's root CAs).
- Socket activation: systemd.socket(5) ``ListenStream=``: a path is a unix socket, ``@name`` an
  abstract one, a bare port or ``ADDR:PORT`` / ``[ADDR]:PORT`` a TCP socket, ``vsock:`` a VM socket.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DEFAULT_UNIX_SOCKET = "/var/run/docker.sock"
DEFAULT_HTTP_HOST = "localhost"   # hosts_unix.go DefaultHTTPHost
DEFAULT_HTTP_PORT = 2375
DEFAULT_TLS_PORT = 2376

# Every boolean flag dockerd has had from 20.10 to 29 (pflag BoolVar/BoolVarP): they never consume
# the next argument. Long names without the dashes.
BOOL_FLAGS = frozenset((
    "allow-direct-routing", "cri-containerd", "debug", "experimental", "help", "icc", "init", "ip-forward",
    "ip-forward-no-drop", "ip-masq", "ip6tables", "iptables", "ipv6", "live-restore", "no-new-privileges",
    "raw-logs", "restart", "rootless", "selinux-enabled", "tls", "tlsverify", "userland-proxy", "validate",
    "version",
    # removed before 20.10, still accepted by the dockerd of older hosts
    "disable-legacy-registry",
))

# Short flags: the long name each stands for (-D debug, -H host, -l log-level, ...).
SHORT_FLAGS = {"D": "debug", "H": "host", "l": "log-level", "p": "pidfile", "G": "group", "s": "storage-driver",
               "b": "bridge", "r": "restart", "v": "version", "h": "help", "g": "graph", "e": "exec-driver"}

_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def go_bool(value):
    """strconv.ParseBool, as pflag applies it to a boolean flag's value: True/False, None when Go refuses it.

    A bare boolean flag (recorded with the value "") is true."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    value = str(value)
    if value == "" or value in _GO_TRUE:
        return True
    if value in _GO_FALSE:
        return False
    return None


def parse_flags(argv):
    """dockerd argv -> ``{flag: [values]}`` the way pflag reads it.

    Keys are written as dockerd names them: ``--name`` for a long flag, ``-X`` for a short one
    (``-H`` and ``--host`` stay separate keys). A boolean flag given without ``=value`` is recorded
    as ``""`` and never takes the next argument. A value flag takes the next argument unless that
    one starts with ``-`` (pflag would take it too, but for a flag this table does not know, the
    next flag is the safer reading). Positional arguments (dockerd refuses them) are skipped.
    """
    flags = {}
    args = [str(a) for a in list(argv or [])[1:]]
    i = 0

    def add(name, value):
        flags.setdefault(name, []).append(value)

    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            break
        if not a.startswith("-") or a == "-":
            continue
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if not name:
                continue
            if eq:
                add("--" + name, value)
            elif name in BOOL_FLAGS:
                add("--" + name, "")
            elif i < len(args) and not args[i].startswith("-"):
                add("--" + name, args[i])
                i += 1
            else:
                add("--" + name, "")
            continue
        # pflag parseShortArg: a group of shorthands, each boolean one set in turn; the first
        # value-taking one takes the rest of the group (after an optional "="), else the next argument.
        rest = a[1:]
        while rest:
            c = rest[0]
            long_name = SHORT_FLAGS.get(c)
            if len(rest) > 2 and rest[1] == "=":
                add("-" + c, rest[2:])
                rest = ""
            elif long_name in BOOL_FLAGS:
                add("-" + c, "")
                rest = rest[1:]
            elif len(rest) > 1:
                add("-" + c, rest[1:])
                rest = ""
            elif i < len(args) and not args[i].startswith("-"):
                add("-" + c, args[i])
                i += 1
                rest = ""
            else:
                add("-" + c, "")
                rest = ""
    return flags


def flag_values(flags, long_name):
    """Every value of a flag, its long and short spellings together (``host`` -> ``--host`` and ``-H``)."""
    flags = flags if isinstance(flags, dict) else {}
    names = ["--" + long_name] + ["-" + s for s, n in sorted(SHORT_FLAGS.items()) if n == long_name]
    out = []
    for name in names:
        values = flags.get(name)
        if isinstance(values, (list, tuple)):
            out.extend(values)
        elif values is not None:
            out.append(values)
    return out


# --- TLS (--tls, --tlsverify, --tlscacert, --tlscert, --tlskey) -----------------------------------

# dockerd's TLS files and their defaults: $DOCKER_CERT_PATH, else ~/.docker of the user dockerd runs
# as (moby daemon/command/options.go installFlags, defaultCertPath); root's is /root/.docker.
TLS_FILES = (("tlscacert", "ca.pem"), ("tlscert", "cert.pem"), ("tlskey", "key.pem"))
ROOT_CERT_PATH = "/root/.docker"


def tls_on(flags, content):
    """dockerd serves TLS: --tlsverify given at all (even =false: TLS without client verification), or
    --tls true; on its command line or in its config file (moby daemon/command/options.go
    setDefaultOptions, daemon/command/daemon.go: a tlsverify value set turns TLS on). DOCKER_TLS_VERIFY
    in dockerd's environment is not read."""
    content = content if isinstance(content, dict) else {}
    if flag_values(flags, "tlsverify") or "tlsverify" in content:
        return True
    values = flag_values(flags, "tls")
    if values:
        return go_bool(values[-1]) is True
    return content.get("tls") is True


def tls_file(flags, content, key):
    """(path, source) of the TLS file ``key`` names: its flag, else its config-file key, else (when
    dockerd serves TLS) root's default; (None, None) when it uses none."""
    content = content if isinstance(content, dict) else {}
    values = flag_values(flags, key)
    if values and values[-1]:
        return str(values[-1]), "dockerd --%s" % key
    if isinstance(content.get(key), str) and content[key]:
        return content[key], "daemon.json %s" % key
    if tls_on(flags, content):
        return "%s/%s" % (ROOT_CERT_PATH, dict(TLS_FILES)[key]), "dockerd default (~/.docker of root)"
    return None, None


# --- Hosts (-H / --host / daemon.json "hosts") ----------------------------------------------------

_PORT_RE = re.compile(r"^[0-9]*$")
# net/url's host characters (shouldEscape in encodeHost mode): unreserved, sub-delims, ':', '[', ']', '<', '>', '"'
_HOST_CHARS_RE = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:\[\]<>\"%]*$")


def _record(value, source, scheme=None, address=None, port=None, error=None):
    return {"value": value, "source": source, "scheme": scheme, "address": address, "port": port, "error": error}


def _split_url_host(hostport):
    """net/url parseHost + URL.Hostname/Port: (host, port-string) or raises ValueError."""
    if hostport.startswith("["):
        end = hostport.rfind("]")
        if end < 0:
            raise ValueError("missing ']' in host")
        colon_port = hostport[end + 1:]
        if colon_port and not (colon_port.startswith(":") and _PORT_RE.match(colon_port[1:])):
            raise ValueError("invalid port %r after host" % colon_port)
        return hostport[1:end], colon_port[1:]
    colon = hostport.rfind(":")
    if colon >= 0 and not _PORT_RE.match(hostport[colon + 1:]):
        raise ValueError("invalid port %r after host" % hostport[colon:])
    if not _HOST_CHARS_RE.match(hostport):
        raise ValueError("invalid character in host name")
    if colon >= 0:
        return hostport[:colon], hostport[colon + 1:]
    return hostport, ""


def _parse_tcp(value, source, tls_default=False):
    """ParseTCPAddr(value, DefaultTCPHost): host defaults to localhost, port to 2375 (2376 with TLS
    for the 20.10-26 ParseHost default)."""
    url = value if "://" in value else "tcp://" + value
    if any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in url):
        return _record(value, source, "tcp", error="invalid bind address (%s): control character" % value)
    scheme, _sep, rest = url.partition("://")
    if scheme != "tcp":
        return _record(value, source, error="invalid bind address (%s): unsupported proto '%s'" % (value, scheme))
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    authority, slash, path = rest.partition("/")
    if slash:
        return _record(value, source, "tcp", error="invalid bind address (%s): should not contain a path element"
                       % value)
    hostport = authority.rsplit("@", 1)[-1]
    try:
        host, port = _split_url_host(hostport)
    except ValueError as exc:
        return _record(value, source, "tcp", error="invalid bind address (%s): %s" % (value, exc))
    if port:
        try:
            number = int(port)
        except ValueError:
            number = 0
        if number == 0:
            return _record(value, source, "tcp", error="invalid bind address (%s): invalid port: %s" % (value, port))
    else:
        number = DEFAULT_TLS_PORT if tls_default else DEFAULT_HTTP_PORT
    return _record(value, source, "tcp", host or DEFAULT_HTTP_HOST, number)


def parse_host(value, source="-H", tls=False):
    """One -H / hosts value -> a listener record ``{value, source, scheme, address, port, error}``.

    moby ``daemon/pkg/opts/hosts.go`` ParseDaemonHost. ``scheme`` is tcp, unix, fd or npipe;
    ``address`` the TCP host (``localhost`` when none is given), the socket path, or the fd spec;
    ``port`` an int for TCP. A value dockerd refuses (or this model cannot read) has ``error`` set
    and must be judged ``error``, never as no listener. Surrounding blanks are trimmed (20.10-26
    ParseHost trims; newer ones refuse them, so either way such a dockerd that runs read it trimmed).
    An empty value is the default host (unix:///var/run/docker.sock, or tcp://localhost:2376 with TLS).
    """
    if not isinstance(value, str):
        return _record(value, source, error="host %r is not a string" % (value,))
    host = value.strip()
    if host == "":
        if tls:
            return _record(value, source, "tcp", DEFAULT_HTTP_HOST, DEFAULT_TLS_PORT)
        return _record(value, source, "unix", DEFAULT_UNIX_SOCKET)
    proto, sep, addr = host.partition("://")
    if not sep:
        proto, addr = "tcp", host
    if proto == "tcp":
        return _parse_tcp(host, source)
    if proto in ("unix", "npipe"):
        if "://" in addr:
            return _record(value, source, proto, error="invalid bind address (%s): invalid %s address: %s"
                           % (host, proto, addr))
        return _record(value, source, proto, addr or (DEFAULT_UNIX_SOCKET if proto == "unix"
                                                      else "//./pipe/docker_engine"))
    if proto == "fd":
        return _record(value, source, "fd", addr)
    return _record(value, source, error="invalid bind address (%s): unsupported proto '%s'" % (host, proto))


def parse_listen_stream(value, source="docker.socket ListenStream"):
    """One systemd.socket(5) ``ListenStream=`` value -> a listener record (see parse_host).

    A path is a unix socket (``address`` the path), ``@name`` an abstract unix socket (scheme
    ``unix-abstract``: no file, so no permission check guards it), a port number alone or
    ``ADDR:PORT`` / ``[ADDR]:PORT`` TCP (a bare port listens on every address: ``address`` ``::``),
    ``vsock:CID:PORT`` a VM socket. Anything else is an ``error`` record naming it.
    """
    if not isinstance(value, str) or not value.strip():
        return _record(value, source, error="ListenStream %r not understood" % (value,))
    v = value.strip()
    if v.startswith("/"):
        return _record(value, source, "unix", v)
    if v.startswith("@"):
        return _record(value, source, "unix-abstract", v)
    if v.startswith("vsock:"):
        return _record(value, source, "vsock", v[len("vsock:"):])
    if v.isdigit():
        port = int(v)
        if 0 < port < 65536:
            return _record(value, source, "tcp", "::", port)
        return _record(value, source, "tcp", error="ListenStream %s: port out of range" % v)
    m = re.match(r"^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d+)$", v) or re.match(r"^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$", v)
    if m and 0 < int(m.group(2)) < 65536:
        return _record(value, source, "tcp", m.group(1), int(m.group(2)))
    return _record(value, source, error="ListenStream %s not understood (not a path, port or ADDR:PORT)" % v)


def tls_state(flags, config):
    """How the API serves TCP, as dockerd decides it: ``{tls, verify, verified, cacert, source, error}``.

    moby ``daemon/command/daemon.go`` loadDaemonCliConfig: the command line gives TLS from
    ``--tls`` and, when ``--tlsverify`` is set to any value, verify from it and TLS on; the config
    file is merged over that (mergo fills only what the file leaves unset, so a file's ``"tls":
    false`` beats an implied ``--tlsverify`` TLS); a ``tlsverify`` key in the file, whatever its
    value, turns TLS on; verify unset follows TLS. newAPIServerTLSConfig then requires and verifies
    client certificates when TLS is on and verify is not false (``verified``), against
    ``tlscacert`` (the file's when non-empty, else the flag's; None: dockerd's default
    ~/.docker/ca.pem; "" means the system's root CAs). A value dockerd refuses sets ``error``.
    """
    config = config if isinstance(config, dict) else {}
    tls = verify = None
    sources = []
    errors = []
    flag_set = {}
    for key in ("tls", "tlsverify"):
        values = flag_values(flags, key)
        if not values:
            continue
        parsed = go_bool(values[-1])
        if parsed is None:
            errors.append("--%s=%s is not a boolean dockerd accepts" % (key, values[-1]))
            continue
        flag_set[key] = parsed
        sources.append("--%s%s" % (key, "" if values[-1] == "" else "=" + str(values[-1])))
    tls = flag_set.get("tls")
    if "tlsverify" in flag_set:
        verify, tls = flag_set["tlsverify"], True
    for key in ("tls", "tlsverify"):
        if key not in config:
            continue
        value = config[key]
        if not isinstance(value, bool):
            errors.append("daemon.json %s=%r is not a JSON boolean (dockerd refuses to start with it)" % (key, value))
            continue
        if key in flag_set:
            # dockerd refuses a key set both ways: the file changed after it started, the flag is what runs.
            sources.append("daemon.json %s=%s ignored (--%s is set too)" % (key, str(value).lower(), key))
            continue
        sources.append("daemon.json %s=%s" % (key, str(value).lower()))
        if key == "tls":
            tls = value
        else:
            verify = value
    if isinstance(config.get("tlsverify"), bool) and "tlsverify" not in flag_set:
        tls = True
    if verify is None and tls is not None:
        verify = tls
    cacert = None
    if isinstance(config.get("tlscacert"), str) and config["tlscacert"]:
        cacert = config["tlscacert"]
    else:
        cacert_values = flag_values(flags, "tlscacert")
        if cacert_values:
            cacert = str(cacert_values[-1])
    verified = tls is True and verify is not False
    return {"tls": tls, "verify": verify, "verified": verified, "cacert": cacert,
            "source": ", ".join(sources) or "no tls/tlsverify setting", "error": "; ".join(errors) or None}


def listeners(flags, config, socket_streams=None, tls=None, default_host=""):
    """Every address the API is served on, as listener records (see parse_host), in dockerd's order.

    ``flags`` the parsed command line, ``config`` the daemon's config file content, ``socket_streams``
    the effective ``ListenStream=`` values of docker.socket (None: not read). Hosts come from
    -H/--host and daemon.json ``hosts`` (dockerd refuses both at once; a file that has both changed
    after dockerd started, so both are judged); none gives the default host. Each ``fd://`` host is
    followed by one record per ListenStream value (source ``docker.socket ListenStream``), or by an
    error record when they were not read: those are the sockets dockerd really serves. ``fd://N``
    keeps every stream (systemd passes them all; this does not map fd numbers). ``default_host`` is
    the daemon's own default (a rootless dockerd's is under $XDG_RUNTIME_DIR); "" is the rootful one.
    """
    config = config if isinstance(config, dict) else {}
    if tls is None:
        tls = tls_state(flags, config)["tls"] is True
    out = []
    for v in flag_values(flags, "host"):
        out.append(parse_host(v, "dockerd -H", tls))
    if "hosts" in config:
        hosts = config["hosts"]
        if isinstance(hosts, list):
            for v in hosts:
                out.append(parse_host(v, "daemon.json hosts", tls))
        else:
            out.append(_record(hosts, "daemon.json hosts",
                               error="daemon.json hosts is a JSON %s, not a list (dockerd refuses it)"
                               % type(hosts).__name__))
    # An empty value means the default host only when nothing else is given (newer dockerd drops
    # empty values; 20.10-26 turn each into the default): keep the default, it adds a socket to check.
    if not [r for r in out if not (isinstance(r["value"], str) and not r["value"].strip())]:
        out = [r for r in out if r["error"]]
        out.append(parse_host(default_host, "default (no -H or hosts)", tls))
    result = []
    for r in out:
        result.append(r)
        if r["scheme"] == "fd":
            if socket_streams is None:
                result.append(_record(r["value"], "docker.socket",
                                      error="%s: socket activation, but docker.socket's ListenStream= lines were "
                                            "not read" % r["value"]))
            elif not socket_streams:
                result.append(_record(r["value"], "docker.socket",
                                      error="%s: socket activation, but docker.socket has no ListenStream= line"
                                      % r["value"]))
            else:
                result.extend(parse_listen_stream(s) for s in socket_streams)
    return result
