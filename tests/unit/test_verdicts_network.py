"""Issue 16, network section (items 21-25): host states that look hardened to a string check but
are not by the rules of the program judged (iptables-extensions(8) for DOCKER-USER, dockerd's
port publishing, the kernel's /proc/net/tcp for host-network listeners)."""

import pytest

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import network as N
from ansible_collections.dockersec.hardening.plugins.module_utils.host_fixes import docker_user_rules

OPTS = audit.validate_options({})

EST = "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"


def run(check, facts, **opts):
    o = dict(OPTS)
    o.update(opts)
    status, evidence = check(facts, o)
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


def chain(facts, *rules):
    facts["iptables"]["docker_user"] = ["-N DOCKER-USER"] + list(rules)
    return facts


# ---------------------------------------------------------------- 25: which DROP counts

@pytest.mark.parametrize("rules, says", [
    # one source address dropped: everything else reaches the containers
    (["-A DOCKER-USER -m conntrack --ctstate ESTABLISHED -j RETURN", "-A DOCKER-USER -s 203.0.113.7/32 -j DROP"],
     "-s 203.0.113.7/32"),
    ([EST, "-A DOCKER-USER -i lo -j DROP"], "-i lo"),
    ([EST, "-A DOCKER-USER -i docker0 -j DROP"], "-i docker0"),
    ([EST, "-A DOCKER-USER -d 172.17.0.2/32 -j DROP"], "-d 172.17.0.2/32"),
    ([EST, "-A DOCKER-USER -p tcp -j DROP"], "-p tcp"),
    ([EST, "-A DOCKER-USER -p tcp -m tcp --dport 80 -j DROP"], "--dport 80"),
    ([EST, "-A DOCKER-USER ! -i eth0 -j DROP"], "! -i eth0"),
    ([EST, "-A DOCKER-USER -m conntrack --ctstate INVALID -j DROP"], "--ctstate INVALID"),
    ([EST, "-A DOCKER-USER -o docker0 -j DROP"], "-o docker0"),
])
def test_25_a_drop_that_covers_part_of_the_traffic_is_no_policy(facts, rules, says):
    status, ev = run(N.check_25, chain(facts, *rules))
    assert status == "fail", ev
    assert "no DROP/REJECT covers all forwarded traffic" in ev and says in ev


@pytest.mark.parametrize("first, says", [
    ("-A DOCKER-USER -j RETURN", "rule 2 (-A DOCKER-USER -j RETURN)"),
    ("-A DOCKER-USER -i eth0 -j ACCEPT", "rule 2 (-A DOCKER-USER -i eth0 -j ACCEPT)"),
    ("-A DOCKER-USER ! -s 10.0.0.0/8 -j ACCEPT", "! -s 10.0.0.0/8"),
    ("-A DOCKER-USER -p tcp -j RETURN", "-p tcp"),
    ("-A DOCKER-USER -m conntrack --ctstate NEW -j ACCEPT", "--ctstate NEW"),
    ("-A DOCKER-USER -m comment --comment \"allow all for now\" -j ACCEPT", "allow all for now"),
])
def test_25_an_allow_that_lets_everything_through_makes_the_drop_dead(facts, first, says):
    status, ev = run(N.check_25, chain(facts, EST, first, "-A DOCKER-USER -i eth0 -j DROP"))
    assert status == "fail", ev
    assert "lets everything through before" in ev and says in ev


@pytest.mark.parametrize("rules", [
    [EST, "-A DOCKER-USER -j DROP"],
    [EST, "-A DOCKER-USER -j REJECT --reject-with icmp-port-unreachable"],
    [EST, "-A DOCKER-USER -i eth0 -j DROP"],
    [EST, "-A DOCKER-USER -i eth+ -j DROP"],
    # Docker's documented form: only one source reaches the containers through the external interface
    [EST, "-A DOCKER-USER -i eth0 ! -s 192.0.2.2/32 -j DROP"],
    [EST, "-A DOCKER-USER -m conntrack --ctstate DNAT -j DROP"],
    [EST, "-A DOCKER-USER -m conntrack --ctstate NEW -j DROP"],
    ["-A DOCKER-USER -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP"],
    [EST, "-A DOCKER-USER -m comment --comment \"drop the rest\" -j DROP"],
    # explicit allowances before the drop; partial drops and logging on the way
    [EST, "-A DOCKER-USER -i docker0 -j RETURN", "-A DOCKER-USER -s 10.0.0.0/8 -j ACCEPT",
     "-A DOCKER-USER -p tcp -m tcp --dport 443 -j ACCEPT", "-A DOCKER-USER -s 203.0.113.7/32 -j DROP",
     "-A DOCKER-USER -i eth1 -j ACCEPT", "-A DOCKER-USER -j LOG --log-prefix \"docker drop \"",
     "-A DOCKER-USER -i eth0 -j DROP"],
    # a jump that only an explicitly selected class enters cannot open the rest
    [EST, "-A DOCKER-USER -s 10.0.0.0/8 -j OFFICE", "-A DOCKER-USER -i eth0 -j DROP"],
    # an unknown rule after the full drop is never reached
    [EST, "-A DOCKER-USER -j DROP", "-A DOCKER-USER -m frobnicate --frob 1 -j ACCEPT"],
])
def test_25_a_full_drop_passes(facts, rules):
    status, ev = run(N.check_25, chain(facts, *rules))
    assert status == "pass", ev


def test_25_the_chain_our_own_role_writes_passes(facts):
    rules = docker_user_rules(["10.0.0.0/8"], [{"port": 443, "proto": "tcp", "sources": ["192.0.2.0/24"]}],
                              ["docker0", "br-+"])
    status, ev = run(N.check_25, chain(facts, *rules))
    assert status == "pass", ev
    assert "--ctstate DNAT -j DROP" in ev


@pytest.mark.parametrize("rule, names", [
    ("-A DOCKER-USER -j ufw-user-forward", "jump to chain ufw-user-forward"),
    ("-A DOCKER-USER -g FILTERS", "goto chain FILTERS"),
    ("-A DOCKER-USER -m frobnicate --frob 1 -j ACCEPT", "-m frobnicate"),
    ("-A DOCKER-USER -m conntrack --ctfrob 1 -j ACCEPT", "--ctfrob"),
    ("-A DOCKER-USER -j NFQUEUE --queue-num 1", "NFQUEUE"),
    ("-A DOCKER-USER -m comment --comment \"unbalanced -j ACCEPT", "unreadable"),
])
def test_25_a_rule_not_understood_before_the_drop_is_an_error_naming_it(facts, rule, names):
    status, ev = run(N.check_25, chain(facts, EST, rule, "-A DOCKER-USER -i eth0 -j DROP"))
    assert status == "error", ev
    assert names in ev


def test_25_an_unknown_drop_without_a_full_drop_is_an_error(facts):
    status, ev = run(N.check_25, chain(facts, EST, "-A DOCKER-USER -m frobnicate --frob 1 -j DROP"))
    assert status == "error" and "-m frobnicate" in ev


def test_25_ipv6_chain_with_a_partial_drop_fails(facts):
    facts["daemon_config"]["content"]["ipv6"] = True
    facts["iptables"].update(binary6="/usr/sbin/ip6tables", docker_user6_error=None, docker_user6=[
        "-N DOCKER-USER", EST, "-A DOCKER-USER -s 2001:db8::7/128 -j DROP"])
    status, ev = run(N.check_25, facts)
    assert status == "fail" and "ip6tables:" in ev and "2001:db8::7/128" in ev


@pytest.mark.parametrize("where", ["daemon.json", "flag"])
def test_25_nftables_firewall_backend_has_no_docker_user_chain(facts, where):
    if where == "daemon.json":
        facts["daemon_config"]["content"]["firewall-backend"] = "nftables"
    else:
        facts["dockerd_process"]["flags"]["--firewall-backend"] = ["nftables"]
    facts["iptables"]["docker_user"] = None
    facts["iptables"]["docker_user_error"] = "iptables: No chain/target/match by that name."
    status, ev = run(N.check_25, facts)
    assert status == "error", ev
    assert "firewall-backend=nftables" in ev and "moby/moby#49643" in ev
