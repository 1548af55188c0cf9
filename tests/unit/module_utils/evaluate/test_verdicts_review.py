"""Issue 16, defects an independent review proved (its failing tests, adapted to the fixtures):
a stopped or restarting container's port bindings (item 23), a bind volume of /run (item 30),
the audit exclude list (item 5), journald's truncated comm taken for a log shipper (32, X.14),
a paused agent container (35), a POSIX ACL on the socket (30)."""

import os
import socket
import struct

import pytest

from conftest import make_container, make_facts
from fake_host import FakeHost, run_collector

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended as EX
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import host as H
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import logging_monitoring as LM
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import network as N
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import secrets as S
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import files as gather_files
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import services as gather_services

OPTS = audit.validate_options({})


# --- item 23: NetworkSettings.Ports is nil while a container is stopped -------------------------

def _inspect(state):
    """`docker run -d --restart always -p 80:80 nginx`, crash-looping or stopped: moby
    daemon/container_operations.go releaseNetwork sets NetworkSettings.Ports = nil; HostConfig.PortBindings
    keeps 0.0.0.0:80 and dockerd binds it again at the next start."""
    return {
        "Id": "d" * 64, "Name": "/web", "Image": "sha256:" + "1" * 64,
        "Config": {"Image": "nginx:1.27", "User": "1000", "Env": [], "Labels": {}},
        "State": {"Status": state, "Running": state == "restarting", "Restarting": state == "restarting",
                  "Paused": False, "ExitCode": 1, "StartedAt": "2026-11-20T00:00:00Z"},
        "HostConfig": {"NetworkMode": "appnet", "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
                       "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "80"}]}},
        "NetworkSettings": {"Ports": None, "Networks": {"appnet": {}}},
        "Mounts": [],
    }


def _web(state, **extra):
    n = gather_docker.normalize_container(_inspect(state))
    return make_container("web", state=state, ports=n["ports"], port_bindings=n["port_bindings"],
                          restart_policy={"name": "always", "max_retry": 0}, **extra)


def test_23_restarting_container_port_bindings_judged():
    st, ev = N.check_23(make_facts(containers=[_web("restarting")]), OPTS)
    assert st == "fail" and "0.0.0.0:80" in " ".join(ev)


def test_23_stopped_container_that_comes_back_port_bindings_judged():
    st, ev = N.check_23(make_facts(containers=[_web("exited", exit_code=0)]), OPTS)
    assert st == "fail" and "0.0.0.0:80" in " ".join(ev)


def test_23_gather_records_port_bindings():
    assert gather_docker.normalize_container(_inspect("exited"))["port_bindings"] == [
        {"container_port": "80/tcp", "host_ip": "", "host_port": "80"}]


def test_23_unreadable_port_bindings_is_error():
    c = make_container("web", state="restarting")
    del c["port_bindings"]
    st, ev = N.check_23(make_facts(containers=[c]), OPTS)
    assert st == "error", ev


def test_23_running_container_union_of_ports_and_bindings():
    c = make_container("web", port_bindings=[{"container_port": "80/tcp", "host_ip": "", "host_port": "80"}])
    assert N.check_23(make_facts(containers=[c]), OPTS)[0] == "fail"


# --- item 30: a local volume bound to /run -------------------------------------------------------

def test_30_local_bind_volume_of_run_exposes_socket():
    c = make_container("tool", mounts=[{
        "type": "volume", "source": "/var/lib/docker/volumes/hostrun/_data", "destination": "/hostrun",
        "rw": True, "bind_device": "/run"}])
    st, ev = S.check_30(make_facts(containers=[c]), OPTS)
    assert st == "fail", ev


# --- item 5: the exclude list drops records ------------------------------------------------------

def _audit_with(rules_before):
    f = make_facts()
    f["audit"]["auditd_pid"] = 4242
    f["audit"]["live_rules"] = rules_before + f["audit"]["live_rules"]
    return f


def test_5_baseline_passes():
    assert H.check_5(_audit_with([]), OPTS)[0] == "pass"


def test_5_exclude_syscall_and_path_records():
    st, ev = H.check_5(_audit_with(["-a always,exclude -F msgtype=SYSCALL",
                                    "-a always,exclude -F msgtype=PATH"]), OPTS)
    assert st == "fail" and "exclude" in " ".join(ev)


def test_5_exclude_by_uid_drops_root():
    st, ev = H.check_5(_audit_with(["-a always,exclude -F uid=0"]), OPTS)
    assert st == "fail" and "uid=0" in " ".join(ev)


def test_5_exclude_harmless_msgtypes_pass():
    st, ev = H.check_5(_audit_with(["-a always,exclude -F msgtype=CWD", "-a never,exclude -F msgtype=EOE",
                                    "-a always,exclude -F msgtype=PROCTITLE", "-a always,exclude -F msgtype=AVC"]),
                       OPTS)
    assert st == "pass", ev


def test_5_exclude_numeric_syscall_msgtype_and_range():
    assert H.check_5(_audit_with(["-a always,exclude -F msgtype=1300"]), OPTS)[0] == "fail"
    assert H.check_5(_audit_with(["-a always,exclude -F msgtype>=1100"]), OPTS)[0] == "fail"


def test_5_exclude_unknown_form_is_error():
    st, ev = H.check_5(_audit_with(["-a always,exclude -F gid=0"]), OPTS)
    assert st == "error" and "gid=0" in " ".join(ev)


# --- X.14 / item 32: journald is not a log shipper ------------------------------------------------

def _no_shipper(f):
    s = f["services"]
    s["running"] = [u for u in s["running"] if u != "fluent-bit.service"]
    s["processes"] = [p for p in s["processes"] if p != "fluent-bit"]
    return f


def test_32_x14_journald_comm_is_no_log_shipper():
    f = _no_shipper(make_facts())
    f["services"]["processes"].append("systemd-journal")
    assert LM.check_32(f, OPTS)[0] != "pass"
    assert EX.check_x14(f, OPTS)[0] != "pass"


def test_32_truncated_comm_confirmed_by_exe_name_still_matches():
    f = _no_shipper(make_facts())
    f["services"]["processes"] += ["systemd-journal", "systemd-journal-upload"]
    assert LM.check_32(f, OPTS)[0] == "pass"


# --- item 35: a paused agent container ------------------------------------------------------------

def _procs(specs):
    """FakeHost files for (pid, comm, exe, cgroup line) processes, all in state S."""
    files = {}
    for pid, comm, exe, cgroup in specs:
        files["/proc/%d/comm" % pid] = comm + "\n"
        files["/proc/%d/cmdline" % pid] = exe + "\0"
        files["/proc/%d/exe" % pid] = exe
        files["/proc/%d/stat" % pid] = "%d (%s) S 1 %d %d 0 -1 4194560 0 0" % (pid, comm, pid, pid)
        files["/proc/%d/cgroup" % pid] = cgroup + "\n"
    return files


class _LinkHost(FakeHost):
    def readlink(self, p):
        return self.read(p)


def test_35_paused_falco_container_processes_do_not_count():
    """`docker pause falco`: the freezer leaves its tasks in S, cgroup.events says frozen 1."""
    cg = "0::/system.slice/docker-%s.scope" % ("f" * 64)
    files = _procs([(1, "systemd", "/usr/lib/systemd/systemd", "0::/init.scope"),
                    (300, "falco", "/usr/bin/falco", cg)])
    files["/sys/fs/cgroup/system.slice/docker-%s.scope/cgroup.events" % ("f" * 64)] = "populated 1\nfrozen 1\n"
    _state, out = run_collector(gather_services.collect_services, _LinkHost(files=files))
    assert out["stopped"] == ["falco"]
    f = make_facts(containers=[make_container("app"),
                               make_container("falco", image="docker.io/falcosecurity/falco:0.39.0",
                                              state="paused")])
    s = f["services"]
    s["running"] = [u for u in s["running"] if u != "falco.service"]
    s["stopped"] = out["stopped"]
    st, ev = LM.check_35(f, OPTS)
    assert st == "fail", ev


def test_35_cgroup_v1_freezer_and_unfrozen_cgroup():
    files = _procs([(300, "falco", "/usr/bin/falco", "7:freezer:/docker/abc"),
                    (400, "vector", "/usr/bin/vector", "0::/system.slice/vector.service")])
    files["/sys/fs/cgroup/freezer/docker/abc/freezer.state"] = "FROZEN\n"
    files["/sys/fs/cgroup/system.slice/vector.service/cgroup.events"] = "populated 1\nfrozen 0\n"
    _state, out = run_collector(gather_services.collect_services, _LinkHost(files=files))
    assert out["stopped"] == ["falco"] and "vector" in out["processes"]


def test_32_gather_lists_the_confirmed_full_name_of_a_truncated_comm():
    files = _procs([(10, "systemd-journal", "/usr/lib/systemd/systemd-journald", "0::/"),
                    (11, "systemd-journal", "/usr/lib/systemd/systemd-journal-upload", "0::/")])
    _state, out = run_collector(gather_services.collect_services, _LinkHost(files=files))
    assert out["processes"] == ["systemd-journal", "systemd-journal-upload", "systemd-journald"]
    f = _no_shipper(make_facts())
    f["services"]["processes"] += ["systemd-journal", "systemd-journald"]
    assert LM.check_32(f, OPTS)[0] != "pass" and EX.check_x14(f, OPTS)[0] != "pass"


# --- item 30: a POSIX ACL on the socket -----------------------------------------------------------

def _acl(entries):
    # linux/posix_acl_xattr.h: version 2, then (tag u16, perm u16, id u32) entries
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)


def _ids(entries):
    return [(e["id"], e["perm"]) for e in entries]


def test_30_acl_parser_names_users_and_groups():
    acl = gather_files.parse_posix_acl(_acl([
        (0x01, 6, 0xffffffff), (0x02, 6, 1001), (0x04, 6, 0xffffffff), (0x08, 4, 2000), (0x08, 1, 2001),
        (0x10, 6, 0xffffffff), (0x20, 0, 0xffffffff)]))
    assert _ids(acl["users"]) == [(1001, "rw")] and _ids(acl["groups"]) == [(2000, "r")]
    # the mask limits named entries (acl(5)): mask --- grants nothing
    masked = gather_files.parse_posix_acl(_acl([(0x02, 6, 1001), (0x10, 0, 0xffffffff)]))
    assert masked == {"users": [], "groups": []}
    with pytest.raises(ValueError):
        gather_files.parse_posix_acl(b"\x01\x00\x00\x00")


def test_30_acl_named_group_allowed_passes_other_fails():
    f = make_facts()
    st = f["files"]["/var/run/docker.sock"]
    st["acl"] = {"users": [], "groups": [{"id": 999, "name": st["group"], "perm": "rw"}]}
    assert S.check_30(f, OPTS)[0] == "pass"
    st["acl"]["groups"].append({"id": 2000, "name": "ci", "perm": "rw"})
    status, ev = S.check_30(f, OPTS)
    assert status == "fail" and "group ci" in " ".join(ev)


def test_30_acl_named_user_on_socket_fails():
    f = make_facts()
    f["files"]["/var/run/docker.sock"]["acl"] = {"users": [{"id": 1001, "perm": "rw"}], "groups": []}
    st, ev = S.check_30(f, OPTS)
    assert st == "fail" and "1001" in " ".join(ev)


def test_30_acl_unreadable_is_error():
    f = make_facts()
    f["files"]["/var/run/docker.sock"]["acl_error"] = "EIO"
    assert S.check_30(f, OPTS)[0] == "error"


def test_30_acl_real_socket(tmp_path):
    path = str(tmp_path / "docker.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    os.chmod(path, 0o660)
    try:
        os.setxattr(path, "system.posix_acl_access",
                    _acl([(0x01, 6, 0xffffffff), (0x02, 6, 1001), (0x04, 6, 0xffffffff),
                          (0x10, 6, 0xffffffff), (0x20, 0, 0xffffffff)]))
    except (OSError, AttributeError) as exc:
        s.close()
        pytest.skip("no POSIX ACLs here: %s" % exc)

    class RealHost(object):
        lstat = staticmethod(os.lstat)
        realpath = staticmethod(os.path.realpath)
        getxattr = staticmethod(lambda p, name: os.getxattr(p, name, follow_symlinks=False))
    entry = gather_files.stat_entry(RealHost(), path)
    s.close()
    assert [(e["id"], e["perm"]) for e in entry["acl"]["users"]] == [(1001, "rw")]
    f = make_facts()
    f["files"]["/var/run/docker.sock"] = dict(entry, owner="root")
    assert S.check_30(f, audit.validate_options({"socket_allowed_groups": [entry["group"]]}))[0] == "fail"


def test_30_acl_gather_error_and_no_acl():
    h = FakeHost(modes={"/run/docker.sock": (0o140660, 0, 0)})
    assert "acl" not in gather_files.stat_entry(h, "/run/docker.sock")  # ENODATA: no ACL
    h.xattrs = {"/run/docker.sock": OSError(5, "Input/output error")}
    assert gather_files.stat_entry(h, "/run/docker.sock")["acl_error"] == "Input/output error"
    h.xattrs = {"/run/docker.sock": _acl([(0x08, 6, 4242)])}
    assert _ids(gather_files.stat_entry(h, "/run/docker.sock")["acl"]["groups"]) == [(4242, "rw")]
