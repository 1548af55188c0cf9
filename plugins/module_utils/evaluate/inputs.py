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


def read_history(path, host, warnings=None):
    """Earlier audits of ``host`` from the controller-side history (report_paths.read_history)."""
    return report_paths.read_history(path, set([host]), warnings)


def _trivy_keys(doc):
    """Every name a Trivy report knows its image by: ArtifactName, image id, tags, digests."""
    meta = doc.get("Metadata") if isinstance(doc.get("Metadata"), dict) else {}
    keys = [doc.get("ArtifactName"), meta.get("ImageID")]
    for field in ("RepoTags", "RepoDigests"):
        keys.extend(meta.get(field) if isinstance(meta.get(field), list) else [])
    return [k for k in keys if isinstance(k, str) and k]


# The largest Trivy JSON report read (bytes): a scan of a large image with every finding is a few
# tens of MiB; a file over this is refused rather than held in memory for each host audited.
TRIVY_MAX_BYTES = 64 * 1024 * 1024


def _shown(value):
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _trivy_shape(doc):
    """Why ``doc`` (parsed JSON) is not a Trivy image report in the shape item 13 reads, else None."""
    if not isinstance(doc, dict):
        return "%s, not a JSON object" % _shown(doc)
    meta = doc.get("Metadata")
    if meta is not None and not isinstance(meta, dict):
        return "Metadata is %s, not an object" % _shown(meta)
    for key in ("ImageID",):
        if meta and meta.get(key) is not None and not isinstance(meta.get(key), str):
            return "Metadata.%s is %s, not a string" % (key, _shown(meta.get(key)))
    for key in ("RepoTags", "RepoDigests"):
        value = (meta or {}).get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return "Metadata.%s is %s, not a list of strings" % (key, _shown(value))
    created = doc.get("CreatedAt")
    if created is not None and (not isinstance(created, str) or parse_timestamp(created) is None):
        return "CreatedAt is %s, not a timestamp" % _shown(created)
    results = doc.get("Results")
    if results is None:
        return None  # nothing found: Trivy leaves Results out
    if not isinstance(results, list):
        return "Results is %s, not a list" % _shown(results)
    for i, res in enumerate(results):
        if not isinstance(res, dict):
            return "Results[%d] is %s, not an object" % (i, _shown(res))
        vulns = res.get("Vulnerabilities")
        if vulns is None:
            continue
        if not isinstance(vulns, list):
            return "Results[%d].Vulnerabilities is %s, not a list" % (i, _shown(vulns))
        for j, vuln in enumerate(vulns):
            severity = vuln.get("Severity") if isinstance(vuln, dict) else None
            if not isinstance(severity, str):
                where, seen = (".Severity", severity) if isinstance(vuln, dict) else ("", vuln)
                return "Results[%d].Vulnerabilities[%d]%s is %s, not a severity string" % (i, j, where, _shown(seen))
    return None


def _read_trivy_file(name):
    """``(doc, error)`` of one Trivy JSON file, never more than TRIVY_MAX_BYTES read."""
    with open(name, "rb") as f:
        data = f.read(TRIVY_MAX_BYTES + 1)
        size = os.fstat(f.fileno()).st_size
    if len(data) > TRIVY_MAX_BYTES:
        return None, ("%s: %d bytes, over the %d MiB cap on a Trivy report (docker_audit TRIVY_MAX_BYTES): not read; "
                      "trivy --severity CRITICAL writes a smaller one"
                      % (name, max(size, len(data)), TRIVY_MAX_BYTES // (1024 * 1024)))
    try:
        doc = json.loads(data.decode("utf-8"))
    except RecursionError:
        return None, "%s: nested too deeply to be a Trivy report" % name
    why = _trivy_shape(doc)
    if why:
        return None, "%s: not a Trivy image report: %s" % (name, why)
    return doc, None


def read_trivy_results(path):
    """Trivy JSON results (a file, or a directory of ``*.json``) for item 13.

    Returns ``{"images": {name: {"critical", "created", "file", "image_id", "repo_digests"}}, "errors": [...]}``:
    ``image_id``/``repo_digests`` are the report's Metadata.ImageID/RepoDigests (what was scanned); one entry
    per name the image is known by (ArtifactName, Metadata.ImageID/RepoTags/RepoDigests); when
    an image was scanned more than once the newest scan counts. ``created`` is the report's
    CreatedAt, else the file's modification time. Files that are unreadable, over TRIVY_MAX_BYTES or
    not in the shape of a Trivy image report are listed in ``errors`` and not used.
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
            doc, error = _read_trivy_file(name)
            mtime = datetime.datetime.fromtimestamp(os.path.getmtime(name), _UTC).replace(microsecond=0, tzinfo=None)
        except (IOError, OSError, ValueError, UnicodeDecodeError) as exc:
            errors.append("%s: %s" % (name, exc))
            continue
        if error:
            errors.append(error)
            continue
        keys = _trivy_keys(doc)
        if not keys:
            errors.append("%s: not a Trivy image report (no ArtifactName)" % name)
            continue
        critical = 0
        for res in doc.get("Results") or []:
            for vuln in res.get("Vulnerabilities") or []:
                if vuln.get("Severity") == "CRITICAL":
                    critical += 1
        created = doc.get("CreatedAt") if isinstance(doc.get("CreatedAt"), str) else mtime.isoformat() + "Z"
        # What the report was a scan of (item 13 matches by these, never by a tag, which can move).
        meta = doc.get("Metadata") or {}
        scan = {"critical": critical, "created": created, "file": name,
                "image_id": meta.get("ImageID") if isinstance(meta.get("ImageID"), str) else None,
                "repo_digests": list(meta.get("RepoDigests") or [])}
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
    text, error = bench_log.read_file(name)
    if error:
        out["error"] = error
        return out
    out.update(bench_log.summarize(text))
    out["error"] = out["error"] and "%s: %s" % (name, out["error"])
    return out
