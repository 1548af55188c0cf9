"""A fake target host for the collectors: files, commands and binaries from dicts."""

import errno
import os
import stat

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base as gather_base


class FakeHost(gather_base.Host):
    """Files, commands and binaries from dicts; nothing touches the real machine."""

    def __init__(self, files=None, commands=None, binaries=None, modes=None):
        super(FakeHost, self).__init__(run_command=self._fake_run)
        self.files = files or {}
        self.commands = commands or {}
        self.binaries = binaries or {}
        self.modes = modes or {}
        self.calls = []

    def _fake_run(self, argv, timeout):
        self.calls.append(argv)
        key = " ".join(argv)
        if key not in self.commands:
            return 127, "", "not found: %s" % key
        return self.commands[key]

    def read(self, p, limit=None):
        if p not in self.files:
            raise IOError(2, "No such file or directory")
        value = self.files[p]
        if isinstance(value, Exception):
            raise value
        return value if limit is None else value[:limit]

    def exists(self, p):
        return p in self.files or p in self.modes

    def glob(self, pattern):
        import fnmatch
        return sorted(p for p in self.files if fnmatch.fnmatch(p, pattern))

    def listdir(self, p):
        prefix = p.rstrip("/") + "/"
        return sorted(set(k[len(prefix):].split("/")[0] for k in self.files if k.startswith(prefix)))

    def lstat(self, p):
        if p in self.modes:
            mode, uid, gid = self.modes[p]
            return os.stat_result((mode, 0, 0, 1, uid, gid, 0, 0, 0, 0))
        if p in self.files:
            return os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        raise OSError(2, "No such file or directory")

    def getxattr(self, p, name):
        # POSIX ACLs from {path: raw xattr bytes or an OSError}; none otherwise (never the real file).
        value = getattr(self, "xattrs", {}).get(p)
        if value is None:
            raise OSError(errno.ENODATA, "No data available")
        if isinstance(value, Exception):
            raise value
        return value

    def readlink(self, p):
        # {path: target} in ``symlinks`` (/proc/PID/exe, /proc/PID/ns/user, fds); never the real machine's /proc.
        value = getattr(self, "symlinks", {}).get(p)
        if value is None:
            raise OSError(errno.ENOENT, "No such file or directory")
        return value

    def which(self, name):
        return self.binaries.get(name)

    def denied(self, p):
        return getattr(self, "denied_paths", {}).get(p)

    def realpath(self, p):
        # Prefix links, like a merged-/usr host's /lib -> /usr/lib: {"/lib": "/usr/lib"}.
        for link, target in sorted(getattr(self, "links", {}).items(), key=lambda kv: -len(kv[0])):
            if p == link or p.startswith(link + "/"):
                return target + p[len(link):]
        return p


def run_collector(func, *args):
    facts = {}
    state = gather_base.timed("x", func, facts, *args)
    return state, facts.get("x")
