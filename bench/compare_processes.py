#!/usr/bin/python3
"""Runs two commands alternately, N times each, as whole processes, and prints
the median wall time and peak memory (max RSS, from wait4) of each and their
ratio. usage: compare_processes.py N NAME_A 'CMD A' NAME_B 'CMD B'"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def measure(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"'{cmd}' failed with status {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def main():
    n = int(sys.argv[1])
    (name_a, cmd_a), (name_b, cmd_b) = zip(sys.argv[2::2], sys.argv[3::2])
    times = {name_a: [], name_b: []}
    rss = {name_a: 0.0, name_b: 0.0}
    for _ in range(n):
        for name, cmd in ((name_a, cmd_a), (name_b, cmd_b)):
            wall, mib = measure(cmd)
            times[name].append(wall)
            rss[name] = max(rss[name], mib)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name in (name_a, name_b):
        print(f"{name:>12}: median {med[name] * 1000:9.1f} ms over {n} runs, peak RSS {rss[name]:7.1f} MiB")
    print(f"{'ratio':>12}: {name_b} / {name_a} = {med[name_b] / med[name_a]:.1f}x time, "
          f"{rss[name_b] / rss[name_a]:.1f}x memory")


main()
