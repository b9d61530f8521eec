# SPDX-License-Identifier: MIT
"""pool.py METHOD [WORKERS]: a Python multiprocessing pool.

A Pool of WORKERS processes (default 4) started with METHOD (fork, spawn or forkserver). Each
worker's initializer burns a fixed amount of CPU, so every worker process does CPU work
whatever way the tasks are spread; then 16 CPU tasks are mapped over the pool.

stdout: the method, the workers and the tasks' results, identical from run to run.
stderr: "main PID", "worker PID" for each worker and "helper PID" for each helper process
multiprocessing started (the forkserver, the resource tracker), for the test to check the
processes a profiler saw.
"""
import multiprocessing as mp
import os
import sys


def burn(n):
    x = 1
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


def init():
    sys.stderr.write("worker %d\n" % os.getpid())
    sys.stderr.flush()
    burn(1_000_000)


def task(i):
    return burn(300_000 + i)


def helpers():
    """Pids of the helper processes multiprocessing started in this process, if any."""
    pids = []
    from multiprocessing import resource_tracker
    rt = getattr(resource_tracker, "_resource_tracker", None)
    if rt is not None and getattr(rt, "_pid", None):
        pids.append(rt._pid)
    if mp.get_start_method() == "forkserver":
        from multiprocessing import forkserver
        fs = getattr(forkserver, "_forkserver", None)
        if fs is not None and getattr(fs, "_forkserver_pid", None):
            pids.append(fs._forkserver_pid)
    return pids


def main():
    method = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    mp.set_start_method(method)
    sys.stderr.write("main %d\n" % os.getpid())
    sys.stderr.flush()
    pool = mp.Pool(n, initializer=init)
    res = pool.map(task, range(16), chunksize=1)
    # close + join: the workers finish and exit by themselves (terminate() would kill them).
    pool.close()
    pool.join()
    for pid in helpers():
        sys.stderr.write("helper %d\n" % pid)
    print("method %s" % method)
    print("workers %d" % n)
    print("results %s" % " ".join("%08x" % r for r in res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
