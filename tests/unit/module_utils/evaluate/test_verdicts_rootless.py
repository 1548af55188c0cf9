# -*- coding: utf-8 -*-
"""Issue 20 item 2: the checklist's verdicts for a rootless dockerd (a per-daemon view whose
``daemon`` record says rootless, docker info name=rootless, CgroupDriver none).

What is inherent passes with that reason, what cannot apply is not_applicable with the reason, what
silently does nothing fails with the reason; the rootful verdicts stay as they are (the fixture host
of conftest.make_facts is judged beside each case).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
from conftest import make_container, make_facts, make_rootless_facts
from fake_host import FakeHost, run_collector
from sections_support import opts, swarm_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import (
    common, daemon, extended, host, network, orchestration, runtime, secrets
)
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base as gather_base
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import host as gather_host
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import listeners as gather_listeners

OPTS = audit.validate_options({})
CHECKS = {}
for _mod in (host, daemon, runtime, network, secrets, orchestration, extended):
    CHECKS.update(_mod.CHECKS)


def run(cid, facts):
    status, evidence = CHECKS[cid](facts, dict(OPTS, **opts()))
    assert evidence and all(isinstance(e, str) for e in evidence)
    return status, "\n".join(evidence)


# --- common.is_rootless (BRIEF B) ------------------------------------------------------------------

def test_is_rootless_from_the_daemon_record_or_from_dockerd_itself():
    assert common.is_rootless(make_rootless_facts()) is True
    only_record = make_facts()
    only_record["daemon"] = {"name": "svc@unix:///run/user/1000/docker.sock", "rootless": True}
    assert common.is_rootless(only_record) is True
    only_info = make_facts()
    only_info["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=builtin", "name=rootless"]
    assert common.is_rootless(only_info) is True
    assert common.is_rootless(make_facts()) is False
    rootful_record = make_facts()
    rootful_record["daemon"] = {"name": "root@unix:///var/run/docker.sock", "rootless": False}
    assert common.is_rootless(rootful_record) is False
    assert common.is_rootless({"daemon": "odd", "docker": None}) is False


# --- item 1: rootlesskit is Docker's own process --------------------------------------------------

def _ps_host(facts):
    facts["services"] = {"source": "ps", "running": ["dockerd", "containerd", "sshd", "rootlesskit", "slirp4netns"],
                         "processes": ["containerd", "dockerd", "rootlesskit", "slirp4netns", "sshd"],
                         "daemons": ["dockerd", "containerd", "sshd", "rootlesskit", "slirp4netns"]}
    return facts


def test_1_rootlesskit_is_allowed_only_where_a_rootless_daemon_runs():
    assert run("1", _ps_host(make_rootless_facts()))[0] == "pass"
    host_with_both = _ps_host(make_facts())
    host_with_both["daemons"] = [{"name": "root@unix:///var/run/docker.sock", "rootless": False},
                                 {"name": "svc@unix:///run/user/1000/docker.sock", "rootless": True}]
    assert run("1", host_with_both)[0] == "pass"
    status, text = run("1", _ps_host(make_facts()))
    assert status == "fail" and "rootlesskit, slirp4netns" in text


# --- item 8: user namespaces are inherent ----------------------------------------------------------

def test_8_rootless_passes_with_the_reason():
    status, text = run("8", make_rootless_facts())
    assert status == "pass" and "name=rootless" in text


def test_8_rootless_record_passes_when_docker_info_is_silent():
    f = make_rootless_facts()
    f["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=builtin"]
    status, text = run("8", f)
    assert status == "pass" and "rootlesskit" in text and "svc" in text


def test_8_rootful_without_remap_still_fails():
    f = make_facts()
    f["docker"]["info"]["SecurityOptions"] = ["name=apparmor", "name=seccomp,profile=default"]
    assert run("8", f)[0] == "fail"


def test_16_rootless_container_root_is_still_root_and_says_whom_it_maps_to():
    f = make_rootless_facts(containers=[make_container("app", user="")])
    status, text = run("16", f)
    assert status == "fail" and "maps it to its user on the host" in text and "svc" in text


# --- item 9: fuse-overlayfs where a rootless daemon cannot mount overlayfs ---------------------------

def test_9_rootless_fuse_overlayfs_passes_only_where_overlay2_is_unavailable():
    f = make_rootless_facts()
    f["docker"]["info"]["Driver"] = "fuse-overlayfs"
    f["host"]["kernel_running"] = "5.10.0-32-amd64"
    status, text = run("9", f)
    assert status == "pass" and "older than 5.11" in text
    f["host"]["kernel_running"] = "6.1.0-26-amd64"
    assert run("9", f)[0] == "fail"
    f["host"]["selinux_enabled"] = True
    status, text = run("9", f)
    assert status == "pass" and "SELinux" in text
    f["host"] = {}
    assert run("9", f)[0] == "error"
    rootful = make_facts()
    rootful["docker"]["info"]["Driver"] = "fuse-overlayfs"
    assert run("9", rootful)[0] == "fail"


# --- item 19: limits without cgroups are not enforced -------------------------------------------

def test_19_rootless_without_cgroups_fails_although_every_container_has_limits():
    f = make_rootless_facts()
    assert all(c["memory"] and c["nano_cpus"] and c["pids_limit"] for c in f["docker"]["containers"])
    status, text = run("19", f)
    assert status == "fail" and "cgroup driver none" in text and "not enforced" in text


@pytest.mark.parametrize("cpu,status", [(False, "fail"), (True, "pass")])
def test_19_rootless_with_systemds_driver_needs_every_controller_delegated(cpu, status):
    """systemd driver on cgroup v2, memory and pids delegated; cpu as given (getSysInfo reads user-UID.slice)."""
    f = make_rootless_facts()
    f["docker"]["info"].update({"CgroupDriver": "systemd", "MemoryLimit": True, "PidsLimit": True,
                                "CpuCfsQuota": cpu})
    verdict, text = run("19", f)
    assert verdict == status and ("cpus limits not enforced" in text and "Delegate=" in text) == (not cpu)


def test_19_rootful_kernel_without_a_controller_keeps_its_text():
    f = make_facts()
    f["docker"]["info"]["PidsLimit"] = False
    status, text = run("19", f)
    assert status == "fail" and "not enforced by this kernel" in text and "Delegate=" not in text


# --- items 22, 25: the host's DOCKER-USER chain does not see a rootless daemon --------------------

def test_22_icc_means_the_same_inside_rootlesskit():
    assert run("22", make_rootless_facts()) == run("22", make_facts())
    f = make_rootless_facts()
    f["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    assert run("22", f)[0] == "fail"


def _no_docker_user(f):
    f["iptables"].update({"docker_user": None, "docker_user_error": "iptables: No chain/target/match by that name."})
    return f


def test_25_rootless_with_loopback_ports_only_is_not_applicable():
    f = _no_docker_user(make_rootless_facts())
    status, text = run("25", f)
    assert status == "not_applicable" and "rootlesskit's network namespace" in text
    # the rootful daemon on the same host: the missing chain is a fail
    assert run("25", _no_docker_user(make_facts()))[0] == "fail"


def test_25_rootless_ports_off_loopback_are_left_to_the_host_input_chain():
    port = {"container_port": "80/tcp", "host_ip": "", "host_port": "8080"}
    f = make_rootless_facts(containers=[make_container("web", ports=[port], port_bindings=[port])])
    status, text = run("25", f)
    assert status == "manual" and "INPUT" in text and "web: 0.0.0.0:8080->80/tcp" in text


def test_25_rootless_iptables_off_still_fails():
    f = make_rootless_facts()
    f["daemon_config"]["content"]["iptables"] = False
    assert run("25", f)[0] == "fail"


# --- item 23: privileged ports and rootlesskit ----------------------------------------------------

def _published(port):
    mapping = {"container_port": "80/tcp", "host_ip": "127.0.0.1", "host_port": str(port)}
    return make_container("web", ports=[mapping], port_bindings=[mapping])


def test_23_rootless_privileged_port_names_the_sysctl():
    f = make_rootless_facts(containers=[_published(80)])
    status, text = run("23", f)
    assert status == "fail" and "ip_unprivileged_port_start=1024" in text and "CAP_NET_BIND_SERVICE" in text
    f["host"]["ip_unprivileged_port_start"] = 0
    status, text = run("23", f)
    assert status == "fail" and "ip_unprivileged_port_start=0 lets rootlesskit bind it" in text
    del f["host"]["ip_unprivileged_port_start"]
    assert "not read" in run("23", f)[1]
    # rootful: the same port, the verdict without the rootless note
    status, text = run("23", make_facts(containers=[_published(80)]))
    assert status == "fail" and "rootless" not in text


def test_23_rootless_pass_notes_a_lowered_sysctl():
    f = make_rootless_facts()
    f["host"]["ip_unprivileged_port_start"] = 80
    status, text = run("23", f)
    assert status == "pass" and "ip_unprivileged_port_start=80" in text


def _hostnet(**kw):
    return make_container("agent", network_mode="host", networks=["host"], ports=[], port_bindings=[],
                          listeners=[{"address": "0.0.0.0", "port": 9100}], **kw)


def test_23_rootless_host_network_is_the_hosts_only_under_detach_netns():
    status, text = run("23", make_rootless_facts(containers=[_hostnet(netns_is_host=True)]))
    assert status == "fail" and "0.0.0.0:9100" in text
    status, text = run("23", make_rootless_facts(containers=[_hostnet(netns_is_host=False)]))
    assert status == "error" and "rootlesskit's network namespace" in text and "port driver" in text
    status, text = run("23", make_rootless_facts(containers=[_hostnet()]))
    assert status == "error" and "netns_is_host" in text
    # rootful: --network host is the host's namespace, whatever the gather says
    assert run("23", make_facts(containers=[_hostnet()]))[0] == "fail"


def test_x12_rootless_host_network_outside_the_hosts_namespace_is_not_shared():
    assert run("X.12", make_rootless_facts(containers=[_hostnet(netns_is_host=False)]))[0] == "pass"
    assert run("X.12", make_rootless_facts(containers=[_hostnet(netns_is_host=True)]))[0] == "fail"
    assert run("X.12", make_rootless_facts(containers=[_hostnet()]))[0] == "fail"
    assert run("X.12", make_facts(containers=[_hostnet(netns_is_host=False)]))[0] == "fail"


def test_23_gather_tells_whether_a_container_is_in_the_hosts_network_namespace(tmp_path):
    for pid, target in ((1, "net:[4026531840]"), (4242, "net:[4026531840]"), (4343, "net:[4026532777]")):
        d = tmp_path / ("proc/%d/ns" % pid)
        d.mkdir(parents=True)
        os.symlink(target, str(d / "net"))
    h = gather_base.Host(root=str(tmp_path))
    assert gather_listeners.in_host_netns(h, 4242) is True
    assert gather_listeners.in_host_netns(h, 4343) is False
    assert gather_listeners.in_host_netns(h, 4444) is None


# --- items 30 and 4: the user's socket and files ---------------------------------------------------

def test_30_rootless_socket_owned_by_its_user_passes_and_the_rootful_socket_is_not_its_own():
    f = make_rootless_facts()
    f["files"]["/var/run/docker.sock"]["mode"] = "0666"   # the rootful daemon's, judged in its own view
    status, text = run("30", f)
    assert status == "pass" and "/run/user/1000/docker.sock 0660 svc:svc" in text
    assert "/var/run/docker.sock" not in text
    assert run("30", make_facts())[0] == "pass"


@pytest.mark.parametrize("change,word", [
    ({"owner": "root"}, "owner is not the daemon's user svc"),
    ({"mode": "0666"}, "more permissive than 0660"),
    ({"group": "docker"}, "group docker can reach the daemon"),
    ({"acl": {"users": [{"name": "eve", "perm": "rw"}]}}, "ACL grants rw to user eve"),
])
def test_30_rootless_socket_others_can_reach_fails(change, word):
    f = make_rootless_facts()
    f["files"]["/run/user/1000/docker.sock"].update(change)
    status, text = run("30", f)
    assert status == "fail" and word in text


def test_30_rootless_socket_of_a_subordinate_gid_passes_and_unstated_is_an_error():
    f = make_rootless_facts()
    f["files"]["/run/user/1000/docker.sock"]["group"] = "100998"   # the namespace's docker group
    assert run("30", f)[0] == "pass"
    del f["files"]["/run/user/1000/docker.sock"]
    status, text = run("30", f)
    assert status == "error" and "/run/user/1000/docker.sock: not stat'ed" in text


def test_30_rootless_socket_mounted_into_a_container_fails():
    mount = {"type": "bind", "source": "/run/user/1000/docker.sock", "destination": "/var/run/docker.sock",
             "rw": True}
    f = make_rootless_facts(containers=[make_container("ci", mounts=[mount])])
    status, text = run("30", f)
    assert status == "fail" and "ci: mounts /run/user/1000/docker.sock" in text


def test_4_rootless_data_root_in_home_on_its_own_partition():
    status, text = run("4", make_rootless_facts())
    assert status == "pass" and "/home/svc/.local/share/docker is on /home" in text and "home directories" in text
    f = make_rootless_facts()
    f["mounts"]["entries"] = [e for e in f["mounts"]["entries"] if e["target"] != "/home"]
    assert run("4", f)[0] == "fail"


# --- X.1: AppArmor does not apply; SELinux as dockerd reports it ----------------------------------

def test_x1_rootless_apparmor_host_is_not_applicable_with_the_reason():
    f = make_rootless_facts()
    f["docker"]["containers"][0]["apparmor_profile"] = ""
    status, text = run("X.1", f)
    assert status == "not_applicable" and "AppArmor does not apply" in text and "cannot label" in text
    rootful = make_facts()
    rootful["docker"]["containers"][0]["apparmor_profile"] = ""
    assert run("X.1", rootful)[0] == "fail"


def test_x1_rootless_selinux_host_is_not_applicable_unless_dockerd_labels():
    f = make_rootless_facts(containers=[make_container("ok"), make_container("bad", privileged=True)])
    f["host"].update({"apparmor_enabled": False, "selinux_enabled": True, "selinux_enforcing": True})
    status, text = run("X.1", f)
    assert status == "not_applicable" and "enforcing on the host" in text and "rootlesskit#94" in text
    f["docker"]["info"]["SecurityOptions"].append("name=selinux")
    status, text = run("X.1", f)
    assert status == "fail" and "bad" in text and "privileged" in text
    f["docker"]["containers"] = [make_container("ok")]
    assert run("X.1", f)[0] == "pass"


# --- Swarm: no overlay networks under rootless -----------------------------------------------------

@pytest.mark.parametrize("cid", ["36", "37", "38", "39", "40", "X.7"])
def test_swarm_items_off_swarm_name_the_rootless_reason(cid):
    status, text = run(cid, make_rootless_facts())
    assert status == "not_applicable" and "rootless" in text and "overlay" in text
    status, text = run(cid, make_facts())
    assert status == "not_applicable" and "rootless" not in text


def test_swarm_items_of_a_rootless_daemon_in_an_active_swarm_are_judged():
    f = swarm_facts()
    f["daemon"] = {"name": "svc@unix:///run/user/1000/docker.sock", "rootless": True, "user": "svc", "uid": 1000}
    assert run("39", f) == run("39", swarm_facts())


# --- the host collector reads the sysctl -----------------------------------------------------------

def test_host_collector_reads_unprivileged_port_start():
    _state, out = run_collector(gather_host.collect_host,
                                FakeHost(files={"/proc/sys/net/ipv4/ip_unprivileged_port_start": "80\n"}))
    assert out["ip_unprivileged_port_start"] == 80
    _state, out = run_collector(gather_host.collect_host, FakeHost())
    assert out["ip_unprivileged_port_start"] is None
