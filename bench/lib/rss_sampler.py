#!/usr/bin/python3
"""Memory of a server while a benchmark runs: samples /proc until SIGTERM, then prints figures.

usage: rss_sampler.py [--interval S] PID          one process (sluiced)
       rss_sampler.py [--interval S] --tree PID   PID and its direct children (Postfix master and
                                                   its smtpd, cleanup, qmgr, ... processes)

Prints one line of key=value (kilobytes):
  peak_rss_kb   largest sum of VmRSS over the processes alive at one sample
  peak_pss_kb   largest sum of Pss (smaps_rollup) at one sample: shared pages (libraries, the
                text of 100 smtpd processes) are counted once in total instead of once per process
  hwm_kb        largest sum of VmHWM (the kernel's own per-process peak RSS) at one sample; for a
                single process this is exactly its VmHWM, also between samples
  peak_procs    most processes alive at one sample
  samples       number of samples taken
Reads only /proc; one sample every 0.5 s costs well under 1% of a core even for 200 processes.
"""
import os
import signal
import sys
import time


def read_status_kb(pid, keys):
    """{key: kB} from /proc/PID/status for the keys asked; {} if the process is gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in keys:
                    values[name] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        return {}
    return values


def read_pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass
    return 0


def children_of(parent):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


def main(argv):
    interval = 0.5
    tree = False
    args = argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--interval":
            interval = float(args[1])
            args = args[2:]
        elif args[0] == "--tree":
            tree = True
            args = args[1:]
        else:
            sys.exit(f"rss_sampler: unknown option {args[0]}")
    if len(args) != 1:
        sys.exit(__doc__)
    root = int(args[0])

    stop = False

    def on_term(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    peak = {"rss": 0, "pss": 0, "hwm": 0, "procs": 0}
    samples = 0
    while True:
        pids = [root] + (children_of(root) if tree else [])
        rss = pss = hwm = procs = 0
        for pid in pids:
            status = read_status_kb(pid, ("VmRSS", "VmHWM"))
            if not status:
                continue
            procs += 1
            rss += status.get("VmRSS", 0)
            hwm += status.get("VmHWM", 0)
            pss += read_pss_kb(pid)
        if procs:
            samples += 1
            for key, value in (("rss", rss), ("pss", pss), ("hwm", hwm), ("procs", procs)):
                peak[key] = max(peak[key], value)
        if stop:
            break
        time.sleep(interval)
    print(f"peak_rss_kb={peak['rss']} peak_pss_kb={peak['pss']} hwm_kb={peak['hwm']} "
          f"peak_procs={peak['procs']} samples={samples}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
