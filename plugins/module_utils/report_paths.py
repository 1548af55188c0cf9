# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where reports and the audit history live on the controller.

The callback writes there and the evaluator reads the history from there (items 46 and 49),
so both must agree on one definition.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

DEFAULT_REPORT_DIR = "dockersec-reports"
REPORT_FILE = "dockersec-report.json"
# One JSON object per line: {"host", "generated_at", "score", "collection_version"}.
HISTORY_FILE = "dockersec-history.jsonl"


def report_dir(configured=None):
    """The report directory: explicit setting, else $DOCKERSEC_REPORT_DIR, else ./dockersec-reports."""
    path = configured or os.environ.get("DOCKERSEC_REPORT_DIR") or DEFAULT_REPORT_DIR
    return os.path.abspath(os.path.expanduser(path))


def history_path(configured_dir=None):
    return os.path.join(report_dir(configured_dir), HISTORY_FILE)
