"""Issue 16, host slice: states that look hardened to a string check but are not by sshd's,
apt's, auditd's, dockerd's and systemd's own rules (items 1-5, 31-35, X.1, X.14). Each case
failed before its fix; the gather cases run the collectors on fake hosts."""

import pytest

from conftest import evaluator_sections
from fake_host import FakeHost, run_collector

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import sshd_policy
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended, host, logging_monitoring
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import sshd as gather_sshd

H = evaluator_sections(host, logging_monitoring, extended)
OPTS = audit.validate_options({})


def run(check, facts, **opts):
    o = dict(OPTS)
    o.update(opts)
    status, evidence = check(facts, o)
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


# ---------------------------------------------------------------- item 3: Match blocks

HARDENED_T = "port 22\npermitrootlogin no\npasswordauthentication no\nx11forwarding no\nmaxauthtries 3\n"
LOOSE_T = HARDENED_T.replace("permitrootlogin no", "permitrootlogin yes").replace(
    "passwordauthentication no", "passwordauthentication yes")
MATCH_CONFIG = ("Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\n"
                "X11Forwarding no\n")


def _sshd_host(dropin, probes):
    commands = {"/usr/sbin/sshd -T": (0, HARDENED_T, "")}
    commands.update(probes)
    return FakeHost(binaries={"sshd": "/usr/sbin/sshd"}, commands=commands,
                    files={"/etc/ssh/sshd_config": MATCH_CONFIG, "/etc/ssh/sshd_config.d/90-ops.conf": dropin,
                           "/etc/passwd": "root:x:0:0::/root:/bin/bash\nsftp1:x:1001:1001::/home/s:/bin/sh\n",
                           "/etc/group": "root:x:0:\nsftponly:x:1001:\nops:x:1002:sftp1\n"})


OUTSIDE = "user=root,host=client.invalid,addr=203.0.113.9,laddr=198.51.100.22,lport=22"


def test_3_match_address_star_block_that_loosens_login_fails_naming_the_block():
    h = _sshd_host("Match Address *\n  PasswordAuthentication yes\n  PermitRootLogin yes\n",
                   {"/usr/sbin/sshd -T -C " + OUTSIDE: (0, LOOSE_T, "")})
    state, out = run_collector(gather_sshd.collect_sshd, h)
    assert state["ok"], state
    block = out["match_blocks"][0]
    assert block["spec"] == OUTSIDE and block["changed"] == {"permitrootlogin": "yes", "passwordauthentication": "yes"}
    assert block["file"] == "/etc/ssh/sshd_config.d/90-ops.conf" and block["line"] == 1
    facts = {"sshd": out}
    status, ev = run(H.check_3, facts)
    assert status == "fail"
    assert "Match Address * (/etc/ssh/sshd_config.d/90-ops.conf:1): passwordauthentication yes (want no)" in ev
    assert "permitrootlogin yes" in ev


def test_3_match_user_star_gives_spec_that_reaches_it():
    assert gather_sshd.connection_spec(sshd_policy.parse_match(["User", "*"]), {}, dict(
        gather_sshd.DEFAULTS, lport="22")) == OUTSIDE


def test_3_specs_follow_sshd_pattern_rules():
    d = dict(gather_sshd.DEFAULTS, lport="22")
    spec = gather_sshd.connection_spec(sshd_policy.parse_match(
        ["Address", "10.1.0.0/16,!10.1.2.0/24", "User", "*,!root", "LocalPort", "2222"]), {}, d)
    assert "addr=10.1.0.1" in spec and "user=dockersec-probe" in spec and "lport=2222" in spec
    spec = gather_sshd.connection_spec(sshd_policy.parse_match(["host=*.corp.example", "rdomain=mgmt"]), {}, d)
    assert "host=.corp.example" in spec or "host=x.corp.example" in spec
    assert "rdomain=mgmt" in spec
    # OpenSSH's "!root" alone matches nobody: no connection reaches the block.
    with pytest.raises(ValueError):
        gather_sshd.connection_spec(sshd_policy.parse_match(["User", "!root"]), {}, d)
    assert gather_sshd.address_list("10.0.0.5", "10.0.0.0/8") == 1
    assert gather_sshd.address_list("10.0.0.5", "10.0.0.*,!10.0.0.5") == -1
    assert gather_sshd.address_list("10.0.0.5", "10.0.0.1/8") == -2


def test_3_match_group_needs_a_real_member_and_an_empty_group_is_an_error():
    h = _sshd_host("Match Group ops\n  PasswordAuthentication yes\nMatch Group sftponly\n  PermitRootLogin yes\n"
                   "Match Group nobodyhere\n  X11Forwarding yes\n",
                   {"/usr/sbin/sshd -T -C user=sftp1,host=client.invalid,addr=203.0.113.9,laddr=198.51.100.22,"
                    "lport=22": (0, HARDENED_T.replace("passwordauthentication no", "passwordauthentication yes"),
                                 ""),
                    "/usr/sbin/sshd -T -C " + OUTSIDE: (0, HARDENED_T, "")})
    h.files["/etc/passwd"] += "sf2:x:1003:1001::/home/t:/bin/sh\n"
    _state, out = run_collector(gather_sshd.collect_sshd, h)
    ops, sftponly, empty = out["match_blocks"]
    assert ops["spec"].startswith("user=sftp1,") and ops["changed"] == {"passwordauthentication": "yes"}
    assert sftponly["spec"].startswith("user=sf2,")   # primary group 1001
    assert empty["spec"] is None and "no account on this host is in it" in empty["error"]
    status, ev = run(H.check_3, {"sshd": out})
    assert status == "fail" and "Match Group ops" in ev and "nobodyhere" in ev


def test_3_block_that_cannot_be_judged_is_an_error_never_a_pass():
    facts = {"sshd": {"binary": "/usr/sbin/sshd", "effective": {"permitrootlogin": "no",
                                                                "passwordauthentication": "no",
                                                                "x11forwarding": "no"},
                      "match_blocks": [{"file": "/etc/ssh/sshd_config", "line": 9, "criteria": "Frobnicate x",
                                        "keywords": ["passwordauthentication"], "spec": None, "changed": None,
                                        "error": "Match criterion 'Frobnicate' not understood"}],
                      "outside_probe": {"spec": OUTSIDE, "changed": {}, "error": None}}}
    status, ev = run(H.check_3, facts)
    assert status == "error" and "Frobnicate" in ev
    # A block that sets none of the judged keywords cannot loosen them.
    facts["sshd"]["match_blocks"][0]["keywords"] = ["chrootdirectory", "forcecommand"]
    assert run(H.check_3, facts)[0] == "pass"


def test_3_facts_without_match_results_are_an_error():
    facts = {"sshd": {"binary": "/usr/sbin/sshd", "effective": {"permitrootlogin": "no",
                                                                "passwordauthentication": "no",
                                                                "x11forwarding": "no"},
                      "config_files": ["/etc/ssh/sshd_config"]}}
    assert run(H.check_3, facts)[0] == "error"


def test_3_config_lines_as_sshd_reads_them():
    assert sshd_policy.config_line("  PermitRootLogin=yes") == ("permitrootlogin", ["yes"])
    assert sshd_policy.config_line('Match User "a b" # x') == ("match", ["User", "a b", "#", "x"])
    assert sshd_policy.parse_match(["User", "a b", "#", "x"]) == [("user", "a b")]
    assert sshd_policy.config_line("# PasswordAuthentication yes") is None
    with pytest.raises(sshd_policy.SshdPolicyError):
        sshd_policy.parse_match(["Frob", "x"])
    with pytest.raises(sshd_policy.SshdPolicyError):
        sshd_policy.parse_match(["All", "User", "x"])


def test_3_include_inside_match_block_counts_for_the_block():
    h = FakeHost(files={"/etc/ssh/sshd_config": "Match Address 10.0.0.0/8\nInclude extra/*.conf\n",
                        "/etc/ssh/extra/a.conf": "PermitRootLogin yes\nMatch User bob\nX11Forwarding yes\n"})
    files, blocks, problems = gather_sshd.read_config(h)
    assert files == ["/etc/ssh/sshd_config", "/etc/ssh/extra/a.conf"] and not problems
    assert [(b["criteria"], b["keywords"]) for b in blocks] == [("Address 10.0.0.0/8", ["permitrootlogin"]),
                                                                ("User bob", ["x11forwarding"])]
    # The included file's own Match block applies only to connections the outer block matches too.
    assert blocks[1]["within"] == "Match Address 10.0.0.0/8 (/etc/ssh/sshd_config:1)"
    spec = gather_sshd.connection_spec(blocks[1]["parsed"], {}, dict(gather_sshd.DEFAULTS, lport="22"))
    assert "user=bob" in spec and "addr=10.0.0.9" in spec


# ---------------------------------------------------------------- item 2: automatic updates

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import host as gather_host  # noqa: E402

TIMER_OK = "Id=apt-daily-upgrade.timer\nLoadState=loaded\nUnitFileState=enabled\nActiveState=active\n\n"
SHOW = ("systemctl show --no-pager -p Id,LoadState,UnitFileState,ActiveState apt-daily-upgrade.timer "
        "dnf-automatic.timer dnf-automatic-install.timer dnf5-automatic.timer")


def _apt_host(parts, timers=TIMER_OK, main=None):
    files = {"/etc/apt/apt.conf.d/" + n: t for n, t in parts.items()}
    files.update({"/usr/bin/unattended-upgrade": "", "/run/systemd/system": "", "/etc/apt": ""})
    if main is not None:
        files["/etc/apt/apt.conf"] = main
    return FakeHost(files=files, binaries={"systemctl": "/usr/bin/systemctl"}, commands={SHOW: (0, timers, "")})


def _judge_auto(h):
    auto = gather_host._auto_updates(h)
    facts = {"host": {"kernel_running": "6.1.0-26-amd64", "kernel_newest_installed": "6.1.0-26-amd64",
                      "reboot_required": False, "auto_updates": auto}, "services": {"processes": []}}
    return auto, run(H.check_2, facts)


@pytest.mark.parametrize("parts", [
    {"20auto-upgrades": '// APT::Periodic::Unattended-Upgrade "1";\n'},
    {"20auto-upgrades": '# APT::Periodic::Unattended-Upgrade "1";\n'},
    {"20auto-upgrades": '/* off for now\nAPT::Periodic::Unattended-Upgrade "1";\n*/\n'},
    {"20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n',
     "99-off": 'APT::Periodic::Unattended-Upgrade "0";\n'},
    {"20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n', "30clear": "#clear APT::Periodic;\n"},
    {"20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n', "50x.conf": 'APT::Periodic::Enable "0";\n'},
    {"20auto-upgrades": 'APT { Periodic { Unattended-Upgrade "1"; }; };\n',
     "99off": 'apt::periodic::unattended-upgrade "0";\n'},
])
def test_2_apt_config_that_only_looks_enabled_fails(parts):
    auto, (status, ev) = _judge_auto(_apt_host(parts))
    assert auto["unattended_upgrades_enabled"] is False and status == "fail", (auto, ev)
    assert "automatic security updates are not enabled" in ev


@pytest.mark.parametrize("parts", [
    {"20auto-upgrades": 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'},
    {"20auto-upgrades": 'APT {\n  Periodic {\n    Unattended-Upgrade "always"; // daily\n  };\n};\n'},
    # Ignored by apt: wrong extension, backup copies.
    {"20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n',
     "99off.disabled": 'APT::Periodic::Unattended-Upgrade "0";\n',
     "99off.dpkg-old": 'APT::Periodic::Unattended-Upgrade "0";\n'},
])
def test_2_apt_config_really_enabled_passes(parts):
    auto, (status, ev) = _judge_auto(_apt_host(parts))
    assert auto["unattended_upgrades_enabled"] is True and status == "pass", (auto, ev)


@pytest.mark.parametrize("timer,word", [
    ("Id=apt-daily-upgrade.timer\nLoadState=masked\nUnitFileState=masked\nActiveState=inactive\n", "masked"),
    ("Id=apt-daily-upgrade.timer\nLoadState=loaded\nUnitFileState=disabled\nActiveState=inactive\n", "disabled"),
    ("Id=apt-daily-upgrade.timer\nLoadState=loaded\nUnitFileState=enabled\nActiveState=inactive\n", "inactive"),
])
def test_2_unattended_upgrades_with_a_masked_or_disabled_timer_fails(timer, word):
    _auto, (status, ev) = _judge_auto(_apt_host({"20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n'},
                                                timers=timer))
    assert status == "fail" and "apt-daily-upgrade.timer is %s" % word in ev


def test_2_dnf_notifyonly_and_download_timers_do_not_count():
    timers = ("Id=dnf-automatic.timer\nLoadState=loaded\nUnitFileState=enabled\nActiveState=active\n\n"
              "Id=dnf-automatic-install.timer\nLoadState=not-found\nUnitFileState=\nActiveState=inactive\n\n")
    h = FakeHost(files={"/run/systemd/system": "", "/etc/dnf/automatic.conf": "[commands]\napply_updates = no\n",
                        "/etc/systemd/system/timers.target.wants/dnf-automatic-notifyonly.timer": ""},
                 binaries={"systemctl": "/usr/bin/systemctl"}, commands={SHOW: (0, timers, "")})
    auto, (status, ev) = _judge_auto(h)
    assert auto["dnf_automatic_enabled"] is False and status == "fail"
    assert "installs nothing" in ev
    h.files["/etc/dnf/automatic.conf"] = "[commands]\napply_updates = yes\n"
    auto, (status, _ev) = _judge_auto(h)
    assert auto["dnf_automatic_enabled"] is True and status == "pass"


# ---------------------------------------------------------------- X.1: AppArmor / SELinux

def _selinux_host(facts, enforce="1", info_selinux=True):
    facts["host"].update(apparmor_enabled=False, selinux_enabled=True)
    h = FakeHost(files={"/sys/fs/selinux/enforce": enforce + "\n", "/etc/os-release": "ID=rhel\n"})
    facts["host"]["selinux_enforcing"] = gather_host.collect_host(h)[0]["selinux_enforcing"]
    opts = ["name=seccomp,profile=builtin"] + (["name=selinux"] if info_selinux else [])
    facts["docker"]["info"]["SecurityOptions"] = opts
    for c in facts["docker"]["containers"]:
        c["apparmor_profile"] = ""
    return facts


def test_x1_selinux_permissive_fails(facts):
    status, ev = run(H.CHECKS["X.1"], _selinux_host(facts, enforce="0"))
    assert status == "fail" and "permissive" in ev


def test_x1_selinux_enforcing_without_dockerd_selinux_enabled_fails(facts):
    status, ev = run(H.CHECKS["X.1"], _selinux_host(facts, info_selinux=False))
    assert status == "fail" and "without selinux-enabled" in ev


def test_x1_selinux_enforcing_with_dockerd_selinux_enabled_passes(facts):
    assert run(H.CHECKS["X.1"], _selinux_host(facts))[0] == "pass"
    # Without docker info, dockerd's own setting (daemon.json or --selinux-enabled) decides.
    del facts["docker"]["info"]["SecurityOptions"]
    facts["daemon_config"]["content"]["selinux-enabled"] = True
    assert run(H.CHECKS["X.1"], facts)[0] == "pass"
    facts["daemon_config"]["content"]["selinux-enabled"] = False
    assert run(H.CHECKS["X.1"], facts)[0] == "fail"


def test_x1_apparmor_container_unconfined_fails(facts):
    facts["docker"]["containers"][0]["apparmor_profile"] = "unconfined"
    status, ev = run(H.CHECKS["X.1"], facts)
    assert status == "fail" and "unconfined" in ev


# ---------------------------------------------------------------- item 5: audit rules as the kernel applies them

from conftest import DOCKER_PATHS, make_facts  # noqa: E402

WATCHES = ["-w %s -p wa -k docker" % p for p in DOCKER_PATHS]


def _audit(rules, **extra):
    facts = make_facts()
    facts["audit"]["live_rules"] = rules
    facts["audit"].update(extra)
    return run(H.check_5, facts)


def test_5_hardened_rules_pass():
    assert _audit(list(WATCHES))[0] == "pass"


@pytest.mark.parametrize("never", [
    "-a never,exit -F arch=b64 -S all -F dir=/etc/docker",
    "-a exit,never -F path=/etc/docker/daemon.json",
    "-a never,exit -F arch=b32 -S all",
    "-a never,exit -F arch=b64 -S openat,write -F auid=unset",
])
def test_5_an_earlier_never_rule_suppresses_the_watch(never):
    status, ev = _audit([never] + WATCHES)
    assert status == "fail" and "suppressed by the earlier rule " + never in ev


def test_5_never_rule_after_the_watch_or_on_other_syscalls_does_not():
    assert _audit(WATCHES + ["-a never,exit -F arch=b64 -S all -F dir=/etc/docker"])[0] == "pass"
    assert _audit(["-a never,exit -F arch=b64 -S adjtimex -F auid=unset"] + WATCHES)[0] == "pass"


def test_5_never_task_turns_off_every_watch():
    status, ev = _audit(["-a never,task"] + WATCHES)
    assert status == "fail" and "-a never,task" in ev


def test_5_read_only_watch_and_restricted_rules_are_no_write_audit():
    rules = [r.replace("-p wa", "-p r") if r.startswith("-w /etc/docker ") else r for r in WATCHES]
    assert _audit(rules)[0] == "fail"
    for limited_rule in ("-a always,exit -F arch=b64 -F arch=b32 -S all -F path=/etc/default/docker -F perm=wa "
                         "-F auid>=1000",
                         "-a always,exit -F arch=b64 -S openat -F path=/etc/default/docker -F perm=wa",
                         "-a always,exit -F arch=b64 -S all -F path=/etc/default/docker -F perm=wa"):
        rules = [r for r in WATCHES if not r.startswith("-w /etc/default/docker ")] + [limited_rule]
        status, ev = _audit(rules)
        assert status == "fail" and "/etc/default/docker" in ev, limited_rule
    both = ["-a always,exit -F arch=%s -S all -F path=/etc/default/docker -F perm=wa -F key=d" % a
            for a in ("b64", "b32")]
    assert _audit([r for r in WATCHES if not r.startswith("-w /etc/default/docker ")] + both)[0] == "pass"


def test_5_watch_on_a_symlink_does_not_watch_its_target():
    facts = make_facts()
    facts["files"]["/usr/bin/docker"].update(type="link", realpath="/usr/libexec/docker/cli/docker")
    status, ev = run(H.check_5, facts)
    assert status == "fail" and "/usr/bin/docker (= /usr/libexec/docker/cli/docker) (a symlink" in ev
    facts["audit"]["live_rules"].append("-w /usr/libexec/docker/cli/docker -p wa -k docker")
    assert run(H.check_5, facts)[0] == "pass"


def test_5_rules_files_not_loaded_and_disabled_auditing_never_pass():
    assert _audit(None, live_error="auditctl -l: Operation not permitted")[0] == "error"
    status, ev = _audit([])
    assert status == "fail" and "not loaded" in ev
    assert _audit(list(WATCHES), enabled_flag=0)[0] == "fail"
    status, ev = _audit(list(WATCHES), auditd_pid=0)
    assert status == "fail" and "pid 0" in ev
    assert _audit(list(WATCHES), enabled_flag=None)[0] == "error"


def test_5_a_rule_form_not_understood_that_names_a_docker_path_is_an_error():
    status, ev = _audit(WATCHES + ["-W /etc/docker -p wa"])
    assert status == "error" and "-W /etc/docker" in ev


# ---------------------------------------------------------------- items 32, 33, 35, X.14: a frozen agent

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import services as gather_services  # noqa


def test_35_sensor_stopped_with_sigstop_does_not_count_though_its_unit_runs():
    files = {}
    for pid, comm, state in ((1, "systemd", "S"), (300, "falco", "T"), (301, "falco", "T"), (400, "dockerd", "S")):
        files["/proc/%d/comm" % pid] = comm + "\n"
        files["/proc/%d/cmdline" % pid] = comm + "\0"
        files["/proc/%d/stat" % pid] = "%d (%s) %s 1 %d %d 0 -1 4194560 0 0" % (pid, comm, state, pid, pid)
    _state, out = run_collector(gather_services.collect_services, FakeHost(files=files))
    assert out["stopped"] == ["falco"] and "falco" in out["processes"]
    facts = make_facts()
    facts["services"]["stopped"] = out["stopped"]        # falco.service still listed as running by systemd
    status, ev = run(H.check_35, facts)
    assert status == "fail" and "falco: every process is stopped" in ev
    facts["services"]["processes"].append("falco")      # another falco process that runs: fine
    facts["services"]["stopped"] = []
    assert run(H.check_35, facts)[0] == "pass"


def test_33_and_x14_frozen_metrics_agent_fails():
    facts = make_facts()
    facts["services"]["stopped"] = ["prometheus-node-exporter"]
    facts["services"]["processes"].remove("prometheus-node-exporter")
    status, ev = run(H.check_33, facts)
    assert status == "fail" and "every process is stopped" in ev
    status, ev = run(H.CHECKS["X.14"], facts)
    assert status == "fail" and "every process is stopped" in ev


def test_3_match_localport_block_does_not_stop_the_gather():
    # OpenSSH 9.2 and 10.0: a bare `sshd -T` is fatal with a Match LocalPort block.
    fatal = (255, "", "'Match LocalPort' in configuration but 'lport' not in connection test specification.\n")
    h = _sshd_host("Match LocalPort 2222\n  PasswordAuthentication yes\n",
                   {"/usr/sbin/sshd -T -C lport=22": (0, HARDENED_T, ""),
                    "/usr/sbin/sshd -T -C " + OUTSIDE: (0, HARDENED_T, ""),
                    "/usr/sbin/sshd -T -C " + OUTSIDE.replace("lport=22", "lport=2222"): (
                        0, HARDENED_T.replace("passwordauthentication no", "passwordauthentication yes"), "")})
    h.commands["/usr/sbin/sshd -T"] = fatal
    state, out = run_collector(gather_sshd.collect_sshd, h)
    assert state["ok"] and out["effective_spec"] == "lport=22"
    status, ev = run(H.check_3, {"sshd": out})
    assert status == "fail" and "Match LocalPort 2222" in ev


def test_3_only_the_block_that_sets_a_keyword_is_blamed_for_it():
    eff = {"permitrootlogin": "no", "passwordauthentication": "no", "x11forwarding": "no"}
    loose = {"permitrootlogin": "yes"}
    facts = {"sshd": {"binary": "/usr/sbin/sshd", "effective": eff, "config_problems": [],
                      "match_blocks": [
                          {"file": "/etc/ssh/sshd_config", "line": 20, "criteria": "Address *",
                           "keywords": ["permitrootlogin"], "spec": OUTSIDE, "changed": loose, "error": None},
                          {"file": "/etc/ssh/sshd_config", "line": 30, "criteria": "Group nogroup",
                           "keywords": ["maxauthtries"], "spec": OUTSIDE, "changed": loose, "error": None}],
                      "outside_probe": {"spec": OUTSIDE, "changed": loose, "error": None}}}
    status, ev = run(H.check_3, facts)
    assert status == "fail" and "Match Address * (/etc/ssh/sshd_config:20): permitrootlogin yes" in ev
    assert "Group nogroup" not in ev and "a root login from outside" not in ev


def test_2_debian_kernel_updated_under_the_same_release_name_needs_a_reboot():
    status_file = ("Package: linux-image-6.1.0-26-amd64\nStatus: install ok installed\nVersion: 6.1.115-1\n\n"
                   "Package: linux-image-6.1.0-25-amd64\nStatus: deinstall ok config-files\nVersion: 6.1.106-3\n")
    h = FakeHost(files={"/var/lib/dpkg/status": status_file})
    assert gather_host._kernel_package_version(h, "6.1.0-26-amd64") == "6.1.115-1"
    assert gather_host._kernel_package_version(h, "6.1.0-25-amd64") is None
    facts = make_facts()
    facts["host"].update(kernel_build="6.1.112-1", kernel_package_version="6.1.115-1")
    status, ev = run(H.check_2, facts)
    assert status == "fail" and "is build 6.1.112-1, its package was updated to 6.1.115-1" in ev
    facts["host"]["kernel_build"] = "6.1.115-1"
    assert run(H.check_2, facts)[0] == "pass"


def test_3_keyboard_interactive_with_pam_still_takes_passwords():
    facts = make_facts()
    facts["sshd"]["effective"].update(kbdinteractiveauthentication="yes", usepam="yes")
    status, ev = run(H.check_3, facts)
    assert status == "fail" and "kbdinteractiveauthentication yes with usepam yes" in ev
    facts["sshd"]["effective"]["authenticationmethods"] = "publickey,keyboard-interactive"
    assert run(H.check_3, facts)[0] == "pass"
    facts["sshd"]["effective"].update(authenticationmethods="any", usepam="no")
    assert run(H.check_3, facts)[0] == "pass"
    # A Match block that turns it on for some connections.
    facts["sshd"]["effective"]["usepam"] = "yes"
    facts["sshd"]["effective"]["kbdinteractiveauthentication"] = "no"
    facts["sshd"]["match_blocks"] = [{"file": "/etc/ssh/sshd_config", "line": 40, "criteria": "User *",
                                      "keywords": ["kbdinteractiveauthentication"], "spec": OUTSIDE,
                                      "changed": {"kbdinteractiveauthentication": "yes"}, "error": None}]
    status, ev = run(H.check_3, facts)
    assert status == "fail" and "Match User * (/etc/ssh/sshd_config:40): kbdinteractiveauthentication yes" in ev
