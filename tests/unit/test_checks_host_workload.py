"""Items 1-25: a pass case and a fail case each, on fixture facts (conftest.make_facts)."""

import pytest

from conftest import make_container, make_facts, make_image

from ansible_collections.dockersec.hardening.plugins.module_utils import audit
from ansible_collections.dockersec.hardening.plugins.module_utils import checks_host as H
from ansible_collections.dockersec.hardening.plugins.module_utils import checks_workload as W

OPTS = audit.validate_options({})


def run(check, facts, **opts):
    o = dict(OPTS)
    o.update(opts)
    status, evidence = check(facts, o)
    assert isinstance(evidence, list) and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


def set_daemon(facts, **keys):
    facts["daemon_config"]["content"].update(dict((k.replace("_", "-"), v) for k, v in keys.items()))
    return facts


# ---------------------------------------------------------------- section 1

def test_1_pass_allowlisted_services(facts):
    assert run(H.check_1, facts)[0] == "pass"


def test_1_fail_names_extra_service(facts):
    facts["services"]["running"].append("apache2.service")
    status, ev = run(H.check_1, facts)
    assert status == "fail" and "apache2.service" in ev


def test_2_pass_newest_kernel_and_auto_updates(facts):
    assert run(H.check_2, facts)[0] == "pass"


def test_2_fail_old_kernel_pending_reboot_no_updates(facts):
    facts["host"]["kernel_running"] = "6.1.0-25-amd64"
    facts["host"]["reboot_required"] = True
    facts["host"]["auto_updates"]["unattended_upgrades_enabled"] = False
    status, ev = run(H.check_2, facts)
    assert status == "fail"
    assert "6.1.0-26-amd64" in ev and "reboot" in ev and "automatic" in ev


def test_2_kernel_sort_is_numeric(facts):
    facts["host"]["kernel_running"] = "6.1.0-100-amd64"
    facts["host"]["kernel_newest_installed"] = "6.1.0-99-amd64"
    assert run(H.check_2, facts)[0] == "pass"


def test_3_pass_hardened_sshd(facts):
    assert run(H.check_3, facts)[0] == "pass"


def test_3_fail_names_setting(facts):
    facts["sshd"]["effective"]["passwordauthentication"] = "yes"
    facts["sshd"]["effective"]["permitrootlogin"] = "prohibit-password"
    status, ev = run(H.check_3, facts)
    assert status == "fail" and "passwordauthentication yes" in ev and "permitrootlogin prohibit-password" in ev


def test_3_not_applicable_without_sshd(facts):
    facts["sshd"] = {"binary": None, "effective": None, "config_files": []}
    assert run(H.check_3, facts)[0] == "not_applicable"


def test_4_pass_own_partition(facts):
    status, ev = run(H.check_4, facts)
    assert status == "pass" and "/dev/mapper/luks-docker" in ev


def test_4_fail_on_root(facts):
    facts["mounts"]["entries"] = facts["mounts"]["entries"][:1]
    status, ev = run(H.check_4, facts)
    assert status == "fail" and "root filesystem" in ev


def test_5_pass_live_rules(facts):
    status, ev = run(H.check_5, facts)
    assert status == "pass" and "auditctl -l" in ev


def test_5_fail_missing_rule_names_path_and_file_source(facts):
    facts["audit"]["live_rules"] = None
    facts["audit"]["live_error"] = "auditctl -l: Operation not permitted"
    facts["audit"]["file_rules"]["/etc/audit/rules.d/docker.rules"] = [
        r for r in facts["audit"]["file_rules"]["/etc/audit/rules.d/docker.rules"] if "/etc/docker " not in r + " "]
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "/etc/docker" in ev and "rules files" in ev


def test_5_rule_without_wa_does_not_count(facts):
    facts["audit"]["live_rules"] = [r.replace("-p wa", "-p r") for r in facts["audit"]["live_rules"]]
    assert run(H.check_5, facts)[0] == "fail"


# ---------------------------------------------------------------- section 2

def test_6_pass_icc_false(facts):
    assert run(H.check_6, facts)[0] == "pass"


def test_6_fail_icc_true(facts):
    facts["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    status, ev = run(H.check_6, facts)
    assert status == "fail" and "enable_icc=true" in ev


def test_7_pass_info_and_unset(facts):
    assert run(H.check_7, facts)[0] == "pass"
    del facts["daemon_config"]["content"]["log-level"]
    assert run(H.check_7, facts)[0] == "pass"


def test_7_fail_debug(facts):
    set_daemon(facts, log_level="debug")
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "log-level=debug" in ev and "daemon.json" in ev


def test_7_fail_debug_flag_on_command_line(facts):
    del facts["daemon_config"]["content"]["log-level"]
    facts["dockerd_process"]["flags"]["--log-level"] = ["debug"]
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "--log-level" in ev


def test_8_pass_userns(facts):
    assert run(H.check_8, facts)[0] == "pass"


def test_8_fail_without_userns(facts):
    facts["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=default"]
    status, ev = run(H.check_8, facts)
    assert status == "fail" and "name=userns" in ev and "restart pending" in ev


def test_9_pass_overlay2(facts):
    assert run(H.check_9, facts)[0] == "pass"


def test_9_fail_devicemapper(facts):
    facts["docker"]["info"]["Driver"] = "devicemapper"
    status, ev = run(H.check_9, facts)
    assert status == "fail" and "devicemapper" in ev and "deprecated" in ev


def test_10_pass_ulimits(facts):
    assert run(H.check_10, facts)[0] == "pass"


def test_10_fail_missing_nproc(facts):
    del facts["daemon_config"]["content"]["default-ulimits"]["nproc"]
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "nproc not set" in ev


def test_10_fail_above_dockerd_hard_limit(facts):
    facts["dockerd_process"]["limits"]["nofile_hard"] = 10000
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "dockerd's own hard limit 10000" in ev


def test_10_fail_unset(facts):
    del facts["daemon_config"]["content"]["default-ulimits"]
    assert run(H.check_10, facts)[0] == "fail"


# ---------------------------------------------------------------- section 3

def test_11_pass_official(facts):
    assert run(W.check_11, facts)[0] == "pass"


def test_11_fail_names_image_and_container(facts):
    facts["docker"]["containers"][0]["image"] = "randomuser/mybase:latest"
    status, ev = run(W.check_11, facts)
    assert status == "fail" and "randomuser/mybase:latest" in ev and "app" in ev


def test_12_pass_and_fail(facts):
    assert run(W.check_12, facts)[0] == "pass"
    facts["environment"]["docker_content_trust"] = [{"file": "/etc/environment", "value": "0"}]
    status, ev = run(W.check_12, facts)
    assert status == "fail" and "/etc/environment" in ev


def test_13_manual_with_scanner_fail_without():
    f = make_facts()
    assert run(W.check_13, f)[0] == "manual"
    f["tools"]["trivy"] = None
    assert run(W.check_13, f)[0] == "fail"


def test_13_scan_results_pass_and_fail(facts):
    ref = facts["docker"]["containers"][0]["image"]
    good = {"images": {ref: {"critical": 0, "created": "2026-11-22T00:00:00Z"}}}
    assert run(W.check_13, facts, _scan_results=good, _today=__import__("datetime").date(2026, 11, 23))[0] == "pass"
    bad = {"images": {ref: {"critical": 3, "created": "2026-11-22T00:00:00Z"}}}
    status, ev = run(W.check_13, facts, _scan_results=bad)
    assert status == "fail" and "3 CRITICAL" in ev


def test_14_pass_and_fail(facts):
    assert run(W.check_14, facts)[0] == "pass"
    facts["docker"]["images"]["sha256:" + "1" * 64]["size"] = 900 * 1024 * 1024
    status, ev = run(W.check_14, facts)
    assert status == "fail" and "900 MB" in ev


def test_15_pass_and_fail(facts):
    assert run(W.check_15, facts)[0] == "pass"
    facts["docker"]["images"]["sha256:" + "1" * 64] = make_image(
        history=["/bin/sh -c #(nop)  ENV DB_PASSWORD=<redacted>"])
    status, ev = run(W.check_15, facts)
    assert status == "fail" and "DB_PASSWORD" in ev


# ---------------------------------------------------------------- section 4

@pytest.mark.parametrize("check,mutation,needle", [
    (W.check_16, {"user": ""}, "root"),
    (W.check_16, {"user": "0:0"}, "'0:0'"),
    (W.check_17, {"cap_add": ["SYS_ADMIN"]}, "adds SYS_ADMIN"),
    (W.check_17, {"cap_drop": []}, "does not drop ALL"),
    (W.check_17, {"privileged": True}, "privileged"),
    (W.check_18, {"readonly_rootfs": False}, "writable"),
    (W.check_19, {"memory": 0, "pids_limit": None}, "memory"),
    (W.check_19, {"nano_cpus": 0, "cpu_quota": 0}, "cpus"),
    (W.check_21, {"networks": ["bridge"], "network_mode": "default"}, "default bridge"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "0.0.0.0", "host_port": "80"}]},
     "all interfaces"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "10.0.0.5", "host_port": "80"}]},
     "privileged port"),
])
def test_per_container_fail_names_container(check, mutation, needle):
    good = make_container("good")
    bad = make_container("evil", compose_project="shop", compose_service="web", **mutation)
    f = make_facts(containers=[good, bad])
    assert run(check, make_facts(containers=[good]))[0] == "pass"
    status, ev = run(check, f)
    assert status == "fail", ev
    assert "evil (compose shop/web)" in ev and needle in ev and "good" not in ev.replace("good)", "")


def test_per_container_not_applicable_without_running_containers():
    f = make_facts(containers=[make_container(state="exited")])
    for check in (W.check_16, W.check_17, W.check_18, W.check_19, W.check_21, W.check_23):
        assert run(check, f)[0] == "not_applicable"


def test_excluded_containers_are_out_of_scope():
    f = make_facts(containers=[make_container(), make_container("tool", user="")])
    assert run(W.check_16, f)[0] == "fail"
    assert run(W.check_16, f, exclude_containers=["tool"])[0] == "pass"


def test_20_daemon_wide_and_per_container():
    c = make_container(security_opt=[])
    f = make_facts(containers=[c])
    assert run(W.check_20, f)[0] == "pass"            # daemon-wide
    del f["daemon_config"]["content"]["no-new-privileges"]
    status, ev = run(W.check_20, f)
    assert status == "fail" and "app" in ev
    f["docker"]["containers"][0]["security_opt"] = ["no-new-privileges=true"]
    assert run(W.check_20, f)[0] == "pass"


# ---------------------------------------------------------------- section 5

def test_22_pass_and_fail_links(facts):
    assert run(W.check_22, facts)[0] == "pass"
    facts["docker"]["containers"][0]["links"] = ["/db:/app/db"]
    status, ev = run(W.check_22, facts)
    assert status == "fail" and "--link /db:/app/db" in ev


def test_24_internal_backend():
    front = make_container("front")
    back = make_container("db", ports=[], networks=["backend"])
    f = make_facts(containers=[front, back])
    f["docker"]["networks"].append({"name": "backend", "id": "n2", "driver": "bridge", "scope": "local",
                                    "internal": False, "attachable": False, "options": {},
                                    "containers": ["db"], "encrypted": False})
    status, ev = run(W.check_24, f)
    assert status == "fail" and "backend" in ev
    f["docker"]["networks"][-1]["internal"] = True
    assert run(W.check_24, f)[0] == "pass"


def test_24_not_applicable_without_backend(facts):
    assert run(W.check_24, facts)[0] == "not_applicable"


def test_25_pass_and_fail(facts):
    assert run(W.check_25, facts)[0] == "pass"
    facts["iptables"]["docker_user"] = ["-N DOCKER-USER", "-A DOCKER-USER -j RETURN"]
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "no policy" in ev
    set_daemon(facts, iptables=False)
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "iptables=False" in ev
