#!/usr/bin/python3
"""CPU time a server has used so far, from /proc: prints seconds (user + system) on stdout.

usage: cpu_seconds.py PID           one process (sluiced): utime + stime of all its threads
       cpu_seconds.py --tree PID    PID and its direct children (the Postfix master and its smtpd,
                                    cleanup, qmgr, smtp, ... processes)

For each process counted: utime + stime (all its threads, /proc/PID/stat fields 14-15) plus
cutime + cstime (fields 16-17: every child it has already reaped). The Postfix master reaps its
children as they exit (an smtpd after max_use sessions, an idle smtp after max_idle), so their
CPU time moves from the live child into the master's cutime/cstime and is counted exactly once.
A child that exits between reading it and reading the master would be counted twice (or, read
the other way round, not at all): the master is read before and after its children, and the
reading is repeated if its cutime/cstime changed in between. Zombies still show their times.

The difference of two readings is the CPU time the server used between them, with the
resolution of the clock tick (usually 10 ms). Work the kernel does on behalf of a process
(system calls, fsync, the loopback TCP stack in its context) is its stime; softirq work that
happens to run while another process is on the CPU is charged to that process.
"""
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """Fields after the command name of /proc/PID/stat (fields[0] is field 3, state); None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may hold spaces: fields follow the last ')'.
    return stat[stat.rfind(")") + 2:].split()


def ticks(fields):
    """utime + stime + cutime + cstime (fields 14-17, i.e. indexes 11-14 here)."""
    return sum(int(v) for v in fields[11:15])


def reaped(fields):
    return int(fields[13]) + int(fields[14])


def tree_ticks(root):
    for _ in range(20):
        before = stat_fields(root)
        if before is None:
            sys.exit(f"cpu_seconds: no process {root}")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == root:
                continue
            fields = stat_fields(entry)
            if fields is not None and int(fields[1]) == root:  # field 4: the parent's pid
                total += ticks(fields)
        after = stat_fields(root)
        if after is not None and reaped(after) == reaped(before):
            return total + ticks(after)
    sys.exit(f"cpu_seconds: the children of {root} kept exiting while being read")


def main(argv):
    args = argv[1:]
    tree = bool(args) and args[0] == "--tree"
    if tree:
        args = args[1:]
    if len(args) != 1 or not args[0].isdigit():
        sys.exit(__doc__)
    pid = int(args[0])
    if tree:
        total = tree_ticks(pid)
    else:
        fields = stat_fields(pid)
        if fields is None:
            sys.exit(f"cpu_seconds: no process {pid}")
        total = ticks(fields)
    print(f"{total / TICK:.2f}")


if __name__ == "__main__":
    main(sys.argv)
