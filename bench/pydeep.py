# SPDX-License-Identifier: MIT
"""pydeep.py SECONDS [FRAMES]: burns SECONDS of its CPU time FRAMES Python frames deep
(default 30: <module>, main, FRAMES - 3 levels of recursion, then spin), for the benchmark's
cost of the Python walk per sample. stdout: one line, the frames."""
import sys
import time


def spin(sec):
    end = time.thread_time() + sec
    x = 0
    while time.thread_time() < end:
        for i in range(200):
            x += i
    return x


def level(n, sec):
    if n:
        return level(n - 1, sec)
    return spin(sec)


def main():
    sec = float(sys.argv[1])
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    level(frames - 4, sec)	# levels 0..frames-4: frames - 3 level frames
    print("frames %d" % frames)


if __name__ == "__main__":
    main()
