# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The daemon role's drain-restart of a Swarm node (daemon_swarm_drain_restart), on the controller.

live-restore cannot be on in swarm mode, so a dockerd restart stops every task of the node. The
opt-in path moves them first: ``docker node update --availability drain`` (the scheduler shuts
the node's tasks down and places replicated ones on other available nodes; global services lose
their task on this node until it is available again; containers not started by the swarm are not
touched by a drain), restart, wait until the node is Ready, and put back the availability it had.

Pure: it judges the cluster a manager described (nodes, the node's running tasks, their
services) and says whether the drain may go ahead, what moves and what stops, or why not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

AVAILABILITIES = ("active", "pause", "drain")


def quorum(managers):
    """Raft needs a majority of the managers: floor(N/2) + 1."""
    return managers // 2 + 1


def manager_refusal(nodes, node):
    """Why restarting manager ``node`` would put the quorum at risk, or None.

    The restart takes the node out of the Raft group: the managers still reachable without it
    must remain a majority of all managers, or the swarm cannot schedule (nor un-drain) anything.
    """
    managers = [n for n in nodes if n.get("role") == "manager"]
    total = len(managers)
    reachable = [n for n in managers if str(n.get("reachability") or "").lower() == "reachable"]
    if total <= 1:
        return "%s is the swarm's only manager: restarting it leaves no manager to schedule the drained tasks" \
            % node.get("hostname")
    left = len([n for n in reachable if n.get("id") != node.get("id")])
    need = quorum(total)
    if left < need:
        return ("restarting manager %s would leave %d of %d managers reachable, below the quorum of %d "
                "(floor(%d/2)+1)" % (node.get("hostname"), left, total, need, total))
    return None


def _node_values(node, key):
    """The values a placement constraint key takes on ``node`` (None: a key this planner cannot judge)."""
    platform = node.get("platform") or {}
    simple = {"node.id": node.get("id"), "node.hostname": node.get("hostname"), "node.role": node.get("role"),
              "node.platform.os": platform.get("OS"), "node.platform.arch": platform.get("Architecture")}
    if key in simple:
        return [] if simple[key] is None else [str(simple[key])]
    for prefix, field in (("node.labels.", "labels"), ("engine.labels.", "engine_labels")):
        if key.startswith(prefix):
            labels = node.get(field) or {}
            name = key[len(prefix):]
            return [str(labels[name])] if name in labels else []
    return None


def constraint_matches(constraint, node):
    """Does ``node`` meet one placement constraint (``key==value`` or ``key!=value``)?

    Swarmkit compares values without regard to case (manager/constraint). True, False, or None
    when the key is one this planner does not know (then the task is not assumed to move).
    """
    for op in ("==", "!="):
        if op in constraint:
            key, value = [p.strip() for p in constraint.split(op, 1)]
            values = _node_values(node, key)
            if values is None:
                return None
            equal = any(v.lower() == value.lower() for v in values)
            return equal if op == "==" else not equal
    return None


def _mode(service):
    mode = service.get("mode") or {}
    for name in ("Replicated", "Global", "ReplicatedJob", "GlobalJob"):
        if name in mode:
            return name
    return None


def plan(cluster, node_id, held):
    """Whether the drain-restart of ``node_id`` may go ahead.

    ``cluster``: what a manager said, ``{"nodes": [...], "tasks": [...], "services": [...]}``:
    nodes ``{id, hostname, role, availability, state, reachability, labels, engine_labels,
    platform}``, the node's running tasks ``{id, service, slot}``, their services ``{id, name,
    mode (Spec.Mode), constraints}``. ``held``: the deferrals (``{id, reason}``) of the keys that
    need the restart, given when the drain is refused (the reason is added to each).

    Returns ``{"refused": reason or None, "deferred": [...], "node": hostname, "node_id",
    "availability": the node's original availability (put back after the restart), "moves": [...],
    "stops": [...], "forecast": one line}``.
    """
    cluster = cluster if isinstance(cluster, dict) else {}
    nodes = [n for n in cluster.get("nodes") or [] if isinstance(n, dict)]
    node = next((n for n in nodes if n.get("id") == node_id), None)
    out = {"refused": None, "deferred": [], "node": None, "node_id": node_id, "availability": None,
           "moves": [], "moved_services": [], "stops": [], "forecast": "", "deferred_if_stuck": []}
    refusal = None
    if cluster.get("error"):
        # The role could not ask a manager (none given for a worker, or the read failed).
        refusal = str(cluster["error"])
    elif node is None:
        refusal = "node %s is not in the manager's node list" % node_id
    else:
        out["node"] = node.get("hostname")
        out["availability"] = str(node.get("availability") or "").lower()
        if out["availability"] not in AVAILABILITIES:
            refusal = "node %s has an unknown availability %r" % (node.get("hostname"), node.get("availability"))
        elif str(node.get("state") or "").lower() != "ready":
            refusal = "node %s is %s, not ready" % (node.get("hostname"), node.get("state"))
        elif node.get("role") == "manager":
            refusal = manager_refusal(nodes, node)
    if refusal is None:
        refusal = _judge_tasks(cluster, nodes, node, out)
    if refusal is not None:
        out["refused"] = refusal
        out["deferred"] = _held(held, "was refused: " + refusal)
        out["forecast"] = "not draining %s: %s" % (out["node"] or node_id, refusal)
        return out
    # The drain went ahead but the tasks did not move in time: the role puts the availability back
    # and holds the restart keys back with this.
    out["deferred_if_stuck"] = _held(held, "stopped: the node's swarm tasks did not move away within "
                                           "daemon_swarm_drain_timeout; its availability was put back")
    after = {"active": "active again", "pause": "back to pause (its tasks stay where they moved)",
             "drain": "left drained, as it was"}[out["availability"]]
    out["forecast"] = "drain %s (availability %s), restart dockerd, wait until it is Ready, set it %s; moves: %s; " \
                      "stops until the node is active again: %s" % (
                          out["node"], out["availability"], after, ", ".join(out["moves"]) or "nothing",
                          ", ".join(out["stops"]) or "nothing")
    return out


def _held(held, why):
    return [{"id": d.get("id"), "reason": "%s; the swarm drain-restart (daemon_swarm_drain_restart) %s"
             % (d.get("reason"), why)} for d in held or [] if isinstance(d, dict)]


def _judge_tasks(cluster, nodes, node, out):
    """Fill ``moves`` and ``stops``; the reason a task cannot be rescheduled, or None."""
    services = dict((s.get("id"), s) for s in cluster.get("services") or [] if isinstance(s, dict))
    others = [n for n in nodes if n.get("id") != node.get("id") and str(n.get("state") or "").lower() == "ready"
              and str(n.get("availability") or "").lower() == "active"]
    for task in sorted((t for t in cluster.get("tasks") or [] if isinstance(t, dict)),
                       key=lambda t: (str((services.get(t.get("service")) or {}).get("name")), str(t.get("slot")))):
        svc = services.get(task.get("service"))
        if svc is None:
            return "task %s belongs to a service the manager did not describe" % task.get("id")
        mode = _mode(svc)
        name = str(svc.get("name"))
        if mode in ("Global", "GlobalJob"):
            # One task per node: the drain stops it, the other nodes keep theirs; it starts again
            # here once the node is active.
            out["stops"].append("%s (global)" % name)
            continue
        if mode not in ("Replicated", "ReplicatedJob"):
            return "service %s has a mode this role does not know (%s)" % (name, sorted(svc.get("mode") or {}))
        constraints = [str(c) for c in svc.get("constraints") or []]
        fits = []
        for other in others:
            verdicts = [constraint_matches(c, other) for c in constraints]
            if None in verdicts:
                unknown = [c for c, v in zip(constraints, verdicts) if v is None]
                return "service %s has a placement constraint this role cannot judge (%s)" % (name, ", ".join(unknown))
            if all(verdicts):
                fits.append(other.get("hostname"))
        if not fits:
            return "the task %s.%s cannot be rescheduled: no other ready, active node meets its placement%s" % (
                name, task.get("slot"), " (%s)" % ", ".join(constraints) if constraints else "")
        out["moves"].append("%s.%s -> %s" % (name, task.get("slot"), " or ".join(sorted(str(f) for f in fits))))
        if svc.get("id") not in out["moved_services"]:
            out["moved_services"].append(svc.get("id"))
    return None
