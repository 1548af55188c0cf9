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
import re

RESULTS = ("PASS", "WARN", "INFO", "NOTE")
_RESULT_LINE = re.compile(r'"result"\s*:\s*"([A-Z]+)"')
_FIELD = re.compile(r'"(dockerbenchsecurity|start|end|checks|score)"\s*:\s*"?([0-9A-Za-z.\-]+)"?')


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def summarize(text):
    """``{"version", "start", "end", "checks", "score", "counts": {PASS, WARN, INFO, NOTE}, "results",
    "complete", "parsed"}`` from the log's text; ``results`` is the number of recorded results (0 means
    the log holds no run). Never raises."""
    counts = dict((r, 0) for r in RESULTS)
    out = {"version": None, "start": None, "end": None, "checks": None, "score": None, "counts": counts,
           "results": 0, "complete": False, "parsed": "json"}
    text = text if isinstance(text, str) else ""
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("tests"), list):
        for section in doc["tests"]:
            for res in (section.get("results") if isinstance(section, dict) else None) or []:
                status = res.get("result") if isinstance(res, dict) else None
                if status in counts:
                    counts[status] += 1
        out.update(version=doc.get("dockerbenchsecurity"), start=_number(doc.get("start")),
                   end=_number(doc.get("end")), checks=_number(doc.get("checks")), score=_number(doc.get("score")))
    else:
        out["parsed"] = "lines"
        for status in _RESULT_LINE.findall(text):
            if status in counts:
                counts[status] += 1
        for key, value in _FIELD.findall(text):
            if key == "dockerbenchsecurity":
                out["version"] = value
            else:
                out[key] = _number(value)
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
