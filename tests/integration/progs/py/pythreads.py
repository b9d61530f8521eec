# SPDX-License-Identifier: MIT
"""pythreads.py SECONDS: three threads, each in a function of its own for SECONDS of its CPU
time: t_alpha and t_gamma in pure Python (they take turns with the GIL), t_beta hashing
4 MiB buffers with hashlib, which releases the GIL, so that it runs on CPU while another
thread holds it.

stdout: one line per thread, in a fixed order.
"""
import hashlib
import sys
import threading
import time


def busy(sec):
    end = time.thread_time() + sec
    x = 0
    while time.thread_time() < end:
        for i in range(100):
            x += i
    return x


def t_alpha(sec, out):
    out["alpha"] = busy(sec) > 0


def t_beta(sec, out):
    buf = b"x" * (4 << 20)
    end = time.thread_time() + sec
    n = 0
    while time.thread_time() < end:
        hashlib.sha256(buf).digest()
        n += 1
    out["beta"] = n > 0


def t_gamma(sec, out):
    out["gamma"] = busy(sec) > 0


def main():
    sec = float(sys.argv[1])
    out = {}
    ts = [threading.Thread(target=f, args=(sec, out)) for f in (t_alpha, t_beta, t_gamma)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for k in ("alpha", "beta", "gamma"):
        print(k, out[k])


if __name__ == "__main__":
    main()
