"""What the tests of items 26-50 share (evaluate/: secrets, logging_monitoring, orchestration,
supply_chain, compliance): the checks, fixture builders and the fuzzing strategies.

Every case starts from conftest.make_facts() (a hardened host) and changes only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import os

from hypothesis import strategies as st
from conftest import REPO, evaluator_sections, make_container, make_facts

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import bench_log
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import (
    compliance, logging_monitoring, orchestration, secrets, supply_chain,
)


checks_ops = evaluator_sections(secrets, logging_monitoring, orchestration, supply_chain, compliance)
CHECKS, OPTIONS = checks_ops.CHECKS, catalog.OPTIONS

TODAY = datetime.date(2026, 11, 23)
IMAGE_ID = "sha256:" + "1" * 64


def opts(**kw):
    o = {"_today": TODAY, "_history": []}
    o.update(kw)
    return o


def run(cid, facts, **kw):
    status, evidence = CHECKS[cid](facts, opts(**kw))
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, "\n".join(evidence)


def days_ago(n, when=TODAY):
    return (datetime.datetime(when.year, when.month, when.day, 5, 0, 0)
            - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S.123456789Z")


def make_swarm(is_manager=True, managers=3, nodes=5, cert_expiry_days=30, autolock=True, secrets=None,
               services=None):
    """docker.swarm per docs/facts.md; managers see secrets and services, workers see null."""
    return {
        "node_id": "nodeid1",
        "is_manager": is_manager,
        "managers": managers,
        "nodes": nodes,
        "cert_expiry_seconds": None if cert_expiry_days is None else cert_expiry_days * 86400,
        "autolock": autolock,
        "secrets": (secrets if secrets is not None else
                    [{"name": "db_pass", "created_at": days_ago(10), "updated_at": days_ago(10)}])
        if is_manager else None,
        "services": (services if services is not None else
                     [{"name": "shop_api", "labels": {}, "label_names": [], "constraints": [],
                       "secrets": ["db_pass"], "env_names": ["PATH"]}])
        if is_manager else None,
    }


def swarm_facts(containers=None, **kw):
    """A hardened host that is a swarm node (manager unless is_manager=False)."""
    swarm = make_swarm(**kw)
    f = make_facts(containers=containers, swarm=swarm)
    info = f["docker"]["info"]
    info["Swarm"] = {"LocalNodeState": "active", "NodeID": "nodeid1", "ControlAvailable": swarm["is_manager"],
                     "Managers": swarm["managers"], "Nodes": swarm["nodes"],
                     "Cluster": {"Spec": {"CAConfig": {"NodeCertExpiry": (swarm["cert_expiry_seconds"] or 0)
                                                       * 10 ** 9}}} if swarm["is_manager"] else None}
    info["LiveRestoreEnabled"] = False
    f["daemon_config"]["content"].pop("live-restore")
    f["docker"]["networks"] += [
        {"name": "ingress", "id": "o1", "driver": "overlay", "scope": "swarm", "internal": False,
         "attachable": False, "options": {"encrypted": ""}, "containers": [], "encrypted": True},
        {"name": "shop_backend", "id": "o2", "driver": "overlay", "scope": "swarm", "internal": True,
         "attachable": False, "options": {"encrypted": ""}, "containers": [], "encrypted": True},
    ]
    f["docker"]["local_state"]["join_token_rotated_at"] = days_ago(5)
    return f


STATUSES = ("pass", "fail", "not_applicable", "manual", "error")


WEIRD = ["$(reboot)", "`id`", "; rm -rf / #", "a|b&c>d", "ünïcødé-名前", "\n\t\x00", "../../etc", "",
         "running", "host", "bind", "volume", "tmpfs", "overlay", "active", "on-failure", "tcp://0.0.0.0:2375",
         "/var/run/docker.sock", "/etc", "0777", "0660", "DB_PASSWORD", "DB_PASSWORD_FILE",
         "2026-01-01T00:00:00Z", "2026-02-30T99:99:99Z", "sha256:" + "1" * 64, "nginx@sha256:abc", "-1", "1e999"]


KEYS = ["state", "name", "image", "image_id", "type", "source", "destination", "rw", "env_names", "mounts",
        "tmpfs", "swarm_service", "label_names", "constraints", "secrets", "created_at", "driver", "options",
        "encrypted", "history", "has_shell", "healthcheck", "generated_at", "restart_policy", "max_retry"]


scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=24), st.sampled_from(WEIRD))


values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS + WEIRD), st.text(max_size=8)),
                                               children, max_size=5)),
    max_leaves=12)


def _fuzz_bases():
    weird = make_container("$(reboot);`id`|ünï\n", image="evil/$(id):tag", env_names=["A;B", "TOKEN`x`"],
                           mounts=[{"type": "bind", "source": "/var/run/docker.sock", "destination": "/x",
                                    "rw": True}], swarm_service="svc;rm")
    return [make_facts(), swarm_facts(), swarm_facts(is_manager=False), make_facts(containers=[weird]),
            make_facts(containers=[])]


FUZZ_BASES = _fuzz_bases()


def _paths(obj, prefix=()):
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_paths(v, prefix + (i,)))
    return out


FUZZ_PATHS = [_paths(b) for b in FUZZ_BASES]


@st.composite
def malformed_facts(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    idx = draw(st.integers(0, len(FUZZ_BASES) - 1))
    facts = copy.deepcopy(FUZZ_BASES[idx])
    for _step in range(draw(st.integers(1, 8))):
        path = draw(st.sampled_from(FUZZ_PATHS[idx]))
        action = draw(st.sampled_from(["set", "set", "delete", "none"]))
        value = draw(values) if action == "set" else None
        try:
            parent = facts
            for key in path[:-1]:
                parent = parent[key]
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    return facts


def malformed_opts(option_names):
    optional = dict((n, values) for n in option_names)
    optional["_today"] = st.one_of(st.dates(), values)
    optional["_history"] = st.one_of(values, st.lists(st.fixed_dictionaries(
        {"host": values, "generated_at": st.one_of(st.sampled_from(WEIRD), values), "score": values})))
    optional["exclude_containers"] = values
    optional["exclude_container_labels"] = values
    return st.one_of(st.none(), values, st.fixed_dictionaries({}, optional=optional))


def assert_robust(checks, facts, options):
    for cid, fn in sorted(checks.items()):
        got = fn(facts, options)
        assert isinstance(got, tuple) and len(got) == 2, cid
        status, evidence = got
        assert status in STATUSES, (cid, status)
        assert isinstance(evidence, list) and evidence, cid
        assert all(isinstance(e, str) for e in evidence), (cid, evidence)


def _history(*ages):
    return [{"host": "node1", "generated_at": days_ago(a), "score": 80.0, "collection_version": "1.0.0"}
            for a in ages]


BENCH_LOG = os.path.join(REPO, "tests", "data", "docker-bench", "docker-bench-security.log.json")


def _bench(**kw):
    with open(BENCH_LOG) as f:
        summary = bench_log.summarize(f.read())
    summary.update(path="/opt/docker-bench-security/log/docker-bench-security.log.json",
                   mtime="2026-11-21T05:01:00Z", error=None)
    summary.update(kw)
    return summary
