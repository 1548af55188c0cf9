# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Evaluators for checklist section 7, Logging and Monitoring: items 31-35.

Item 34 is manual (no evaluator): the engine reports it ``manual`` unless attested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import (
    ERROR, FAIL, MANUAL, PASS, as_dict, container_label, daemon_flags, daemon_json, daemon_setting, docker,
    frozen_agents, host_agent_matches, limited, names, opt, restart_pending, result, scoped_containers, text
)


def frozen_text(facts, patterns):
    """Evidence naming agents that exist but whose every process is stopped (``kill -STOP``)."""
    frozen = frozen_agents(as_dict(facts), patterns)
    return ["%s: every process is stopped (state T/Z in /proc/PID/stat): it runs but sees nothing"
            % ", ".join(frozen)] if frozen else []


def _log_opts(facts):
    """log-opts from daemon.json, else --log-opt key=value flags."""
    content = daemon_json(facts)
    if "log-opts" in content:
        return as_dict(content.get("log-opts")), "daemon.json"
    out = {}
    for v in names(daemon_flags(facts).get("--log-opt")):
        if "=" in v:
            k, val = v.split("=", 1)
            out[k] = val
    return out, "dockerd --log-opt" if out else None


def container_log_offence(c, remote):
    """Why a running container's own log config (fixed when it was created) does not rotate or ship."""
    kind = c.get("log_type")
    if not kind:
        return None
    base = str(kind).lower().rsplit("/", 1)[-1]
    if base in remote or base == "local":
        return None
    if base == "json-file":
        missing = [k for k in ("max-size", "max-file") if as_dict(c.get("log_opts")).get(k) in (None, "", "0")]
        return "json-file without %s" % " and ".join(missing) if missing else None
    return "log driver %s neither rotates nor ships" % text(kind, 30)


def check_31(facts, opts):
    """log-driver json-file/local with rotation, or a remote driver; what dockerd and the running
    containers use (docker info, inspects) wins over the daemon.json text."""
    facts = as_dict(facts)
    status, evidence = _check_31_daemon(facts, opts)
    remote = [r.lower() for r in opt(opts, "remote_log_drivers")]
    running = [c for c in scoped_containers(facts, opts) if c.get("log_type")]
    bad = ["%s: %s" % (container_label(c), why) for c, why in
           ((c, container_log_offence(c, remote)) for c in running) if why]
    if bad:
        return result(FAIL, ["%d of %d running containers log without rotation (their log config is fixed when "
                             "they are created: recreate them)" % (len(bad), len(running))] + limited(bad)
                      + evidence)
    pending = restart_pending(facts)
    if status == PASS and pending and set(daemon_json(facts)) & set(["log-driver", "log-opts"]):
        if running:
            return result(PASS, evidence + ["%s; every running container rotates or ships its logs (%d checked)"
                                            % (pending, len(running))])
        return result(ERROR, ["%s: the file's logging settings are not confirmed by what runs; the file alone "
                              "says: %s" % (pending, "; ".join(evidence))])
    if running and status == PASS:
        evidence.append("every running container rotates or ships its logs (%d checked)" % len(running))
    return result(status, evidence)


def _check_31_daemon(facts, opts):
    driver, source = daemon_setting(facts, "log-driver")
    running_driver = as_dict(docker(facts).get("info")).get("LoggingDriver")
    if driver is None:
        driver = running_driver
        source = "docker info"
    elif isinstance(running_driver, str) and running_driver and str(driver) != running_driver:
        # docker info reports the default driver of the running dockerd: the file is not in effect yet.
        source = "docker info LoggingDriver; %s says %s (restart pending)" % (source, text(driver, 30))
        driver = running_driver
    if driver is None:
        driver, source = "json-file", "default"
    if isinstance(driver, (dict, list)):
        return result(ERROR, "log-driver unreadable (%s)" % text(driver))
    driver = str(driver)
    remote = [r.lower() for r in opt(opts, "remote_log_drivers")]
    base = driver.lower().split(":", 1)[0].rsplit("/", 1)[-1]
    if base in remote or driver.lower() in remote:
        return result(PASS, "log-driver %s (%s) ships logs off the host" % (text(driver), source))
    log_opts, opts_source = _log_opts(facts)
    if base in ("json-file", "local"):
        missing = [k for k in ("max-size", "max-file") if log_opts.get(k) in (None, "", 0, "0")]
        if not missing:
            return result(PASS, "log-driver %s (%s) rotates: max-size %s, max-file %s (%s)"
                          % (base, source, text(log_opts.get("max-size"), 20), text(log_opts.get("max-file"), 20),
                             opts_source))
        if base == "local":
            return result(PASS, "log-driver local (%s) rotates: max-size %s, max-file %s (built-in defaults "
                                "20m and 5 where unset)" % (source, text(log_opts.get("max-size") or "20m", 20),
                                                            text(log_opts.get("max-file") or "5", 20)))
        return result(FAIL, "log-driver %s (%s) without %s in log-opts: logs grow without bound"
                      % (base, source, " and ".join(missing)))
    return result(FAIL, "log-driver %s (%s) is neither rotated json-file/local nor a remote driver "
                        "(remote_log_drivers)" % (text(driver), source))


def _agent_running(facts, opts, option, running_text, missing_status, missing_text):
    """pass naming where an agent matching the ``option`` patterns runs, else ``missing_status``."""
    found = host_agent_matches(as_dict(facts), opts, opt(opts, option))
    if found:
        return result(PASS, [running_text] + limited(found))
    frozen = frozen_text(facts, opt(opts, option))
    return result(FAIL if frozen else missing_status, [missing_text] + frozen)


def check_32(facts, opts):
    """A log/event shipper runs; else attestation."""
    return _agent_running(facts, opts, "log_shipper_patterns", "log/event shipper running", MANUAL,
                          "no log/event shipper found among running services, processes or containers "
                          "(log_shipper_patterns); attest how docker events are forwarded")


def check_33(facts, opts):
    """A metrics agent runs (service, process or container)."""
    return _agent_running(facts, opts, "metrics_agent_patterns", "metrics agent running", FAIL,
                          "no metrics agent (cAdvisor, node-exporter, telegraf, ...) among running services, "
                          "processes or containers (metrics_agent_patterns)")


def check_35(facts, opts):
    """Falco (or a similar runtime sensor) runs as a process, service or container."""
    facts = as_dict(facts)
    found = host_agent_matches(facts, opts, opt(opts, "runtime_sensor_patterns"))
    if found:
        return result(PASS, ["runtime security sensor running"] + limited(found))
    evidence = ["no runtime security sensor (Falco, ...) running as a service, process or container "
                "(runtime_sensor_patterns)"] + frozen_text(facts, opt(opts, "runtime_sensor_patterns"))
    binary = as_dict(facts.get("tools")).get("falco")
    if isinstance(binary, str) and binary:
        evidence.append("falco is installed at %s but not running" % text(binary))
    return result(FAIL, evidence)


CHECKS = {"31": check_31, "32": check_32, "33": check_33, "35": check_35}
