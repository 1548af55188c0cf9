# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators of the CIS Docker Benchmark v1.6.0 recommendations that neither a checklist control
(``reuses``) nor a declarative rule (``expr``) decides: catalog.json ``profiles.cis`` marks them
``"evaluator": true`` and the engine calls ``CHECKS[<cis id>](view, opts)``.

Each receives ONE daemon's view (evaluate/common.py daemon_views): the daemon's own paths are
its config file (daemon_config.path), the unix sockets it serves (dockerd_process.listeners) and
the TLS files it names; a rootless daemon's own files belong to the account it runs as
(``view.daemon.user``), so "owned by root" reads "owned by the daemon's user" there. A file CIS
checks only "if it exists" that does not exist is ``not_applicable`` with the reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.dockersec.hardening.plugins.module_utils import dockerd_cli
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import host, rules, runtime, secrets
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, NA, PASS, as_dict, as_list, daemon_flags, daemon_json, daemon_listeners, daemon_setting, docker,
    is_rootless, limited, names, per_container_tri, result, scoped_containers, text
)

# dockerd's default socket group (moby daemon/command/config_unix.go: --group "docker"); CIS 3.15
# wants root:docker, and a socket dockerd left root:root (no docker group) is stricter still.
SOCKET_GROUPS = ("docker", "root")


# --- Whose files: the daemon's account ------------------------------------------------------------

def daemon_owner(facts):
    """The account that must own the daemon's own files: root, or a rootless daemon's user."""
    if is_rootless(facts):
        return as_dict(facts.get("daemon")).get("user") or None
    return "root"


# --- Owner and mode of files ----------------------------------------------------------------------

def _entry(facts, path):
    return as_dict(facts.get("files")).get(path)


def judge_files(facts, paths, what, check, absent):
    """One verdict over ``paths`` (stat'ed by the files collector): ``check(entry)`` returns None,
    what is wrong, or ("unknown", why). A path not stat'ed, whose stat failed or that cannot be
    judged is ``error`` (unless another fails); none existing is ``not_applicable`` with ``absent``."""
    bad, unknown, seen = [], [], []
    for path in paths:
        entry = _entry(facts, path)
        if not isinstance(entry, dict):
            unknown.append("%s was not stat'ed by this gather (gather again with this version)" % path)
            continue
        if entry.get("exists") is False:
            continue
        if entry.get("exists") is not True:
            unknown.append("%s could not be stat'ed: %s" % (path, entry.get("error") or "unknown error"))
            continue
        seen.append(path)
        why = check(entry)
        if isinstance(why, tuple):
            unknown.append("%s: %s" % (path, why[1]))
        elif why:
            bad.append("%s: %s" % (path, why))
    if bad:
        return result(FAIL, ["%s: %d of %d existing" % (what, len(bad), len(seen))] + limited(bad) + unknown)
    if unknown:
        return result(ERROR, unknown)
    if not seen:
        return result(NA, absent)
    return result(PASS, "%s: %s" % (what, ", ".join(limited(seen, 10))))


def owned_by(owner, groups):
    """Owner ``owner`` and a group among ``groups`` (None: any group). An unknown owner (a rootless
    daemon whose user the facts do not name) cannot be judged: ("unknown", why)."""
    def check(entry):
        if owner is None:
            return ("unknown", "the rootless daemon's user is unknown, so the owner cannot be judged")
        if entry.get("owner") != owner or (groups is not None and entry.get("group") not in groups):
            return "owned by %s:%s, not %s:%s" % (entry.get("owner"), entry.get("group"), owner,
                                                  "|".join(groups) if groups else "(its group)")
        return None
    return check


def mode_at_most(limit):
    """No permission bit beyond ``limit`` (CIS "<mode> or more restrictive"; setuid/setgid/sticky
    count as bits beyond it)."""
    def check(entry):
        mode = entry.get("mode")
        try:
            value = int(str(mode), 8)
        except ValueError:
            return "mode %r is not an octal mode" % (mode,)
        if value & ~limit:
            return "mode %s allows more than %04o" % (mode, limit)
        return None
    return check


def _ownership(facts, paths, what, absent, socket=False):
    """Root's (a unix socket: root with group docker or root), or a rootless daemon's user's with
    whatever group: rootlesskit's user creates its files with its own primary group."""
    if is_rootless(facts):
        check = owned_by(daemon_owner(facts), None)
    else:
        check = owned_by("root", SOCKET_GROUPS if socket else ("root",))
    return judge_files(facts, paths, what, check, absent)


# --- The daemon's own paths -----------------------------------------------------------------------

def config_file(facts):
    """The config file this daemon reads (daemon_config.path, which the gather makes its --config-file)."""
    path = as_dict(facts.get("daemon_config")).get("path")
    return str(path) if isinstance(path, str) and path else None


def unix_sockets(facts):
    """The unix sockets this daemon serves its API on (dockerd_process.listeners, dockerd's order)."""
    out = []
    for record in daemon_listeners(facts):
        if as_dict(record).get("scheme") == "unix" and str(record.get("address") or "").startswith("/"):
            path = posixpath.normpath(str(record["address"]))
            if path not in out:
                out.append(path)
    return out


def certs_dir(facts):
    """Where this daemon reads registry certificates (moby registry.CertsDir: /etc/docker/certs.d,
    rootless: $XDG_CONFIG_HOME/docker/certs.d, the directory of its config file)."""
    if is_rootless(facts):
        cfg = config_file(facts)
        return posixpath.join(posixpath.dirname(cfg), "certs.d") if cfg else None
    return "/etc/docker/certs.d"


def certs_entries(facts, files_only):
    top = certs_dir(facts)
    if not top:
        return None, []
    prefix = top.rstrip("/") + "/"
    paths = sorted(p for p, e in as_dict(facts.get("files")).items()
                   if str(p).startswith(prefix) and (not files_only or as_dict(e).get("type") == "file"))
    return top, paths


def tls_enabled(facts):
    """dockerd serves TLS (dockerd_cli.tls_on over its flags and config file)."""
    return dockerd_cli.tls_on(daemon_flags(facts), daemon_json(facts))


def tls_file(facts, key):
    """(path, how it was found) of one TLS file the daemon uses, or (None, why not). A rootless
    daemon's default (~/.docker of its user) is not known here: error, never root's."""
    if not tls_enabled(facts):
        return None, "the daemon does not serve TLS (no --tls/--tlsverify, nor in its config file)"
    path, source = dockerd_cli.tls_file(daemon_flags(facts), daemon_json(facts), key)
    if is_rootless(facts) and source and source.startswith("dockerd default"):
        return None, "--%s is not set and a rootless daemon's default (~/.docker of its user) is not known" % key
    return path, source


# --- Section 1: who controls the daemon, auditing per file --------------------------------------

def check_1_1_2(facts, opts):
    """CIS 1.1.2: only trusted users control the daemon. Members of the ``docker`` group reach the
    rootful daemon's socket (dockerd -G, default "docker": moby daemon/listeners chowns the socket
    to that group; group(5) lists members, and accounts whose primary group it is are members too).
    Whether a member is trusted is for a person: an empty group passes, members fail with their
    names (waive ``cis:1.1.2`` once they are confirmed)."""
    # dockerd -G / daemon.json "group" (moby daemon/command/config_unix.go, default "docker"), or a
    # socket a unit gave another group (docker.socket SocketGroup=): its members are not gathered.
    files = as_dict(facts.get("files"))
    open_to_all = [p for p in unix_sockets(facts)
                   if (rules.file_mode(as_dict(files.get(p)).get("mode")) or 0) & 0o002]
    if open_to_all:
        return result(FAIL, "every local account controls the daemon: its socket %s is writable by others (mode %s)"
                      % (", ".join(open_to_all), ", ".join(str(files[p]["mode"]) for p in open_to_all)))
    given, source = daemon_setting(facts, "group", ["-G", "--group"])
    other = set(["%s (%s)" % (given, source)] if isinstance(given, str) and given not in SOCKET_GROUPS else [])
    for path in unix_sockets(facts):
        owner_group = as_dict(as_dict(facts.get("files")).get(path)).get("group")
        if isinstance(owner_group, str) and owner_group not in SOCKET_GROUPS and not is_rootless(facts):
            other.add("%s (group of %s)" % (owner_group, path))
    if other:
        return result(ERROR, "the daemon's socket belongs to group %s, not docker: its members were not gathered "
                             "(only the docker group's are); list them (getent group NAME) and waive "
                             "cis:1.1.2, or keep dockerd's default group" % ", ".join(sorted(other)))
    group = as_dict(as_dict(facts.get("host")).get("docker_group"))
    if not group:
        return result(ERROR, "the docker group was not read by this gather (host.docker_group; gather again)")
    if group.get("exists") is False:
        return result(PASS, "no docker group on this host: only root reaches the daemon's socket")
    members = sorted(set(names(group.get("members"))))
    if group.get("error"):
        return result(ERROR, "the docker group could not be read: %s" % group["error"])
    if not members:
        return result(PASS, "the docker group has no members: only root reaches the daemon's socket")
    return result(FAIL, ["%d account(s) in the docker group control the daemon as root would: %s; confirm each "
                         "is trusted (then waive cis:1.1.2) or remove it (gpasswd -d USER docker)"
                         % (len(members), ", ".join(limited(members, 30)))])


def audit_file(spellings, what):
    """CIS 1.1.3-1.1.18: one file, where it exists, has a write/attribute audit rule in effect.
    Judged as checklist item 5 judges each of its paths (evaluate/host.py: the loaded rules as the
    kernel applies them, auditing enabled, auditd receiving), with CIS's own per-file rule: this one
    path, and not_applicable when it does not exist."""
    def check(facts, opts):
        files = as_dict(facts.get("files"))
        unknown = [p for p in spellings if not isinstance(files.get(p), dict)]
        path = host.existing_path(files, spellings)
        if path is None:
            if unknown:
                return result(ERROR, "%s was not stat'ed by this gather" % ", ".join(unknown))
            return result(NA, "%s does not exist on this host" % " / ".join(spellings))
        return host.watch_verdict(facts, path, what)
    check.__doc__ = audit_file.__doc__
    return check


# Spellings per CIS 1.1.x file; the first that exists is the one to audit.
AUDIT_FILES = {
    "1.1.3": (("/usr/bin/dockerd", "/usr/sbin/dockerd"), "the Docker daemon binary"),
    "1.1.4": (("/run/containerd",), "/run/containerd"),
    "1.1.5": (("/var/lib/docker",), "/var/lib/docker"),
    "1.1.6": (("/etc/docker",), "/etc/docker"),
    "1.1.7": (("/usr/lib/systemd/system/docker.service", "/lib/systemd/system/docker.service",
               "/etc/systemd/system/docker.service"), "docker.service"),
    "1.1.8": (("/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock"), "containerd.sock"),
    "1.1.9": (("/usr/lib/systemd/system/docker.socket", "/lib/systemd/system/docker.socket",
               "/etc/systemd/system/docker.socket"), "docker.socket"),
    "1.1.10": (("/etc/default/docker",), "/etc/default/docker"),
    "1.1.11": (("/etc/docker/daemon.json",), "/etc/docker/daemon.json"),
    "1.1.12": (("/etc/containerd/config.toml",), "/etc/containerd/config.toml"),
    "1.1.13": (("/etc/sysconfig/docker",), "/etc/sysconfig/docker"),
    "1.1.14": (("/usr/bin/containerd", "/usr/sbin/containerd"), "containerd"),
    "1.1.15": (("/usr/bin/containerd-shim",), "containerd-shim"),
    "1.1.16": (("/usr/bin/containerd-shim-runc-v1",), "containerd-shim-runc-v1"),
    "1.1.17": (("/usr/bin/containerd-shim-runc-v2",), "containerd-shim-runc-v2"),
    "1.1.18": (("/usr/bin/runc", "/usr/sbin/runc"), "runc"),
}


# --- Section 2: daemon settings ------------------------------------------------------------------

def check_2_4(facts, opts):
    """CIS 2.4: dockerd may change iptables: --iptables / daemon.json iptables not false (moby
    daemon/config: iptables defaults to true; false leaves container networking to the operator)."""
    value, source = daemon_setting(facts, "iptables")
    if value is None:
        return result(PASS, "iptables is not set: dockerd manages iptables (its default)")
    on = value if isinstance(value, bool) else dockerd_cli.go_bool(value)
    if on is None:
        return result(ERROR, "iptables=%s (%s) is not a boolean dockerd accepts" % (text(value), source))
    return result(PASS if on else FAIL, "iptables is %s (%s)" % ("true" if on else "false", source))


# moby registry/config.go: loopback registries are always insecure (newServiceConfig adds them).
_DEFAULT_INSECURE = ("127.0.0.0/8", "::1/128")


def check_2_5(facts, opts):
    """CIS 2.5: no insecure registry. The running dockerd's word (GET /info RegistryConfig: its
    InsecureRegistryCIDRs beyond the loopback ranges it always adds, moby registry/config.go
    newServiceConfig, and IndexConfigs marked Secure false), else its settings (--insecure-registry,
    daemon.json insecure-registries)."""
    registry = as_dict(docker(facts).get("info")).get("RegistryConfig")
    if isinstance(registry, dict):
        cidrs = [c for c in names(registry.get("InsecureRegistryCIDRs")) if c not in _DEFAULT_INSECURE]
        indexes = sorted(n for n, cfg in as_dict(registry.get("IndexConfigs")).items()
                         if as_dict(cfg).get("Secure") is False)
        bad = cidrs + indexes
        if bad:
            return result(FAIL, "dockerd trusts insecure registries (docker info RegistryConfig): %s" % ", ".join(bad))
        return result(PASS, "dockerd reports no insecure registry beyond loopback (docker info RegistryConfig)")
    configured = names(dockerd_cli.flag_values(daemon_flags(facts), "insecure-registry")) + names(
        daemon_json(facts).get("insecure-registries"))
    if configured:
        return result(FAIL, "insecure registries configured (--insecure-registry / insecure-registries): %s"
                      % ", ".join(configured))
    if not docker(facts).get("reachable"):
        return result(ERROR, "the engine was not reached, and its settings name no insecure registry: not known "
                             "whether it trusts any")
    return result(ERROR, "docker info had no RegistryConfig (gather again with this version)")


def _setting_unset(key, flag, why):
    def check(facts, opts):
        value, source = daemon_setting(facts, key, flag)
        if value in (None, "", [], {}):
            return result(PASS, "%s is not set (%s)" % (key, why))
        return result(FAIL, "%s is set to %s (%s): %s" % (key, text(value, 120), source, why))
    return check


check_2_10 = _setting_unset("cgroup-parent", None,
                            "containers get dockerd's default parent cgroup unless one is confirmed necessary")
check_2_10.__doc__ = """CIS 2.10: the default cgroup parent is kept: dockerd --cgroup-parent / daemon.json
cgroup-parent unset (moby daemon/config CgroupParent; empty means docker's default)."""


def check_2_11(facts, opts):
    """CIS 2.11: the base device size is not changed: no ``dm.basesize`` among dockerd's storage
    options (--storage-opt / daemon.json storage-opts; moby daemon/graphdriver/devmapper
    ``dm.basesize``)."""
    values = names(dockerd_cli.flag_values(daemon_flags(facts), "storage-opt")) + names(
        daemon_json(facts).get("storage-opts"))
    set_ = [v for v in values if v.strip().lower().startswith("dm.basesize")]
    if set_:
        return result(FAIL, "the base device size is changed: %s" % ", ".join(set_))
    return result(PASS, "no dm.basesize storage option (storage options: %s)" % (", ".join(values) or "none"))


def check_2_12(facts, opts):
    """CIS 2.12: an authorization plugin is in use: --authorization-plugin / daemon.json
    authorization-plugins (moby daemon/config AuthorizationPlugins; dockerd sends every API request
    through them, pkg/authorization)."""
    plugins = names(dockerd_cli.flag_values(daemon_flags(facts), "authorization-plugin")) + names(
        daemon_json(facts).get("authorization-plugins"))
    if plugins:
        return result(PASS, "authorization plugins: %s" % ", ".join(plugins))
    return result(FAIL, "no authorization plugin: anyone reaching the socket may run every API call")


def check_2_14(facts, opts):
    """CIS 2.14: dockerd's default for new containers is no-new-privileges, as checklist item 20
    reads it (evaluate/runtime.py daemon_nnp: docker info SecurityOptions, else --no-new-privileges /
    daemon.json once in effect; moby daemon/create.go copies it into each new container)."""
    default, evidence, note = runtime.daemon_nnp(facts)
    if default:
        return result(PASS, evidence)
    return result(FAIL, [note or evidence or "no-new-privileges is not set daemon-wide (dockerd's default is off)"])


def check_2_18(facts, opts):
    """CIS 2.18: experimental features are off: the running dockerd's ExperimentalBuild (GET /info,
    moby daemon/info.go), else --experimental / daemon.json experimental."""
    info = as_dict(docker(facts).get("info"))
    if isinstance(info.get("ExperimentalBuild"), bool):
        if info["ExperimentalBuild"]:
            return result(FAIL, "dockerd runs with experimental features (docker info ExperimentalBuild: true)")
        return result(PASS, "experimental features are off (docker info ExperimentalBuild: false)")
    value, source = daemon_setting(facts, "experimental")
    if value is True:
        return result(FAIL, "experimental is on (%s)" % source)
    if not docker(facts).get("reachable"):
        return result(ERROR, "the engine was not reached: whether experimental features are on is not known")
    return result(ERROR, "docker info had no ExperimentalBuild (gather again with this version)")


# --- Section 3: the daemon's own files -----------------------------------------------------------

def _files_check(paths_of, what, absent, judge):
    def check(facts, opts):
        paths, why = paths_of(facts)
        if paths is None:
            return result(ERROR if why.startswith("!") else NA, why.lstrip("!"))
        return judge(facts, paths, what, absent(facts) if callable(absent) else absent)
    return check


def _registry_certs(files_only):
    def paths_of(facts):
        top, paths = certs_entries(facts, files_only)
        if top is None:
            return None, "!the rootless daemon's config directory is unknown, so its certs.d is too"
        entry = _entry(facts, top)
        if not isinstance(entry, dict):
            return None, "!%s was not stat'ed by this gather (gather again with this version)" % top
        if entry.get("exists") is False:
            return None, "%s does not exist: the daemon has no registry certificates" % top
        if not paths:
            return None, "%s holds no certificate files" % top
        return paths, None
    return paths_of


def _tls(key):
    def paths_of(facts):
        path, how = tls_file(facts, key)
        if path is None:
            return None, ("!" + how) if tls_enabled(facts) else how
        return [path], None
    return paths_of


def _config(facts):
    path = config_file(facts)
    return ([path], None) if path else (None, "!the daemon's config file path is unknown")


def _sockets(facts):
    paths = unix_sockets(facts)
    return (paths, None) if paths else (None, "the daemon serves its API on no unix socket")


def _mode_judge(limit):
    def judge(facts, paths, what, absent):
        return judge_files(facts, paths, what, mode_at_most(limit), absent)
    return judge


def _owner_judge(socket=False):
    def judge(facts, paths, what, absent):
        return _ownership(facts, paths, what, absent, socket=socket)
    return judge


CHECKS_3 = {
    "3.7": _files_check(_registry_certs(False), "registry certificate files owned by root:root",
                        "no registry certificates", _owner_judge()),
    "3.8": _files_check(_registry_certs(True), "registry certificate files mode 0444 or stricter",
                        "no registry certificates", _mode_judge(0o444)),
    "3.9": _files_check(_tls("tlscacert"), "TLS CA certificate owned by root:root",
                        "the TLS CA certificate the daemon names does not exist", _owner_judge()),
    "3.10": _files_check(_tls("tlscacert"), "TLS CA certificate mode 0444 or stricter",
                         "the TLS CA certificate the daemon names does not exist", _mode_judge(0o444)),
    "3.11": _files_check(_tls("tlscert"), "TLS server certificate owned by root:root",
                         "the TLS server certificate the daemon names does not exist", _owner_judge()),
    "3.12": _files_check(_tls("tlscert"), "TLS server certificate mode 0444 or stricter",
                         "the TLS server certificate the daemon names does not exist", _mode_judge(0o444)),
    "3.13": _files_check(_tls("tlskey"), "TLS server key owned by root:root",
                         "the TLS key the daemon names does not exist", _owner_judge()),
    "3.14": _files_check(_tls("tlskey"), "TLS server key mode 0400 or stricter",
                         "the TLS key the daemon names does not exist", _mode_judge(0o400)),
    "3.15": _files_check(_sockets, "the daemon's sockets owned by root:docker",
                         "none of the daemon's unix sockets exists", _owner_judge(socket=True)),
    "3.16": _files_check(_sockets, "the daemon's sockets mode 0660 or stricter",
                         "none of the daemon's unix sockets exists", _mode_judge(0o660)),
    "3.17": _files_check(_config, "the daemon's config file owned by root:root",
                         lambda facts: "%s does not exist" % config_file(facts), _owner_judge()),
    "3.18": _files_check(_config, "the daemon's config file mode 0644 or stricter",
                         lambda facts: "%s does not exist" % config_file(facts), _mode_judge(0o644)),
}
for _id, _check in CHECKS_3.items():
    _check.__doc__ = ("CIS %s: owner and mode of the daemon's own files as stat'ed on the target: its config "
                      "file (daemon_config.path), the unix sockets it serves (dockerd_process.listeners), the TLS "
                      "files it names (--tlscacert/--tlscert/--tlskey, daemon.json, else dockerd's ~/.docker "
                      "defaults, moby daemon/command/options.go) and its certs.d (moby registry CertsDir); a "
                      "rootless daemon's are its user's." % _id)


# --- Section 4: images ---------------------------------------------------------------------------

# strconv.ParseBool's false spellings: the docker CLI turns content trust on for any other non-empty
# DOCKER_CONTENT_TRUST (docker/cli WithContentTrustFromEnv: "t || err != nil ... treat any other value
# as true").
CONTENT_TRUST_OFF = ("0", "f", "F", "false", "FALSE", "False")


def content_trust_on(value):
    """Whether the docker CLI runs with content trust for this DOCKER_CONTENT_TRUST value."""
    value = str(value if value is not None else "")
    return value != "" and value not in CONTENT_TRUST_OFF


def check_4_5(facts, opts):
    """CIS 4.5: Docker Content Trust is enabled for every login: DOCKER_CONTENT_TRUST set system-wide
    (/etc/environment, then /etc/profile.d/*.sh in the order a login shell reads them, so the last
    setting wins) to a value the docker CLI reads as on (content_trust_on: 1, true, TRUE, ...; 0,
    false and the other ParseBool false spellings are off)."""
    found = [as_dict(e) for e in as_list(as_dict(facts.get("environment")).get("docker_content_trust"))]
    if not found:
        return result(FAIL, "DOCKER_CONTENT_TRUST is not set in /etc/environment or /etc/profile.d: the docker CLI "
                            "runs without content trust")
    seen = ["%s sets DOCKER_CONTENT_TRUST=%s" % (text(e.get("file"), 120), text(e.get("value"), 40)) for e in found]
    last = found[-1]
    if content_trust_on(last.get("value")):
        return result(PASS, ["content trust on for every login: the last setting read (%s) is on"
                             % text(last.get("file"), 120)] + seen)
    return result(FAIL, ["content trust off: the last setting read (%s, DOCKER_CONTENT_TRUST=%s) turns it off or "
                         "leaves it empty" % (text(last.get("file"), 120), text(last.get("value"), 40))] + seen)


# --- Section 5: container runtime ----------------------------------------------------------------

def check_5_7(facts, opts):
    """CIS 5.7: no sshd runs inside a container: the programs of each container's processes (the
    processes of the cgroup dockerd made for it, /proc/PID/comm; gather/listeners.py
    container_programs), as ``docker exec ps`` would list them."""
    def check(c):
        programs = c.get("programs")
        if not isinstance(programs, list):
            return ("unknown", "its processes could not be read: %s" % (c.get("programs_error") or "not gathered"))
        if "sshd" in programs:
            return "runs sshd"
        return None
    containers = [c for c in scoped_containers(facts, opts) if c.get("state") in ("running", "paused")]
    outcome = per_container_tri(facts, opts, check, "no container runs sshd", "containers running sshd",
                                containers=containers, none_text="no running container")
    if outcome[0] == "manual":
        return result(ERROR, outcome[1])
    return outcome


def check_5_23(facts, opts):
    """CIS 5.23: no exec session runs privileged. dockerd lists a container's exec sessions until they
    exit (inspect ExecIDs; moby daemon/monitor.go removes an exited exec from the container), and
    each one's Privileged (GET /exec/{id}/json): the sessions running at the gather are judged;
    finished ones leave no record in dockerd, and the audit log is not read."""
    def check(c):
        sessions = c.get("exec_sessions")
        if not isinstance(sessions, list):
            return ("unknown", "its exec sessions were not read (gather again with this version)")
        if any(as_dict(s).get("privileged") for s in sessions):
            return "a privileged exec session is running"
        if any(as_dict(s).get("privileged") is None for s in sessions):
            return ("unknown", "an exec session could not be inspected")
        return None
    containers = [c for c in scoped_containers(facts, opts) if c.get("state") in ("running", "paused")]
    status, evidence = per_container_tri(facts, opts, check, "no privileged exec session running",
                                         "containers with a privileged exec session", containers=containers,
                                         none_text="no running container")
    if status == "manual":
        return result(ERROR, evidence)
    if status == PASS:
        count = sum(len(as_list(c.get("exec_sessions"))) for c in containers)
        evidence = evidence + ["%d exec session(s) running at the gather; finished sessions leave no record in "
                               "dockerd" % count]
    return result(status, evidence)


def check_5_32(facts, opts):
    """CIS 5.32: no container reaches the daemon's socket through a mount: a bind mount whose host
    source is one of the unix sockets this daemon serves (dockerd_process.listeners), or a directory
    above one (a mounted /run or /var/run holds docker.sock), or any other docker.sock. The kernel
    resolves the bind's source once, at mount time, so /var/run and /run are the same directory."""
    # The same mount rule as checklist item 30 (secrets._mounts_socket), over this daemon's sockets.
    exposed = []
    for path in unix_sockets(facts) or ["/run/docker.sock"]:
        if secrets._canonical(path) not in exposed:
            exposed.append(secrets._canonical(path))

    def check(c):
        for m in as_list(c.get("mounts")):
            target = secrets._mounts_socket(as_dict(m), exposed)
            if target:
                source = secrets._canonical(as_dict(m).get("source") or "")
                return "mounts %s, which %s the Docker socket %s" % (
                    text(as_dict(m).get("source"), 120), "is" if source == target else "holds", target)
        return None
    containers = [c for c in scoped_containers(facts, opts) if c.get("state") in ("running", "paused", "restarting")]
    return per_container_tri(facts, opts, check, "no container mounts the daemon's socket or a directory above it",
                             "containers reaching the daemon's socket through a mount", containers=containers,
                             none_text="no container is running")


CHECKS = {
    "1.1.2": check_1_1_2,
    "2.4": check_2_4,
    "2.5": check_2_5,
    "2.10": check_2_10,
    "2.11": check_2_11,
    "2.12": check_2_12,
    "2.14": check_2_14,
    "2.18": check_2_18,
    "4.5": check_4_5,
    "5.7": check_5_7,
    "5.23": check_5_23,
    "5.32": check_5_32,
}
CHECKS.update((cid, audit_file(*spec)) for cid, spec in AUDIT_FILES.items())
CHECKS.update(CHECKS_3)
