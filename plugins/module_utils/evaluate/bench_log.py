# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The summary of a docker-bench-security JSON log (item 46), on the target or the controller.

docker-bench-security (functions/output_lib.sh) writes ``log/docker-bench-security.log.json``::

    {"dockerbenchsecurity": "1.6.0", "start": 1732345200,
     "tests": [{"id": "1", "desc": "Host Configuration",
                "results": [{"id": "1.1.1", "desc": "...", "result": "WARN", "details": "..."}, ...]}, ...],
     "checks": 117, "score": 12, "end": 1732345260}

It prints the file with ``printf`` and escapes nothing, so a quote in a detail breaks the JSON,
and an interrupted run never writes the closing ``checks``/``score``/``end``. The results are
then counted line by line; ``complete`` says whether the run reached its end. Standard library
only: this runs on targets.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

RESULTS = ("PASS", "WARN", "INFO", "NOTE")
_RESULT_LINE = re.compile(r'"result"\s*:\s*"([A-Z]+)"')
_FIELD = re.compile(r'"(dockerbenchsecurity|start|end|checks|score)"\s*:\s*"?([0-9A-Za-z.\-]+)"?')

# The largest log read (bytes). A real log is some hundred KiB (about 120 checks, items limited by
# docker-bench's -l); anything much larger is not one, and is not read into memory to find out.
MAX_BYTES = 16 * 1024 * 1024

# Epoch seconds a run can carry (docker-bench writes ``date +%s``): 1970 to the year 9999.
_MAX_EPOCH = 253402300799


def too_large(name, size):
    """The ``error`` of a log over MAX_BYTES."""
    return "%s is %d bytes, over the %d MiB cap on a docker-bench-security log (bench_log.MAX_BYTES): not read" % (
        name, size, MAX_BYTES // (1024 * 1024))


def read_file(path):
    """The text of the log at ``path`` (the controller's copy), never more than MAX_BYTES read: ``(text, error)``."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
            size = os.fstat(f.fileno()).st_size
    except (IOError, OSError) as exc:
        return None, "%s: %s" % (path, exc)
    if len(data) > MAX_BYTES:
        return None, too_large(path, max(size, len(data)))
    return data.decode("utf-8", "replace"), None


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _shown(value):
    try:
        text = json.dumps(value)
    except ValueError:  # NaN/Infinity with allow_nan off, never raised with the defaults
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _epoch(doc, key, problems):
    """``doc[key]`` as epoch seconds (int), None when absent; a wrong type or value is a problem."""
    value = doc.get(key)
    if value is None:
        return None
    # NaN compares false to everything, so the range test refuses it along with infinity.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= _MAX_EPOCH:
        problems.append("%s is %s, not epoch seconds" % (key, _shown(value)))
        return None
    return int(value)


def _count(doc, key, problems):
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append("%s is %s, not a whole number" % (key, _shown(value)))
        return None
    return value


def _shape(doc, counts):
    """Count the results of a parsed log into ``counts``; the problems with its shape (the format
    docker-bench's output_lib.sh writes), the first few."""
    problems = []
    tests = doc.get("tests")
    if not isinstance(tests, list):
        return ["tests is %s, not a list of sections" % _shown(tests)]
    for i, section in enumerate(tests):
        if not isinstance(section, dict):
            problems.append("tests[%d] is %s, not a section object" % (i, _shown(section)))
            continue
        results = section.get("results", [])
        if not isinstance(results, list):
            problems.append("tests[%d].results is %s, not a list" % (i, _shown(results)))
            continue
        for j, res in enumerate(results):
            status = res.get("result") if isinstance(res, dict) else None
            if not isinstance(res, dict) or not isinstance(status, str):
                problems.append("tests[%d].results[%d]%s is %s, not %s" % (
                    i, j, ".result" if isinstance(res, dict) else "", _shown(status if isinstance(res, dict) else res),
                    "a result string" if isinstance(res, dict) else "a result object"))
                continue
            if status in counts:
                counts[status] += 1
        if len(problems) >= 3:
            break
    return problems


def summarize(text):
    """``{"version", "start", "end", "checks", "score", "counts": {PASS, WARN, INFO, NOTE}, "results",
    "complete", "parsed", "error"}`` from the log's text; ``results`` is the number of recorded results
    (0 means the log holds no run). A log of valid JSON in another shape (a result that is not a
    string, ``results`` that is not a list, an ``end`` that is no epoch time) has ``error`` saying
    where, and no results: it proves no run. Never raises."""
    counts = dict((r, 0) for r in RESULTS)
    out = {"version": None, "start": None, "end": None, "checks": None, "score": None, "counts": counts,
           "results": 0, "complete": False, "parsed": "json", "error": None}
    text = text if isinstance(text, str) else ""
    if len(text) > MAX_BYTES:
        out["error"] = too_large("the log", len(text))
        return out
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, dict) and "tests" in doc:
        problems = _shape(doc, counts)
        version = doc.get("dockerbenchsecurity")
        if version is not None and not isinstance(version, str):
            problems.append("dockerbenchsecurity is %s, not a version string" % _shown(version))
            version = None
        out.update(version=version, start=_epoch(doc, "start", problems), end=_epoch(doc, "end", problems),
                   checks=_count(doc, "checks", problems), score=_count(doc, "score", problems))
        if problems:
            for status in counts:
                counts[status] = 0
            out.update(end=None, error="not a docker-bench-security log: %s" % "; ".join(problems[:3]))
    elif doc is not None:
        out["error"] = "not a docker-bench-security log: %s, not an object with tests" % _shown(doc)
    else:
        out["parsed"] = "lines"
        for status in _RESULT_LINE.findall(text):
            if status in counts:
                counts[status] += 1
        for key, value in _FIELD.findall(text):
            if key == "dockerbenchsecurity":
                out["version"] = value
            else:
                number = _number(value)
                out[key] = number if key not in ("start", "end") or (
                    number is not None and 0 <= number <= _MAX_EPOCH) else None
    out["results"] = sum(counts.values())
    out["complete"] = out["end"] is not None and out["results"] > 0
    return out


def describe(summary):
    """``64 PASS, 21 WARN, 30 INFO, 5 NOTE (score 12 of 117 checks)`` for evidence."""
    counts = summary.get("counts") if isinstance(summary.get("counts"), dict) else {}
    text = ", ".join("%s %s" % (_number(counts.get(r)) or 0, r) for r in RESULTS)
    if summary.get("checks") is not None:
        text += " (score %s of %s checks)" % (summary.get("score"), summary.get("checks"))
    return text
