# -*- coding: utf-8 -*-
"""Issue 16, runtime slice: verdicts by the engine's own rules (items 16-20, 36-40, 46-50, X.3, X.4,
X.7, X.11-X.13) on host states that look hardened to a string check but are not to dockerd.

Each test plants one such state on the hardened fixture host and asserts the verdict the engine's
rule gives; docstrings name the moby source the rule comes from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest
from conftest import make_container, make_facts, make_image
from sections_support import swarm_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import (
    common, compliance, extended, orchestration, runtime
)
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker

TODAY = datetime.date(2026, 11, 23)
OPTS = audit.validate_options({})
CHECKS = {}
for _mod in (runtime, orchestration, compliance, extended):
    CHECKS.update(_mod.CHECKS)


def run(cid, facts, **kw):
    o = dict(OPTS)
    o.update({"_today": TODAY, "_history": []})
    o.update(kw)
    status, evidence = CHECKS[cid](facts, o)
    assert status in ("pass", "fail", "not_applicable", "manual", "error")
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, "\n".join(evidence)


def host(*containers):
    return make_facts(containers=list(containers))


# --- case 1: which containers per-container controls judge -----------------------------------------

@pytest.mark.parametrize("state", ["paused", "restarting"])
@pytest.mark.parametrize("cid,mutation", [
    ("16", {"user": "root"}), ("17", {"privileged": True}), ("18", {"readonly_rootfs": False}),
    ("19", {"memory": 0}), ("X.12", {"pid_mode": "host"}),
])
def test_paused_and_restarting_containers_are_judged(state, cid, mutation):
    """moby daemon/container/state.go State(): paused and restarting containers are Running; they
    hold their namespaces, mounts and privileges."""
    status, ev = run(cid, host(make_container("ok"), make_container("frozen", state=state, **mutation)))
    assert status == "fail", ev
    assert "frozen" in ev and state in ev


def test_a_paused_container_is_counted_in_a_pass():
    status, ev = run("16", host(make_container("ok"), make_container("frozen", state="paused")))
    assert status == "pass" and "2 containers checked" in ev and "1 paused" in ev


def test_exited_container_with_restart_always_is_judged():
    """daemon/daemon.go restore: AutoRestart && ShouldRestart() && HasBeenStartedBefore; restartmanager
    ShouldRestart: `always` restarts whatever stopped it."""
    bad = make_container("cron", state="exited", user="root", exit_code=0, restart_count=0,
                         restart_policy={"name": "always", "max_retry": 0})
    status, ev = run("16", host(make_container("ok"), bad))
    assert status == "fail" and "cron" in ev and "always" in ev


def test_exited_on_failure_with_error_exit_and_retries_left_is_judged():
    bad = make_container("job", state="exited", user="root", exit_code=137, restart_count=1,
                         restart_policy={"name": "on-failure", "max_retry": 5})
    assert run("16", host(make_container("ok"), bad))[0] == "fail"


@pytest.mark.parametrize("extra", [
    {"restart_policy": {"name": "no", "max_retry": 0}, "exit_code": 1},
    {"restart_policy": {"name": "unless-stopped", "max_retry": 0}, "exit_code": 0},   # stopped by hand
    {"restart_policy": {"name": "on-failure", "max_retry": 5}, "exit_code": 0},
    {"restart_policy": {"name": "on-failure", "max_retry": 3}, "exit_code": 1, "restart_count": 3},
    {"restart_policy": {"name": "always", "max_retry": 0}, "started_at": "0001-01-01T00:00:00Z"},  # never started
])
def test_stopped_containers_that_stay_stopped_are_not_judged(extra):
    kw = {"state": "exited", "user": "root", "exit_code": 0, "restart_count": 0}
    kw.update(extra)
    status, ev = run("16", host(make_container("ok"), make_container("old", **kw)))
    assert status == "pass" and "old" not in ev


def test_created_container_is_not_judged():
    assert run("16", host(make_container("ok"), make_container("new", state="created", user="root",
                                                               started_at="0001-01-01T00:00:00Z")))[0] == "pass"


def test_dockerd_restart_false_brings_nothing_back():
    f = host(make_container("ok"), make_container("cron", state="exited", user="root", exit_code=0,
                                                  restart_policy={"name": "always", "max_retry": 0}))
    f["dockerd_process"]["flags"]["--restart"] = ["false"]
    assert run("16", f)[0] == "pass"


def test_no_containers_reason_says_which_states_count():
    status, ev = run("16", host(make_container("old", state="exited", restart_policy={"name": "no"})))
    assert status == "not_applicable" and "no running" in ev and "paused" in ev


def test_a_paused_log_shipper_does_not_ship():
    f = make_facts()
    f["services"]["running"].remove("fluent-bit.service")
    f["services"]["processes"].remove("fluent-bit")
    f["docker"]["containers"].append(make_container("shipper", image="fluent/fluent-bit:3.0", state="paused"))
    assert run("X.14", f)[0] == "fail"


# --- case 2: X.11 and forged swarm labels ------------------------------------------------------------

def _swarm_node(*containers):
    f = make_facts(containers=list(containers))
    f["docker"]["info"]["Swarm"]["LocalNodeState"] = "active"
    return f


def test_x11_forged_swarm_label_on_a_plain_container_is_judged():
    """daemon/list.go: the is-task filter follows Container.Managed, which only the swarm executor sets."""
    c = make_container("fake.1.x", swarm_service="shop_api", swarm_task=False,
                       label_names=["com.docker.swarm.service.name", "com.docker.swarm.task.id"],
                       restart_policy={"name": "always", "max_retry": 0})
    status, ev = run("X.11", _swarm_node(c))
    assert status == "fail" and "fake.1.x" in ev


def test_x11_forged_label_off_swarm_is_judged_even_without_the_task_fact():
    c = make_container("fake.1.x", swarm_service="shop_api", restart_policy={"name": "no", "max_retry": 0})
    assert run("X.11", host(c))[0] == "fail"


def test_x11_real_swarm_task_is_exempt():
    c = make_container("shop_api.1.x", swarm_service="shop_api", swarm_task=True,
                       restart_policy={"name": "no", "max_retry": 0})
    status, ev = run("X.11", _swarm_node(c))
    assert status == "not_applicable" and "swarm" in ev


def test_x11_task_state_unknown_on_a_swarm_node_is_not_a_pass():
    c = make_container("shop_api.1.x", swarm_service="shop_api", swarm_task=None,
                       restart_policy={"name": "no", "max_retry": 0})
    assert run("X.11", _swarm_node(c))[0] == "manual"


def test_x11_on_failure_with_count_in_name_form():
    """runconfig/opts ParseRestartPolicy: on-failure:N is Name on-failure, MaximumRetryCount N; an
    unknown policy name is not a pass."""
    assert run("X.11", host(make_container(restart_policy={"name": "bogus", "max_retry": 5})))[0] == "fail"


def test_label_swarm_service_is_not_shown_as_a_service_when_the_engine_denies_it():
    c = make_container("fake", swarm_service="shop_api", swarm_task=False)
    assert "(service shop_api" not in common.container_label(c)


def test_gather_asks_the_engine_which_containers_are_tasks():
    class Client(object):
        def containers(self, all=False, filters=None):
            assert filters == {"is-task": ["true"]}
            return [{"Id": "t1"}]
    inspected = [{"Id": "t1", "State": {"ExitCode": 0}, "RestartCount": 2, "Path": "/sbin/tini",
                  "HostConfig": {"CgroupnsMode": "host"}},
                 {"Id": "p1", "State": {"ExitCode": 1}, "Path": "nginx"}]
    containers = [{}, {}]
    gather_docker.container_lifecycle(Client(), {"Swarm": {"LocalNodeState": "active"}}, inspected, containers)
    assert [c["swarm_task"] for c in containers] == [True, False]
    assert containers[0]["pid1"] == "tini" and containers[0]["restart_count"] == 2
    assert containers[0]["cgroupns_mode"] == "host" and containers[1]["exit_code"] == 1
    off = [{}]
    gather_docker.container_lifecycle(None, {"Swarm": {"LocalNodeState": "inactive"}}, inspected[:1], off)
    assert off[0]["swarm_task"] is False

    class Old(object):
        def containers(self, all=False):
            return []
    unknown = [{}]
    gather_docker.container_lifecycle(Old(), {"Swarm": {"LocalNodeState": "active"}}, inspected[:1], unknown)
    assert unknown[0]["swarm_task"] is None


# --- case 3: item 19 -----------------------------------------------------------------------------------

def test_19_cpu_shares_are_not_a_limit():
    assert run("19", host(make_container(nano_cpus=0, cpu_quota=0, cpu_shares=512)))[0] == "fail"


def test_19_negative_quota_is_unlimited():
    assert run("19", host(make_container(nano_cpus=0, cpu_quota=-1)))[0] == "fail"


@pytest.mark.parametrize("key,word", [("MemoryLimit", "memory"), ("CpuCfsQuota", "cpu"), ("PidsLimit", "pids")])
def test_19_limit_the_kernel_does_not_enforce_is_not_a_pass(key, word):
    """daemon/info_unix.go fillPlatformInfo: MemoryLimit / CpuCfsQuota / PidsLimit false = no cgroup support."""
    f = make_facts()
    f["docker"]["info"][key] = False
    status, ev = run("19", f)
    assert status == "fail" and word in ev.lower() and "not enforced" in ev


def test_19_cgroup_driver_none_enforces_nothing():
    """daemon/daemon_unix.go cgroupDriver: rootless without cgroups is driver "none"."""
    f = make_facts()
    f["docker"]["info"]["CgroupDriver"] = "none"
    status, ev = run("19", f)
    assert status == "fail" and "cgroup driver none" in ev


def test_19_enforcement_unknown_is_not_a_pass():
    f = make_facts()
    for key in ("CgroupDriver", "MemoryLimit", "CpuCfsQuota", "PidsLimit"):
        f["docker"]["info"].pop(key, None)
    assert run("19", f)[0] == "manual"


# --- case 4: items 16, 17, 20 ----------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["+0", "-0", "00", "0:1000", ":1000", "root:1000"])
def test_16_go_atoi_forms_of_uid_zero_are_root(user):
    """moby/sys/user GetExecUser: the user part is numeric by strconv.Atoi (sign allowed); empty = uid 0."""
    status, ev = run("16", host(make_container(user=user)))
    assert status == "fail", (user, ev)


@pytest.mark.parametrize("user", ["1000", "1000:0", "app", "nobody:nogroup"])
def test_16_non_root_users(user):
    assert run("16", host(make_container(user=user)))[0] == "pass"


def test_17_cap_all_prefix_is_not_all():
    """oci/caps NormalizeLegacyCapabilities: only "ALL" (any case) is the magic value; CAP_ALL is not."""
    status, ev = run("17", host(make_container(cap_drop=["CAP_ALL"])))
    assert status == "fail" and "CAP_ALL" in ev
    assert run("17", host(make_container(cap_drop=["all"])))[0] == "pass"


def test_17_cap_add_all_wins_over_cap_drop_all_even_if_allow_listed():
    """TweakCapabilities: CapAdd ALL is checked before CapDrop ALL: every capability."""
    status, ev = run("17", host(make_container(cap_add=["all"])), cap_add_allowlist=["ALL"])
    assert status == "fail" and "ALL" in ev


@pytest.mark.parametrize("opts_", [["no-new-privileges:false"], ["no-new-privileges=false"],
                                   ["no-new-privileges=0"], ["no-new-privileges", "no-new-privileges=f"]])
def test_20_container_opt_out_beats_the_daemon_default(opts_):
    """daemon/daemon_unix.go parseSecurityOpt: the daemon default, then each SecurityOpt in order."""
    f = host(make_container(security_opt=opts_))
    f["docker"]["info"]["SecurityOptions"].append("name=no-new-privileges")
    status, ev = run("20", f)
    assert status == "fail" and "no-new-privileges" in ev


@pytest.mark.parametrize("opts_", [["no-new-privileges=1"], ["no-new-privileges:True"],
                                   ["no-new-privileges=false", "no-new-privileges"]])
def test_20_go_parsebool_true_forms(opts_):
    f = host(make_container(security_opt=opts_))
    del f["daemon_config"]["content"]["no-new-privileges"]
    assert run("20", f)[0] == "pass"


def test_20_daemon_default_does_not_reach_containers_created_before_dockerd_started():
    """daemon/create.go setSecurityOptions: the daemon default is copied at create only."""
    f = host(make_container(security_opt=[], created="2026-11-01T00:00:00Z"))
    f["docker"]["info"]["SecurityOptions"].append("name=no-new-privileges")
    f["dockerd_process"]["started_at"] = "2026-11-20T00:00:00Z"
    status, ev = run("20", f)
    assert status == "manual" and "created before" in ev
    f["docker"]["containers"][0]["created"] = "2026-11-21T00:00:00Z"
    assert run("20", f)[0] == "pass"


def test_20_running_dockerd_without_the_default_wins_over_daemon_json():
    """info.go: SecurityOptions lists name=no-new-privileges when the running dockerd has it (API 1.44+)."""
    f = host(make_container(security_opt=[], created="2026-11-21T00:00:00Z"))
    f["docker"]["api_version"] = "1.45"
    f["dockerd_process"]["started_at"] = "2026-11-20T00:00:00Z"
    assert run("20", f)[0] == "fail"


# --- case 5: X.3, X.4, X.12, X.13 ----------------------------------------------------------------------

def test_x3_entrypoint_override_beats_the_image_entrypoint():
    """inspect Path is the program the engine starts: --entrypoint replaces the image's tini."""
    img = make_image(history=['/bin/sh -c #(nop)  ENTRYPOINT ["/sbin/tini" "--" "/app"]'])
    f = make_facts(containers=[make_container(init=None, pid1="server")], images={"sha256:" + "1" * 64: img})
    assert run("X.3", f)[0] == "fail"
    f["docker"]["containers"][0]["pid1"] = "tini"
    assert run("X.3", f)[0] == "pass"


def test_x3_daemon_init_default_applies_when_the_container_does_not_say():
    """daemon/oci_linux.go: Init nil takes the daemon's init setting."""
    f = host(make_container(init=None, pid1="server"))
    f["daemon_config"]["content"]["init"] = True
    assert run("X.3", f)[0] == "pass"
    f["docker"]["containers"][0]["init"] = False
    assert run("X.3", f)[0] == "fail"


def test_x12_network_of_a_host_network_container_is_the_host_network():
    """runconfig NetworkMode container:<id> joins that container's namespace."""
    hostnet = make_container("hostnet", network_mode="host")
    joined = make_container("sidecar", network_mode="container:hostnet", pid_mode="container:" + hostnet["id"])
    f = host(make_container("ok"), joined)
    f["docker"]["containers"].append(dict(hostnet, state="exited", restart_policy={"name": "no"}))
    hostnet_pid = f["docker"]["containers"][-1]
    hostnet_pid["pid_mode"] = "host"
    status, ev = run("X.12", f)
    assert status == "fail" and "sidecar" in ev and "network" in ev and "pid" in ev


@pytest.mark.parametrize("key,value,word", [("cgroupns_mode", "host", "cgroup"), ("userns_mode", "host", "user")])
def test_x12_cgroup_and_user_namespaces(key, value, word):
    status, ev = run("X.12", host(make_container("ok"), make_container("agent", **{key: value})))
    assert status == "fail" and "agent" in ev and word in ev


@pytest.mark.parametrize("source", ["/var/run", "/run/", "/etc/ssh", "/usr/bin/", "/./etc", "/etc/../etc",
                                    "/proc/1/root"])
def test_x13_sensitive_paths_canonical_and_below(source):
    m = {"type": "bind", "source": source, "destination": "/host", "rw": True}
    f = host(make_container("agent", mounts=[m]))
    status, ev = run("X.13", f, sensitive_host_paths=["/", "/etc", "/usr", "/proc", "/run"])
    assert status == "fail" and "agent" in ev


def test_x13_read_only_file_below_etc_is_fine():
    m = {"type": "bind", "source": "/etc/localtime", "destination": "/etc/localtime", "rw": False}
    assert run("X.13", host(make_container("agent", mounts=[m])))[0] == "pass"


def test_x4_writable_mount_is_not_allowed_by_its_container_path():
    """An allow-list entry names a host path: a writable /etc mounted at an allowed container path fails."""
    m = {"type": "bind", "source": "/etc", "destination": "/data/etc", "rw": True}
    status, ev = run("X.4", host(make_container("agent", mounts=[m])), writable_bind_mounts=["/data"])
    assert status == "fail" and "/etc" in ev


def test_x4_allow_list_compares_canonical_host_paths():
    m = {"type": "bind", "source": "/srv/data/../../etc", "destination": "/x", "rw": True}
    assert run("X.4", host(make_container("agent", mounts=[m])), writable_bind_mounts=["/srv/data"])[0] == "fail"


# --- X.7, 36-40, 46-50 --------------------------------------------------------------------------------------

def test_36_encrypted_is_any_value_of_the_option():
    """libnetwork drivers/overlay ov_network.go: the presence of the "encrypted" option makes it secure."""
    f = swarm_facts()
    for n in f["docker"]["networks"]:
        if n["driver"] == "overlay":
            n["options"] = {"encrypted": "false"}
            n.pop("encrypted")
    assert run("36", f)[0] == "pass"


def test_37_rotation_dated_in_the_future_is_not_a_pass():
    f = swarm_facts()
    f["docker"]["local_state"]["join_token_rotated_at"] = "2027-06-01T00:00:00Z"
    status, ev = run("37", f)
    assert status == "error" and "future" in ev


def test_46_docker_bench_log_dated_in_the_future_is_not_credited():
    f = make_facts()
    f["tools"]["docker_bench"]["end"] = "2030-01-01T00:00:00Z"
    f["tools"]["docker_bench"]["start"] = "2030-01-01T00:00:00Z"
    status, ev = run("46", f)
    assert status == "fail" and "future" in ev


def test_40_platform_only_constraint_does_not_place_a_service():
    f = swarm_facts()
    svc = {"name": "payments", "label_names": ["pci"], "labels": {"pci": "yes"},
           "constraints": ["node.platform.os==linux"], "secrets": [], "env_names": []}
    f["docker"]["swarm"]["services"] = [svc]
    status, ev = run("40", f)
    assert status == "fail" and "payments" in ev
    svc["constraints"] = ["node.labels.zone==pci"]
    assert run("40", f)[0] == "pass"


def test_50_counts_paused_containers_as_in_the_inventory():
    f = host(make_container("a"), make_container("b", state="paused"))
    status, ev = run("50", f)
    assert status == "pass" and "2 containers" in ev and "1 paused" in ev


# --- extra: a named volume that binds a host directory ------------------------------------------------

def test_x13_and_x4_see_a_local_volume_that_binds_a_host_directory():
    """daemon/volume/local: a local volume with type=none,o=bind mounts its device as a bind."""
    m = {"type": "volume", "source": "/var/lib/docker/volumes/etc/_data", "destination": "/host-etc", "rw": True,
         "bind_device": "/etc"}
    f = host(make_container("agent", mounts=[m]))
    status, ev = run("X.13", f)
    assert status == "fail" and "/etc" in ev
    assert run("X.4", f)[0] == "fail"
    f["docker"]["containers"][0]["mounts"][0].pop("bind_device")
    assert run("X.13", f)[0] == "pass" and run("X.4", f)[0] == "pass"


def test_gather_records_the_device_of_a_bind_volume_and_no_other_option():
    class Client(object):
        def volumes(self):
            return {"Volumes": [{"Name": "etc", "Driver": "local",
                                 "Options": {"type": "none", "o": "bind", "device": "/etc"}},
                                {"Name": "share", "Driver": "local",
                                 "Options": {"type": "cifs", "o": "username=u,password=s3cr3t", "device": "//x/y"}}]}
    inspected = [{"Id": "c1", "Mounts": [{"Type": "volume", "Name": "etc"}, {"Type": "volume", "Name": "share"}]}]
    containers = [{"mounts": [{"type": "volume"}, {"type": "volume"}]}]
    gather_docker.container_lifecycle(Client(), {}, inspected, containers)
    assert containers[0]["mounts"][0]["bind_device"] == "/etc"
    assert "bind_device" not in containers[0]["mounts"][1] and "s3cr3t" not in str(containers)


def test_38_cert_expiry_zero_is_swarmkits_default_of_90_days():
    """swarmkit ca/server.go: a cluster spec without NodeCertExpiry (the API shows 0) signs node
    certificates for DefaultNodeCertExpiration, 90 days; controlapi refuses less than an hour."""
    f = swarm_facts()
    f["docker"]["swarm"]["cert_expiry_seconds"] = None
    f["docker"]["info"]["Swarm"]["Cluster"]["Spec"]["CAConfig"]["NodeCertExpiry"] = 0
    status, ev = run("38", f)
    assert status == "fail" and "90 days" in ev


# --- extra: a read-only bind that is not read-only below -------------------------------------------

def _ro_root_bind(engine, kernel, **extra):
    m = {"type": "bind", "source": "/", "destination": "/host", "rw": False}
    m.update(extra)
    f = host(make_container("agent", mounts=[m]))
    f["docker"]["info"]["ServerVersion"] = engine
    f["docker"]["info"]["KernelVersion"] = kernel
    return f


@pytest.mark.parametrize("engine,kernel", [("20.10.24+dfsg1", "6.1.0-26-amd64"), ("26.1.5", "5.10.0-30-amd64")])
def test_x4_read_only_bind_is_not_recursive_on_old_engines_or_kernels(engine, kernel):
    """daemon/oci_linux.go: rro only with supportsRecursivelyReadOnly (Engine 25+, kernel 5.12+), else
    ro on an rbind: the host's mounts below the source stay writable."""
    status, ev = run("X.4", _ro_root_bind(engine, kernel))
    assert status == "fail" and "/var/lib/docker" in ev and "stay writable" in ev


def test_x4_recursive_read_only_on_new_engine_and_kernel():
    assert run("X.4", _ro_root_bind("26.1.5", "6.1.0-26-amd64"))[0] == "pass"
    status, ev = run("X.4", _ro_root_bind("26.1.5", "6.1.0-26-amd64", ro_non_recursive=True))
    assert status == "fail" and "stay writable" in ev


def test_gather_marks_a_non_recursive_read_only_bind():
    inspected = [{"Id": "c1", "Mounts": [{"Type": "bind", "Destination": "/host"}],
                  "HostConfig": {"Mounts": [{"Type": "bind", "Target": "/host",
                                             "BindOptions": {"ReadOnlyNonRecursive": True}}]}}]
    containers = [{"mounts": [{"type": "bind"}]}]
    gather_docker.container_lifecycle(None, {}, inspected, containers)
    assert containers[0]["mounts"][0]["ro_non_recursive"] is True


def test_x4_read_only_bind_without_the_host_mount_table_is_not_a_pass():
    f = _ro_root_bind("20.10.24+dfsg1", "6.1.0-26-amd64")
    del f["mounts"]
    assert run("X.4", f)[0] == "manual"


def test_evidence_does_not_call_a_forged_label_a_service():
    status, ev = run("X.11", host(make_container("fake", swarm_service="shop_api",
                                                 restart_policy={"name": "always", "max_retry": 0})))
    assert status == "fail" and "label claims swarm service shop_api" in ev and "(service shop_api" not in ev
