"""execution-environment.yml: what it declares, and where the build it generates puts the tarball.

The definition is what users build with ansible-builder against their AWX base. These tests
read it and the build context `ansible-builder create` generates from it (no image is built:
scripts/ee-test.sh, `make ee`, does that and runs the audit inside the image).
"""

import fnmatch
import glob
import os
import posixpath
import re
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFINITION = os.path.join(REPO, "execution-environment.yml")


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def _pin(requirements, name):
    with open(os.path.join(REPO, requirements)) as f:
        pins = [line.strip() for line in f if line.startswith(name + "==")]
    assert len(pins) == 1, "%s pins %s %d times" % (requirements, name, len(pins))
    return pins[0]


def _tarball_name(version=None):
    galaxy = _load(os.path.join(REPO, "galaxy.yml"))
    return "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], version or galaxy["version"])


def test_the_base_is_pinned_and_python_is_new_enough_for_ansible_core():
    ee = _load(DEFINITION)
    base = ee["images"]["base_image"]["name"]
    tag = base.rsplit("/", 1)[-1]
    assert "@sha256:" in base or (":" in tag and not tag.endswith(":latest")), base
    interpreter = ee["dependencies"]["python_interpreter"]
    version = tuple(int(p) for p in re.search(r"python(\d+(?:\.\d+)*)$", interpreter["python_path"]).group(1).split("."))
    # ansible-core 2.19 runs on Python 3.11 and newer.
    assert version >= (3, 11), interpreter
    assert interpreter["package_system"] == posixpath.basename(interpreter["python_path"])


def test_it_installs_exactly_what_the_collection_declares():
    deps = _load(DEFINITION)["dependencies"]
    assert deps["ansible_core"]["package_pip"] == _pin("requirements.txt", "ansible-core")
    assert deps["ansible_runner"]["package_pip"] == _pin("requirements-dev.txt", "ansible-runner")
    # The controller needs no Python package beyond ansible-core and jmespath (the CIS profile's
    # rules, custom controls), the targets only python3, and galaxy.yml declares no collection
    # dependency: nothing else may go into users' EEs.
    assert _load(os.path.join(REPO, "galaxy.yml"))["dependencies"] == {}
    assert deps["python"] == [_pin("requirements.txt", "jmespath")], deps
    assert not deps.get("system"), deps
    collections = deps["galaxy"]["collections"]
    assert [c["type"] for c in collections] == ["file"], collections


def _generate(tmp_path, tarball):
    shutil.copy(DEFINITION, str(tmp_path))
    (tmp_path / tarball).write_bytes(b"stand-in: ansible-builder create only copies it")
    builder = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    if not os.path.exists(builder):
        pytest.skip("ansible-builder is not installed (requirements-dev.txt)")
    subprocess.run([builder, "create", "-f", "execution-environment.yml", "-c", "context",
                    "--output-filename", "Containerfile"], cwd=str(tmp_path), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return tmp_path / "context"


def _placed_before_galaxy_install(context):
    """Image paths the galaxy stage holds when it runs `ansible-galaxy collection install`,
    and that stage's WORKDIR then (None while the base image's unknown one is in force)."""
    lines = (context / "Containerfile").read_text().splitlines()
    start = lines.index("FROM base AS galaxy")
    files = [os.path.relpath(p, str(context)) for p in glob.glob(str(context / "_build" / "**"), recursive=True)
             if os.path.isfile(p)]
    workdir, placed = None, set()
    for line in lines[start + 1:]:
        words = line.split()
        if not words:
            continue
        if words[0] == "FROM":
            break
        if words[0] == "WORKDIR":
            workdir = posixpath.join(workdir or "/", words[1])
        elif words[0] == "COPY" and not words[1].startswith("--from"):
            src, dest = words[1], words[2]
            if not posixpath.isabs(dest):
                if workdir is None:
                    continue
                dest = posixpath.join(workdir, dest)
            # A file (or a glob's files): into dest/ when it ends with a slash, else at dest,
            # which Docker allows for one file only.
            matches = [f for f in files if fnmatch.fnmatch(f, src)]
            assert len(matches) <= 1 or dest.endswith("/"), "%s: %d files for one destination" % (line, len(matches))
            placed.update(posixpath.join(dest, posixpath.basename(f)) if dest.endswith("/") else dest for f in matches)
            # A directory: its contents under dest.
            prefix = src.rstrip("/") + "/"
            placed.update(posixpath.join(dest, f[len(prefix):]) for f in files if f.startswith(prefix))
        elif words[0] == "RUN" and "ansible-galaxy collection install" in line:
            return placed, workdir
    raise AssertionError("no `ansible-galaxy collection install` in the galaxy stage of the generated Containerfile")


# The definition names no version: the tarball of galaxy.yml's version, and of the next one, both
# reach the install (a version bump must not need an edit here).
@pytest.mark.parametrize("version", [None, "99.0.0"])
def test_the_generated_build_installs_the_tarball_where_it_put_it(tmp_path, version):
    tarball = _tarball_name(version)
    context = _generate(tmp_path, tarball)
    assert (context / "_build" / "collections" / tarball).is_file(), "the tarball did not reach the build context"
    placed, workdir = _placed_before_galaxy_install(context)
    assert workdir, "the install runs in the base image's WORKDIR, which the definition cannot know"
    requirements = _load(str(context / "_build" / "requirements.yml"))
    for c in requirements["collections"]:
        path = posixpath.normpath(posixpath.join(workdir, c["name"]))
        # "Unable to find collection artifact file" otherwise.
        assert path in placed, "requirements.yml names %s (in %s), but the build put the files at %s" % (
            c["name"], workdir, sorted(p for p in placed if p.endswith(".tar.gz")))
