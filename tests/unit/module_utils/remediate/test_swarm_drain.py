"""Swarm nodes (issue 17, item 6): restart-needing fixes are deferred by default; the opt-in
drain-restart (daemon_swarm_drain_restart) moves the node's tasks first, one node at a time,
never with the managers' quorum at risk, and puts the node's own availability back."""

import os

import pytest
import yaml

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_plan
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import swarm_drain

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

WANTED = {"controls": ["10"], "default_ulimits": {"nofile": {"Name": "nofile", "Soft": 16384, "Hard": 16384}},
          "ulimits_clamp": True, "live_restore": True, "extra_settings": {}}
HELD = [{"id": "10", "reason": "default-ulimits needs a dockerd restart"}]


def _swarm_facts(tasks=1, standalone=0):
    containers = [make_container("t%d" % i, swarm_task=True) for i in range(tasks)]
    containers += [make_container("s%d" % i, swarm_task=False) for i in range(standalone)]
    facts = make_facts(containers=containers)
    facts["daemon_config"]["content"] = {}
    facts["docker"]["info"]["Swarm"]["LocalNodeState"] = "active"
    facts["docker"]["info"]["LiveRestoreEnabled"] = False
    facts["docker"]["info"]["ContainersRunning"] = len(containers)
    facts["dockerd_process"]["limits"]["nofile_hard"] = 1048576
    return facts


def _node(hostname, role="worker", availability="active", state="ready", reachability=None, labels=None):
    return {"id": "id-" + hostname, "hostname": hostname, "role": role, "availability": availability, "state": state,
            "reachability": reachability, "labels": labels or {}, "engine_labels": {},
            "platform": {"OS": "linux", "Architecture": "x86_64"}}


def _managers(total, reachable):
    return [_node("m%d" % i, role="manager", reachability="reachable" if i < reachable else "unreachable",
                  state="ready" if i < reachable else "down") for i in range(total)]


def _cluster(nodes, tasks=(), services=()):
    return {"nodes": list(nodes), "tasks": list(tasks), "services": list(services)}


# --- the default: deferred with the reason --------------------------------------------------

def test_not_opted_in_a_swarm_node_defers_the_restart_and_names_the_opt_in():
    p = daemon_plan.plan(_swarm_facts(), WANTED)
    assert "default-ulimits" not in p["settings"] and p["swarm_drain"] is False
    reason = dict((d["id"], d["reason"]) for d in p["deferred"])["10"]
    assert "swarm mode is active, live-restore cannot be on" in reason
    assert "daemon_swarm_drain_restart" in reason


def test_opted_in_the_plan_keeps_the_restart_keys_and_asks_for_the_cluster_judgment():
    p = daemon_plan.plan(_swarm_facts(), dict(WANTED, swarm_drain_restart=True))
    assert p["swarm_drain"] is True and "default-ulimits" in p["settings"]
    assert "default-ulimits" not in p["reload_settings"] and p["deferred"] == []
    assert [d["id"] for d in p["restart_deferrals"]] == ["10"] and p["stops"] == []


def test_opted_in_containers_started_outside_the_swarm_still_hold_the_restart_back():
    """A drain moves swarm tasks only: the restart would stop a `docker run` container."""
    p = daemon_plan.plan(_swarm_facts(standalone=1), dict(WANTED, swarm_drain_restart=True))
    assert p["swarm_drain"] is False and "default-ulimits" not in p["settings"]
    reason = dict((d["id"], d["reason"]) for d in p["deferred"])["10"]
    assert "started outside the swarm (s0" in reason and "daemon_restart_running_containers" in reason
    allowed = daemon_plan.plan(_swarm_facts(standalone=1),
                               dict(WANTED, swarm_drain_restart=True, restart_running_containers=True))
    assert allowed["swarm_drain"] is True and allowed["stops"] == ["s0"]


def test_a_node_without_running_containers_needs_no_drain():
    p = daemon_plan.plan(_swarm_facts(tasks=0), dict(WANTED, swarm_drain_restart=True))
    assert p["swarm_drain"] is False and "default-ulimits" in p["settings"]


# --- quorum arithmetic ----------------------------------------------------------------------

@pytest.mark.parametrize("total,need", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
def test_quorum_is_a_majority(total, need):
    assert swarm_drain.quorum(total) == need


@pytest.mark.parametrize("total,reachable,refused", [
    (1, 1, True),    # the only manager
    (2, 2, True),    # 1 left of 2, quorum 2
    (3, 3, False),   # 2 left of 3, quorum 2
    (3, 2, True),    # one already down: 1 left, quorum 2
    (5, 4, False),   # 3 left of 5, quorum 3
    (5, 3, True),    # 2 left of 5, quorum 3
])
def test_a_manager_restart_is_refused_when_the_quorum_would_be_lost(total, reachable, refused):
    nodes = _managers(total, reachable)
    p = swarm_drain.plan(_cluster(nodes), nodes[0]["id"], HELD)
    assert (p["refused"] is not None) == refused, p["refused"]
    if refused:
        assert p["deferred"] == [{"id": "10", "reason": "default-ulimits needs a dockerd restart; the swarm "
                                                        "drain-restart (daemon_swarm_drain_restart) was refused: "
                                                        + p["refused"]}]


def test_the_refusal_names_the_arithmetic():
    nodes = _managers(3, 2)
    reason = swarm_drain.plan(_cluster(nodes), nodes[0]["id"], HELD)["refused"]
    assert reason == "restarting manager m0 would leave 1 of 3 managers reachable, below the quorum of 2 (floor(3/2)+1)"
    only = _managers(1, 1)
    assert "the swarm's only manager" in swarm_drain.plan(_cluster(only), only[0]["id"], HELD)["refused"]


def test_a_worker_restart_does_not_depend_on_the_managers():
    nodes = _managers(1, 1) + [_node("w1")]
    p = swarm_drain.plan(_cluster(nodes), "id-w1", HELD)
    assert p["refused"] is None and p["deferred"] == []


# --- the original availability ----------------------------------------------------------------

@pytest.mark.parametrize("availability,said", [
    ("active", "set it active again"),
    ("pause", "set it back to pause"),
    ("drain", "set it left drained, as it was"),
])
def test_the_original_availability_is_what_is_put_back(availability, said):
    nodes = _managers(1, 1) + [_node("w1", availability=availability)]
    p = swarm_drain.plan(_cluster(nodes), "id-w1", HELD)
    assert p["refused"] is None and p["availability"] == availability and said in p["forecast"]


def test_a_node_that_is_not_ready_or_unknown_is_refused():
    nodes = _managers(1, 1) + [_node("w1", state="down")]
    assert swarm_drain.plan(_cluster(nodes), "id-w1", HELD)["refused"] == "node w1 is down, not ready"
    assert "not in the manager's node list" in swarm_drain.plan(_cluster(nodes), "id-w9", HELD)["refused"]


# --- where the tasks go -------------------------------------------------------------------

def _svc(name, mode="Replicated", constraints=()):
    return {"id": "svc-" + name, "name": name, "mode": {mode: {}}, "constraints": list(constraints)}


def test_the_forecast_says_what_moves_and_what_stops():
    nodes = _managers(1, 1) + [_node("w1"), _node("w2")]
    tasks = [{"id": "t1", "service": "svc-vault", "slot": 1}, {"id": "t2", "service": "svc-web", "slot": None}]
    p = swarm_drain.plan(_cluster(nodes, tasks, [_svc("vault"), _svc("web", "Global")]), "id-w1", HELD)
    assert p["refused"] is None
    assert p["moves"] == ["vault.1 -> m0 or w2"] and p["stops"] == ["web (global)"]
    assert p["forecast"].startswith("drain w1 (availability active)")
    assert "moves: vault.1 -> m0 or w2" in p["forecast"] and "web (global)" in p["forecast"]


def test_a_task_with_nowhere_to_go_is_refused():
    nodes = _managers(1, 1) + [_node("w1"), _node("w2", availability="pause")]
    tasks = [{"id": "t1", "service": "svc-batch", "slot": 1}]
    p = swarm_drain.plan(_cluster(nodes, tasks, [_svc("batch", constraints=["node.role==worker"])]), "id-w1", HELD)
    assert p["refused"] == ("the task batch.1 cannot be rescheduled: no other ready, active node meets its placement "
                            "(node.role==worker)")
    assert p["deferred"][0]["id"] == "10"


def test_constraints_on_labels_and_hostnames_are_judged_without_case():
    w2 = _node("w2", labels={"zone": "EU"})
    assert swarm_drain.constraint_matches("node.labels.zone == eu", w2) is True
    assert swarm_drain.constraint_matches("node.labels.zone!=eu", w2) is False
    assert swarm_drain.constraint_matches("node.hostname==W2", w2) is True
    assert swarm_drain.constraint_matches("node.labels.rack==1", w2) is False
    assert swarm_drain.constraint_matches("node.ip==10.0.0.1", w2) is None


def test_an_unjudgeable_constraint_is_refused_not_assumed():
    nodes = _managers(1, 1) + [_node("w1"), _node("w2")]
    tasks = [{"id": "t1", "service": "svc-x", "slot": 1}]
    p = swarm_drain.plan(_cluster(nodes, tasks, [_svc("x", constraints=["node.ip==10.0.0.1"])]), "id-w1", HELD)
    assert "cannot judge (node.ip==10.0.0.1)" in p["refused"]


# --- the role ------------------------------------------------------------------------------

def test_the_opt_in_is_off_by_default_and_specified():
    with open(os.path.join(REPO, "roles", "daemon", "defaults", "main.yml")) as f:
        defaults = yaml.safe_load(f)
    with open(os.path.join(REPO, "roles", "daemon", "meta", "argument_specs.yml")) as f:
        spec = yaml.safe_load(f)["argument_specs"]["main"]["options"]
    for name in ("daemon_swarm_drain_restart", "daemon_swarm_manager", "daemon_swarm_drain_timeout"):
        assert name in defaults and name in spec, name
        assert spec[name].get("default", "") == defaults[name]
    assert defaults["daemon_swarm_drain_restart"] is False


def test_without_a_manager_to_ask_the_drain_is_refused_with_that_reason():
    p = swarm_drain.plan({"error": "swarm-w1 is a worker: set daemon_swarm_manager"}, "id-w1", HELD)
    assert p["refused"] == "swarm-w1 is a worker: set daemon_swarm_manager"
    assert p["deferred"][0]["reason"].endswith("was refused: swarm-w1 is a worker: set daemon_swarm_manager")


def test_a_drain_that_goes_ahead_says_what_to_defer_if_the_tasks_do_not_move():
    nodes = _managers(1, 1) + [_node("w1"), _node("w2")]
    tasks = [{"id": "t1", "service": "svc-vault", "slot": 1}]
    p = swarm_drain.plan(_cluster(nodes, tasks, [_svc("vault")]), "id-w1", HELD)
    assert p["moved_services"] == ["svc-vault"]
    assert p["deferred_if_stuck"][0]["id"] == "10"
    assert "did not move away within daemon_swarm_drain_timeout" in p["deferred_if_stuck"][0]["reason"]
