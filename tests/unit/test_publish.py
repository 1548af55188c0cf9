"""What Galaxy and a user see of the collection: one version everywhere, role platforms equal to
the hosts the tests run on (issue 19)."""

import glob
import os
import re

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _yaml(rel):
    with open(os.path.join(REPO, rel)) as f:
        return yaml.safe_load(f)


def _version():
    return str(_yaml("galaxy.yml")["version"])


def _tested_debian_releases():
    # Every Molecule host is dockersec/host:<release> (images/); the installed test runs the same two.
    releases = set()
    for path in glob.glob(os.path.join(REPO, "molecule", "*", "molecule.yml")):
        with open(path) as f:
            releases.update(re.findall(r"image:\s*dockersec/host:(\w+)", f.read()))
    return releases


def test_plugins_were_added_no_later_than_the_collection_version():
    version = tuple(int(p) for p in _version().split("."))
    added = {}
    for path in glob.glob(os.path.join(REPO, "plugins", "*", "*.py")):
        with open(path) as f:
            m = re.search(r"^version_added: ['\"]?([0-9.]+)", f.read(), re.M)
        if m:
            added[os.path.relpath(path, REPO)] = m.group(1)
    assert added
    # Nothing was released before 0.2.0: every plugin is new in it.
    assert {k: v for k, v in added.items() if v != _version()} == {}
    assert all(tuple(int(p) for p in v.split(".")) <= version for v in added.values())


def test_tarball_names_follow_galaxy_yml():
    tarball = "dockersec-hardening-%s.tar.gz" % _version()
    stale = []
    found = (glob.glob(os.path.join(REPO, "scripts", "*")) + glob.glob(os.path.join(REPO, ".ci", "*")) +
             glob.glob(os.path.join(REPO, "docs", "*.md")))
    for rel in ["README.md", "execution-environment.yml", "Makefile"] + \
            [os.path.relpath(p, REPO) for p in found if os.path.isfile(p)]:
        with open(os.path.join(REPO, rel)) as f:
            for name in re.findall(r"dockersec-hardening-[0-9][0-9.]*[0-9]\.tar\.gz", f.read()):
                if name != tarball:
                    stale.append((rel, name))
    assert stale == []


def test_role_platforms_are_the_tested_hosts():
    tested = _tested_debian_releases()
    assert tested == {"bookworm", "trixie"}
    roles = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                   for p in glob.glob(os.path.join(REPO, "roles", "*", "meta", "main.yml")))
    assert len(roles) == 10
    for role in roles:
        platforms = _yaml("roles/%s/meta/main.yml" % role)["galaxy_info"]["platforms"]
        assert [(p["name"], sorted(p["versions"])) for p in platforms] == [("Debian", sorted(tested))], role


def _readme():
    with open(os.path.join(REPO, "README.md")) as f:
        return f.read()


def test_readme_names_the_runtime_requirements_as_they_are():
    with open(os.path.join(REPO, "requirements.txt")) as f:
        pinned = [line.split("==")[0] for line in f.read().splitlines() if line and not line.startswith("#")]
    assert pinned == ["ansible-core"]
    assert "(`requirements.txt`: %s)" % ", ".join(pinned) in _readme()
    assert "jmespath" not in _readme()


def test_readme_documents_every_playbook_variable_by_its_full_name():
    # The first play checks every variable the collection reads against one spec: the README names each.
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check
    names = sorted(inventory_check.VARIABLES)
    assert "dockersec_target" in names and "dockersec_daemon_json_path" in names
    readme = _readme()
    assert [n for n in names if "`%s`" % n not in readme] == []
    # No variable is abbreviated to a suffix after another name (`_port_sources`).
    assert re.findall(r"`_[a-z_]+`", readme) == []


def test_readme_checkout_commands_run_in_the_venv():
    # A checkout's `ansible-playbook playbooks/...` needs the .venv's ansible-core: each such block says so.
    for block in re.findall(r"```sh\n(.*?)```", _readme(), re.S):
        if re.search(r"^ansible-playbook .*playbooks/", block, re.M):
            assert ".venv" in block, block
