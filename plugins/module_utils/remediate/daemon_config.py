# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""daemon.json on the target: merge, validate, classify and replace it safely.

The module dockersec.hardening.docker_daemon_config runs this on the host; the planner that
decides which settings to merge (daemon_plan.py) runs on the controller.

A key the engine does not know stops dockerd (docker/docs#19398), and a key that is also set
on the command line does too (moby/moby#22339): both are refused before anything is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil
import tempfile

from ansible_collections.dockersec.hardening.plugins.module_utils import versions

# key -> (python types, first engine version that knows it, command-line flags that conflict)
KEYS = {
    "icc": ((bool,), "1.13", ("--icc",)),
    "log-level": ((str,), "1.13", ("--log-level", "-l")),
    "debug": ((bool,), "1.13", ("--debug", "-D")),
    "userns-remap": ((str,), "1.13", ("--userns-remap",)),
    "default-ulimits": ((dict,), "1.13", ("--default-ulimit",)),
    "log-driver": ((str,), "1.13", ("--log-driver",)),
    "log-opts": ((dict,), "1.13", ("--log-opt",)),
    "no-new-privileges": ((bool,), "17.05", ("--no-new-privileges",)),
    "live-restore": ((bool,), "1.13", ("--live-restore",)),
    "userland-proxy": ((bool,), "1.13", ("--userland-proxy",)),
    "iptables": ((bool,), "1.13", ("--iptables",)),
    "ip-forward": ((bool,), "1.13", ("--ip-forward",)),
    "storage-driver": ((str,), "1.13", ("--storage-driver", "-s")),
    "data-root": ((str,), "17.05", ("--data-root",)),
    "hosts": ((list,), "1.13", ("-H", "--host")),
    "tls": ((bool,), "1.13", ("--tls",)),
    "tlsverify": ((bool,), "1.13", ("--tlsverify",)),
    "tlscacert": ((str,), "1.13", ("--tlscacert",)),
    "tlscert": ((str,), "1.13", ("--tlscert",)),
    "tlskey": ((str,), "1.13", ("--tlskey",)),
    "selinux-enabled": ((bool,), "1.13", ("--selinux-enabled",)),
    "experimental": ((bool,), "1.13", ("--experimental",)),
    "seccomp-profile": ((str,), "1.13", ("--seccomp-profile",)),
    "labels": ((list,), "1.13", ("--label",)),
    "registry-mirrors": ((list,), "1.13", ("--registry-mirror",)),
    "insecure-registries": ((list,), "1.13", ("--insecure-registry",)),
    "max-concurrent-downloads": ((int,), "1.13", ("--max-concurrent-downloads",)),
    "max-concurrent-uploads": ((int,), "1.13", ("--max-concurrent-uploads",)),
    "shutdown-timeout": ((int,), "17.05", ("--shutdown-timeout",)),
    "features": ((dict,), "19.03", ()),
    "cgroup-parent": ((str,), "1.13", ("--cgroup-parent",)),
    "default-runtime": ((str,), "1.13", ("--default-runtime",)),
    "runtimes": ((dict,), "1.13", ()),
    "exec-opts": ((list,), "1.13", ("--exec-opt",)),
    "dns": ((list,), "1.13", ("--dns",)),
    "mtu": ((int,), "1.13", ("--mtu",)),
    "bip": ((str,), "1.13", ("--bip",)),
    "default-address-pools": ((list,), "18.06", ()),
    "authorization-plugins": ((list,), "1.13", ("--authorization-plugin",)),
    "default-shm-size": ((str,), "17.06", ("--default-shm-size",)),
    "init": ((bool,), "1.13", ("--init",)),
    "containerd": ((str,), "1.13", ("--containerd",)),
}

# Settings dockerd applies on SIGHUP without a restart (moby daemon/reload.go); a restart stops
# every container unless live-restore is on, so these never trigger one.
RELOADABLE = frozenset([
    "debug", "log-level", "labels", "live-restore", "max-concurrent-downloads", "max-concurrent-uploads",
    "max-download-attempts", "shutdown-timeout", "insecure-registries", "registry-mirrors",
    "allow-nondistributable-artifacts", "default-runtime", "runtimes", "features",
])

LOG_LEVELS = ("debug", "info", "warn", "error", "fatal")


class DaemonConfigError(ValueError):
    """A change that must not be written; the message says why."""


# Keys whose value dockerd reads as a map of independent entries (one ulimit, one log option,
# one feature, one runtime): a setting adds or changes entries and keeps every other one.
MAP_KEYS = frozenset(["default-ulimits", "log-opts", "features", "runtimes"])


def merge(current, settings, absent=(), replace=()):
    """New config: ``settings`` merged over ``current``; keys in ``absent`` removed; others kept.

    A map key (``MAP_KEYS``) is merged entry by entry: an existing ``memlock`` ulimit or syslog
    ``tag`` stays, the setting's entries are added or changed. Keys in ``replace`` are taken whole
    (the log options of another log driver, which the new driver would refuse).
    """
    new = dict(current)
    for key, value in settings.items():
        old = current.get(key)
        if key in MAP_KEYS and key not in replace and isinstance(old, dict) and isinstance(value, dict):
            merged = dict(old)
            merged.update(value)
            new[key] = merged
        else:
            new[key] = value
    for key in absent:
        new.pop(key, None)
    return new


def validate(settings, engine_version=None, dockerd_flags=None):
    """Refuse unknown keys, wrong types, keys too new for the engine, conflicts with dockerd flags."""
    problems = []
    engine = versions.release(engine_version)
    flags = set(dockerd_flags or ())
    for key, value in settings.items():
        spec = KEYS.get(key)
        if spec is None:
            problems.append("%s: not a daemon.json key this module knows; refusing to write it" % key)
            continue
        types, since, conflicting = spec
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            wanted = "/".join(t.__name__ for t in types)
            problems.append("%s: must be %s, got %s" % (key, wanted, type(value).__name__))
            continue
        if engine and engine < versions.release(since):
            problems.append("%s: needs Docker Engine %s or newer, this host runs %s" % (key, since, engine_version))
        clash = sorted(flags.intersection(conflicting))
        if clash:
            problems.append("%s: also set on the dockerd command line (%s): dockerd would refuse to start"
                            % (key, ", ".join(clash)))
        if key == "log-level" and value not in LOG_LEVELS:
            problems.append("log-level: %r is not one of %s" % (value, ", ".join(LOG_LEVELS)))
        if key == "default-ulimits":
            problems.extend(_validate_ulimits(value))
    if problems:
        raise DaemonConfigError("; ".join(problems))


def _validate_ulimits(value):
    out = []
    for name, entry in value.items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), int) for k in ("Soft", "Hard")):
            out.append("default-ulimits.%s: needs integer Soft and Hard" % name)
        elif entry["Soft"] > entry["Hard"]:
            out.append("default-ulimits.%s: Soft %d above Hard %d" % (name, entry["Soft"], entry["Hard"]))
    return out


def clamp_ulimits(ulimits, process_limits):
    """Lower nofile/nproc to dockerd's own hard limits: above them every new container fails to start.

    Returns (ulimits, notes).
    """
    out, notes = {}, []
    for name, entry in ulimits.items():
        entry = dict(entry)
        ceiling = (process_limits or {}).get("%s_hard" % name)
        if isinstance(ceiling, int) and isinstance(entry.get("Hard"), int) and entry["Hard"] > ceiling:
            notes.append("%s lowered from %d to dockerd's hard limit %d" % (name, entry["Hard"], ceiling))
            entry["Hard"] = ceiling
            entry["Soft"] = min(entry.get("Soft", ceiling), ceiling)
        entry.setdefault("Name", name)
        out[name] = entry
    return out, notes


def changed_keys(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def needs_restart(keys):
    """True when any changed key is one dockerd only reads at start."""
    return any(k not in RELOADABLE for k in keys)


class WriteError(Exception):
    """Installing the new file failed; the message says which step, why, and that the old file is intact."""

    def __init__(self, message, errno_=None):
        super(WriteError, self).__init__(message)
        self.errno = errno_


# errno -> what an operator should read first; the errno name and strerror follow it.
_ERRNO_HINTS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "I/O error",
}


def describe_os_error(exc):
    """'disk full (ENOSPC: No space left on device)' for an OSError; the plain text for anything else."""
    code = getattr(exc, "errno", None)
    if code is None:
        return str(exc)
    name = errno.errorcode.get(code, "errno %s" % code)
    reason = getattr(exc, "strerror", None) or os.strerror(code)
    hint = _ERRNO_HINTS.get(code)
    return "%s (%s: %s)" % (hint, name, reason) if hint else "%s: %s" % (name, reason)


def _remove_quietly(path):
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


def _copy_backup(path, backup):
    """Copy ``path`` to ``backup`` (contents and mode), fsynced; a partial copy is removed."""
    try:
        with open(path, "rb") as src, open(backup, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copystat(path, backup)
    except (IOError, OSError):
        _remove_quietly(backup)
        raise


def safe_replace(path, text, backup_dir=None, stamp="", validate=None, move=None):
    """Replace ``path`` with ``text`` so that a failure at any step leaves the old file as it was.

    Order: (1) back up the existing file (into ``backup_dir``, default the file's directory);
    (2) write the candidate to a temp file in the target's own directory, fsynced (a rename
    within one file system is atomic, so readers see the old file or the new one, never half);
    (3) ``validate(candidate)`` may raise to refuse it; (4) ``move(candidate, path)`` (default
    os.rename). On any failure the temp file and the backup of this run are removed and
    WriteError says which step failed and why (``disk full (ENOSPC: ...)``). Returns the
    backup path, or None when there was no previous file. A symlink is written through: the
    link's final target is what is backed up and replaced.
    """
    move = move or os.rename
    # A symlinked daemon.json (kept in a config repository, say) stays a link: the new text goes
    # to the file it points at, backed up and replaced atomically in that file's own directory
    # (a rename over the link would turn it into a plain file and cut it off from its source).
    path = os.path.realpath(path)
    directory = os.path.dirname(path) or "."
    existed = os.path.exists(path)
    backup = None
    if existed:
        backup_dir = backup_dir or directory
        backup = os.path.join(backup_dir, "%s.%s.bak" % (os.path.basename(path), stamp or "backup"))
        try:
            if not os.path.isdir(backup_dir):
                os.makedirs(backup_dir, 0o700)
            _copy_backup(path, backup)
        except (IOError, OSError) as exc:
            raise WriteError("could not back up %s to %s: %s; nothing was changed"
                             % (path, backup, describe_os_error(exc)), getattr(exc, "errno", None))
    candidate = None
    done = False
    step = "write the new file in %s" % directory
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        fd, candidate = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if existed:
            shutil.copymode(path, candidate)
        else:
            os.chmod(candidate, 0o644)
        if validate is not None:
            step = "validate the new file"
            validate(candidate)
        step = "move the new file over %s" % path
        move(candidate, path)
        done = True
    except (IOError, OSError) as exc:
        raise WriteError("could not %s: %s; %s is unchanged and nothing was changed"
                         % (step, describe_os_error(exc), path), getattr(exc, "errno", None))
    finally:
        # Also on a refusal from ``validate`` (which may exit the module): no stray temp file,
        # and no backup of a change that never happened.
        if not done:
            _remove_quietly(candidate)
            _remove_quietly(backup)
    return backup
