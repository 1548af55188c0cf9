# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Version strings (engine, kernel, package), parsed the same way on the target and the controller.

Standard library only and Python 3.6-compatible: gather/ and the daemon.json writer import it on
the target.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_RELEASE_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")
_PARTS_RE = re.compile(r"[.\-+~_]")


def release(text):
    """``(major, minor, patch)`` of text that starts with ``[v]major.minor[.patch]`` (``20.10.24+dfsg1``,
    ``6.1.0-26-amd64``), a missing patch as 0; None for anything else."""
    m = _RELEASE_RE.match(str(text if text is not None else ""))
    if not m:
        return None
    return tuple(int(g or 0) for g in m.groups())


def sort_key(text):
    """Sortable key for version strings: numeric parts compare as numbers and sort before text
    parts, so a str is never compared with an int."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in _PARTS_RE.split(str(text)) if p != ""]
