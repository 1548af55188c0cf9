#!/usr/bin/env bash
# The test bed: a Docker engine on this machine and the two local images the Molecule
# scenarios use. Idempotent: whatever is already there is reused, never rebuilt.
#
#   dockersec/host:bookworm     a Debian 12 "Docker host" (debootstrap -> docker import) that runs
#                               its own dockerd, sshd and auditd tools inside each Molecule instance
#   dockersec/workload:busybox  a tiny static-busybox image for the workload containers planted
#                               inside those instances; also saved as a tarball for `docker load`
#
# No container registry is reachable on the CI machines: both images are built from Debian
# packages (the apt mirror works). Needs root. Usage: scripts/testbed.sh [--rebuild]
#
# Environment:
#   DOCKERSEC_DEBIAN_MIRROR  Debian mirror for debootstrap (default: the one apt on this machine uses)
#   DOCKERSEC_IMAGE_DIR      where the workload tarball goes (default: <repo>/images/build;
#                            molecule/default/prepare.yml reads DOCKERSEC_WORKLOAD_TAR, same default)
#   DOCKERD_TIMEOUT          seconds to wait for a freshly started dockerd (default 60)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The Molecule scenarios name these tags.
HOST_IMAGE=dockersec/host:bookworm
WORKLOAD_IMAGE=dockersec/workload:busybox
IMAGE_DIR=${DOCKERSEC_IMAGE_DIR:-$ROOT/images/build}
WORKLOAD_TAR=$IMAGE_DIR/workload.tar
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
SUITE=bookworm
HOST_PACKAGES=python3,python3-docker,sudo,iproute2,iptables,openssh-server,docker.io,auditd,procps,kmod
REBUILD=false
[ "${1:-}" = "--rebuild" ] && REBUILD=true

export DEBIAN_FRONTEND=noninteractive
T0=$(date +%s)
SUMMARY=()

log() { printf '[testbed] %s\n' "$*"; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
record() { SUMMARY+=("$(printf '%-8s %-34s %s' "$1" "$2" "$3")"); log "$1: $2 ($3)"; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, starts dockerd and runs debootstrap)"

# --- 1. packages ----------------------------------------------------------------------------
ensure_packages() {
  local t missing=()
  t=$(now)
  { command -v dockerd && command -v docker; } >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  file_is_static /bin/busybox || missing+=(busybox-static)
  if [ ${#missing[@]} -eq 0 ]; then
    record skipped "packages" "docker.io, debootstrap, busybox-static present"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]} ..."
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  record installed "install ${missing[*]}" "$(( $(now) - t )) s"
}

# busybox (dynamic) and busybox-static both install /bin/busybox; the workload image needs the
# static one because its rootfs holds nothing else.
file_is_static() {
  [ -f "$1" ] && [ "$(head -c 4096 "$1" | grep -ac 'ld-linux')" = 0 ]
}

# --- 2. engine ------------------------------------------------------------------------------
ensure_engine() {
  local t waited=0
  t=$(now)
  if docker info >/dev/null 2>&1; then
    record skipped "dockerd" "an engine answers: $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
    return
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed (apt-get install docker.io)"
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd runs but does not answer yet; waiting"
  else
    log "starting dockerd in the background (log: /var/log/dockerd.log)"
    # No systemd on these machines: a plain background daemon, detached from this shell.
    nohup setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  fi
  until docker info >/dev/null 2>&1; do
    if [ "$waited" -ge "$DOCKERD_TIMEOUT" ]; then
      tail -n 20 /var/log/dockerd.log >&2 2>/dev/null || true
      die "dockerd did not answer 'docker info' within ${DOCKERD_TIMEOUT} s (see /var/log/dockerd.log above)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  record started "dockerd" "$(( $(now) - t )) s"
}

# Remove a build rootfs, first unmounting what a failed debootstrap may have left mounted in it
# (proc, sys, dev) so that nothing outside the directory is ever touched.
remove_rootfs() {
  local dir=$1
  [ -d "$dir" ] || return 0
  awk -v d="$dir" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$dir"
}

# After --rebuild: remove the image the tag pointed at before (only that one; kept when in use).
drop_replaced() {
  local tag=$1 old_id=$2
  [ -n "$old_id" ] || return 0
  [ "$(docker image inspect -f '{{.Id}}' "$tag")" = "$old_id" ] && return 0
  docker rmi "$old_id" >/dev/null 2>&1 || log "kept the previous $tag ($old_id): still in use"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The mirror apt on this machine already uses (deb822 .sources or one-line lists); only a
# mirror that serves Debian's main archive (not -security, not third-party repos) qualifies.
debian_mirror() {
  if [ -n "${DOCKERSEC_DEBIAN_MIRROR:-}" ]; then
    echo "$DOCKERSEC_DEBIAN_MIRROR"
    return
  fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(
      { grep -E '^[[:space:]]*URIs:' "$f" | sed -E 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
        grep -E '^[[:space:]]*deb[[:space:]]' "$f" | sed -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/'
      } | grep -E '^https?://' | grep -E '/debian/?$' | head -n1
    ) || true
    if [ -n "$uri" ]; then
      echo "${uri%/}"
      return
    fi
  done
  echo "http://deb.debian.org/debian"
}

# --- 3. the Docker-host image -----------------------------------------------------------------
build_host_image() {
  local t mirror rootfs old_id
  t=$(now)
  if image_exists "$HOST_IMAGE" && [ "$REBUILD" = false ]; then
    record skipped "$HOST_IMAGE" "tag present"
    return
  fi
  old_id=$(docker image inspect -f '{{.Id}}' "$HOST_IMAGE" 2>/dev/null || true)
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/dockersec-rootfs.XXXXXX)
  # Always remove the rootfs, also when debootstrap fails half-way.
  trap 'remove_rootfs "'"$rootfs"'"' EXIT
  log "debootstrap $SUITE from $mirror into $rootfs (takes a minute or two) ..."
  if ! debootstrap --variant=minbase --include="$HOST_PACKAGES" "$SUITE" "$rootfs" "$mirror" \
      >/var/log/dockersec-debootstrap.log 2>&1; then
    tail -n 30 /var/log/dockersec-debootstrap.log >&2 || true
    die "debootstrap failed (full log: /var/log/dockersec-debootstrap.log)"
  fi
  # Trim what a container never needs and what must come from the engine at run time.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/log/*.log "$rootfs"/etc/hostname
  : > "$rootfs"/etc/resolv.conf
  mkdir -p "$rootfs"/run/sshd "$rootfs"/etc/docker
  chmod 0755 "$rootfs"   # mktemp made it 0700; the image's / must be traversable by every user
  log "importing $HOST_IMAGE ..."
  tar --numeric-owner --xattrs -C "$rootfs" -c . \
    | docker import -c 'CMD ["/bin/sleep","infinity"]' -m "dockersec test bed: debootstrap $SUITE" - "$HOST_IMAGE" >/dev/null
  remove_rootfs "$rootfs"
  trap - EXIT
  drop_replaced "$HOST_IMAGE" "$old_id"
  record built "$HOST_IMAGE" "$(( $(now) - t )) s, $(docker image inspect -f '{{.Size}}' "$HOST_IMAGE" | awk '{printf "%d MB", $1/1e6}')"
}

# --- 4. the workload image -------------------------------------------------------------------
WORKLOAD_APPLETS="sh ash sleep httpd nc wget id cat ls ps echo true false env hostname kill mkdir rm touch grep top"

build_workload_image() {
  local t rootfs a old_id
  t=$(now)
  old_id=$(docker image inspect -f '{{.Id}}' "$WORKLOAD_IMAGE" 2>/dev/null || true)
  if image_exists "$WORKLOAD_IMAGE" && [ "$REBUILD" = false ]; then
    record skipped "$WORKLOAD_IMAGE" "tag present"
  else
    file_is_static /bin/busybox || die "/bin/busybox is not the static build (apt-get install busybox-static)"
    rootfs=$(mktemp -d /var/tmp/dockersec-workload.XXXXXX)
    chmod 0755 "$rootfs"   # mktemp made it 0700: uid 1000 (and remapped roots) must traverse /
    mkdir -p "$rootfs"/{bin,etc,tmp,www,home/app,root}
    cp /bin/busybox "$rootfs"/bin/busybox
    for a in $WORKLOAD_APPLETS; do ln -s busybox "$rootfs/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
      > "$rootfs"/etc/passwd
    printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' > "$rootfs"/etc/group
    echo 'dockersec workload' > "$rootfs"/www/index.html
    chmod 1777 "$rootfs"/tmp
    chown 1000:1000 "$rootfs"/home/app
    # Serves HTTP on 8080 (unprivileged, so it also runs as uid 1000 with every capability dropped).
    tar --numeric-owner -C "$rootfs" -c . | docker import \
      -c 'CMD ["/bin/httpd","-f","-p","8080","-h","/www"]' -c 'ENV PATH=/bin' -c 'EXPOSE 8080' \
      -m "dockersec test bed: static busybox" - "$WORKLOAD_IMAGE" >/dev/null
    rm -rf "$rootfs"
    drop_replaced "$WORKLOAD_IMAGE" "$old_id"
    record built "$WORKLOAD_IMAGE" "$(( $(now) - t )) s"
  fi
  t=$(now)
  # The tarball is what Molecule's prepare copies into each instance and `docker load`s there.
  local id saved_id=""
  id=$(docker image inspect -f '{{.Id}}' "$WORKLOAD_IMAGE")
  [ -f "$WORKLOAD_TAR.id" ] && saved_id=$(cat "$WORKLOAD_TAR.id")
  if [ -f "$WORKLOAD_TAR" ] && [ "$saved_id" = "$id" ]; then
    record skipped "$WORKLOAD_TAR" "up to date"
  else
    mkdir -p "$IMAGE_DIR"
    docker save -o "$WORKLOAD_TAR.tmp" "$WORKLOAD_IMAGE"
    mv "$WORKLOAD_TAR.tmp" "$WORKLOAD_TAR"
    echo "$id" > "$WORKLOAD_TAR.id"
    record saved "$WORKLOAD_TAR" "$(( $(now) - t )) s"
  fi
}

ensure_packages
ensure_engine
build_host_image
build_workload_image

log "summary (total $(( $(now) - T0 )) s):"
printf '  %s\n' "${SUMMARY[@]}"
