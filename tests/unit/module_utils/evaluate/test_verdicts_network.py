"""Issue 16, network section (items 21-25): host states that look hardened to a string check but
are not by the rules of the program judged (iptables-extensions(8) for DOCKER-USER, dockerd's
port publishing, the kernel's /proc/net/tcp for host-network listeners)."""

import os

import pytest

from conftest import make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import network as N
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base as gather_base
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import listeners as gather_listeners
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.host_fixes import docker_user_rules

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
    ("-A DOCKER-USER -p udp -j ACCEPT", "-p udp"),
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
    # all of ICMP is an explicit class (ip6tables needs it); all of TCP or UDP is not
    [EST, "-A DOCKER-USER -p ipv6-icmp -j ACCEPT", "-A DOCKER-USER -p icmp -j ACCEPT", "-A DOCKER-USER -j DROP"],
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


# ---------------------------------------------------------------- 23: host-network listeners (gather)


HDR = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
CID = "c0ffee" + "0" * 58


def _tcp_line(n, local, state, inode):
    return "%4d: %s 00000000:0000 %s 00000000:00000000 00:00000000 00000000     0        0 %s 1 0 100 0 0 10 0\n" % (
        n, local, state, inode)


def _host_tree(tmp_path, cid=CID, pid=4242, fd_mode=None):
    """A /proc and /sys/fs/cgroup of a host where container ``cid`` (pid 4242, worker 4250) runs
    with --network host: it listens on 0.0.0.0:80 and [::]:8443; the host's sshd on 0.0.0.0:22."""
    def put(path, text):
        f = tmp_path / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    scope = "/system.slice/docker-%s.scope" % cid
    put("/proc/%d/cgroup" % pid, "0::%s\n" % scope)
    put("/sys/fs/cgroup%s/cgroup.procs" % scope, "%d\n4250\n" % pid)
    for p, fds in ((pid, {"0": "/dev/null", "3": "socket:[1001]"}), (4250, {"4": "socket:[1002]"}),
                   (1, {"5": "socket:[999]"})):
        d = tmp_path / ("proc/%d/fd" % p)
        d.mkdir(parents=True, exist_ok=True)
        for fd, target in fds.items():
            os.symlink(target, str(d / fd))
    put("/proc/%d/net/tcp" % pid, HDR + _tcp_line(0, "00000000:0016", "0A", "999")
        + _tcp_line(1, "00000000:0050", "0A", "1001") + _tcp_line(2, "0100007F:0050", "01", "1003"))
    put("/proc/%d/net/tcp6" % pid, HDR + _tcp_line(0, "0" * 32 + ":20FB", "0A", "1002"))
    return gather_base.Host(root=str(tmp_path))


def test_23_gather_lists_only_the_containers_own_listening_sockets(tmp_path):
    h = _host_tree(tmp_path)
    assert gather_listeners.container_listeners(h, 4242, CID) == [
        {"address": "0.0.0.0", "port": 80}, {"address": "::", "port": 8443}]


def test_23_gather_decodes_little_endian_words():
    v6_loopback = "0" * 24 + "01000000"
    text = HDR + _tcp_line(0, "0100007F:1F90", "0A", "7") + _tcp_line(1, v6_loopback + ":0035", "0A", "8")
    assert gather_listeners.parse_proc_net_tcp(text) == [("127.0.0.1", 8080, "7"), ("::1", 53, "8")]


def test_23_gather_a_pid_whose_cgroup_does_not_name_the_container_is_an_error(tmp_path):
    h = _host_tree(tmp_path)
    with pytest.raises(gather_listeners.ListenerError, match="names container"):
        gather_listeners.container_listeners(h, 4242, "deadbeef" * 8)
    with pytest.raises(gather_listeners.ListenerError, match="State.Pid is 0"):
        gather_listeners.container_listeners(h, 0, CID)


class _Client(object):
    def __init__(self, inspected):
        self._inspected = inspected

    def info(self):
        return {"Swarm": {"LocalNodeState": "inactive"}}

    def version(self):
        return {"ApiVersion": "1.43"}

    def containers(self, all=False):
        return [{"Id": i["Id"]} for i in self._inspected]

    def inspect_container(self, cid):
        return [i for i in self._inspected if i["Id"] == cid][0]

    def inspect_image(self, iid):
        return {"Config": {}}

    def history(self, iid):
        return []

    def networks(self):
        return []

    def volumes(self):
        return {"Volumes": []}


def _ins(cid, name, mode, pid, status="running"):
    return {"Id": cid, "Name": "/" + name, "Image": "sha256:i", "Config": {}, "HostConfig": {"NetworkMode": mode},
            "State": {"Status": status, "Pid": pid}, "NetworkSettings": {"Networks": {}, "Ports": {}}}


def test_23_engine_collector_adds_listeners_to_host_network_containers_only(tmp_path):
    h = _host_tree(tmp_path)
    client = _Client([_ins(CID, "edge", "host", 4242, "paused"), _ins("b" * 64, "app", "appnet", 5000),
                      _ins("d" * 64, "sidecar", "container:" + CID, 0)])
    out = gather_docker.collect_docker(lambda: client, 2, set(), {}, host=h)
    by = dict((c["name"], c) for c in out["containers"])
    assert by["edge"]["listeners"] == [{"address": "0.0.0.0", "port": 80}, {"address": "::", "port": 8443}]
    assert by["edge"]["listeners_error"] is None
    assert "listeners" not in by["app"] and "listeners_error" not in by["app"]
    # shares edge's namespace, i.e. the host's; no process of its own here: unknown, not empty
    assert by["sidecar"]["listeners"] is None and "State.Pid is 0" in by["sidecar"]["listeners_error"]
    out = gather_docker.collect_docker(lambda: client, 2, set(), {}, host=h, host_why_not="the engine is remote")
    assert [c["listeners_error"] for c in out["containers"] if c["name"] == "edge"] == ["the engine is remote"]


# ---------------------------------------------------------------- 23: the verdict

def _hostnet(name="edge", listeners=None, error=None, **kw):
    return make_container(name, network_mode="host", networks=["host"], ports=[], listeners=listeners,
                          listeners_error=error, **kw)


def test_23_host_network_container_listening_on_all_interfaces_fails():
    f = make_facts(containers=[make_container("good"), _hostnet(listeners=[{"address": "0.0.0.0", "port": 80}])])
    status, ev = run(N.check_23, f)
    assert status == "fail", ev
    assert "edge: listens on 0.0.0.0:80 (on all interfaces, privileged port) in the host's network namespace" in ev


@pytest.mark.parametrize("listener, bad", [
    ({"address": "::", "port": 8443}, True),
    ({"address": "10.0.0.5", "port": 8080}, True),   # on the host's interface, DOCKER-USER never sees it
    ({"address": "127.0.0.1", "port": 80}, True),    # privileged port, like -p 127.0.0.1:80:80
    ({"address": "127.0.0.1", "port": 8080}, False),
    ({"address": "::1", "port": 9000}, False),
])
def test_23_host_network_listener_rules(listener, bad):
    f = make_facts(containers=[_hostnet(listeners=[listener])])
    status, ev = run(N.check_23, f)
    assert status == ("fail" if bad else "pass"), ev


def test_23_host_network_listener_allow_list():
    f = make_facts(containers=[_hostnet(listeners=[{"address": "0.0.0.0", "port": 443}])])
    for entry in ("edge", "443", "0.0.0.0:443"):
        assert run(N.check_23, f, published_port_allowlist=[entry])[0] == "pass", entry


@pytest.mark.parametrize("container", [
    _hostnet(error="/proc/4242/fd: Permission denied (run with become)"),
    make_container("edge", network_mode="host", networks=["host"], ports=[]),   # not gathered at all
])
def test_23_host_network_listeners_unknown_is_an_error_never_pass(container):
    status, ev = run(N.check_23, make_facts(containers=[container]))
    assert status == "error", ev
    assert "edge" in ev and "listening sockets" in ev


def test_23_container_sharing_a_host_network_container_namespace_is_judged_too():
    edge = _hostnet(listeners=[])
    side = make_container("side", network_mode="container:" + edge["id"], networks=[], ports=[],
                          listeners=[{"address": "0.0.0.0", "port": 22}], listeners_error=None)
    status, ev = run(N.check_23, make_facts(containers=[edge, side]))
    assert status == "fail" and "side: listens on 0.0.0.0:22" in ev


# ---------------------------------------------------------------- 23: port mappings as dockerd publishes them

@pytest.mark.parametrize("port, says", [
    ({"container_port": "80/tcp", "host_ip": "", "host_port": "8080"}, "on all interfaces"),
    ({"container_port": "80/tcp", "host_ip": "0.0.0.0", "host_port": "8080"}, "on all interfaces"),
    ({"container_port": "80/tcp", "host_ip": "::", "host_port": "8080"}, "on all interfaces"),
    ({"container_port": "80/tcp", "host_ip": "[::]", "host_port": "8080"}, "on all interfaces"),
    ({"container_port": "80/tcp", "host_ip": "0:0:0:0:0:0:0:0", "host_port": "8080"}, "on all interfaces"),
    ({"container_port": "53/udp", "host_ip": "127.0.0.1", "host_port": "53"}, "privileged port"),
    ({"container_port": "80/tcp", "host_ip": "127.0.0.1", "host_port": "80-90"}, "privileged port"),
    ({"container_port": "80/tcp", "host_ip": "127.0.0.1", "host_port": "1000-1100"}, "privileged port"),
])
def test_23_published_port_forms(port, says):
    f = make_facts(containers=[make_container("web", ports=[port])])
    status, ev = run(N.check_23, f)
    assert status == "fail" and says in ev, ev


@pytest.mark.parametrize("port", [
    {"container_port": "80/tcp", "host_ip": "127.0.0.1", "host_port": "8000-8010"},
    {"container_port": "53/udp", "host_ip": "10.0.0.5", "host_port": "5353"},
    {"container_port": "80/tcp", "host_ip": "::1", "host_port": "8080"},
])
def test_23_published_port_forms_that_pass(port):
    assert run(N.check_23, make_facts(containers=[make_container("web", ports=[port])]))[0] == "pass"


@pytest.mark.parametrize("port", [
    {"container_port": "80/tcp", "host_ip": "localhost", "host_port": "8080"},
    {"container_port": "80/tcp", "host_ip": "127.0.0.1", "host_port": "http"},
])
def test_23_published_port_of_an_unknown_form_is_an_error(port):
    status, ev = run(N.check_23, make_facts(containers=[make_container("web", ports=[port])]))
    assert status == "error" and "web" in ev, ev


def test_23_evaluator_does_not_filter_on_state_itself(monkeypatch):
    # Paused and restarting containers hold their ports: the evaluator judges every container
    # scoped_containers gives it (which containers that is, is common.scoped_containers' rule).
    paused = make_container("web", state="paused",
                            ports=[{"container_port": "80/tcp", "host_ip": "0.0.0.0", "host_port": "80"}])
    f = make_facts(containers=[paused])
    monkeypatch.setattr(N, "scoped_containers", lambda facts, opts, running_only=True: [paused])
    assert run(N.check_23, f)[0] == "fail"


# ---------------------------------------------------------------- 24: a backend container has no way out

def _net(name, internal, members, driver="bridge"):
    return {"name": name, "id": "id-" + name, "driver": driver, "scope": "local", "internal": internal,
            "attachable": False, "options": {}, "containers": members, "encrypted": False}


def _tiers(db_networks, extra_networks=()):
    proxy = make_container("proxy", networks=["frontend"])
    db = make_container("db", ports=[], networks=list(db_networks), compose_project="shop", compose_service="db")
    f = make_facts(containers=[proxy, db])
    nets = f["docker"]["networks"]
    nets[0]["containers"] = ["db"] if "bridge" in db_networks else []
    nets[1]["containers"] = []
    nets.append(_net("frontend", False, ["proxy"] + (["db"] if "frontend" in db_networks else [])))
    nets.append(_net("backend", True, ["db"]))
    nets.extend(extra_networks)
    return f


@pytest.mark.parametrize("db_networks, says", [
    (["backend", "frontend"], "frontend"),
    (["backend", "bridge"], "bridge"),
])
def test_24_backend_container_also_on_a_non_internal_network_fails(db_networks, says):
    status, ev = run(N.check_24, _tiers(db_networks))
    assert status == "fail", ev
    assert "db (compose shop/db) is on backend network backend but also on non-internal %s" % says in ev


def test_24_backend_container_only_on_internal_networks_passes():
    status, ev = run(N.check_24, _tiers(["backend"]))
    assert status == "pass", ev


def test_24_other_network_allow_listed_for_egress_is_not_a_way_out_we_judge():
    status, ev = run(N.check_24, _tiers(["backend", "frontend"]), egress_network_allowlist=["frontend"])
    assert status == "pass", ev


def test_24_macvlan_backend_network_is_judged_too():
    f = _tiers(["backend", "lan"], [_net("lan", False, ["db"], driver="macvlan")])
    status, ev = run(N.check_24, f)
    assert status == "fail" and "lan" in ev, ev


# ---------------------------------------------------------------- 21: the default bridge, however joined

@pytest.mark.parametrize("mode", ["bridge", "default"])
def test_21_default_bridge_by_either_mode_name_fails(mode):
    f = make_facts(containers=[make_container("web", network_mode=mode, networks=["bridge"])])
    status, ev = run(N.check_21, f)
    assert status == "fail" and "web: attached to the default bridge" in ev


@pytest.mark.parametrize("ref", ["id", "name", "short id"])
def test_21_container_sharing_the_namespace_of_a_default_bridge_container_fails(ref):
    web = make_container("web", network_mode="bridge", networks=["bridge"])
    target = {"id": web["id"], "name": "web", "short id": web["id"][:12]}[ref]
    side = make_container("side", network_mode="container:" + target, networks=[])
    status, ev = run(N.check_21, make_facts(containers=[web, side]), default_bridge_allowlist=["web"])
    assert status == "fail", ev
    assert "side: shares the network namespace of web, which is on the default bridge" in ev


def test_21_container_sharing_the_namespace_of_a_user_network_container_passes():
    app = make_container("app")
    side = make_container("side", network_mode="container:" + app["id"], networks=[])
    assert run(N.check_21, make_facts(containers=[app, side]))[0] == "pass"


def test_21_namespace_of_a_container_not_in_the_facts_is_an_error():
    side = make_container("side", network_mode="container:" + "f" * 64, networks=[])
    status, ev = run(N.check_21, make_facts(containers=[make_container("app"), side]))
    assert status == "error" and "side" in ev and "ffffffffffff" in ev


# ---------------------------------------------------------------- 25: chains DOCKER-USER jumps to

def _with_chain(facts, rules, chains, errors=None):
    chain(facts, *rules)
    facts["iptables"]["chains"] = chains
    facts["iptables"]["chains_error"] = errors or {}
    return facts


def test_25_a_jumped_chain_that_drops_everything_counts(facts):
    f = _with_chain(facts, [EST, "-A DOCKER-USER -i eth0 -j FILTERS", "-A DOCKER-USER -j RETURN"], {
        "FILTERS": ["-N FILTERS", "-A FILTERS -s 10.0.0.0/8 -j RETURN", "-A FILTERS -j DROP"]})
    status, ev = run(N.check_25, f)
    assert status == "pass" and "rule 2 > FILTERS rule 2" in ev, ev


def test_25_a_jumped_chain_that_accepts_everything_makes_the_drop_dead(facts):
    f = _with_chain(facts, [EST, "-A DOCKER-USER -j OPEN", "-A DOCKER-USER -i eth0 -j DROP"], {
        "OPEN": ["-N OPEN", "-A OPEN -j ACCEPT"]})
    status, ev = run(N.check_25, f)
    assert status == "fail" and "rule 2 > OPEN rule 1" in ev, ev


def test_25_a_return_ends_a_jumped_chain_only(facts):
    # -j: RETURN goes back to DOCKER-USER, whose own drop still applies
    f = _with_chain(facts, [EST, "-A DOCKER-USER -j NOOP", "-A DOCKER-USER -i eth0 -j DROP"], {
        "NOOP": ["-N NOOP", "-A NOOP -j RETURN", "-A NOOP -j ACCEPT"]})
    assert run(N.check_25, f)[0] == "pass"
    # -g: RETURN (or the end of the chain) goes back past DOCKER-USER: nothing after it is reached
    f = _with_chain(facts, [EST, "-A DOCKER-USER -g NOOP", "-A DOCKER-USER -i eth0 -j DROP"], {
        "NOOP": ["-N NOOP", "-A NOOP -s 203.0.113.7/32 -j DROP"]})
    status, ev = run(N.check_25, f)
    assert status == "fail" and "lets everything through" in ev, ev


def test_25_a_chain_that_could_not_be_read_is_an_error_with_the_reason(facts):
    f = _with_chain(facts, [EST, "-A DOCKER-USER -j ufw-user-forward", "-A DOCKER-USER -i eth0 -j DROP"], {},
                    {"ufw-user-forward": "iptables: No chain/target/match by that name."})
    status, ev = run(N.check_25, f)
    assert status == "error" and "jump to chain ufw-user-forward" in ev and "No chain/target/match" in ev


def test_25_gather_reads_the_chains_docker_user_jumps_to():
    from fake_host import FakeHost
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import iptables as gather_iptables
    ipt = "/usr/sbin/iptables -w 5 -S "
    h = FakeHost(binaries={"iptables": "/usr/sbin/iptables"}, commands={
        ipt + "DOCKER-USER": (0, "-N DOCKER-USER\n-A DOCKER-USER -j A\n-A DOCKER-USER -j LOG\n"
                                 "-A DOCKER-USER -g B\n", ""),
        ipt + "FORWARD": (0, "-P FORWARD DROP\n", ""),
        ipt + "A": (0, "-N A\n-A A -j C\n-A A -j DROP\n", ""),
        ipt + "B": (0, "-N B\n-A B -j A\n", "")})
    out, _source = gather_iptables.collect_iptables(h)
    assert out["chains"] == {"A": ["-N A", "-A A -j C", "-A A -j DROP"], "B": ["-N B", "-A B -j A"]}
    assert list(out["chains_error"]) == ["C"] and out["chains6"] == {}
    assert ipt + "LOG" not in [" ".join(c) for c in h.calls]
