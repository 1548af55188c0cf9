# -*- coding: utf-8 -*-
"""Unit tests for the extended profile X.1-X.14 (plugins/module_utils/evaluate/extended.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest
from conftest import make_container, make_facts, make_image
from hypothesis import HealthCheck, given, settings
from sections_support import assert_robust, malformed_facts, malformed_opts, swarm_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended as checks_extended
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.extended import CHECKS

TODAY = datetime.date(2026, 11, 23)
IMAGE_ID = "sha256:" + "1" * 64


def run(cid, facts, **kw):
    o = {"_today": TODAY, "_history": []}
    o.update(kw)
    status, evidence = CHECKS[cid](facts, o)
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, "\n".join(evidence)


def one(name="app", img=None, **kw):
    """Facts with a single running container (and, when given, its image facts)."""
    images = {IMAGE_ID: img} if img is not None else None
    return make_facts(containers=[make_container(name, **kw)], images=images)


# --- contract --------------------------------------------------------------------------------------

def test_checks_cover_every_extended_control():
    assert set(CHECKS) == set(catalog.EXTENDED_IDS)
    assert all(catalog.get(cid)["mode"] != "manual" for cid in CHECKS)


@pytest.mark.parametrize("cid", sorted(CHECKS))
def test_hardened_host_passes_or_is_not_applicable(cid):
    status, _ev = run(cid, make_facts())
    assert status in ("pass", "not_applicable")


# --- X.1 AppArmor / SELinux -----------------------------------------------------------------------

def test_x1_pass():
    status, ev = run("X.1", make_facts())
    assert status == "pass" and "AppArmor" in ev


def test_x1_fail_host_without_mac():
    f = make_facts()
    f["host"]["apparmor_enabled"] = False
    status, ev = run("X.1", f)
    assert status == "fail" and "neither AppArmor nor SELinux" in ev


@pytest.mark.parametrize("kw,why", [
    ({"apparmor_profile": "unconfined"}, "unconfined"),
    ({"security_opt": ["apparmor:unconfined"]}, "unconfined"),
    ({"privileged": True}, "privileged"),
    ({"apparmor_profile": ""}, "no AppArmor profile"),
])
def test_x1_fail_names_unconfined_container(kw, why):
    status, ev = run("X.1", one("legacy", **kw))
    assert status == "fail" and "legacy" in ev and why in ev


def test_x1_selinux_host_ignores_empty_apparmor_profile():
    f = one("web", apparmor_profile="")
    f["host"].update(apparmor_enabled=False, selinux_enabled=True, selinux_enforcing=True)
    f["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=builtin", "name=selinux"]
    assert run("X.1", f)[0] == "pass"
    f = one("web", apparmor_profile="", security_opt=["label=disable"])
    f["host"].update(apparmor_enabled=False, selinux_enabled=True)
    status, ev = run("X.1", f)
    assert status == "fail" and "web" in ev and "SELinux" in ev


def test_x1_manual_when_profile_unknown_and_error_when_host_unknown():
    status, ev = run("X.1", one("web", apparmor_profile=None))
    assert status == "manual" and "web" in ev
    f = make_facts()
    f["host"].update(apparmor_enabled=None, selinux_enabled=None)
    assert run("X.1", f)[0] == "error"


# --- X.2 no shell ---------------------------------------------------------------------------------

def test_x2_pass_fail_error():
    assert run("X.2", make_facts())[0] == "pass"
    status, ev = run("X.2", one("web", img=make_image(has_shell=True, shells=["/bin/sh", "/bin/bash"]),
                                image="nginx:1.27"))
    assert status == "fail" and "web" in ev and "nginx:1.27 ships a shell (/bin/sh, /bin/bash)" in ev
    # Files that could not be read are an error with the reason, never a manual item nor a pass.
    status, ev = run("X.2", one("web", img=make_image(has_shell=None, has_shell_error="no GraphDriver (containerd "
                                                                                      "image store)")))
    assert status == "error" and "no GraphDriver (containerd image store)" in ev


def test_x2_not_applicable_without_containers():
    assert run("X.2", make_facts(containers=[]))[0] == "not_applicable"


# --- X.3 init -------------------------------------------------------------------------------------

def test_x3_pass_and_fail():
    assert run("X.3", make_facts())[0] == "pass"
    status, ev = run("X.3", one("worker", init=False))
    assert status == "fail" and "worker" in ev


def test_x3_init_in_image_entrypoint():
    img = make_image(history=['/bin/sh -c #(nop)  ENTRYPOINT ["/sbin/tini" "--" "/app"]'])
    assert run("X.3", one("worker", img=img, init=None))[0] == "pass"
    img = make_image(history=['/bin/sh -c #(nop)  ENTRYPOINT ["/app"]'])
    assert run("X.3", one("worker", img=img, init=None))[0] == "fail"


# --- X.4 read-only bind mounts --------------------------------------------------------------------

def test_x4_pass_fail_and_allow_list():
    rw = {"type": "bind", "source": "/srv/data", "destination": "/data", "rw": True}
    assert run("X.4", one("app", mounts=[dict(rw, rw=False)]))[0] == "pass"
    status, ev = run("X.4", one("app", mounts=[rw]))
    assert status == "fail" and "app" in ev and "/srv/data -> /data" in ev
    assert run("X.4", one("app", mounts=[rw]), writable_bind_mounts=["/srv/data"])[0] == "pass"
    assert run("X.4", one("app", mounts=[dict(rw, type="volume")]))[0] == "pass"


# --- X.5 TCP with TLS -----------------------------------------------------------------------------

def test_x5_pass_fail_tls():
    assert run("X.5", make_facts())[0] == "pass"
    f = make_facts()
    f["daemon_config"]["content"]["hosts"] = ["tcp://0.0.0.0:2375"]
    status, ev = run("X.5", f)
    assert status == "fail" and "tcp://0.0.0.0:2375" in ev
    f["daemon_config"]["content"].update(tlsverify=True, tlscacert="/etc/docker/ca.pem")
    assert run("X.5", f)[0] == "pass"


def test_x5_unit_exec_start_when_dockerd_not_running():
    f = make_facts()
    f["dockerd_process"].update(running=False, flags=None, cmdline=None,
                                unit_exec_start="/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375")
    assert run("X.5", f)[0] == "fail"
    f["dockerd_process"]["unit_exec_start"] = None
    assert run("X.5", f)[0] == "error"


# --- X.6 engine version ---------------------------------------------------------------------------

@pytest.mark.parametrize("version,status", [
    ("24.0.7", "pass"), ("27.3.1", "pass"), ("28.2.2-0ubuntu1~24.04.1", "pass"), ("26.1.5+dfsg1", "pass"),
    ("20.10.24+dfsg1", "fail"), ("23.0.6", "fail"), ("25.0.0-rc.1", "fail"), ("26.0.0-beta.2", "fail"),
    ("27.0.0~rc1", "fail"), ("dev", "error"),
])
def test_x6_versions(version, status):
    f = make_facts()
    f["docker"]["info"]["ServerVersion"] = version
    got, ev = run("X.6", f)
    assert got == status and version in ev


def test_x6_min_version_is_an_option():
    f = make_facts()
    f["docker"]["info"]["ServerVersion"] = "24.0.7"
    status, ev = run("X.6", f, min_engine_version="25.0")
    assert status == "fail" and "25.0" in ev
    assert run("X.6", f, min_engine_version="garbage")[0] == "pass"


# --- X.7 autolock ---------------------------------------------------------------------------------

def test_x7_autolock():
    assert run("X.7", make_facts())[0] == "not_applicable"
    assert run("X.7", swarm_facts(autolock=True))[0] == "pass"
    status, ev = run("X.7", swarm_facts(autolock=False))
    assert status == "fail" and "autolock off" in ev
    assert run("X.7", swarm_facts(is_manager=False, autolock=None))[0] == "not_applicable"
    assert run("X.7", swarm_facts(autolock=None))[0] == "error"


# --- X.8 live-restore -----------------------------------------------------------------------------

def test_x8_live_restore():
    assert run("X.8", make_facts())[0] == "pass"
    f = make_facts()
    f["docker"]["info"]["LiveRestoreEnabled"] = False
    status, ev = run("X.8", f)
    assert status == "fail" and "live-restore" in ev
    status, ev = run("X.8", swarm_facts())
    assert status == "not_applicable" and "live-restore does not mix with swarm" in ev


def test_x8_falls_back_to_daemon_json():
    f = make_facts()
    f["docker"]["info"]["LiveRestoreEnabled"] = None
    assert run("X.8", f)[0] == "pass"
    del f["daemon_config"]["content"]["live-restore"]
    assert run("X.8", f)[0] == "fail"


# --- X.9 userland-proxy ---------------------------------------------------------------------------

def test_x9_userland_proxy():
    assert run("X.9", make_facts())[0] == "pass"
    f = make_facts()
    del f["daemon_config"]["content"]["userland-proxy"]
    status, ev = run("X.9", f)
    assert status == "fail" and "default" in ev
    f["dockerd_process"]["flags"]["--userland-proxy"] = ["false"]
    assert run("X.9", f)[0] == "pass"
    f = make_facts()
    f["daemon_config"]["content"]["userland-proxy"] = True
    assert run("X.9", f)[0] == "fail"


def test_x9_a_running_docker_proxy_wins_over_daemon_json():
    f = make_facts()
    f["services"]["processes"] = sorted(f["services"]["processes"] + ["docker-proxy"])
    status, ev = run("X.9", f)
    assert status == "fail" and "docker-proxy processes run" in ev and "daemon.json says userland-proxy=False" in ev


def test_x9_restart_pending_needs_a_published_port_to_confirm():
    f = make_facts(containers=[make_container("web", ports=[])])
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"       # edited after dockerd started
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    status, ev = run("X.9", f)
    assert status == "error" and "after dockerd started" in ev
    f["docker"]["containers"][0]["ports"] = [{"container_port": "80/tcp", "host_ip": "127.0.0.1",
                                              "host_port": "8080"}]
    status, ev = run("X.9", f)
    assert status == "pass" and "no docker-proxy runs for the published ports" in ev


# --- X.10 healthcheck -----------------------------------------------------------------------------

def test_x10_healthcheck():
    assert run("X.10", make_facts())[0] == "pass"
    status, ev = run("X.10", one("batch", img=make_image(healthcheck=False), healthcheck=False))
    assert status == "fail" and "batch" in ev
    # the container's Config holds the image's healthcheck merged in: false there means it is disabled
    assert run("X.10", one("web", img=make_image(healthcheck=True), healthcheck=False))[0] == "fail"
    assert run("X.10", one("web", img=make_image(healthcheck=None), healthcheck=None))[0] == "manual"


# --- X.11 restart policy --------------------------------------------------------------------------

@pytest.mark.parametrize("policy,status", [
    ({"name": "on-failure", "max_retry": 5}, "pass"),
    ({"name": "on-failure", "max_retry": 3}, "pass"),
    ({"name": "on-failure", "max_retry": 0}, "fail"),
    ({"name": "on-failure", "max_retry": 10}, "fail"),
    ({"name": "always", "max_retry": 0}, "fail"),
    ({"name": "unless-stopped", "max_retry": 0}, "fail"),
    ({"name": "no", "max_retry": 0}, "fail"),
])
def test_x11_restart_policy(policy, status):
    got, ev = run("X.11", one("web", restart_policy=policy))
    assert got == status
    if status == "fail":
        assert "web" in ev


def test_x11_swarm_tasks_are_exempt():
    # A task only when the engine says so (swarm_task, the is-task filter) on a swarm node.
    c = make_container("shop_api.1.x", swarm_service="shop_api", swarm_task=True,
                       restart_policy={"name": "no", "max_retry": 0})
    f = make_facts(containers=[c])
    f["docker"]["info"]["Swarm"]["LocalNodeState"] = "active"
    status, ev = run("X.11", f)
    assert status == "not_applicable" and "swarm task" in ev
    f["docker"]["containers"].append(make_container("web", restart_policy={"name": "always"}))
    status, ev = run("X.11", f)
    assert status == "fail" and "web" in ev and "shop_api" not in ev


# --- X.12 host namespaces -------------------------------------------------------------------------

@pytest.mark.parametrize("key,word", [("network_mode", "network"), ("pid_mode", "pid"), ("ipc_mode", "ipc"),
                                      ("uts_mode", "uts")])
def test_x12_host_namespaces(key, word):
    assert run("X.12", make_facts())[0] == "pass"
    status, ev = run("X.12", one("exporter", **{key: "host"}))
    assert status == "fail" and "exporter" in ev and word in ev


# --- X.13 sensitive host paths --------------------------------------------------------------------

@pytest.mark.parametrize("source,status", [
    ("/etc", "fail"), ("//etc/", "fail"), ("/", "fail"), ("/proc", "fail"), ("/etc/localtime", "pass"),
    ("/srv/app", "pass"),
])
def test_x13_sensitive_paths(source, status):
    m = {"type": "bind", "source": source, "destination": "/host", "rw": False}
    got, ev = run("X.13", one("agent", mounts=[m]))
    assert got == status
    if status == "fail":
        assert "agent" in ev


# --- X.14 metrics agent and log shipper -----------------------------------------------------------

def test_x14_agents():
    assert run("X.14", make_facts())[0] == "pass"
    f = make_facts()
    f["services"]["running"].remove("fluent-bit.service")
    f["services"]["processes"].remove("fluent-bit")
    status, ev = run("X.14", f)
    assert status == "fail" and "no log shipper" in ev and "metrics agent: " in ev
    f = make_facts()
    f["services"]["running"].remove("prometheus-node-exporter.service")
    f["services"]["processes"].remove("prometheus-node-exporter")
    status, ev = run("X.14", f)
    assert status == "fail" and "no metrics agent" in ev


# --- robustness -----------------------------------------------------------------------------------

@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(facts=malformed_facts(), options=malformed_opts(sorted(catalog.OPTIONS)))
def test_extended_checks_never_raise_on_malformed_facts(facts, options):
    assert_robust(checks_extended.CHECKS, facts, options)
