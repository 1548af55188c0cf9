# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 1, Host Configuration: items 1-5."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import versions
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, NA, PASS, as_dict, as_list, docker, is_rootless, limited, names, result, rootless_text, opt, text
)


# Item 5 as the checklist prints it (seed 004), each entry with the spellings of the same file
# on hosts that install it elsewhere (docker.service in /lib on Debian's docker.io): the first
# spelling that exists is required.
CHECKLIST_AUDIT_PATHS = (
    ("/usr/bin/docker",), ("/var/lib/docker",), ("/etc/docker",),
    ("/usr/lib/systemd/system/docker.service", "/lib/systemd/system/docker.service"),
    ("/etc/docker/daemon.json",), ("/etc/default/docker",),
)


# The engine's own binaries: a replaced dockerd, containerd or runc is what auditing is for, so
# they lead the advice; the checklist does not print them, and a host that follows it to the letter
# must pass, so they are required only with audit_require_cis_paths.
ENGINE_BINARIES = (
    ("/usr/bin/dockerd", "/usr/sbin/dockerd"), ("/usr/bin/containerd", "/usr/sbin/containerd"),
    ("/usr/bin/runc", "/usr/sbin/runc"),
)


# Paths CIS 1.1.3-1.1.18 want audited, where they exist on the host.
AUDIT_PATHS = (
    "/usr/bin/docker", "/usr/bin/dockerd", "/var/lib/docker", "/etc/docker", "/etc/docker/daemon.json",
    "/etc/default/docker", "/etc/sysconfig/docker", "/lib/systemd/system/docker.service",
    "/usr/lib/systemd/system/docker.service", "/etc/systemd/system/docker.service",
    "/lib/systemd/system/docker.socket", "/usr/lib/systemd/system/docker.socket",
    "/etc/systemd/system/docker.socket", "/usr/bin/containerd", "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1", "/usr/bin/containerd-shim-runc-v2", "/usr/bin/runc",
    "/etc/containerd", "/etc/containerd/config.toml", "/run/containerd", "/usr/sbin/runc",
)


_TRANSIENT_PROCESS = re.compile(
    r"^(sh|bash|dash|zsh|sleep|ps|grep|python3?(\.\d+)?|ansible.*|sudo|su|docker-init|tini|init|systemd.*)$")


# A rootless dockerd runs under rootlesskit, with a user-mode network helper beside it
# (contrib/dockerd-rootless.sh: rootlesskit --net=slirp4netns|pasta|vpnkit|gvisor-tap-vsock): on a
# host with one, they are the Docker engine's own processes, as dockerd and containerd are.
ROOTLESS_ENGINE_PROCESSES = ("rootlesskit*", "slirp4netns*", "pasta*", "passt*", "vpnkit*")


def _has_rootless_daemon(facts):
    """Whether the judged daemon, or any daemon the gather found on the host, is rootless."""
    return is_rootless(facts) or any(as_dict(d).get("rootless") is True for d in as_list(facts.get("daemons")))


def check_1(facts, opts):
    """Running services against the allow-list; where a rootless dockerd runs, its rootlesskit and network
    helper count as Docker's (ROOTLESS_ENGINE_PROCESSES)."""
    facts = as_dict(facts)
    services = as_dict(facts.get("services"))
    source = services.get("source") or "unknown"
    names = [str(n) for n in as_list(services.get("running"))]
    if source == "ps" and not names and "daemons" not in services:
        # Facts from before the collector told daemons apart: judge every process.
        names = [str(n) for n in as_list(services.get("processes"))]
    if not names:
        return result(ERROR, "no running services could be listed (source: %s)" % source)
    patterns = [str(p) for p in as_list(opt(opts, "allowed_services"))]
    if _has_rootless_daemon(facts):
        patterns.extend(ROOTLESS_ENGINE_PROCESSES)
    extra = sorted(n for n in names
                   if not any(fnmatch.fnmatch(n, p) or fnmatch.fnmatch(n, p + ".service") for p in patterns))
    if source == "ps":
        # Without systemd every process shows, including shells and this audit's own: judge daemons only.
        extra = [n for n in extra if not _TRANSIENT_PROCESS.match(n)]
    if extra:
        evidence = ["%d %s outside the allow-list (source: %s): %s%s" % (
            len(extra), "service" if len(extra) == 1 else "services", source, ", ".join(extra[:25]), " ..." if len(extra) > 25 else "")]
        if source == "ps":
            evidence.append("without systemd, daemons are the processes init adopted (parent PID 1, no terminal, "
                            "host PID namespace); add legitimate ones to dockersec_options.allowed_services")
        return result(FAIL, evidence)
    return result(PASS, "%d running services, all allow-listed (source: %s)" % (len(names), source))


def check_2(facts, opts):
    host = as_dict(facts.get("host"))
    running = host.get("kernel_running")
    newest = host.get("kernel_newest_installed")
    problems, good = [], []
    if not running:
        return result(ERROR, "running kernel unknown")
    if newest and str(newest) != str(running):
        if versions.sort_key(newest) > versions.sort_key(running):
            problems.append("running kernel %s, newer %s installed: reboot into it" % (running, newest))
        else:
            good.append("running kernel %s is newer than every installed kernel package (newest %s)"
                        % (running, newest))
    elif not newest:
        good.append("no installed kernel packages found beside the running %s" % running)
    else:
        good.append("running the newest installed kernel %s" % running)
    if host.get("reboot_required"):
        problems.append("a reboot is pending (/var/run/reboot-required)")
    build, package = host.get("kernel_build"), host.get("kernel_package_version")
    if isinstance(build, str) and isinstance(package, str) and build and package and build != package:
        # Debian updates a kernel under the same release name: the newest-installed comparison
        # cannot see it; uname -v names the running build.
        problems.append("running kernel %s is build %s, its package was updated to %s: reboot into it"
                        % (running, text(build, 40), text(package, 40)))
    auto = as_dict(host.get("auto_updates"))
    if "timers" not in auto:
        return result(ERROR, ["automatic updates: the facts do not say whether their timer runs (gathered by an "
                              "older collector): gather again"] + problems + good)
    on, off = _auto_update_state(facts, auto)
    if on:
        good.append(on)
    else:
        problems.append("automatic security updates are not enabled: %s" % off)
    problems.extend("apt configuration: %s" % p for p in names(auto.get("apt_config_problems")))
    return result(FAIL, problems + good) if problems else result(PASS, good)


_UNIT_OK = ("enabled", "enabled-runtime", "static", "generated")


def _timer_text(name, state):
    state = as_dict(state)
    if not state or state.get("load") == "not-found":
        return "%s not installed" % name
    if state.get("load") == "masked" or str(state.get("unit_file")).startswith("masked"):
        return "%s is masked" % name
    if state.get("unit_file") not in _UNIT_OK:
        return "%s is %s" % (name, state.get("unit_file") or "not enabled")
    if state.get("active") != "active":
        return "%s is %s" % (name, state.get("active") or "not active")
    return None


def _auto_update_state(facts, auto):
    """(what installs updates, else None; why nothing does).

    unattended-upgrades runs from apt.systemd.daily, which apt-daily-upgrade.timer starts (without
    systemd: /etc/cron.daily/apt-compat under cron); it installs only when apt's configuration
    (apt.conf(5), read as apt-pkg's ReadConfigFile does) sets APT::Periodic::Unattended-Upgrade to
    a non-zero interval and APT::Periodic::Enable is not 0. dnf-automatic installs from
    dnf-automatic-install.timer, or dnf-automatic.timer with apply_updates = yes (dnf-automatic(8));
    the -download and -notifyonly timers install nothing.
    """
    timers = auto.get("timers")
    periodic = as_dict(auto.get("apt_periodic"))
    uu = periodic.get("apt::periodic::unattended-upgrade")
    why = []
    if auto.get("dnf_automatic_enabled"):
        return "automatic updates enabled (dnf-automatic installs them)", None
    if not auto.get("unattended_upgrades_installed"):
        why.append("unattended-upgrades not installed")
    elif not auto.get("unattended_upgrades_enabled"):
        why.append("apt's configuration sets APT::Periodic::Unattended-Upgrade %s%s (apt.conf.d read as apt reads it)"
                   % ('"%s"' % text(uu, 20) if uu is not None else "nowhere",
                      ", APT::Periodic::Enable 0" if str(periodic.get("apt::periodic::enable")).strip() == "0" else ""))
    else:
        if isinstance(timers, dict):
            broken = _timer_text("apt-daily-upgrade.timer", timers.get("apt-daily-upgrade.timer"))
            if broken is None:
                return ('automatic updates enabled (unattended-upgrades: APT::Periodic::Unattended-Upgrade "%s", '
                        "apt-daily-upgrade.timer enabled and active)" % text(uu, 20)), None
            why.append("unattended-upgrades is configured but %s: it never runs" % broken)
        else:
            processes = names(as_dict(as_dict(facts).get("services")).get("processes"))
            cron = [p for p in processes if p in ("cron", "crond", "anacron", "busybox-crond")]
            if auto.get("apt_compat_cron") and cron:
                return ("automatic updates enabled (unattended-upgrades from /etc/cron.daily/apt-compat, %s running; "
                        "no systemd)" % cron[0]), None
            why.append("no systemd, and %s: unattended-upgrades never runs" % (
                "no cron daemon runs" if auto.get("apt_compat_cron") else "/etc/cron.daily/apt-compat is missing"))
    if isinstance(timers, dict):
        dnf = [t for t in ("dnf-automatic-install.timer", "dnf-automatic.timer")
               if _timer_text(t, timers.get(t)) is None]
        if "dnf-automatic.timer" in dnf and auto.get("dnf_apply_updates") is not True:
            why.append("dnf-automatic.timer runs without apply_updates = yes in /etc/dnf/automatic.conf: it installs "
                       "nothing")
    return None, "; ".join(why)


def _match_name(block):
    name = "Match %s (%s:%s)" % (text(block.get("criteria"), 60), block.get("file"), block.get("line"))
    return "%s inside %s" % (name, text(block["within"], 120)) if block.get("within") else name


_PAM_KEYS = ("kbdinteractiveauthentication", "challengeresponseauthentication", "usepam", "authenticationmethods")


def _pam_password(values):
    """Why sshd still takes a password although PasswordAuthentication is no, else None.

    sshd_config(5): with UsePAM yes, KbdInteractiveAuthentication (ChallengeResponseAuthentication
    before 8.7) lets PAM ask for the password; AuthenticationMethods lists that all start with
    publickey demand a key first.
    """
    kbd = values.get("kbdinteractiveauthentication", values.get("challengeresponseauthentication"))
    if str(kbd).lower() != "yes" or str(values.get("usepam")).lower() != "yes":
        return None
    methods = str(values.get("authenticationmethods") or "any").split()
    if methods != ["any"] and all("publickey" in m.split(",") for m in methods):
        return None
    return ("kbdinteractiveauthentication yes with usepam yes (want no): PAM asks for the password by "
            "keyboard-interactive, PasswordAuthentication no does not stop it")


def check_3(facts, opts):
    """The settings every connection gets, as sshd decides them: ``sshd -T`` for the global ones,
    ``sshd -T -C <spec>`` for a connection that reaches each Match block (sshd_config(5) Match:
    a matching block's first value for a keyword overrides the global one; servconf.c
    match_cfg_line, parse_server_match_config), and for a root login from outside."""
    sshd = as_dict(facts.get("sshd"))
    effective = as_dict(sshd.get("effective"))
    if not sshd.get("binary"):
        return result(NA, "no sshd installed on this host: no SSH to harden")
    if not effective:
        return result(ERROR, "sshd -T gave no effective configuration")
    required = sorted((str(k).lower(), str(k), str(v)) for k, v in as_dict(opt(opts, "sshd_required")).items())
    bad, good = [], []
    for low, key, want in required:
        have = effective.get(low)
        line = "%s %s" % (key, have if have is not None else "(unset)")
        if str(have).lower() == want.lower():
            good.append(line)
        else:
            bad.append("%s (want %s)" % (line, want))
    wants_no_password = any(low == "passwordauthentication" and want.lower() == "no" for low, _k, want in required)
    if wants_no_password and _pam_password(effective):
        bad.append(_pam_password(effective))
    if "match_blocks" not in sshd:
        return result(ERROR, "the sshd facts do not say what Match blocks set (gathered by an older collector): "
                             "gather again")
    loosened, unknown = [], []
    for problem in names(sshd.get("config_problems")):
        unknown.append("sshd configuration: %s" % problem)
    probes = [(as_dict(b), _match_name(as_dict(b))) for b in as_list(sshd.get("match_blocks"))]
    outside = as_dict(sshd.get("outside_probe"))
    if outside:
        probes.append((outside, "a root login from outside"))
    blamed, elsewhere = set(), []
    for probe, name in probes:
        changed = probe.get("changed")
        own = names(probe.get("keywords"))
        judged = [k for k in own if k in [r[0] for r in required] or (wants_no_password and k in _PAM_KEYS)]
        if probe.get("error") or not isinstance(changed, dict):
            # A block that sets none of the judged keywords cannot loosen them (its keywords
            # count the files it Includes).
            if judged or "keywords" not in probe:
                unknown.append("%s: %s" % (name, text(probe.get("error") or "no sshd -T -C result", 200)))
            continue
        values = dict(effective, **changed)
        if wants_no_password and _pam_password(values) and not _pam_password(effective):
            loosened.append("%s: %s, for the connection %s" % (name, _pam_password(values), probe.get("spec")))
        for low, key, want in required:
            if low in changed and str(changed[low]).lower() != want.lower():
                line = "%s %s (want %s) for the connection %s" % (key, text(changed[low], 40), want, probe.get("spec"))
                if low in own:
                    blamed.add(low)
                    loosened.append("%s: %s" % (name, line))
                else:
                    # The connection that reaches this block also reaches the one that sets it.
                    elsewhere.append((low, "%s (set by another Match block it also reaches)" % name
                                      if "keywords" in probe else name, line))
    loosened += ["%s: %s" % (name, line) for low, name, line in elsewhere if low not in blamed]
    head = "effective sshd config (sshd -T): " + "; ".join(bad or good)
    if bad or loosened:
        return result(FAIL, ([head] if bad else []) + limited(loosened) + ([] if bad else [head])
                      + (["could not be judged: " + "; ".join(unknown)] if unknown else []))
    if unknown:
        return result(ERROR, [head] + ["a Match block could not be judged, so sshd may apply other values: "
                                       + u for u in limited(unknown)])
    blocks = len(as_list(sshd.get("match_blocks")))
    return result(PASS, [head, "%s, and a root login from outside (sshd -T -C) get the same"
                         % ("no Match blocks" if not blocks else "every connection that reaches one of the %d "
                            "Match blocks" % blocks)])


def _visible_mount(entries, path):
    """The mount ``path`` lives on: the longest target prefix, the last one among equals (mounted over)."""
    best = None
    for e in entries:
        target = str(e.get("target") or "")
        if not target:
            continue
        if path == target or path.startswith(target.rstrip("/") + "/") or target == "/":
            if best is None or len(target) >= len(str(best.get("target"))):
                best = e
    return best


def _same_filesystem_as_root(mount, root_mount):
    """Why ``mount`` is the root filesystem again (a bind mount of one of its directories, or a
    subvolume of its device), else None."""
    if root_mount is None or mount is root_mount:
        return None
    dev, root_dev = mount.get("dev"), root_mount.get("dev")
    if dev and root_dev and dev == root_dev:
        return "same device %s as / (mounted from %s[%s])" % (dev, mount.get("source"), mount.get("root") or "/")
    source = str(mount.get("source") or "")
    if source.startswith("/dev/") and source == str(root_mount.get("source") or ""):
        return "same device %s as /%s" % (source, " (%s[%s])" % (source, mount["root"]) if mount.get("root") else "")
    return None


def check_4(facts, opts):
    """DockerRootDir on a filesystem of its own (see the catalog rule). A rootless dockerd keeps its data
    in the user's home, $XDG_DATA_HOME/docker, by default ~/.local/share/docker (moby
    daemon/config/config_linux.go, rootless defaults): the same rule holds (a full disk must not be the
    root filesystem), and the evidence says when the filesystem is the home directories' one, which
    the data then shares with every user's files."""
    root = as_dict(docker(facts).get("info")).get("DockerRootDir")
    if not root or not isinstance(root, str):
        return result(ERROR, "DockerRootDir unknown (engine not reachable)")
    root = root.rstrip("/") or "/"
    entries = [as_dict(e) for e in as_list(as_dict(facts.get("mounts")).get("entries"))]
    best = _visible_mount(entries, root)
    if best is None:
        return result(ERROR, "no mount found for %s" % root)
    where = "%s is on %s (%s, %s)" % (root, best.get("target"), best.get("source"), best.get("fstype"))
    if best.get("target") == "/":
        return result(FAIL, where + ": the root filesystem; give Docker data its own partition")
    same = _same_filesystem_as_root(best, _visible_mount(entries, "/"))
    if same:
        # A mount point is not a partition: a bind mount from the root disk fills the root disk.
        return result(FAIL, "%s: %s, so not a separate partition; give Docker data its own partition"
                      % (where, same))
    if is_rootless(facts):
        home = _visible_mount(entries, "/home")
        shared = " (shared with the home directories on /home)" if home is best else ""
        where += ": %s's data root on its own filesystem%s" % (rootless_text(facts), shared)
    return result(PASS, where)


# Syscalls that change a file or its attributes (the kernel's write and attr classes,
# include/asm-generic/audit_{write,change_attr}.h): a never rule limited to other syscalls cannot hide a write.
_FILE_SYSCALLS = frozenset("""open openat openat2 creat write writev pwrite64 pwritev pwritev2 truncate ftruncate
    rename renameat renameat2 unlink unlinkat link linkat symlink symlinkat mkdir mkdirat rmdir mknod mknodat
    chmod fchmod fchmodat fchmodat2 chown fchown fchownat lchown setxattr lsetxattr fsetxattr removexattr
    lremovexattr fremovexattr utime utimes utimensat futimesat acct swapon quotactl""".split())
_NEUTRAL_FIELDS = ("arch", "path", "dir", "perm", "key")
_ARCH64 = ("b64", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "riscv64")
_ARCH32 = ("b32", "i386", "i686", "arm", "armeb", "ppc", "s390")


def parse_audit_rule(rule):
    """One ``auditctl -l`` (or rules file) line as {kind, action, list, paths [(path, recursive)],
    perm, syscalls (None: all), arch, fields (other -F names)}; kind ``unknown`` with ``why``.

    The forms are auditctl(8)'s: ``-w PATH [-p PERM] [-k KEY]`` (a directory is a recursive
    watch) and ``-a ACTION,LIST [-S SYSCALL]... [-F NAME OP VALUE]...`` (list and action in
    either order). Rule order matters: on the exit list the first matching rule decides.
    """
    words = str(rule).split()
    if not words:
        return {"kind": "blank"}
    if words[0] == "-w":
        if len(words) < 2:
            return {"kind": "unknown", "why": "-w without a path"}
        perm, i = None, 2
        while i < len(words):
            if words[i] == "-p" and i + 1 < len(words):
                perm, i = words[i + 1], i + 2
            elif words[i] in ("-k", "-F") and i + 1 < len(words):
                i += 2
            else:
                return {"kind": "unknown", "why": "option %s in a watch" % words[i]}
        # -w without -p watches every access (auditctl(8) -p: default rwxa).
        return {"kind": "rule", "action": "always", "list": "exit", "paths": [(words[1].rstrip("/") or "/", True)],
                "perm": perm if perm is not None else "rwxa", "syscalls": None, "arch": None, "fields": [],
                "watch": True}
    if words[0] not in ("-a", "-A") or len(words) < 2:
        return {"kind": "unknown", "why": "rule form %s" % words[0]}
    pair = words[1].lower().split(",")
    actions = [w for w in pair if w in ("always", "never")]
    lists = [w for w in pair if w in ("exit", "task", "user", "exclude", "filesystem", "io_uring", "entry")]
    if len(pair) != 2 or len(actions) != 1 or len(lists) != 1:
        return {"kind": "unknown", "why": "list,action %s" % words[1]}
    out = {"kind": "rule", "action": actions[0], "list": lists[0], "paths": [], "perm": None, "syscalls": None,
           "arch": None, "fields": [], "watch": False}
    syscalls, i = [], 2
    while i < len(words):
        opt_, val = words[i], words[i + 1] if i + 1 < len(words) else None
        if val is None:
            return {"kind": "unknown", "why": "option %s without a value" % opt_}
        if opt_ == "-S":
            syscalls.extend(val.split(","))
        elif opt_ == "-k":
            pass
        elif opt_ == "-F":
            m = re.match(r"^([a-z_0-9]+)(=|!=|>=|<=|>|<|&=|&)(.*)$", val)
            if not m:
                return {"kind": "unknown", "why": "field %s" % val}
            name, op, value = m.groups()
            if name in ("path", "dir") and op == "=":
                out["paths"].append((value.rstrip("/") or "/", name == "dir"))
            elif name == "perm" and op == "=":
                out["perm"] = value
            elif name == "arch" and op == "=":
                out["arch"] = "b64" if value in _ARCH64 else "b32" if value in _ARCH32 else value
            elif name != "key":
                out["fields"].append("%s%s%s" % (name, op, value))
        else:
            return {"kind": "unknown", "why": "option %s" % opt_}
        i += 2
    if syscalls and "all" not in syscalls:
        out["syscalls"] = syscalls
    return out


def _rule_covers_path(r, path, canon):
    """Whether the rule's path/dir fields name ``path`` (no path field: every path)."""
    if not r["paths"]:
        return True
    for p, recursive in r["paths"]:
        p = canon(p)
        if path == p or (recursive and path.startswith(p.rstrip("/") + "/")):
            return True
    return False


def _write_perm(perm):
    return perm is None or ("w" in perm and "a" in perm)


# linux/audit.h record types by the names auditctl -l prints for -F msgtype.
_MSGTYPES = {"SYSCALL": 1300, "PATH": 1302, "IPC": 1303, "SOCKETCALL": 1304, "CONFIG_CHANGE": 1305,
             "SOCKADDR": 1306, "CWD": 1307, "EXECVE": 1309, "MMAP": 1323, "EOE": 1320, "PROCTITLE": 1327,
             "BPRM_FCAPS": 1321, "CAPSET": 1322, "NETFILTER_CFG": 1325, "SECCOMP": 1326, "AVC": 1400,
             "SELINUX_ERR": 1401, "AVC_PATH": 1402, "MAC_POLICY_LOAD": 1403, "MAC_STATUS": 1404,
             "ANOM_PROMISCUOUS": 1700, "ANOM_ABEND": 1701, "USER": 1005, "LOGIN": 1006}
_WATCH_RECORDS = (1300, 1302)  # a watch hit is a SYSCALL record and PATH records
_EXCLUDE_PROCESS_FIELDS = re.compile(r"^(uid|auid|exe|pid|subj_[a-z]+)(=|!=|>=|<=|>|<|&=|&)")
_CMP = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b, "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "&": lambda a, b: bool(a & b),
        "&=": lambda a, b: a & b == b}


def exclude_effect(r):
    """For a parsed rule on the exclude list: "suppress", "harmless" or "unknown: <why>".

    auditctl(8): on the exclude list the action is ignored, a match drops the record
    (kernel/auditfilter.c audit_filter returns 0 for AUDIT_FILTER_EXCLUDE whatever the action).
    The fields are ANDed: a msgtype condition that spares SYSCALL and PATH makes the rule harmless
    to file watches; one that covers either, or none at all with only process fields (uid, auid,
    exe, pid, subj_*), drops watch records; any other form is not judged here.
    """
    msg = [f for f in r["fields"] if f.startswith("msgtype")]
    other = [f for f in r["fields"] if not f.startswith("msgtype")]
    covers = True
    for f in msg:
        m = re.match(r"^msgtype(=|!=|>=|<=|>|<|&=|&)(.*)$", f)
        value = m.group(2) if m else ""
        number = int(value) if value.isdigit() else _MSGTYPES.get(value.upper())
        if m is None or number is None:
            return "unknown: msgtype %s" % value
        covers = covers and any(_CMP[m.group(1)](t, number) for t in _WATCH_RECORDS)
    if msg and not covers:
        return "harmless"
    if r["syscalls"] is not None or r["paths"] or any(not _EXCLUDE_PROCESS_FIELDS.match(f) for f in other):
        return "unknown: fields %s" % " ".join(other + ["-S %s" % ",".join(r["syscalls"] or [])])
    return "suppress"


def audit_decision(rules, path, canon):
    """(watched by, suppressed by): how the kernel treats a write or attribute change of ``path``.

    For each ABI (64- and 32-bit syscalls) the exit list is walked in order and the first rule that
    matches the event decides (kernel/auditsc.c audit_filter_syscall); ``-a never,task`` stops
    syscall auditing for the tasks it matches (audit_filter_task), and an exclude rule that drops
    SYSCALL or PATH records (exclude_effect) hides every watch hit. A watch counts only when it
    covers both ABIs for every process: rules limited by other fields (auid, uid, exe ...) or to
    some syscalls match only some events and decide nothing for the others.
    """
    parsed = [(str(r), parse_audit_rule(r)) for r in as_list(rules)]
    for text_, r in parsed:
        if r.get("kind") == "rule" and r["list"] == "exclude" and exclude_effect(r) == "suppress":
            return None, text_
    for text_, r in parsed:
        if r.get("kind") == "rule" and r["action"] == "never" and r["list"] == "task":
            return None, text_
    by = {}
    for abi in ("b64", "b32"):
        for text_, r in parsed:
            if r.get("kind") != "rule" or r["list"] != "exit" or r["arch"] not in (None, abi):
                continue
            if not _rule_covers_path(r, path, canon):
                continue
            file_calls = r["syscalls"] is None or bool(_FILE_SYSCALLS.intersection(r["syscalls"]))
            if r["action"] == "never":
                if file_calls and (r["perm"] is None or set(r["perm"]) & set("wa")):
                    return None, text_
                continue
            if r["fields"] or r["syscalls"] is not None or not _write_perm(r["perm"]):
                continue
            by[abi] = r["paths"]
            break
    if "b64" in by and "b32" in by:
        paths = by["b64"] or [("(every path)", False)]
        return canon(paths[0][0]) if paths[0][0] != "(every path)" else "(every path)", None
    return None, None


def _unknown_rules(rules, spellings):
    """The rules this parser does not understand that name one of ``spellings``."""
    out = []
    for r in as_list(rules):
        parsed = parse_audit_rule(r)
        if parsed.get("kind") == "unknown" and any(s in str(r) for s in spellings):
            out.append("%s (%s)" % (text(r, 100), parsed.get("why")))
    return out


def _canonical(facts, path):
    """``path`` as the target resolved it (``realpath`` gathered there), else as spelled.

    On merged-/usr ``/lib/systemd/system/docker.service`` is ``/usr/lib/...``, and
    ``/usr/bin/runc`` may be a link to ``/usr/sbin/runc``: a watch on either spelling is a watch
    on the same file.
    """
    path = str(path).rstrip("/") or "/"
    resolved = as_dict(as_dict(facts.get("audit")).get("resolved"))
    if resolved.get(path):
        return str(resolved[path])
    real = as_dict(as_dict(facts.get("files")).get(path)).get("realpath")
    return str(real) if real else path


def _rule_canon(facts):
    """A rule path as the kernel watches it: parents resolved on the target (audit.resolved), the
    last component never (a watch on a symlink is a watch on the link)."""
    resolved = as_dict(as_dict(facts.get("audit")).get("resolved"))

    def canon(path):
        path = str(path).rstrip("/") or "/"
        return str(resolved.get(path) or path)
    return canon


def existing_path(files, spellings):
    """The first of ``spellings`` that exists on the target (the files collector's stat), else None."""
    for p in spellings:
        if as_dict(files.get(p)).get("exists") is True:
            return p
    return None


def _audit_targets(facts, opts):
    """(required, advice): {canonical path: spelling} of the paths that must be watched, and of the
    other CIS paths that exist (advice unless ``audit_require_cis_paths``)."""
    files = as_dict(facts.get("files"))
    required, advice = {}, {}
    for spellings in CHECKLIST_AUDIT_PATHS:
        p = existing_path(files, spellings)
        if p:
            required.setdefault(_canonical(facts, p), p)
    for spellings in ENGINE_BINARIES:
        p = existing_path(files, spellings)
        if p and _canonical(facts, p) not in required:
            advice.setdefault(_canonical(facts, p), p)
    for p in AUDIT_PATHS:
        if as_dict(files.get(p)).get("exists") is True:
            canon = _canonical(facts, p)
            if canon not in required:
                advice.setdefault(canon, p)
    if opt(opts, "audit_require_cis_paths"):
        required.update(advice)
        advice = {}
    return required, advice


def _spelled(canon, spelling):
    return spelling if canon == spelling else "%s (= %s)" % (spelling, canon)


def audit_rules(facts):
    """(rules, source, on_disk): the loaded rules (``auditctl -l``) when they could be read, else the
    rules files' lines; where they came from; and the rules files' lines."""
    audit = as_dict(facts.get("audit"))
    live = audit.get("live_rules")
    file_rules = as_dict(audit.get("file_rules"))
    on_disk = [r for lines in file_rules.values() for r in as_list(lines)]
    if isinstance(live, list):
        return live, "auditctl -l (live)", on_disk
    source = "%s (auditctl unavailable: %s)" % (
        ", ".join(sorted(str(f) for f in file_rules)) or "/etc/audit/rules.d (no rules files)",
        audit.get("live_error") or "not installed")
    return on_disk, source, on_disk


def watch_verdict(facts, path, what):
    """(status, evidence): write and attribute changes of the one existing ``path`` reach the audit
    log, judged as check_5 judges each of its paths (audit_decision over the loaded rules, auditing
    enabled, auditd receiving). For rules that name one file each (CIS 1.1.3-1.1.18)."""
    audit = as_dict(facts.get("audit"))
    live = audit.get("live_rules")
    rules, source, _on_disk = audit_rules(facts)
    canon_path = _canonical(facts, path)
    by, never = audit_decision(rules, canon_path, _rule_canon(facts))
    spelled = _spelled(canon_path, path)
    if by is None:
        evidence = ["%s (%s) has no -w PATH -p wa rule in effect (source: %s)" % (what, spelled, source)]
        if as_dict(as_dict(facts.get("files")).get(path)).get("type") == "link":
            evidence.append("%s is a symlink: a watch on the link does not watch %s" % (path, canon_path))
        if never:
            evidence.append("suppressed by the earlier rule %s" % text(never, 120))
        return result(FAIL, evidence)
    unknown = _unknown_rules(rules, set([path, canon_path]))
    if isinstance(live, list) and audit.get("enabled_flag") == 0:
        return result(FAIL, "the rule is loaded but auditing is disabled (auditctl -s: enabled 0)")
    if isinstance(live, list) and audit.get("auditd_pid") == 0:
        return result(FAIL, "the rule is loaded but no audit daemon receives the events (auditctl -s: pid 0)")
    if unknown:
        return result(ERROR, "rules naming %s in a form this check does not understand: %s" % (path, "; ".join(unknown)))
    if not isinstance(live, list):
        return result(ERROR, "the rules files would watch %s, but the loaded rules could not be read (source: %s): "
                             "run with become (root)" % (spelled, source))
    if audit.get("enabled_flag") not in (1, 2):
        return result(ERROR, "auditing state unknown (auditctl -s gave no enabled flag)")
    via = "" if by == canon_path else " (by the watch on %s)" % by
    return result(PASS, "%s (%s) is watched with -p wa%s (source: %s)" % (what, spelled, via, source))


def check_5(facts, opts):
    """Write and attribute changes of the checklist's paths reach the audit log: the loaded rules
    (``auditctl -l``; a rules file is not a loaded rule), judged as the kernel applies them
    (auditctl(8) rule forms, first match on the exit list, ``-a never`` suppression, the exclude
    list dropping records, watches on
    the name given, not through a symlink), with auditing enabled (``auditctl -s``)."""
    audit = as_dict(facts.get("audit"))
    required, advice = _audit_targets(facts, opts)
    if not required:
        return result(NA, "none of the Docker paths to audit exist on this host")
    live = audit.get("live_rules")
    rules, source, on_disk = audit_rules(facts)
    canon = _rule_canon(facts)
    files = as_dict(facts.get("files"))
    missing, via_parent, suppressed = [], [], []
    for c, spelling in sorted(required.items(), key=lambda kv: kv[1]):
        by, never = audit_decision(rules, c, canon)
        if by is None:
            link = as_dict(files.get(spelling)).get("type") == "link"
            missing.append(_spelled(c, spelling) + (" (a symlink: a watch on the link does not watch %s)" % c
                                                    if link else ""))
            if never:
                suppressed.append("%s: suppressed by the earlier rule %s" % (spelling, text(never, 120)))
        elif by != c:
            via_parent.append("%s (by the watch on %s)" % (spelling, by))
    spellings = set(required.values()) | set(required)
    unknown = _unknown_rules(rules, spellings)
    for r in as_list(rules):
        parsed = parse_audit_rule(r)
        effect = exclude_effect(parsed) if parsed.get("kind") == "rule" and parsed["list"] == "exclude" else ""
        if effect.startswith("unknown"):
            unknown.append("%s (exclude list, %s)" % (text(r, 100), effect[len("unknown: "):]))
    engine = set(_canonical(facts, p) for p in (existing_path(files, s) for s in ENGINE_BINARIES) if p)
    unwatched_advice = [_spelled(c, p) for c, p in sorted(advice.items(), key=lambda kv: (kv[0] not in engine, kv[1]))
                        if audit_decision(rules, c, canon)[0] is None]
    scope = ("the checklist's paths" if not opt(opts, "audit_require_cis_paths")
             else "the checklist's paths, the engine binaries and every CIS 1.1.x path")
    disabled = isinstance(live, list) and audit.get("enabled_flag") == 0
    if missing:
        evidence = ["%d of %d Docker paths (%s) have no -w PATH -p wa rule in effect (source: %s): %s" % (
            len(missing), len(required), scope, source, ", ".join(missing))] + suppressed
        if isinstance(live, list):
            pending = [_spelled(c, p) for c, p in sorted(required.items(), key=lambda kv: kv[1])
                       if audit_decision(rules, c, canon)[0] is None and audit_decision(on_disk, c, canon)[0]]
            if pending:
                evidence.append("in the rules files but not loaded: %s (augenrules --load; a reboot when the "
                                "rules are immutable, -e 2)" % ", ".join(pending))
        if disabled:
            evidence.append("auditing is disabled (auditctl -s: enabled 0)")
        if unknown:
            evidence.append("rules not understood: %s" % "; ".join(unknown))
        return result(FAIL, evidence)
    if disabled:
        return result(FAIL, "the rules are loaded but auditing is disabled (auditctl -s: enabled 0)")
    if isinstance(live, list) and audit.get("auditd_pid") == 0:
        return result(FAIL, "the rules are loaded but no audit daemon receives the events (auditctl -s: pid 0): "
                            "start auditd")
    if unknown:
        return result(ERROR, ["rules that name Docker paths in a form this check does not understand: %s"
                              % "; ".join(unknown)])
    if not isinstance(live, list):
        return result(ERROR, ["the rules files would watch all %d Docker paths (%s), but a rules file is not a loaded "
                              "rule and the loaded rules could not be read (source: %s): run with become (root)"
                              % (len(required), scope, source)])
    if audit.get("enabled_flag") not in (1, 2):
        return result(ERROR, "auditing state unknown (auditctl -s gave no enabled flag): the rules may not be in "
                             "effect")
    evidence = ["all %d Docker paths that exist (%s) are watched with -p wa (source: %s)" % (
        len(required), scope, source)]
    if via_parent:
        evidence.append("covered by a recursive directory watch: %s" % ", ".join(via_parent))
    if unwatched_advice:
        evidence.append("advice (CIS 1.1.x, not required; dockersec_options.audit_require_cis_paths: true requires "
                        "them): also watch %s" % ", ".join(unwatched_advice))
    return result(PASS, evidence)


CHECKS = {"1": check_1, "2": check_2, "3": check_3, "4": check_4, "5": check_5}
