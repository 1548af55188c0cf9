"""A plain checkout is an AWX project: `git archive` of it resolves its own collection with no set-up
step (no `make link`, no installed copy, no ANSIBLE_* variables), issue 19."""

import configparser
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINK = os.path.join("collections", "ansible_collections", "dockersec", "hardening")


def _git(*args):
    return subprocess.run(["git"] + list(args), cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    if subprocess.run(["git", "rev-parse", "--git-dir"], cwd=REPO, capture_output=True, check=False).returncode:
        pytest.skip("not a git checkout")
    # The tracked files as they are now (a stash commit holds uncommitted changes; HEAD when there are none).
    rev = _git("stash", "create") or "HEAD"
    dest = tmp_path_factory.mktemp("checkout")
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _syntax_check(project, playbook, home):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("ANSIBLE_"))
    env["HOME"] = str(home)  # no ~/.ansible/collections copy to fall back on
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook,
                           "--syntax-check"], cwd=str(project), env=env, capture_output=True, text=True, check=False)


def test_the_collection_link_is_relative_and_points_at_the_checkout(checkout):
    link = os.path.join(str(checkout), LINK)
    assert os.path.islink(link) and os.readlink(link) == "../../.."
    assert os.path.samefile(link, str(checkout))


@pytest.mark.parametrize("playbook", ["playbooks/audit.yml", "playbooks/remediate.yml"])
def test_a_plain_checkout_resolves_its_own_collection(checkout, tmp_path, playbook):
    proc = _syntax_check(checkout, playbook, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_without_the_link_it_would_not(checkout, tmp_path):
    # The check above proves something: the same copy without the link cannot resolve the modules.
    bare = tmp_path / "bare"
    subprocess.run(["cp", "-a", str(checkout), str(bare)], check=True)
    os.unlink(str(bare / LINK))
    proc = _syntax_check(bare, "playbooks/audit.yml", tmp_path)
    assert proc.returncode != 0 and "dockersec.hardening" in proc.stdout + proc.stderr


def test_ansible_cfg_keeps_the_default_collection_paths():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO, "ansible.cfg"))
    paths = cfg.get("defaults", "collections_path").split(":")
    assert paths == ["./collections", "~/.ansible/collections", "/usr/share/ansible/collections"]
