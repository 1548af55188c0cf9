#!/usr/bin/env bash
# The test bed: a Docker engine on this machine and the local images the Molecule scenarios
# use. Idempotent: whatever is already there is reused; a host image is rebuilt only when its
# recipe changed (see build_host_image).
#
#   dockersec/host:bookworm     a stock Debian 12 "Docker host" (debootstrap -> docker import):
#                               docker.io 20.10, python3 3.11, no python3-docker (like a fresh
#                               install); runs its own dockerd, sshd and auditd tools inside each
#                               Molecule instance
#   dockersec/host:trixie       the same on Debian 13: docker.io 26.x (the CLI is the separate
#                               docker-cli package there), python3 3.13, iptables-nft
#   dockersec/host:bookworm-rootless, dockersec/host:trixie-rootless
#                               the same hosts with rootlesskit, uidmap and slirp4netns baked in
#                               (molecule/rootless: a rootless dockerd beside the rootful one)
#   dockersec/workload:busybox  a tiny static-busybox image for the workload containers planted
#                               inside those instances; also saved as a tarball for `docker load`
#
# No container registry is reachable on the CI machines: the images are built from Debian
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
WORKLOAD_IMAGE=dockersec/workload:busybox
IMAGE_DIR=${DOCKERSEC_IMAGE_DIR:-$ROOT/images/build}
WORKLOAD_TAR=$IMAGE_DIR/workload.tar
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
# What a stock Debian Docker host has: nothing Python beyond python3 itself (no python3-docker,
# no python3-requests), so the tests see what users' hosts are.
STOCK_PACKAGES=python3,sudo,iproute2,iptables,openssh-server,docker.io,auditd,procps,kmod
# Bump when the image recipe changes in a way the package list does not show: hosts that kept
# an image of an older recipe under the same tag then rebuild it (build_host_image).
RECIPE_REVISION=2
RECIPE_LABEL=org.dockersec.testbed.recipe
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

# --- 3. the Docker-host images ----------------------------------------------------------------
# The recipe an image was built from is stored in its label $RECIPE_LABEL. A tag that is present
# with another recipe (an image from before the host images became stock, say) is rebuilt, so a
# CI machine that kept an old image still tests against what the scripts describe.
host_recipe() {  # SUITE PACKAGES
  printf 'r%s %s %s' "$RECIPE_REVISION" "$1" "$2"
}

build_host_image() {  # TAG SUITE PACKAGES [docker import --change ...]
  local tag=$1 suite=$2 packages=$3 t mirror rootfs old_id recipe have
  shift 3
  t=$(now)
  recipe=$(host_recipe "$suite" "$packages")
  have=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$tag" 2>/dev/null || true)
  if image_exists "$tag" && [ "$REBUILD" = false ]; then
    if [ "$have" = "$recipe" ]; then
      record skipped "$tag" "tag present, same recipe"
      return
    fi
    log "$tag is present but was built from another recipe (${have:-none recorded}); rebuilding"
  fi
  old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/dockersec-rootfs.XXXXXX)
  # Always remove the rootfs, also when debootstrap fails half-way.
  trap 'remove_rootfs "'"$rootfs"'"' EXIT
  log "debootstrap $suite from $mirror into $rootfs (takes a minute or two) ..."
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" \
      >"/var/log/dockersec-debootstrap-$suite.log" 2>&1; then
    tail -n 30 "/var/log/dockersec-debootstrap-$suite.log" >&2 || true
    die "debootstrap $suite failed (full log: /var/log/dockersec-debootstrap-$suite.log)"
  fi
  # A package that slipped into the rootfs would hide what a stock host lacks.
  if [ -d "$rootfs"/usr/lib/python3/dist-packages/docker ]; then
    die "the $suite rootfs has the Python docker SDK, but the host image must be stock"
  fi
  # Trim what a container never needs and what must come from the engine at run time.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/log/*.log "$rootfs"/etc/hostname
  : > "$rootfs"/etc/resolv.conf
  mkdir -p "$rootfs"/run/sshd "$rootfs"/etc/docker
  chmod 0755 "$rootfs"   # mktemp made it 0700; the image's / must be traversable by every user
  host_image_fixups "$suite" "$rootfs"
  log "importing $tag ..."
  tar --numeric-owner --xattrs -C "$rootfs" -c . \
    | docker import -c 'CMD ["/bin/sleep","infinity"]' -c "LABEL $RECIPE_LABEL=\"$recipe\"" "$@" \
        -m "dockersec test bed: debootstrap $suite" - "$tag" >/dev/null
  remove_rootfs "$rootfs"
  trap - EXIT
  drop_replaced "$tag" "$old_id"
  record built "$tag" "$(( $(now) - t )) s, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}')"
}

# What one suite needs beyond its packages to run as a Docker host in this sandbox.
host_image_fixups() {  # SUITE ROOTFS
  case $1 in
    trixie)
      # Docker 26 fails every container start here ("failed to disable IPv6 on container's
      # interface eth0": the sandbox's containers have no IPv6 sysctls) unless dockerd runs with
      # this variable. The image's ENV (see main) reaches everything `docker exec` starts, a
      # dockerd restarted by the daemon role included; /etc/environment reaches SSH logins.
      echo 'DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1' >> "$2"/etc/environment
      ;;
  esac
}

# --- 3b. the rootless Docker hosts --------------------------------------------------------------
# What rootless Docker needs beyond a stock host (Debian's docker.io ships dockerd-rootless.sh and
# dockerd-rootless-setuptool.sh in /usr/share/docker.io/contrib/). Never fuse-overlayfs: with it
# installed, both the rootful and the rootless dockerd pick it and every container fails on
# /dev/fuse, which this sandbox does not have.
ROOTLESS_PACKAGES="rootlesskit uidmap slirp4netns"

# A small image derived from a host image: one apt-get layer, no debootstrap. Its recipe names the
# base image's id, so a rebuilt base rebuilds it too.
build_derived_image() {  # TAG BASE PACKAGES
  local tag=$1 base=$2 packages=$3 t recipe have old_id
  t=$(now)
  image_exists "$base" || die "$base is missing (it is built above)"
  recipe=$(printf 'r%s from %s %s' "$RECIPE_REVISION" "$(docker image inspect -f '{{.Id}}' "$base")" "$packages")
  have=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$tag" 2>/dev/null || true)
  if image_exists "$tag" && [ "$REBUILD" = false ] && [ "$have" = "$recipe" ]; then
    record skipped "$tag" "tag present, same recipe"
    return
  fi
  old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  log "building $tag from $base with $packages ..."
  printf '%s\n' \
    "FROM $base" \
    "RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null \\" \
    "    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /usr/share/doc/* /usr/share/man/*" \
    "LABEL $RECIPE_LABEL=\"$recipe\"" \
    | docker build --quiet --tag "$tag" - >/dev/null
  drop_replaced "$tag" "$old_id"
  record built "$tag" "$(( $(now) - t )) s"
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
build_host_image dockersec/host:bookworm bookworm "$STOCK_PACKAGES"
# Debian 13 splits the CLI out of docker.io.
build_host_image dockersec/host:trixie trixie "$STOCK_PACKAGES,docker-cli" \
  -c 'ENV DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1'
build_derived_image dockersec/host:bookworm-rootless dockersec/host:bookworm "$ROOTLESS_PACKAGES"
build_derived_image dockersec/host:trixie-rootless dockersec/host:trixie "$ROOTLESS_PACKAGES"
build_workload_image

log "summary (total $(( $(now) - T0 )) s):"
printf '  %s\n' "${SUMMARY[@]}"
