# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: swarm_drain_plan
short_description: Whether the daemon role may drain a Swarm node and restart its dockerd
version_added: 0.2.0
author:
  - dockersec.hardening contributors (@dockersec)
description:
  - Takes what a manager says about the swarm (nodes, the node's running tasks, their services) and returns
    whether the drain-restart of the node may go ahead (never a manager whose restart would leave the reachable
    managers below the quorum, never a task that no other ready, active node can take), what moves and what
    stops, the availability to put back after the restart, and the deferrals when it is refused.
options:
  _input:
    description: C({nodes, tasks, services}) as the daemon role reads them on a manager.
    type: dict
    required: true
  node_id:
    description: The Swarm node ID of the host to restart.
    type: str
    required: true
  held:
    description: The deferrals (C({id, reason})) of the keys that need the restart, used when it is refused.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Judge the drain on the manager's view of the cluster
  ansible.builtin.set_fact:
    daemon_swarm_drain: "{{ cluster | dockersec.hardening.swarm_drain_plan(node_id, daemon_plan.restart_deferrals) }}"
"""

RETURN = r"""
_value:
  description: C(refused) (reason or none), C(deferred), C(node), C(node_id), C(availability), C(moves), C(stops),
    C(forecast).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.swarm_drain import plan


def swarm_drain_plan(cluster, node_id, held):
    if not isinstance(cluster, dict):
        raise AnsibleFilterError("swarm_drain_plan: the cluster must be a dict, got %s" % type(cluster).__name__)
    if not isinstance(held, list):
        raise AnsibleFilterError("swarm_drain_plan: held must be a list, got %s" % type(held).__name__)
    return plan(cluster, str(node_id), held)


class FilterModule(object):
    def filters(self):
        return {"swarm_drain_plan": swarm_drain_plan}
