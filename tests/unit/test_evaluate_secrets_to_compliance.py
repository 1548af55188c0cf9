# -*- coding: utf-8 -*-
"""Unit tests for items 26-50 (plugins/module_utils/evaluate/: secrets, logging_monitoring, orchestration,
supply_chain, compliance).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import os

import pytest
from conftest import REPO, evaluator_sections, make_container, make_facts, make_image

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import (
    compliance, logging_monitoring, orchestration, secrets, supply_chain,
)

checks_ops = evaluator_sections(secrets, logging_monitoring, orchestration, supply_chain, compliance)
CHECKS, OPTIONS = checks_ops.CHECKS, catalog.OPTIONS

TODAY = datetime.date(2026, 11, 23)
IMAGE_ID = "sha256:" + "1" * 64


def opts(**kw):
    o = {"_today": TODAY, "_history": []}
    o.update(kw)
    return o


def run(cid, facts, **kw):
    status, evidence = CHECKS[cid](facts, opts(**kw))
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, "\n".join(evidence)


def days_ago(n, when=TODAY):
    return (datetime.datetime(when.year, when.month, when.day, 5, 0, 0)
            - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S.123456789Z")


def make_swarm(is_manager=True, managers=3, nodes=5, cert_expiry_days=30, autolock=True, secrets=None,
               services=None):
    """docker.swarm per docs/facts.md; managers see secrets and services, workers see null."""
    return {
        "node_id": "nodeid1",
        "is_manager": is_manager,
        "managers": managers,
        "nodes": nodes,
        "cert_expiry_seconds": None if cert_expiry_days is None else cert_expiry_days * 86400,
        "autolock": autolock,
        "secrets": (secrets if secrets is not None else
                    [{"name": "db_pass", "created_at": days_ago(10), "updated_at": days_ago(10)}])
        if is_manager else None,
        "services": (services if services is not None else
                     [{"name": "shop_api", "labels": {}, "label_names": [], "constraints": [],
                       "secrets": ["db_pass"], "env_names": ["PATH"]}])
        if is_manager else None,
    }


def swarm_facts(containers=None, **kw):
    """A hardened host that is a swarm node (manager unless is_manager=False)."""
    swarm = make_swarm(**kw)
    f = make_facts(containers=containers, swarm=swarm)
    info = f["docker"]["info"]
    info["Swarm"] = {"LocalNodeState": "active", "NodeID": "nodeid1", "ControlAvailable": swarm["is_manager"],
                     "Managers": swarm["managers"], "Nodes": swarm["nodes"],
                     "Cluster": {"Spec": {"CAConfig": {"NodeCertExpiry": (swarm["cert_expiry_seconds"] or 0)
                                                       * 10 ** 9}}} if swarm["is_manager"] else None}
    info["LiveRestoreEnabled"] = False
    f["daemon_config"]["content"].pop("live-restore")
    f["docker"]["networks"] += [
        {"name": "ingress", "id": "o1", "driver": "overlay", "scope": "swarm", "internal": False,
         "attachable": False, "options": {"encrypted": ""}, "containers": [], "encrypted": True},
        {"name": "shop_backend", "id": "o2", "driver": "overlay", "scope": "swarm", "internal": True,
         "attachable": False, "options": {"encrypted": ""}, "containers": [], "encrypted": True},
    ]
    f["docker"]["local_state"]["join_token_rotated_at"] = days_ago(5)
    return f


# --- contract --------------------------------------------------------------------------------------

def test_checks_cover_every_non_manual_item_26_to_50():
    wanted = set(c["id"] for c in catalog.CONTROLS
                 if catalog.is_scored(c["id"]) and 26 <= int(c["id"]) <= 50 and c["mode"] != "manual")
    assert set(CHECKS) == wanted
    for cid in ("34", "44", "47", "48"):
        assert catalog.get(cid)["mode"] == "manual" and cid not in CHECKS


def test_opt_coerces_and_falls_back_to_defaults():
    assert checks_ops.opt({}, "secret_max_age_days") == 90
    assert checks_ops.opt({"secret_max_age_days": "30"}, "secret_max_age_days") == 30
    assert checks_ops.opt({"secret_max_age_days": "soon"}, "secret_max_age_days") == 90
    assert checks_ops.opt({"secret_max_age_days": -1}, "secret_max_age_days") == 90
    assert checks_ops.opt({"allow_single_manager": "yes"}, "allow_single_manager") is True
    assert checks_ops.opt({"private_registries": "registry.acme.io"}, "private_registries") == ["registry.acme.io"]
    # the default list is never shared with callers
    checks_ops.opt({}, "private_registries").append("x")
    assert OPTIONS["private_registries"]["default"] == []


@pytest.mark.parametrize("cid", sorted(CHECKS, key=int))
def test_every_check_works_with_empty_options(cid):
    status, evidence = CHECKS[cid](make_facts(), {})
    assert status in ("pass", "fail", "not_applicable", "manual", "error")
    assert evidence and all(isinstance(e, str) for e in evidence)


@pytest.mark.parametrize("value,expected", [
    ("2026-11-23T05:00:00Z", datetime.datetime(2026, 11, 23, 5, 0, 0)),
    ("2026-11-23T05:00:00.123456789Z", datetime.datetime(2026, 11, 23, 5, 0, 0, 123456)),
    ("2026-11-23T07:00:00+02:00", datetime.datetime(2026, 11, 23, 5, 0, 0)),
    ("2026-11-23", datetime.datetime(2026, 11, 23)),
    (datetime.date(2026, 11, 23), datetime.datetime(2026, 11, 23)),
    ("2026-02-30T00:00:00Z", None), ("yesterday", None), (None, None), (True, None), (float("nan"), None),
])
def test_parse_timestamp(value, expected):
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import parse_timestamp
    assert parse_timestamp(value) == expected


def test_days_since():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import days_since
    assert days_since("2026-11-13T23:59:59Z", TODAY) == 10
    assert days_since("garbage", TODAY) is None and days_since("2026-11-13", None) is None


# --- 26 secret-like env names ---------------------------------------------------------------------

def test_26_pass_on_hardened_host():
    assert run("26", make_facts())[0] == "pass"


def test_26_fail_names_container_and_variable():
    f = make_facts(containers=[make_container("web", env_names=["PATH", "DB_PASSWORD", "API_TOKEN"],
                                              compose_project="shop", compose_service="web")])
    status, ev = run("26", f)
    assert status == "fail"
    assert "web (compose shop/web)" in ev and "DB_PASSWORD" in ev and "API_TOKEN" in ev and "PATH" not in ev


def test_26_file_indirection_is_the_good_pattern():
    f = make_facts(containers=[make_container("db", env_names=["POSTGRES_PASSWORD_FILE"])])
    assert run("26", f)[0] == "pass"


def test_26_stopped_containers_count_too():
    f = make_facts(containers=[make_container("old", state="exited", env_names=["AWS_SECRET_ACCESS_KEY"])])
    status, ev = run("26", f)
    assert status == "fail" and "old [exited]" in ev and "AWS_SECRET_ACCESS_KEY" in ev


def test_26_fail_names_swarm_service():
    services = [{"name": "shop_api", "labels": {}, "label_names": [], "constraints": [], "secrets": [],
                 "env_names": ["STRIPE_API_KEY"]}]
    status, ev = run("26", swarm_facts(services=services))
    assert status == "fail" and "service shop_api: STRIPE_API_KEY" in ev


def test_26_on_worker_checks_local_tasks_and_points_to_the_manager():
    status, ev = run("26", swarm_facts(is_manager=False))
    assert status == "pass" and "services are checked in the manager's report" in ev
    bad = make_container("shop_api.1", env_names=["PATH", "DB_PASSWORD"])
    status, ev = run("26", swarm_facts(containers=[bad], is_manager=False))
    assert status == "fail" and "DB_PASSWORD" in ev


def test_26_not_applicable_without_containers():
    assert run("26", make_facts(containers=[]))[0] == "not_applicable"


# --- 27 encryption at rest ------------------------------------------------------------------------

def test_27_pass_on_luks_device():
    status, ev = run("27", make_facts())
    assert status == "pass" and "/dev/mapper/luks-docker" in ev


def test_27_fail_on_plain_device_names_path_and_device():
    f = make_facts()
    f["mounts"]["entries"] = [{"target": "/", "source": "/dev/vda1", "fstype": "ext4", "options": "rw"}]
    status, ev = run("27", f)
    assert status == "fail" and "/var/lib/docker" in ev and "/dev/vda1" in ev


def test_27_crypt_device_listed_by_short_name():
    f = make_facts()
    f["mounts"]["crypt_devices"] = ["luks-docker"]
    assert run("27", f)[0] == "pass"


def test_27_fail_names_volume_outside_the_data_root():
    f = make_facts(containers=[make_container("pg", mounts=[
        {"type": "volume", "source": "/srv/pgdata", "destination": "/var/lib/postgresql/data", "rw": True}])])
    f["mounts"]["entries"].append({"target": "/srv", "source": "/dev/vdb1", "fstype": "xfs", "options": "rw"})
    status, ev = run("27", f)
    assert status == "fail" and "pg" in ev and "/srv/pgdata" in ev and "/dev/vdb1" in ev


def test_27_manual_when_lsblk_unavailable():
    f = make_facts()
    f["mounts"]["crypt_devices"] = None
    f["mounts"]["lsblk_error"] = "lsblk: command not found"
    status, ev = run("27", f)
    assert status == "manual" and "lsblk: command not found" in ev and "/dev/mapper/luks-docker" in ev


def test_27_plain_partition_fails_even_without_lsblk():
    f = make_facts()
    f["mounts"]["crypt_devices"] = None
    f["mounts"]["lsblk_error"] = "lsblk: command not found"
    f["mounts"]["entries"][1]["source"] = "/dev/vdb1"
    status, ev = run("27", f)
    assert status == "fail" and "/dev/vdb1" in ev


def test_27_manual_on_network_filesystem():
    f = make_facts()
    f["mounts"]["entries"][1] = {"target": "/var/lib/docker", "source": "nas:/docker", "fstype": "nfs4",
                                 "options": "rw"}
    assert run("27", f)[0] == "manual"


def test_27_error_without_docker_root_dir():
    f = make_facts()
    f["docker"]["info"]["DockerRootDir"] = None
    assert run("27", f)[0] == "error"


# --- 28 tmpfs for secrets -------------------------------------------------------------------------

def test_28_not_applicable_when_no_container_uses_secrets():
    status, ev = run("28", make_facts())
    assert status == "not_applicable" and "no running container uses secrets" in ev


def test_28_fail_names_container_without_tmpfs():
    f = make_facts(containers=[make_container("api", env_names=["DB_PASSWORD"], tmpfs=[])])
    status, ev = run("28", f)
    assert status == "fail" and "api" in ev and "DB_PASSWORD" in ev


def test_28_fail_for_file_secret_without_tmpfs():
    f = make_facts(containers=[make_container("db", env_names=["POSTGRES_PASSWORD_FILE"], tmpfs=[])])
    status, ev = run("28", f)
    assert status == "fail" and "db" in ev and "POSTGRES_PASSWORD_FILE" in ev


def test_28_pass_with_tmpfs_run_secrets():
    f = make_facts(containers=[make_container("api", env_names=["DB_PASSWORD"], tmpfs=["/run/secrets"])])
    assert run("28", f)[0] == "pass"


def test_28_pass_with_tmpfs_mount():
    f = make_facts(containers=[make_container("api", env_names=["DB_PASSWORD_FILE"], tmpfs=[], mounts=[
        {"type": "tmpfs", "source": "", "destination": "/run", "rw": True}])])
    assert run("28", f)[0] == "pass"


def test_28_pass_for_swarm_secret_user():
    c = make_container("shop_api.1.abc", swarm_service="shop_api", tmpfs=[])
    status, ev = run("28", swarm_facts(containers=[c]))
    assert status == "pass"


def test_28_manual_for_swarm_task_on_worker():
    c = make_container("shop_api.1.abc", swarm_service="shop_api", env_names=["DB_PASSWORD_FILE"], tmpfs=[])
    status, ev = run("28", swarm_facts(containers=[c], is_manager=False))
    assert status == "manual" and "shop_api.1.abc" in ev


# --- 29 secret rotation ---------------------------------------------------------------------------

def test_29_manual_off_swarm():
    status, ev = run("29", make_facts())
    assert status == "manual" and "not in a swarm" in ev


def test_29_not_applicable_on_worker():
    status, ev = run("29", swarm_facts(is_manager=False))
    assert status == "not_applicable" and "only managers can see secrets" in ev


def test_29_pass_with_fresh_secrets():
    assert run("29", swarm_facts())[0] == "pass"


def test_29_fail_names_old_secret():
    secrets = [{"name": "db_pass", "created_at": days_ago(200), "updated_at": days_ago(1)},
               {"name": "tls_key", "created_at": days_ago(3), "updated_at": days_ago(3)}]
    status, ev = run("29", swarm_facts(secrets=secrets))
    assert status == "fail" and "db_pass" in ev and "200 days" in ev and "tls_key" not in ev


def test_29_threshold_is_an_option():
    secrets = [{"name": "db_pass", "created_at": days_ago(40), "updated_at": None}]
    assert run("29", swarm_facts(secrets=secrets))[0] == "pass"
    assert run("29", swarm_facts(secrets=secrets), secret_max_age_days=30)[0] == "fail"


def test_29_not_applicable_without_secrets_and_error_when_unlisted():
    assert run("29", swarm_facts(secrets=[]))[0] == "not_applicable"
    f = swarm_facts()
    f["docker"]["swarm"]["secrets"] = None
    assert run("29", f)[0] == "error"


# --- 30 docker socket -----------------------------------------------------------------------------

def test_30_pass_on_hardened_host():
    assert run("30", make_facts())[0] == "pass"


@pytest.mark.parametrize("mode,owner,group,status", [
    ("0660", "root", "docker", "pass"),
    ("0600", "root", "root", "pass"),
    ("0666", "root", "docker", "fail"),
    ("0664", "root", "docker", "fail"),
    ("0660", "app", "docker", "fail"),
    ("0660", "root", "wheel", "fail"),
    ("2660", "root", "docker", "fail"),
])
def test_30_socket_mode_and_owner(mode, owner, group, status):
    f = make_facts()
    f["files"]["/var/run/docker.sock"].update(mode=mode, owner=owner, group=group)
    got, ev = run("30", f)
    assert got == status
    if status == "fail":
        assert "/var/run/docker.sock %s %s:%s" % (mode, owner, group) in ev


def test_30_fail_names_container_mounting_the_socket():
    c = make_container("portainer", image="portainer/portainer-ce:2.19", mounts=[
        {"type": "bind", "source": "/var/run/docker.sock", "destination": "/var/run/docker.sock", "rw": True}])
    status, ev = run("30", make_facts(containers=[c]))
    assert status == "fail" and "portainer" in ev and "/var/run/docker.sock" in ev


def test_30_allow_listed_proxy_read_only_passes_read_write_fails():
    mount = {"type": "bind", "source": "/var/run/docker.sock", "destination": "/var/run/docker.sock", "rw": False}
    c = make_container("proxy", image="tecnativa/docker-socket-proxy:0.1", mounts=[mount])
    assert run("30", make_facts(containers=[c]))[0] == "pass"
    c = make_container("proxy", image="tecnativa/docker-socket-proxy:0.1", mounts=[dict(mount, rw=True)])
    status, ev = run("30", make_facts(containers=[c]))
    assert status == "fail" and "proxy" in ev and "read-only" in ev


def test_30_fail_on_plain_tcp_in_daemon_json():
    f = make_facts()
    f["daemon_config"]["content"]["hosts"] = ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]
    status, ev = run("30", f)
    assert status == "fail" and "tcp://0.0.0.0:2375" in ev


def test_30_fail_on_plain_tcp_flag_and_pass_with_tlsverify():
    f = make_facts()
    f["dockerd_process"]["flags"]["-H"] = ["fd://", "tcp://10.0.0.5:2376"]
    status, ev = run("30", f)
    assert status == "fail" and "tcp://10.0.0.5:2376" in ev
    f["dockerd_process"]["flags"]["--tlsverify"] = [""]
    assert run("30", f)[0] == "pass"


def test_30_error_when_socket_not_stated():
    f = make_facts()
    del f["files"]["/var/run/docker.sock"]
    assert run("30", f)[0] == "error"


# --- 31 logging -----------------------------------------------------------------------------------

def test_31_pass_json_file_with_rotation():
    assert run("31", make_facts())[0] == "pass"


def test_31_fail_json_file_without_rotation():
    f = make_facts()
    del f["daemon_config"]["content"]["log-opts"]
    status, ev = run("31", f)
    assert status == "fail" and "max-size" in ev and "max-file" in ev


def test_31_fail_names_missing_max_file():
    f = make_facts()
    f["daemon_config"]["content"]["log-opts"] = {"max-size": "10m"}
    status, ev = run("31", f)
    assert status == "fail" and "max-file" in ev and "max-size and" not in ev


def test_31_remote_driver_passes():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "syslog"
    f["docker"]["info"]["LoggingDriver"] = "syslog"
    del f["daemon_config"]["content"]["log-opts"]
    assert run("31", f)[0] == "pass"


def test_31_local_driver_rotates_by_default():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "local"
    f["docker"]["info"]["LoggingDriver"] = "local"
    del f["daemon_config"]["content"]["log-opts"]
    assert run("31", f)[0] == "pass"


def test_31_fail_on_none_driver():
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "none"
    f["docker"]["info"]["LoggingDriver"] = "none"
    status, ev = run("31", f)
    assert status == "fail" and "none" in ev


def test_31_reads_log_opt_flags():
    f = make_facts()
    for k in ("log-driver", "log-opts"):
        del f["daemon_config"]["content"][k]
    f["dockerd_process"]["flags"]["--log-opt"] = ["max-size=10m", "max-file=3"]
    assert run("31", f)[0] == "pass"


def test_31_the_running_default_driver_wins_over_daemon_json():
    # daemon.json edited to a remote driver, dockerd not restarted: it still runs json-file, unrotated.
    f = make_facts()
    f["daemon_config"]["content"]["log-driver"] = "syslog"
    del f["daemon_config"]["content"]["log-opts"]
    status, ev = run("31", f)
    assert status == "fail" and "docker info LoggingDriver; daemon.json says syslog (restart pending)" in ev


def test_31_containers_created_without_rotation_fail():
    f = make_facts(containers=[make_container("web"), make_container("old")])
    f["docker"]["containers"][0].update(log_type="json-file", log_opts={"max-size": "10m", "max-file": "3"})
    f["docker"]["containers"][1].update(log_type="json-file", log_opts={})
    status, ev = run("31", f)
    assert status == "fail" and "1 of 2 running containers log without rotation" in ev
    assert "old" in ev and "json-file without max-size and max-file" in ev and "web:" not in ev


def test_31_restart_pending_is_confirmed_by_the_containers_or_an_error():
    f = make_facts(containers=[])
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    status, ev = run("31", f)
    assert status == "error" and "after dockerd started at 2026-11-20T08:00:00Z" in ev
    f = make_facts()
    f["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"
    f["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    f["docker"]["containers"][0].update(log_type="json-file", log_opts={"max-size": "10m", "max-file": "3"})
    status, ev = run("31", f)
    assert status == "pass" and "every running container rotates or ships its logs (1 checked)" in ev


# --- 32 / 33 / 35 agents --------------------------------------------------------------------------

def _no_agents(f):
    f["services"]["running"] = ["docker.service", "ssh.service"]
    f["services"]["processes"] = ["dockerd", "sshd", "systemd"]
    return f


def test_32_pass_and_manual():
    status, ev = run("32", make_facts())
    assert status == "pass" and "fluent-bit" in ev
    status, ev = run("32", _no_agents(make_facts()))
    assert status == "manual" and "no log/event shipper" in ev


def test_32_shipper_in_a_container():
    f = _no_agents(make_facts(containers=[make_container("logs", image="fluent/fluent-bit:3.0")]))
    status, ev = run("32", f)
    assert status == "pass" and "container logs" in ev


def test_33_pass_and_fail():
    assert run("33", make_facts())[0] == "pass"
    status, ev = run("33", _no_agents(make_facts()))
    assert status == "fail" and "no metrics agent" in ev


def test_33_cadvisor_container_and_truncated_comm():
    f = _no_agents(make_facts(containers=[make_container("cadvisor", image="gcr.io/cadvisor/cadvisor:v0.49.1")]))
    assert run("33", f)[0] == "pass"
    f = _no_agents(make_facts())
    f["services"]["processes"].append("prometheus-node")  # comm is cut at 15 characters
    assert run("33", f)[0] == "pass"


def test_33_patterns_match_whole_words_only():
    f = _no_agents(make_facts())
    f["services"]["processes"].append("notprometheusd")
    assert run("33", f)[0] == "fail"


def test_35_pass_and_fail_mentions_installed_binary():
    assert run("35", make_facts())[0] == "pass"
    status, ev = run("35", _no_agents(make_facts()))
    assert status == "fail" and "falco is installed at /usr/bin/falco but not running" in ev


def test_35_falco_container():
    f = _no_agents(make_facts(containers=[make_container("falco", image="falcosecurity/falco:0.38.0")]))
    status, ev = run("35", f)
    assert status == "pass" and "container falco" in ev


# --- 36 overlay encryption ------------------------------------------------------------------------

def test_36_not_applicable_off_swarm():
    assert run("36", make_facts())[0] == "not_applicable"


def test_36_pass_all_encrypted():
    status, ev = run("36", swarm_facts())
    assert status == "pass" and "shop_backend" in ev


def test_36_fail_names_unencrypted_network():
    f = swarm_facts()
    f["docker"]["networks"][-1].update(options={}, encrypted=False)
    status, ev = run("36", f)
    assert status == "fail" and "shop_backend" in ev and "ingress" not in ev


def test_36_encrypted_option_alone_counts():
    f = swarm_facts()
    f["docker"]["networks"][-1]["encrypted"] = None
    assert run("36", f)[0] == "pass"


def test_36_worker_defers_to_the_manager_even_with_an_unencrypted_overlay_in_view():
    f = swarm_facts(is_manager=False)
    f["docker"]["networks"][-1].update(options={}, encrypted=False)
    status, ev = run("36", f)
    assert status == "not_applicable" and "manager's report covers every overlay network" in ev


def test_36_error_when_networks_unlisted():
    f = swarm_facts()
    f["docker"]["networks"] = None
    assert run("36", f)[0] == "error"


# --- 37 join token rotation -----------------------------------------------------------------------

def test_37_not_applicable_off_swarm_and_on_worker():
    assert run("37", make_facts())[0] == "not_applicable"
    status, ev = run("37", swarm_facts(is_manager=False))
    assert status == "not_applicable" and "manager" in ev


def test_37_pass_recent_rotation():
    assert run("37", swarm_facts())[0] == "pass"


def test_37_fail_old_rotation():
    f = swarm_facts()
    f["docker"]["local_state"]["join_token_rotated_at"] = days_ago(120)
    status, ev = run("37", f)
    assert status == "fail" and "120 days" in ev


def test_37_manual_without_record():
    f = swarm_facts()
    f["docker"]["local_state"]["join_token_rotated_at"] = None
    status, ev = run("37", f)
    assert status == "manual" and "no rotation recorded" in ev


# --- 38 node certificate expiry -------------------------------------------------------------------

def test_38_pass_and_fail():
    assert run("38", swarm_facts(cert_expiry_days=30))[0] == "pass"
    status, ev = run("38", swarm_facts(cert_expiry_days=90))
    assert status == "fail" and "90 days" in ev and "--cert-expiry 720h" in ev


def test_38_not_applicable_off_swarm_and_on_worker():
    assert run("38", make_facts())[0] == "not_applicable"
    assert run("38", swarm_facts(is_manager=False))[0] == "not_applicable"


def test_38_falls_back_to_docker_info():
    f = swarm_facts(cert_expiry_days=90)
    f["docker"]["swarm"]["cert_expiry_seconds"] = None
    assert run("38", f)[0] == "fail"
    f["docker"]["info"]["Swarm"]["Cluster"] = None
    assert run("38", f)[0] == "error"


# --- 39 manager count -----------------------------------------------------------------------------

@pytest.mark.parametrize("count,allow_single,status", [
    (3, False, "pass"), (5, False, "pass"), (1, True, "pass"), (1, False, "fail"),
    (2, False, "fail"), (4, False, "fail"), (7, False, "fail"), (9, False, "fail"),
])
def test_39_manager_count(count, allow_single, status):
    got, ev = run("39", swarm_facts(managers=count), allow_single_manager=allow_single)
    assert got == status and str(count) in ev


def test_39_names_unreachable_managers():
    f = swarm_facts(managers=3)
    f["docker"]["swarm"]["node_list"] = [
        {"id": "a", "hostname": "m1", "role": "manager", "reachability": "reachable", "leader": True},
        {"id": "b", "hostname": "m2", "role": "manager", "reachability": "unreachable", "leader": False},
        {"id": "c", "hostname": "m3", "role": "manager", "reachability": "reachable", "leader": False},
        {"id": "d", "hostname": "w1", "role": "worker", "reachability": None, "leader": False}]
    status, ev = run("39", f)
    assert status == "pass" and "3 managers (unreachable: m2)" in ev


def test_39_not_applicable_off_swarm_and_on_worker():
    assert run("39", make_facts())[0] == "not_applicable"
    assert run("39", swarm_facts(is_manager=False))[0] == "not_applicable"


# --- 40 placement constraints ---------------------------------------------------------------------

def _service(name, label_names, constraints):
    return {"name": name, "labels": dict((n, "") for n in label_names), "label_names": label_names,
            "constraints": constraints, "secrets": [], "env_names": []}


def test_40_not_applicable_without_sensitive_services():
    status, ev = run("40", swarm_facts())
    assert status == "not_applicable" and "sensitive" in ev
    assert run("40", make_facts())[0] == "not_applicable"


def test_40_fail_names_unconstrained_sensitive_service():
    services = [_service("payments", ["com.acme.pci"], []),
                _service("web", ["security-zone"], ["node.labels.security-zone==dmz"])]
    status, ev = run("40", swarm_facts(services=services))
    assert status == "fail" and "payments" in ev and "com.acme.pci" in ev and "service web" not in ev


def test_40_pass_when_constrained_and_keys_are_options():
    services = [_service("payments", ["security-zone"], ["node.role==worker"])]
    assert run("40", swarm_facts(services=services))[0] == "pass"
    services = [_service("crm", ["tier"], [])]
    assert run("40", swarm_facts(services=services))[0] == "not_applicable"
    assert run("40", swarm_facts(services=services), sensitive_label_keys=["tier"])[0] == "fail"


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


# --- 46 / 49 history ------------------------------------------------------------------------------

def _history(*ages):
    return [{"host": "node1", "generated_at": days_ago(a), "score": 80.0, "collection_version": "1.0.0"}
            for a in ages]


BENCH_LOG = os.path.join(REPO, "tests", "data", "docker-bench", "docker-bench-security.log.json")


def _bench(**kw):
    with open(BENCH_LOG) as f:
        summary = bench_log.summarize(f.read())
    summary.update(path="/opt/docker-bench-security/log/docker-bench-security.log.json",
                   mtime="2026-11-21T05:01:00Z", error=None)
    summary.update(kw)
    return summary


def _no_bench():
    f = make_facts()
    f["tools"]["docker_bench"] = None
    return f


def test_46_fail_without_a_bench_run():
    status, ev = run("46", _no_bench())
    assert status == "fail" and "in the last 30 days" in ev


def test_46_own_history_is_not_a_cis_benchmark_run():
    # Issue 11: any second run of this collection used to pass item 46.
    status, ev = run("46", _no_bench(), _history=_history(45, 7, 1))
    assert status == "fail" and "no finished docker-bench-security run" in ev


def test_46_pass_shows_the_results_of_the_bench_log_on_the_host():
    f = make_facts()
    f["tools"]["docker_bench"] = _bench()
    status, ev = run("46", f)
    assert status == "pass", ev
    assert ("docker-bench-security 1.6.0 log /opt/docker-bench-security/log/docker-bench-security.log.json (on the "
            "host): 3 PASS, 2 WARN, 1 INFO, 1 NOTE (score 1 of 7 checks); ran 2 days ago") in ev


def test_46_bench_log_from_the_controller_option():
    status, ev = run("46", _no_bench(), _bench_log=_bench(path="/ci/bench.json"))
    assert status == "pass" and "/ci/bench.json (docker_bench_log_path): 3 PASS, 2 WARN" in ev


@pytest.mark.parametrize("change, why", [
    ({"end": None, "complete": False}, "the run did not finish"),
    ({"results": 0, "counts": {"PASS": 0, "WARN": 0, "INFO": 0, "NOTE": 0}}, "holds no results"),
    ({"error": "permission denied"}, "permission denied"),
])
def test_46_a_log_without_a_finished_run_is_not_credited(change, why):
    f = make_facts()
    f["tools"]["docker_bench"] = _bench(**change)
    status, ev = run("46", f)
    assert status == "fail" and why in ev


def test_46_old_bench_run_fails():
    f = make_facts()
    f["tools"]["docker_bench"] = _bench()
    status, ev = run("46", f, _today=datetime.date(2026, 12, 31))
    assert status == "fail" and "40 days old (benchmark_max_age_days 30)" in ev
    assert run("46", f, _today=datetime.date(2026, 12, 31), benchmark_max_age_days=60)[0] == "pass"


def test_46_text_log_alone_is_named_but_not_credited():
    f = _no_bench()
    f["tools"]["docker_bench_log"] = "/var/log/docker-bench-security.log"
    f["tools"]["docker_bench_log_mtime"] = days_ago(3)
    status, ev = run("46", f)
    assert status == "fail" and "text log /var/log/docker-bench-security.log found" in ev


def test_bench_log_summary_of_the_real_format_and_of_broken_json():
    with open(BENCH_LOG) as f:
        text = f.read()
    s = bench_log.summarize(text)
    assert (s["version"], s["checks"], s["score"], s["results"], s["complete"], s["parsed"]) == (
        "1.6.0", 7, 1, 7, True, "json")
    assert s["counts"] == {"PASS": 3, "WARN": 2, "INFO": 1, "NOTE": 1}
    # docker-bench escapes nothing: a quote in a detail breaks the JSON; counted line by line instead.
    broken = text.replace('"Docker version too old"', '"version "20.10" too old"')
    s = bench_log.summarize(broken)
    assert s["parsed"] == "lines" and s["counts"]["PASS"] == 3 and s["complete"] is True
    # An interrupted run: no closing checks/score/end.
    s = bench_log.summarize(text[:text.index('"id": "2.9"')])
    assert s["complete"] is False and s["results"] == 5 and s["end"] is None
    assert bench_log.summarize("")["results"] == 0 and bench_log.summarize(None)["complete"] is False


def test_49_needs_two_audits_on_different_days():
    status, ev = run("49", make_facts())
    assert status == "fail" and "0 recorded audits" in ev and "at least two" in ev
    # Issue 11: a second run used to pass; one recorded audit is no cadence.
    assert run("49", make_facts(), _history=_history(1))[0] == "fail"
    # Two runs on one day are one audit day.
    status, ev = run("49", make_facts(), _history=_history(0, 0))
    assert status == "fail" and "1 recorded audit of this host" in ev
    status, ev = run("49", make_facts(), _history=_history(60, 5))
    assert status == "pass" and "2 recorded audits on different days" in ev


def test_49_gap_longer_than_the_period_fails():
    status, ev = run("49", make_facts(), _history=_history(200, 10))
    assert status == "fail" and "190 days without an audit between" in ev
    assert run("49", make_facts(), _history=_history(200, 10), audit_max_age_days=190)[0] == "pass"
    # The newest audit too old.
    status, ev = run("49", make_facts(), _history=_history(150, 100))
    assert status == "fail" and "is 100 days old (audit_max_age_days 92)" in ev
    # A lapse older than the window (365 days) no longer counts.
    assert run("49", make_facts(), _history=_history(900, 400, 330, 250, 170, 90, 10))[0] == "pass"
    assert run("49", make_facts(), _history=_history(900, 330, 250, 170, 90, 10))[0] == "pass"
    assert run("49", make_facts(), _history=_history(900, 300, 200, 100, 10))[0] == "fail"


def test_history_today_falls_back_to_gathered_at():
    status, _ev = CHECKS["49"](make_facts(), {"_history": _history(40, 10)})
    assert status == "pass"


# --- 50 inventory ---------------------------------------------------------------------------------

def test_50_pass_fail_error():
    status, ev = run("50", make_facts(containers=[make_container("a"), make_container("b", state="exited")]))
    assert status == "pass" and "inventory of 2 containers" in ev
    status, ev = run("50", make_facts(), inventory_export=False)
    assert status == "fail" and "inventory_export" in ev
    f = make_facts()
    f["docker"]["containers"] = None
    assert run("50", f)[0] == "error"


# --- purity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid", sorted(CHECKS, key=int))
def test_checks_do_not_mutate_facts_or_opts(cid):
    f = swarm_facts()
    o = opts(_history=_history(3))
    f0, o0 = copy.deepcopy(f), copy.deepcopy(o)
    CHECKS[cid](f, o)
    assert f == f0 and o == o0


# --- robustness: random and malformed facts -------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

STATUSES = ("pass", "fail", "not_applicable", "manual", "error")
WEIRD = ["$(reboot)", "`id`", "; rm -rf / #", "a|b&c>d", "ünïcødé-名前", "\n\t\x00", "../../etc", "",
         "running", "host", "bind", "volume", "tmpfs", "overlay", "active", "on-failure", "tcp://0.0.0.0:2375",
         "/var/run/docker.sock", "/etc", "0777", "0660", "DB_PASSWORD", "DB_PASSWORD_FILE",
         "2026-01-01T00:00:00Z", "2026-02-30T99:99:99Z", "sha256:" + "1" * 64, "nginx@sha256:abc", "-1", "1e999"]
KEYS = ["state", "name", "image", "image_id", "type", "source", "destination", "rw", "env_names", "mounts",
        "tmpfs", "swarm_service", "label_names", "constraints", "secrets", "created_at", "driver", "options",
        "encrypted", "history", "has_shell", "healthcheck", "generated_at", "restart_policy", "max_retry"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=24), st.sampled_from(WEIRD))
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS + WEIRD), st.text(max_size=8)),
                                               children, max_size=5)),
    max_leaves=12)


def _fuzz_bases():
    weird = make_container("$(reboot);`id`|ünï\n", image="evil/$(id):tag", env_names=["A;B", "TOKEN`x`"],
                           mounts=[{"type": "bind", "source": "/var/run/docker.sock", "destination": "/x",
                                    "rw": True}], swarm_service="svc;rm")
    return [make_facts(), swarm_facts(), swarm_facts(is_manager=False), make_facts(containers=[weird]),
            make_facts(containers=[])]


FUZZ_BASES = _fuzz_bases()


def _paths(obj, prefix=()):
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_paths(v, prefix + (i,)))
    return out


FUZZ_PATHS = [_paths(b) for b in FUZZ_BASES]


@st.composite
def malformed_facts(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    idx = draw(st.integers(0, len(FUZZ_BASES) - 1))
    facts = copy.deepcopy(FUZZ_BASES[idx])
    for _step in range(draw(st.integers(1, 8))):
        path = draw(st.sampled_from(FUZZ_PATHS[idx]))
        action = draw(st.sampled_from(["set", "set", "delete", "none"]))
        value = draw(values) if action == "set" else None
        try:
            parent = facts
            for key in path[:-1]:
                parent = parent[key]
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    return facts


def malformed_opts(option_names):
    optional = dict((n, values) for n in option_names)
    optional["_today"] = st.one_of(st.dates(), values)
    optional["_history"] = st.one_of(values, st.lists(st.fixed_dictionaries(
        {"host": values, "generated_at": st.one_of(st.sampled_from(WEIRD), values), "score": values})))
    optional["exclude_containers"] = values
    optional["exclude_container_labels"] = values
    return st.one_of(st.none(), values, st.fixed_dictionaries({}, optional=optional))


def assert_robust(checks, facts, options):
    for cid, fn in sorted(checks.items()):
        got = fn(facts, options)
        assert isinstance(got, tuple) and len(got) == 2, cid
        status, evidence = got
        assert status in STATUSES, (cid, status)
        assert isinstance(evidence, list) and evidence, cid
        assert all(isinstance(e, str) for e in evidence), (cid, evidence)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(facts=malformed_facts(), options=malformed_opts(sorted(OPTIONS)))
def test_checks_never_raise_on_malformed_facts(facts, options):
    assert_robust(CHECKS, facts, options)
