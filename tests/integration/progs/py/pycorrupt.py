# SPDX-License-Identifier: MIT
"""pycorrupt.py TS_FRAME CF_FRAME FR_BACK: corrupts its own Python frame chain for a while.

With ctypes it finds the current frame (the thread state's frame, through the CFrame when
CF_FRAME >= 0: the offsets of this interpreter's version, from preload/pyversions.h) and
points its caller's "previous frame" link at 0x8000, an address below the kernel's
mmap_min_addr that is never mapped, so that any walk of the chain faults there. It burns
0.5 s of CPU in corrupted() like that, puts the link back before anything could follow it,
then burns 0.3 s in healthy(). The interpreter itself reads the link only when the caller
returns, after it was restored.

stdout: "restored" once the link is back.
"""
import ctypes
import sys
import time

BAD = 0x8000


def busy(sec):
    end = time.thread_time() + sec
    x = 0
    while time.thread_time() < end:
        for i in range(100):
            x += i
    return x


def current_frame(ts_frame, cf_frame):
    get = ctypes.pythonapi.PyThreadState_Get
    get.restype = ctypes.c_void_p
    ptr = ctypes.c_void_p.from_address(get() + ts_frame).value
    if cf_frame >= 0:
        ptr = ctypes.c_void_p.from_address(ptr + cf_frame).value
    return ptr


def corrupted(ts_frame, cf_frame, fr_back):
    me = current_frame(ts_frame, cf_frame)  # this function's frame
    caller = ctypes.c_void_p.from_address(me + fr_back).value
    link = ctypes.c_void_p.from_address(caller + fr_back)
    saved = link.value
    link.value = BAD
    busy(0.5)
    link.value = saved


def healthy():
    busy(0.3)


def main():
    ts_frame, cf_frame, fr_back = (int(a) for a in sys.argv[1:4])
    corrupted(ts_frame, cf_frame, fr_back)
    print("restored")
    healthy()


if __name__ == "__main__":
    main()
