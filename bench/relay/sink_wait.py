#!/usr/bin/python3
"""Wait until an smtp-sink has received COUNT messages; print the time it did.

usage: sink_wait.py [--timeout S] [--client-status FILE] [--pid PID]... COUNTER_FILE COUNT

COUNTER_FILE is the stdout of `smtp-sink -c`: a running counter "sess=N quit=N mesg=N" rewritten
(after a carriage return) whenever a session ends, a QUIT is executed or a final "." is received,
flushed each time. Every 50 ms the end of the file is read; once mesg >= COUNT this prints the
time (seconds since the epoch, the clock of `date +%s.%N`) and exits 0.

Gives up, printing "count=N" (the last count seen), with exit status
  1  after --timeout seconds (default 600);
  2  when --client-status FILE exists and holds a non-zero exit status (the client failed, so
     the count will never be reached);
  3  when a --pid process (the server under test, the sink) is gone.
"""
import os
import re
import sys
import time

COUNTER = re.compile(rb"mesg=(\d+)")


def last_count(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 128))
            found = COUNTER.findall(f.read())
    except FileNotFoundError:
        return 0
    return int(found[-1]) if found else 0


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent, e.g. the shell) is gone too.
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rfind(")") + 2] != "Z"
    except FileNotFoundError:
        return False


def main(argv):
    timeout = 600.0
    status_file = None
    pids = []
    args = argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--timeout":
            timeout = float(args[1])
        elif args[0] == "--client-status":
            status_file = args[1]
        elif args[0] == "--pid":
            pids.append(int(args[1]))
        else:
            sys.exit(f"sink_wait: unknown option {args[0]}")
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    path, want = args[0], int(args[1])
    deadline = time.monotonic() + timeout
    while True:
        count = last_count(path)
        if count >= want:
            print(f"{time.time():.6f}")
            return 0
        if time.monotonic() > deadline:
            print(f"count={count}")
            return 1
        if status_file:
            try:
                with open(status_file) as f:
                    status = f.read().strip()
                if status and status != "0":
                    # The last messages may still be on their way: look once more, then give up.
                    time.sleep(1)
                    if last_count(path) < want:
                        print(f"count={last_count(path)}")
                        return 2
            except FileNotFoundError:
                pass
        if any(not alive(pid) for pid in pids):
            time.sleep(0.2)
            count = last_count(path)
            if count >= want:
                print(f"{time.time():.6f}")
                return 0
            print(f"count={count}")
            return 3
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
