# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 6, Secrets and Data Management: items 26-30."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, MANUAL, NA, PASS, SECRET_FILE_SUFFIX_RE, as_dict, as_list, container_label, days_since, docker,
    daemon_setting, image_matches, is_secret_name, limited, names, opt, per_container_tri, result, scoped_containers,
    swarm_services, swarm_state, tcp_api_exposure, text, today, daemon_listeners, daemon_meta, is_rootless,
    listener_text, rootless_text
)


def check_26(facts, opts):
    """No secret-like environment variable names in containers or swarm services (common.is_secret_name).
    ``docker inspect`` shows Config.Env values to anyone with API access; Docker secrets are files
    (docs.docker.com/engine/swarm/secrets). Only names leave the host, so the name decides."""
    facts = as_dict(facts)
    containers = scoped_containers(facts, opts, running_only=False)
    _active, _manager, swarm = swarm_state(facts)
    services = swarm_services(swarm)
    if not containers and not services:
        return result(NA, "no containers or swarm services on this host")
    bad = []
    for c in containers:
        hits = sorted(set(n for n in names(c.get("env_names")) if is_secret_name(n)))
        if hits:
            state = "" if c.get("state") == "running" else " [%s]" % text(c.get("state"), 20)
            bad.append("container %s%s: %s" % (container_label(c), state, ", ".join(text(h) for h in hits)))
    for s in services:
        hits = sorted(set(n for n in names(s.get("env_names")) if is_secret_name(n)))
        if hits:
            bad.append("service %s: %s" % (text(s.get("name")), ", ".join(text(h) for h in hits)))
    checked = "%d containers, %d swarm services checked" % (len(containers), len(services))
    if _active and _manager is False:
        # A worker cannot list services; their tasks on this node are among the containers.
        checked = "%d containers checked; swarm services are checked in the manager's report" % len(containers)
    if bad:
        return result(FAIL, ["secret-like environment variable names (%s); move the values to Docker "
                             "secrets or files" % checked] + limited(bad))
    return result(PASS, "no secret-like environment variable names (%s)" % checked)


def _mount_for(path, entries):
    """The mount entry holding ``path`` (longest target prefix, the last one mounted wins)."""
    best, best_len = None, -1
    for e in entries:
        target = e.get("target")
        if not isinstance(target, str) or not target.startswith("/"):
            continue
        t = target.rstrip("/") or "/"
        if path == t or t == "/" or path.startswith(t + "/"):
            if len(t) >= best_len:
                best, best_len = e, len(t)
    return best


_NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "9p", "virtiofs", "zfs", "fuse")


# File systems that hold nothing at rest (a writable bind mount of a path on one stores no container data).
_MEMORY_FS = ("tmpfs", "ramfs", "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "mqueue", "securityfs",
              "debugfs", "tracefs", "bpf", "configfs", "fusectl", "pstore", "hugetlbfs", "efivarfs")


_ENCRYPTING_FS = ("ecryptfs", "gocryptfs", "fuse.gocryptfs", "fuse.encfs", "fuse.cryfs")


def check_27(facts, opts):
    """DockerRootDir and volumes outside it on a dm-crypt/LUKS device."""
    facts = as_dict(facts)
    d = docker(facts)
    root = as_dict(d.get("info")).get("DockerRootDir")
    if not isinstance(root, str) or not root.startswith("/"):
        return result(ERROR, "DockerRootDir unknown: docker info did not report it")
    mounts = facts.get("mounts")
    if isinstance(mounts, list):
        entries, crypt, lsblk_error = mounts, None, "lsblk results not gathered"
    else:
        mounts = as_dict(mounts)
        entries, crypt, lsblk_error = as_list(mounts.get("entries")), mounts.get("crypt_devices"), \
            mounts.get("lsblk_error")
    entries = [e for e in entries if isinstance(e, dict)]
    paths = [("DockerRootDir", root.rstrip("/") or "/")]
    root_prefix = paths[0][1]
    for c in scoped_containers(facts, opts, running_only=False):
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            src = m.get("source")
            if m.get("type") == "volume" and isinstance(src, str) and src.startswith("/") and \
                    not (src == root_prefix or src.startswith(root_prefix + "/")):
                paths.append(("volume of %s" % container_label(c), src.rstrip("/") or "/"))
            # container data outside DockerRootDir: a bind mount's host path, a local o=bind volume's device
            device = m.get("bind_device")
            if m.get("type") == "volume" and isinstance(device, str) and device.startswith("/"):
                paths.append(("volume of %s (bind device)" % container_label(c), device.rstrip("/") or "/"))
            if m.get("type") == "bind" and m.get("rw") is not False and isinstance(src, str) and src.startswith("/"):
                paths.append(("bind mount of %s" % container_label(c), src.rstrip("/") or "/"))
    if not entries:
        return result(ERROR, "mount table not gathered: cannot tell where %s lives" % root)
    lsblk_known = crypt is not None and not lsblk_error
    crypt_names = set()
    for dev in names(crypt) if lsblk_known else []:
        crypt_names.add(dev)
        crypt_names.add(dev.rsplit("/", 1)[-1])
    bad, unknown, good = [], [], []
    seen = set()
    for what, path in paths:
        if path in seen:
            continue
        seen.add(path)
        entry = _mount_for(path, entries)
        if entry is None:
            unknown.append("%s %s: no mount entry found" % (what, text(path)))
            continue
        source, fstype = str(entry.get("source")), str(entry.get("fstype") or "")
        if what.startswith("bind mount of ") and fstype in _MEMORY_FS:
            continue   # /run/docker.sock, /proc, /dev/...: nothing kept at rest
        where = "%s %s on %s (%s, mounted at %s)" % (what, text(path), text(source), text(fstype, 20),
                                                     text(entry.get("target")))
        mapped = source.startswith("/dev/mapper/") or source.startswith("/dev/dm-")
        if source in crypt_names or source.rsplit("/", 1)[-1] in crypt_names or fstype in _ENCRYPTING_FS:
            good.append(where)
        elif fstype in _NETWORK_FS or fstype.startswith("fuse") or not source.startswith("/dev/"):
            unknown.append(where + ": encryption cannot be seen from the OS")
        elif mapped and not lsblk_known:
            unknown.append(where + ": a device-mapper device, but lsblk is unavailable (%s)"
                           % text(lsblk_error or "no crypt device list", 120))
        else:
            # a plain partition or disk cannot be dm-crypt itself, lsblk or not
            bad.append(where + ": not a dm-crypt/LUKS device")
    if bad:
        return result(FAIL, ["Docker data on unencrypted storage (if the disk is encrypted below the OS, "
                             "waive with the reason)"] + limited(bad) + limited(unknown))
    if unknown:
        return result(MANUAL, ["encryption of Docker data cannot be confirmed; attest (dockersec_attestations) "
                               "if it is encrypted"] + limited(unknown) + good)
    return result(PASS, ["Docker data on encrypted devices"] + limited(good))


def _service_secrets(swarm):
    """service name -> list of secret names; None when the services are not visible (worker)."""
    if swarm.get("services") is None:
        return None
    out = {}
    for s in swarm_services(swarm):
        out[str(s.get("name"))] = names(s.get("secrets"))
    return out


def _on_tmpfs(c, path="/run/secrets"):
    """True when ``path`` inside the container lies on a tmpfs: the deepest mount holding it (HostConfig.Tmpfs,
    Mounts) is a tmpfs. A volume or bind mount at ``path`` below a tmpfs ``/run`` shadows it (mount(8): the
    last, innermost mount is what a path resolves to), so the secrets are on disk."""
    candidates = []
    for t in as_list(c.get("tmpfs")):
        if isinstance(t, str):
            candidates.append((t.split(":", 1)[0], True))
    if isinstance(c.get("tmpfs"), dict):
        candidates.extend((str(k), True) for k in c.get("tmpfs"))
    for m in as_list(c.get("mounts")):
        m = as_dict(m)
        if isinstance(m.get("destination"), str):
            candidates.append((m.get("destination"), m.get("type") == "tmpfs"))
    best, best_len = False, -1
    for t, is_tmpfs in candidates:
        t = t.rstrip("/") or "/"
        if (path == t or t == "/" or path.startswith(t + "/")) and len(t) >= best_len:
            # at the same depth a tmpfs entry and its Mounts twin agree; a non-tmpfs mount there wins
            best = is_tmpfs if len(t) > best_len else (best and is_tmpfs)
            best_len = len(t)
    return best


def _disk_secret_mounts(c):
    """Sources of bind/volume mounts at or below /run/secrets: Compose file secrets (``secrets: {db: {file:
    ./db.txt}}``) are bind mounts of the host file at /run/secrets/<name> (compose-go/docker compose
    ``secrets`` without swarm), so the secret lives on the host's disk whatever tmpfs lies under it."""
    out = []
    for m in as_list(c.get("mounts")):
        m = as_dict(m)
        dest = m.get("destination")
        if m.get("type") in ("bind", "volume") and isinstance(dest, str) and \
                (dest.rstrip("/") == "/run/secrets" or dest.startswith("/run/secrets/")):
            out.append("%s at %s" % (text(m.get("source") or m.get("name")), text(dest)))
    return out


def check_28(facts, opts):
    """Containers that use secrets keep them on tmpfs (/run/secrets) or get them as swarm secrets; a bind or
    volume mount at or below /run/secrets (Compose file secrets) puts them on disk."""
    facts = as_dict(facts)
    _active, _manager, swarm = swarm_state(facts)
    service_secrets = _service_secrets(swarm)
    users = {}
    for c in scoped_containers(facts, opts):
        env = names(c.get("env_names"))
        secret_env = sorted(set(n for n in env if is_secret_name(n)))
        # DB_PASSWORD_FILE and the like: the container reads a secret from a file
        file_env = sorted(set(n for n in env if SECRET_FILE_SUFFIX_RE.search(n)
                              and is_secret_name(SECRET_FILE_SUFFIX_RE.sub("", n))))
        svc = c.get("swarm_service")
        svc_secrets = []
        if svc is not None and service_secrets is not None:
            svc_secrets = service_secrets.get(str(svc), [])
        if secret_env or file_env or svc_secrets or _disk_secret_mounts(c):
            users[id(c)] = (c, secret_env + file_env, svc_secrets)
    if not users:
        return result(NA, "no running container uses secrets (no secret-like env names, no swarm secrets)")

    def check(c):
        _c, env, svc_secrets = users[id(c)]
        on_disk = _disk_secret_mounts(c)
        if on_disk:
            return "secrets mounted from disk under /run/secrets (a Compose file secret is a bind mount of the " \
                   "host file): %s" % ", ".join(on_disk)
        if svc_secrets or _on_tmpfs(c):
            return None
        if c.get("swarm_service") is not None and service_secrets is None:
            return ("unknown", "uses secrets (%s); a swarm task, but its service's secrets are not visible "
                               "on this worker" % ", ".join(text(e) for e in env))
        return "uses secrets (%s) but /run/secrets is not a tmpfs and no swarm secret is attached" % ", ".join(
            text(e) for e in env)

    return per_container_tri(facts, opts, check, "containers that use secrets keep them on tmpfs or swarm secrets",
                             "secrets not on tmpfs", containers=[u[0] for u in users.values()])


def check_29(facts, opts):
    """Swarm secrets not older than secret_max_age_days; attestation off swarm."""
    facts = as_dict(facts)
    active, manager, swarm = swarm_state(facts)
    if not active:
        return result(MANUAL, "not in a swarm: secret rotation cannot be seen; attest how secrets are rotated")
    if manager is False:
        return result(NA, "only managers can see secrets; the manager's report covers it")
    secrets = swarm.get("secrets")
    if not isinstance(secrets, list):
        return result(ERROR, "swarm secrets could not be listed on this manager")
    if not secrets:
        return result(NA, "no swarm secrets defined")
    max_age = opt(opts, "secret_max_age_days")
    day = today(facts, opts)
    if day is None:
        return result(ERROR, "audit date unknown: cannot compute secret ages")
    old, unknown, fresh = [], [], 0
    for s in secrets:
        s = as_dict(s)
        name = text(s.get("name"))
        # A swarm secret's data never changes (rotation is a new secret): CreatedAt is the value's age;
        # UpdatedAt moves with a label update and says nothing about the value.
        stamp = s.get("created_at")
        age = days_since(stamp, day)
        if age is None:
            unknown.append("secret %s: creation date unreadable (%s)" % (name, text(stamp, 40)))
        elif age > max_age:
            old.append("secret %s: created %d days ago" % (name, age))
        else:
            fresh += 1
    if old:
        return result(FAIL, ["%d of %d swarm secrets older than %d days (secret_max_age_days); create a new "
                             "version and update the services" % (len(old), len(secrets), max_age)]
                      + limited(old) + limited(unknown))
    if unknown:
        return result(ERROR, ["%d secret dates unreadable" % len(unknown)] + limited(unknown))
    return result(PASS, "all %d swarm secrets younger than %d days" % (fresh, max_age))


_SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock")

# containerd's API socket: whoever reaches it starts containers as root, like Docker's.
_CONTAINERD_SOCKETS = ("/run/containerd/containerd.sock",)


def _containerd_sockets(facts):
    """Every place the audited dockerd's containerd may listen: the system one, the address it was
    given (``--containerd`` / daemon.json ``containerd``; docker info ``Containerd.Address``), and the
    one dockerd supervises itself when no system containerd runs (moby daemon/command/daemon.go
    ``initializeContainerd``: ``supervisor.Start(..., filepath.Join(ExecRoot, "containerd"))``, socket
    ``containerd.sock`` there; ``exec-root`` defaults to /var/run/docker)."""
    out = list(_CONTAINERD_SOCKETS)
    for key in ("containerd", "exec-root"):
        value, _source = daemon_setting(facts, key)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            if value.startswith("unix://"):
                value = value[len("unix://"):]
            out.append(value if key == "containerd" else posixpath.join(value, "containerd", "containerd.sock"))
        elif key == "exec-root":
            out.append("/var/run/docker/containerd/containerd.sock")
    address = as_dict(as_dict(docker(facts).get("info")).get("Containerd")).get("Address")
    if isinstance(address, str) and address.startswith("/"):
        out.append(address)
    return out


def _canonical(path):
    """``path`` normalised, /var/run spelled /run (a link to it on every systemd host, so a bind
    mount of /var/run/... is the same file; /var itself is not a parent of /run)."""
    p = posixpath.normpath(str(path))
    if p == "/var/run" or p.startswith("/var/run/"):
        p = "/run" + p[len("/var/run"):]
    return p


def rootless_socket(facts):
    """The default socket of a rootless dockerd: ``$XDG_RUNTIME_DIR/docker.sock`` (moby
    daemon/command/daemon.go defaultAPISocketPath with honorXDG, i.e. under RootlessKit): the path of
    the daemon record's unix endpoint, else /run/user/UID/docker.sock (pam_systemd's XDG_RUNTIME_DIR)."""
    meta = daemon_meta(facts)
    endpoint = meta.get("endpoint")
    if isinstance(endpoint, str) and endpoint.startswith("unix:///"):
        return endpoint[len("unix://"):]
    uid = meta.get("uid")
    if isinstance(uid, int) and not isinstance(uid, bool):
        return "/run/user/%d/docker.sock" % uid
    return None


def _socket_paths(facts, rootless=False):
    """(unix socket paths the API is served on, listener texts that cannot be stat'ed)."""
    paths, odd = [], []
    for r in daemon_listeners(facts):
        if r["error"] or r["scheme"] != "unix":
            continue
        address = r["address"]
        if rootless and r["source"].startswith("default"):
            address = rootless_socket(facts)
            if address is None:
                odd.append("rootless dockerd's default socket ($XDG_RUNTIME_DIR/docker.sock): neither its endpoint "
                           "nor its uid is known")
                continue
        if not isinstance(address, str) or not address.startswith("/"):
            odd.append("%s: a relative socket path (dockerd's working directory decides it), not stat'ed"
                       % listener_text(r))
        elif address not in paths:
            paths.append(address)
    return paths, odd


def _stat_of(files, path):
    """(key, stat): files[path], or the entry of the same file under its /var/run <-> /run spelling or realpath."""
    if isinstance(files.get(path), dict):
        return path, files[path]
    want = _canonical(path)
    for key, st in sorted(files.items()):
        if isinstance(st, dict) and (_canonical(key) == want or (
                isinstance(st.get("realpath"), str) and _canonical(st["realpath"]) == want)):
            return key, st
    return path, files.get(path)


def _mounts_socket(m, exposed=()):
    """The socket (or the directory above it) a mount brings into the container, else None.
    A ``local`` volume made with ``type=none,o=bind,device=<path>`` binds that host path
    (moby volume/local: the mount's device), so its ``bind_device`` is judged like a source."""
    src = m.get("source")
    for host_path in (src, m.get("bind_device")):
        if isinstance(host_path, str) and host_path.strip():
            s = _canonical(host_path)
            for target in exposed:
                if s == target or s == "/" or target.startswith(s.rstrip("/") + "/"):
                    return target
    for p in (src, m.get("bind_device"), m.get("destination")):
        if isinstance(p, str):
            p = p.rstrip("/")
            if p.endswith("/docker.sock") or p in ("/var/run", "/run"):
                return p
    return None


def _socket_problem(path, st, groups):
    """(problem, fine, unknown) text for one stat'ed socket; the two others None."""
    mode = st.get("mode")
    try:
        bits = int(str(mode), 8)
    except (TypeError, ValueError):
        return None, None, "%s: mode unreadable (%s)" % (path, text(mode, 20))
    owner, group = st.get("owner"), st.get("group")
    what = "%s %s %s:%s" % (path, text(mode, 8), text(owner, 32), text(group, 32))
    why = []
    if bits & 0o7117:
        why.append("mode more permissive than 0660")
    if str(owner) not in ("root", "0"):
        why.append("owner is not root")
    if str(group) not in groups:
        why.append("group not in %s" % ", ".join(groups))
    return _socket_verdict(st, what, why + _acl_grants(st, (), groups), what)


def _acl_grants(st, users, groups):
    """A POSIX ACL (acl(5)) grants beyond the mode bits: each named user or group entry outside the
    allowed ones, which with read or write reaches the API."""
    acl = as_dict(st.get("acl"))
    why = []
    for kind, allowed in (("users", users), ("groups", groups)):
        for e in as_list(acl.get(kind)):
            e = as_dict(e)
            if str(e.get("name")) not in allowed and str(e.get("id")) not in allowed:
                why.append("ACL grants %s to %s %s" % (text(e.get("perm"), 4), kind[:-1],
                                                       text(e.get("name") or e.get("id"), 32)))
    return why


def _socket_verdict(st, what, why, fine):
    """(problem, fine, unknown) of one socket from its problems; an unread ACL is unknown."""
    if why:
        return "%s: %s" % (what, "; ".join(why)), None, None
    if st.get("acl_error"):
        return None, None, "%s: POSIX ACL unreadable (%s)" % (what, text(st.get("acl_error"), 60))
    return None, fine, None


def _rootless_socket_problem(path, st, facts):
    """(problem, fine, unknown) for a rootless dockerd's socket: its own rule, not root:docker.

    moby daemon/listeners Init creates a unix socket 0660 owned by uid 0 and the group ``docker``
    resolves to (go-connections sockets NewUnixSocket: WithChown(0, gid), WithChmod(0o660)); inside
    rootlesskit's user namespace uid 0 is the daemon's user, the group its own (gid 0 of the namespace)
    or, where /etc/group names a docker group, that gid mapped into the user's subordinate range
    (login.defs(5) SUB_GID_MIN 100000: a gid no host account has). Whoever can open the socket
    commands the daemon as its user, so: owned by the daemon's user, nothing for others, group access
    only for the user's own group or such an unnamed subordinate gid, no ACL entry for anyone else."""
    meta = daemon_meta(facts)
    user, uid = meta.get("user"), meta.get("uid")
    mine = set(str(v) for v in (user, uid) if v not in (None, "") and not isinstance(v, bool))
    mode = st.get("mode")
    try:
        bits = int(str(mode), 8)
    except (TypeError, ValueError):
        return None, None, "%s: mode unreadable (%s)" % (path, text(mode, 20))
    owner, group = str(st.get("owner")), str(st.get("group"))
    what = "%s %s %s:%s" % (path, text(mode, 8), text(owner, 32), text(group, 32))
    why = []
    if not mine:
        return None, None, "%s: the rootless daemon's user is unknown (no daemon record)" % what
    if owner not in mine:
        why.append("owner is not the daemon's user %s" % text(user if user else uid, 32))
    if bits & 0o7117:
        why.append("mode more permissive than 0660")
    own_group = group in mine or (group.isdigit() and int(group) >= 100000)
    if bits & 0o060 and not own_group:
        why.append("group %s can reach the daemon (only the user's own group may)" % text(group, 32))
    return _socket_verdict(st, what, why + _acl_grants(st, mine, mine),
                           "%s (%s: only its user reaches it)" % (what, rootless_text(facts)))


def check_30(facts, opts):
    """Every unix socket the API is served on is 0660 root:docker (or stricter), no container
    mounts it (nor containerd's socket, nor a directory above either), no network listener lacks
    TLS client verification.

    Rule: the sockets are dockerd's own listeners (moby daemon/pkg/opts/hosts.go ParseDaemonHost:
    -H unix://PATH; fd:// -> docker.socket's ListenStream=, systemd.socket(5)), plus the default
    paths where present; a bind mount of a directory brings every socket below it; TCP as X.5
    (moby daemon/command/daemon.go newAPIServerTLSConfig).

    A rootless dockerd's default socket is $XDG_RUNTIME_DIR/docker.sock, not /var/run/docker.sock
    (that one is the rootful daemon's, judged in its own view), and it is judged by its own rule
    (_rootless_socket_problem: owned by the daemon's user, not root:docker).
    """
    facts = as_dict(facts)
    files = as_dict(facts.get("files"))
    problems, fine, unknown = [], [], []
    groups = opt(opts, "socket_allowed_groups")
    rootless = is_rootless(facts)
    listener_paths, odd = _socket_paths(facts, rootless)
    unknown.extend(odd)
    to_check = list(listener_paths)
    for path in () if rootless else _SOCKET_PATHS:
        if path in files and _canonical(path) not in [_canonical(p) for p in to_check]:
            to_check.append(path)
    seen_socket = False
    for path in to_check:
        key, st = _stat_of(files, path)
        if not isinstance(st, dict):
            unknown.append("%s: not stat'ed (dockerd serves the API there)" % path)
            continue
        if st.get("exists") is False:
            continue
        seen_socket = True
        bad, good, odd = _rootless_socket_problem(key, st, facts) if rootless else _socket_problem(key, st, groups)
        for bucket, line in ((problems, bad), (fine, good), (unknown, odd)):
            if line:
                bucket.append(line)
    if not seen_socket and not unknown:
        fine.append("no unix socket at %s" % " or ".join(to_check or _SOCKET_PATHS))
    exposed = []
    # A rootless dockerd's containerd listens below its exec-root, $XDG_RUNTIME_DIR/docker (moby
    # daemon/config/config_linux.go: a rootless config's default ExecRoot is under the runtime dir).
    rootless_containerd = [posixpath.join(posixpath.dirname(p), "docker", "containerd", "containerd.sock")
                           for p in listener_paths] if rootless else []
    for p in list(listener_paths) + list(_SOCKET_PATHS) + _containerd_sockets(facts) + rootless_containerd:
        if _canonical(p) not in exposed:
            exposed.append(_canonical(p))
    proxies = opt(opts, "socket_proxy_images")
    mounted_by = 0
    running = scoped_containers(facts, opts)
    for c in running:
        for m in as_list(c.get("mounts")):
            m = as_dict(m)
            target = _mounts_socket(m, exposed)
            if not target:
                continue
            mounted_by += 1
            image = c.get("image")
            ro = m.get("rw") is False
            allowed = isinstance(image, str) and image_matches(image, proxies)
            if allowed and ro:
                fine.append("container %s mounts the socket read-only (allow-listed proxy %s)"
                            % (container_label(c), text(image)))
                continue
            src = _canonical(m.get("source")) if isinstance(m.get("source"), str) else None
            what = "" if src == target else " (holds %s)" % target
            why = "mounts %s%s%s" % (text(m.get("source")), what, "" if ro else " read-write")
            if allowed:
                why += " (allow-listed proxy image, but the mount must be read-only)"
            problems.append("container %s: %s" % (container_label(c), why))
    tcp_problems, tcp_fine, tcp_unknown = tcp_api_exposure(facts)
    problems.extend(tcp_problems)
    fine.extend(tcp_fine)
    unknown.extend(tcp_unknown)
    proc = as_dict(facts.get("dockerd_process"))
    if not tcp_problems and not isinstance(proc.get("flags"), dict) and \
            not isinstance(proc.get("unit_exec_start"), str):
        unknown.append("dockerd command line unknown: cannot tell whether it listens on TCP")
    if not mounted_by:
        fine.append("no running container mounts the socket (%d checked)" % len(running))
    if problems:
        return result(FAIL, ["Docker socket exposed"] + limited(problems))
    if unknown:
        return result(ERROR, unknown)
    if not to_check:
        return result(ERROR, "the socket was not stat'ed (files collector holds no %s)" % _SOCKET_PATHS[0])
    return result(PASS, fine)


CHECKS = {"26": check_26, "27": check_27, "28": check_28, "29": check_29, "30": check_30}
