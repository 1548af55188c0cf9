"""Items 26-30 (secrets: evaluate/secrets.py).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from conftest import make_container, make_facts
from sections_support import days_ago, run, swarm_facts


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
