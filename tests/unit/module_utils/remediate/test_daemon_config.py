"""daemon.json merge, validation, reload/restart classification and the role's guards."""

import pytest

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_plan

WANTED = {"controls": ["6", "7", "8", "10", "20", "22", "31", "X.8", "X.9"], "icc": False, "log_level": "info",
          "userns_remap": "default", "userns_remap_force": False,
          "default_ulimits": {"nofile": {"Name": "nofile", "Soft": 65536, "Hard": 65536},
                              "nproc": {"Name": "nproc", "Soft": 4096, "Hard": 4096}},
          "ulimits_clamp": True, "no_new_privileges": True, "log_driver": "json-file",
          "log_opts": {"max-size": "10m", "max-file": "3"}, "live_restore": True, "userland_proxy": False,
          "extra_settings": {}}


def test_merge_keeps_unrelated_keys_and_removes_absent():
    current = {"storage-driver": "vfs", "labels": ["keep=me"], "debug": True}
    new = dc.merge(current, {"icc": False}, absent=["debug"])
    assert new == {"storage-driver": "vfs", "labels": ["keep=me"], "icc": False}
    assert current["debug"] is True
    assert dc.changed_keys(current, new) == ["debug", "icc"]


@pytest.mark.parametrize("settings,version,flags,needle", [
    ({"no-such-key": 1}, "24.0", [], "not a daemon.json key"),
    ({"icc": "false"}, "24.0", [], "must be bool"),
    ({"max-concurrent-downloads": True}, "24.0", [], "must be int"),
    ({"hosts": ["tcp://0.0.0.0:2375"]}, "24.0", ["-H"], "dockerd would refuse to start"),
    ({"features": {"buildkit": True}}, "18.09", [], "needs Docker Engine 19.03"),
    ({"log-level": "verbose"}, "24.0", [], "not one of"),
    ({"default-ulimits": {"nofile": {"Soft": 10, "Hard": 5}}}, "24.0", [], "Soft 10 above Hard 5"),
])
def test_validate_refuses(settings, version, flags, needle):
    with pytest.raises(dc.DaemonConfigError, match=needle):
        dc.validate(settings, version, flags)


def test_validate_accepts_the_roles_defaults():
    dc.validate(daemon_plan.plan(make_facts(), WANTED)["settings"], "20.10.24+dfsg1", ["-H", "--containerd"])


def test_reload_versus_restart():
    assert not dc.needs_restart(["log-level", "live-restore", "labels"])
    assert dc.needs_restart(["log-level", "icc"])
    assert not dc.needs_restart([])


def test_ulimits_clamped_to_dockerd_hard_limit():
    out, notes = dc.clamp_ulimits({"nofile": {"Soft": 65536, "Hard": 65536}}, {"nofile_hard": 20000})
    assert out["nofile"] == {"Name": "nofile", "Soft": 20000, "Hard": 20000} and "20000" in notes[0]


def _facts(containers=0, volumes=0, swarm=False, links=False, images=0):
    facts = make_facts(containers=[make_container("c%d" % i, links=["/db:/c/db"] if links else [])
                                   for i in range(containers)])
    facts["docker"]["info"]["Containers"] = containers
    facts["docker"]["info"]["Images"] = images
    facts["docker"]["volumes_count"] = volumes
    facts["dockerd_process"]["limits"]["nofile_hard"] = 20000
    # A weak host: nothing hardened in the file yet, live-restore off in the running daemon.
    facts["daemon_config"]["content"] = {"storage-driver": "overlay2"}
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    facts["docker"]["info"].pop("ContainersRunning", None)
    facts["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    if swarm:
        facts["docker"]["info"]["Swarm"]["LocalNodeState"] = "active"
    return facts


def test_plan_on_an_empty_host_sets_everything():
    p = daemon_plan.plan(_facts(), WANTED)
    assert p["deferred"] == []
    assert p["settings"]["userns-remap"] == "default" and p["settings"]["live-restore"] is True
    assert p["settings"]["default-ulimits"]["nofile"]["Hard"] == 20000 and p["notes"]


def test_plan_defers_userns_with_containers_unless_forced():
    p = daemon_plan.plan(_facts(containers=2, volumes=1), WANTED)
    assert [d["id"] for d in p["deferred"]][0] == "8" and "2 containers and 1 volumes" in p["deferred"][0]["reason"]
    assert "userns-remap" not in p["settings"]
    forced = dict(WANTED, userns_remap_force=True)
    assert daemon_plan.plan(_facts(containers=2), forced)["settings"]["userns-remap"] == "default"


def test_plan_defers_live_restore_in_swarm():
    p = daemon_plan.plan(_facts(swarm=True), WANTED)
    assert {"id": "X.8", "reason": "swarm mode is active: live-restore and swarm do not mix"} in p["deferred"]
    assert "live-restore" not in p["settings"]


def test_plan_defers_icc_with_legacy_links():
    p = daemon_plan.plan(_facts(containers=1, links=True), WANTED)
    ids = [d["id"] for d in p["deferred"]]
    assert "6" in ids and "22" in ids and "icc" not in p["settings"] and "c0" in p["deferred"][0]["reason"]


def test_plan_defers_ulimits_above_limit_without_clamp():
    p = daemon_plan.plan(_facts(), dict(WANTED, ulimits_clamp=False))
    assert [d["id"] for d in p["deferred"]] == ["10"] and "default-ulimits" not in p["settings"]


def test_plan_only_touches_selected_controls():
    p = daemon_plan.plan(_facts(), dict(WANTED, controls=["7"]))
    assert p["settings"] == {"log-level": "info"}


def test_plan_turns_live_restore_on_first_when_containers_run():
    p = daemon_plan.plan(_facts(containers=2), WANTED)
    assert p["stage"] == {"live-restore": True}
    assert p["settings"]["icc"] is False and p["settings"]["live-restore"] is True
    # The bridge of running containers survives a live-restore restart: icc waits, and says so.
    reasons = dict((d["id"], d["reason"]) for d in p["deferred"])
    assert set(reasons) == {"6", "22", "8"}
    assert "takes effect at the first dockerd start with no running containers" in reasons["6"]


def test_plan_icc_applies_at_once_without_running_containers():
    p = daemon_plan.plan(_facts(), WANTED)
    assert p["settings"]["icc"] is False and p["deferred"] == []


def test_plan_needs_no_stage_without_running_containers_or_with_live_restore_on():
    assert daemon_plan.plan(_facts(), WANTED)["stage"] == {}
    facts = _facts(containers=2)
    facts["docker"]["info"]["LiveRestoreEnabled"] = True
    assert daemon_plan.plan(facts, WANTED)["stage"] == {}
    stopped = _facts(containers=2)
    for c in stopped["docker"]["containers"]:
        c["state"] = "exited"
    assert daemon_plan.plan(stopped, WANTED)["stage"] == {}


def test_plan_needs_no_stage_for_a_reload_only_change():
    p = daemon_plan.plan(_facts(containers=2), dict(WANTED, controls=["7"]))
    assert p["stage"] == {} and p["settings"] == {"log-level": "info"} and p["deferred"] == []


def test_plan_holds_back_restart_keys_when_live_restore_cannot_be_on():
    p = daemon_plan.plan(_facts(containers=3, swarm=True), WANTED)
    reasons = dict((d["id"], d["reason"]) for d in p["deferred"])
    assert set(reasons) == {"6", "22", "8", "10", "20", "31", "X.8", "X.9"}
    assert "icc needs a dockerd restart, which would stop the 3 running containers" in reasons["6"]
    assert "swarm mode is active" in reasons["20"]
    assert reasons["X.8"] == "swarm mode is active: live-restore and swarm do not mix"
    assert p["settings"] == {"log-level": "info"} and p["stage"] == {}


def test_plan_restarts_anyway_when_the_operator_accepts_the_outage():
    wanted = dict(WANTED, live_restore=False, restart_running_containers=True)
    p = daemon_plan.plan(_facts(containers=3), wanted)
    assert p["settings"]["icc"] is False and p["stage"] == {}
    assert [d["id"] for d in p["deferred"]] == ["8"]   # the restart recreates the bridge: icc applies
    held = daemon_plan.plan(_facts(containers=3), dict(WANTED, live_restore=False))
    assert "daemon_live_restore is false" in dict((d["id"], d["reason"]) for d in held["deferred"])["20"]


def test_plan_ignores_keys_already_in_the_file():
    facts = _facts(containers=2)
    facts["daemon_config"]["content"] = {"icc": False, "default-ulimits": daemon_plan.plan(_facts(), WANTED)["settings"][
        "default-ulimits"], "no-new-privileges": True, "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "max-file": "3"}, "userland-proxy": False}
    assert daemon_plan.plan(facts, WANTED)["stage"] == {}


def test_plan_keeps_saying_why_icc_waits_after_the_file_has_it():
    facts = _facts(containers=2)
    facts["daemon_config"]["content"] = {"icc": False, "live-restore": True}
    facts["docker"]["info"]["LiveRestoreEnabled"] = True
    reasons = dict((d["id"], d["reason"]) for d in daemon_plan.plan(facts, WANTED)["deferred"])
    assert "enable_icc=true" in reasons["6"] and "enable_icc=true" in reasons["22"]
    facts["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "false"
    assert "6" not in [d["id"] for d in daemon_plan.plan(facts, WANTED)["deferred"]]


def test_item_31_is_deferred_while_running_containers_keep_unrotated_logs():
    facts = {"docker": {"info": {"ContainersRunning": 2, "LiveRestoreEnabled": True}, "containers": [
        {"name": "web", "state": "running", "log_type": "json-file", "log_opts": {}},
        {"name": "db", "state": "running", "log_type": "json-file", "log_opts": {"max-size": "10m", "max-file": "3"}},
        {"name": "old", "state": "exited", "log_type": "json-file", "log_opts": {}},
        {"name": "ship", "state": "running", "log_type": "journald", "log_opts": {}}]}}
    out = daemon_plan.plan(facts, {"controls": ["31"], "log_driver": "json-file", "log_opts": {"max-size": "10m", "max-file": "3"}})
    # the file still gets the settings (for new containers), and 31 says why it cannot pass yet
    assert out["settings"]["log-opts"] == {"max-size": "10m", "max-file": "3"}
    assert [d["id"] for d in out["deferred"]] == ["31"]
    assert "1 running containers keep the logging they were created with (web)" in out["deferred"][0]["reason"]
    facts["docker"]["containers"] = facts["docker"]["containers"][1:]
    assert daemon_plan.plan(facts, {"controls": ["31"], "log_driver": "json-file", "log_opts": {}})["deferred"] == []
