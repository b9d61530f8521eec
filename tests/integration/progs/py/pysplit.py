# SPDX-License-Identifier: MIT
"""pysplit.py TASKS: a fork pool of 2 workers mapping TASKS tasks; each task burns 2 units of
its worker's CPU time in heavy(), which recurses 25 deep first, and 1 unit in light(): a 2:1
split by construction (units are measured on the thread's CPU clock, not the wall clock).

stdout: one line, the number of tasks done.
"""
import multiprocessing as mp
import sys
import time

UNIT = 0.02  # CPU seconds


def spin(sec):
    end = time.thread_time() + sec
    x = 0
    while time.thread_time() < end:
        for i in range(100):
            x += i
    return x


def heavy(depth, sec):
    if depth:
        return heavy(depth - 1, sec) + 1
    return spin(sec)


def light(sec):
    return spin(sec)


def task(i):
    return heavy(25, 2 * UNIT) + light(UNIT) + i


def main():
    n = int(sys.argv[1])
    with mp.get_context("fork").Pool(2) as pool:
        done = len(pool.map(task, range(n), chunksize=1))
    print("tasks %d" % done)


if __name__ == "__main__":
    main()
