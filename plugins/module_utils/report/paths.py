# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Where reports and the audit history live on the controller, and how they are written.

The audit reads the history from there (items 46 and 49) and the report step writes it, so
both take the directory from one definition: the playbook variable ``dockersec_report_dir``,
else ``$DOCKERSEC_REPORT_DIR``, else a per-user directory that does not depend on where the
playbook was started from (a directory relative to the current one would start a new, empty
history whenever the run starts elsewhere).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import glob
import io
import json
import math
import os
import signal
import tempfile
import time


REPORT_FILE = "dockersec-report.json"

# One JSON object per line: {"history_format", "host", "generated_at", "score", ..., "daemons"}
# (document.history_lines).
HISTORY_FILE = "dockersec-history.jsonl"

# The version of a history record's shape, in every line written ("history_format"). Lines without it
# are the format before versioning (0). Readers take the keys they know and ignore the others, so a
# line written by a later collection (a higher version, more keys) still counts.
# 2: ``daemons``, each daemon's score beside the host's (its weakest daemon's); 1 lines have none.
HISTORY_FORMAT = 2

# What a history line keeps of each daemon (format 2).
HISTORY_DAEMON_KEYS = ("name", "rootless", "score", "coverage")

# A record is a few hundred bytes: a longer line is not one (and is not read into memory whole).
HISTORY_MAX_LINE = 64 * 1024

# How many malformed history lines are named one by one; the rest are counted.
HISTORY_WARN_LINES = 5

# What the temporary files of write_file/write_reports look like, and the age at which one left
# behind (a kill -9 runs no cleanup) is swept by the next report step.
TMP_GLOB = ".dockersec*.tmp"
STALE_TMP_SECONDS = 3600

FILE_MODE = 0o640

DIR_MODE = 0o750


def default_report_dir():
    """``$XDG_DATA_HOME/dockersec`` (``~/.local/share/dockersec``): the same whatever the current directory."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "dockersec")


def report_dir(configured=None):
    """The report directory: explicit setting, else $DOCKERSEC_REPORT_DIR, else ``default_report_dir()``."""
    path = configured or os.environ.get("DOCKERSEC_REPORT_DIR") or default_report_dir()
    return os.path.abspath(os.path.expanduser(path))


def history_path(configured_dir=None):
    return os.path.join(report_dir(configured_dir), HISTORY_FILE)


def ensure_dir(directory):
    if not os.path.isdir(directory):
        os.makedirs(directory, DIR_MODE)


def _stage(directory, name, text, made, interrupts=None):
    """A complete, fsynced temporary copy of ``name`` in ``directory`` (mode 0640); its path, also
    added to ``made`` the moment it exists, for the caller to remove whatever happens next."""
    if interrupts is not None:
        interrupts.hold()  # an interrupt between the file's creation and its record would leave it behind
    try:
        fd, tmp = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory)
        made.append(tmp)
    finally:
        if interrupts is not None:
            interrupts.release()
    with io.open(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, FILE_MODE)
    return tmp


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def write_file(directory, name, text):
    """Write ``name`` in ``directory`` atomically (a temporary file renamed over it), mode 0640."""
    ensure_dir(directory)
    path = os.path.join(directory, name)
    made = []
    try:
        os.replace(_stage(directory, name, text, made), path)
    except BaseException:
        for tmp in made:
            _unlink(tmp)
        raise
    return path


def sweep_stale_tmp(directory, max_age=STALE_TMP_SECONDS, now=None):
    """Remove the report step's temporary files older than ``max_age`` seconds (left by a killed
    run: kill -9 runs no cleanup); younger ones may belong to a run in progress. Returns their paths."""
    now = time.time() if now is None else now
    removed = []
    for path in glob.glob(os.path.join(directory, TMP_GLOB)):
        try:
            if now - os.lstat(path).st_mtime > max_age:
                os.unlink(path)
                removed.append(path)
        except OSError:
            continue
    return removed


class _Interrupted(BaseException):
    """SIGINT/SIGTERM during the report step, raised so that the temporary files are removed on the way out."""


class _Interrupts(object):
    """SIGINT/SIGTERM while the report step writes: the first one raises _Interrupted (once, so that
    the cleanup it starts is not cut short by the next: Ctrl-C reaches an Ansible worker as a SIGINT
    and then a SIGTERM); one that comes while held (``hold``/``release``) is raised at the release.
    Every one is recorded, and ``restore`` gives the first to the handler that was there before."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.pending, self.saved, self.raising, self.held = [], {}, True, False

    def _handle(self, signum, frame):
        self.pending.append(signum)
        if self.raising and not self.held:
            self.raising = False
            raise _Interrupted(signum)

    def install(self):
        try:
            for sig in self.SIGNALS:
                self.saved[sig] = signal.signal(sig, self._handle)
        except ValueError:  # not the main thread: an interrupt arrives as KeyboardInterrupt or not at all
            pass

    def hold(self):
        self.held = True

    def release(self):
        self.held = False
        if self.raising and self.pending:
            self.raising = False
            raise _Interrupted(self.pending[0])

    def restore(self):
        """The earlier handlers back, then the first signal (if any) delivered to them."""
        self.raising = False
        for sig, handler in self.saved.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(sig, handler)
        if self.saved and self.pending:
            os.kill(os.getpid(), self.pending[0])


def write_reports(directory, files, lines=None, optional=()):
    """Write the report ``files`` (``[(name, text)]``) and then append the history ``lines``, all or nothing.

    Every file is first written in full to a temporary file beside it (``.<name>.*.tmp``); only
    when all are complete are they renamed over the old ones and the history line appended, with
    SIGINT/SIGTERM held for those few system calls. An interrupt or an error before that leaves
    every old report as it was, no history line and no temporary file. An Ansible worker dies at
    once on either signal (its handler kills its process group): they are caught here while the
    files are written, and given to the earlier handler once the temporary files are removed
    (KeyboardInterrupt when that handler lets the signal pass). Temporary files a killed run left
    behind (older than STALE_TMP_SECONDS) are swept first.

    A file named in ``optional`` that cannot be written is left out with a warning rather than
    failing the rest. Returns ``(written paths, warnings)``.
    """
    ensure_dir(directory)
    sweep_stale_tmp(directory)
    made, staged, written, warnings = [], [], [], []
    interrupts = _Interrupts()
    interrupts.install()
    try:
        for name, text in files:
            try:
                staged.append((_stage(directory, name, text, made, interrupts), os.path.join(directory, name)))
            except (IOError, OSError) as exc:
                if name not in optional:
                    raise
                warnings.append("writing %s to %s: %s" % (name, directory, exc))
        interrupts.hold()
        for tmp, path in staged:
            os.replace(tmp, path)
            written.append(path)
        history = append_history(directory, lines)
        if history:
            written.append(history)
        _fsync_dir(directory)
        interrupts.release()
        return written, warnings
    except _Interrupted:
        pass
    finally:
        interrupts.raising = False
        for tmp in made:
            if os.path.lexists(tmp):
                _unlink(tmp)
        interrupts.restore()
    # Here only when the earlier handler let the signal pass (ignored, or a handler that returns).
    name = signal.Signals(interrupts.pending[0]).name
    if written:
        raise KeyboardInterrupt("%s after the reports and the history were written" % name)
    raise KeyboardInterrupt("%s during the report step: the reports and the history are unchanged" % name)


def _fsync_dir(directory):
    """The renames survive a crash (best effort: not every platform opens directories)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def append_history(directory, lines):
    """Append ``lines`` (JSON strings) to the history in one write; returns its path, or None for no lines.

    A history whose last line lacks its newline (an editor, a copy, a disk that filled up) gets one
    first, so the two records stay two lines; an exclusive lock keeps concurrent runs from
    interleaving that check with their own append.
    """
    if not lines:
        return None
    ensure_dir(directory)
    path = os.path.join(directory, HISTORY_FILE)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        while data:  # one write for a run's lines (the loop only for a short write)
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _lock(fd):
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX)
    except (ImportError, OSError):
        pass  # no advisory locks here (a platform or file system without them): O_APPEND still holds


def _bounded_lines(f, limit):
    """``(line number, bytes or None)`` for each line of ``f``; None for a line longer than ``limit``,
    which is skipped to its end without being held in memory."""
    number = 0
    while True:
        raw = f.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while True:
                rest = f.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, raw


def _number_or_none(value, low=None, high=None):
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _timestamp_ok(value):
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import parse_timestamp
    return isinstance(value, str) and parse_timestamp(value) is not None


def record_problem(entry):
    """Why ``entry`` (one parsed history line) is not a history record, else None.

    Only the keys readers use are checked; any other key is left alone (a later collection adds some).
    """
    if not isinstance(entry, dict):
        return "not a JSON object"
    host = entry.get("host")
    if not isinstance(host, str) or not host:
        return "host is %s, not a host name" % _shown(host)
    version = entry.get("history_format", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return "history_format is %s, not a version number" % _shown(version)
    if not _timestamp_ok(entry.get("generated_at")):
        return "generated_at is %s, not a timestamp" % _shown(entry.get("generated_at"))
    for key, low, high in (("score", 0, 100), ("coverage", 0, 100), ("earned", 0, None), ("applicable", 0, None),
                           ("waivers", 0, None)):
        if not _number_or_none(entry.get(key), low, high):
            span = "" if high is None else " from %s to %s" % (low, high)
            return "%s is %s, not a number%s" % (key, _shown(entry.get(key)), span)
    if entry.get("before") is not None and not isinstance(entry.get("before"), dict):
        return "before is %s, not an object" % _shown(entry.get("before"))
    return _daemons_problem(entry.get("daemons"))


def _daemons_problem(daemons):
    """Why a record's ``daemons`` (format 2; absent before) is not a list of daemon scores, else None."""
    if daemons is None:
        return None
    if not isinstance(daemons, list):
        return "daemons is %s, not a list" % _shown(daemons)
    for n, daemon in enumerate(daemons):
        if not isinstance(daemon, dict):
            return "daemons[%d] is %s, not an object" % (n, _shown(daemon))
        for key in ("score", "coverage"):
            if not _number_or_none(daemon.get(key), 0, 100):
                return "daemons[%d].%s is %s, not a number from 0 to 100" % (n, key, _shown(daemon.get(key)))
    return None


def _shown(value):
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_history_records(path):
    """``(records, warnings)``: every well-formed record of the history at ``path``, oldest first, and
    one warning per line skipped (file and line number, why), the first HISTORY_WARN_LINES named.

    The one reader of the history: the audit (items 46 and 49) and the report step both use it. A
    missing file is an empty history, an unreadable one a warning; no line can make it raise.
    """
    records, skipped = [], []
    try:
        with open(path, "rb") as f:
            for number, raw in _bounded_lines(f, HISTORY_MAX_LINE):
                if raw is None:
                    skipped.append((number, "longer than %d bytes" % HISTORY_MAX_LINE))
                    continue
                if not raw.strip():
                    continue
                try:
                    entry = json.loads(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                    skipped.append((number, "not JSON (%s)" % str(exc)[:80]))
                    continue
                why = record_problem(entry)
                if why:
                    skipped.append((number, why))
                    continue
                records.append(entry)
    except (IOError, OSError) as exc:
        if getattr(exc, "errno", None) != errno.ENOENT:
            return records, ["history %s unreadable, read as empty: %s" % (path, exc)]
    warnings = ["history %s line %d skipped: %s" % (path, n, why) for n, why in skipped[:HISTORY_WARN_LINES]]
    if len(skipped) > HISTORY_WARN_LINES:
        warnings.append("history %s: %d more malformed lines skipped" % (path, len(skipped) - HISTORY_WARN_LINES))
    return records, warnings


def read_history(path, hosts, warnings=None):
    """The records of ``hosts`` (a set of names) in the history at ``path``, oldest first (read_history_records);
    the warnings about skipped lines are added to the list ``warnings`` when one is given."""
    records, found = read_history_records(path)
    if warnings is not None:
        warnings.extend(found)
    return [r for r in records if r["host"] in hosts]
