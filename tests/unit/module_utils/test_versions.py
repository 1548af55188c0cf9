"""The one version parser (module_utils/versions.py) the target and the controller share."""

import os

from conftest import REPO

from ansible_collections.dockersec.hardening.plugins.module_utils import versions
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import host as evaluate_host
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import host as gather_host
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config


def test_release_is_major_minor_patch_or_none():
    assert versions.release("20.10.24+dfsg1") == (20, 10, 24)
    assert versions.release(" v26.1") == (26, 1, 0)
    assert versions.release("6.1.0-26-amd64") == (6, 1, 0)
    assert versions.release("dev") is None and versions.release("") is None and versions.release(None) is None
    assert versions.release("23") is None


def test_sort_key_orders_numbers_as_numbers_and_never_compares_str_with_int():
    kernels = ["6.1.0-9-amd64", "6.1.0-26-amd64", "6.1.0-rt-amd64", "5.10.0-30-amd64"]
    assert sorted(kernels, key=versions.sort_key) == [
        "5.10.0-30-amd64", "6.1.0-9-amd64", "6.1.0-26-amd64", "6.1.0-rt-amd64"]
    assert versions.sort_key("6.1.115-1") > versions.sort_key("6.1.99-1")


def test_one_version_parser_instead_of_four():
    # Issue 19: extended, evaluate/host, gather/host and daemon_config each had a parser of their own.
    assert not hasattr(extended, "_version") and not hasattr(evaluate_host, "_version_key")
    assert not hasattr(gather_host, "_version_key") and not hasattr(daemon_config, "version_tuple")


def test_the_target_side_parser_is_standard_library_only():
    # gather/ and the daemon.json writer run on the target: the parser imports nothing else.
    with open(os.path.join(REPO, "plugins", "module_utils", "versions.py")) as f:
        imports = [line for line in f.read().splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["from __future__ import absolute_import, division, print_function", "import re"]
