# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What every collector shares: the ``Host`` it reads through (file reads, stat, commands:
injectable for tests), ``CollectorError`` and ``timed``, which runs one collector and records
its state (``ok``, ``error``, ``source``, ``seconds``) under ``facts["collectors"]``.

Collectors never write anything and never copy secret values: environment variables and labels
leave the host as names only (compose/swarm identity labels and the allow-listed
``sensitive_label_keys`` of swarm services excepted); container command lines are not collected;
image history, dockerd's command line and daemon.json go through ``redact`` (values of
ENV/ARG/LABEL, build args, secret-like flags and URL credentials). The list of collectors is
registry.COLLECTORS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import glob
import os
import time


SCHEMA_VERSION = 1

BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
            "/usr/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/local/lib/docker/cli-plugins")


class CollectorError(Exception):
    """A collector could not read what it needs; the message is for a person. ``section``, when
    given, is what the facts say instead (the engine's: ``reachable: false``)."""

    def __init__(self, message, section=None):
        super(CollectorError, self).__init__(message)
        self.section = section


class Host(object):
    """Read-only access to the host; tests replace the methods with fakes."""

    def __init__(self, run_command=None, root="/"):
        self._run = run_command
        self.root = root

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/")) if self.root != "/" else p

    def read(self, p, limit=None):
        """The file's text; only its first ``limit`` bytes when given (a log that may be huge)."""
        with open(self.path(p), "rb") as f:
            return (f.read() if limit is None else f.read(limit)).decode("utf-8", "replace")

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

    def getxattr(self, p, name):
        return os.getxattr(self.path(p), name, follow_symlinks=False)

    def realpath(self, p):
        """The canonical path of ``p`` on this host (symlinks resolved, e.g. merged-/usr ``/lib``)."""
        real = os.path.realpath(self.path(p))
        if self.root != "/":
            rel = os.path.relpath(real, os.path.realpath(self.root))
            real = "/" if rel == "." else "/" + rel
        return real

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


def rule_lines(text):
    """The rules of ``auditctl -l``, ``iptables -S`` or a rules file: stripped, blanks and comments dropped."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


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
        if exc.section is not None:
            facts[name] = exc.section
    except Exception as exc:  # a collector bug must not abort the gather of the others
        state.update(ok=False, error="%s: %s" % (type(exc).__name__, exc))
    state["seconds"] = round(time.time() - start, 3)
    facts.setdefault("collectors", {})[name] = state
    return state


def iso_time(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if epoch else None
