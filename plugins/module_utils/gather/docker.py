# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Collector ``docker``: the Engine API (``EngineClient``, standard library over the unix socket;
the docker SDK only for remote endpoints), normalised into containers, images, networks and swarm
facts; ``read_state`` reads the collection's local state file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import stat
import threading

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.dockersec.hardening.plugins.module_utils import redact
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.base import CollectorError
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.image_files import image_shells
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.image_history import summarize_history
from ansible_collections.dockersec.hardening.plugins.module_utils.gather.listeners import (
    container_programs, host_network_listeners
)

try:
    import http.client as http_client
    from urllib.parse import quote as url_quote
except ImportError:  # Python 2: never reached by ansible-core 2.17+ targets
    import httplib as http_client
    from urllib import quote as url_quote


def read_state(h, path):
    if not h.exists(path):
        return {"join_token_rotated_at": None}
    try:
        data = json.loads(h.read(path))
    except (IOError, OSError, ValueError):
        return {"join_token_rotated_at": None, "error": "%s unreadable or not JSON" % path}
    if not isinstance(data, dict):
        return {"join_token_rotated_at": None, "error": "%s is not a JSON object" % path}
    data.setdefault("join_token_rotated_at", None)
    return data


def env_names(env):
    return sorted(set(str(e).split("=", 1)[0] for e in (env or []) if e))


def normalize_container(ins):
    cfg = ins.get("Config") or {}
    hc = ins.get("HostConfig") or {}
    ns = ins.get("NetworkSettings") or {}
    labels = cfg.get("Labels") or {}
    ports = []
    for cport, bindings in sorted((ns.get("Ports") or {}).items()):
        for b in bindings or []:
            ports.append({"container_port": cport, "host_ip": b.get("HostIp") or "", "host_port": b.get("HostPort") or ""})
    # NetworkSettings.Ports is nil while the container is stopped, also between restart attempts
    # (moby daemon/container_operations.go releaseNetwork); PortBindings is what the next start binds.
    port_bindings = []
    for cport, bindings in sorted((hc.get("PortBindings") or {}).items()):
        for b in bindings or []:
            port_bindings.append({"container_port": cport, "host_ip": (b or {}).get("HostIp") or "",
                                  "host_port": (b or {}).get("HostPort") or ""})
    mounts = [{"type": m.get("Type"), "source": m.get("Source"), "destination": m.get("Destination"),
               "rw": bool(m.get("RW")), "propagation": m.get("Propagation") or ""} for m in ins.get("Mounts") or []]
    restart = hc.get("RestartPolicy") or {}
    state = ins.get("State") or {}
    return {
        "id": ins.get("Id"),
        "name": (ins.get("Name") or "").lstrip("/"),
        "image": cfg.get("Image"),
        "image_id": ins.get("Image"),
        "state": state.get("Status"),
        "compose_project": labels.get("com.docker.compose.project"),
        "compose_service": labels.get("com.docker.compose.service"),
        "swarm_service": labels.get("com.docker.swarm.service.name"),
        "user": cfg.get("User") or "",
        "env_names": env_names(cfg.get("Env")),
        "label_names": sorted(labels),
        "privileged": bool(hc.get("Privileged")),
        "cap_add": list(hc.get("CapAdd") or []),
        "cap_drop": list(hc.get("CapDrop") or []),
        "readonly_rootfs": bool(hc.get("ReadonlyRootfs")),
        "memory": hc.get("Memory") or 0,
        "nano_cpus": hc.get("NanoCpus") or 0,
        "cpu_quota": hc.get("CpuQuota") or 0,
        "cpu_shares": hc.get("CpuShares") or 0,
        "pids_limit": hc.get("PidsLimit"),
        "cgroup_parent": hc.get("CgroupParent") or "",
        "security_opt": list(hc.get("SecurityOpt") or []),
        "network_mode": hc.get("NetworkMode") or "",
        "networks": sorted((ns.get("Networks") or {}).keys()),
        "links": list(hc.get("Links") or []),
        "ports": ports,
        "port_bindings": port_bindings,
        "mounts": mounts,
        "tmpfs": sorted((hc.get("Tmpfs") or {}).keys()) + [m["destination"] for m in mounts if m["type"] == "tmpfs"],
        "pid_mode": hc.get("PidMode") or "",
        "ipc_mode": hc.get("IpcMode") or "",
        "uts_mode": hc.get("UTSMode") or "",
        "userns_mode": hc.get("UsernsMode") or "",
        "init": hc.get("Init"),
        "restart_policy": {"name": restart.get("Name") or "", "max_retry": restart.get("MaximumRetryCount") or 0},
        "apparmor_profile": ins.get("AppArmorProfile") or "",
        "healthcheck": has_healthcheck(cfg),
        "started_at": state.get("StartedAt"),
        # The log driver and rotation the container runs with (fixed at create); other log-opts may hold
        # credentials (splunk-token, ...) and stay on the host.
        "log_type": (hc.get("LogConfig") or {}).get("Type"),
        "log_opts": dict((k, v) for k, v in ((hc.get("LogConfig") or {}).get("Config") or {}).items()
                         if k in ("max-size", "max-file")),
    }


def container_lifecycle(client, info, inspected, containers):
    """What the engine says of each container beyond its configuration, added in place.

    - ``exit_code``, ``restart_count``, ``created``: whether a stopped container comes back at the
      next dockerd start (moby daemon/daemon.go ``restore``: restart policy, ``HasBeenStartedBefore``;
      daemon/internal/restartmanager ``ShouldRestart``), and whether the running dockerd's defaults
      applied at its creation (daemon/create.go ``setSecurityOptions``).
    - ``pid1``: the program the engine starts as PID 1 (inspect ``Path``, the first word of
      Entrypoint + Cmd), its base name only: the arguments can hold secrets.
    - ``cgroupns_mode``: HostConfig.CgroupnsMode ("host" | "private" | "").
    - ``mounts[].bind_device``: for a mount of a ``local`` volume created with ``type=none,o=bind``
      (``docker volume create --opt o=bind --opt device=/etc``), the host path it binds (moby
      daemon/volume/local: such a volume is a bind mount of ``device``). Only the path: the
      other options can hold credentials (cifs ``o=password=...``).
    - ``mounts[].ro_non_recursive``: a read-only bind asked not to be recursive
      (``--mount ...,readonly,bind-recursive=writable``: BindOptions.ReadOnlyNonRecursive).
    - ``swarm_task``: the engine's own word (``GET /containers/json?filters={"is-task":["true"]}``,
      daemon/list.go: ``Container.Managed``, set only for containers the swarm executor creates);
      labels such as com.docker.swarm.service.name can be set on any container. False outside a
      swarm, None when the engine could not be asked.
    """
    tasks = set()
    if ((info.get("Swarm") or {}).get("LocalNodeState")) == "active":
        try:
            tasks = set(c.get("Id") for c in client.containers(all=True, filters={"is-task": ["true"]}) or [])
        except Exception:  # an engine or client without the filter: unknown, never "not a task"
            tasks = None
    binds = {}
    if any(m.get("Type") == "volume" for ins in inspected for m in ins.get("Mounts") or []):
        try:
            for v in (client.volumes() or {}).get("Volumes") or []:
                o = (v.get("Options") or {})
                flags = [f.strip() for f in str(o.get("o") or "").split(",")]
                if v.get("Driver") == "local" and ("bind" in flags or "rbind" in flags) and o.get("device"):
                    binds[v.get("Name")] = str(o.get("device"))
        except Exception:  # not listed: the mounts stay as the engine described them
            binds = {}
    for ins, c in zip(inspected, containers):
        non_recursive = set(m.get("Target") for m in (ins.get("HostConfig") or {}).get("Mounts") or []
                            if (m.get("BindOptions") or {}).get("ReadOnlyNonRecursive"))
        for m, fact in zip(ins.get("Mounts") or [], c.get("mounts") or []):
            if m.get("Type") == "volume" and m.get("Name") in binds:
                fact["bind_device"] = binds[m.get("Name")]
            if m.get("Destination") in non_recursive:
                fact["ro_non_recursive"] = True
        state = ins.get("State") or {}
        path = ins.get("Path")
        c["exit_code"] = state.get("ExitCode")
        c["restart_count"] = ins.get("RestartCount")
        c["created"] = ins.get("Created")
        c["pid1"] = path.rstrip("/").rsplit("/", 1)[-1] if isinstance(path, str) and path else None
        c["cgroupns_mode"] = (ins.get("HostConfig") or {}).get("CgroupnsMode") or ""
        c["swarm_task"] = None if tasks is None else ins.get("Id") in tasks


def has_healthcheck(cfg):
    """Whether dockerd runs a probe for this Config: moby daemon/health.go getProbe starts one only for a
    Test of type CMD or CMD-SHELL; NONE (``--no-healthcheck``, ``HEALTHCHECK NONE``), an empty Test or
    another type runs none. A container's Config already holds the image's healthcheck unless it
    overrides it (daemon/commit.go merge)."""
    test = (cfg.get("Healthcheck") or {}).get("Test") or []
    return bool(test) and test[0] in ("CMD", "CMD-SHELL")


def image_store(info):
    """"containerd" when dockerd keeps images in containerd (docker info DriverStatus driver-type
    io.containerd.snapshotter.v1, moby daemon/containerd/service.go), else "graphdriver"."""
    for row in (info or {}).get("DriverStatus") or []:
        if isinstance(row, (list, tuple)) and len(row) == 2 and row[0] == "driver-type" and \
                "snapshotter" in str(row[1]):
            return "containerd"
    return "graphdriver"


def normalize_image(ins, history, root_dir=None, store=None):
    cfg = ins.get("Config") or {}
    shells, shell_error = image_shells(ins, root_dir)
    return {
        "repo_tags": list(ins.get("RepoTags") or []),
        "repo_digests": list(ins.get("RepoDigests") or []),
        # graphdriver: a RepoDigest is recorded on pull/push only; containerd: one is made for every name
        # (moby daemon/containerd/image_inspect.go collectRepoTagsAndDigests), so it proves no pull.
        "image_store": store,
        "size": ins.get("Size"),
        "os": ins.get("Os"),
        "env_names": env_names(cfg.get("Env")),
        # Never the raw CreatedBy lines (they hold whatever the author typed): a summary per layer.
        "history": summarize_history(history),
        "user": cfg.get("User") or "",
        "healthcheck": has_healthcheck(cfg),
        "labels_names": sorted((cfg.get("Labels") or {}).keys()),
        "has_shell": bool(shells) if shells is not None else None,
        "shells": shells,
        "has_shell_error": shell_error,
    }


INFO_KEYS = ("ServerVersion", "Driver", "DockerRootDir", "SecurityOptions", "LoggingDriver", "CgroupVersion",
             "LiveRestoreEnabled", "Containers", "ContainersRunning", "Images", "OperatingSystem", "KernelVersion",
             "Debug", "CgroupDriver", "MemoryLimit", "CpuCfsQuota", "PidsLimit", "Containerd", "ExperimentalBuild")


def registry_config(info):
    """What GET /info says of insecure registries (CIS 2.5): the CIDRs and, per registry, Secure only
    (Mirrors and other fields stay on the host); None when the engine does not report it."""
    reg = info.get("RegistryConfig")
    if not isinstance(reg, dict):
        return None
    return {"InsecureRegistryCIDRs": [str(c) for c in reg.get("InsecureRegistryCIDRs") or []],
            "IndexConfigs": dict((str(name), {"Secure": (cfg or {}).get("Secure")})
                                 for name, cfg in (reg.get("IndexConfigs") or {}).items())}


def exec_sessions(client, inspected, containers, workers):
    """``exec_sessions`` of each container: the exec processes dockerd lists as not exited (inspect
    ExecIDs; moby daemon/monitor.go drops an exec from the container when it exits), each with
    Privileged and whether it runs as root (User "" or "root" or "0"), never its command. An exec
    that could not be inspected (it ended in between, an engine refusing) has privileged None."""
    def one(eid):
        try:
            ex = client.exec_inspect(eid) or {}
        except Exception:  # ended between the list and the inspect, or not inspectable: unknown
            return {"privileged": None, "root": None}
        user = str((ex.get("ProcessConfig") or {}).get("user") or "")
        return {"privileged": bool((ex.get("ProcessConfig") or {}).get("privileged")),
                "root": user.split(":", 1)[0] in ("", "root", "0")}
    ids = [list(ins.get("ExecIDs") or []) for ins in inspected]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        flat = list(pool.map(one, [e for group in ids for e in group])) if any(ids) else []
    n = 0
    for group, c in zip(ids, containers):
        c["exec_sessions"] = flat[n:n + len(group)]
        n += len(group)


def _swarm_info(info):
    sw = info.get("Swarm") or {}
    cluster = sw.get("Cluster")
    return {"LocalNodeState": sw.get("LocalNodeState"), "NodeID": sw.get("NodeID"),
            "ControlAvailable": bool(sw.get("ControlAvailable")), "Managers": sw.get("Managers"),
            "Nodes": sw.get("Nodes"),
            "Cluster": {"Spec": {"CAConfig": ((cluster or {}).get("Spec") or {}).get("CAConfig")}} if cluster else None}


def _swarm(client, info, sensitive_label_keys):
    sw = info.get("Swarm") or {}
    if sw.get("LocalNodeState") != "active":
        return None
    is_manager = bool(sw.get("ControlAvailable"))
    spec = ((sw.get("Cluster") or {}).get("Spec") or {})
    expiry = (spec.get("CAConfig") or {}).get("NodeCertExpiry")
    out = {"node_id": sw.get("NodeID"), "is_manager": is_manager, "managers": sw.get("Managers"),
           "nodes": sw.get("Nodes"), "cert_expiry_seconds": int(expiry / 1e9) if expiry else None,
           "autolock": ((spec.get("EncryptionConfig") or {}).get("AutoLockManagers")) if is_manager else None,
           "cluster_id": (sw.get("Cluster") or {}).get("ID"), "is_leader": None, "node_list": None,
           "secrets": None, "services": None}
    if is_manager:
        # Only managers answer /nodes: roles, reachability and the leader (the swarm role runs
        # once per cluster, on the leader).
        nodes = []
        for n in client.nodes() or []:
            ms = n.get("ManagerStatus") or {}
            nodes.append({"id": n.get("ID"), "hostname": (n.get("Description") or {}).get("Hostname"),
                          "role": (n.get("Spec") or {}).get("Role"),
                          "availability": (n.get("Spec") or {}).get("Availability"),
                          "state": (n.get("Status") or {}).get("State"),
                          "reachability": ms.get("Reachability"), "leader": bool(ms.get("Leader"))})
        out["node_list"] = nodes
        out["is_leader"] = any(n["leader"] and n["id"] == sw.get("NodeID") for n in nodes)
        out["secrets"] = [{"name": (s.get("Spec") or {}).get("Name"), "created_at": s.get("CreatedAt"),
                           "updated_at": s.get("UpdatedAt")} for s in client.secrets() or []]
        services = []
        for s in client.services() or []:
            sp = s.get("Spec") or {}
            task = sp.get("TaskTemplate") or {}
            cspec = task.get("ContainerSpec") or {}
            labels = dict(sp.get("Labels") or {})
            labels.update(cspec.get("Labels") or {})
            services.append({
                "name": sp.get("Name"),
                "label_names": sorted(labels),
                "labels": dict((k, v) for k, v in labels.items() if k in sensitive_label_keys),
                "constraints": list((task.get("Placement") or {}).get("Constraints") or []),
                "secrets": [x.get("SecretName") for x in cspec.get("Secrets") or []],
                "env_names": env_names(cspec.get("Env")),
            })
        out["services"] = services
    return out


class EngineAPIError(Exception):
    """A non-200 answer of the Engine API (the message carries the status, e.g. ``404``)."""


class _UnixHTTPConnection(http_client.HTTPConnection):
    def __init__(self, socket_path, timeout):
        http_client.HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class EngineClient(object):
    """The Engine API over its unix socket with the standard library only, one keep-alive connection per thread.

    This is the gather's one Docker client: a stock Docker host has no Python docker SDK
    (``python3-docker``), and the SDK is slower anyway: its unix adapter keys connection pools by
    URL, so every inspect opens a new connection, and requests adds about 2 ms of CPU per call
    under the GIL (500 inspects: 1.5 s on 2 cores with 8 threads, here 0.3 s). The method names
    and return values are those of the SDK's ``APIClient``, so ``collect_docker`` takes either.
    """

    def __init__(self, socket_path, timeout, api_version=None):
        self.socket_path = socket_path if socket_path.startswith("/") else "/" + socket_path
        self.timeout = timeout
        self._local = threading.local()
        if api_version is None:
            # Negotiate as the SDK's version="auto" does: the server's own API version, so that
            # answers have the shape that engine documents.
            api_version = self._request("/version").get("ApiVersion")
        self.api_version = api_version
        self.prefix = "/v%s" % api_version if api_version else ""

    def _request(self, path):
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = _UnixHTTPConnection(self.socket_path, self.timeout)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                break
            except (http_client.BadStatusLine, http_client.CannotSendRequest, http_client.ResponseNotReady,
                    IOError, OSError) as exc:
                conn.close()
                self._local.conn = None
                # A kept-alive connection the engine closed in between: one retry on a fresh one.
                # Not for a socket that is missing or refused: that answer will not change.
                if attempt == 2 or isinstance(exc, (socket.timeout, FileNotFoundError, PermissionError,
                                                    ConnectionRefusedError)):
                    raise
        if resp.status != 200:
            raise EngineAPIError("%d Client Error for GET %s: %s" % (
                resp.status, path, body[:300].decode("utf-8", "replace").strip()))
        return json.loads(body.decode("utf-8"))

    def get(self, path):
        return self._request(self.prefix + path)

    def info(self):
        return self.get("/info")

    def version(self):
        return self.get("/version")

    def containers(self, all=False, filters=None):  # pylint: disable=redefined-builtin  # the SDK's keyword
        query = "/containers/json?all=%d" % (1 if all else 0)
        if filters:
            query += "&filters=" + url_quote(json.dumps(filters, sort_keys=True), safe="")
        return self.get(query)

    def inspect_container(self, cid):
        return self.get("/containers/%s/json" % url_quote(cid, safe=""))

    def inspect_image(self, iid):
        return self.get("/images/%s/json" % url_quote(iid, safe=""))

    def history(self, iid):
        return self.get("/images/%s/history" % url_quote(iid, safe=""))

    def exec_inspect(self, exec_id):
        return self.get("/exec/%s/json" % url_quote(exec_id, safe=""))

    def networks(self):
        return self.get("/networks")

    def volumes(self):
        return self.get("/volumes")

    def nodes(self):
        return self.get("/nodes")

    def secrets(self):
        return self.get("/secrets")

    def services(self):
        return self.get("/services")


SDK_SCHEMES = ("tcp://", "ssh://", "http://", "https://")


def engine_client(endpoint, timeout, sdk=None, sdk_error=None):
    """The client for ``endpoint``: ``EngineClient`` for ``unix://``; the docker SDK for remote endpoints.

    ``sdk`` is the imported ``docker`` package or None. Only ``tcp://`` (with or without TLS) and
    ``ssh://`` need it: TLS client certificates and SSH tunnelling are what the SDK adds.
    """
    if not isinstance(endpoint, str) or not endpoint:
        raise CollectorError("no Docker endpoint given")
    if endpoint.startswith("unix://"):
        return EngineClient(endpoint[len("unix://"):], timeout)
    if endpoint.startswith("/"):
        return EngineClient(endpoint, timeout)
    if not endpoint.startswith(SDK_SCHEMES):
        raise CollectorError("unsupported Docker endpoint %r: use unix:///path/to/docker.sock, tcp://HOST:PORT "
                             "or ssh://USER@HOST" % endpoint)
    if sdk is None:
        raise CollectorError(
            "the Docker endpoint %s needs the Python docker SDK on the target (%s): install the package "
            "python3-docker (apt, dnf) or run `pip install docker` there; a unix:// socket needs nothing"
            % (endpoint, sdk_error or "not installed"))
    kwargs = {}
    if endpoint.startswith(("tcp://", "https://")) and os.environ.get("DOCKER_TLS_VERIFY"):
        # DOCKER_TLS_VERIFY/DOCKER_CERT_PATH on the target, as the docker CLI reads them.
        kwargs = dict((k, v) for k, v in sdk.utils.kwargs_from_env().items() if k == "tls")
    return sdk.APIClient(base_url=endpoint, version="auto", timeout=timeout, **kwargs)


def collect_docker(client_factory, workers, sensitive_label_keys, state, host=None, host_why_not=None):
    """Everything the Engine API tells, in one pass: list once, inspect concurrently. With
    ``host`` (the engine's own host), host-network containers get their listening sockets."""
    client = client_factory()
    info = client.info()
    version = client.version()
    summaries = client.containers(all=True)
    ids = [c["Id"] for c in summaries]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        inspected = [i for i in pool.map(lambda cid: _inspect_or_none(client.inspect_container, cid), ids) if i]
        containers = [normalize_container(i) for i in inspected]
        container_lifecycle(client, info, inspected, containers)
        image_ids = sorted(set(c["image_id"] for c in containers if c["image_id"]))

        def image(iid):
            ins = _inspect_or_none(client.inspect_image, iid)
            if ins is None:
                return iid, None
            hist = _inspect_or_none(client.history, iid) or []
            return iid, normalize_image(ins, hist, info.get("DockerRootDir"), image_store(info))
        images = dict((iid, img) for iid, img in pool.map(image, image_ids) if img is not None)
    exec_sessions(client, inspected, containers, workers)
    if host is not None:
        host_network_listeners(host, inspected, containers, host_why_not)
        container_programs(host, inspected, containers, host_why_not)
    networks = []
    bridge = None
    for n in client.networks() or []:
        opts = redact.redact_config(n.get("Options") or {})
        members = [((n.get("Containers") or {}).get(k) or {}).get("Name") for k in (n.get("Containers") or {})]
        entry = {"name": n.get("Name"), "id": n.get("Id"), "driver": n.get("Driver"), "scope": n.get("Scope"),
                 "internal": bool(n.get("Internal")), "attachable": bool(n.get("Attachable")), "options": opts,
                 "ipv6": bool(n.get("EnableIPv6")),
                 "containers": sorted(m for m in members if m), "encrypted": "encrypted" in opts}
        networks.append(entry)
        if n.get("Name") == "bridge":
            bridge = {"Options": opts}
    if networks and not any(n["containers"] for n in networks) and containers:
        # The list call leaves Containers empty on some engines: derive membership from containers.
        for n in networks:
            n["containers"] = sorted(c["name"] for c in containers if n["name"] in c["networks"])
    volumes = (client.volumes() or {}).get("Volumes") or []
    out_info = dict((k, info.get(k)) for k in INFO_KEYS)
    out_info["Swarm"] = _swarm_info(info)
    out_info["RegistryConfig"] = registry_config(info)
    return {
        "reachable": True,
        "api_version": version.get("ApiVersion"),
        "info": out_info,
        "bridge_network": bridge,
        "containers": containers,
        "images": images,
        "networks": networks,
        "volumes_count": len(volumes),
        "swarm": _swarm(client, info, sensitive_label_keys),
        "local_state": state,
    }


def _inspect_or_none(func, ident):
    try:
        return func(ident)
    except Exception as exc:  # removed between list and inspect: skip it
        if "404" in str(exc) or "No such" in str(exc):
            return None
        raise


def docker_sdk(endpoint):
    """The docker SDK for a remote endpoint, or (None, why not).

    Imported only when needed: unix sockets are read with the standard library, and importing
    the SDK (requests, urllib3) would cost every gather its start-up time.
    """
    if endpoint.startswith(("unix://", "/")):
        return None, None
    try:
        import docker
    except Exception as exc:  # ImportError, or a broken install
        return None, str(exc)
    return docker, None


def _not_a_socket(endpoint):
    """What the unix endpoint's path is when it exists but is no socket (connect() then says only
    "connection refused", as if dockerd were stopped), else None."""
    if not endpoint.startswith(("unix://", "/")):
        return None
    path = endpoint[len("unix://"):] if endpoint.startswith("unix://") else endpoint
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISSOCK(mode):
        return None
    kind = "a directory" if stat.S_ISDIR(mode) else ("a regular file" if stat.S_ISREG(mode) else "not a socket")
    return "%s is %s, not the Docker engine's socket: set dockersec_docker_host to dockerd's unix socket" % (path, kind)


def describe_engine_error(exc, endpoint):
    text = str(exc)
    not_a_socket = _not_a_socket(endpoint)
    if not_a_socket:
        return not_a_socket
    if "Permission denied" in text or "PermissionError" in text:
        path = endpoint.replace("unix://", "")
        return "permission denied on %s: run with become (root) to read the Docker engine" % path
    if "FileNotFoundError" in text or "No such file" in text:
        return "no Docker engine socket at %s: Docker is not installed or dockerd is not running" % endpoint
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused at %s: dockerd is not running" % endpoint
    # http.client's RemoteDisconnected says only "Remote end closed connection without response".
    kind = "%s %s" % (type(exc).__name__, text)
    if any(k in kind for k in ("RemoteDisconnected", "Connection aborted", "Connection reset", "BadStatusLine",
                               "IncompleteRead", "ConnectionResetError", "BrokenPipe")):
        return ("the Docker engine at %s closed the connection in the middle of the gather (dockerd stopped or "
                "crashed during the audit): %s" % (endpoint, text[:200]))
    if "timed out" in text.lower():
        return "the Docker engine at %s did not answer in time" % endpoint
    return "Docker engine at %s: %s" % (endpoint, text[:300])


def collect_engine(h, params):
    """The ``docker`` collector as docker_host_facts runs it: ``params`` are the module's (docker_host
    resolved into ``endpoint``, timeout, inspect_workers, sensitive_label_keys, state_path)."""
    endpoint = params["endpoint"]
    state = read_state(h, params["state_path"])
    unreachable = {"reachable": False, "api_version": None, "info": {}, "bridge_network": None,
                   "containers": [], "images": {}, "networks": [], "volumes_count": None, "swarm": None,
                   "local_state": state}
    try:
        sdk, sdk_error = docker_sdk(endpoint)
        client = engine_client(endpoint, params["timeout"], sdk, sdk_error)
        # /proc here is the engine's only when the engine is: not for tcp:// or ssh:// endpoints.
        remote = None if endpoint.startswith(("unix://", "/")) else (
            "the engine at %s is remote: its containers' sockets cannot be read from this host" % endpoint)
        return collect_docker(lambda: client, params["inspect_workers"], set(params["sensitive_label_keys"]),
                              state, host=h, host_why_not=remote), endpoint
    except CollectorError as exc:
        raise CollectorError(str(exc), section=unreachable)
    except Exception as exc:
        raise CollectorError(describe_engine_error(exc, endpoint), section=unreachable)
