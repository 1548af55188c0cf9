# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""A systemd unit's effective settings, read from its files the way systemd merges them.

systemd.unit(5) "Unit File Load Path" and drop-ins: the first directory of the search path that
holds ``NAME`` gives the unit (``/etc/systemd/system`` replaces ``/lib``'s; a link to /dev/null or
an empty file masks it); ``NAME.d/*.conf`` from every directory are applied after it, in file-name
order, a file in a higher-priority directory hiding the same name below. For a list setting
(``ListenStream=``, ``ExecStart=``) each line appends and an empty assignment resets the list.
Not modelled: template instances, type-level ``socket.d``/``service.d`` drop-ins, specifiers other
than ``%t`` (the system manager's runtime directory, /run) and ``%%``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import stat

UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
             "/lib/systemd/system", "/usr/lib/systemd/system")


def _masked(h, path):
    try:
        target = h.readlink(path) if stat.S_ISLNK(h.lstat(path).st_mode) else None
    except (IOError, OSError, AttributeError):
        target = None
    if target == "/dev/null":
        return True
    try:
        return not h.read(path).strip()
    except (IOError, OSError):
        return False


def _logical_lines(text):
    """Lines with backslash continuations joined, comments and blanks dropped."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _expand(value):
    return re.sub(r"%(.)", lambda m: {"t": "/run", "%": "%"}.get(m.group(1), m.group(0)), value)


def unit_files(h, name):
    """(main unit file or None, drop-in files in the order systemd applies them, masked)."""
    main = None
    for d in UNIT_DIRS:
        path = "%s/%s" % (d, name)
        if h.exists(path):
            main = path
            break
    if main is not None and _masked(h, main):
        return main, [], True
    dropins = {}
    for d in UNIT_DIRS:
        ddir = "%s/%s.d" % (d, name)
        for entry in h.listdir(ddir):
            if entry.endswith(".conf") and entry not in dropins:
                dropins[entry] = "%s/%s" % (ddir, entry)
    return main, [dropins[k] for k in sorted(dropins)], False


def list_setting(h, name, section, key):
    """The effective values of a list setting: ``{"files": [...], "values": [...] or None, "masked", "error"}``.

    ``values`` is None when the unit has no file at all.
    """
    main, dropins, masked = unit_files(h, name)
    out = {"unit": name, "files": [], "values": None, "masked": masked, "error": None}
    if main is None or masked:
        if masked:
            out["files"] = [main]
            out["values"] = []
        return out
    values = []
    for path in [main] + dropins:
        try:
            text = h.read(path)
        except (IOError, OSError) as exc:
            out["error"] = "%s unreadable: %s" % (path, getattr(exc, "strerror", None) or exc)
            continue
        out["files"].append(path)
        current = None
        for line in _logical_lines(text):
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1].strip()
                continue
            if current != section or "=" not in line:
                continue
            k, v = line.split("=", 1)
            if k.strip() != key:
                continue
            v = v.strip()
            if not v:
                values = []
            else:
                values.append(_expand(v))
    out["values"] = values
    return out
