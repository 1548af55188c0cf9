# shellcheck shell=bash
# Sourced by scripts/installed-test.sh and scripts/ee-test.sh: one stock Docker host as those tests
# use it, reached over SSH as `ops`. The caller sets LABEL, TMP, WORKLOAD_TAR, WORKLOAD_IMAGE and die().

# The same instance as the Molecule scenarios' (see molecule/default/molecule.yml: every
# capability but SYS_RESOURCE, which the sandbox lacks, instead of --privileged).
STOCK_HOST_CAPS=(AUDIT_CONTROL AUDIT_READ AUDIT_WRITE BLOCK_SUSPEND CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER
      FSETID IPC_LOCK IPC_OWNER KILL LEASE LINUX_IMMUTABLE MAC_ADMIN MAC_OVERRIDE MKNOD NET_ADMIN
      NET_BIND_SERVICE NET_BROADCAST NET_RAW SETFCAP SETGID SETPCAP SETUID SYSLOG SYS_ADMIN SYS_BOOT
      SYS_CHROOT SYS_MODULE SYS_NICE SYS_PACCT SYS_PTRACE SYS_RAWIO SYS_TIME SYS_TTY_CONFIG WAKE_ALARM)

start_stock_host() {  # NAME SUITE KEY.pub
  local name=$1 suite=$2 pub=$3 c cap_args=()
  for c in "${STOCK_HOST_CAPS[@]}"; do cap_args+=(--cap-add "$c"); done
  docker run -d --name "$name" --hostname "$suite" --label "$LABEL=$TMP" "${cap_args[@]}" \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v /lib/modules:/lib/modules:ro --tmpfs /run --tmpfs /tmp \
    "dockersec/host:$suite" /usr/bin/docker-init -- /bin/sleep infinity >/dev/null
  docker cp -L "$WORKLOAD_TAR" "$name:/root/workload.tar"
  docker cp "$pub" "$name:/root/ops.pub"
  # What provisioning does on a real host: dockerd running (vfs: the only storage driver on the
  # instance's overlay root), a workload, sshd, and an admin account with key and sudo; root has a
  # password only (the sshd lockout guard must not count it as ops's way in). On trixie, sudo keeps
  # DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE (from /etc/environment via sshd's PAM) so that a dockerd the
  # daemon role restarts can still start containers here; a real host's init system gives dockerd
  # its environment.
  docker exec -e WORKLOAD_IMAGE="$WORKLOAD_IMAGE" "$name" bash -euo pipefail -c '
    echo "{\"storage-driver\": \"vfs\"}" > /etc/docker/daemon.json
    DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -n 20 /var/log/dockerd.log; exit 1; }
    docker load --quiet --input /root/workload.tar >/dev/null && rm /root/workload.tar
    docker run --detach --name web --publish 80:8080 "$WORKLOAD_IMAGE" >/dev/null
    useradd --create-home --shell /bin/bash ops
    echo root:testbed | chpasswd
    install -d -o ops -g ops -m 0700 /home/ops/.ssh
    install -o ops -g ops -m 0600 /root/ops.pub /home/ops/.ssh/authorized_keys && rm /root/ops.pub
    printf "ops ALL=(ALL) NOPASSWD: ALL\nDefaults:ops env_keep += \"DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE\"\n" \
      > /etc/sudoers.d/ops
    chmod 0440 /etc/sudoers.d/ops
    visudo -cq
    mkdir -p /run/sshd
    /usr/sbin/sshd
  ' || die "setting up $name failed"
}
