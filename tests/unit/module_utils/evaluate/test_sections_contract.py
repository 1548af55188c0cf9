"""Items 26-50 together: every check's contract (options, timestamps), purity and robustness on random and malformed facts.

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from conftest import make_facts
from sections_support import (
    CHECKS, OPTIONS, TODAY, _history, assert_robust, checks_ops, malformed_facts, malformed_opts, opts, swarm_facts,
)

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog


# --- contract --------------------------------------------------------------------------------------

def test_checks_cover_every_non_manual_item_26_to_50():
    wanted = set(c["id"] for c in catalog.CONTROLS
                 if catalog.is_scored(c["id"]) and 26 <= int(c["id"]) <= 50 and c["mode"] != "manual")
    assert set(CHECKS) == wanted
    for cid in ("34", "44", "47", "48"):
        assert catalog.get(cid)["mode"] == "manual" and cid not in CHECKS


def test_opt_coerces_and_falls_back_to_defaults():
    assert checks_ops.opt({}, "secret_max_age_days") == 90
    assert checks_ops.opt({"secret_max_age_days": "30"}, "secret_max_age_days") == 30
    assert checks_ops.opt({"secret_max_age_days": "soon"}, "secret_max_age_days") == 90
    assert checks_ops.opt({"secret_max_age_days": -1}, "secret_max_age_days") == 90
    assert checks_ops.opt({"allow_single_manager": "yes"}, "allow_single_manager") is True
    assert checks_ops.opt({"private_registries": "registry.acme.io"}, "private_registries") == ["registry.acme.io"]
    # the default list is never shared with callers
    checks_ops.opt({}, "private_registries").append("x")
    assert OPTIONS["private_registries"]["default"] == []


@pytest.mark.parametrize("cid", sorted(CHECKS, key=int))
def test_every_check_works_with_empty_options(cid):
    status, evidence = CHECKS[cid](make_facts(), {})
    assert status in ("pass", "fail", "not_applicable", "manual", "error")
    assert evidence and all(isinstance(e, str) for e in evidence)


@pytest.mark.parametrize("value,expected", [
    ("2026-11-23T05:00:00Z", datetime.datetime(2026, 11, 23, 5, 0, 0)),
    ("2026-11-23T05:00:00.123456789Z", datetime.datetime(2026, 11, 23, 5, 0, 0, 123456)),
    ("2026-11-23T07:00:00+02:00", datetime.datetime(2026, 11, 23, 5, 0, 0)),
    ("2026-11-23", datetime.datetime(2026, 11, 23)),
    (datetime.date(2026, 11, 23), datetime.datetime(2026, 11, 23)),
    ("2026-02-30T00:00:00Z", None), ("yesterday", None), (None, None), (True, None), (float("nan"), None),
])
def test_parse_timestamp(value, expected):
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import parse_timestamp
    assert parse_timestamp(value) == expected


def test_days_since():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import days_since
    assert days_since("2026-11-13T23:59:59Z", TODAY) == 10
    assert days_since("garbage", TODAY) is None and days_since("2026-11-13", None) is None


# --- purity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid", sorted(CHECKS, key=int))
def test_checks_do_not_mutate_facts_or_opts(cid):
    f = swarm_facts()
    o = opts(_history=_history(3))
    f0, o0 = copy.deepcopy(f), copy.deepcopy(o)
    CHECKS[cid](f, o)
    assert f == f0 and o == o0


# --- robustness: random and malformed facts -------------------------------------------------------


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(facts=malformed_facts(), options=malformed_opts(sorted(OPTIONS)))
def test_checks_never_raise_on_malformed_facts(facts, options):
    assert_robust(CHECKS, facts, options)
