# SPDX-License-Identifier: MIT
"""pyreuse.py N SECONDS: N functions f_0, f_1, ... made one after the other from one template
(code.replace with a new name), each run for SECONDS of CPU time and then dropped, so that
the interpreter frees each code object, and its name, before it makes the next: the new
ones mostly land at the freed ones' addresses. A profiler that named a code object by its
address alone would credit f_i's time to an earlier f_j.

stdout: "functions N", then "code reused K" and "name reused M": how many code objects and
name strings took an address a dropped one had had (by id()), for the test to know that the
case it means to make happened.
"""
import sys
import time
import types


def template(sec):
    end = time.thread_time() + sec
    x = 0
    while time.thread_time() < end:
        for j in range(100):
            x += j
    return x


def make(i):
    name = "f_%d" % i
    extra = {"co_qualname": name} if hasattr(template.__code__, "co_qualname") else {}
    code = template.__code__.replace(co_name=name, **extra)
    return types.FunctionType(code, globals(), name)


def main():
    n, sec = int(sys.argv[1]), float(sys.argv[2])
    codes, names, code_reused, name_reused = set(), set(), 0, 0
    for i in range(n):
        f = make(i)
        c, s = id(f.__code__), id(f.__code__.co_name)
        code_reused += c in codes
        name_reused += s in names
        codes.add(c)
        names.add(s)
        f(sec)
        del f
    print("functions %d" % n)
    print("code reused %d" % code_reused)
    print("name reused %d" % name_reused)


if __name__ == "__main__":
    main()
