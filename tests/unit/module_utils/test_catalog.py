"""Catalog integrity: the single source of truth must stay whole and agree with the evaluators and facts.md."""

import os
import re
from collections import Counter

import pytest

from conftest import REPO

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit


def _facts_md_collectors():
    """Collector names as docs/facts.md (the facts contract) lists them under ``collectors:``."""
    with open(os.path.join(REPO, "docs", "facts.md")) as f:
        text = f.read()
    block = text.split("\ncollectors:", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^  ([a-z_]+): \{", block, re.M)
    assert len(names) >= 10, "could not read the collector list from docs/facts.md"
    return set(names)


def test_fifty_scored_items_with_ids_1_to_50():
    assert catalog.SCORED_IDS == [str(i) for i in range(1, 51)]
    assert all(catalog.is_scored(i) for i in catalog.SCORED_IDS)


def test_ten_sections_of_five_items():
    assert sorted(catalog.SECTIONS) == list(range(1, 11))
    for section in range(1, 11):
        ids = [c["id"] for c in catalog.CONTROLS if c["section"] == section]
        assert ids == [str(i) for i in range((section - 1) * 5 + 1, section * 5 + 1)], section


def test_scored_items_are_worth_100_points_and_extended_none():
    assert sum(catalog.max_points(i) for i in catalog.SCORED_IDS) == 100
    assert set(catalog.max_points(i) for i in catalog.SCORED_IDS) == {catalog.POINTS_PER_ITEM} == {2}
    assert all(catalog.max_points(i) == 0 for i in catalog.EXTENDED_IDS)


def test_at_least_twelve_extended_controls_all_named_x_n():
    assert len(catalog.EXTENDED_IDS) >= 12
    for cid in catalog.EXTENDED_IDS:
        assert re.match(r"^X\.\d+$", cid) and not catalog.is_scored(cid)
        assert catalog.get(cid)["section"] == catalog.EXTENDED_SECTION


def test_ids_are_unique_and_lookup_works():
    ids = [c["id"] for c in catalog.CONTROLS]
    assert len(ids) == len(set(ids))
    assert catalog.get(6)["id"] == "6" and catalog.get("X.1")["id"] == "X.1"


def test_every_control_has_valid_fields():
    for c in catalog.CONTROLS:
        assert c["mode"] in catalog.MODES, c["id"]
        assert c["scope"] in catalog.SCOPES, c["id"]
        assert c["title"].strip() and c["check"].strip() and c["fix"].strip(), c["id"]
        assert isinstance(c["cis"], list) and all(re.match(r"^\d+(\.\d+)+$", x) for x in c["cis"]), c["id"]
        assert len(c["requires"]) == len(set(c["requires"])), c["id"]


def test_requires_names_are_collectors_from_facts_md():
    collectors = _facts_md_collectors()
    for c in catalog.CONTROLS:
        assert set(c["requires"]) <= collectors, (c["id"], set(c["requires"]) - collectors)


def test_manual_controls_read_no_facts():
    for c in catalog.CONTROLS:
        if c["mode"] == "manual":
            assert c["requires"] == [], c["id"]


def test_every_control_has_an_evaluator_or_is_manual():
    for c in catalog.CONTROLS:
        if c["mode"] == "manual":
            assert c["id"] not in audit.CHECKS, "manual control %s has an evaluator" % c["id"]
        else:
            assert callable(audit.CHECKS.get(c["id"])), "no evaluator registered for %s" % c["id"]


def test_evaluator_registry_has_no_strays_or_duplicates():
    seen = Counter()
    for mod in audit.CHECK_MODULES:
        seen.update(getattr(mod, "CHECKS", {}).keys())
    assert [cid for cid, n in seen.items() if n > 1] == []
    assert set(seen) <= set(catalog.BY_ID), set(seen) - set(catalog.BY_ID)


def test_items_1_to_25_are_registered_by_their_modules():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon, host, images, network, runtime
    for section, mod in enumerate((host, daemon, images, runtime, network), 1):
        assert sorted(mod.CHECKS, key=int) == [str(i) for i in range(5 * section - 4, 5 * section + 1)]


_TYPES = {"list": list, "dict": dict, "str": str, "int": int, "bool": bool, "float": (int, float)}


def test_option_specs_are_typed_and_described():
    assert audit.OPTION_SPECS is catalog.OPTIONS
    for name, spec in audit.OPTION_SPECS.items():
        assert re.match(r"^[a-z][a-z0-9_]*$", name), name
        assert spec.get("type") in _TYPES, name
        assert isinstance(spec.get("default"), _TYPES[spec["type"]]), name
        assert spec.get("description", "").strip(), name
        if spec.get("min") is not None:
            assert spec["default"] >= spec["min"], name
    # The defaults themselves validate.
    assert audit.validate_options(audit.default_options()) == audit.default_options()


_PLUGINS = os.path.join(REPO, "plugins")
_OPT_CALL = re.compile(r'\bopt\(opts, "([a-z0-9_]+)"\)')


def _plugin_sources():
    for root, dummy, files in os.walk(_PLUGINS):
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(root, name)) as f:
                    yield f.read()


def test_every_option_is_read_and_every_read_is_declared():
    sources = list(_plugin_sources())
    called = set(n for source in sources for n in _OPT_CALL.findall(source))
    assert sorted(called - set(catalog.OPTIONS)) == []
    # An option nothing reads would be documented and validated, yet change nothing. The
    # evaluators read theirs with opt(); the audit action reads docker_bench_log_path itself.
    unread = [n for n in catalog.OPTIONS if n not in called and not any('"%s"' % n in s for s in sources)]
    assert unread == []


def test_the_catalog_file_refuses_a_key_defined_twice(tmp_path, monkeypatch):
    with open(catalog._DATA_FILE) as f:
        text = f.read()
    twice = text.replace('"options": {', '"options": {\n    "secret_max_age_days": {"type": "int", "default": 1, '
                                         '"description": "first"},', 1)
    path = tmp_path / "catalog.json"
    path.write_text(twice)
    monkeypatch.setattr(catalog, "_DATA_FILE", str(path))
    with pytest.raises(catalog.CatalogError, match="defines 'secret_max_age_days' twice"):
        catalog._load()


@pytest.mark.parametrize("text,message", [
    ("{not json", "cannot read the control catalog"),
    ('{"catalog_version": 99, "controls": [], "options": {}}', "is catalog_version 99, this code reads 1"),
    ('{"catalog_version": 1, "controls": [{"id": "1", "section": 1}], "options": {}}',
     "control '1' lacks or mistypes 'title'"),
    ('[1, 2]', 'must be an object with a list "controls" and an object "options"'),
    ('{"catalog_version": 1, "controls": {}, "options": {}}', 'must be an object with a list "controls"'),
    ('{"catalog_version": 1, "controls": ["7"], "options": {}}', "a control must be an object, got '7'"),
    ('{"catalog_version": 1, "controls": [{"id": "1", "section": 1, "title": "t", "cis": [], "mode": "automated", '
     '"requires": [], "scope": "host", "check": "c", "fix": "f", "rule": " "}], "options": {}}',
     "control '1' states no upstream rule"),
])
def test_a_broken_catalog_file_is_named_with_the_reason(tmp_path, monkeypatch, text, message):
    path = tmp_path / "catalog.json"
    path.write_text(text)
    monkeypatch.setattr(catalog, "_DATA_FILE", str(path))
    with pytest.raises(catalog.CatalogError, match=re.escape(message)):
        catalog._load()


def test_the_daemon_json_writer_the_target_runs_needs_neither_the_catalog_nor_the_evaluators():
    # AnsiballZ ships module_utils .py files, not catalog.json: the module docker_daemon_config
    # must import nothing that loads the catalog.
    with open(os.path.join(REPO, "plugins", "module_utils", "remediate", "daemon_config.py")) as f:
        source = f.read()
    assert "module_utils import catalog" not in source and "module_utils.evaluate" not in source


@pytest.mark.parametrize("score,band", [
    (100.0, "Excellent"), (90.0, "Excellent"), (89.9, "Good"), (80.0, "Good"), (79.9, "Acceptable (dev only)"),
    (60.0, "Acceptable (dev only)"), (59.9, "Poor"), (40.0, "Poor"), (39.9, "Critical"), (0.0, "Critical"),
])
def test_bands_follow_the_checklist(score, band):
    assert catalog.band_for(score) == band


# ---------------------------------------------------------------- least privilege (issue 7, guarantee 6)

def test_every_collector_has_a_privilege_and_a_reason():
    assert set(catalog.COLLECTOR_PRIVILEGE) == _facts_md_collectors()
    for name, (level, why) in catalog.COLLECTOR_PRIVILEGE.items():
        assert level in catalog.PRIVILEGES and why.strip(), name


def test_control_privilege_is_the_most_its_collectors_need():
    for c in catalog.CONTROLS:
        assert c["privilege"] == catalog.privilege_for(c["requires"])
    assert catalog.get("3")["privilege"] == "root"          # sshd -T
    assert catalog.get("16")["privilege"] == "docker-api"   # containers
    assert catalog.get("25")["privilege"] == "root"         # iptables beats daemon_config (none)
    assert catalog.get("30")["privilege"] == "docker-api"   # files, docker, dockerd_process
    assert catalog.get("2")["privilege"] == "none"
    assert catalog.get("34")["privilege"] == "none"         # manual: inventory only
    assert catalog.privilege_for([]) == "none"


def test_the_collection_never_asks_for_a_user_in_the_docker_group():
    # Docker socket access is root-equivalent: become, never `usermod -aG docker`.
    pattern = re.compile(r"usermod\s+(-\w*\s+)*-a?G\s*docker|groups:\s*\[?\s*docker\b|gpasswd\s+-a\s+\S+\s+docker"
                         r"|add (yourself|your user|the user) to the docker group", re.I)
    hits = []
    for top in ("README.md", "docs", "roles", "playbooks", "plugins"):
        path = os.path.join(REPO, top)
        files = [path] if os.path.isfile(path) else [os.path.join(d, f) for d, _dirs, fs in os.walk(path) for f in fs]
        for name in files:
            with open(name, errors="replace") as f:
                if pattern.search(f.read()):
                    hits.append(os.path.relpath(name, REPO))
    assert not hits


def test_every_remediation_role_is_a_role_of_this_collection():
    roles = set(os.listdir(os.path.join(REPO, "roles")))
    named = set(c["remediation_role"] for c in catalog.CONTROLS if c["remediation_role"])
    assert named and named <= roles, sorted(named - roles)
    for role in named:
        assert os.path.isfile(os.path.join(REPO, "roles", role, "tasks", "main.yml")), role
    assert catalog.BY_ID["30"]["remediation_role"] == "docker_socket"


# CIS Docker Benchmark v1.6.0 ids as docker-bench-security numbers them (tests/*.sh).
@pytest.mark.parametrize("cid, cis", [
    ("13", ["4.4"]), ("14", ["4.3"]), ("15", ["4.10"]), ("17", ["5.4", "5.5"]), ("18", ["5.13"]),
    ("19", ["5.11", "5.12", "5.29"]), ("20", ["5.26", "2.14"]), ("21", ["5.30"]), ("23", ["5.8", "5.14"]),
    ("26", ["7.4"]), ("30", ["3.15", "3.16", "5.32", "2.7"]), ("X.12", ["5.10", "5.16", "5.17", "5.21"]),
    ("X.13", ["5.6"]),
])
def test_cis_ids_match_the_benchmark(cid, cis):
    assert catalog.BY_ID[cid]["cis"] == cis


def test_every_control_names_the_upstream_rule_it_mirrors_in_the_docs():
    with open(os.path.join(REPO, "docs", "controls.md")) as f:
        rows = [line for line in f if line.startswith("| upstream rule it follows |")]
    assert len(rows) == len(catalog.CONTROLS)
    for c, row in zip(catalog.CONTROLS, rows):
        assert c["rule"].strip() and row.strip() != "| upstream rule it follows |  |", c["id"]


def test_every_module_util_carries_the_private_banner():
    # As community.docker marks its module_utils: other collections must not build on them.
    banner = ("# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.\n"
              "# Do not use this from other collections or standalone plugins/modules!\n")
    missing = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, "plugins", "module_utils")):
        for name in filenames:
            if name.endswith(".py") and name != "__init__.py":
                with open(os.path.join(dirpath, name)) as f:
                    if banner not in f.read(2000):
                        missing.append(os.path.relpath(os.path.join(dirpath, name), REPO))
    assert missing == []
