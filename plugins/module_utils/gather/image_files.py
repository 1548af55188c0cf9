# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Files inside image layers, read on the host's disk (overlay2 / vfs) without running the image:
which images carry a shell (X.2).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import stat


# The POSIX shells a Linux image can carry, and busybox, whose ``sh`` applet is a shell without any
# /bin/sh link (``busybox sh``); in /bin and /usr/bin (merged-/usr images link one to the other).
SHELL_PATHS = ("bin/sh", "bin/bash", "usr/bin/sh", "usr/bin/bash", "bin/dash", "usr/bin/dash", "bin/ash",
               "usr/bin/ash", "bin/zsh", "usr/bin/zsh", "bin/ksh", "usr/bin/ksh", "bin/mksh", "usr/bin/mksh",
               "bin/busybox", "usr/bin/busybox",
               # distroless :debug images keep busybox in /busybox (ENTRYPOINT ["/busybox/sh"]); others put
               # shells in /usr/local/bin or sbin
               "busybox/sh", "busybox/busybox", "usr/local/bin/sh", "usr/local/bin/bash", "usr/local/bin/busybox",
               "sbin/sh", "sbin/busybox", "usr/sbin/busybox")
_SHELL_NAMES = ("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox")


def _path_dirs(ins):
    """The directories of the image's Config.Env PATH (what ``sh`` resolves to in the container), relative."""
    env = ((ins.get("Config") or {}).get("Env") or []) if isinstance(ins, dict) else []
    for item in env if isinstance(env, list) else []:
        if isinstance(item, str) and item.startswith("PATH="):
            return [d.strip("/") for d in item[5:].split(":")[:32]
                    if d.startswith("/") and ".." not in d.split("/") and d.strip("/")]
    return []


def _vfs_layer_dirs(ins, root_dir):
    """vfs keeps one full copy of the file system per layer: the image's top layer, found by its chain
    id in the layer store (``image/vfs/layerdb/sha256/<chain id>/cache-id``)."""
    diff_ids = [str(d) for d in ((ins.get("RootFS") or {}).get("Layers") or [])]
    if not diff_ids or not root_dir:
        return None
    chain = diff_ids[0]
    for diff in diff_ids[1:]:
        chain = "sha256:" + hashlib.sha256(("%s %s" % (chain, diff)).encode("ascii")).hexdigest()
    with open(os.path.join(root_dir, "image", "vfs", "layerdb", "sha256", chain.split(":", 1)[-1], "cache-id")) as f:
        return [os.path.join(root_dir, "vfs", "dir", f.read().strip())]


def image_layer_dirs(ins, root_dir=None):
    """(layer directories on this host, top first, or None; why not). overlay2 (and fuse-overlayfs)
    name them in GraphDriver.Data; vfs through the layer store under ``root_dir``."""
    gd = ins.get("GraphDriver") or {}
    name, data = gd.get("Name"), gd.get("Data") or {}
    if name in ("overlay2", "overlay", "fuse-overlayfs"):
        dirs = [data["UpperDir"]] if data.get("UpperDir") else []
        dirs += [d for d in str(data.get("LowerDir") or "").split(":") if d]
        return (dirs, None) if dirs else (None, "GraphDriver %s names no layer directories" % name)
    if name == "vfs":
        try:
            dirs = _vfs_layer_dirs(ins, root_dir)
        except (IOError, OSError) as exc:
            return None, "vfs layer store unreadable: %s" % (exc.strerror or exc)
        return (dirs, None) if dirs else (None, "vfs layer of the image unknown (no RootFS layers or DockerRootDir)")
    if not name:
        return None, "no GraphDriver (containerd image store): the image's layer files are not mapped"
    return None, "storage driver %s: the image's layer files are not mapped" % name


def _layer_entry(layers, path):
    """lstat of ``path`` (relative, components already resolved) in the top-most layer holding it."""
    for layer in layers:
        try:
            return os.lstat(os.path.join(layer, path)), layer
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise
    return None, None


def image_path_exists(layers, path, depth=0):
    """Whether ``path`` (relative to the image root) exists in the merged view of ``layers``.

    Walks one component at a time so that a symlink in the image (``bin -> usr/bin``) resolves
    inside the image, never on the host; an overlay whiteout (a 0:0 character device) hides the
    layers below. Opaque directories are not read (they do not occur on /bin in practice).
    """
    if depth > 8:
        return False
    parts = [p for p in path.split("/") if p not in ("", ".")]
    done = []
    for i, comp in enumerate(parts):
        if comp == "..":
            done = done[:-1]
            continue
        st, layer = _layer_entry(layers, "/".join(done + [comp]))
        if st is None or (stat.S_ISCHR(st.st_mode) and st.st_rdev == 0):
            return False
        if stat.S_ISLNK(st.st_mode):
            if i == len(parts) - 1:
                return True
            target = os.readlink(os.path.join(layer, *(done + [comp])))
            base = [] if target.startswith("/") else done
            return image_path_exists(layers, "/".join(base + [target] + parts[i + 1:]), depth + 1)
        if i < len(parts) - 1 and not stat.S_ISDIR(st.st_mode):
            return False
        done.append(comp)
    return True


def image_shells(ins, root_dir=None):
    """(shells found in the image, e.g. ["/bin/sh"], or None when the layer files cannot be read; why)."""
    layers, why = image_layer_dirs(ins, root_dir)
    if layers is None:
        return None, why
    try:
        candidates = list(SHELL_PATHS)
        for d in _path_dirs(ins):
            candidates.extend(c for c in ("%s/%s" % (d, n) for n in _SHELL_NAMES) if c not in candidates)
        return ["/" + p for p in candidates if image_path_exists(layers, p)], None
    except OSError as exc:
        return None, "layer files unreadable: %s (run with become)" % (exc.strerror or exc)
