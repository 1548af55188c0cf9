"""Issue 17: a fix touches only what fails, and never stops a running workload or undoes what works."""

import os

import pytest
import yaml

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _audit(**statuses):
    """A before-audit in docker_audit's shape: every control passes unless ``statuses`` says otherwise."""
    out = {"controls": [], "extended": []}
    for c in catalog.CONTROLS:
        status = statuses.get("x" + c["id"][2:] if c["id"].startswith("X.") else "c" + c["id"], "pass")
        out["extended" if c["id"].startswith("X.") else "controls"].append({"id": c["id"], "status": status})
    return out


# ----------------------------------------------------------------------------- 1. only what fails

def test_a_role_gets_only_its_failing_controls():
    verdicts = catalog.verdicts_of(_audit(c10="fail", c31="pass", c6="waived", c7="not_applicable", c8="manual",
                                          c20="error", x8="fail", c3="fail"))
    plan = catalog.remediation_plan(verdicts=verdicts)
    assert [(p["role"], p["controls"]) for p in plan] == [("daemon", ["10", "X.8"]), ("sshd", ["3"])]
    assert plan[0]["left"]["31"] == "pass" and plan[0]["left"]["6"] == "waived"
    assert plan[0]["left"]["20"] == "error" and plan[0]["left"]["8"] == "manual"


def test_a_passing_host_runs_no_role():
    assert catalog.remediation_plan(verdicts=catalog.verdicts_of(_audit())) == []


def test_named_controls_are_fixed_whatever_their_verdict_but_skip_wins():
    verdicts = catalog.verdicts_of(_audit(c10="fail"))
    plan = catalog.remediation_plan(verdicts=verdicts, fix=[31, "X.9", "30"], skip=["X.9"])
    assert [(p["role"], p["controls"]) for p in plan] == [("daemon", ["10", "31"]), ("docker_socket", ["30"])]


def test_a_named_control_no_role_fixes_is_refused():
    with pytest.raises(ValueError, match="dockersec_fix_controls: no role fixes 1, 99"):
        catalog.remediation_plan(verdicts={}, fix=["1", "99"])


def test_a_control_the_audit_did_not_judge_is_left_alone():
    plan = catalog.remediation_plan(verdicts={"10": "fail"}, roles=["daemon"])
    assert plan[0]["controls"] == ["10"] and plan[0]["left"]["31"] == "not audited"


def test_without_an_audit_the_plan_is_every_owned_control():
    assert catalog.remediation_plan() == catalog.remediation_plan(verdicts=None)
    assert catalog.remediation_plan()[0]["controls"] == catalog.role_controls("daemon")


def test_the_filters_take_the_audit_result_and_give_each_role_its_plan():
    from ansible_collections.dockersec.hardening.plugins.filter.remediation_plan import remediation_plan
    from ansible_collections.dockersec.hardening.plugins.filter.role_controls import role_controls
    plan = remediation_plan(None, [], verdicts=_audit(c10="fail", c30="fail"))
    assert [p["role"] for p in plan] == ["daemon", "docker_socket"]
    assert role_controls("daemon", [], plan=plan) == ["10"]
    assert role_controls("sshd", [], plan=plan) == []
    assert role_controls("daemon", ["10"], plan=plan) == []
    assert role_controls("daemon", []) == catalog.role_controls("daemon")


@pytest.mark.parametrize("role", catalog.REMEDIATION_ROLES)
def test_every_role_default_reads_the_plan(role):
    with open(os.path.join(REPO, "roles", role, "defaults", "main.yml")) as f:
        defaults = yaml.safe_load(f)
    assert "plan=dockersec_plan" in defaults["%s_controls" % role]


def test_remediate_plans_from_the_before_audit_and_the_named_controls():
    with open(os.path.join(REPO, "playbooks", "remediate.yml")) as f:
        text = f.read()
    assert "verdicts=dockersec_audit_before['dockersec_audit']" in text
    assert "fix=dockersec_fix_controls" in text
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check as profile
    assert "dockersec_fix_controls" in profile.VARIABLES
    assert profile.check_variables({"dockersec_fix_controls": ["99"]}) == [
        "dockersec_fix_controls[0]: no role fixes '99' (the fixable controls are %s)"
        % ", ".join(c["id"] for c in profile.catalog.CONTROLS if c.get("remediation_role"))]


# ----------------------------------------------------------------------------- 3. symlinked daemon.json

def test_a_symlinked_daemon_json_is_written_through_to_its_target(tmp_path):
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc
    repo = tmp_path / "config-repo"
    repo.mkdir()
    target = repo / "daemon.json"
    target.write_text('{"debug": true}\n')
    etc = tmp_path / "etc-docker"
    etc.mkdir()
    link = etc / "daemon.json"
    link.symlink_to(target)
    backups = tmp_path / "backups"
    backup = dc.safe_replace(str(link), '{"debug": false}\n', backup_dir=str(backups), stamp="s")
    assert link.is_symlink() and os.readlink(str(link)) == str(target)
    assert target.read_text() == '{"debug": false}\n'
    assert open(backup).read() == '{"debug": true}\n'
    # The candidate was made beside the target (one file system: the rename is atomic), none left over.
    assert sorted(p.name for p in repo.iterdir()) == ["daemon.json"]
    assert sorted(p.name for p in etc.iterdir()) == ["daemon.json"]


def test_the_rollback_copy_follows_the_link():
    with open(os.path.join(REPO, "roles", "daemon", "tasks", "apply.yml")) as f:
        tasks = yaml.safe_load(f)
    restore = [t for t in tasks[0]["rescue"] if t["name"] == "Restore the previous daemon.json"][0]
    assert restore["ansible.builtin.copy"]["follow"] is True


# ----------------------------------------------------------------------------- 2. deep merges

WANTED = {"controls": ["10", "31"],
          "default_ulimits": {"nofile": {"Name": "nofile", "Soft": 16384, "Hard": 16384},
                              "nproc": {"Name": "nproc", "Soft": 4096, "Hard": 4096}},
          "ulimits_clamp": True, "log_driver": "json-file", "log_opts": {"max-size": "10m", "max-file": "3"},
          "live_restore": True, "extra_settings": {}}
MEMLOCK = {"Name": "memlock", "Soft": 65536, "Hard": 65536}


def _daemon_facts(content, logging_driver=None, running=0):
    from conftest import make_container, make_facts
    facts = make_facts(containers=[make_container("c%d" % i) for i in range(running)])
    facts["daemon_config"]["content"] = content
    facts["docker"]["info"]["LoggingDriver"] = logging_driver or content.get("log-driver", "json-file")
    facts["docker"]["info"]["ContainersRunning"] = running
    facts["dockerd_process"]["limits"]["nofile_hard"] = 1048576
    return facts


def _merged(facts, wanted=None):
    wanted = WANTED if wanted is None else wanted
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_plan
    p = daemon_plan.plan(facts, wanted)
    return dc.merge(facts["daemon_config"]["content"], p["settings"], replace=p["replace"]), p


def test_merge_keeps_the_other_entries_of_a_map_key():
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc
    current = {"default-ulimits": {"memlock": MEMLOCK}, "log-opts": {"tag": "{{.Name}}"}}
    new = dc.merge(current, {"default-ulimits": {"nproc": {"Soft": 1, "Hard": 1}}, "log-opts": {"max-size": "10m"}})
    assert new["default-ulimits"] == {"memlock": MEMLOCK, "nproc": {"Soft": 1, "Hard": 1}}
    assert new["log-opts"] == {"tag": "{{.Name}}", "max-size": "10m"}
    assert dc.merge(current, {"log-opts": {"max-size": "10m"}}, replace=["log-opts"])["log-opts"] == {"max-size": "10m"}


def test_memlock_and_an_accepted_nofile_are_kept():
    facts = _daemon_facts({"default-ulimits": {"memlock": MEMLOCK,
                                               "nofile": {"Name": "nofile", "Soft": 65536, "Hard": 65536}}})
    new, _plan = _merged(facts)
    assert new["default-ulimits"]["memlock"] == MEMLOCK
    assert new["default-ulimits"]["nofile"]["Hard"] == 65536
    assert new["default-ulimits"]["nproc"]["Hard"] == 4096


def test_a_refused_nofile_is_replaced():
    facts = _daemon_facts({"default-ulimits": {"nofile": {"Name": "nofile", "Soft": -1, "Hard": -1},
                                               "nproc": {"Name": "nproc", "Soft": 2048, "Hard": 2048}}})
    new, p = _merged(facts)
    assert new["default-ulimits"]["nofile"]["Hard"] == 16384
    assert p["settings"]["default-ulimits"] == {"nofile": WANTED["default_ulimits"]["nofile"]}


def test_a_working_syslog_config_is_not_replaced_by_json_file():
    content = {"log-driver": "syslog", "log-opts": {"syslog-address": "udp://127.0.0.1:514", "tag": "{{.Name}}"}}
    new, p = _merged(_daemon_facts(dict(content)))
    assert "log-driver" not in p["settings"] and "log-opts" not in p["settings"]
    assert new["log-driver"] == "syslog" and new["log-opts"] == content["log-opts"]


def test_json_file_gets_only_its_missing_rotation_options():
    facts = _daemon_facts({"log-driver": "json-file", "log-opts": {"max-size": "50m", "labels": "app"}})
    new, p = _merged(facts)
    assert p["settings"]["log-opts"] == {"max-file": "3"}
    assert new["log-opts"] == {"max-size": "50m", "labels": "app", "max-file": "3"}


def test_a_refused_driver_is_replaced_with_its_options_whole():
    facts = _daemon_facts({"log-driver": "none", "log-opts": {"mode": "non-blocking"}})
    new, p = _merged(facts)
    assert new["log-driver"] == "json-file" and new["log-opts"] == {"max-size": "10m", "max-file": "3"}
    assert p["replace"] == ["log-opts"]


# ----------------------------------------------------------------------------- 4. no restart under running containers

def _plan(facts, **wanted):
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_plan
    return daemon_plan.plan(facts, dict(WANTED, **wanted))


def test_live_restore_in_the_file_but_not_in_effect_is_checked_before_the_restart():
    """The issue's host: daemon.json says live-restore true, the running dockerd has not loaded it."""
    facts = _daemon_facts({"live-restore": True, "log-driver": "syslog",
                           "log-opts": {"syslog-address": "udp://127.0.0.1:514"},
                           "default-ulimits": {"memlock": MEMLOCK}}, running=1)
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    p = _plan(facts, controls=["10", "31", "X.8"])
    assert p["stage"] == {}  # nothing to write: the file has it already
    assert p["check_live_restore"] is True
    assert "default-ulimits" in p["settings"] and "default-ulimits" not in p["reload_settings"]
    assert [d["id"] for d in p["restart_deferrals"]] == ["10", "X.8"]
    assert "live-restore is not in effect in the running dockerd" in p["restart_deferrals"][0]["reason"]


def test_the_check_runs_also_when_the_plan_writes_live_restore_itself():
    facts = _daemon_facts({}, running=2)
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    p = _plan(facts, controls=["10", "X.8"])
    assert p["stage"] == {"live-restore": True} and p["check_live_restore"] is True


def test_no_check_without_running_containers_or_for_a_reload_only_change():
    facts = _daemon_facts({}, running=0)
    assert _plan(facts, controls=["10"])["check_live_restore"] is False
    running = _daemon_facts({"live-restore": True}, running=1)
    assert _plan(running, controls=["7"], log_level="info")["check_live_restore"] is False


def test_the_role_checks_the_running_daemon_whether_or_not_the_file_changed():
    with open(os.path.join(REPO, "roles", "daemon", "tasks", "main.yml")) as f:
        tasks = yaml.safe_load(f)
    guard = [t for t in tasks if t["name"].startswith("Make sure live-restore is in effect")][0]
    assert guard["when"] == "daemon_plan.check_live_restore and not ansible_check_mode"
    names = [t["name"] for t in guard["block"]]
    assert names[0] == "Read live-restore from the running daemon"
    assert any(n.startswith("Reload dockerd") for n in names)
    assert "daemon_change" not in yaml.safe_dump(guard)


def test_a_swarm_node_defers_restart_keys_with_the_reason():
    facts = _daemon_facts({}, running=1)
    facts["docker"]["info"]["Swarm"]["LocalNodeState"] = "active"
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    p = _plan(facts, controls=["10"])
    assert "default-ulimits" not in p["settings"] and p["check_live_restore"] is False
    reason = dict((d["id"], d["reason"]) for d in p["deferred"])["10"]
    assert "swarm mode is active, live-restore cannot be on" in reason


def test_an_allowed_restart_names_the_containers_it_stops():
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import prediction
    facts = _daemon_facts({}, running=2)
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    p = _plan(facts, controls=["10"], live_restore=False, restart_running_containers=True)
    assert "default-ulimits" in p["settings"] and p["stops"] == ["c0", "c1"]
    forecast = prediction.predict({"controls": [], "extended": []}, [], [], stops=p["stops"])
    assert forecast["stops"] == ["c0", "c1"]
    assert any("stops 2 running containers" in line and "c0, c1" in line for line in prediction.lines("h", forecast))


def test_the_allowing_variable_is_off_by_default_and_specified():
    with open(os.path.join(REPO, "roles", "daemon", "defaults", "main.yml")) as f:
        defaults = yaml.safe_load(f)
    with open(os.path.join(REPO, "roles", "daemon", "meta", "argument_specs.yml")) as f:
        spec = yaml.safe_load(f)["argument_specs"]["main"]["options"]
    for var in ("daemon_restart_running_containers", "daemon_storage_change_force"):
        assert defaults[var] is False and spec[var]["type"] == "bool" and spec[var]["default"] is False


@pytest.mark.parametrize("key,value,force", [("data-root", "/srv/docker", "storage_change_force"),
                                             ("storage-driver", "vfs", "storage_change_force"),
                                             ("userns-remap", "default", "userns_remap_force")])
def test_a_store_change_waits_while_containers_or_images_exist(key, value, force):
    facts = _daemon_facts({}, running=0)
    facts["docker"]["info"]["Containers"] = 0
    facts["docker"]["info"]["Images"] = 3
    controls = ["8"] if key == "userns-remap" else []
    p = _plan(facts, controls=controls, userns_remap=value, extra_settings={} if controls else {key: value})
    assert key not in p["settings"]
    assert "3 images exist" in " ".join(d["reason"] for d in p["deferred"])
    forced = _plan(facts, controls=controls, userns_remap=value, extra_settings={} if controls else {key: value},
                   **{force: True})
    assert forced["settings"][key] == value


# ----------------------------------------------------------------------------- 5. restarts without systemd

def _tasks(name):
    with open(os.path.join(REPO, "roles", "daemon", "tasks", name)) as f:
        return f.read()


@pytest.mark.parametrize("name", ["restart-none.yml", "reload-none.yml"])
def test_dockerd_is_signalled_by_the_pid_serving_the_socket_never_by_name(name):
    text = _tasks(name)
    assert "pkill" not in text and "pgrep" not in text
    assert "dockerd-pid.yml" in text
    assert "daemon_docker_socket" in _tasks("dockerd-pid.yml")


def test_the_restart_never_uses_the_redacted_command_line_from_the_controller():
    text = _tasks("restart-none.yml")
    assert "daemon_dockerd_cmdline" not in text and "dockerd_process" not in text
    assert "cp /proc/\"$pid\"/cmdline" in text and "umask 077" in text
    assert "mapfile -d ''" in text
    assert "daemon_dockerd_cmdline" not in _tasks("main.yml")


def test_the_restart_script_starts_dockerd_from_the_saved_command_line(tmp_path):
    """The start step run for real: the NUL-separated argv (with a secret) reaches the program as it was."""
    import subprocess
    text = yaml.safe_load(_tasks("restart-none.yml"))[2]["ansible.builtin.shell"]
    saved = tmp_path / "dockerd.cmdline"
    out = tmp_path / "argv"
    saved.write_bytes(b"/bin/sh\0-c\0printf '%s|' \"$@\" >" + str(out).encode() + b"\0sh\0--log-opt\0"
                      b"splunk-token=s3cr3t value\0")
    script = text.replace("{{ (daemon_backup_dir ~ '/dockerd.cmdline') | quote }}", str(saved))
    script = script.replace("/var/log/dockerd.log", str(tmp_path / "log"))
    subprocess.check_call(["/bin/bash", "-c", script])
    for _attempt in range(50):
        if out.exists() and out.read_text():
            break
        import time
        time.sleep(0.1)
    assert out.read_text() == "--log-opt|splunk-token=s3cr3t value|"


# ----------------------------------------------------------------------------- 6. auditd

def _auditd(name):
    with open(os.path.join(REPO, "roles", "auditd", "tasks", name)) as f:
        return yaml.safe_load(f)


def _commands(tasks):
    out = []
    for t in tasks:
        for key in ("block", "rescue"):
            out.extend(_commands(t.get(key) or []))
        if "ansible.builtin.command" in t:
            out.append((t["name"], str(t["ansible.builtin.command"]), t.get("when")))
    return out


def test_auditd_never_loads_audit_rules_whole():
    """augenrules --load runs auditctl -R /etc/audit/audit.rules: its -D and a pending -e 2 with it."""
    for _name, cmd, _when in _commands(_auditd("load.yml")):
        assert "--load" not in cmd
        assert "/etc/audit/audit.rules" not in cmd.replace("head -n 1 /etc/audit/audit.rules", "")
    loads = [cmd for _name, cmd, _when in _commands(_auditd("load.yml")) if cmd.startswith("auditctl -c -R")]
    assert loads == ["auditctl -c -R {{ auditd_rules_path | quote }}"]


def test_auditd_regenerates_audit_rules_only_where_augenrules_made_it():
    tasks = _auditd("load.yml")
    settle = [t for t in tasks if t["name"].startswith("Settle whether augenrules")][0]
    # audit-userspace init.d/augenrules.in writes this header as the file's first line.
    made = settle["ansible.builtin.set_fact"]["auditd_augenrules_made"]
    assert "## This file is automatically generated from" in made
    regen = [(n, w) for n, cmd, w in _commands(tasks) if cmd == "augenrules"]
    assert regen and all(w == "auditd_augenrules_made | bool" for _name, w in regen)


def test_a_loaded_e_2_defers_with_reboot_required():
    main = _auditd("main.yml")
    why = [t for t in main if t["name"] == "Say why the rules cannot be loaded now"][0]
    text = why["ansible.builtin.set_fact"]["auditd_unloadable_reason"]
    assert "auditd_enabled_flag == '2'" in text and "reboot required" in text


def test_live_restore_only_in_the_file_is_applied_by_a_reload_even_without_a_restart():
    facts = _daemon_facts({"live-restore": True}, running=1)
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    p = _plan(facts, controls=["X.8"])
    assert p["check_live_restore"] is True and p["stage"] == {}
    assert [d["id"] for d in p["restart_deferrals"]] == ["X.8"]


def test_the_report_puts_the_containers_a_restart_stops_in_the_forecast():
    from ansible_collections.dockersec.hardening.plugins.action import docker_report
    before = {"controls": [{"id": "10", "status": "fail", "title": "ulimits"}], "extended": []}
    document = {"hosts": {"h": {}}}
    hostvars = {"h": {"dockersec_plan": [{"role": "daemon", "controls": ["10"]}], "dockersec_deferred": [],
                      "dockersec_restart_stops": ["web"]}}
    out = docker_report.forecasts(document, {"h": before}, hostvars, "dockersec_plan", "dockersec_deferred")
    assert out["h"]["stops"] == ["web"] and document["hosts"]["h"]["predicted"]["stops"] == ["web"]


def test_no_new_privileges_is_deferred_while_containers_were_created_without_it():
    # Found by molecule/remediation: the forecast flipped item 20, but the daemon default reaches only containers
    # created after the restart (moby daemon/create.go setSecurityOptions), so the real run left it manual.
    facts = _daemon_facts({}, running=2)
    for c in facts["docker"]["containers"]:
        c["security_opt"] = []
    _new, p = _merged(facts, dict(WANTED, controls=["20"], no_new_privileges=True))
    assert p["settings"].get("no-new-privileges") is True
    reasons = [d["reason"] for d in p["deferred"] if d["id"] == "20"]
    assert reasons and "2 containers were created without it (c0, c1)" in reasons[0]
    for c in facts["docker"]["containers"]:
        c["security_opt"] = ["no-new-privileges:true"]
    _new, p = _merged(facts, dict(WANTED, controls=["20"], no_new_privileges=True))
    assert not [d for d in p["deferred"] if d["id"] == "20"]
