"""Items 36-40 (orchestration: evaluate/orchestration.py).

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from conftest import make_facts
from sections_support import days_ago, run, swarm_facts


# --- 36 overlay encryption ------------------------------------------------------------------------

def test_36_not_applicable_off_swarm():
    assert run("36", make_facts())[0] == "not_applicable"


def test_36_pass_all_encrypted():
    status, ev = run("36", swarm_facts())
    assert status == "pass" and "shop_backend" in ev


def test_36_fail_names_unencrypted_network():
    f = swarm_facts()
    f["docker"]["networks"][-1].update(options={}, encrypted=False)
    status, ev = run("36", f)
    assert status == "fail" and "shop_backend" in ev and "ingress" not in ev


def test_36_encrypted_option_alone_counts():
    f = swarm_facts()
    f["docker"]["networks"][-1]["encrypted"] = None
    assert run("36", f)[0] == "pass"


def test_36_worker_defers_to_the_manager_even_with_an_unencrypted_overlay_in_view():
    f = swarm_facts(is_manager=False)
    f["docker"]["networks"][-1].update(options={}, encrypted=False)
    status, ev = run("36", f)
    assert status == "not_applicable" and "manager's report covers every overlay network" in ev


def test_36_error_when_networks_unlisted():
    f = swarm_facts()
    f["docker"]["networks"] = None
    assert run("36", f)[0] == "error"


# --- 37 join token rotation -----------------------------------------------------------------------

def test_37_not_applicable_off_swarm_and_on_worker():
    assert run("37", make_facts())[0] == "not_applicable"
    status, ev = run("37", swarm_facts(is_manager=False))
    assert status == "not_applicable" and "manager" in ev


def test_37_pass_recent_rotation():
    assert run("37", swarm_facts())[0] == "pass"


def test_37_fail_old_rotation():
    f = swarm_facts()
    f["docker"]["local_state"]["join_token_rotated_at"] = days_ago(120)
    status, ev = run("37", f)
    assert status == "fail" and "120 days" in ev


def test_37_manual_without_record():
    f = swarm_facts()
    f["docker"]["local_state"]["join_token_rotated_at"] = None
    status, ev = run("37", f)
    assert status == "manual" and "no rotation recorded" in ev


# --- 38 node certificate expiry -------------------------------------------------------------------

def test_38_pass_and_fail():
    assert run("38", swarm_facts(cert_expiry_days=30))[0] == "pass"
    status, ev = run("38", swarm_facts(cert_expiry_days=90))
    assert status == "fail" and "90 days" in ev and "--cert-expiry 720h" in ev


def test_38_not_applicable_off_swarm_and_on_worker():
    assert run("38", make_facts())[0] == "not_applicable"
    assert run("38", swarm_facts(is_manager=False))[0] == "not_applicable"


def test_38_falls_back_to_docker_info():
    f = swarm_facts(cert_expiry_days=90)
    f["docker"]["swarm"]["cert_expiry_seconds"] = None
    assert run("38", f)[0] == "fail"
    f["docker"]["info"]["Swarm"]["Cluster"] = None
    assert run("38", f)[0] == "error"


# --- 39 manager count -----------------------------------------------------------------------------

@pytest.mark.parametrize("count,allow_single,status", [
    (3, False, "pass"), (5, False, "pass"), (1, True, "pass"), (1, False, "fail"),
    (2, False, "fail"), (4, False, "fail"), (7, False, "fail"), (9, False, "fail"),
])
def test_39_manager_count(count, allow_single, status):
    got, ev = run("39", swarm_facts(managers=count), allow_single_manager=allow_single)
    assert got == status and str(count) in ev


def test_39_names_unreachable_managers():
    f = swarm_facts(managers=3)
    f["docker"]["swarm"]["node_list"] = [
        {"id": "a", "hostname": "m1", "role": "manager", "reachability": "reachable", "leader": True},
        {"id": "b", "hostname": "m2", "role": "manager", "reachability": "unreachable", "leader": False},
        {"id": "c", "hostname": "m3", "role": "manager", "reachability": "reachable", "leader": False},
        {"id": "d", "hostname": "w1", "role": "worker", "reachability": None, "leader": False}]
    status, ev = run("39", f)
    assert status == "pass" and "3 managers (unreachable: m2)" in ev


def test_39_not_applicable_off_swarm_and_on_worker():
    assert run("39", make_facts())[0] == "not_applicable"
    assert run("39", swarm_facts(is_manager=False))[0] == "not_applicable"


# --- 40 placement constraints ---------------------------------------------------------------------

def _service(name, label_names, constraints):
    return {"name": name, "labels": dict((n, "") for n in label_names), "label_names": label_names,
            "constraints": constraints, "secrets": [], "env_names": []}


def test_40_not_applicable_without_sensitive_services():
    status, ev = run("40", swarm_facts())
    assert status == "not_applicable" and "sensitive" in ev
    assert run("40", make_facts())[0] == "not_applicable"


def test_40_fail_names_unconstrained_sensitive_service():
    services = [_service("payments", ["com.acme.pci"], []),
                _service("web", ["security-zone"], ["node.labels.security-zone==dmz"])]
    status, ev = run("40", swarm_facts(services=services))
    assert status == "fail" and "payments" in ev and "com.acme.pci" in ev and "service web" not in ev


def test_40_pass_when_constrained_and_keys_are_options():
    services = [_service("payments", ["security-zone"], ["node.role==worker"])]
    assert run("40", swarm_facts(services=services))[0] == "pass"
    services = [_service("crm", ["tier"], [])]
    assert run("40", swarm_facts(services=services))[0] == "not_applicable"
    assert run("40", swarm_facts(services=services), sensitive_label_keys=["tier"])[0] == "fail"
