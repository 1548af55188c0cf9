"""Pure planning of the host roles: DOCKER-USER rules (item 25) and docker update limits (item 19)."""
import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import host_fixes as hf
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.network import check_25


def test_rules_order_and_canonical_form():
    rules = hf.docker_user_rules(["192.0.2.10", "10.0.0.0/8", "10.1.2.3/8"],
                                 [{"port": 443, "sources": ["198.51.100.0/24"]},
                                  {"port": "53", "proto": "udp", "sources": ["203.0.113.7"]}],
                                 ["docker0", "br-+"])
    assert rules == [
        "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A DOCKER-USER -i docker0 -j RETURN",
        "-A DOCKER-USER -i br-+ -j RETURN",
        "-A DOCKER-USER -s 192.0.2.10/32 -j RETURN",
        "-A DOCKER-USER -s 10.0.0.0/8 -j RETURN",   # 10.1.2.3/8 is the same network: once
        "-A DOCKER-USER -s 198.51.100.0/24 -p tcp -m conntrack --ctorigdstport 443 --ctdir ORIGINAL -j RETURN",
        "-A DOCKER-USER -s 203.0.113.7/32 -p udp -m conntrack --ctorigdstport 53 --ctdir ORIGINAL -j RETURN",
        "-A DOCKER-USER -m conntrack --ctstate DNAT -j DROP",
        "-A DOCKER-USER -j RETURN",
    ]


def test_rules_are_what_the_item_25_evaluator_accepts():
    rules = hf.docker_user_rules(["192.0.2.10/32"], [], ["docker0"])
    facts = {"daemon_config": {"content": {}}, "dockerd_process": {"flags": {}},
             "iptables": {"binary": "/usr/sbin/iptables", "docker_user": ["-N DOCKER-USER"] + rules}}
    status, evidence = check_25(facts, {})
    assert status == "pass", evidence


@pytest.mark.parametrize("args, message", [
    ((["10.0.0.300/8"], [], []), "docker_user_chain_allowed_sources[0]: '10.0.0.300/8' is not"),
    ((["2001:db8::/32"], [], []), "is IPv6"),
    (([], [{"port": 0, "sources": ["10.0.0.0/8"]}], []), "docker_user_chain_port_sources[0].port: 0"),
    (([], [{"port": True, "sources": ["10.0.0.0/8"]}], []), ".port: True"),
    (([], [{"port": 80, "proto": "icmp", "sources": ["10.0.0.0/8"]}], []), ".proto: 'icmp'"),
    (([], [{"port": 80, "sources": []}], []), "docker_user_chain_port_sources[0].sources"),
    (([], [{"port": 80, "sources": ["x"]}], []), "docker_user_chain_port_sources[0].sources[0]: 'x'"),
    (([], [{"port": 80, "source": ["10.0.0.0/8"]}], []), "want a dict with port"),
    (([], [], ["eth0; rm"]), "docker_user_chain_internal_interfaces[0]"),
    (("10.0.0.0/8", [], []), "must be a list"),
])
def test_rules_bad_input_names_the_entry(args, message):
    with pytest.raises(hf.PlanError) as err:
        hf.docker_user_rules(*args)
    assert message in str(err.value)


def _c(name, state="running", **hc):
    c = {"name": name, "state": state, "memory": 0, "nano_cpus": 0, "cpu_quota": 0, "pids_limit": None,
         "label_names": []}
    c.update(hc)
    return c


WANT = {"memory": "64m", "cpus": "0.5", "pids": 128}


def test_limits_only_missing_ones_never_lowered():
    plan = hf.container_limits_plan([
        _c("bare"),
        _c("capped", memory=32 * 1024 ** 2, nano_cpus=2000000000, pids_limit=4096),
        _c("quota", cpu_quota=50000, pids_limit=-1),
        _c("stopped", state="exited"),
    ], WANT)
    assert plan["updates"] == [
        {"name": "bare", "args": ["--memory", "64m", "--memory-swap", "-1", "--cpus", "0.5", "--pids-limit", "128"],
         "changes": ["memory none -> 64m", "cpus none -> 0.5", "pids none -> 128"]},
        {"name": "quota", "args": ["--memory", "64m", "--memory-swap", "-1", "--pids-limit", "128"],
         "changes": ["memory none -> 64m", "pids none -> 128"]},
    ]
    assert plan["skipped"] == []


def test_limits_excludes_and_headroom():
    stats = [{"Name": "busy", "MemUsage": "60MiB / 7.7GiB", "PIDs": "120"},
             {"Name": "idle", "MemUsage": "312KiB / 7.7GiB", "PIDs": "1"}]
    want = dict(WANT, exclude_names=["db"], exclude_labels=["dockersec.nolimits"])
    plan = hf.container_limits_plan([_c("db"), _c("batch", label_names=["dockersec.nolimits"]), _c("busy"),
                                     _c("idle")], want, stats)
    assert [u["name"] for u in plan["updates"]] == ["busy", "idle"]
    assert plan["updates"][0]["args"] == ["--cpus", "0.5"]
    reasons = dict((s["name"], s["reason"]) for s in plan["skipped"])
    assert reasons["db"].startswith("excluded by name")
    assert "dockersec.nolimits" in reasons["batch"]
    assert "memory: uses 62914560 bytes" in reasons["busy"] and "pids: runs 120" in reasons["busy"]


@pytest.mark.parametrize("want, message", [
    ({"memory": "lots"}, "container_limits_memory: 'lots'"),
    ({"memory": "1m"}, "below Docker's minimum"),
    ({"cpus": "-1"}, "container_limits_cpus"),
    ({"cpus": "x"}, "container_limits_cpus"),
    ({"pids": 0}, "container_limits_pids"),
    ({"pids": True}, "container_limits_pids"),
])
def test_limits_bad_input(want, message):
    with pytest.raises(hf.PlanError) as err:
        hf.container_limits_plan([_c("a")], want)
    assert message in str(err.value)


@pytest.mark.parametrize("text, value", [("64m", 64 * 1024 ** 2), ("1.5MiB", int(1.5 * 1024 ** 2)),
                                         ("312KiB ", 312 * 1024), ("2GB", 2 * 1000 ** 3), ("0B", 0)])
def test_parse_size(text, value):
    assert hf.parse_size(text, "x") == value
