# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The report files and their names: which formats exist, how a request names them, and
``render_format(fmt, document, previous)`` -> the text of one report file.

Every format is built from the same document the JSON report is (``document.build_document``):

``json``   -> document.dumps_document
``junit``  -> junit.to_junit: one testsuite per host, one testcase per control
``sarif``  -> sarif.to_sarif: one rule per control, one result per failing control per host
``md``     -> markdown.to_markdown: a CI job summary, a merge request comment
``html``   -> html_page.to_html: one self-contained page, inline CSS, JS and SVG, no network fetch
``prom``   -> prometheus.to_prometheus: node_exporter textfile format

``previous``, where a renderer takes it, is an earlier JSON report: the trend per host is
computed against it (``view.host_trends``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.report import (
    html_page, junit, markdown, paths, prometheus, sarif
)
from ansible_collections.dockersec.hardening.plugins.module_utils.report.document import dumps_document


# Format name -> file name in the report directory. JSON is always written.
FORMATS = ("json", "junit", "sarif", "md", "html", "prom")

FILE_NAMES = {
    "json": paths.REPORT_FILE,
    "junit": "dockersec-report.junit.xml",
    "sarif": "dockersec-report.sarif",
    "md": "dockersec-report.md",
    "html": "dockersec-report.html",
    "prom": prometheus.FILE_NAME,
}

ALIASES = {"markdown": "md", "xml": "junit", "xunit": "junit", "prometheus": "prom", "openmetrics": "prom"}


def parse_formats(value):
    """The formats to write: ``"json,junit"``, a list, or ``"all"``; JSON always first.

    Returns ``(formats, unknown)``: the known formats in canonical order, and the names not known.
    """
    if value is None:
        items = []
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            items.extend(str(item).split(","))
    else:
        items = str(value).split(",")
    wanted, unknown = set(["json"]), []
    for item in items:
        name = item.strip().lower()
        if not name:
            continue
        name = ALIASES.get(name, name)
        if name == "all":
            wanted.update(FORMATS)
        elif name in FORMATS:
            wanted.add(name)
        elif item.strip() not in unknown:
            unknown.append(item.strip())
    return [f for f in FORMATS if f in wanted], unknown


def render_format(fmt, document, previous=None):
    """The text of the report file for ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return dumps_document(document)
    if fmt == "junit":
        return junit.to_junit(document)
    if fmt == "sarif":
        return sarif.dumps_sarif(sarif.to_sarif(document))
    if fmt == "md":
        return markdown.to_markdown(document, previous)
    if fmt == "html":
        return html_page.to_html(document, previous)
    if fmt == "prom":
        return prometheus.to_prometheus(document, previous)
    raise ValueError("unknown report format %r (known: %s)" % (fmt, ", ".join(FORMATS)))
