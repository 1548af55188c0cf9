"""Items 11-25 (images, container runtime, network): a pass and a fail case each on fixture facts.
Each fail asserts the evidence names the offending container (with its compose project/service),
image, network or rule."""

import datetime

import pytest

from conftest import evaluator_sections, make_container, make_facts, make_image

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import images, network, runtime

W = evaluator_sections(images, runtime, network)

OPTS = audit.validate_options({})
IMG = "sha256:" + "1" * 64
TODAY = datetime.date(2026, 11, 23)


def run(check, facts, **opts):
    o = dict(OPTS)
    o["_today"] = TODAY
    o.update(opts)
    status, evidence = check(facts, o)
    assert status in ("pass", "fail", "not_applicable", "manual", "error")
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


def two(bad_mutation, image=None):
    """A good container and an offending one from compose project shop/web."""
    good = make_container("good")
    bad = make_container("evil", compose_project="shop", compose_service="web", **bad_mutation)
    images = None
    if image is not None:
        images = {IMG: make_image(), "sha256:" + "2" * 64: image}
        bad["image_id"] = "sha256:" + "2" * 64
    return make_facts(containers=[good, bad], images=images)


def test_every_item_passes_or_is_decided_on_the_hardened_fixture(facts):
    for cid, check in sorted(W.CHECKS.items(), key=lambda kv: int(kv[0])):
        # a hardened host verifies image signatures by a policy (item 12: DCT is retired on Docker Hub)
        status = run(check, facts, signature_policy="/etc/containers/policy.json")[0]
        expected = {"13": "manual", "24": "not_applicable"}.get(cid, "pass")
        assert status == expected, (cid, run(check, facts))


# ---------------------------------------------------------------- 11 trusted images

def test_11_pass_official(facts):
    status, ev = run(W.check_11, facts)
    assert status == "pass" and "1 images checked" in ev


def test_11_fail_names_image_and_container():
    f = two({"image": "randomuser/mybase:latest"}, image=make_image(repo_tags=["randomuser/mybase:latest"],
                                                                    repo_digests=["randomuser/mybase@sha256:" + "c" * 64]))
    status, ev = run(W.check_11, f)
    assert status == "fail" and "randomuser/mybase:latest (used by evil (compose shop/web))" in ev
    assert "good" not in ev


def test_11_trusted_registries_is_an_option():
    f = two({"image": "registry.example.com/base/app:1"},
            image=make_image(repo_tags=[], repo_digests=["registry.example.com/base/app@sha256:" + "c" * 64]))
    assert run(W.check_11, f)[0] == "fail"
    assert run(W.check_11, f, trusted_registries=["docker.io/library", "registry.example.com/base"])[0] == "pass"


def test_11_image_id_reference_uses_the_image_tags():
    f = two({"image": "sha256:" + "2" * 64}, image=make_image(repo_tags=["evilcorp/x:1"], repo_digests=[]))
    status, ev = run(W.check_11, f)
    assert status == "fail" and "evil (compose shop/web)" in ev


def test_11_image_without_any_name_was_never_pulled():
    f = two({"image": "sha256:" + "2" * 64}, image=make_image(repo_tags=[], repo_digests=[]))
    status, ev = run(W.check_11, f)
    assert status == "fail" and "no RepoDigests" in ev


# ---------------------------------------------------------------- 12 content trust

def test_12_pass(facts):
    # DCT counts for a host whose images come from a registry named in notary_v1_registries
    facts["docker"]["images"][IMG]["repo_digests"] = ["registry.acme.io/base/nginx@sha256:" + "a" * 64]
    facts["docker"]["containers"][0]["image"] = "registry.acme.io/base/nginx@sha256:" + "a" * 64
    status, ev = run(W.check_12, facts, notary_v1_registries=["registry.acme.io"])
    assert status == "pass" and "/etc/environment" in ev


def test_12_fail_wrong_value_names_file(facts):
    facts["environment"]["docker_content_trust"] = [{"file": "/etc/profile.d/dct.sh", "value": "0"}]
    status, ev = run(W.check_12, facts)
    assert status == "fail" and "DOCKER_CONTENT_TRUST=0 in /etc/profile.d/dct.sh" in ev


def test_12_fail_unset(facts):
    facts["environment"]["docker_content_trust"] = []
    status, ev = run(W.check_12, facts)
    assert status == "fail" and "not set system-wide" in ev


def test_12_fail_contradicting_files(facts):
    facts["environment"]["docker_content_trust"].append({"file": "/etc/profile.d/zz.sh", "value": "0"})
    status, ev = run(W.check_12, facts)
    assert status == "fail" and "/etc/profile.d/zz.sh" in ev and "contradicted" in ev


# ---------------------------------------------------------------- 13 scanning

def test_13_manual_with_scanner_names_it_and_the_option(facts):
    status, ev = run(W.check_13, facts)
    assert status == "manual" and "trivy" in ev and "dockersec_options.scan_report_path" in ev


def test_13_fail_without_scanner(facts):
    facts["tools"]["trivy"] = None
    status, ev = run(W.check_13, facts)
    assert status == "fail" and "no vulnerability scanner" in ev


def _scan(facts, **kw):
    ref = facts["docker"]["containers"][0]["image"]
    entry = {"critical": 0, "created": "2026-11-22T00:00:00Z"}
    entry.update(kw)
    return {"images": {ref: entry}, "errors": []}


def test_13_scan_results_pass(facts):
    status, ev = run(W.check_13, facts, _scan_results=_scan(facts))
    assert status == "pass" and "0 CRITICAL" in ev


def test_13_scan_results_critical_fail_names_container(facts):
    status, ev = run(W.check_13, facts, _scan_results=_scan(facts, critical=3))
    assert status == "fail" and "3 CRITICAL" in ev and "used by app" in ev


def test_13_stale_scan_fails(facts):
    status, ev = run(W.check_13, facts, _scan_results=_scan(facts, created="2026-10-01T00:00:00Z"))
    assert status == "fail" and "53 days ago (max 7)" in ev


def test_13_unscanned_image_fails(facts):
    status, ev = run(W.check_13, facts, _scan_results={"images": {"other:1": {"critical": 0, "created": "2026-11-22"}},
                                                       "errors": []})
    assert status == "fail" and "no scan result" in ev


def test_13_scan_matched_by_image_id_never_by_tag_alone(facts):
    by_tag = {"images": {"docker.io/library/nginx:1.27": {"critical": 0, "created": "2026-11-22"}}, "errors": []}
    status, ev = run(W.check_13, facts, _scan_results=by_tag)
    assert status == "fail" and "naming only a tag" in ev
    by_tag["images"]["docker.io/library/nginx:1.27"]["image_id"] = IMG
    assert run(W.check_13, facts, _scan_results=by_tag)[0] == "pass"
    by_id = {"images": {IMG: {"critical": 0, "created": "2026-11-22"}}, "errors": []}
    assert run(W.check_13, facts, _scan_results=by_id)[0] == "pass"


def test_13_unreadable_results_are_an_error(facts):
    status, ev = run(W.check_13, facts, _scan_results={"images": {}, "errors": ["/x.json: Expecting value"]},
                     scan_report_path="/x.json")
    assert status == "error" and "/x.json" in ev


# ---------------------------------------------------------------- 14 minimal images

def test_14_pass_small(facts):
    assert run(W.check_14, facts)[0] == "pass"


def test_14_fail_large_names_size_and_container():
    f = two({"image": "ubuntu:24.04"}, image=make_image(repo_tags=["ubuntu:24.04"], size=900 * 1024 * 1024))
    status, ev = run(W.check_14, f)
    assert status == "fail" and "900 MB (max 200 MB)" in ev and "ubuntu:24.04 (used by evil (compose shop/web))" in ev


def test_14_minimal_family_passes_whatever_its_size():
    f = two({"image": "node:20-alpine"}, image=make_image(repo_tags=["node:20-alpine"], size=900 * 1024 * 1024,
                                                          repo_digests=["node@sha256:" + "c" * 64]))
    assert run(W.check_14, f)[0] == "pass"


def test_14_threshold_is_an_option():
    f = two({"image": "ubuntu:24.04"}, image=make_image(repo_tags=["ubuntu:24.04"], size=90 * 1024 * 1024))
    assert run(W.check_14, f)[0] == "pass"
    assert run(W.check_14, f, max_image_size_mb=50)[0] == "fail"


def test_14_uninspected_image_is_an_error_not_a_pass(facts):
    facts["docker"]["images"] = {}
    status, ev = run(W.check_14, facts)
    assert status == "error" and "not inspected" in ev


# ---------------------------------------------------------------- 15 secrets in images

def test_15_pass(facts):
    assert run(W.check_15, facts)[0] == "pass"


@pytest.mark.parametrize("image,needle", [
    (make_image(env_names=["PATH", "DB_PASSWORD"]), "DB_PASSWORD"),
    (make_image(history=["/bin/sh -c #(nop)  ENV DB_PASSWORD=<redacted>"]), "DB_PASSWORD"),
    (make_image(history=["ENV MODE=<redacted> API_KEY=<redacted> # buildkit"]), "API_KEY"),
    (make_image(history=["ARG GITHUB_TOKEN"]), "GITHUB_TOKEN"),
    (make_image(history=["RUN |2 NPM_TOKEN=<redacted> MODE=x /bin/sh -c npm ci # buildkit"]), "NPM_TOKEN"),
    (make_image(history=["/bin/sh -c #(nop) COPY file:abc in /app/.env "]), "/app/.env"),
    (make_image(history=["COPY id_rsa /root/.ssh/ # buildkit"]), "id_rsa"),
])
def test_15_fail_names_the_secret_and_container(image, needle):
    status, ev = run(W.check_15, two({}, image=image))
    assert status == "fail" and needle in ev and "evil (compose shop/web)" in ev


def test_15_file_pointer_names_pass():
    image = make_image(env_names=["DB_PASSWORD_FILE"], history=["ENV TOKEN_PATH=<redacted> # buildkit"])
    assert run(W.check_15, two({}, image=image))[0] == "pass"


def test_15_uninspected_image_is_an_error(facts):
    facts["docker"]["images"] = {}
    assert run(W.check_15, facts)[0] == "error"


# ---------------------------------------------------------------- 16-23 per container

@pytest.mark.parametrize("check,mutation,needle", [
    (W.check_16, {"user": ""}, "root (Config.User empty)"),
    (W.check_16, {"user": "root"}, "'root'"),
    (W.check_16, {"user": "0:0"}, "'0:0'"),
    (W.check_17, {"cap_add": ["SYS_ADMIN"]}, "adds SYS_ADMIN"),
    (W.check_17, {"cap_add": ["CAP_NET_ADMIN"]}, "adds NET_ADMIN"),
    (W.check_17, {"cap_drop": []}, "does not drop ALL"),
    (W.check_17, {"privileged": True}, "privileged"),
    (W.check_18, {"readonly_rootfs": False}, "root filesystem writable"),
    (W.check_19, {"memory": 0}, "no memory limit"),
    (W.check_19, {"nano_cpus": 0, "cpu_quota": 0}, "no cpus limit"),
    (W.check_19, {"pids_limit": -1}, "no pids limit"),
    (W.check_19, {"memory": 0, "nano_cpus": 0, "pids_limit": None}, "no memory/cpus/pids limit"),
    (W.check_21, {"networks": ["bridge"], "network_mode": "default"}, "attached to the default bridge"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "0.0.0.0", "host_port": "8080"}]},
     "0.0.0.0:8080->80/tcp on all interfaces"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "::", "host_port": "8080"}]},
     "on all interfaces"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "10.0.0.5", "host_port": "80"}]},
     "10.0.0.5:80->80/tcp privileged port"),
    (W.check_23, {"ports": [{"container_port": "80/tcp", "host_ip": "", "host_port": "80"}]},
     "on all interfaces and privileged port"),
])
def test_per_container_fail_names_only_the_offender(check, mutation, needle):
    f = two(mutation)
    assert run(check, make_facts(containers=[make_container("good")]))[0] == "pass"
    status, ev = run(check, f)
    assert status == "fail", ev
    assert "1 of 2 containers" in ev and "evil (compose shop/web): " in ev and needle in ev
    assert "good:" not in ev and "good (" not in ev


@pytest.mark.parametrize("check", [W.check_16, W.check_17, W.check_18, W.check_19, W.check_21, W.check_23,
                                   W.check_11, W.check_14, W.check_15])
def test_per_container_not_applicable_without_running_containers(check):
    # Exit code 0 under on-failure: dockerd does not start it again (comes_back).
    status, ev = run(check, make_facts(containers=[make_container(state="exited", user="", exit_code=0)]))
    assert status == "not_applicable" and "no running containers" in ev


@pytest.mark.parametrize("check", [W.check_16, W.check_18, W.check_21, W.check_11, W.check_24])
def test_unreachable_engine_is_not_applicable_with_the_reason(check):
    f = make_facts(containers=[])
    f["docker"]["reachable"] = False
    status, ev = run(check, f)
    assert status == "not_applicable" and "not reachable" in ev


def test_excluded_containers_are_out_of_scope():
    f = make_facts(containers=[make_container(), make_container("tool", user="", label_names=["audit.tool"])])
    assert run(W.check_16, f)[0] == "fail"
    assert run(W.check_16, f, exclude_containers=["tool"])[0] == "pass"
    assert run(W.check_16, f, exclude_container_labels=["audit.tool"])[0] == "pass"


def test_17_allow_list_is_an_option():
    f = two({"cap_add": ["SYS_PTRACE"]})
    assert run(W.check_17, f, cap_add_allowlist=["NET_BIND_SERVICE", "SYS_PTRACE"])[0] == "pass"


def test_20_pass_daemon_wide_even_when_containers_lack_it():
    # The daemon default reaches containers created since dockerd started (daemon/create.go).
    f = make_facts(containers=[make_container(security_opt=[], created="2026-11-21T00:00:00Z")])
    f["dockerd_process"]["started_at"] = "2026-11-20T00:00:00Z"
    status, ev = run(W.check_20, f)
    assert status == "pass" and "daemon-wide (daemon.json)" in ev


def test_20_fail_names_container_without_daemon_setting():
    f = two({"security_opt": ["seccomp=unconfined"]})
    del f["daemon_config"]["content"]["no-new-privileges"]
    status, ev = run(W.check_20, f)
    assert status == "fail" and "evil (compose shop/web): no no-new-privileges" in ev


@pytest.mark.parametrize("opt", ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"])
def test_20_pass_per_container_spellings(opt):
    f = make_facts(containers=[make_container(security_opt=[opt])])
    del f["daemon_config"]["content"]["no-new-privileges"]
    assert run(W.check_20, f)[0] == "pass"


def test_20_daemon_setting_false_does_not_count():
    f = two({"security_opt": []})
    f["daemon_config"]["content"]["no-new-privileges"] = False
    assert run(W.check_20, f)[0] == "fail"


def test_21_allow_list_is_an_option():
    f = two({"networks": ["bridge"], "network_mode": "bridge"})
    assert run(W.check_21, f, default_bridge_allowlist=["evil"])[0] == "pass"


def test_23_allow_list_by_container_port_or_address():
    port = {"container_port": "443/tcp", "host_ip": "0.0.0.0", "host_port": "443"}
    f = two({"ports": [port]})
    assert run(W.check_23, f)[0] == "fail"
    for entry in ("evil", "443", "0.0.0.0:443"):
        assert run(W.check_23, f, published_port_allowlist=[entry])[0] == "pass", entry


# ---------------------------------------------------------------- 22 icc + links

def test_22_pass(facts):
    status, ev = run(W.check_22, facts)
    assert status == "pass" and "enable_icc=false" in ev


def test_22_fail_links_names_container_and_link():
    f = two({"links": ["/db:/evil/db"]})
    status, ev = run(W.check_22, f)
    assert status == "fail" and "evil (compose shop/web): --link /db:/evil/db" in ev


def test_22_fail_icc_on(facts):
    facts["docker"]["bridge_network"]["Options"]["com.docker.network.bridge.enable_icc"] = "true"
    status, ev = run(W.check_22, facts)
    assert status == "fail" and "enable_icc=true" in ev


# ---------------------------------------------------------------- 24 internal networks

def _backend(internal):
    front = make_container("front")
    back = make_container("db", ports=[], networks=["backend"], compose_project="shop", compose_service="db")
    f = make_facts(containers=[front, back])
    f["docker"]["networks"].append({"name": "backend", "id": "n2", "driver": "bridge", "scope": "local",
                                    "internal": internal, "attachable": False, "options": {},
                                    "containers": ["db"], "encrypted": False})
    return f


def test_24_fail_names_the_network_and_members():
    status, ev = run(W.check_24, _backend(False))
    assert status == "fail" and "backend (members db publish no ports) is not internal" in ev


def test_24_pass_internal_backend():
    status, ev = run(W.check_24, _backend(True))
    assert status == "pass" and "backend" in ev


def test_24_egress_allow_list():
    status, ev = run(W.check_24, _backend(False), egress_network_allowlist=["backend"])
    assert status == "not_applicable" and "allow-listed to reach outside: backend" in ev


def test_24_networks_with_a_publishing_member_or_no_member_are_ignored():
    f = _backend(False)
    f["docker"]["networks"][-1]["containers"] = ["db", "front"]
    assert run(W.check_24, f)[0] == "not_applicable"
    f["docker"]["networks"][-1]["containers"] = []
    assert run(W.check_24, f)[0] == "not_applicable"


def test_24_not_applicable_without_backend(facts):
    assert run(W.check_24, facts)[0] == "not_applicable"


def test_20_daemon_wide_setting_not_in_effect_judges_the_containers(facts):
    facts["daemon_config"]["content"]["no-new-privileges"] = True
    facts["daemon_config"]["mtime"] = "2026-11-22T10:00:00Z"       # edited after dockerd started
    facts["dockerd_process"]["started_at"] = "2026-11-20T08:00:00Z"
    for c in facts["docker"]["containers"]:
        c["security_opt"] = []
    status, ev = run(W.check_20, facts)
    assert status == "fail" and "no-new-privileges=True in daemon.json is not in effect" in ev


# ---------------------------------------------------------------- 25 iptables

def test_25_pass(facts):
    status, ev = run(W.check_25, facts)
    assert status == "pass" and "-A DOCKER-USER -i eth0 -j DROP" in ev


@pytest.mark.parametrize("rules", [["-N DOCKER-USER", "-A DOCKER-USER -j RETURN"], ["-N DOCKER-USER"]])
def test_25_fail_lone_chain(facts, rules):
    facts["iptables"]["docker_user"] = rules
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "DOCKER-USER holds no policy" in ev


def test_25_fail_iptables_disabled_names_the_key(facts):
    facts["daemon_config"]["content"]["iptables"] = False
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "iptables=False, daemon.json" in ev


def test_25_fail_chain_missing(facts):
    facts["iptables"]["docker_user"] = None
    facts["iptables"]["docker_user_error"] = "iptables: No chain/target/match by that name."
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "No chain/target/match" in ev


def test_25_return_for_established_counts_like_accept(facts):
    # RETURN hands replies back to Docker's FORWARD rules, which accept established traffic.
    facts["iptables"]["docker_user"] = [
        "-N DOCKER-USER", "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
        "-A DOCKER-USER -s 10.0.0.0/8 -j RETURN", "-A DOCKER-USER -i eth0 -j DROP"]
    status, ev = run(W.check_25, facts)
    assert status == "pass", ev
    assert "RELATED,ESTABLISHED let through at rule 1, first DROP/REJECT at rule 3" in ev


def test_25_chain_iptables_nft_cannot_read_is_an_error(facts):
    facts["iptables"]["docker_user"] = None
    facts["iptables"]["docker_user_error"] = ("iptables v1.8.9 (nf_tables): chain `DOCKER-USER' in table `filter' "
                                              "is incompatible, use 'nft' tool.")
    status, ev = run(W.check_25, facts)
    assert status == "error" and "is incompatible, use 'nft' tool" in ev and "nft list chain" in ev


def _ipv6(facts, chain6, error6=None):
    facts["daemon_config"]["content"]["ipv6"] = True
    facts["iptables"].update(binary6="/usr/sbin/ip6tables", docker_user6=chain6, docker_user6_error=error6)


def test_25_ipv6_chain_judged_where_docker_carries_ipv6(facts):
    _ipv6(facts, ["-N DOCKER-USER"])
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "ip6tables: DOCKER-USER holds no policy" in ev and "ipv6=True (daemon.json)" in ev
    _ipv6(facts, list(facts["iptables"]["docker_user"]))
    status, ev = run(W.check_25, facts)
    assert status == "pass" and "IPv6 in use (ipv6=True (daemon.json)); ip6tables: DOCKER-USER has" in ev
    _ipv6(facts, None, "ip6tables: chain `DOCKER-USER' in table `filter' is incompatible, use 'nft' tool.")
    assert run(W.check_25, facts)[0] == "error"
    facts["daemon_config"]["content"]["ip6tables"] = False
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "ip6tables=False (daemon.json)" in ev


def test_25_ipv6_network_alone_brings_the_ip6tables_chain_in(facts):
    facts["docker"]["networks"] = [{"name": "v6net", "ipv6": True, "containers": []}]
    facts["iptables"].update(binary6="/usr/sbin/ip6tables", docker_user6=["-N DOCKER-USER", "-A DOCKER-USER -j RETURN"],
                             docker_user6_error=None)
    status, ev = run(W.check_25, facts)
    assert status == "fail" and "IPv6 in use (IPv6 networks: v6net)" in ev and "ip6tables: DOCKER-USER holds no policy" in ev
    # Without IPv6 anywhere, an empty ip6tables chain is not judged.
    facts["docker"]["networks"] = []
    assert run(W.check_25, facts)[0] == "pass"


def test_25_error_without_iptables(facts):
    facts["iptables"] = {"binary": None, "docker_user": None, "docker_user_error": None, "forward_policy": None}
    assert run(W.check_25, facts)[0] == "error"


_EST = "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"


@pytest.mark.parametrize("rules", [
    # what the docker_user_chain role writes (trailing RETURN of its own)
    ["-N DOCKER-USER", _EST, "-A DOCKER-USER -i docker0 -j RETURN",
     "-A DOCKER-USER -s 192.0.2.10/32 -j RETURN", "-A DOCKER-USER -m conntrack --ctstate DNAT -j DROP",
     "-A DOCKER-USER -j RETURN"],
    # no trailing RETURN (newer engines add none)
    ["-N DOCKER-USER", "-A DOCKER-USER -m state --state ESTABLISHED,RELATED -j ACCEPT",
     "-A DOCKER-USER -i eth0 -j REJECT --reject-with icmp-port-unreachable"],
    # a drop of NEW connections only needs no established accept before it
    ["-N DOCKER-USER", "-A DOCKER-USER -i eth0 -m conntrack --ctstate NEW -j DROP"],
])
def test_25_pass_policies(facts, rules):
    facts["iptables"]["docker_user"] = rules
    status, ev = run(W.check_25, facts)
    assert status == "pass", ev
    assert "first DROP/REJECT at rule" in ev


@pytest.mark.parametrize("rules, why", [
    (["-N DOCKER-USER", "-A DOCKER-USER -j ACCEPT", "-A DOCKER-USER -j RETURN"], "none drops or rejects"),
    (["-N DOCKER-USER", "-A DOCKER-USER -j LOG --log-prefix x", _EST], "none drops or rejects"),
    (["-N DOCKER-USER", "-A DOCKER-USER -i eth0 -j DROP", _EST],
     "drops before RELATED,ESTABLISHED is accepted"),
    (["-N DOCKER-USER", _EST, "-A DOCKER-USER -j RETURN", "-A DOCKER-USER -i eth0 -j DROP"],
     "lets everything through before the first DROP/REJECT (rule 3)"),
    (["-N DOCKER-USER", "-A DOCKER-USER -j ACCEPT", _EST, "-A DOCKER-USER -i eth0 -j DROP"],
     "rule 1 (-A DOCKER-USER -j ACCEPT) lets everything through"),
])
def test_25_fail_policies_that_do_not_filter(facts, rules, why):
    facts["iptables"]["docker_user"] = rules
    status, ev = run(W.check_25, facts)
    assert status == "fail" and why in ev, ev
