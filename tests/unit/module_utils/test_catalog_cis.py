"""The CIS profile's loader (catalog.load_cis, BRIEF C3): a data typo is a load error naming the entry."""

import pytest

from cis_fixture import raw_profile

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import cis, rules


def _rec(raw, rid):
    return [r for r in raw["recommendations"] if r["id"] == rid][0]


def test_the_fixture_loads_with_each_kind_and_its_derived_fields():
    profile = catalog.load_cis(raw_profile())
    kinds = dict((r["id"], r["kind"]) for r in profile["recommendations"])
    assert kinds == {"1.1.1": None, "2.2": "reuses", "2.8": "evaluator", "3.17": "expr", "5.5": "expr"}
    rec = profile["by_id"]["2.2"]
    # A reused control is judged on the collectors the checklist control needs.
    assert rec["requires"] == catalog.get("7")["requires"]
    assert (rec["section"], rec["section_name"], rec["level"]) == (2, "Docker daemon configuration", 1)
    assert profile["by_id"]["3.17"]["privilege"] == "none"
    assert profile["by_id"]["2.8"]["privilege"] == "docker-api"


@pytest.mark.parametrize("cis_id, v180", [
    ("2.6", "2.6"), ("2.7", "2.8"), ("2.12", "2.13"), ("2.18", "2.19"), ("2.19", "2.19"), ("1.1.7", "1.1.7"),
    ("5.26", "5.26"), ("3.7", "3.7"),
])
def test_v180_renumbers_only_section_2_from_2_7_to_2_18(cis_id, v180):
    assert catalog.v180_id(cis_id) == v180


def _error(raw):
    with pytest.raises(catalog.CatalogError) as exc:
        catalog.load_cis(raw)
    return str(exc.value)


@pytest.mark.parametrize("rid, change, message", [
    ("2.8", {"v180": "2.8"}, "v180 must be '2.9'"),
    ("2.2", {"v180": "2.3"}, "v180 must be '2.2'"),
    ("5.5", {"v180": None}, "v180 must be '5.5'"),
    ("2.2", {"reuses": "99"}, "reuses '99', which is not a catalog control id"),
    ("2.2", {"reuses": "47"}, "a manual control"),
    ("2.2", {"evaluator": True}, "exactly one of reuses, evaluator, expr, got reuses, evaluator"),
    ("1.1.1", {"expr": {"query": "host", "compare": "truthy"}}, "a manual recommendation is decided by an attestation"),
    ("2.8", {"evaluator": "yes"}, "evaluator must be true"),
    ("5.5", {"expr": {"query": "docker.containers[?", "compare": "empty"}}, "expr.query is not a valid JMESPath"),
    ("5.5", {"expr": {"query": "docker.x", "compare": "gt", "expected": "3"}}, "expr.expected must be a number"),
    ("3.17", {"level": 3}, "level must be 1, 2 or null"),
    ("3.17", {"level": True}, "level must be 1, 2 or null"),
    ("2.2", {"mode": "Automated"}, "mode must be one of automated, manual"),
    ("2.2", {"title": ""}, "title must be a non-empty string"),
    ("2.8", {"requires": ["dokcer"]}, "requires must be a list of collectors"),
    ("2.8", {"evalutor": True}, "unknown key(s) evalutor"),
    ("5.5", {"id": "5.5a"}, "id must be a dotted CIS number"),
])
def test_a_bad_recommendation_is_a_load_error_naming_it(rid, change, message):
    raw = raw_profile()
    _rec(raw, rid).update(change)
    text = _error(raw)
    assert message in text
    assert "(id %r)" % change.get("id", rid) in text


def test_an_automated_recommendation_without_a_way_to_decide_it_is_refused():
    raw = raw_profile()
    del _rec(raw, "2.8")["evaluator"]
    assert "(id '2.8'): an automated recommendation needs exactly one of reuses, evaluator, expr, got none" in _error(raw)


def test_ids_are_unique_and_sections_known():
    raw = raw_profile()
    raw["recommendations"].append(dict(_rec(raw, "5.5")))
    assert "id 5.5 is defined twice" in _error(raw)
    raw = raw_profile()
    raw["recommendations"].append({"id": "6.1", "v180": "6.1", "title": "t", "mode": "manual", "level": None,
                                   "check": "c"})
    assert "its section 6 is not one of the profile's sections" in _error(raw)


def test_the_profile_keys_are_checked():
    raw = raw_profile()
    del raw["version"]
    raw["recomendations"] = []
    text = _error(raw)
    assert "version must be a non-empty string" in text and "unknown key(s) recomendations" in text


def test_without_jmespath_the_rules_shape_is_still_checked(monkeypatch):
    monkeypatch.setattr(rules, "jmespath", None)
    assert catalog.load_cis(raw_profile())["by_id"]["5.5"]["kind"] == "expr"
    raw = raw_profile()
    _rec(raw, "5.5")["expr"]["compare"] = "equals"
    assert "expr.compare must be one of" in _error(raw)


def test_no_profile_is_none_and_cis_ids_are_looked_up_with_their_prefix(monkeypatch):
    assert catalog.load_cis(None) is None
    profile = catalog.load_cis(raw_profile())
    monkeypatch.setattr(catalog, "cis_profile", lambda: profile)
    assert catalog.lookup("cis:5.5")["title"] == "Ensure privileged containers are not used"
    assert catalog.lookup("5.5") is None and catalog.lookup("cis:9.9") is None
    assert catalog.lookup("7")["id"] == "7"


def test_the_catalogs_own_cis_profile_loads_and_every_evaluator_is_registered():
    # The real data (helper cisdata): every "evaluator": true has a function in evaluate/cis.py, and
    # cis.py has none that no recommendation names.
    profile = catalog.cis_profile()
    wanted = set(r["id"] for r in (profile or {}).get("recommendations", []) if r["kind"] == "evaluator")
    assert wanted == set(cis.CHECKS)
