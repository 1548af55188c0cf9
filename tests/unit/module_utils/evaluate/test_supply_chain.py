"""Items 41-45 (supply chain: evaluate/supply_chain.py).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from conftest import make_container, make_facts, make_image
from sections_support import IMAGE_ID, run


# --- 41 digest pinning ----------------------------------------------------------------------------

def test_41_pass_and_fail_names_container_and_image():
    assert run("41", make_facts())[0] == "pass"
    f = make_facts(containers=[make_container("web", image="nginx:1.27"), make_container("ok")])
    status, ev = run("41", f)
    assert status == "fail" and "web: image nginx:1.27" in ev and "1 of 2" in ev


# --- 42 build toolchains --------------------------------------------------------------------------

def _with_history(history, image="acme/app:1"):
    return make_facts(containers=[make_container("app", image=image)],
                      images={IMAGE_ID: make_image(history=history)})


def test_42_pass_on_clean_history():
    assert run("42", make_facts())[0] == "pass"


def test_42_fail_names_container_and_tool():
    f = _with_history(["/bin/sh -c apt-get update && apt-get install -y --no-install-recommends gcc make",
                       "/bin/sh -c #(nop)  USER app"])
    status, ev = run("42", f)
    assert status == "fail" and "app" in ev and "gcc installed" in ev and "make installed" in ev


def test_42_build_deps_removed_in_the_same_layer_pass():
    f = _with_history(["/bin/sh -c set -eux; apt-get install -y gcc libc6-dev make; ./configure; make; "
                       "apt-get purge -y --auto-remove gcc libc6-dev make"])
    assert run("42", f)[0] == "pass"


def test_42_apk_virtual_group_removed_later_passes():
    f = _with_history(["/bin/sh -c apk add --no-cache --virtual .build-deps gcc musl-dev",
                       "/bin/sh -c pip install -r requirements.txt",
                       "/bin/sh -c apk del .build-deps"])
    assert run("42", f)[0] == "pass"


def test_42_fail_on_go_build_and_toolchain_base():
    f = _with_history(["/bin/sh -c #(nop)  ENV GOLANG_VERSION=<redacted>",
                       "RUN /bin/sh -c CGO_ENABLED=0 go build -o /server . # buildkit"])
    status, ev = run("42", f)
    assert status == "fail" and "go build" in ev and "GOLANG_VERSION" in ev


def test_42_npm_install_is_not_a_toolchain():
    f = _with_history(["/bin/sh -c npm install --omit=dev", "/bin/sh -c pip install flask"])
    assert run("42", f)[0] == "pass"


def test_42_manual_without_history():
    status, ev = run("42", _with_history(None))
    assert status == "manual" and "app" in ev and "history not available" in ev


# --- 43 image signing -----------------------------------------------------------------------------

def test_43_manual_tool_without_policy():
    status, ev = run("43", make_facts())
    assert status == "manual" and "cosign" in ev and "signature_policy" in ev


def test_43_pass_tool_and_policy():
    status, ev = run("43", make_facts(), signature_policy="/etc/containers/policy.json")
    assert status == "pass" and "/etc/containers/policy.json" in ev


def test_43_fail_policy_without_tool():
    f = make_facts()
    f["tools"]["cosign"] = None
    status, ev = run("43", f, signature_policy="configured")
    assert status == "fail" and "neither cosign nor notary" in ev


def test_43_manual_without_anything():
    f = make_facts()
    f["tools"]["cosign"] = None
    assert run("43", f)[0] == "manual"


# --- 45 private registry --------------------------------------------------------------------------

def test_45_fail_when_not_configured():
    status, ev = run("45", make_facts())
    assert status == "fail" and "no private registry configured (dockersec_options.private_registries)" in ev


def test_45_pass_and_fail_names_container():
    api = make_image(repo_tags=[], repo_digests=["registry.acme.io/shop/api@sha256:" + "b" * 64])
    f = make_facts(containers=[make_container("api", image="registry.acme.io/shop/api@sha256:" + "b" * 64)],
                   images={IMAGE_ID: api})
    assert run("45", f, private_registries=["registry.acme.io"])[0] == "pass"
    f["docker"]["images"]["sha256:" + "2" * 64] = make_image()
    f["docker"]["containers"].append(make_container("web", image="nginx:1.27", image_id="sha256:" + "2" * 64))
    status, ev = run("45", f, private_registries=["registry.acme.io"])
    assert status == "fail" and "web: image nginx:1.27 comes from docker.io/library/nginx" in ev and "api" not in ev


def test_45_not_applicable_without_containers():
    assert run("45", make_facts(containers=[]))[0] == "not_applicable"
