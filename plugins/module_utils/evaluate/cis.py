# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators of the CIS Docker Benchmark recommendations that need Python (catalog ``"evaluator": true``).

``CHECKS`` maps a CIS v1.6.0 id to ``check(facts, opts)`` -> ``(status, evidence)``, called by
evaluate/profiles.py on one daemon's view, as the checklist's evaluators are. Recommendations a
checklist control decides (``reuses``) or a declarative rule decides (``expr``) have none here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CHECKS = {}
