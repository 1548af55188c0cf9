# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog of controls: the single source of truth.

Audit, remediation toggles, generated docs, reports and tests all read this module;
nothing else restates a control's id, title, points or CIS reference.

Ids ``1``..``50`` are the public item numbers of the 50-point checklist (2 points each,
100 in all). Ids ``X.n`` form the extended profile: reported with their own counts and
never mixed into the 100-point score.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CATALOG_VERSION = 1
POINTS_PER_ITEM = 2

SECTIONS = {
    1: "Host Configuration",
    2: "Docker Daemon Configuration",
    3: "Image Security",
    4: "Container Runtime Security",
    5: "Network Security",
    6: "Secrets and Data Management",
    7: "Logging and Monitoring",
    8: "Orchestration Security",
    9: "Supply Chain Security",
    10: "Compliance and Governance",
}
EXTENDED_SECTION = "Extended"

# Rating bands of the checklist, lowest bound first match wins (score is 0-100).
BANDS = (
    (90.0, "Excellent"),
    (80.0, "Good"),
    (60.0, "Acceptable (dev only)"),
    (40.0, "Poor"),
    (0.0, "Critical"),
)
# The band of a host whose decided points (pass, fail, manual) fall below the coverage floor:
# its score says too little to claim a band (1 pass + 49 waivers would read "100 Excellent").
INCOMPLETE_BAND = "Incomplete"
DEFAULT_MIN_COVERAGE = 50.0
DECIDED_STATUSES = ("pass", "fail", "manual")

STATUSES = ("pass", "fail", "manual", "waived", "not_applicable", "error")

# Modes: automated = decided from facts; manual = earns points only from an attestation;
# attestable = decided from facts when evidence exists, otherwise an attestation may earn it.
MODES = ("automated", "manual", "attestable")

# Scopes tell the reader what "every in-scope object passes" ranges over.
SCOPES = ("host", "daemon", "container", "image", "network", "swarm", "governance")


# Least privilege: what each collector of docker_host_facts needs to read its facts. A control
# needs the most any of its collectors needs (``privilege_for``); docs/controls.md shows it.
# ``docker-api`` is access to the Engine API socket: root-equivalent, which is why the collection
# never asks for a user in the ``docker`` group and gathers with become instead.
PRIVILEGES = ("none", "docker-api", "root")
COLLECTOR_PRIVILEGE = {
    "host": ("none", "uname, /etc/os-release, /boot, /lib/modules: world-readable"),
    "services": ("none", "systemctl list-units, or /proc/*/comm"),
    "sshd": ("root", "sshd -T loads the host keys, which only root can read"),
    "audit": ("root", "auditctl -l needs CAP_AUDIT_CONTROL and /etc/audit is mode 0750 root"),
    "iptables": ("root", "iptables -S needs CAP_NET_ADMIN"),
    "mounts": ("none", "/proc/self/mountinfo, lsblk"),
    "files": ("none", "lstat of Docker's paths (needs only search permission on their parents)"),
    "daemon_config": ("none", "reads /etc/docker/daemon.json, mode 0644 by default (root when it is not "
                              "world-readable)"),
    "dockerd_process": ("none", "/proc/<dockerd>/cmdline and limits (root when /proc is mounted hidepid=2)"),
    "environment": ("none", "/etc/environment, /etc/profile.d"),
    "tools": ("none", "looks for binaries in the usual directories"),
    "docker": ("docker-api", "the Engine API socket (root, or membership of the docker group, which is "
                             "root-equivalent)"),
}


def privilege_for(requires):
    """The least privilege that lets every collector in ``requires`` read its facts."""
    levels = [COLLECTOR_PRIVILEGE[name][0] for name in requires]
    return max(levels, key=PRIVILEGES.index) if levels else "none"


def _c(cid, section, title, cis, mode, requires, scope, check, fix, role=None, hazards=None, controls=None):
    return {
        "id": cid,
        "section": section,
        "title": title,
        "cis": list(cis),
        "mode": mode,
        "requires": list(requires),
        "privilege": privilege_for(requires),
        "scope": scope,
        "check": check,
        "fix": fix,
        "remediation_role": role,
        "hazards": hazards,
        # Remediation roles own controls by id; this lists the other ids one fix also serves.
        "related": list(controls or ()),
    }


_SCORED = [
    # Section 1: Host Configuration
    _c("1", 1, "Use a dedicated Docker host", ["1.2.1"], "automated", ["services"], "host",
       "Running services (systemd, else ps) compared with an allow-list: Docker, containerd, sshd, auditd, "
       "time sync, logging and monitoring agents, and the base system units.",
       "Move other services off the Docker host; extend dockersec_options.allowed_services only for agents you need."),
    _c("2", 1, "Keep the host kernel updated", ["1.2.1"], "automated", ["host"], "host",
       "Running kernel equals the newest installed kernel, no reboot is pending, and unattended-upgrades "
       "(Debian/Ubuntu) or dnf-automatic (RHEL) is enabled.",
       "Reboot into the newest kernel; enable automatic security updates (role updates, opt-in).", role="updates",
       hazards="Enabling automatic updates may restart services; kernel updates need a planned reboot."),
    _c("3", 1, "Harden the host operating system (SSH)", ["1.2.1"], "automated", ["sshd"], "host",
       "Effective sshd configuration (`sshd -T`): PermitRootLogin no, PasswordAuthentication no, X11Forwarding no.",
       "Role sshd writes an early drop-in validated with `sshd -t`, with a lockout guard, then reloads sshd.",
       role="sshd",
       hazards="Disabling password login locks out users without an authorized key; the role refuses in that case."),
    _c("4", 1, "Use a separate partition for Docker data", ["1.1.1"], "automated", ["docker", "mounts"], "host",
       "DockerRootDir (docker info) is on a mount point of its own, not on the root filesystem.",
       "Move Docker's data root to a dedicated filesystem (data-root in daemon.json) in a maintenance window."),
    _c("5", 1, "Audit Docker files and directories",
       ["1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10", "1.1.11", "1.1.12", "1.1.14",
        "1.1.18"], "automated", ["audit", "files"], "host",
       "auditd watch rules with -p wa for the checklist's paths that exist (/usr/bin/docker, /var/lib/docker, "
       "/etc/docker, docker.service, daemon.json, /etc/default/docker): a host that follows the checklist to the "
       "letter passes. Paths are compared canonical, resolved on the host (merged-/usr, symlinks); read from "
       "`auditctl -l` when the kernel answers, else from /etc/audit/rules.d; the evidence names the source. The "
       "engine binaries (dockerd, containerd, runc) and the other CIS 1.1.x paths (docker.socket, containerd "
       "shims and config, /run/containerd) are advice, required with the option audit_require_cis_paths.",
       "Role auditd installs /etc/audit/rules.d/docker.rules and loads it with augenrules.", role="auditd",
       hazards="With immutable rules (-e 2) new rules take effect only after a reboot."),
    # Section 2: Docker Daemon Configuration
    _c("6", 2, "Restrict network traffic between containers (icc)", ["2.2"], "automated",
       ["docker", "daemon_config"], "daemon",
       "icc is false: the default bridge's com.docker.network.bridge.enable_icc option is false "
       "(daemon.json icc or --icc=false).",
       "Role daemon merges \"icc\": false into daemon.json.", role="daemon",
       hazards="Containers on the default bridge that talk to each other (legacy --link) lose connectivity."),
    _c("7", 2, "Set the logging level to info", ["2.3"], "automated", ["daemon_config", "dockerd_process"],
       "daemon",
       "log-level from daemon.json or the dockerd command line is info (unset means info) and the running dockerd "
       "is not in debug mode (docker info Debug wins over the file's debug).",
       "Role daemon merges \"log-level\": \"info\" into daemon.json and reloads dockerd (SIGHUP).", role="daemon"),
    _c("8", 2, "Enable user namespace remapping", ["2.9"], "automated", ["docker"], "daemon",
       "docker info SecurityOptions contains name=userns.",
       "Role daemon sets \"userns-remap\": \"default\" only on a host with no containers or volumes "
       "(daemon_userns_remap_force overrides).", role="daemon",
       hazards="userns-remap switches to a new, empty data root: existing images and containers seem to vanish."),
    _c("9", 2, "Use a supported storage driver (overlay2)", ["2.6"], "automated", ["docker"], "daemon",
       "docker info Driver is overlay2 (aufs and devicemapper are deprecated).",
       "Migrate to overlay2 (storage-driver in daemon.json) in a maintenance window: images must be pulled again."),
    _c("10", 2, "Configure default ulimits", ["2.8"], "automated", ["daemon_config", "dockerd_process"], "daemon",
       "daemon.json default-ulimits (or --default-ulimit) sets nofile and nproc, each soft <= hard and within "
       "the configured bounds. A daemon.json changed after dockerd started is not in effect (restart pending): error, "
       "naming both.",
       "Role daemon merges default-ulimits, never above dockerd's own hard limits.", role="daemon",
       hazards="A nofile hard limit above dockerd's own makes every new container fail to start."),
    # Section 3: Image Security
    _c("11", 3, "Use trusted base images only", ["4.2"], "automated", ["docker"], "image",
       "Every running container's image comes from an allow-listed registry/namespace "
       "(default: Docker Official Images, docker.io/library).",
       "Rebuild on official or verified-publisher bases; list your own registries in "
       "dockersec_options.trusted_registries."),
    _c("12", 3, "Enable Docker Content Trust", ["4.5"], "automated", ["environment"], "host",
       "DOCKER_CONTENT_TRUST=1 is set system-wide (/etc/environment or /etc/profile.d).",
       "Role content_trust installs /etc/profile.d/docker-content-trust.sh.", role="content_trust",
       hazards="Pulls of unsigned images fail for interactive users."),
    _c("13", 3, "Scan images for vulnerabilities", ["4.4"], "attestable", ["tools", "docker"], "image",
       "A scanner (trivy, grype, docker scout) is installed and, when dockersec_options.scan_report_path points to "
       "Trivy JSON results, every running image was scanned within scan_max_age_days with 0 CRITICAL findings.",
       "Install a scanner and feed its JSON results to the audit; fix or replace images with CRITICAL findings."),
    _c("14", 3, "Use minimal base images", ["4.3"], "automated", ["docker"], "image",
       "Every running container's image is smaller than max_image_size_mb.",
       "Rebuild on alpine, distroless or scratch bases."),
    _c("15", 3, "Do not store secrets in images", ["4.10"], "automated", ["docker"], "image",
       "No secret-like names (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ...) in image Env or ENV/ARG history.",
       "Remove the secret from the image, rotate it, inject it at run time (Docker secrets, files)."),
    # Section 4: Container Runtime Security
    _c("16", 4, "Run containers as non-root", ["4.1"], "automated", ["docker"], "container",
       "Every running container's Config.User is set and is not root or 0.",
       "Add USER to the image or user: to the service, then recreate the container."),
    _c("17", 4, "Drop all capabilities and add only what's needed", ["5.4", "5.5"], "automated", ["docker"],
       "container",
       "Every running container drops ALL, adds only allow-listed capabilities and is not privileged.",
       "cap_drop: [ALL] and only the needed cap_add, then recreate the container."),
    _c("18", 4, "Set read-only root filesystem", ["5.13"], "automated", ["docker"], "container",
       "Every running container has ReadonlyRootfs true.",
       "read_only: true plus tmpfs for writable paths, then recreate the container."),
    _c("19", 4, "Set memory and CPU limits", ["5.11", "5.12", "5.29"], "automated", ["docker"], "container",
       "Every running container has a memory limit, a CPU limit (NanoCpus or CpuQuota) and a pids limit.",
       "`docker update --memory --cpus --pids-limit` (role container_limits, opt-in) and the same in compose.",
       role="container_limits",
       hazards="A memory limit below the working set gets the container OOM-killed."),
    _c("20", 4, "Enable no-new-privileges", ["5.26", "2.14"], "automated", ["docker", "daemon_config"],
       "container",
       "Every running container has no-new-privileges in SecurityOpt, or the daemon sets it for all (from "
       "daemon.json only once dockerd restarted after the file changed).",
       "Role daemon merges \"no-new-privileges\": true (applies to new containers).", role="daemon",
       hazards="setuid binaries inside containers stop gaining privileges."),
    # Section 5: Network Security
    _c("21", 5, "Do not use the default bridge network", ["5.30"], "automated", ["docker"], "container",
       "No running container is attached to the default bridge network (allow-list excepted).",
       "Create user-defined networks and attach containers to them."),
    _c("22", 5, "Restrict container-to-container communication", ["2.2"], "automated",
       ["docker", "daemon_config"], "daemon",
       "icc is false on the default bridge and no container uses legacy --link.",
       "Role daemon merges \"icc\": false; replace --link with user-defined networks.", role="daemon",
       hazards="Legacy-linked containers lose connectivity."),
    _c("23", 5, "Do not map privileged ports unnecessarily", ["5.8", "5.14"], "automated", ["docker"],
       "container",
       "No published host port below 1024 and no port published on all interfaces (0.0.0.0 / ::), "
       "allow-list excepted.",
       "Bind to a specific address (-p 127.0.0.1:8080:80) or publish through a reverse proxy."),
    _c("24", 5, "Use internal networks for backend services", [], "automated", ["docker"], "network",
       "Every user-defined network whose members publish no ports is internal: true.",
       "Recreate backend networks with internal: true."),
    _c("25", 5, "Configure Docker's iptables integration", ["2.4"], "automated", ["iptables", "daemon_config"],
       "host",
       "Docker manages iptables (iptables not false) and DOCKER-USER filters: a reachable DROP/REJECT (no "
       "unconditional ACCEPT/RETURN before it) after RELATED,ESTABLISHED is let through (ACCEPT, or RETURN to Docker's "
       "FORWARD rules); a trailing RETURN counts for nothing. Where Docker networks carry IPv6, the ip6tables chain "
       "is judged the same way. A chain iptables-nft cannot print is an error, not a fail.",
       "Role docker_user_chain installs a persistent DOCKER-USER policy.", role="docker_user_chain",
       hazards="A wrong allow-list cuts published services off from their clients."),
    # Section 6: Secrets and Data Management
    _c("26", 6, "Use Docker secrets instead of environment variables", ["7.4"], "automated", ["docker"], "container",
       "No container or swarm service has a secret-like environment variable name.",
       "Move the value to a Docker secret or a mounted file and rotate it."),
    _c("27", 6, "Encrypt data at rest", [], "attestable", ["docker", "mounts"], "host",
       "DockerRootDir and every volume's mount lie on an encrypted (dm-crypt/LUKS) device.",
       "Put Docker's data root on an encrypted filesystem; attest where encryption is done below the OS."),
    _c("28", 6, "Use tmpfs for sensitive runtime data", [], "automated", ["docker"], "container",
       "Every container that uses secrets (secret-like env names or swarm secrets) keeps them on tmpfs "
       "(/run/secrets tmpfs or swarm secrets).",
       "--tmpfs /run/secrets:rw,noexec,nosuid,size=1m or swarm secrets."),
    _c("29", 6, "Rotate secrets regularly", [], "attestable", ["docker"], "swarm",
       "In swarm: no secret older than secret_max_age_days. Off swarm: an attestation.",
       "Create a new secret version, update the services, remove the old one."),
    _c("30", 6, "Protect the Docker socket", ["3.15", "3.16", "5.32", "2.7"], "automated",
       ["files", "docker", "dockerd_process"], "host",
       "The socket is 660 root:docker, no container mounts it (except an allow-listed read-only socket proxy) and "
       "dockerd listens on no plain TCP port.",
       "Role docker_socket sets mode and owner; remove socket mounts; use TLS for remote access.",
       role="docker_socket"),
    # Section 7: Logging and Monitoring
    _c("31", 7, "Configure centralized logging", ["2.13"], "automated", ["docker", "daemon_config"], "daemon",
       "log-driver is json-file/local with max-size and max-file, or a remote driver (syslog, journald, fluentd, "
       "gelf, awslogs, splunk, ...); the running default (docker info LoggingDriver) wins over daemon.json, and "
       "every running container's own log config (inspect) must rotate or ship too.",
       "Role daemon merges log-driver and log-opts.", role="daemon"),
    _c("32", 7, "Enable container event monitoring", [], "attestable", ["services"], "host",
       "A log/event shipper runs (fluentd, fluent-bit, vector, promtail, filebeat, ...), else an attestation.",
       "Run a shipper that forwards docker events and logs to your SIEM."),
    _c("33", 7, "Monitor container resource usage", [], "automated", ["services", "docker"], "host",
       "A metrics agent runs (cAdvisor, node-exporter, Prometheus agent, telegraf, datadog, ...).",
       "Run cAdvisor or node-exporter scraped by Prometheus."),
    _c("34", 7, "Set up alerting for security events", [], "manual", [], "governance",
       "Attestation only: alerts exist for privileged starts, root containers, new pulls and escapes.",
       "Record an attestation (who, date, evidence, expiry) in dockersec_attestations."),
    _c("35", 7, "Implement runtime security monitoring", [], "automated", ["services", "docker"], "host",
       "Falco (or a similar runtime sensor) runs as a process or container.",
       "Run Falco on every Docker host."),
    # Section 8: Orchestration Security
    _c("36", 8, "Encrypt Swarm overlay network traffic", ["7.3"], "automated", ["docker"], "swarm",
       "Every overlay network has the encrypted option.",
       "Recreate the overlay network with --opt encrypted (services must be moved)."),
    _c("37", 8, "Rotate Swarm join tokens regularly", [], "attestable", ["docker"], "swarm",
       "The join tokens were rotated within join_token_max_age_days (recorded by the swarm role).",
       "Role swarm rotates worker and manager join tokens and records when.", role="swarm"),
    _c("38", 8, "Enable mutual TLS and short certificate rotation", ["7.7"], "automated", ["docker"], "swarm",
       "Swarm NodeCertExpiry is at most cert_expiry_max_days (default 30).",
       "Role swarm runs `docker swarm update --cert-expiry`.", role="swarm"),
    _c("39", 8, "Limit manager node count", ["7.1"], "automated", ["docker"], "swarm",
       "The swarm has an odd number of managers, 3 or 5 (1 only when allowed), never more than 7.",
       "Promote or demote nodes to reach 3 or 5 managers."),
    _c("40", 8, "Use placement constraints for sensitive workloads", [], "automated", ["docker"], "swarm",
       "Every service with a sensitive label has placement constraints.",
       "Add --constraint to sensitive services."),
    # Section 9: Supply Chain Security
    _c("41", 9, "Pin image digests in production", [], "automated", ["docker"], "container",
       "Every running container's image reference is pinned by digest (@sha256:).",
       "Deploy image@sha256:... references."),
    _c("42", 9, "Use multi-stage builds", ["4.3"], "attestable", ["docker"], "image",
       "No compiler or build toolchain (gcc, make, go, cargo, javac, build-essential, ...) in the history of "
       "running images.",
       "Build with a multi-stage Dockerfile that copies only the artifact into a minimal final stage."),
    _c("43", 9, "Implement image signing", ["4.12"], "attestable", ["tools"], "image",
       "cosign or notary is installed and a verification policy is configured, else an attestation.",
       "Sign images with cosign and verify signatures before deployment."),
    _c("44", 9, "Scan dependencies in CI/CD", ["4.4"], "manual", [], "governance",
       "Attestation only: the CI pipeline scans images and fails on CRITICAL/HIGH.",
       "Record an attestation in dockersec_attestations."),
    _c("45", 9, "Maintain a private registry", [], "automated", ["docker"], "image",
       "Every running container's image comes from the configured private registry.",
       "Mirror images into your registry; set dockersec_options.private_registries."),
    # Section 10: Compliance and Governance
    _c("46", 10, "Run the CIS Docker Benchmark", [], "automated", ["tools"], "governance",
       "A finished docker-bench-security run with results, at most benchmark_max_age_days old: its JSON log "
       "(log/docker-bench-security.log.json) read on the host at the usual paths or on the controller "
       "(docker_bench_log_path); the evidence shows its PASS/WARN/INFO/NOTE counts. This collection's own "
       "history does not count: it is not the CIS benchmark.",
       "Run docker-bench-security on a schedule and keep its JSON log (or set docker_bench_log_path)."),
    _c("47", 10, "Document your container security policy", [], "manual", [], "governance",
       "Attestation only: a written policy exists (link in the attestation's evidence).",
       "Record an attestation in dockersec_attestations."),
    _c("48", 10, "Implement change management for production images", [], "manual", [], "governance",
       "Attestation only: Dockerfile changes need approval and pass scans before merge.",
       "Record an attestation in dockersec_attestations."),
    _c("49", 10, "Conduct regular security audits", [], "automated", [], "governance",
       "A cadence in the controller-side audit history: at least two audits of this host on different days, the "
       "newest within audit_max_age_days (one quarter) and no gap between them longer than that (within "
       "audit_history_window_days).",
       "Run this audit at least quarterly; keep the report directory."),
    _c("50", 10, "Maintain an inventory of all running containers", [], "automated", ["docker"], "governance",
       "The container inventory export is enabled (dockersec_options.inventory_export) and this run gathered "
       "every container.",
       "Keep inventory_export on; the JSON report carries the inventory."),
]

_EXTENDED = [
    _c("X.1", EXTENDED_SECTION, "AppArmor or SELinux enabled on the host, profile on each container", ["5.2", "5.3"],
       "automated", ["host", "docker"], "container",
       "The host has AppArmor or SELinux enabled and no running container runs unconfined.",
       "Enable AppArmor/SELinux; do not run containers with apparmor=unconfined."),
    _c("X.2", EXTENDED_SECTION, "No shell in runtime images", [], "automated", ["docker"], "image",
       "No running image ships /bin/sh or /bin/bash (or their /usr/bin spellings), found by reading the image's "
       "layer files on the host (overlay2 layer directories, vfs layer store; links resolved inside the image, "
       "whiteouts honoured); an image whose files cannot be read is an error with the reason.",
       "Build distroless or scratch images."),
    _c("X.3", EXTENDED_SECTION, "An init process as PID 1", [], "automated", ["docker"], "container",
       "Every running container runs with --init (HostConfig.Init).",
       "init: true in compose, or tini/dumb-init as entrypoint."),
    _c("X.4", EXTENDED_SECTION, "Read-only bind mounts", [], "automated", ["docker"], "container",
       "Every bind mount of a running container is read-only unless allow-listed.",
       "Mount with :ro where the container does not need to write."),
    _c("X.5", EXTENDED_SECTION, "Daemon TCP socket only with TLS", ["2.7"], "automated",
       ["daemon_config", "dockerd_process"], "daemon",
       "Any tcp:// host the daemon listens on is protected with tlsverify.",
       "Set tlsverify, tlscacert, tlscert and tlskey, or listen only on the unix socket."),
    _c("X.6", EXTENDED_SECTION, "Engine version is recent and not a pre-release", ["1.2.2"], "automated", ["docker"],
       "daemon",
       "The engine is not older than min_engine_version and is not a beta/rc build.",
       "Upgrade to the latest well-tested engine release."),
    _c("X.7", EXTENDED_SECTION, "Swarm autolock", ["7.5"], "automated", ["docker"], "swarm",
       "Swarm managers have autolock on.",
       "Role swarm enables autolock (the key is never printed).", role="swarm"),
    _c("X.8", EXTENDED_SECTION, "live-restore enabled (swarm off)", ["2.15"], "automated",
       ["docker"], "daemon",
       "LiveRestoreEnabled is true on hosts outside a swarm.",
       "Role daemon merges \"live-restore\": true (deferred while swarm is active).", role="daemon",
       hazards="live-restore and swarm mode do not mix."),
    _c("X.9", EXTENDED_SECTION, "userland-proxy disabled", ["2.16"], "automated",
       ["daemon_config", "dockerd_process"], "daemon",
       "userland-proxy is false in daemon.json or on the command line, and no docker-proxy process runs (one "
       "running means the running dockerd has it on, whatever the file says).",
       "Role daemon merges \"userland-proxy\": false.", role="daemon"),
    _c("X.10", EXTENDED_SECTION, "HEALTHCHECK on images", ["4.6", "5.27"], "automated", ["docker"], "image",
       "Every running container has a healthcheck (image or container).",
       "Add HEALTHCHECK to the Dockerfile or healthcheck: to the service."),
    _c("X.11", EXTENDED_SECTION, "Restart policy on-failure:5", ["5.15"], "automated", ["docker"], "container",
       "Every running container's restart policy is on-failure with at most 5 retries (or unless swarm-managed).",
       "restart: on-failure:5."),
    _c("X.12", EXTENDED_SECTION, "Host namespaces not shared", ["5.10", "5.16", "5.17", "5.21"], "automated",
       ["docker"], "container",
       "No running container shares the host's network, PID, IPC or UTS namespace.",
       "Remove network_mode/pid/ipc/uts: host."),
    _c("X.13", EXTENDED_SECTION, "Sensitive host paths not mounted", ["5.6"], "automated", ["docker"],
       "container",
       "No running container bind-mounts /, /boot, /dev, /etc, /lib, /proc, /sys or /usr from the host.",
       "Mount only the application's own data paths."),
    _c("X.14", EXTENDED_SECTION, "Metrics agent and log shipper present", [], "automated", ["services"], "host",
       "Both a metrics agent and a log shipper run on the host.",
       "Run node-exporter/cAdvisor and fluent-bit/vector."),
]

CONTROLS = _SCORED + _EXTENDED
BY_ID = dict((c["id"], c) for c in CONTROLS)
SCORED_IDS = [c["id"] for c in _SCORED]
EXTENDED_IDS = [c["id"] for c in _EXTENDED]


def get(control_id):
    """Return the catalog entry for ``control_id`` (a string such as ``"6"`` or ``"X.3"``)."""
    return BY_ID[str(control_id)]


def is_scored(control_id):
    return not str(control_id).startswith("X.")


def max_points(control_id):
    return POINTS_PER_ITEM if is_scored(control_id) else 0


def band_for(score):
    """Return the checklist's rating band for a 0-100 score."""
    for lower, name in BANDS:
        if score >= lower:
            return name
    return BANDS[-1][1]


# ----------------------------------------------------------------------------- remediation

# The order remediate.yml runs the roles in: the daemon first (it turns live-restore on before
# anything else may restart dockerd), the swarm last (its leader changes the cluster once every
# node of the batch is fixed).
REMEDIATION_ROLES = ("daemon", "sshd", "auditd", "docker_user_chain", "docker_socket", "content_trust",
                     "container_limits", "updates", "swarm")
# Run only when dockersec_remediate_roles names them: they change running workloads or packages.
OPT_IN_ROLES = ("container_limits", "updates")
DEFAULT_REMEDIATION_ROLES = tuple(r for r in REMEDIATION_ROLES if r not in OPT_IN_ROLES)


def normalize_ids(ids):
    """Control ids as the catalog spells them: ``3`` and ``"3"`` are the same item."""
    return [str(i).strip() for i in ids or [] if str(i).strip()]


def role_controls(role, skip=None, controls=None):
    """The ids ``role`` fixes, in catalog order, without the ``skip``ped ones."""
    skipped = set(normalize_ids(skip))
    return [c["id"] for c in (CONTROLS if controls is None else controls)
            if c.get("remediation_role") == role and c["id"] not in skipped]


def remediation_plan(skip=None, roles=None, controls=None):
    """Which role fixes which controls on this run: the one place remediate.yml learns it from.

    ``roles``: the roles asked for (``None``: the default set, opt-in roles left out). Returns
    ``[{"role", "controls", "skipped"}]`` in ``REMEDIATION_ROLES`` order, for the roles asked for
    that still have a control to fix; a role whose every control is skipped is left out. An
    unknown role name raises ``ValueError``.
    """
    controls = CONTROLS if controls is None else controls
    wanted = DEFAULT_REMEDIATION_ROLES if roles is None else tuple(str(r) for r in roles)
    unknown = [r for r in wanted if r not in REMEDIATION_ROLES]
    if unknown:
        raise ValueError("unknown remediation role(s) %s: the roles are %s"
                         % (", ".join(unknown), ", ".join(REMEDIATION_ROLES)))
    skipped = set(normalize_ids(skip))
    plan = []
    for role in REMEDIATION_ROLES:
        if role not in wanted:
            continue
        owned = role_controls(role, controls=controls)
        fixes = [cid for cid in owned if cid not in skipped]
        if fixes:
            plan.append({"role": role, "controls": fixes, "skipped": [cid for cid in owned if cid in skipped]})
    return plan
