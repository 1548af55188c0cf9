# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The daemon role's plan, on the controller: which daemon.json settings serve the controls
asked for, and which must wait (with the reason) so that no running container is lost.

Pure: it reads the gathered facts and the role's wanted values and returns a plan; writing
daemon.json is daemon_config.py's job, on the target.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.remediate.daemon_config import (
    RELOADABLE, changed_keys, clamp_ulimits, merge, needs_restart
)
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import daemon as daemon_checks
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import logging_monitoring
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import runtime as runtime_checks
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate.common import scoped_containers

# The ulimits item 10 judges; any other entry (memlock, core, ...) is the site's and is kept.
JUDGED_ULIMITS = ("nofile", "nproc")


def _legacy_links(facts):
    containers = ((facts.get("docker") or {}).get("containers")) or []
    return sorted(c.get("name") for c in containers if isinstance(c, dict) and c.get("links"))


# Which checklist controls a daemon.json key serves (to name the deferral when it must wait).
KEY_CONTROLS = {
    "icc": ("6", "22"), "userns-remap": ("8",), "default-ulimits": ("10",), "no-new-privileges": ("20",),
    "log-driver": ("31",), "log-opts": ("31",), "live-restore": ("X.8",), "userland-proxy": ("X.9",),
}


def _running_containers(facts):
    docker = facts.get("docker") or {}
    info = docker.get("info") or {}
    if isinstance(info.get("ContainersRunning"), int):
        return info["ContainersRunning"]
    return len([c for c in docker.get("containers") or [] if isinstance(c, dict) and c.get("state") == "running"])


def _containers_logging_unrotated(facts):
    """Running containers whose own log config neither rotates nor ships (item 31's rule)."""
    remote = [str(r).lower() for r in catalog.OPTIONS["remote_log_drivers"]["default"]]
    out = []
    for c in (facts.get("docker") or {}).get("containers") or []:
        if isinstance(c, dict) and c.get("state") == "running" and logging_monitoring.container_log_offence(c, remote):
            out.append(str(c.get("name")))
    return sorted(out)


def _containers_without_own_nnp(facts):
    """Containers item 20 judges that do not set no-new-privileges themselves: the daemon default
    reaches only containers created after dockerd starts with it (moby daemon/create.go
    setSecurityOptions copies it at create), so these stay without it after the fix."""
    out = []
    for c in scoped_containers(facts, {}):
        if runtime_checks.container_nnp(c)[0] is not True:
            out.append(str(c.get("name")))
    return sorted(out)


def _content(facts):
    content = (facts.get("daemon_config") or {}).get("content") or {}
    return content if isinstance(content, dict) else {}


def _ulimit_accepted(facts, name, entry, others, opts):
    """Does item 10 accept ``entry`` as the ``name`` limit (the other judged one set to ``others``)?

    Asked of the evaluator itself (evaluate/daemon.py check_10) on a host holding only these
    limits, so the role keeps exactly what the audit passes: an accepted nofile 65536 stays.
    """
    limits = dict(others)
    limits[name] = entry
    probe = {"daemon_config": {"content": {"default-ulimits": limits}},
             "dockerd_process": {"limits": (facts.get("dockerd_process") or {}).get("limits") or {}}}
    return daemon_checks.check_10(probe, opts)[0] == "pass"


def _ulimits_to_add(facts, ulimits, opts):
    """The entries of ``ulimits`` that daemon.json lacks, or whose value there item 10 refuses."""
    current = _content(facts).get("default-ulimits")
    if not isinstance(current, dict):
        return ulimits
    add = {}
    for name, entry in ulimits.items():
        have = current.get(name)
        if have is None:
            add[name] = entry
        elif name in JUDGED_ULIMITS:
            # The other judged limit as the role would leave it (kept if accepted, else the wanted one).
            others = dict((n, ulimits.get(n, current.get(n))) for n in JUDGED_ULIMITS if n != name)
            if not _ulimit_accepted(facts, name, have, others, opts):
                add[name] = entry
    return add


def _logging_accepted(facts, opts):
    """Does item 31 accept the daemon's own logging configuration (file, flags, running default)?

    Asked of the evaluator (evaluate/logging_monitoring.py check_31) without the containers,
    whose log config is fixed at their creation: a working syslog, journald, fluentd ... or a
    rotated json-file/local stays as it is.
    """
    content = _content(facts)
    info = {}
    if "log-driver" not in content:
        info["LoggingDriver"] = ((facts.get("docker") or {}).get("info") or {}).get("LoggingDriver")
    probe = {"daemon_config": {"content": dict((k, content[k]) for k in ("log-driver", "log-opts") if k in content)},
             "dockerd_process": {"flags": (facts.get("dockerd_process") or {}).get("flags") or {}},
             "docker": {"info": info}}
    return logging_monitoring.check_31(probe, opts)[0] == "pass"


def _logging_settings(facts, wanted, replace):
    """log-driver/log-opts to merge for item 31: only what is missing from a working config."""
    opts = wanted.get("options") or {}
    if _logging_accepted(facts, opts):
        return {}
    content = _content(facts)
    info = (facts.get("docker") or {}).get("info") or {}
    flags = (facts.get("dockerd_process") or {}).get("flags") or {}
    driver = wanted.get("log_driver")
    log_opts = dict(wanted.get("log_opts") or {})
    effective = content.get("log-driver") or info.get("LoggingDriver") or "json-file"
    out = {}
    if str(effective) == str(driver):
        have = content.get("log-opts") if isinstance(content.get("log-opts"), dict) else {}
        missing = dict((k, v) for k, v in log_opts.items() if have.get(k) in (None, "", 0, "0"))
        if missing:
            out["log-opts"] = missing
        if "log-driver" not in content and "--log-driver" not in flags:
            out["log-driver"] = driver
        return out
    # Another driver that item 31 refuses: its log options mean nothing to the new one (dockerd
    # refuses an unknown log-opt at start), so log-opts is replaced, not merged.
    out["log-driver"] = driver
    out["log-opts"] = log_opts
    replace.append("log-opts")
    return out


def _running_names(facts):
    return sorted(str(c.get("name")) for c in (facts.get("docker") or {}).get("containers") or []
                  if isinstance(c, dict) and c.get("state") == "running")


def _restart_deferrals(settings, changing, deferred, reason):
    """Deferral entries for every changing key that needs a restart (one per control)."""
    already = set(d["id"] for d in deferred)
    out = []
    for key in [k for k in changing if k not in RELOADABLE and k in settings]:
        for cid in KEY_CONTROLS.get(key, (key,)):
            if cid in already:
                continue
            already.add(cid)
            out.append({"id": cid, "reason": reason % key})
    return out


def _guard_restart(facts, wanted, settings, deferred, swarm_active, replace=()):
    """Keep running containers alive across the change.

    A restart of dockerd stops every container unless live-restore is in effect in the running
    daemon (docker info LiveRestoreEnabled; the file alone is not enough: dockerd reads it at
    start and on SIGHUP, moby daemon/reload.go reloadLiveRestore). When the change needs a
    restart and containers run:

    - live-restore in the file (already, or set by this plan): the role merges it first (the
      ``stage``), then, before restarting, reads LiveRestoreEnabled, reloads when it is off and
      reads it again (``check_live_restore``); still off, it holds back the restart keys with
      ``restart_deferrals`` and merges ``reload_settings`` only;
    - swarm mode (live-restore and swarm do not mix) or daemon_live_restore false: the restart
      keys are held back, unless the operator accepts the outage (``restart_running_containers``),
      and then ``stops`` names the containers the restart stops (the --check forecast says so).
    """
    info = (facts.get("docker") or {}).get("info") or {}
    current = _content(facts)
    changing = changed_keys(current, merge(current, settings, replace=replace))
    running = _running_containers(facts)
    out = {"stage": {}, "check_live_restore": False, "restart_deferrals": [], "stops": [], "swarm_drain": False,
           "reload_settings": dict((k, v) for k, v in settings.items() if k in RELOADABLE or k not in changing)}
    if not needs_restart(changing) or not running:
        return out
    in_file = settings.get("live-restore", current.get("live-restore")) is True
    if not swarm_active and (in_file or info.get("LiveRestoreEnabled")):
        if settings.get("live-restore") is True and current.get("live-restore") is not True \
                and not info.get("LiveRestoreEnabled"):
            out["stage"] = {"live-restore": True}
        out["check_live_restore"] = True
        out["restart_deferrals"] = _restart_deferrals(
            settings, changing, deferred,
            "%%s needs a dockerd restart, which would stop the %d running containers: live-restore is not in "
            "effect in the running dockerd (docker info LiveRestoreEnabled false, also after a reload); set "
            "daemon_restart_running_containers to accept the outage" % running)
        return out
    if swarm_active and wanted.get("swarm_drain_restart"):
        return _guard_swarm_drain(facts, wanted, settings, changing, deferred, running, out)
    if wanted.get("restart_running_containers"):
        out["stops"] = _running_names(facts)
        return out
    why = "swarm mode is active, live-restore cannot be on" if swarm_active else "daemon_live_restore is false"
    # On a swarm node the opt-in drain moves the node's tasks away first (one node at a time).
    drain = " (or daemon_swarm_drain_restart to drain the node first)" if swarm_active else ""
    held = _restart_deferrals(settings, changing, deferred,
                              "%%s needs a dockerd restart, which would stop the %d running containers (live-restore "
                              "is off: %s); set daemon_restart_running_containers to accept the outage%s"
                              % (running, why, drain))
    for key in [k for k in changing if k not in RELOADABLE]:
        settings.pop(key, None)
    deferred.extend(held)
    out["reload_settings"] = dict(settings)
    return out


def _guard_swarm_drain(facts, wanted, settings, changing, deferred, running, out):
    """daemon_swarm_drain_restart: the node's swarm tasks move away (drain) before the restart.

    A drain moves swarm tasks only: a container started outside the swarm (docker run, compose)
    stays and the restart stops it, so such containers hold the restart back unless
    restart_running_containers accepts that (``stops`` names them). Otherwise ``swarm_drain`` asks
    the role to judge the cluster on a manager (swarm_drain.plan: quorum, rescheduling), and
    ``restart_deferrals`` is what is held back, with that judgment's reason, when it refuses.
    """
    standalone = sorted(str(c.get("name")) for c in (facts.get("docker") or {}).get("containers") or []
                        if isinstance(c, dict) and c.get("state") == "running" and c.get("swarm_task") is not True)
    if standalone and not wanted.get("restart_running_containers"):
        deferred.extend(_restart_deferrals(
            settings, changing, deferred,
            "%%s needs a dockerd restart: a swarm drain moves only swarm tasks, and the restart would stop the %d "
            "containers started outside the swarm (%s; live-restore cannot be on in swarm mode); set "
            "daemon_restart_running_containers to accept the outage" % (len(standalone), ", ".join(standalone[:5]))))
        for key in [k for k in changing if k not in RELOADABLE]:
            settings.pop(key, None)
        out["reload_settings"] = dict(settings)
        return out
    out["stops"] = standalone
    out["swarm_drain"] = True
    out["restart_deferrals"] = _restart_deferrals(
        settings, changing, deferred,
        "%%s needs a dockerd restart, which would stop the %d running containers (swarm mode is active, "
        "live-restore cannot be on)" % running)
    return out


# Keys whose change makes dockerd look at another store: the containers and images of the old one
# vanish from view (they are not lost, but nothing runs them), and live-restore does not help.
STORE_KEYS = ("userns-remap", "data-root", "storage-driver")


def _guard_storage(facts, wanted, settings, deferred):
    """Hold back a change of userns-remap, data-root or storage-driver while containers or images
    exist, unless forced (``userns_remap_force`` for userns-remap, ``storage_change_force`` for
    the other two)."""
    info = (facts.get("docker") or {}).get("info") or {}
    current = _content(facts)
    busy = []
    for what, count in (("containers", info.get("Containers")), ("images", info.get("Images"))):
        if isinstance(count, int) and count > 0:
            busy.append("%d %s" % (count, what))
    if not busy:
        return
    already = set(d["id"] for d in deferred)
    for key in STORE_KEYS:
        if key not in settings or current.get(key) == settings[key]:
            continue
        force = wanted.get("userns_remap_force") if key == "userns-remap" else wanted.get("storage_change_force")
        if force:
            continue
        settings.pop(key)
        var = "daemon_userns_remap_force" if key == "userns-remap" else "daemon_storage_change_force"
        for cid in KEY_CONTROLS.get(key, (key,)):
            if cid not in already:
                already.add(cid)
                deferred.append({"id": cid, "reason": "%s would make dockerd use another store while %s exist: they "
                                                      "would vanish from view (live-restore does not keep them); "
                                                      "set %s to accept" % (key, " and ".join(busy), var)})


def _note_bridge_kept(facts, settings, stage, deferred):
    """icc reaches daemon.json now, the default bridge later.

    With live-restore on and containers running, dockerd restores the default bridge as it was
    ("There are old running containers, the network config will not take affect", moby
    daemon_unix.go), so icc false applies at the first start without running containers.
    """
    docker = facts.get("docker") or {}
    info = docker.get("info") or {}
    if not isinstance(settings.get("icc"), bool):
        return
    bridge = (docker.get("bridge_network") or {}).get("Options") or {}
    live = bridge.get("com.docker.network.bridge.enable_icc")
    if live is None or str(live).lower() == json.dumps(settings["icc"]):
        return
    live_restore = info.get("LiveRestoreEnabled") or stage.get("live-restore") or settings.get("live-restore")
    running = _running_containers(facts)
    if not (live_restore and running):
        return
    already = set(d["id"] for d in deferred)
    for cid in ("6", "22"):
        if cid not in already:
            deferred.append({"id": cid, "reason": "icc=%s is in daemon.json, but with live-restore dockerd keeps the "
                                                  "default bridge of the %d running containers as it is (enable_icc=%s):"
                                                  " it takes effect at the first dockerd start with no running "
                                                  "containers" % (json.dumps(settings["icc"]), running, live)})


def plan(facts, wanted):
    """Settings to merge and controls deferred (with the reason), from the host's facts and role vars.

    ``wanted`` holds the role's variables without the ``daemon_`` prefix.
    """
    facts = facts if isinstance(facts, dict) else {}
    docker = facts.get("docker") or {}
    info = docker.get("info") or {}
    controls = set(str(c) for c in wanted.get("controls") or [])
    settings, deferred, notes, replace = {}, [], [], []
    swarm_active = ((info.get("Swarm") or {}).get("LocalNodeState")) == "active"

    if controls & {"6", "22"}:
        links = _legacy_links(facts)
        if links and wanted.get("icc") is False:
            for cid in sorted(controls & {"6", "22"}):
                deferred.append({"id": cid, "reason": "containers use legacy --link (%s): icc false would cut them "
                                                      "off; move them to a user-defined network first" % ", ".join(links)})
        else:
            settings["icc"] = wanted.get("icc")
    if "7" in controls:
        settings["log-level"] = wanted.get("log_level")
    if "8" in controls:
        busy = []
        if (info.get("Containers") or 0) > 0:
            busy.append("%s containers" % info.get("Containers"))
        if (docker.get("volumes_count") or 0) > 0:
            busy.append("%s volumes" % docker.get("volumes_count"))
        if busy and not wanted.get("userns_remap_force"):
            deferred.append({"id": "8", "reason": "userns-remap would move Docker to a new, empty data root while %s "
                                                  "exist (set daemon_userns_remap_force to accept)" % " and ".join(busy)})
        else:
            settings["userns-remap"] = wanted.get("userns_remap")
    if "10" in controls:
        limits = (facts.get("dockerd_process") or {}).get("limits") or {}
        ulimits = wanted.get("default_ulimits") or {}
        clamped, clamp_notes = clamp_ulimits(ulimits, limits)
        if clamp_notes and not wanted.get("ulimits_clamp"):
            deferred.append({"id": "10", "reason": "default-ulimits above dockerd's own hard limits (%s): every new "
                                                   "container would fail to start" % "; ".join(clamp_notes)})
        else:
            # Merged entry by entry (daemon_config.merge): only the limits the file lacks or item
            # 10 refuses go in; memlock and an accepted nofile stay as they are.
            add = _ulimits_to_add(facts, clamped, wanted.get("options") or {})
            if add:
                settings["default-ulimits"] = add
            notes.extend(clamp_notes)
    if "20" in controls:
        settings["no-new-privileges"] = wanted.get("no_new_privileges")
        stuck = _containers_without_own_nnp(facts)
        if stuck:
            deferred.append({"id": "20", "reason": "no-new-privileges in daemon.json applies to containers created "
                                                   "after dockerd restarts with it; %d containers were created without "
                                                   "it (%s): recreate them or set security_opt" %
                                                   (len(stuck), ", ".join(stuck[:5]))})
    if "31" in controls:
        settings.update(_logging_settings(facts, wanted, replace))
        stuck = _containers_logging_unrotated(facts)
        if stuck:
            # Item 31 judges the running containers too, and a container keeps the log config it
            # was created with: the merge helps new containers only, so the item cannot pass yet.
            deferred.append({"id": "31", "reason": "log-driver and log-opts apply to new containers only; %d running "
                                                   "containers keep the logging they were created with (%s): "
                                                   "recreate them" % (len(stuck), ", ".join(stuck[:5]))})
    if "X.8" in controls:
        if swarm_active and wanted.get("live_restore"):
            deferred.append({"id": "X.8", "reason": "swarm mode is active: live-restore and swarm do not mix"})
        else:
            settings["live-restore"] = wanted.get("live_restore")
    if "X.9" in controls:
        settings["userland-proxy"] = wanted.get("userland_proxy")
    settings.update(wanted.get("extra_settings") or {})
    _guard_storage(facts, wanted, settings, deferred)
    guard = _guard_restart(facts, wanted, settings, deferred, swarm_active, replace)
    _note_bridge_kept(facts, settings, guard["stage"], deferred)
    out = {"settings": settings, "deferred": deferred, "notes": notes, "replace": [k for k in replace if k in settings]}
    out.update(guard)
    if "X.8" in controls and settings.get("live-restore") is True and not swarm_active \
            and not info.get("LiveRestoreEnabled"):
        # The file may say live-restore true already (written after dockerd started): then no
        # write applies it, a reload does (moby daemon/reload.go). The role reloads and checks.
        out["check_live_restore"] = True
        if "X.8" not in set(d["id"] for d in deferred + out["restart_deferrals"]):
            out["restart_deferrals"] = out["restart_deferrals"] + [{
                "id": "X.8", "reason": "live-restore is true in daemon.json, but the running dockerd did not take "
                                       "it on a reload (docker info LiveRestoreEnabled false)"}]
    return out
