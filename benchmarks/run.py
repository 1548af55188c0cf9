# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Speed and scale benchmark of the dockersec audit (issue 6). See benchmarks/README.md.

On the Docker host this runs on, it starts N workload containers with a mix of settings
(N = 0, 50, 200, 500 by default, added incrementally), and for each N measures:

  * the wall seconds of ``ansible-playbook playbooks/audit.yml --check`` end to end, with the
    repository's ansible.cfg and the report directory in a temporary directory;
  * the gather module alone: ``plugins/modules/docker_host_facts.py`` run directly as a
    subprocess (no Ansible around it): its wall seconds, the seconds of its ``docker``
    collector (list + concurrent inspects) and its peak RSS (``wait4`` rusage of that process);
  * the evaluation alone (``module_utils/evaluate/engine.evaluate`` on those facts, in process);
  * the marginal cost per container in ms (slope between consecutive sizes, and the
    least-squares slope over all sizes).

Then it times a fleet: H Docker-host instances (H = 1, 4, 8) from ``dockersec/host:bookworm``,
each running its own dockerd (vfs) with a few workload containers, audited in one run with
``-f H`` over the ``community.docker.docker`` connection.

Everything it creates carries the label ``dockersec.bench=1`` and is removed at the end, also
on Ctrl-C, SIGTERM and SIGHUP (``--keep`` leaves it running). Needs root (or the docker group),
an engine, the local images (``make testbed``) and the dev venv (``make venv-dev link``).

Run it with the venv's python from the repository root: ``make bench`` or
``.venv/bin/python benchmarks/run.py [--sizes 0,50] [--fleet 1,4 | --no-fleet] [--keep]``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import errno
import fcntl
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".collections")
MODULE = os.path.join(ROOT, "plugins", "modules", "docker_host_facts.py")
PLAYBOOK = os.path.join(ROOT, "playbooks", "audit.yml")
WORKLOAD_IMAGE = "dockersec/workload:busybox"
HOST_IMAGE = "dockersec/host:bookworm"
WORKLOAD_TAR = os.path.join(ROOT, "images", "build", "workload.tar")
LABEL = "dockersec.bench"
RUN_LABEL = "dockersec.bench.run"
NETWORK = "dockersec-bench-net"
LOCK_PATH = "/tmp/dockersec-bench.lock"
# Every capability but SYS_RESOURCE (the sandbox lacks it): the options of molecule/default/molecule.yml.
HOST_CAPS = ("AUDIT_CONTROL AUDIT_READ AUDIT_WRITE BLOCK_SUSPEND CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID "
             "IPC_LOCK IPC_OWNER KILL LEASE LINUX_IMMUTABLE MAC_ADMIN MAC_OVERRIDE MKNOD NET_ADMIN NET_BIND_SERVICE "
             "NET_BROADCAST NET_RAW SETFCAP SETGID SETPCAP SETUID SYSLOG SYS_ADMIN SYS_BOOT SYS_CHROOT SYS_MODULE "
             "SYS_NICE SYS_PACCT SYS_PTRACE SYS_RAWIO SYS_TIME SYS_TTY_CONFIG WAKE_ALARM").split()

sys.path.insert(0, COLLECTIONS)

try:
    import docker
except ImportError as exc:  # pragma: no cover - depends on the environment
    sys.exit("benchmarks/run.py needs the docker SDK: run it with the venv's python (make bench), %s" % exc)


class Interrupted(BaseException):
    """Ctrl-C, SIGTERM or SIGHUP: unwind to the cleanup (a BaseException, like KeyboardInterrupt, so
    that no ``except Exception`` on the way swallows it)."""


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def median(values):
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------------- process control

class Runner(object):
    """Runs the measured subprocesses; remembers the current one so a signal can stop it."""

    def __init__(self):
        self.current = None
        self.lock = threading.Lock()

    def stop_current(self):
        with self.lock:
            proc = self.current
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass

    def run(self, argv, env=None, cwd=ROOT, stdin_path=None):
        """(rc, wall seconds, stdout, stderr, rusage) of one process (its own process group)."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
            try:
                start = time.perf_counter()
                with self.lock:
                    self.current = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=out, stderr=err,
                                                    start_new_session=True)
                    pid = self.current.pid
                while True:
                    try:
                        _pid, status, usage = os.wait4(pid, 0)
                        break
                    except InterruptedError:
                        continue
                wall = time.perf_counter() - start
                self.current.returncode = os.waitstatus_to_exitcode(status)
            finally:
                with self.lock:
                    proc, self.current = self.current, None
                if proc is not None and proc.returncode is None:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except OSError:
                        pass
                    proc.wait()
                if stdin_path:
                    stdin.close()
            out.seek(0)
            err.seek(0)
            return (proc.returncode, wall, out.read().decode("utf-8", "replace"),
                    err.read().decode("utf-8", "replace"), usage)


RUNNER = Runner()


def install_signal_handlers():
    def handler(signum, frame):
        # Only the first signal interrupts; the cleanup that follows ignores the others.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        RUNNER.stop_current()
        raise Interrupted(signal.Signals(signum).name)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def ignore_signals():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)


def take_lock():
    fd = os.open(LOCK_PATH, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            sys.exit("another benchmark runs on this machine (%s is locked)" % LOCK_PATH)
        raise
    return fd


# ----------------------------------------------------------------------------- workload containers

def free_ports(count, start):
    """``count`` TCP ports free on 127.0.0.1, from ``start`` up."""
    ports, port = [], start
    while len(ports) < count and port < 65000:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            ports.append(port)
        except OSError:
            pass
        finally:
            s.close()
        port += 1
    if len(ports) < count:
        raise RuntimeError("not enough free ports above %d" % start)
    return ports


def workload_spec(i, run_id, port):
    """The settings of workload container ``i``: a deterministic mix, as on a real host."""
    kw = {
        "image": WORKLOAD_IMAGE,
        "name": "dockersec-bench-%s-%04d" % (run_id, i),
        "detach": True,
        "labels": {LABEL: "1", RUN_LABEL: run_id, "app": "bench-%d" % (i % 10)},
        "environment": {"APP_ENV": "bench", "APP_INDEX": str(i)},
    }
    if i % 3 == 1:
        kw["user"] = "1000"
    elif i % 3 == 2:
        kw["user"] = "1000:1000"
    if i % 4 == 0:
        kw["read_only"] = True
        kw["tmpfs"] = {"/tmp": "rw,noexec,nosuid,size=1m"}
    if i % 2 == 0:
        kw.update(mem_limit="64m", nano_cpus=250000000, pids_limit=64)
    if i % 4 == 1:
        # Fake secrets: the audit must flag the names and never copy the values.
        kw["environment"].update(DB_PASSWORD=secrets.token_hex(12), API_TOKEN=secrets.token_hex(8))
    if i % 6 == 2:
        kw.update(cap_drop=["ALL"], security_opt=["no-new-privileges:true"])
    if i % 7 == 0:
        kw["restart_policy"] = {"Name": "on-failure", "MaximumRetryCount": 5}
    if i % 8 == 3:
        # A health check that exists but does not load the machine during the run.
        kw["healthcheck"] = {"test": ["CMD", "true"], "interval": 3600 * 10 ** 9}
    if i % 3 == 1:
        kw["network"] = NETWORK
    if port:
        kw["ports"] = {"8080/tcp": ("127.0.0.1", port)}
    return kw


class Bed(object):
    """What this run created on the engine; ``cleanup`` removes it all (by label)."""

    def __init__(self, client, run_id, workers):
        self.client = client
        self.run_id = run_id
        self.workers = workers
        self.count = 0
        self.next_port = 21000
        self.network = None

    def ensure_network(self):
        if self.network is None:
            self.network = self.client.networks.create(NETWORK, driver="bridge",
                                                       labels={LABEL: "1", RUN_LABEL: self.run_id})

    def grow_to(self, n):
        """Start workload containers until ``n`` of them run (incremental across sizes)."""
        if n <= self.count:
            return 0.0
        self.ensure_network()
        indexes = list(range(self.count, n))
        want_ports = [i for i in indexes if i % 5 == 0]
        ports = dict(zip(want_ports, free_ports(len(want_ports), self.next_port)))
        if ports:
            self.next_port = max(ports.values()) + 1
        start = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            futures = [pool.submit(self.client.containers.run, **workload_spec(i, self.run_id, ports.get(i)))
                       for i in indexes]
            errors = []
            for f in futures:
                while True:
                    try:
                        f.result(timeout=1)
                        break
                    except TimeoutError:
                        continue
                    except Exception as exc:  # keep going, report after
                        errors.append(str(exc))
                        break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if errors:
            raise RuntimeError("%d of %d workload containers failed to start, first: %s"
                               % (len(errors), len(indexes), errors[0]))
        self.count = n
        return time.perf_counter() - start

    def cleanup(self):
        """Remove every container and network labelled dockersec.bench=1 (this run's and stale ones)."""
        start = time.perf_counter()
        flt = {"label": "%s=1" % LABEL}
        containers = self.client.containers.list(all=True, filters=flt)
        hosts = [c for c in containers if c.labels.get("dockersec.bench.role") == "host"]

        def drain(c):
            # Let the instance's own dockerd remove its containers (and their cgroups, which live
            # in this machine's cgroup tree: --cgroupns host) before the instance goes away.
            try:
                c.exec_run(["sh", "-c", "docker rm -f $(docker ps -aq) >/dev/null 2>&1; true"])
            except Exception:
                pass

        def remove(c):
            try:
                c.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
            except Exception as exc:
                log("could not remove %s: %s" % (c.name, exc))
        with ThreadPoolExecutor(max_workers=max(self.workers, 8)) as pool:
            list(pool.map(drain, hosts))
            list(pool.map(remove, containers))
        for net in self.client.networks.list(filters=flt):
            try:
                net.remove()
            except Exception as exc:
                log("could not remove network %s: %s" % (net.name, exc))
        self.count = 0
        if containers:
            log("removed %d benchmark containers in %.1f s" % (len(containers), time.perf_counter() - start))


# ----------------------------------------------------------------------------- measurements

def ansible_env(report_dir, extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "DOCKERSEC_REPORT_DIR": report_dir,
        "ANSIBLE_NOCOLOR": "1",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    })
    env.update(extra or {})
    return env


def run_gather(tmp):
    """The gather module alone, as a subprocess: (wall s, in-module s, docker collector s, peak RSS MB, facts)."""
    args = os.path.join(tmp, "module-args.json")
    with open(args, "w") as f:
        json.dump({"ANSIBLE_MODULE_ARGS": {"_ansible_check_mode": True}}, f)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS, LC_ALL="C")
    rc, wall, out, err, usage = RUNNER.run([sys.executable, MODULE, args], env=env)
    try:
        result = json.loads(out)
    except ValueError:
        raise RuntimeError("the gather module printed no JSON (rc %s): %s %s" % (rc, out[-500:], err[-500:]))
    if rc != 0 or result.get("failed"):
        raise RuntimeError("the gather module failed: %s" % result.get("msg"))
    facts = result["ansible_facts"]["dockersec"]
    docker_state = facts["collectors"].get("docker") or {}
    if not docker_state.get("ok"):
        raise RuntimeError("the docker collector failed: %s" % docker_state.get("error"))
    return wall, facts["seconds"], docker_state["seconds"], usage.ru_maxrss / 1024.0, facts


def run_eval(facts):
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
    start = time.perf_counter()
    audit.evaluate(facts, today=time.strftime("%Y-%m-%d"))
    return time.perf_counter() - start


def run_playbook(tmp, inventory=None, forks=None, extra_env=None, limit=None, extra_vars=None):
    """(wall s, CPU s of the whole process tree, machine CPU s) of the audit playbook end to end (check mode).

    ``extra_vars``: a dict passed as one more ``-e`` (JSON), after ``dockersec_become``."""
    report_dir = os.path.join(tmp, "reports")
    report = os.path.join(report_dir, "dockersec-report.json")
    if os.path.exists(report):
        os.unlink(report)
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK, "--check",
            "-e", "dockersec_become=%s" % ("true" if os.geteuid() == 0 else "false")]
    if inventory:
        argv += ["-i", inventory]
    if forks:
        argv += ["-f", str(forks)]
    if limit:
        argv += ["--limit", limit]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars, sort_keys=True)]
    busy0 = _cpu_times()
    rc, wall, out, err, usage = RUNNER.run(argv, env=ansible_env(report_dir, extra_env))
    busy1 = _cpu_times()
    if rc != 0:
        raise RuntimeError("audit playbook failed (rc %d):\n%s\n%s" % (rc, out[-3000:], err[-2000:]))
    if not os.path.exists(report):
        raise RuntimeError("the audit wrote no report in %s:\n%s" % (report_dir, out[-2000:]))
    # ansible-playbook reaps its workers, they reap the module processes: all in this rusage.
    machine = ((busy1[0] - busy1[1]) - (busy0[0] - busy0[1])) / float(os.sysconf("SC_CLK_TCK"))
    return wall, usage.ru_utime + usage.ru_stime, machine


def others_share(machine_cpu, own_cpu, wall):
    """Share of all CPUs that something else used during a measurement (dockerd serving us counts)."""
    return max(0.0, machine_cpu - own_cpu) / ((os.cpu_count() or 1) * wall)


def _cpu_times():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]), idle


def background_busy(interval=1.0):
    """Fraction of all CPUs busy over ``interval`` seconds, while this script does nothing."""
    t0, i0 = _cpu_times()
    time.sleep(interval)
    t1, i1 = _cpu_times()
    return 1.0 - (i1 - i0) / float(max(1, t1 - t0))


def settle(max_wait, threshold=0.10):
    """Wait (up to ``max_wait`` s) until the machine is quiet; returns the last busy fraction."""
    busy = background_busy(0.5)
    deadline = time.time() + max_wait
    while busy > threshold and time.time() < deadline:
        busy = background_busy(1.0)
    if busy > threshold:
        log("the machine is busy (%.0f%% CPU used by others): the numbers are noisy" % (100 * busy))
    return busy


def container_cpu(ids):
    """CPU seconds used so far inside the given containers (cgroup v1 cpuacct or v2 cpu.stat); None if unreadable."""
    total = 0.0
    for cid in ids:
        v1 = "/sys/fs/cgroup/cpuacct/docker/%s/cpuacct.usage" % cid
        v2 = "/sys/fs/cgroup/system.slice/docker-%s.scope/cpu.stat" % cid
        try:
            if os.path.exists(v1):
                with open(v1) as f:
                    total += int(f.read()) / 1e9
            else:
                with open(v2) as f:
                    total += next(int(ln.split()[1]) for ln in f if ln.startswith("usage_usec")) / 1e6
        except (IOError, OSError, StopIteration, ValueError):
            return None
    return total


def slope(points):
    """Least-squares slope of [(x, y)]."""
    if len(points) < 2:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    mx = sum(xs) / len(points)
    my = sum(ys) / len(points)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


def measure_sizes(bed, sizes, repeat, tmp, settle_s):
    rows = []
    for n in sizes:
        setup = bed.grow_to(n)
        if setup:
            log("started workload containers up to N=%d in %.1f s" % (n, setup))
        gathers, evals, plays, cpus, busy = [], [], [], [], []
        for r in range(repeat):
            settle(settle_s)
            g = run_gather(tmp)
            gathers.append(g)
            evals.append(run_eval(g[4]))
            wall, cpu, machine = run_playbook(tmp)
            plays.append(wall)
            cpus.append(cpu)
            busy.append(others_share(machine, cpu, wall))
            log("N=%d run %d/%d: playbook %.2f s (CPU %.2f s), gather %.2f s (docker %.2f s, %.0f MB), eval %.3f s"
                % (n, r + 1, repeat, wall, cpu, g[0], g[2], g[3], evals[-1]))
        seen = len(gathers[0][4]["docker"]["containers"])
        rows.append({
            "n": n, "seen": seen,
            "playbook": median(plays),
            "cpu": median(cpus),
            "busy": max(busy),
            "gather": median([g[0] for g in gathers]),
            "gather_inner": median([g[1] for g in gathers]),
            "docker": median([g[2] for g in gathers]),
            "rss": max(g[3] for g in gathers),
            "eval": median(evals),
        })
    for prev, row in zip([None] + rows[:-1], rows):
        if prev is None or row["seen"] == prev["seen"]:
            row["marg_play"] = row["marg_gather"] = None
            continue
        dn = float(row["seen"] - prev["seen"])
        row["marg_play"] = 1000.0 * (row["playbook"] - prev["playbook"]) / dn
        row["marg_gather"] = 1000.0 * (row["gather"] - prev["gather"]) / dn
    return rows


# ----------------------------------------------------------------------------- paired arms

# The comparison issue 21 asks for: the checklist alone against the default (checklist and cis).
DEFAULT_ARM_A = ("checklist only", {"dockersec_profiles": ["checklist"]})
DEFAULT_ARM_B = ("default profiles", {})
PAIRED_SIZES = "0,200,500"


def parse_arm(text, name):
    """(name, extra vars dict) of one arm from ``--arm-a``/``--arm-b``: a JSON object, ``@FILE`` of one, or ``{}``."""
    if text.startswith("@"):
        with open(text[1:]) as f:
            text = f.read()
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError("%s: not JSON (%s): %r" % (name, exc, text))
    if not isinstance(value, dict):
        raise ValueError("%s: extra vars must be a JSON object, not %s" % (name, type(value).__name__))
    return value


def _rel_pct(a, b):
    return 100.0 * (b - a) / a if a else None


def pair_order(arms, i):
    """The arms in the order pair ``i`` runs them: A B, then B A, ... (so neither arm always runs first)."""
    return list(arms) if i % 2 == 0 else list(reversed(arms))


def paired_row(n, seen, runs, busy):
    """One size's summary from ``runs`` = {"A": [(wall, cpu)], "B": [...]} of the same pairs."""
    a, b = runs["A"], runs["B"]
    med_a, med_b = median([w for w, _c in a]), median([w for w, _c in b])
    return {
        "n": n, "seen": seen, "pairs": min(len(a), len(b)),
        "a": med_a, "b": med_b,
        "a_cpu": median([c for _w, c in a]), "b_cpu": median([c for _w, c in b]),
        # Relative difference of the medians, and the median of each pair's own ratio (the paired estimate:
        # a slow moment of the machine slows both runs of a pair).
        "diff_pct": _rel_pct(med_a, med_b),
        # CPU of the playbook's process tree: what the arm costs, less moved by others' load than the wall time.
        "cpu_diff_pct": _rel_pct(median([c for _w, c in a]), median([c for _w, c in b])),
        "pair_ratio": median([wb / wa for (wa, _ca), (wb, _cb) in zip(a, b) if wa]),
        "busy": max(busy) if busy else None,
        "a_runs": [w for w, _c in a], "b_runs": [w for w, _c in b],
    }


def measure_paired(bed, sizes, pairs, arms, tmp, settle_s):
    """Alternating runs of the audit with each arm's extra vars, ``pairs`` pairs per size, same engine."""
    rows = []
    # One unmeasured run first: the first audit after a pause pays for cold caches (imports, the page cache).
    run_playbook(tmp, extra_vars=arms[0][1][1])
    for n in sizes:
        setup = bed.grow_to(n)
        if setup:
            log("started workload containers up to N=%d in %.1f s" % (n, setup))
        runs, busy = {"A": [], "B": []}, []
        for i in range(pairs):
            for key, (name, extra) in pair_order(arms, i):
                settle(settle_s)
                wall, cpu, machine = run_playbook(tmp, extra_vars=extra)
                runs[key].append((wall, cpu))
                busy.append(others_share(machine, cpu, wall))
                log("N=%d pair %d/%d, arm %s (%s): %.2f s (CPU %.2f s)" % (n, i + 1, pairs, key, name, wall, cpu))
        seen = len(bed.client.containers.list(all=True))
        rows.append(paired_row(n, seen, runs, busy))
    return rows


# ----------------------------------------------------------------------------- fleet

HOST_SETUP = r"""
set -e
mkdir -p /run/sshd /etc/docker
[ -s /etc/docker/daemon.json ] || echo '{"storage-driver": "vfs"}' > /etc/docker/daemon.json
pgrep -x dockerd >/dev/null || (setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &)
i=0
until docker info >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 120 ] || { tail -n 20 /var/log/dockerd.log; exit 1; }; sleep 0.5
done
"""

HOST_WORKLOADS = r"""
set -e
docker run -d --name w1 -l dockersec.bench=1 dockersec/workload:busybox >/dev/null
docker run -d --name w2 -l dockersec.bench=1 --user 1000 --read-only --tmpfs /tmp dockersec/workload:busybox >/dev/null
docker run -d --name w3 -l dockersec.bench=1 --memory 64m --cpus 0.25 --pids-limit 64 \
  --cap-drop ALL --security-opt no-new-privileges:true dockersec/workload:busybox >/dev/null
docker run -d --name w4 -l dockersec.bench=1 -p 127.0.0.1:18080:8080 -e DB_PASSWORD=%s dockersec/workload:busybox >/dev/null
docker network create benchnet >/dev/null
docker run -d --name w5 -l dockersec.bench=1 --network benchnet --user 1000:1000 dockersec/workload:busybox >/dev/null
"""


def start_host(client, run_id, i):
    """One Docker-host instance running its own dockerd with 5 workload containers; returns its name."""
    name = "dockersec-bench-%s-host%d" % (run_id, i)
    c = client.containers.run(
        HOST_IMAGE, ["/usr/bin/docker-init", "--", "/bin/sleep", "infinity"], name=name, hostname=name,
        detach=True, labels={LABEL: "1", RUN_LABEL: run_id, "dockersec.bench.role": "host"},
        cap_add=list(HOST_CAPS), security_opt=["seccomp=unconfined", "apparmor=unconfined"], cgroupns="host",
        volumes={"/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"},
                 "/lib/modules": {"bind": "/lib/modules", "mode": "ro"}},
        tmpfs={"/run": "", "/tmp": ""})
    rc, out = c.exec_run(["bash", "-c", HOST_SETUP])
    if rc != 0:
        raise RuntimeError("%s: dockerd did not start: %s" % (name, out.decode("utf-8", "replace")[-1500:]))
    # docker load inside the instance, fed with the saved workload image.
    if os.path.exists(WORKLOAD_TAR):
        rc, _wall, out, err, _cpu = RUNNER_FLEET.run(["docker", "exec", "-i", name, "docker", "load"], stdin_path=WORKLOAD_TAR)
    else:
        rc, out = subprocess.call(["bash", "-c", "docker save %s | docker exec -i %s docker load" % (
            WORKLOAD_IMAGE, name)]), ""
        err = ""
    if rc != 0:
        raise RuntimeError("%s: docker load failed: %s %s" % (name, out, err))
    rc, out = c.exec_run(["sh", "-c", HOST_WORKLOADS % secrets.token_hex(12)])
    if rc != 0:
        raise RuntimeError("%s: workload containers failed: %s" % (name, out.decode("utf-8", "replace")[-1500:]))
    return name


class _PlainRunner(Runner):
    """For setup commands run from worker threads (not the measured ones)."""

    def run(self, argv, env=None, cwd=ROOT, stdin_path=None):
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            p = subprocess.run(argv, env=env, cwd=cwd, stdin=stdin, capture_output=True, check=False)
        finally:
            if stdin_path:
                stdin.close()
        return p.returncode, 0.0, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), None


RUNNER_FLEET = _PlainRunner()


def write_inventory(path, names):
    lines = ["all:", "  hosts:"]
    for n in names:
        lines += ["    %s:" % n, "      ansible_connection: community.docker.docker",
                  "      ansible_host: %s" % n, "      ansible_python_interpreter: /usr/bin/python3"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def measure_fleet(client, run_id, fleet, repeat, tmp, pipelining_compare, settle_s):
    hmax = max(fleet)
    start = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=min(hmax, 4))
    try:
        names = list(pool.map(lambda i: start_host(client, run_id, i), range(hmax)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    ids = dict((n, client.containers.get(n).id) for n in names)
    log("started %d Docker-host instances (own dockerd, 5 containers each) in %.1f s"
        % (hmax, time.perf_counter() - start))
    rows = []
    variants = [("shipped ansible.cfg", None)]
    if pipelining_compare:
        variants.append(("+ ANSIBLE_PIPELINING=1", {"ANSIBLE_PIPELINING": "1"}))
    for label, extra in variants:
        for h in fleet:
            inv = os.path.join(tmp, "fleet-%d.yml" % h)
            write_inventory(inv, names[:h])
            walls, cpus, busy = [], [], []
            for r in range(repeat):
                settle(settle_s)
                before = container_cpu([ids[n] for n in names[:h]])
                wall, cpu, machine = run_playbook(tmp, inventory=inv, forks=h, extra_env=extra)
                after = container_cpu([ids[n] for n in names[:h]])
                walls.append(wall)
                # Controller (playbook tree) + what ran inside the H instances (the gather module).
                cpus.append(cpu + after - before if before is not None and after is not None else None)
                busy.append(others_share(machine, cpus[-1] if cpus[-1] is not None else cpu, wall))
                log("fleet H=%d (%s) run %d/%d: %.2f s (CPU %s s)"
                    % (h, label, r + 1, repeat, wall, fmt(cpus[-1], ".2f")))
            known = [c for c in cpus if c is not None]
            rows.append({"variant": label, "h": h, "wall": median(walls), "cpu": median(known) if known else None,
                         "busy": max(busy)})
    for row in rows:
        one = next((r["wall"] for r in rows if r["variant"] == row["variant"] and r["h"] == 1), None)
        row["ratio"] = row["wall"] / one if one else None
    return rows


# ----------------------------------------------------------------------------- output

def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def table(rows):
    head = ("| N | containers seen | audit.yml s | audit.yml CPU s | gather module s | docker collector s "
            "| gather peak RSS MB | eval s | marginal ms/ctr (audit) | marginal ms/ctr (gather) | others' CPU % during |")
    out = [head, "|" + "---|" * 11]
    for r in rows:
        out.append("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["n"], r["seen"], fmt(r["playbook"], ".2f"), fmt(r.get("cpu"), ".2f"), fmt(r["gather"], ".2f"),
            fmt(r["docker"], ".2f"), fmt(r["rss"], ".0f"), fmt(r["eval"], ".3f"), fmt(r["marg_play"], ".1f"),
            fmt(r["marg_gather"], ".1f"), fmt(100 * r["busy"] if r.get("busy") is not None else None, ".0f")))
    pts_p = [(r["seen"], r["playbook"]) for r in rows]
    pts_g = [(r["seen"], r["gather"]) for r in rows]
    pts_c = [(r["seen"], r["cpu"]) for r in rows if r.get("cpu") is not None]
    sp, sg, sc = slope(pts_p), slope(pts_g), slope(pts_c)
    if sp is not None:
        out.append("")
        cpu_ms = fmt(sc * 1000 if sc is not None else None, ".1f")
        out.append("Least-squares marginal cost over all sizes: %.1f ms/container end to end (%s ms of CPU), "
                   "%.1f ms/container in the gather module." % (1000 * sp, cpu_ms, 1000 * sg))
    return "\n".join(out)


def fleet_table(rows):
    out = ["| config | H (forks = H) | audit.yml s | s per host | x one host | CPU s (controller + hosts) "
           "| others' CPU % during |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| %s | %d | %.2f | %.2f | %s | %s | %s |" % (
            r["variant"], r["h"], r["wall"], r["wall"] / r["h"], fmt(r["ratio"], ".2f"), fmt(r.get("cpu"), ".2f"),
            fmt(100 * r["busy"] if r.get("busy") is not None else None, ".0f")))
    return "\n".join(out)


def verdicts(rows, fleet_rows):
    out = []
    pts = [(r["seen"], r["playbook"]) for r in rows]
    sp = slope(pts)
    if sp is not None and max(p[0] for p in pts) - min(p[0] for p in pts) < 100:
        out.append("marginal cost: not judged (sizes span under 100 containers: run --sizes 0,50,200,500)")
    elif sp is not None:
        out.append("marginal cost <= 10 ms/container: %s (%.1f ms)" % ("MET" if sp * 1000 <= 10 else "MISSED", sp * 1000))
    big = [r for r in rows if r["n"] >= 500]
    if big:
        verdict = "MET" if big[-1]["playbook"] < 15 else "MISSED"
        out.append("500 containers end to end < 15 s: %s (%.2f s)" % (verdict, big[-1]["playbook"]))
    shipped = [r for r in fleet_rows if r["variant"] == "shipped ansible.cfg" and r["h"] == 8]
    if shipped:
        verdict = "MET" if shipped[0]["ratio"] < 3 else "MISSED"
        out.append("8 hosts at forks 8 < 3x one host: %s (%.2fx)" % (verdict, shipped[0]["ratio"]))
    return "\n".join(out)


def paired_table(rows, arms):
    """The paired comparison as docs/performance.md shows it."""
    (name_a, extra_a), (name_b, extra_b) = [a for _k, a in arms]
    out = ["A = %s (`-e '%s'`), B = %s (`-e '%s'`); runs alternate A B / B A, same engine and containers."
           % (name_a, json.dumps(extra_a, sort_keys=True), name_b, json.dumps(extra_b, sort_keys=True)), "",
           "| N | containers seen | pairs | A audit.yml s (median) | B audit.yml s (median) | B vs A | "
           "B/A per pair (median) | A CPU s | B CPU s | B vs A (CPU) | others' CPU % during |",
           "|" + "---|" * 11]
    for r in rows:
        out.append("| %d | %d | %d | %s | %s | %s %% | %s | %s | %s | %s %% | %s |" % (
            r["n"], r["seen"], r["pairs"], fmt(r["a"], ".2f"), fmt(r["b"], ".2f"), fmt(r["diff_pct"], "+.1f"),
            fmt(r["pair_ratio"], ".3f"), fmt(r["a_cpu"], ".2f"), fmt(r["b_cpu"], ".2f"), fmt(r["cpu_diff_pct"], "+.1f"),
            fmt(100 * r["busy"] if r.get("busy") is not None else None, ".0f")))
    return "\n".join(out)


def paired_verdict(rows, max_pct):
    """MET when B's median is at most ``max_pct`` % above A's at every size."""
    if not rows:
        return ""
    worst = max(rows, key=lambda r: r["diff_pct"] if r["diff_pct"] is not None else float("inf"))
    ok = all(r["diff_pct"] is not None and r["diff_pct"] <= max_pct for r in rows)
    return "B at most %g %% slower than A at every size: %s (worst %s %% at N=%d)" % (
        max_pct, "MET" if ok else "MISSED", fmt(worst["diff_pct"], "+.1f"), worst["n"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", help="workload container counts (default 0,50,200,500; with --paired %s)" % PAIRED_SIZES)
    ap.add_argument("--fleet", default="1,4,8", help="Docker-host instance counts for the fleet timing (default 1,4,8)")
    ap.add_argument("--no-fleet", action="store_true", help="skip the fleet timing")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    ap.add_argument("--workers", type=int, default=6, help="threads creating containers (default 6)")
    ap.add_argument("--keep", action="store_true", help="leave the containers running at the end (not on Ctrl-C)")
    ap.add_argument("--pipelining-compare", action="store_true",
                    help="also time the fleet with ANSIBLE_PIPELINING=1 (the shipped ansible.cfg's [ssh_connection] "
                         "pipelining does not reach the docker connection)")
    ap.add_argument("--settle", type=float, default=0, metavar="SECONDS",
                    help="before each measurement wait up to SECONDS for the machine to be quiet (others using "
                         "under 10%% CPU); the busy share is reported either way (default 0: no wait)")
    ap.add_argument("--json", metavar="PATH", help="also write the raw numbers as JSON")
    paired = ap.add_argument_group("paired comparison of two sets of extra vars (replaces the size and fleet tables)")
    paired.add_argument("--paired", action="store_true",
                        help="at each size alternate audit runs of arm A and arm B (A B, B A, ...) and compare medians")
    paired.add_argument("--pairs", type=int, default=5, help="pairs of runs per size (default 5)")
    paired.add_argument("--arm-a", default=json.dumps(DEFAULT_ARM_A[1]), metavar="JSON",
                        help="arm A's extra vars: a JSON object or @FILE (default %s)" % json.dumps(DEFAULT_ARM_A[1]))
    paired.add_argument("--arm-b", default=json.dumps(DEFAULT_ARM_B[1]), metavar="JSON",
                        help="arm B's extra vars (default {}: the collection's defaults)")
    paired.add_argument("--arm-a-name", default=DEFAULT_ARM_A[0], help="arm A's name in the table")
    paired.add_argument("--arm-b-name", default=DEFAULT_ARM_B[0], help="arm B's name in the table")
    paired.add_argument("--max-slowdown", type=float, default=10.0, metavar="PCT",
                        help="the target: B's median at most PCT %% above A's at every size (default 10)")
    args = ap.parse_args(argv)
    sizes_text = args.sizes or (PAIRED_SIZES if args.paired else "0,50,200,500")
    sizes = sorted(set(int(x) for x in sizes_text.split(",") if x.strip()))
    fleet = [] if args.no_fleet or args.paired else sorted(set(int(x) for x in args.fleet.split(",") if x.strip()))
    if any(n < 0 for n in sizes) or any(h < 1 for h in fleet) or args.repeat < 1 or args.pairs < 1:
        ap.error("sizes must be >= 0, fleet sizes >= 1, repeat >= 1, pairs >= 1")
    arms = []
    if args.paired:
        try:
            arms = [("A", (args.arm_a_name, parse_arm(args.arm_a, "--arm-a"))),
                    ("B", (args.arm_b_name, parse_arm(args.arm_b, "--arm-b")))]
        except (ValueError, IOError, OSError) as exc:
            ap.error(str(exc))
    for path in (MODULE, os.path.join(COLLECTIONS, "ansible_collections", "dockersec", "hardening")):
        if not os.path.exists(path):
            sys.exit("%s is missing: run `make venv-dev link` first" % path)

    lock = take_lock()
    client = docker.from_env(timeout=120)
    try:
        client.ping()
    except Exception as exc:
        sys.exit("no Docker engine answers: %s (make testbed)" % exc)
    for image in [WORKLOAD_IMAGE] + ([HOST_IMAGE] if fleet else []):
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            sys.exit("image %s is missing: run `make testbed` first" % image)

    run_id = "%x" % (int(time.time()) & 0xffffff)
    bed = Bed(client, run_id, args.workers)
    install_signal_handlers()
    rows, fleet_rows, paired_rows, status = [], [], [], 0
    tmp = tempfile.mkdtemp(prefix="dockersec-bench-")
    load_before = os.getloadavg()
    try:
        bed.cleanup()  # what a killed earlier run left (we hold the lock: nobody else's)
        started = time.perf_counter()
        if args.paired:
            paired_rows = measure_paired(bed, sizes, args.pairs, arms, tmp, args.settle)
        elif sizes:
            rows = measure_sizes(bed, sizes, args.repeat, tmp, args.settle)
            if not args.keep:
                bed.cleanup()
        if fleet:
            fleet_rows = measure_fleet(client, run_id, fleet, args.repeat, tmp, args.pipelining_compare,
                                       args.settle)
        total = time.perf_counter() - started
    except Interrupted as exc:
        log("interrupted (%s): cleaning up" % exc)
        status = 130
    except Exception as exc:
        log("FAILED: %s" % exc)
        status = 1
    finally:
        ignore_signals()
        if status or not args.keep:
            bed.cleanup()
        else:
            log("--keep: containers labelled %s=1 left running (docker rm -f $(docker ps -aq -f label=%s=1))"
                % (LABEL, LABEL))
        subprocess.call(["rm", "-rf", tmp])
        os.close(lock)
    if status:
        return status

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    info = client.version()
    print()
    print("dockersec benchmark: %d cores (%s), Docker %s, Python %s, %s; %s; total %.0f s"
          % (os.cpu_count(), cpu or platform.machine(), info.get("Version"), platform.python_version(),
             "ansible-core " + _ansible_version(),
             "%d pair(s) per size" % args.pairs if args.paired else "median of %d run(s)" % args.repeat, total))
    # Anything else running skews the numbers: the 1-minute load before and after tells.
    print("load average (1 min) before %.2f, after %.2f" % (load_before[0], os.getloadavg()[0]))
    if rows:
        print()
        print(table(rows))
    if paired_rows:
        print()
        print(paired_table(paired_rows, arms))
        print()
        print(paired_verdict(paired_rows, args.max_slowdown))
    if fleet_rows:
        print()
        print(fleet_table(fleet_rows))
    v = verdicts(rows, fleet_rows)
    if v:
        print()
        print(v)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sizes": rows, "fleet": fleet_rows, "repeat": args.repeat, "paired": paired_rows,
                       "arms": dict(arms), "pairs": args.pairs if args.paired else None}, f, indent=2)
    return 0


def _ansible_version():
    try:
        from ansible.release import __version__
        return __version__
    except ImportError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
