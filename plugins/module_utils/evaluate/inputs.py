# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The inputs the engine reads beside the facts, on the controller: Trivy results (item 13), a
docker-bench-security log (item 46, summarized by ``bench_log``) and this host's earlier audits
from the controller-side history (items 46 and 49, through ``report/paths.py``, which also
writes it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import glob
import json
import os

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import parse_timestamp
from ansible_collections.dockersec.hardening.plugins.module_utils.report import paths as report_paths

_UTC = datetime.timezone.utc


def read_history(path, host):
    """Earlier audits of ``host`` from the controller-side history (one JSON object a line)."""
    return report_paths.read_history(path, set([host]))


def _trivy_keys(doc):
    """Every name a Trivy report knows its image by: ArtifactName, image id, tags, digests."""
    meta = doc.get("Metadata") if isinstance(doc.get("Metadata"), dict) else {}
    keys = [doc.get("ArtifactName"), meta.get("ImageID")]
    for field in ("RepoTags", "RepoDigests"):
        keys.extend(meta.get(field) if isinstance(meta.get(field), list) else [])
    return [k for k in keys if isinstance(k, str) and k]


def read_trivy_results(path):
    """Trivy JSON results (a file, or a directory of ``*.json``) for item 13.

    Returns ``{"images": {name: {"critical", "created", "file", "image_id", "repo_digests"}}, "errors": [...]}``:
    ``image_id``/``repo_digests`` are the report's Metadata.ImageID/RepoDigests (what was scanned); one entry
    per name the image is known by (ArtifactName, Metadata.ImageID/RepoTags/RepoDigests); when
    an image was scanned more than once the newest scan counts. ``created`` is the report's
    CreatedAt, else the file's modification time. Unreadable files are listed in ``errors``.
    """
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.json")))
        if not files:
            return {"images": {}, "errors": ["%s: no *.json files" % path]}
    else:
        files = [path]
    images, errors = {}, []
    for name in files:
        try:
            with open(name, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
            mtime = datetime.datetime.fromtimestamp(os.path.getmtime(name), _UTC).replace(microsecond=0, tzinfo=None)
        except (IOError, OSError, ValueError, UnicodeDecodeError) as exc:
            errors.append("%s: %s" % (name, exc))
            continue
        keys = _trivy_keys(doc) if isinstance(doc, dict) else []
        if not keys:
            errors.append("%s: not a Trivy image report (no ArtifactName)" % name)
            continue
        critical = 0
        for res in doc.get("Results") if isinstance(doc.get("Results"), list) else []:
            vulns = res.get("Vulnerabilities") if isinstance(res, dict) else None
            for vuln in vulns if isinstance(vulns, list) else []:
                if isinstance(vuln, dict) and vuln.get("Severity") == "CRITICAL":
                    critical += 1
        created = doc.get("CreatedAt") if isinstance(doc.get("CreatedAt"), str) else mtime.isoformat() + "Z"
        # What the report was a scan of (item 13 matches by these, never by a tag, which can move).
        meta = doc.get("Metadata") if isinstance(doc.get("Metadata"), dict) else {}
        scan = {"critical": critical, "created": created, "file": name,
                "image_id": meta.get("ImageID") if isinstance(meta.get("ImageID"), str) else None,
                "repo_digests": [d for d in (meta.get("RepoDigests") if isinstance(meta.get("RepoDigests"), list)
                                             else []) if isinstance(d, str)]}
        for key in keys:
            old = images.get(key)
            newer = old is None or (parse_timestamp(created) or datetime.datetime.min) >= (
                parse_timestamp(old["created"]) or datetime.datetime.min)
            if newer:
                images[key] = scan
    return {"images": images, "errors": errors}


def read_bench_log(path):
    """The newest docker-bench-security JSON log at ``path`` (a file, or a directory of ``*.json``) on
    the controller, summarized (bench_log.summarize) with ``path``, ``mtime`` and ``error``."""
    files = sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
    dated = []
    for name in files:
        try:
            dated.append((os.path.getmtime(name), name))
        except OSError as exc:
            return {"path": name, "mtime": None, "error": "%s: %s" % (name, exc.strerror or exc)}
    if not dated:
        return {"path": path, "mtime": None, "error": "%s: no *.json files" % path}
    mtime, name = max(dated)
    out = {"path": name, "error": None,
           "mtime": datetime.datetime.fromtimestamp(mtime, _UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"}
    try:
        with open(name, "rb") as f:
            out.update(bench_log.summarize(f.read().decode("utf-8", "replace")))
    except (IOError, OSError) as exc:
        out["error"] = "%s: %s" % (name, exc)
    return out
