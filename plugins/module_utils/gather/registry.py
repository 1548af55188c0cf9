# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Every collector, listed once, in the order docker_host_facts runs them.

An entry is ``(name, run)``: ``run(host, params)`` returns ``(section, source)`` like every collector,
``params`` being the module's parameters (plus ``endpoint``, the resolved Docker endpoint). The
name is the key of the collector's section in the facts and of its state under
``facts["collectors"]``; catalog.COLLECTOR_PRIVILEGE and the module's ``collectors`` choices name
the same set (tests/unit/module_utils/gather/test_collectors.py holds the three together).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import (
    audit, daemon_config, daemons, docker, dockerd_process, environment, files, host, iptables, mounts, services,
    sshd, tools
)
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import timed


def _files(h, params):
    # The primary daemon's paths and those CIS 3.x judge (certs.d, TLS files), then every other
    # daemon's (config file, sockets, data root).
    extra = files.daemon_paths(h, params) + files.cis_paths(h, params) + daemons.own_paths(h, params)
    return files.collect_files(h, tuple(p for i, p in enumerate(extra) if p and p not in extra[:i]))


# The sections each daemon has: the primary's are top-level, every other daemon's are under its
# ``daemons`` entry, read by these same functions with that daemon's endpoint and config file.
DAEMON_COLLECTORS = (
    ("daemon_config", lambda h, params: daemon_config.collect_daemon_config(
        h, *dockerd_process.config_path(h, params))),
    ("dockerd_process", lambda h, params: dockerd_process.collect_dockerd_process(h, params=params)),
    ("docker", docker.collect_engine),
)
_PER_DAEMON = dict(DAEMON_COLLECTORS)

COLLECTORS = (
    ("host", lambda h, params: host.collect_host(h)),
    ("services", lambda h, params: services.collect_services(h)),
    ("sshd", lambda h, params: sshd.collect_sshd(h)),
    ("audit", lambda h, params: audit.collect_audit(h)),
    ("iptables", lambda h, params: iptables.collect_iptables(h)),
    ("mounts", lambda h, params: mounts.collect_mounts(h)),
    # files, daemon_config and dockerd_process share one record of the dockerd serving the endpoint:
    # its config file (--config-file) and its unix sockets.
    ("files", _files),
    ("daemon_config", _PER_DAEMON["daemon_config"]),
    ("dockerd_process", _PER_DAEMON["dockerd_process"]),
    ("environment", lambda h, params: environment.collect_environment(h)),
    ("tools", lambda h, params: tools.collect_tools(h)),
    # Late: the engine is the slowest, and a host collector's failure must not wait on it.
    ("docker", _PER_DAEMON["docker"]),
    # Last: every other daemon's engine is read here, after the primary's.
    ("daemons", lambda h, params: daemons.collect_daemons(h, params, DAEMON_COLLECTORS)),
)

NAMES = tuple(name for name, dummy in COLLECTORS)


def gather(h, params, wanted, facts):
    """Run the ``wanted`` collectors into ``facts``, in one pass. ``params`` are the module's, with
    ``endpoint`` (docker_host resolved) and ``endpoint_explicit`` (docker_host or DOCKER_HOST was
    given); discovery first points them at the primary daemon (daemons.resolve_primary)."""
    daemons.resolve_primary(h, params)
    for name, run_collector in COLLECTORS:
        if name in wanted:
            timed(name, run_collector, facts, h, params)
    return facts
