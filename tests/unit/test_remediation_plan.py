"""One spine: the catalog says which role fixes which control; roles and playbooks only ask it."""

import glob
import os
import re

import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# How a control id is named in role and playbook YAML: a deferral's `id: "25"`, a gate such as
# `'37' in swarm_fixable`, or any quoted extended id.
ID_PATTERNS = (
    re.compile(r"""\bid['"]?\s*:\s*['"]?(X\.\d+|\d+)\b"""),
    re.compile(r"""['"](X\.\d+|\d+)['"]\s+(?:not\s+)?in\b"""),
    re.compile(r"""['"](X\.\d+)['"]"""),
)


def ids_named_in(path):
    with open(path) as f:
        text = "\n".join(line for line in f.read().splitlines() if not line.lstrip().startswith("#"))
    found = set()
    for pattern in ID_PATTERNS:
        found.update(m.group(1) for m in pattern.finditer(text))
    return found


def test_every_catalog_remediation_role_is_a_role_of_this_collection():
    roles = set(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(REPO, "roles", "*", "tasks")))
    named = set(c["remediation_role"] for c in catalog.CONTROLS if c["remediation_role"])
    assert named - roles == set()
    assert set(catalog.REMEDIATION_ROLES + catalog.STANDALONE_ROLES) == roles


@pytest.mark.parametrize("role", catalog.REMEDIATION_ROLES)
def test_a_role_names_only_the_controls_the_catalog_gives_it(role):
    owned = set(catalog.role_controls(role))
    for path in glob.glob(os.path.join(REPO, "roles", role, "**", "*.y*ml"), recursive=True) + \
            glob.glob(os.path.join(REPO, "roles", role, "**", "*.j2"), recursive=True):
        stray = ids_named_in(path) - owned
        assert not stray, "%s names control(s) %s, which the catalog gives to other roles" % (
            os.path.relpath(path, REPO), ", ".join(sorted(stray)))


def test_playbooks_name_no_control_id():
    for path in glob.glob(os.path.join(REPO, "playbooks", "**", "*.yml"), recursive=True):
        assert ids_named_in(path) == set(), os.path.relpath(path, REPO)


def test_the_scan_sees_the_ways_ids_were_hard_coded(tmp_path):
    sample = tmp_path / "sample.yml"
    sample.write_text("- id: \"19\"\n  when: \"'3' not in dockersec_skip_controls\"\n"
                      "- x: \"{{ 'X.7' in swarm_fixable }}\"\n  mode: \"0644\"\n# id: \"99\"\n")
    assert ids_named_in(str(sample)) == {"19", "3", "X.7"}


def test_default_plan_runs_every_role_but_the_opt_in_ones_in_order():
    plan = catalog.remediation_plan()
    assert [p["role"] for p in plan] == ["daemon", "sshd", "auditd", "docker_user_chain", "docker_socket",
                                         "content_trust", "swarm"]
    daemon = plan[0]
    assert daemon["controls"] == [c["id"] for c in catalog.CONTROLS if c["remediation_role"] == "daemon"]
    assert daemon["skipped"] == []


def test_skipped_ids_are_numbers_or_strings_and_a_role_left_with_none_does_not_run():
    plan = catalog.remediation_plan(skip=[3, "30", " 6 "], roles=["daemon", "sshd", "docker_socket", "updates"])
    assert [p["role"] for p in plan] == ["daemon", "updates"]
    assert "6" not in plan[0]["controls"] and plan[0]["skipped"] == ["6"]
    assert plan[1]["controls"] == ["2"]


def test_an_unknown_role_is_named():
    with pytest.raises(ValueError, match="unknown remediation role.s. sockets"):
        catalog.remediation_plan(roles=["daemon", "sockets"])


def test_role_controls_follow_the_catalog():
    assert catalog.role_controls("docker_socket") == ["30"]
    assert catalog.role_controls("swarm", skip=["38"]) == ["37", "X.7"]
    assert catalog.role_controls("nobody") == []


@pytest.mark.parametrize("role", catalog.REMEDIATION_ROLES)
def test_a_role_refuses_ids_the_catalog_does_not_give_it(role):
    """The argument spec's choices for <role>_controls are the catalog's ids for the role."""
    import yaml
    with open(os.path.join(REPO, "roles", role, "meta", "argument_specs.yml")) as f:
        spec = yaml.safe_load(f)["argument_specs"]["main"]["options"]["%s_controls" % role]
    assert spec["choices"] == catalog.role_controls(role)
