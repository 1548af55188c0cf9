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

import io
import json
import os
import tempfile


REPORT_FILE = "dockersec-report.json"

# One JSON object per line: {"host", "generated_at", "score", "collection_version"}.
HISTORY_FILE = "dockersec-history.jsonl"

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


def write_file(directory, name, text):
    """Write ``name`` in ``directory`` atomically (a temporary file renamed over it), mode 0640."""
    ensure_dir(directory)
    path = os.path.join(directory, name)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory)
    try:
        with io.open(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def append_history(directory, lines):
    """Append ``lines`` (JSON strings) to the history in one write; returns its path, or None for no lines."""
    if not lines:
        return None
    ensure_dir(directory)
    path = os.path.join(directory, HISTORY_FILE)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    with os.fdopen(fd, "a") as f:
        f.write("".join(line + "\n" for line in lines))  # one write: lines of one run stay together
    return path


def read_history(path, hosts):
    """The entries of ``hosts`` (a set of names) in the history at ``path``, oldest first.

    The one reader of the history: the audit (items 46 and 49) and the report step both use it. A
    missing or unreadable file is an empty history; corrupt lines are skipped.
    """
    entries = []
    try:
        with open(path, "rb") as f:
            for raw in f:
                try:
                    entry = json.loads(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(entry, dict) and entry.get("host") in hosts:
                    entries.append(entry)
    except (IOError, OSError):
        pass
    return entries
