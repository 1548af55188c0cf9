# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A/B of the gather module between two checkouts of this collection, on this machine's engine.

Starts N workload containers (label dockersec.abtest=1, removed at the end), then runs each
checkout's plugins/modules/docker_host_facts.py (the docker collector only) as a subprocess,
alternating between the two, REPS times each, and prints the medians of the module's wall time,
its CPU time and the docker collector's own seconds. Interleaving keeps a busy machine's noise
out of the difference. Run it at two sizes to get the marginal cost per container:

    .venv/bin/python benchmarks/compare_gather.py --before ../old-checkout --after . --sizes 0,200

Each checkout needs its .collections link (`make link`).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

WORKLOAD_IMAGE = "dockersec/workload:busybox"
LABEL = "dockersec.abtest"


def run_module(tree, python):
    env = dict(os.environ, PYTHONPATH=os.path.join(tree, ".collections"))
    args = json.dumps({"ANSIBLE_MODULE_ARGS": {"collectors": ["docker"]}})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    proc = subprocess.run([python, os.path.join(tree, "plugins", "modules", "docker_host_facts.py")], input=args,
                          capture_output=True, text=True, env=env, check=False)
    wall = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    facts = json.loads(proc.stdout)["ansible_facts"]["dockersec"]
    state = facts["collectors"]["docker"]
    if not state["ok"]:
        raise RuntimeError("%s: the docker collector failed: %s" % (tree, state["error"]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, state["seconds"], len(facts["docker"]["containers"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the checkout to compare against")
    ap.add_argument("--after", default=".", help="the checkout under test (default: this one)")
    ap.add_argument("--sizes", default="0,200", help="container counts (default 0,200)")
    ap.add_argument("--repeat", type=int, default=7, help="runs per checkout and size (default 7)")
    opts = ap.parse_args()
    trees = [("before", os.path.abspath(opts.before)), ("after", os.path.abspath(opts.after))]
    sizes = sorted(int(s) for s in opts.sizes.split(","))
    ids, table = [], {}
    try:
        for n in sizes:
            while len(ids) < n:
                ids.append(subprocess.run(["docker", "run", "-d", "-l", "%s=1" % LABEL, WORKLOAD_IMAGE],
                                          capture_output=True, text=True, check=True).stdout.strip())
            runs = dict((name, []) for name, _tree in trees)
            for _rep in range(opts.repeat):
                for name, tree in trees:
                    runs[name].append(run_module(tree, sys.executable))
            table[n] = dict((name, [statistics.median(r[i] for r in rows) for i in range(3)])
                            for name, rows in runs.items())
    finally:
        if ids:
            subprocess.run(["docker", "rm", "-f"] + ids, capture_output=True, check=False)
    print("gather module, docker collector only: median of %d interleaved runs; load average %.1f"
          % (opts.repeat, os.getloadavg()[0]))
    print("| N | checkout | module wall s | module CPU s | docker collector s |")
    print("|---|---|---|---|---|")
    for n in sizes:
        for name, _tree in trees:
            print("| %d | %s | %.3f | %.3f | %.3f |" % ((n, name) + tuple(table[n][name])))
    if len(sizes) > 1 and sizes[-1] > sizes[0]:
        lo, hi = sizes[0], sizes[-1]
        for name, _tree in trees:
            wall = 1000.0 * (table[hi][name][0] - table[lo][name][0]) / (hi - lo)
            collector = 1000.0 * (table[hi][name][2] - table[lo][name][2]) / (hi - lo)
            print("marginal %s: %.2f ms/container (module wall), %.2f ms/container (docker collector)"
                  % (name, wall, collector))


if __name__ == "__main__":
    main()
