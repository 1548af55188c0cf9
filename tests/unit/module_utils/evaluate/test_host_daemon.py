"""Items 1-10 (host and daemon): a pass and a fail case each on fixture facts, plus the edges that
decide verdicts on real hosts. Each fail asserts the evidence names what to change."""

import pytest

from conftest import evaluator_sections, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon, host

H = evaluator_sections(host, daemon)

OPTS = audit.validate_options({})


def run(check, facts, **opts):
    o = dict(OPTS)
    o.update(opts)
    status, evidence = check(facts, o)
    assert status in ("pass", "fail", "not_applicable", "manual", "error")
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


def test_every_item_passes_on_the_hardened_fixture(facts):
    for cid, check in sorted(H.CHECKS.items(), key=lambda kv: int(kv[0])):
        assert run(check, facts)[0] == "pass", (cid, run(check, facts))


# ---------------------------------------------------------------- 1 dedicated host

def test_1_pass_allowlisted_services(facts):
    status, ev = run(H.check_1, facts)
    assert status == "pass" and "source: systemd" in ev


def test_1_fail_names_every_extra_service(facts):
    facts["services"]["running"] += ["apache2.service", "mysql.service"]
    status, ev = run(H.check_1, facts)
    assert status == "fail" and "apache2.service" in ev and "mysql.service" in ev and "2 services" in ev


def test_1_allow_list_is_an_option(facts):
    facts["services"]["running"].append("apache2.service")
    assert run(H.check_1, facts, allowed_services=OPTS["allowed_services"] + ["apache2"])[0] == "pass"


def test_1_ps_source_judges_daemons_and_says_how(facts):
    facts["services"] = {"source": "ps", "running": ["dockerd", "containerd", "sshd", "sleep", "nginx"],
                         "processes": ["dockerd", "containerd", "sshd", "bash", "sleep", "nginx", "head", "redis"],
                         "daemons": ["dockerd", "containerd", "sshd", "sleep", "nginx"]}
    status, ev = run(H.check_1, facts)
    assert status == "fail" and "nginx" in ev and "sleep" not in ev and "redis" not in ev
    assert "parent PID 1" in ev


def test_1_ps_source_passes_with_only_docker_daemons(facts):
    facts["services"] = {"source": "ps", "running": ["dockerd", "containerd", "sshd"],
                         "processes": ["dockerd", "containerd", "sshd", "head", "sed", "nginx"],
                         "daemons": ["dockerd", "containerd", "sshd"]}
    assert run(H.check_1, facts)[0] == "pass"


def test_1_ps_facts_without_daemons_key_judge_every_process(facts):
    facts["services"] = {"source": "ps", "running": [], "processes": ["dockerd", "bash", "nginx"]}
    status, ev = run(H.check_1, facts)
    assert status == "fail" and "nginx" in ev and "bash" not in ev


def test_1_error_when_nothing_listed(facts):
    facts["services"]["running"] = []
    assert run(H.check_1, facts)[0] == "error"


# ---------------------------------------------------------------- 2 kernel

def test_2_pass_newest_kernel_and_auto_updates(facts):
    status, ev = run(H.check_2, facts)
    assert status == "pass" and "6.1.0-26-amd64" in ev and "unattended-upgrades" in ev


def test_2_fail_old_kernel_names_both_versions(facts):
    facts["host"]["kernel_running"] = "6.1.0-25-amd64"
    status, ev = run(H.check_2, facts)
    assert status == "fail" and "running kernel 6.1.0-25-amd64, newer 6.1.0-26-amd64 installed" in ev


def test_2_fail_pending_reboot(facts):
    facts["host"]["reboot_required"] = True
    status, ev = run(H.check_2, facts)
    assert status == "fail" and "reboot is pending" in ev


def test_2_fail_without_auto_updates(facts):
    facts["host"]["auto_updates"]["unattended_upgrades_enabled"] = False
    status, ev = run(H.check_2, facts)
    assert status == "fail" and "automatic security updates are not enabled" in ev


def test_2_dnf_automatic_counts(facts):
    facts["host"]["auto_updates"] = {"unattended_upgrades_installed": False, "unattended_upgrades_enabled": False,
                                     "dnf_automatic_enabled": True,
                                     "timers": {"dnf-automatic-install.timer": {
                                         "load": "loaded", "unit_file": "enabled", "active": "active"}}}
    status, ev = run(H.check_2, facts)
    assert status == "pass" and "dnf-automatic" in ev


@pytest.mark.parametrize("running,newest,status", [
    ("6.1.0-100-amd64", "6.1.0-99-amd64", "pass"),        # numeric, not lexical
    ("5.14.0-427.13.1.el9_4.x86_64", "5.14.0-427.18.1.el9_4.x86_64", "fail"),
    ("6.8.0-45-generic", "6.8.0-45-generic", "pass"),
    ("6.1.0-26-amd64", "6.1.0-26-cloud-amd64", "fail"),   # mixed str/int parts never crash
])
def test_2_kernel_versions_compare_numerically(facts, running, newest, status):
    facts["host"]["kernel_running"] = running
    facts["host"]["kernel_newest_installed"] = newest
    assert run(H.check_2, facts)[0] == status


# ---------------------------------------------------------------- 3 sshd

def test_3_pass_hardened_sshd(facts):
    status, ev = run(H.check_3, facts)
    assert status == "pass" and "sshd -T" in ev


def test_3_fail_names_each_setting(facts):
    facts["sshd"]["effective"]["passwordauthentication"] = "yes"
    facts["sshd"]["effective"]["permitrootlogin"] = "prohibit-password"
    del facts["sshd"]["effective"]["x11forwarding"]
    status, ev = run(H.check_3, facts)
    assert status == "fail"
    assert "passwordauthentication yes" in ev and "permitrootlogin prohibit-password" in ev
    assert "x11forwarding (unset)" in ev


def test_3_required_settings_are_an_option(facts):
    facts["sshd"]["effective"]["maxauthtries"] = "6"
    status, ev = run(H.check_3, facts, sshd_required={"maxauthtries": "3"})
    assert status == "fail" and "maxauthtries 6 (want 3)" in ev


def test_3_not_applicable_without_sshd(facts):
    facts["sshd"] = {"binary": None, "effective": None, "config_files": []}
    assert run(H.check_3, facts)[0] == "not_applicable"


def test_3_error_when_sshd_t_gave_nothing(facts):
    facts["sshd"]["effective"] = None
    assert run(H.check_3, facts)[0] == "error"


# ---------------------------------------------------------------- 4 data partition

def test_4_pass_own_partition(facts):
    status, ev = run(H.check_4, facts)
    assert status == "pass" and "/var/lib/docker is on /var/lib/docker (/dev/mapper/luks-docker" in ev


def test_4_fail_on_root_names_the_device(facts):
    facts["mounts"]["entries"] = facts["mounts"]["entries"][:1]
    status, ev = run(H.check_4, facts)
    assert status == "fail" and "root filesystem" in ev and "/dev/vda1" in ev


def test_4_longest_prefix_wins(facts):
    facts["docker"]["info"]["DockerRootDir"] = "/srv/docker/data"
    facts["mounts"]["entries"] = [
        {"target": "/", "source": "/dev/vda1", "fstype": "ext4", "options": "rw"},
        {"target": "/srv", "source": "/dev/vdb1", "fstype": "xfs", "options": "rw"},
        {"target": "/srv/dockerfoo", "source": "/dev/vdc1", "fstype": "xfs", "options": "rw"},
    ]
    status, ev = run(H.check_4, facts)
    assert status == "pass" and "on /srv (/dev/vdb1" in ev


def test_4_userns_subdirectory_and_overmount(facts):
    facts["docker"]["info"]["DockerRootDir"] = "/var/lib/docker/100000.100000"
    facts["mounts"]["entries"].append({"target": "/var/lib/docker", "source": "/dev/vdz", "fstype": "ext4",
                                       "options": "rw"})
    status, ev = run(H.check_4, facts)
    assert status == "pass" and "/dev/vdz" in ev


def test_4_bind_mount_of_a_root_fs_directory_is_not_separate(facts):
    # findmnt: /var/lib/docker  /dev/vda1[/var/lib/docker]; mountinfo: same 254:1, root /var/lib/docker.
    facts["mounts"]["entries"] = [
        {"target": "/", "source": "/dev/vda1", "fstype": "ext4", "options": "rw", "root": "/", "dev": "254:1"},
        {"target": "/var/lib/docker", "source": "/dev/vda1", "fstype": "ext4", "options": "rw",
         "root": "/var/lib/docker", "dev": "254:1"},
    ]
    status, ev = run(H.check_4, facts)
    assert status == "fail" and "same device 254:1 as / (mounted from /dev/vda1[/var/lib/docker])" in ev
    # On an overlay root (a container), the device number alone tells.
    for e in facts["mounts"]["entries"]:
        e.update(source="overlay", fstype="overlay", dev="0:52")
    facts["mounts"]["entries"][1]["root"] = "/srv/docker"
    status, ev = run(H.check_4, facts)
    assert status == "fail" and "same device 0:52" in ev
    # Facts without dev numbers: the same block device still tells.
    for e in facts["mounts"]["entries"]:
        e.update(source="/dev/vda1", fstype="ext4", dev=None)
    assert run(H.check_4, facts)[0] == "fail"


def test_4_own_device_passes_with_dev_numbers(facts):
    facts["mounts"]["entries"] = [
        {"target": "/", "source": "/dev/vda1", "fstype": "ext4", "options": "rw", "root": "/", "dev": "254:1"},
        {"target": "/var/lib/docker", "source": "/dev/vdb1", "fstype": "xfs", "options": "rw", "root": "/",
         "dev": "254:17"},
    ]
    status, ev = run(H.check_4, facts)
    assert status == "pass" and "(/dev/vdb1, xfs)" in ev


def test_4_error_without_root_dir(facts):
    facts["docker"]["info"]["DockerRootDir"] = None
    assert run(H.check_4, facts)[0] == "error"


# ---------------------------------------------------------------- effective settings (7, 10)

def test_7_docker_info_debug_wins_over_daemon_json(facts):
    facts["daemon_config"]["content"]["debug"] = False
    facts["docker"]["info"]["Debug"] = True
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "docker info Debug=true" in ev and "daemon.json says debug=False" in ev
    # debug=true in the file but not running: judged by the log level, with a note naming both.
    facts["daemon_config"]["content"]["debug"] = True
    facts["docker"]["info"]["Debug"] = False
    status, ev = run(H.check_7, facts)
    assert status == "pass" and "debug=True in daemon.json but docker info Debug=false" in ev


def test_10_restart_pending_is_an_error_naming_both(facts):
    facts["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"       # edited after dockerd started
    facts["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    status, ev = run(H.check_10, facts)
    assert status == "error" and "after dockerd started at 2026-11-20T08:00:00Z" in ev
    assert "the file alone says: default-ulimits (daemon.json)" in ev
    # Started after the change: the file is what runs.
    facts["dockerd_process"]["started_at"] = "2026-11-22T10:00:05Z"
    assert run(H.check_10, facts)[0] == "pass"


# ---------------------------------------------------------------- 5 audit rules

def test_5_pass_live_rules_say_live(facts):
    status, ev = run(H.check_5, facts)
    assert status == "pass" and "source: auditctl -l (live)" in ev


def test_5_fail_from_rules_files_names_path_and_source(facts):
    facts["audit"]["live_rules"] = None
    facts["audit"]["live_error"] = "auditctl -l: Operation not permitted"
    rules = facts["audit"]["file_rules"]["/etc/audit/rules.d/docker.rules"]
    facts["audit"]["file_rules"]["/etc/audit/rules.d/docker.rules"] = [
        r for r in rules if not r.startswith("-w /etc/docker ")]
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "/etc/docker" in ev
    assert "/etc/audit/rules.d/docker.rules (auditctl unavailable: auditctl -l: Operation not permitted)" in ev


def test_5_rules_files_alone_never_pass(facts):
    facts["audit"]["live_rules"] = None
    facts["audit"]["live_error"] = "auditctl -l: Operation not permitted"
    status, ev = run(H.check_5, facts)
    assert status == "error" and "auditctl unavailable" in ev and "not a loaded rule" in ev


def test_5_rule_without_w_and_a_does_not_count(facts):
    facts["audit"]["live_rules"] = [r.replace("-p wa", "-p w") if "/etc/docker " in r + " " else r
                                    for r in facts["audit"]["live_rules"]]
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "/etc/docker" in ev


def run_list(check, facts, **opts):
    status, joined = run(check, facts, **opts)
    return status, joined.split(" | ")


def _exists(path, realpath=None, kind="file"):
    entry = {"exists": True, "mode": "0644", "owner": "root", "group": "root", "type": kind}
    if realpath:
        entry["realpath"] = realpath
    return entry


CHECKLIST_RULES = [  # seed 004 item 5, to the letter
    "-w /usr/bin/docker -p wa -k docker", "-w /var/lib/docker -p wa -k docker", "-w /etc/docker -p wa -k docker",
    "-w /usr/lib/systemd/system/docker.service -p wa -k docker", "-w /etc/docker/daemon.json -p wa -k docker",
    "-w /etc/default/docker -p wa -k docker",
]
ENGINE_RULES = ["-w /usr/bin/dockerd -p wa -k docker", "-w /usr/bin/containerd -p wa -k docker",
                "-w /usr/sbin/runc -p wa -k docker"]


@pytest.fixture
def merged_usr(facts):
    """A Debian merged-/usr host as the collectors see it: docker.service found under /lib (a link to
    /usr/lib), /usr/bin/runc a link to /usr/sbin/runc, containerd's shims and config present."""
    f = facts["files"] = {}
    for p in ("/usr/bin/docker", "/usr/bin/dockerd", "/usr/bin/containerd", "/usr/sbin/runc",
              "/etc/docker/daemon.json", "/etc/default/docker", "/usr/bin/containerd-shim-runc-v2",
              "/etc/containerd/config.toml"):
        f[p] = _exists(p)
    for p in ("/var/lib/docker", "/etc/docker", "/etc/containerd", "/run/containerd"):
        f[p] = _exists(p, kind="dir")
    f["/lib/systemd/system/docker.service"] = _exists(None, "/usr/lib/systemd/system/docker.service")
    f["/usr/lib/systemd/system/docker.service"] = _exists(None)
    f["/lib/systemd/system/docker.socket"] = _exists(None, "/usr/lib/systemd/system/docker.socket")
    f["/usr/lib/systemd/system/docker.socket"] = _exists(None)
    f["/usr/bin/runc"] = _exists(None, "/usr/sbin/runc", kind="link")
    facts["audit"]["resolved"] = {"/lib/systemd/system/docker.service": "/usr/lib/systemd/system/docker.service"}
    facts["audit"]["live_rules"] = CHECKLIST_RULES + ENGINE_RULES
    return facts


def test_5_checklist_rules_and_engine_binaries_pass_with_cis_advice(merged_usr):
    status, ev = run_list(H.check_5, merged_usr)
    assert status == "pass", ev
    assert ev[0].startswith("all 6 Docker paths that exist (the checklist's paths)")
    assert ev[-1].startswith("advice (CIS 1.1.x, not required; dockersec_options.audit_require_cis_paths: true")
    for p in ("/etc/containerd", "/run/containerd", "/usr/bin/containerd-shim-runc-v2",
              "/lib/systemd/system/docker.socket (= /usr/lib/systemd/system/docker.socket)"):
        assert p in ev[-1]
    # The same host with the option: the CIS paths are required.
    status, ev = run_list(H.check_5, merged_usr, audit_require_cis_paths=True)
    assert status == "fail" and "/run/containerd" in ev[0] and not any(e.startswith("advice") for e in ev)


def test_5_merged_usr_spellings_are_one_file(merged_usr):
    # A watch on /lib/... covers /usr/lib/... (the kernel resolves a watch's parents); a watch on the
    # /usr/bin/runc link watches the link, not /usr/sbin/runc (advice only, so still a pass).
    merged_usr["audit"]["live_rules"] = [
        r.replace("/usr/lib/systemd", "/lib/systemd").replace("/usr/sbin/runc", "/usr/bin/runc")
        for r in CHECKLIST_RULES + ENGINE_RULES]
    status, ev = run(H.check_5, merged_usr)
    assert status == "pass" and "also watch /usr/bin/runc (= /usr/sbin/runc)" in ev, ev
    # Only /lib exists as a key (older facts): the realpath gathered for it still matches /usr/lib rules.
    del merged_usr["files"]["/usr/lib/systemd/system/docker.service"]
    merged_usr["audit"]["live_rules"] = CHECKLIST_RULES + ENGINE_RULES
    assert run(H.check_5, merged_usr)[0] == "pass"


def test_5_the_checklist_to_the_letter_passes_and_the_engine_binaries_lead_the_advice(merged_usr):
    """Exactly the six rules item 5 prints (this failed when the engine binaries were required)."""
    merged_usr["audit"]["live_rules"] = list(CHECKLIST_RULES)
    status, ev = run_list(H.check_5, merged_usr)
    assert status == "pass", ev
    advice = ev[-1]
    assert advice.startswith("advice (CIS 1.1.x, not required") and advice.index("/usr/bin/dockerd") < advice.index(
        "/etc/containerd")
    for p in ("/usr/bin/dockerd", "/usr/bin/containerd", "/usr/bin/runc (= /usr/sbin/runc)"):
        assert p in advice
    # Required with the option: the binaries (and the other CIS paths) must then be watched.
    merged_usr["audit"]["live_rules"] = CHECKLIST_RULES + ENGINE_RULES[:2]
    status, ev = run_list(H.check_5, merged_usr, audit_require_cis_paths=True)
    assert status == "fail" and "/usr/bin/runc (= /usr/sbin/runc)" in ev[0]


def test_5_missing_checklist_path_fails(merged_usr):
    merged_usr["audit"]["live_rules"] = [r for r in CHECKLIST_RULES + ENGINE_RULES if "/etc/default/docker" not in r]
    status, ev = run_list(H.check_5, merged_usr)
    assert status == "fail" and ev[0].endswith(": /etc/default/docker")


def test_5_syscall_rule_form_counts(facts):
    facts["audit"]["live_rules"] = [
        "-a always,exit -S all -F path=%s -F perm=wa -F key=docker" % r.split()[1]
        for r in facts["audit"]["live_rules"]]
    assert run(H.check_5, facts)[0] == "pass"


def test_5_recursive_directory_watch_covers_files_below(facts):
    facts["audit"]["live_rules"] = [r for r in facts["audit"]["live_rules"]
                                    if not r.startswith("-w /etc/docker/daemon.json ")]
    status, ev = run(H.check_5, facts)
    assert status == "pass" and "/etc/docker/daemon.json (by the watch on /etc/docker)" in ev


def test_5_only_existing_paths_are_required(facts):
    facts["files"]["/etc/default/docker"] = {"exists": False, "mode": None, "owner": None, "group": None,
                                             "type": None}
    facts["audit"]["live_rules"] = [r for r in facts["audit"]["live_rules"] if "/etc/default/docker" not in r]
    assert run(H.check_5, facts)[0] == "pass"


def test_5_rules_on_disk_but_not_loaded_say_so(facts):
    facts["audit"]["live_rules"] = []
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "not loaded" in ev and "augenrules --load" in ev


def test_5_fail_when_auditing_disabled(facts):
    facts["audit"]["enabled_flag"] = 0
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "enabled 0" in ev


def test_5_not_applicable_without_docker_paths(facts):
    facts["files"] = {}
    assert run(H.check_5, facts)[0] == "not_applicable"


# ---------------------------------------------------------------- 6 icc

def test_6_pass_icc_false(facts):
    status, ev = run(H.check_6, facts)
    assert status == "pass" and "enable_icc=false" in ev


def test_6_fail_icc_true_names_the_option(facts):
    facts["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    status, ev = run(H.check_6, facts)
    assert status == "fail" and "com.docker.network.bridge.enable_icc=true" in ev


def test_6_falls_back_to_daemon_setting(facts):
    facts["docker"]["bridge_network"] = None
    status, ev = run(H.check_6, facts)
    assert status == "pass" and "daemon.json" in ev
    del facts["daemon_config"]["content"]["icc"]
    status, ev = run(H.check_6, facts)
    assert status == "fail" and "default: true" in ev


# ---------------------------------------------------------------- 7 log level

def test_7_pass_info_and_unset(facts):
    assert run(H.check_7, facts)[0] == "pass"
    del facts["daemon_config"]["content"]["log-level"]
    status, ev = run(H.check_7, facts)
    assert status == "pass" and "defaults to info" in ev


def test_7_fail_debug_names_source(facts):
    facts["daemon_config"]["content"]["log-level"] = "debug"
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "log-level=debug (daemon.json)" in ev


def test_7_fail_debug_on_command_line(facts):
    del facts["daemon_config"]["content"]["log-level"]
    facts["dockerd_process"]["flags"]["--log-level"] = ["debug"]
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "--log-level" in ev


def test_7_fail_debug_mode(facts):
    facts["daemon_config"]["content"]["debug"] = True
    status, ev = run(H.check_7, facts)
    assert status == "fail" and "debug mode" in ev


# ---------------------------------------------------------------- 8 userns

def test_8_pass_userns(facts):
    status, ev = run(H.check_8, facts)
    assert status == "pass" and "name=userns" in ev


def test_8_fail_without_userns_lists_options(facts):
    facts["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=default"]
    status, ev = run(H.check_8, facts)
    assert status == "fail" and "name=seccomp,profile=default" in ev and "restart pending" in ev


def test_8_rootless_daemon_passes(facts):
    facts["docker"]["info"]["SecurityOptions"] = ["name=seccomp,profile=default", "name=rootless"]
    status, ev = run(H.check_8, facts)
    assert status == "pass" and "rootless" in ev


# ---------------------------------------------------------------- 9 storage driver

def test_9_pass_overlay2(facts):
    assert run(H.check_9, facts)[0] == "pass"


@pytest.mark.parametrize("driver,needle", [("devicemapper", "deprecated"), ("aufs", "deprecated"),
                                           ("vfs", "not the recommended overlay2"), ("btrfs", "overlay2")])
def test_9_fail_names_the_driver(facts, driver, needle):
    facts["docker"]["info"]["Driver"] = driver
    status, ev = run(H.check_9, facts)
    assert status == "fail" and driver in ev and needle in ev


def test_9_containerd_image_store_overlayfs_passes(facts):
    facts["docker"]["info"]["Driver"] = "overlayfs"
    assert run(H.check_9, facts)[0] == "pass"


# ---------------------------------------------------------------- 10 ulimits

def test_10_pass_ulimits(facts):
    status, ev = run(H.check_10, facts)
    assert status == "pass" and "nofile 20000:20000" in ev and "nproc 4096:4096" in ev


def test_10_fail_unset(facts):
    del facts["daemon_config"]["content"]["default-ulimits"]
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "default-ulimits not set" in ev


def test_10_fail_missing_nproc(facts):
    del facts["daemon_config"]["content"]["default-ulimits"]["nproc"]
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "nproc not set" in ev


def test_10_fail_soft_above_hard(facts):
    facts["daemon_config"]["content"]["default-ulimits"]["nproc"] = {"Name": "nproc", "Soft": 5000, "Hard": 4096}
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "nproc soft 5000 above hard 4096" in ev


def test_10_fail_above_configured_bound(facts):
    status, ev = run(H.check_10, facts, ulimit_nproc_max=1024)
    assert status == "fail" and "nproc hard 4096 above the bound 1024" in ev


def test_10_fail_above_dockerd_hard_limit(facts):
    facts["dockerd_process"]["limits"]["nofile_hard"] = 10000
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "dockerd's own hard limit 10000" in ev


def test_10_fail_unlimited(facts):
    facts["daemon_config"]["content"]["default-ulimits"]["nproc"] = {"Name": "nproc", "Soft": -1, "Hard": -1}
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "unlimited" in ev


def test_10_command_line_flags(facts):
    del facts["daemon_config"]["content"]["default-ulimits"]
    facts["dockerd_process"]["flags"]["--default-ulimit"] = ["nofile=1024:2048", "nproc=512:1024"]
    status, ev = run(H.check_10, facts)
    assert status == "pass" and "dockerd --default-ulimit" in ev


def test_10_malformed_daemon_json_value(facts):
    facts["daemon_config"]["content"]["default-ulimits"] = ["nofile=1"]
    status, ev = run(H.check_10, facts)
    assert status == "fail" and "not an object" in ev


def test_fixture_is_not_shared_between_tests():
    # make_facts() returns a fresh deep copy: mutations above cannot leak.
    assert make_facts()["docker"]["info"]["Driver"] == "overlay2"
