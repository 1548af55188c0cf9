# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only collectors behind dockersec.hardening.docker_host_facts (schema: docs/facts.md).

Each collector takes a ``Host`` (file reads, stat, commands: injectable for tests) and returns
its section of the facts. Collectors never write anything and never copy secret values:
environment variables and labels leave the host as names only (compose/swarm identity labels
and the allow-listed ``sensitive_label_keys`` of swarm services excepted); container command
lines are not collected; image history, dockerd's command line and daemon.json go through
``redact`` (values of ENV/ARG/LABEL, build args, secret-like flags and URL credentials).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import glob
import grp
import json
import os
import pwd
import re
import socket
import stat
import threading
import time

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.dockersec.hardening.plugins.module_utils import redact
from ansible_collections.dockersec.hardening.plugins.module_utils import sshd_policy

try:
    import http.client as http_client
    from urllib.parse import quote as url_quote
except ImportError:  # Python 2: never reached by ansible-core 2.17+ targets
    import httplib as http_client
    from urllib import quote as url_quote

SCHEMA_VERSION = 1

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
COMPOSE_LABELS = ("com.docker.compose.project", "com.docker.compose.service", "com.docker.swarm.service.name")
SHELLS = ("/bin/sh", "/bin/bash", "/usr/bin/bash", "/usr/bin/sh")
TOOLS = {
    "trivy": ("trivy",), "grype": ("grype",), "docker_scout": ("docker-scout",), "cosign": ("cosign",),
    "notary": ("notary",), "falco": ("falco",),
}
BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
            "/usr/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/local/lib/docker/cli-plugins")


class CollectorError(Exception):
    """A collector could not read what it needs; the message is for a person."""


class Host(object):
    """Read-only access to the host; tests replace the methods with fakes."""

    def __init__(self, run_command=None, root="/"):
        self._run = run_command
        self.root = root

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/")) if self.root != "/" else p

    def read(self, p):
        with open(self.path(p), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def exists(self, p):
        return os.path.lexists(self.path(p))

    def listdir(self, p):
        try:
            return sorted(os.listdir(self.path(p)))
        except OSError:
            return []

    def glob(self, pattern):
        return sorted(glob.glob(self.path(pattern)))

    def lstat(self, p):
        return os.lstat(self.path(p))

    def readlink(self, p):
        return os.readlink(self.path(p))

    def denied(self, p):
        """Why ``p`` (a file or directory) cannot be read for lack of permission, else None."""
        try:
            if os.path.isdir(self.path(p)):
                os.listdir(self.path(p))
            else:
                with open(self.path(p), "rb"):
                    pass
        except (IOError, OSError) as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                return "%s: %s" % (p, exc.strerror)
        return None

    def which(self, name):
        for d in BIN_DIRS:
            candidate = os.path.join(d, name)
            if os.access(self.path(candidate), os.X_OK) and not os.path.isdir(self.path(candidate)):
                return candidate
        return None

    def run(self, argv, timeout=20):
        """(rc, stdout, stderr); rc None when the binary is missing."""
        if self._run is None:
            raise CollectorError("no command runner")
        return self._run(argv, timeout)


def timed(name, func, facts, *args):
    """Run one collector; a failure is recorded, never raised."""
    start = time.time()
    state = {"ok": True, "error": None, "source": None, "seconds": 0.0}
    try:
        section, source = func(*args)
        state["source"] = source
        if section is not None:
            facts[name] = section
    except CollectorError as exc:
        state.update(ok=False, error=str(exc))
    except Exception as exc:  # a collector bug must not abort the gather of the others
        state.update(ok=False, error="%s: %s" % (type(exc).__name__, exc))
    state["seconds"] = round(time.time() - start, 3)
    facts.setdefault("collectors", {})[name] = state
    return state


# ----------------------------------------------------------------------------- host

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


# ----------------------------------------------------------------------------- services

def _stat_fields(text):
    """(ppid, tty_nr) from /proc/PID/stat; the command name may hold spaces and parentheses."""
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[1]), int(rest[4])


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
    names, daemons = set(), set()
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
            ppid, tty = _stat_fields(h.read(proc + "/stat"))
        except (IOError, OSError, ValueError, IndexError):
            continue
        if ppid != 1 or tty != 0:
            continue
        ns = _pid_ns(h, proc.rsplit("/", 1)[-1])
        if host_ns and ns and ns != host_ns:
            continue
        daemons.add(name)
    return sorted(names), sorted(daemons)


def collect_services(h):
    processes, daemons = _process_names(h)
    systemd_running = h.exists("/run/systemd/system")
    if systemd_running and h.which("systemctl"):
        rc, out, err = h.run(["systemctl", "list-units", "--type=service", "--state=running", "--no-legend",
                              "--plain", "--no-pager"])
        if rc == 0:
            running = sorted(line.split()[0] for line in out.splitlines() if line.strip())
            return ({"source": "systemd", "running": running, "processes": processes, "daemons": daemons},
                    "systemctl list-units")
    return ({"source": "ps", "running": daemons, "processes": processes, "daemons": daemons},
            "/proc/*/{comm,stat} (no systemd: daemons adopted by init)")


# ----------------------------------------------------------------------------- sshd

def collect_sshd(h):
    binary = h.which("sshd")
    files = [p for p in ["/etc/ssh/sshd_config"] + h.glob("/etc/ssh/sshd_config.d/*.conf") if h.exists(p)]
    if not binary:
        return {"binary": None, "effective": None, "config_files": files}, "no sshd binary"
    rc, out, err = h.run([binary, "-T"])
    if rc != 0:
        msg = (err or out).strip().splitlines()
        raise CollectorError("%s -T failed (rc %s): %s" % (binary, rc, msg[-1] if msg else "no output"))
    effective = sshd_policy.parse_effective(out)
    return {"binary": binary, "effective": effective, "config_files": files}, "%s -T" % binary


# ----------------------------------------------------------------------------- audit

def _rule_lines(text):
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def collect_audit(h):
    auditctl = h.which("auditctl")
    live, live_error, enabled = None, None, None
    if auditctl:
        rc, out, err = h.run([auditctl, "-l"])
        if rc == 0:
            live = [] if "No rules" in out else _rule_lines(out)
        else:
            live_error = "auditctl -l: %s" % ((err or out).strip() or "rc %s" % rc)
        rc, out, err = h.run([auditctl, "-s"])
        m = re.search(r"^enabled\s+(\d)", out or "", re.MULTILINE)
        if rc == 0 and m:
            enabled = int(m.group(1))
    else:
        live_error = "auditctl not installed"
    file_rules = {}
    unreadable = []
    for p in h.glob("/etc/audit/rules.d/*.rules") + ["/etc/audit/audit.rules"]:
        if not h.exists(p):
            continue
        try:
            file_rules[p] = _rule_lines(h.read(p))
        except (IOError, OSError) as exc:
            file_rules[p] = []
            unreadable.append("%s: %s" % (p, exc.strerror))
            live_error = (live_error or "") + "; %s unreadable: %s" % (p, exc.strerror)
    if live is None:
        # Without the live rules, the files are the only source; a non-root gather cannot list
        # /etc/audit (mode 0750) and would otherwise report "no rules" as a verdict.
        unreadable += [d for d in (h.denied("/etc/audit/rules.d"), h.denied("/etc/audit")) if d][:1]
        if unreadable:
            raise CollectorError("%s, and the rules files are not readable (%s): run with become (root)"
                                 % (live_error.split(";")[0], "; ".join(unreadable)))
    source = "auditctl -l" if live is not None else "/etc/audit/rules.d"
    return {"auditctl": auditctl, "live_rules": live, "live_error": live_error, "enabled_flag": enabled,
            "file_rules": file_rules}, source


# ----------------------------------------------------------------------------- iptables

def collect_iptables(h):
    binary = h.which("iptables")
    if not binary:
        raise CollectorError("iptables not installed")
    rc, out, err = h.run([binary, "-w", "5", "-S", "DOCKER-USER"])
    chain, chain_error = None, None
    if rc == 0:
        chain = _rule_lines(out)
    else:
        chain_error = (err or out).strip() or "rc %s" % rc
    rc, out, err = h.run([binary, "-w", "5", "-S", "FORWARD"])
    m = re.search(r"^-P FORWARD (\w+)", out or "", re.MULTILINE)
    if rc != 0 and chain is None and "ermission" in (err or ""):
        raise CollectorError("iptables: permission denied (run with become)")
    return {"binary": binary, "docker_user": chain, "docker_user_error": chain_error,
            "forward_policy": m.group(1) if m else None}, "%s -S DOCKER-USER" % binary


# ----------------------------------------------------------------------------- mounts

def _unescape(path):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def collect_mounts(h):
    entries = []
    try:
        text = h.read("/proc/self/mountinfo")
    except (IOError, OSError) as exc:
        raise CollectorError("/proc/self/mountinfo unreadable: %s" % exc)
    for line in text.splitlines():
        left, _sep, right = line.partition(" - ")
        lp, rp = left.split(), right.split()
        if len(lp) < 6 or len(rp) < 2:
            continue
        entries.append({"target": _unescape(lp[4]), "source": _unescape(rp[1]), "fstype": rp[0], "options": lp[5]})
    crypt, lsblk_error = [], None
    if h.which("lsblk"):
        rc, out, err = h.run(["lsblk", "-J", "-s", "-o", "NAME,TYPE,PATH"])
        if rc == 0:
            try:
                crypt = sorted(_crypt_devices(json.loads(out).get("blockdevices") or []))
            except ValueError as exc:
                lsblk_error = "lsblk output not JSON: %s" % exc
        else:
            lsblk_error = (err or out).strip() or "lsblk rc %s" % rc
    else:
        lsblk_error = "lsblk not installed"
    return {"entries": entries, "crypt_devices": crypt, "lsblk_error": lsblk_error}, "/proc/self/mountinfo, lsblk"


def _crypt_devices(devices, below_crypt=False):
    """Devices with a crypt layer anywhere beneath them (lsblk -s lists children as what they sit on)."""
    found = set()
    for d in devices:
        children = d.get("children") or []
        has_crypt = d.get("type") == "crypt" or _has_crypt(children)
        if has_crypt and d.get("path"):
            found.add(d["path"])
        found.update(_crypt_devices(children))
    return found


def _has_crypt(devices):
    return any(d.get("type") == "crypt" or _has_crypt(d.get("children") or []) for d in devices)


# ----------------------------------------------------------------------------- files

def _stat_entry(h, path):
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
    return {"exists": True, "mode": "%04o" % stat.S_IMODE(st.st_mode), "owner": owner, "group": group,
            "type": kind}


def collect_files(h, extra_paths=()):
    return dict((p, _stat_entry(h, p)) for p in tuple(DOCKER_PATHS) + tuple(extra_paths)), "lstat"


# ----------------------------------------------------------------------------- daemon.json

def collect_daemon_config(h, path):
    out = {"path": path, "exists": False, "valid": None, "error": None, "content": None, "symlink_target": None}
    if not h.exists(path):
        return out, path
    out["exists"] = True
    try:
        if stat.S_ISLNK(h.lstat(path).st_mode):
            out["symlink_target"] = h.readlink(path)
        text = h.read(path)
    except (IOError, OSError) as exc:
        out["valid"] = False
        raise_msg = "%s unreadable: %s" % (path, exc.strerror or exc)
        out["error"] = raise_msg
        raise CollectorError(raise_msg)
    if not text.strip():
        out.update(valid=True, content={})
        return out, path
    try:
        content = json.loads(text)
    except ValueError as exc:
        out.update(valid=False, error="%s is not JSON: %s" % (path, exc))
        raise CollectorError(out["error"])
    if not isinstance(content, dict):
        out.update(valid=False, error="%s holds a JSON %s, not an object" % (path, type(content).__name__))
        raise CollectorError(out["error"])
    out.update(valid=True, content=redact.redact_config(content))
    return out, path


# ----------------------------------------------------------------------------- dockerd process

def parse_flags(argv):
    """dockerd argv -> {flag: [values]}; ``--flag=value``, ``--flag value``, ``-H value``, bare booleans."""
    flags = {}
    args = list(argv[1:])
    i = 0
    while i < len(args):
        a = args[i]
        if not a.startswith("-"):
            i += 1
            continue
        if "=" in a:
            name, value = a.split("=", 1)
        elif i + 1 < len(args) and not args[i + 1].startswith("-"):
            name, value = a, args[i + 1]
            i += 1
        else:
            name, value = a, ""
        flags.setdefault(name, []).append(value)
        i += 1
    return flags


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


def collect_dockerd_process(h):
    pid = None
    for p in h.glob("/proc/[0-9]*/comm"):
        try:
            if h.read(p).strip() == "dockerd":
                pid = int(p.split("/")[-2])
                break
        except (IOError, OSError, ValueError):
            continue
    out = {"running": pid is not None, "pid": pid, "cmdline": None, "flags": {}, "unit_exec_start": None,
           "limits": {"nofile_soft": None, "nofile_hard": None, "nproc_soft": None, "nproc_hard": None}}
    if pid is not None:
        try:
            # dockerd's flags can carry credentials (e.g. a registry mirror URL with user:password).
            argv = redact.redact_argv([a for a in h.read("/proc/%d/cmdline" % pid).split("\0") if a])
            out["cmdline"] = argv
            out["flags"] = parse_flags(argv)
            out["limits"] = _limits(h.read("/proc/%d/limits" % pid))
        except (IOError, OSError):
            pass
    for unit in ("/etc/systemd/system/docker.service", "/lib/systemd/system/docker.service",
                 "/usr/lib/systemd/system/docker.service"):
        if h.exists(unit):
            try:
                m = re.search(r"^ExecStart=(\S.*)$", h.read(unit), re.MULTILINE)
            except (IOError, OSError):
                m = None
            if m:
                out["unit_exec_start"] = redact.redact_text(m.group(1).strip())
                break
    return out, "/proc/<dockerd>/cmdline" if pid else "no dockerd process"


# ----------------------------------------------------------------------------- environment, tools, state

def collect_environment(h):
    found = []
    for p in ["/etc/environment"] + h.glob("/etc/profile.d/*.sh"):
        if not h.exists(p):
            continue
        try:
            text = h.read(p)
        except (IOError, OSError):
            continue
        for m in re.finditer(r"^\s*(?:export\s+)?DOCKER_CONTENT_TRUST=(\S*)", text, re.MULTILINE):
            found.append({"file": p, "value": m.group(1).strip("'\"")})
    return {"docker_content_trust": found}, "/etc/environment, /etc/profile.d"


def collect_tools(h):
    out = dict((name, next((h.which(b) for b in bins if h.which(b)), None)) for name, bins in TOOLS.items())
    logs = h.glob("/var/log/docker-bench-security*.log") + h.glob("/usr/local/bin/log/docker-bench-security.log*")
    newest, mtime = None, None
    for p in logs:
        try:
            m = h.lstat(p).st_mtime
        except OSError:
            continue
        if mtime is None or m > mtime:
            newest, mtime = p, m
    out["docker_bench_log"] = newest
    out["docker_bench_log_mtime"] = (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime)) if mtime else None)
    return out, "PATH and well-known directories"


def read_state(h, path):
    if not h.exists(path):
        return {"join_token_rotated_at": None}
    try:
        data = json.loads(h.read(path))
    except (IOError, OSError, ValueError):
        return {"join_token_rotated_at": None, "error": "%s unreadable or not JSON" % path}
    if not isinstance(data, dict):
        return {"join_token_rotated_at": None, "error": "%s is not a JSON object" % path}
    data.setdefault("join_token_rotated_at", None)
    return data


# ----------------------------------------------------------------------------- docker engine

def _names(env):
    return sorted(set(str(e).split("=", 1)[0] for e in (env or []) if e))


def normalize_container(ins):
    cfg = ins.get("Config") or {}
    hc = ins.get("HostConfig") or {}
    ns = ins.get("NetworkSettings") or {}
    labels = cfg.get("Labels") or {}
    ports = []
    for cport, bindings in sorted((ns.get("Ports") or {}).items()):
        for b in bindings or []:
            ports.append({"container_port": cport, "host_ip": b.get("HostIp") or "", "host_port": b.get("HostPort") or ""})
    mounts = [{"type": m.get("Type"), "source": m.get("Source"), "destination": m.get("Destination"),
               "rw": bool(m.get("RW"))} for m in ins.get("Mounts") or []]
    restart = hc.get("RestartPolicy") or {}
    state = ins.get("State") or {}
    return {
        "id": ins.get("Id"),
        "name": (ins.get("Name") or "").lstrip("/"),
        "image": cfg.get("Image"),
        "image_id": ins.get("Image"),
        "state": state.get("Status"),
        "compose_project": labels.get("com.docker.compose.project"),
        "compose_service": labels.get("com.docker.compose.service"),
        "swarm_service": labels.get("com.docker.swarm.service.name"),
        "user": cfg.get("User") or "",
        "env_names": _names(cfg.get("Env")),
        "label_names": sorted(labels),
        "privileged": bool(hc.get("Privileged")),
        "cap_add": list(hc.get("CapAdd") or []),
        "cap_drop": list(hc.get("CapDrop") or []),
        "readonly_rootfs": bool(hc.get("ReadonlyRootfs")),
        "memory": hc.get("Memory") or 0,
        "nano_cpus": hc.get("NanoCpus") or 0,
        "cpu_quota": hc.get("CpuQuota") or 0,
        "cpu_shares": hc.get("CpuShares") or 0,
        "pids_limit": hc.get("PidsLimit"),
        "security_opt": list(hc.get("SecurityOpt") or []),
        "network_mode": hc.get("NetworkMode") or "",
        "networks": sorted((ns.get("Networks") or {}).keys()),
        "links": list(hc.get("Links") or []),
        "ports": ports,
        "mounts": mounts,
        "tmpfs": sorted((hc.get("Tmpfs") or {}).keys()) + [m["destination"] for m in mounts if m["type"] == "tmpfs"],
        "pid_mode": hc.get("PidMode") or "",
        "ipc_mode": hc.get("IpcMode") or "",
        "uts_mode": hc.get("UTSMode") or "",
        "userns_mode": hc.get("UsernsMode") or "",
        "init": hc.get("Init"),
        "restart_policy": {"name": restart.get("Name") or "", "max_retry": restart.get("MaximumRetryCount") or 0},
        "apparmor_profile": ins.get("AppArmorProfile") or "",
        "healthcheck": bool((cfg.get("Healthcheck") or {}).get("Test")),
        "started_at": state.get("StartedAt"),
    }


def normalize_image(ins, history):
    cfg = ins.get("Config") or {}
    return {
        "repo_tags": list(ins.get("RepoTags") or []),
        "repo_digests": list(ins.get("RepoDigests") or []),
        "size": ins.get("Size"),
        "os": ins.get("Os"),
        "env_names": _names(cfg.get("Env")),
        "history": [redact.redact_history(h.get("CreatedBy")) for h in history or []],
        "user": cfg.get("User") or "",
        "healthcheck": bool((cfg.get("Healthcheck") or {}).get("Test")),
        "labels_names": sorted((cfg.get("Labels") or {}).keys()),
        "has_shell": None,
    }


INFO_KEYS = ("ServerVersion", "Driver", "DockerRootDir", "SecurityOptions", "LoggingDriver", "CgroupVersion",
             "LiveRestoreEnabled", "Containers", "ContainersRunning", "Images", "OperatingSystem", "KernelVersion")


def _swarm_info(info):
    sw = info.get("Swarm") or {}
    cluster = sw.get("Cluster")
    return {"LocalNodeState": sw.get("LocalNodeState"), "NodeID": sw.get("NodeID"),
            "ControlAvailable": bool(sw.get("ControlAvailable")), "Managers": sw.get("Managers"),
            "Nodes": sw.get("Nodes"),
            "Cluster": {"Spec": {"CAConfig": ((cluster or {}).get("Spec") or {}).get("CAConfig")}} if cluster else None}


def _swarm(client, info, sensitive_label_keys):
    sw = info.get("Swarm") or {}
    if sw.get("LocalNodeState") != "active":
        return None
    is_manager = bool(sw.get("ControlAvailable"))
    spec = ((sw.get("Cluster") or {}).get("Spec") or {})
    expiry = (spec.get("CAConfig") or {}).get("NodeCertExpiry")
    out = {"node_id": sw.get("NodeID"), "is_manager": is_manager, "managers": sw.get("Managers"),
           "nodes": sw.get("Nodes"), "cert_expiry_seconds": int(expiry / 1e9) if expiry else None,
           "autolock": ((spec.get("EncryptionConfig") or {}).get("AutoLockManagers")) if is_manager else None,
           "cluster_id": (sw.get("Cluster") or {}).get("ID"), "is_leader": None, "node_list": None,
           "secrets": None, "services": None}
    if is_manager:
        # Only managers answer /nodes: roles, reachability and the leader (the swarm role runs
        # once per cluster, on the leader).
        nodes = []
        for n in client.nodes() or []:
            ms = n.get("ManagerStatus") or {}
            nodes.append({"id": n.get("ID"), "hostname": (n.get("Description") or {}).get("Hostname"),
                          "role": (n.get("Spec") or {}).get("Role"),
                          "availability": (n.get("Spec") or {}).get("Availability"),
                          "state": (n.get("Status") or {}).get("State"),
                          "reachability": ms.get("Reachability"), "leader": bool(ms.get("Leader"))})
        out["node_list"] = nodes
        out["is_leader"] = any(n["leader"] and n["id"] == sw.get("NodeID") for n in nodes)
        out["secrets"] = [{"name": (s.get("Spec") or {}).get("Name"), "created_at": s.get("CreatedAt"),
                           "updated_at": s.get("UpdatedAt")} for s in client.secrets() or []]
        services = []
        for s in client.services() or []:
            sp = s.get("Spec") or {}
            task = sp.get("TaskTemplate") or {}
            cspec = task.get("ContainerSpec") or {}
            labels = dict(sp.get("Labels") or {})
            labels.update(cspec.get("Labels") or {})
            services.append({
                "name": sp.get("Name"),
                "label_names": sorted(labels),
                "labels": dict((k, v) for k, v in labels.items() if k in sensitive_label_keys),
                "constraints": list((task.get("Placement") or {}).get("Constraints") or []),
                "secrets": [x.get("SecretName") for x in cspec.get("Secrets") or []],
                "env_names": _names(cspec.get("Env")),
            })
        out["services"] = services
    return out


class EngineAPIError(Exception):
    """A non-200 answer of the Engine API (the message carries the status, e.g. ``404``)."""


class _UnixHTTPConnection(http_client.HTTPConnection):
    def __init__(self, socket_path, timeout):
        http_client.HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class EngineClient(object):
    """The Engine API over its unix socket with the standard library only, one keep-alive connection per thread.

    This is the gather's one Docker client: a stock Docker host has no Python docker SDK
    (``python3-docker``), and the SDK is slower anyway: its unix adapter keys connection pools by
    URL, so every inspect opens a new connection, and requests adds about 2 ms of CPU per call
    under the GIL (500 inspects: 1.5 s on 2 cores with 8 threads, here 0.3 s). The method names
    and return values are those of the SDK's ``APIClient``, so ``collect_docker`` takes either.
    """

    def __init__(self, socket_path, timeout, api_version=None):
        self.socket_path = socket_path if socket_path.startswith("/") else "/" + socket_path
        self.timeout = timeout
        self._local = threading.local()
        if api_version is None:
            # Negotiate as the SDK's version="auto" does: the server's own API version, so that
            # answers have the shape that engine documents.
            api_version = self._request("/version").get("ApiVersion")
        self.api_version = api_version
        self.prefix = "/v%s" % api_version if api_version else ""

    def _request(self, path):
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = _UnixHTTPConnection(self.socket_path, self.timeout)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                break
            except (http_client.BadStatusLine, http_client.CannotSendRequest, http_client.ResponseNotReady,
                    IOError, OSError) as exc:
                conn.close()
                self._local.conn = None
                # A kept-alive connection the engine closed in between: one retry on a fresh one.
                # Not for a socket that is missing or refused: that answer will not change.
                if attempt == 2 or isinstance(exc, (socket.timeout, FileNotFoundError, PermissionError,
                                                    ConnectionRefusedError)):
                    raise
        if resp.status != 200:
            raise EngineAPIError("%d Client Error for GET %s: %s" % (
                resp.status, path, body[:300].decode("utf-8", "replace").strip()))
        return json.loads(body.decode("utf-8"))

    def get(self, path):
        return self._request(self.prefix + path)

    def info(self):
        return self.get("/info")

    def version(self):
        return self.get("/version")

    def containers(self, all=False):  # pylint: disable=redefined-builtin  # the SDK's keyword
        return self.get("/containers/json?all=%d" % (1 if all else 0))

    def inspect_container(self, cid):
        return self.get("/containers/%s/json" % url_quote(cid, safe=""))

    def inspect_image(self, iid):
        return self.get("/images/%s/json" % url_quote(iid, safe=""))

    def history(self, iid):
        return self.get("/images/%s/history" % url_quote(iid, safe=""))

    def networks(self):
        return self.get("/networks")

    def volumes(self):
        return self.get("/volumes")

    def nodes(self):
        return self.get("/nodes")

    def secrets(self):
        return self.get("/secrets")

    def services(self):
        return self.get("/services")


SDK_SCHEMES = ("tcp://", "ssh://", "http://", "https://")


def engine_client(endpoint, timeout, sdk=None, sdk_error=None):
    """The client for ``endpoint``: ``EngineClient`` for ``unix://``; the docker SDK for remote endpoints.

    ``sdk`` is the imported ``docker`` package or None. Only ``tcp://`` (with or without TLS) and
    ``ssh://`` need it: TLS client certificates and SSH tunnelling are what the SDK adds.
    """
    if not isinstance(endpoint, str) or not endpoint:
        raise CollectorError("no Docker endpoint given")
    if endpoint.startswith("unix://"):
        return EngineClient(endpoint[len("unix://"):], timeout)
    if endpoint.startswith("/"):
        return EngineClient(endpoint, timeout)
    if not endpoint.startswith(SDK_SCHEMES):
        raise CollectorError("unsupported Docker endpoint %r: use unix:///path/to/docker.sock, tcp://HOST:PORT "
                             "or ssh://USER@HOST" % endpoint)
    if sdk is None:
        raise CollectorError(
            "the Docker endpoint %s needs the Python docker SDK on the target (%s): install the package "
            "python3-docker (apt, dnf) or run `pip install docker` there; a unix:// socket needs nothing"
            % (endpoint, sdk_error or "not installed"))
    kwargs = {}
    if endpoint.startswith(("tcp://", "https://")) and os.environ.get("DOCKER_TLS_VERIFY"):
        # DOCKER_TLS_VERIFY/DOCKER_CERT_PATH on the target, as the docker CLI reads them.
        kwargs = dict((k, v) for k, v in sdk.utils.kwargs_from_env().items() if k == "tls")
    return sdk.APIClient(base_url=endpoint, version="auto", timeout=timeout, **kwargs)


def collect_docker(client_factory, workers, sensitive_label_keys, state):
    """Everything the Engine API tells, in one pass: list once, inspect concurrently."""
    client = client_factory()
    info = client.info()
    version = client.version()
    summaries = client.containers(all=True)
    ids = [c["Id"] for c in summaries]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        inspected = [i for i in pool.map(lambda cid: _inspect_or_none(client.inspect_container, cid), ids) if i]
        containers = [normalize_container(i) for i in inspected]
        image_ids = sorted(set(c["image_id"] for c in containers if c["image_id"]))

        def image(iid):
            ins = _inspect_or_none(client.inspect_image, iid)
            if ins is None:
                return iid, None
            hist = _inspect_or_none(client.history, iid) or []
            return iid, normalize_image(ins, hist)
        images = dict((iid, img) for iid, img in pool.map(image, image_ids) if img is not None)
    networks = []
    bridge = None
    for n in client.networks() or []:
        opts = redact.redact_config(n.get("Options") or {})
        members = [((n.get("Containers") or {}).get(k) or {}).get("Name") for k in (n.get("Containers") or {})]
        entry = {"name": n.get("Name"), "id": n.get("Id"), "driver": n.get("Driver"), "scope": n.get("Scope"),
                 "internal": bool(n.get("Internal")), "attachable": bool(n.get("Attachable")), "options": opts,
                 "containers": sorted(m for m in members if m), "encrypted": "encrypted" in opts}
        networks.append(entry)
        if n.get("Name") == "bridge":
            bridge = {"Options": opts}
    if networks and not any(n["containers"] for n in networks) and containers:
        # The list call leaves Containers empty on some engines: derive membership from containers.
        for n in networks:
            n["containers"] = sorted(c["name"] for c in containers if n["name"] in c["networks"])
    volumes = (client.volumes() or {}).get("Volumes") or []
    out_info = dict((k, info.get(k)) for k in INFO_KEYS)
    out_info["Swarm"] = _swarm_info(info)
    return {
        "reachable": True,
        "api_version": version.get("ApiVersion"),
        "info": out_info,
        "bridge_network": bridge,
        "containers": containers,
        "images": images,
        "networks": networks,
        "volumes_count": len(volumes),
        "swarm": _swarm(client, info, sensitive_label_keys),
        "local_state": state,
    }


def _inspect_or_none(func, ident):
    try:
        return func(ident)
    except Exception as exc:  # removed between list and inspect: skip it
        if "404" in str(exc) or "No such" in str(exc):
            return None
        raise
