"""A small CIS profile (catalog.json ``profiles.cis`` shape, BRIEF C3) for the profile machinery's
tests: one recommendation of each kind (reuses, evaluator, expr, all, manual), so the tests do not
depend on the real 117 recommendations."""

import copy


def raw_profile():
    """The profile as catalog.json would hold it."""
    return copy.deepcopy({
        "title": "CIS Docker Benchmark",
        "version": "1.6.0",
        "v180_note": "v1.8.0 inserts 2.7 and renumbers 2.7-2.18 as 2.8-2.19.",
        "sections": {"1": "Host Configuration", "2": "Docker daemon configuration",
                     "3": "Docker daemon configuration files", "5": "Container Runtime"},
        "recommendations": [
            {"id": "1.1.1", "v180": "1.1.1", "title": "Ensure a separate partition for containers",
             "mode": "manual", "level": 1, "requires": [], "check": "an operator confirms it"},
            {"id": "2.2", "v180": "2.2", "title": "Ensure the logging level is set to info", "mode": "automated",
             "level": 1, "reuses": "7", "check": "checklist item 7", "fix": "log-level info"},
            {"id": "2.8", "v180": "2.9", "title": "Enable user namespace support", "mode": "automated",
             "level": 2, "requires": ["docker"], "evaluator": True, "check": "cis.CHECKS", "fix": "userns-remap"},
            {"id": "3.17", "v180": "3.17", "title": "Ensure daemon.json is owned by root and 644",
             "mode": "automated", "level": None, "requires": ["files"],
             "expr": {"all": [
                 {"query": "files.\"/etc/docker/daemon.json\".owner", "compare": "eq", "expected": "root"},
                 {"query": "files.\"/etc/docker/daemon.json\".mode", "compare": "mode_at_most", "expected": "0644"}]},
             "check": "owner and mode of daemon.json", "fix": "chown root:root; chmod 644"},
            {"id": "5.5", "v180": "5.5", "title": "Ensure privileged containers are not used", "mode": "automated",
             "level": 1, "requires": ["docker"],
             "expr": {"query": "docker.containers[?privileged].name", "compare": "empty"},
             "check": "the containers' HostConfig.Privileged", "fix": "drop --privileged"},
        ],
    })
