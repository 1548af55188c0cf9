"""The opt-in rootless role (issue 20): its probe's reading of subordinate ids and cgroups, its
variables, and that remediate.yml never runs it."""

import glob
import importlib.util
import os
import re

import pytest
import yaml

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROLE = os.path.join(REPO, "roles", "rootless")


def _probe():
    spec = importlib.util.spec_from_file_location("rootless_probe", os.path.join(ROLE, "files", "rootless_probe.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_subordinate_ranges_are_looked_up_by_name_or_uid_as_newuidmap_does(tmp_path):
    path = tmp_path / "subuid"
    path.write_text("svc:100000:65536\n1001:165536:65536\nsvc2x:231072:65536\nbroken\nsvc:x:1\n")
    probe = _probe()
    assert probe.subid_ranges(str(path), "svc", 1000) == [{"start": 100000, "count": 65536}]
    assert probe.subid_ranges(str(path), "svc2", 1001) == [{"start": 165536, "count": 65536}]
    assert probe.subid_ranges(str(path), "svc3", 999) == []
    assert probe.subid_ranges(str(tmp_path / "missing"), "svc", 1000) is None


@pytest.mark.parametrize("line, version", [
    ("35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate", "v2"),
    # v1 and hybrid: a tmpfs at /sys/fs/cgroup (the v1 controllers below it)
    ("35 24 0:30 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755", "v1"),
])
def test_cgroup_version_is_what_is_mounted_at_sys_fs_cgroup(monkeypatch, line, version):
    probe = _probe()
    other = "22 1 0:21 / /proc rw - proc proc rw"
    monkeypatch.setattr(probe, "read", lambda path: "%s\n%s\n" % (other, line))
    assert probe.cgroup_version() == version
    monkeypatch.setattr(probe, "read", lambda path: other + "\n")
    assert probe.cgroup_version() is None


def test_the_role_is_opt_in_and_outside_the_remediation_plan():
    assert "rootless" in catalog.STANDALONE_ROLES and "rootless" not in catalog.REMEDIATION_ROLES
    assert not [c["id"] for c in catalog.CONTROLS if c.get("remediation_role") == "rootless"]
    with pytest.raises(ValueError, match="unknown remediation role"):
        catalog.remediation_plan(roles=["rootless"])
    # Roles come from the plan above; no task of remediate.yml names the role (comments may explain why).
    with open(os.path.join(REPO, "playbooks", "remediate.yml")) as f:
        tasks = [line for line in f if not line.lstrip().startswith("#")]
    assert not [line for line in tasks if "rootless" in line]
    with open(os.path.join(REPO, "playbooks", "rootless.yml")) as f:
        play = yaml.safe_load(f)
    assert [r["role"] for p in play for r in p.get("roles", [])] == ["dockersec.hardening.rootless"]


def test_every_variable_is_prefixed_specified_and_defaulted():
    with open(os.path.join(ROLE, "meta", "argument_specs.yml")) as f:
        options = yaml.safe_load(f)["argument_specs"]["main"]["options"]
    with open(os.path.join(ROLE, "defaults", "main.yml")) as f:
        defaults = yaml.safe_load(f)
    assert all(name.startswith("rootless_") for name in options)
    # rootless_user is required: no default picks an account.
    assert options["rootless_user"]["required"] and "rootless_user" not in defaults
    assert set(defaults) == set(options) - {"rootless_user"}
    for name, value in defaults.items():
        assert options[name]["default"] == value, name
    # fuse-overlayfs is never installed (docs/testbed.md: it breaks both daemons without /dev/fuse).
    assert "fuse-overlayfs" not in defaults["rootless_packages"]
    # Every rootless_* name the tasks read is an option or a fact the role sets itself.
    used = set()
    for path in glob.glob(os.path.join(ROLE, "tasks", "*.yml")) + glob.glob(os.path.join(ROLE, "templates", "*")):
        with open(path) as f:
            used.update(re.findall(r"\brootless_[a-z0-9_]+\b(?!\.py)", f.read()))
    set_here = set()
    for path in glob.glob(os.path.join(ROLE, "tasks", "*.yml")):
        with open(path) as f:
            text = f.read()
        set_here.update(re.findall(r"register: (rootless_[a-z0-9_]+)", text))
        set_here.update(re.findall(r"^\s+(rootless_[a-z0-9_]+):", text, re.M))
    assert used - set(options) - set_here == set()


def test_only_packages_dpkg_marks_installed_count():
    status = ("Package: uidmap\nStatus: install ok installed\nVersion: 1\n\n"
              "Package: rootlesskit\nStatus: deinstall ok config-files\nDescription: x\n Status: install ok installed\n\n"
              "Package: slirp4netns\nStatus: install ok installed\n")
    assert _probe().installed_packages(status) == {"uidmap", "slirp4netns"}
    assert _probe().installed_packages(None) == set()
