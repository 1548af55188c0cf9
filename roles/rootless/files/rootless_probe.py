"""What the rootless role's preflight and start decide on, read-only, as one JSON document.

Usage: rootless_probe.py USER CONTRIB_DIR [PACKAGE...]. Reads the account (passwd), /etc/subuid and
/etc/subgid, the user namespace sysctls, the cgroup version, systemd, which of the packages dpkg has
installed, the programs rootless Docker needs and the account's running daemon (by its socket and by
the processes the account owns). Changes nothing. Run as `python3 rootless_probe.py` (the role's
ansible.builtin.script task names the interpreter), so it has no shebang.
"""

import json
import os
import pwd
import stat
import sys


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except (IOError, OSError):
        return None


def subid_ranges(path, name, uid):
    """The account's ranges, as newuidmap looks them up: lines ``owner:start:count`` whose owner is
    the account's name or its numeric uid (shadow's subordinateio.c); unreadable file: None."""
    text = read(path)
    if text is None:
        return None
    ranges = []
    for line in text.splitlines():
        parts = line.strip().split(":")
        if len(parts) != 3 or parts[0] not in (name, str(uid)):
            continue
        try:
            ranges.append({"start": int(parts[1]), "count": int(parts[2])})
        except ValueError:
            continue
    return ranges


def sysctl(path):
    text = read(path)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def cgroup_version():
    """v2 when /sys/fs/cgroup itself is cgroup2 (unified); a tmpfs there (v1 or hybrid) is v1: the
    controllers a user could be delegated are then v1's, which rootless dockerd cannot use."""
    for line in (read("/proc/self/mountinfo") or "").splitlines():
        left, _sep, right = line.partition(" - ")
        fields = left.split()
        if len(fields) > 4 and fields[4] == "/sys/fs/cgroup":
            return "v2" if right.split()[0] == "cgroup2" else "v1"
    return None


def program(path):
    """``{path, setuid}`` of an executable file, or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not os.access(path, os.X_OK):
        return None
    return {"path": path, "setuid_root": bool(st.st_mode & stat.S_ISUID) and st.st_uid == 0}


def which(name):
    for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"):
        found = program(os.path.join(d, name))
        if found:
            return found
    return None


def installed_packages(text):
    """Names dpkg's status file (its ``Package:``/``Status:`` stanzas) marks ``install ok installed``."""
    found = set()
    for stanza in (text or "").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Status") == "install ok installed" and fields.get("Package"):
            found.add(fields["Package"])
    return found


def processes(uid):
    """The account's rootlesskit, dockerd and supervisor processes: ``[{pid, comm}]``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        status = read("/proc/%s/status" % pid) or ""
        comm = (read("/proc/%s/comm" % pid) or "").strip()
        uids = [ln.split()[1] for ln in status.splitlines() if ln.startswith("Uid:")]
        if uids and uids[0] == str(uid):
            cmdline = (read("/proc/%s/cmdline" % pid) or "").split("\0")
            if comm in ("rootlesskit", "dockerd") or any(a.endswith("dockersec-rootless-supervise") for a in cmdline):
                found.append({"pid": int(pid), "comm": comm})
    return found


def main():
    name, contrib, packages = sys.argv[1], sys.argv[2], sys.argv[3:]
    installed = installed_packages(read("/var/lib/dpkg/status"))
    out = {"user": name, "exists": False, "packages_missing": [p for p in packages if p not in installed]}
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        print(json.dumps(out))
        return
    runtime = "/run/user/%d" % pw.pw_uid
    out.update({
        "exists": True,
        "uid": pw.pw_uid,
        "gid": pw.pw_gid,
        "home": pw.pw_dir,
        "home_exists": os.path.isdir(pw.pw_dir),
        "runtime_dir": runtime,
        "runtime_dir_exists": os.path.isdir(runtime),
        "socket": os.path.join(runtime, "docker.sock"),
        "socket_exists": stat.S_ISSOCK(os.lstat(os.path.join(runtime, "docker.sock")).st_mode)
        if os.path.lexists(os.path.join(runtime, "docker.sock")) else False,
        "subuid": subid_ranges("/etc/subuid", name, pw.pw_uid),
        "subgid": subid_ranges("/etc/subgid", name, pw.pw_uid),
        "max_user_namespaces": sysctl("/proc/sys/user/max_user_namespaces"),
        # Debian's and Arch's kernel patch; absent elsewhere (then only max_user_namespaces counts).
        "unprivileged_userns_clone": sysctl("/proc/sys/kernel/unprivileged_userns_clone"),
        "cgroup": cgroup_version(),
        # sd_booted(): systemd is the init when this directory exists.
        "systemd": os.path.isdir("/run/systemd/system"),
        "tun": os.path.exists("/dev/net/tun"),
        "programs": {
            "newuidmap": which("newuidmap"),
            "newgidmap": which("newgidmap"),
            "rootlesskit": which("rootlesskit"),
            "slirp4netns": which("slirp4netns"),
            "dockerd": which("dockerd"),
            # The rootless dockerd sets up its bridge's NAT with it, inside its own namespace.
            "iptables": which("iptables"),
            "dockerd-rootless.sh": program(os.path.join(contrib, "dockerd-rootless.sh")),
            "dockerd-rootless-setuptool.sh": program(os.path.join(contrib, "dockerd-rootless-setuptool.sh")),
        },
        "processes": processes(pw.pw_uid),
    })
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
