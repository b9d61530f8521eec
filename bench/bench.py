#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py - run xprof, perf and gperftools on bench/workload and measure them.

    bench.py --objdir build --scratch DIR --json OUT.json [--quick]

Phases, each writing its part of OUT.json (read by tables.py):
  runs      every runner once per round, rounds interleaved (A B C.. A B C..): wall, CPU of
            the whole process tree, peak RSS of the tree, then each tool's own profile read
            back for samples, bytes, processes, threads, leaf shares and stack shapes; xprof
            runs twice, with its default mechanism (auto) and with XPROF_MECH=perf
  procs     process-heavy workloads: a shell loop of 1,000 /bin/true and `make -j2` of a small
            generated C project (tests/integration/tools/gen-cproject.sh), unprofiled, under
            xprof and under perf record -g, rounds interleaved: wall, tree CPU, and the
            process images each tool saw
  floor     bench/floor: signal delivery, unw_backtrace costs, the CPU-clock timer's tick
  persample each xprof mechanism at a high rate vs unprofiled, interleaved: CPU per sample
  analysis  a ~1M-sample profile from xprof and from perf, then their analysis commands; and
            a synthetic 10M-sample xprof run (bench/bigprofile) for the analyzer at scale
  python    per CPython present (Debian's 3.11, pyenv 3.9-3.13): bench/pywalk-bench inside
            the interpreter at 30 Python frames (the walk warm and from emptied caches, the
            native unwind, the sample record with and without its Python frames, in ns), and
            the Python backtest
            (target-sim/py/backtest.py) under xprof with and without XPROF_PYTHON: bytes per
            sample record and the share of CPU left unnamed
  jit       JIT runtimes (Node worker_threads, a JVM: tests/integration/progs/real/jitsplit.js
            and JitSplit.java), unprofiled, under xprof, and under xprof with XPROF_JIT=1,
            rounds interleaved: wall, tree CPU, and the share of the sampled CPU that stayed
            unnamed (report's #unnamed table), [jit] in it, the perf map kept
  offcpu    off-CPU recording: bench/offcpu-bench's non-blocking calls unprofiled and under
            xprof (it alternates the two itself: ns per call, per operation); backtest-sim's
            parallel scenario unprofiled, under xprof with XPROF_OFFCPU=0 and with XPROF_OFFCPU=1,
            rounds interleaved in rotating order (wall, tree CPU, and the profile's samples,
            off-CPU samples, run-queue and blocked time); and bench/blockrate, a thread that
            blocks in read() up to 100,000 times a second, under xprof with XPROF_OFFCPU=1
            and 0: profile bytes per second, the blocks it really made
Measurements use wait4(): its rusage covers the child and every descendant it reaped. Peak
RSS comes from /usr/bin/time (its own wait4) where installed: a child spawned from Python
starts in Python's address space, and the kernel keeps that peak in ru_maxrss across exec, so
wait4 here would report Python's RSS for any small program. Profiles are deleted once read,
to bound disk use.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LEAVES = ("leaf_a", "leaf_b", "leaf_c")
INLINED = {"dispatch", "stage_two", "stage_four"}
DESCEND = 20
GPERF_LIB = "/usr/lib/x86_64-linux-gnu/libprofiler.so.0"

# an_budget: wall seconds allowed for making each large profile; it bounds an_samples.
# big_samples: the synthetic profile's size; big_reps: timed runs per analysis command on it.
# procs_runs: interleaved rounds of the process-heavy phase; loop_n: children of its shell
# loop; make_files: source files of its generated C project.
# jit_runs: interleaved rounds of the JIT phase; jit_rounds: the programs' own rounds (each
# about 0.1 s of CPU per thread).
QUICK = dict(runs=3, rounds=20, floor_iter=10000, ps_pairs=2, ps_rounds=20, ps_hz=10000,
             an_samples=100000, an_hz=10000, an_budget=4, big_samples=1000000, big_reps=1,
             procs_runs=3, loop_n=1000, make_files=8, py_reps=100000,
             jit_runs=1, jit_rounds=3, oc_runs=2, oc_iter=100000, oc_par=3,
             oc_workers=(4, 16), br_rate=100000, br_secs=1.0, br_runs=2)
FULL = dict(runs=7, rounds=200, floor_iter=20000, ps_pairs=6, ps_rounds=200, ps_hz=10000,
            an_samples=1000000, an_hz=10000, an_budget=50, big_samples=10000000, big_reps=3,
            procs_runs=5, loop_n=1000, make_files=8, py_reps=500000, jit_runs=3,
            jit_rounds=8, oc_runs=5, oc_iter=200000, oc_par=9, oc_workers=(4, 16),
            br_rate=100000, br_secs=3.0, br_runs=5)
TIME = "/usr/bin/time"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOP = os.path.join(ROOT, "tests/integration/progs/real/loop.bash")
GEN_CPROJECT = os.path.join(ROOT, "tests/integration/tools/gen-cproject.sh")
JIT_PROGS = os.path.join(ROOT, "tests/integration/progs/real")
MECH_NAMES = {"1": "perf-task-clock", "2": "timer-thread-cpu"}
PY_FRAMES = 30
PY_HARNESS_RUNS = 5
PYENV = os.environ.get("PYENV_ROOT", "/root/.pyenv") + "/versions"
PY_BACKTEST = os.path.join(ROOT, "target-sim/py/backtest.py")


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def measure(argv, env=None, stdout=os.devnull, stderr=os.devnull, cwd=None):
    """Run argv to completion (in directory cwd if given); wall, tree CPU and tree peak RSS."""
    acts = [(os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    full_env = dict(os.environ)
    rss_file = None
    if os.access(TIME, os.X_OK):
        # The tool's variables go to the command through env(1), not to time itself, so that
        # a preloaded profiler never sees the time process.
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        argv = [TIME, "-f", "%M", "-o", rss_file, "env"] + (["-C", cwd] if cwd else []) + [
            "%s=%s" % kv for kv in (env or {}).items()] + list(argv)
        cwd = None
    else:
        full_env.update(env or {})
    here = os.getcwd()
    if cwd:
        os.chdir(cwd)
    t0 = time.monotonic()
    try:
        pid = os.posix_spawnp(argv[0], argv, full_env, file_actions=acts)
    finally:
        os.chdir(here)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    rss = ru.ru_maxrss
    if rss_file:
        with open(rss_file) as f:
            last = [line for line in f.read().split("\n") if line.strip()]
        os.unlink(rss_file)
        if last and last[-1].strip().isdigit():
            rss = int(last[-1])
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, rss_kb=rss,
                status=os.waitstatus_to_exitcode(status))


def run_text(argv, ok=(0,)):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                                p.stderr.strip()[-400:]))
    return p.stdout


def frame_name(s):
    """Bare function name of a frame as a tool prints it ("f+0x1c", "f [mod]", "f (inl)")."""
    m = re.match(r"[A-Za-z_][A-Za-z0-9_.]*", s.strip())
    return m.group(0) if m else s.strip()


EXPECT = ["run_round"] + ["descend"] * DESCEND + ["stage_one", "stage_three", "stage_five",
                                                  "stage_six"]


def stack_ok(frames):
    """frames root first; True if the part below worker_main is the workload's exact chain."""
    if "worker_main" not in frames:
        return False
    tail = frames[frames.index("worker_main") + 1:]
    phys = [f for f in tail if f not in INLINED]
    return len(phys) == len(EXPECT) + 1 and phys[:-1] == EXPECT and phys[-1] in LEAVES


class Stacks:
    """Accumulates stacks (root first) with a weight: leaf shares and shape checks."""

    def __init__(self):
        self.total = 0.0
        self.leaf = dict.fromkeys(LEAVES, 0.0)
        self.leaf_n = 0
        self.leaf_ok = 0
        self.inlined = False

    def add(self, frames, weight, count=1):
        self.total += weight
        if not frames or frames[-1] not in LEAVES:
            return
        self.leaf[frames[-1]] += weight
        self.leaf_n += count
        if stack_ok(frames):
            self.leaf_ok += count
        if INLINED.intersection(frames):
            self.inlined = True

    def result(self):
        shares = {k: (100.0 * v / self.total if self.total else None)
                  for k, v in self.leaf.items()}
        return dict(shares=shares,
                    stacks_ok=(100.0 * self.leaf_ok / self.leaf_n if self.leaf_n else None),
                    inlined=self.inlined)


# ---- xprof ------------------------------------------------------------------------------

def parse_tsv(text):
    """xprof-analyze report --tsv: {section: [row dict, ...]} keyed by the # header names."""
    out, cols = {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split("\t")
        if f[0].startswith("#"):
            cols[f[0][1:]] = f[1:]
            out.setdefault(f[0][1:], [])
            continue
        sec = f[0]
        if sec in cols:
            out[sec].append(dict(zip(cols[sec], f[1:])))
    return out


def xprof_read(ctx, rundir, stacks=True):
    files = [os.path.join(rundir, f) for f in os.listdir(rundir) if f.endswith(".xpf")]
    used = alloc = probe = 0
    hist_top = None
    for line in run_text([ctx.bin("xpfstat")] + files, ok=(0, 1)).splitlines():
        _, u, a, _mech, pr, bucket, nb = line.split("\t")[:7]
        used += int(u)
        alloc += int(a)
        probe = max(probe, int(pr))
        if int(nb):
            hist_top = (int(nb) - 1) * int(bucket)   # the last bucket's lower edge
    rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", rundir], ok=(0, 1)))
    run = rep["run"][0]
    hd = (rep.get("handler") or [{}])[0]
    funcs = {r["name"]: r for r in rep.get("function", [])}
    st = Stacks()
    folded = run_text([ctx.analyze, "folded", rundir], ok=(0, 1)) if stacks else ""
    for line in folded.splitlines():
        stack, _, n = line.rpartition(" ")
        frames = [frame_name(x) for x in stack.split(";")]
        st.add(frames, float(n), int(float(n)))
    res = st.result()
    # The analyzer's own self_pct is the figure a user reads; the folded check is the fallback.
    for leaf in LEAVES:
        if leaf in funcs:
            res["shares"][leaf] = float(funcs[leaf]["self_pct"])
    samples = int(run["samples"])
    res.update(samples=samples, bytes=used, bytes_alloc=alloc, files=len(files),
               processes=len(rep.get("process", [])), threads=len(rep.get("thread", [])),
               sampled_cpu=int(run["sampled_ns"]) / 1e9, own_cpu=int(run["cpu_ns"]) / 1e9,
               dropped=int(run["dropped"]), mechanism=run["mechanism"], hz=run["hz"],
               probe_ns=probe, hist_top=hist_top,
               handler={k: int(hd[k]) for k in ("samples", "p50_ns", "p90_ns", "p99_ns")
                        if k in hd})
    return res


# ---- perf -------------------------------------------------------------------------------

# "  pid/tid  period" starts a sample; "\taddr sym" lines follow, leaf first.
PERF_HDR = re.compile(r"^\s*(\d+)/(\d+)\s+(\d+)\s*$")


def perf_read(ctx, data):
    """One pass of perf script: samples, period (ns of cpu-clock), pids, tids, stacks."""
    st = Stacks()
    pids, tids = set(), set()
    samples = 0
    period = 0
    frames = []
    hdr = None
    p = subprocess.Popen(["perf", "script", "-i", data, "-F", "pid,tid,period,ip,sym"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def flush():
        nonlocal samples, period
        if hdr is None:
            return
        samples += 1
        period += hdr[2]
        pids.add(hdr[0])
        tids.add(hdr[1])
        st.add(frames[::-1], hdr[2])

    for line in p.stdout:
        m = PERF_HDR.match(line)
        if m:
            flush()
            hdr = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            frames = []
        elif line.startswith("\t") and hdr is not None:
            parts = line.split(None, 1)
            frames.append(frame_name(parts[1]) if len(parts) > 1 else "?")
    flush()
    p.wait()
    res = st.result()
    res.update(samples=samples, bytes=os.path.getsize(data), processes=len(pids),
               threads=len(tids), sampled_cpu=period / 1e9)
    return res


# ---- gperftools -------------------------------------------------------------------------

def gperf_read(ctx, prof, errfile, binary):
    """Samples taken (the library's exit lines) and what pprof can read back."""
    taken, writers = 0, 0
    with open(errfile) as f:
        for m in re.finditer(r"PROFILE: interrupts/evictions/bytes = (\d+)/(\d+)/(\d+)",
                             f.read()):
            taken += int(m.group(1))
            writers += int(m.group(1)) > 0
    size = os.path.getsize(prof) if os.path.exists(prof) else 0
    text = run_text(["google-pprof", "--text", "--nodecount=50", binary, prof], ok=(0, 1, 255)) \
        if size else ""
    m = re.search(r"Total: (\d+) samples", text)
    readable = int(m.group(1)) if m else 0
    shares = dict.fromkeys(LEAVES, None)
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[-1] in LEAVES and readable:
            shares[f[-1]] = 100.0 * int(f[0]) / readable
    return dict(samples=taken, readable=readable, bytes=size, shares=shares,
                processes=(1 if readable else 0), threads=None, writers=writers,
                sampled_cpu=readable / 1000.0, stacks_ok=None, inlined=False)


# ---- runners ----------------------------------------------------------------------------

class Ctx:
    def __init__(self, args, cfg):
        self.objdir = args.objdir
        self.scratch = os.path.abspath(args.scratch)  # the JIT runs change cwd
        self.cfg = cfg
        self.analyze = os.path.join(args.objdir, "xprof-analyze")
        self.libxprof = os.path.abspath(os.path.join(args.objdir, "libxprof.so"))
        self.have_xprof = os.path.exists(self.libxprof) and os.path.exists(self.analyze)

    def bin(self, name):
        return os.path.join(self.objdir, "bench", name)

    def path(self, *parts):
        return os.path.join(self.scratch, *parts)


def wl_args(ctx, fp=False, rounds=None, quick_exit=False):
    return [ctx.bin("workload-fp" if fp else "workload"), "-n",
            str(rounds or ctx.cfg["rounds"])] + (["-q"] if quick_exit else [])


def run_base(ctx, i):
    return measure(wl_args(ctx)), None


def run_xprof(ctx, i, hz=None, rounds=None, tag="x", stacks=True, mech=None):
    out = ctx.path("xprof")
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=out, XPROF_RUN="%s%d" % (tag, i),
               XPROF_QUIET="1")
    if hz:
        env["XPROF_HZ"] = str(hz)
    if mech:
        env["XPROF_MECH"] = mech
    m = measure(wl_args(ctx, rounds=rounds), env)
    rundir = os.path.join(out, env["XPROF_RUN"])
    try:
        return m, xprof_read(ctx, rundir, stacks)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def run_perf(ctx, i, mode):
    data = ctx.path("perf-%s-%d.data" % (mode, i))
    cg = ["-g"] if mode == "fp" else ["--call-graph", "dwarf"]
    m = measure(["perf", "record", "-q", "-F", "999"] + cg + ["-o", data, "--"] +
                wl_args(ctx, fp=(mode == "fp")))
    try:
        return m, perf_read(ctx, data)
    finally:
        os.unlink(data)


def run_gperf(ctx, i, per_thread, quick_exit=False):
    prof = ctx.path("gperf-%d.prof" % i)
    err = ctx.path("gperf-%d.err" % i)
    env = dict(LD_PRELOAD=GPERF_LIB, CPUPROFILE=prof, CPUPROFILE_FREQUENCY="1000")
    if per_thread:
        env["CPUPROFILE_PER_THREAD_TIMERS"] = "1"
    m = measure(wl_args(ctx, quick_exit=quick_exit), env, stderr=err)
    try:
        return m, gperf_read(ctx, prof, err, ctx.bin("workload"))
    finally:
        for f in (prof, err):
            if os.path.exists(f):
                os.unlink(f)


RUNNERS = [
    ("unprofiled", run_base),
    ("xprof", lambda c, i: run_xprof(c, i)),
    ("xprof perf", lambda c, i: run_xprof(c, i, tag="xp", mech="perf")),
    ("perf -g (fp build)", lambda c, i: run_perf(c, i, "fp")),
    ("perf --call-graph dwarf", lambda c, i: run_perf(c, i, "dwarf")),
    ("gperftools per-thread", lambda c, i: run_gperf(c, i, True)),
    ("gperftools itimer", lambda c, i: run_gperf(c, i, False)),
    ("gperftools itimer, children _exit", lambda c, i: run_gperf(c, i, False, True)),
]


def phase_runs(ctx, res):
    runners = [r for r in RUNNERS if ctx.have_xprof or not r[0].startswith("xprof")]
    runs = {name: [] for name, _ in runners}
    for i in range(ctx.cfg["runs"]):
        for name, fn in runners:
            m, prof = fn(ctx, i)
            if m["status"] != 0:
                raise RuntimeError("%s run %d: exit status %d" % (name, i, m["status"]))
            m["profile"] = prof
            runs[name].append(m)
        log("round %d/%d done" % (i + 1, ctx.cfg["runs"]))
    res["runs"] = runs


def procs_workloads(ctx):
    """(name, argv) of the process-heavy workloads; the C project is generated once."""
    proj = ctx.path("cproject")
    if not os.path.exists(os.path.join(proj, "Makefile")):
        run_text([GEN_CPROJECT, proj, str(ctx.cfg["make_files"])])
    nsrc = len([f for f in os.listdir(proj) if f.endswith(".c")])
    return [("shell loop: %d x /bin/true" % ctx.cfg["loop_n"],
             ["bash", LOOP, str(ctx.cfg["loop_n"])]),
            ("make -j2: %d C files" % nsrc,
             ["make", "-s", "-B", "-j2", "--no-print-directory", "-C", proj])]


def procs_xprof(ctx, argv, i):
    out = ctx.path("xprof")
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=out, XPROF_RUN="pr%d" % i, XPROF_QUIET="1")
    m = measure(argv, env)
    rundir = os.path.join(out, env["XPROF_RUN"])
    try:
        return m, xprof_read(ctx, rundir, stacks=False)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def procs_perf(ctx, argv, i):
    data = ctx.path("perf-procs-%d.data" % i)
    m = measure(["perf", "record", "-q", "-F", "999", "-g", "-o", data, "--"] + argv)
    try:
        return m, perf_read(ctx, data)
    finally:
        os.unlink(data)


PROCS_RUNNERS = [("unprofiled", lambda c, argv, i: (measure(argv), None)),
                 ("xprof", procs_xprof),
                 ("perf -g", procs_perf)]


def phase_procs(ctx, res):
    """Each process-heavy workload under each runner, rounds interleaved, the runners' order
    rotated from round to round (A B C, B C A, ...): a runner that always came right after
    another would inherit what that one leaves (perf record's exit, a cold page cache)."""
    runners = [r for r in PROCS_RUNNERS if ctx.have_xprof or r[0] != "xprof"]
    loads = procs_workloads(ctx)
    out = {name: {r: [] for r, _ in runners} for name, _ in loads}
    for i in range(ctx.cfg["procs_runs"]):
        for name, argv in loads:
            for rname, fn in runners[i % len(runners):] + runners[:i % len(runners)]:
                m, prof = fn(ctx, argv, i)
                if m["status"] != 0:
                    raise RuntimeError("%s, %s run %d: exit status %d"
                                       % (name, rname, i, m["status"]))
                m["profile"] = prof
                out[name][rname].append(m)
        log("procs: round %d/%d done" % (i + 1, ctx.cfg["procs_runs"]))
    res["procs"] = dict(order=[name for name, _ in loads], runs=out)


def phase_floor(ctx, res):
    out = run_text([ctx.bin("floor"), "-i", str(ctx.cfg["floor_iter"])])
    fl = {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "signal":
            fl["signal"] = float(f[1])
        elif f[0] == "unwind":
            fl["unwind%s" % f[1]] = float(f[2])
            fl["frames%s" % f[1]] = int(f[3])
        elif f[0] == "tick":
            fl["tick"] = float(f[1])
    res["floor"] = fl


# name, XPROF_MECH, rate (None: ps_hz). "xprof" and "xprof perf" are the runners' settings;
# the forced-timer pair and the 1 Hz runs give each mechanism's start-up cost (probe, files,
# libunwind's first walk), so that the slope between two rates is the per-sample cost alone.
PS_MECHS = (("xprof", None, None), ("xprof perf", "perf", None), ("timer", "timer", None),
            ("timer 1 Hz", "timer", 1), ("perf 1 Hz", "perf", 1))


def phase_persample(ctx, res):
    """Each xprof mechanism at a high rate vs unprofiled, interleaved: extra CPU per sample.

    The timer mechanism takes only the ticks the kernel gives (CONFIG_HZ) whatever the asked
    rate, so its extra CPU is small and start-up costs weigh more in it."""
    base = []
    prof = {name: [] for name, _, _ in PS_MECHS}
    if not ctx.have_xprof:
        return
    rounds = ctx.cfg["ps_rounds"]
    for i in range(ctx.cfg["ps_pairs"]):
        base.append(measure(wl_args(ctx, rounds=rounds))["cpu"])
        for name, mech, hz in PS_MECHS:
            m, p = run_xprof(ctx, i, hz=hz or ctx.cfg["ps_hz"], rounds=rounds, tag="hz",
                             stacks=False, mech=mech)
            prof[name].append(dict(cpu=m["cpu"], wall=m["wall"], samples=p["samples"],
                                   sampled_cpu=p["sampled_cpu"], mechanism=p["mechanism"]))
    res["persample"] = dict(hz=ctx.cfg["ps_hz"], rounds=rounds, base_cpu=base, runs=prof)


def analysis_cmds(ctx, xrun, pdata):
    tmp = ctx.path("an-out")
    return [
        ("xprof-analyze report", "xprof", [ctx.analyze, "report", xrun], None),
        ("xprof-analyze folded", "xprof", [ctx.analyze, "folded", xrun], None),
        ("xprof-analyze flamegraph", "xprof",
         [ctx.analyze, "flamegraph", "-o", tmp + ".svg", xrun], None),
        ("perf report --stdio", "perf",
         ["perf", "report", "--stdio", "--no-children", "--sort", "sym", "-i", pdata], None),
        ("perf script + collapse-perf.awk", "perf",
         ["sh", "-c", 'perf script -i "$1" | awk -f "$2"', "sh", pdata,
          os.path.join(os.path.dirname(os.path.abspath(__file__)), "collapse-perf.awk")],
         tmp + ".folded"),
    ]


def analysis_rounds(ctx, res):
    """Rounds for ~an_samples at an_hz, cut to what an_budget seconds of wall allow.

    Both tools profile the same number of rounds. Samples and CPU per round come from the
    high-rate xprof runs when there are some (sampling cost inflates both), otherwise from the
    unprofiled runs; perf's cost at that rate is taken as half the workload again."""
    base = statistics.median(m["cpu"] for m in res["runs"]["unprofiled"]) / ctx.cfg["rounds"]
    cpu_round = 1.5 * base
    samples_round = base * ctx.cfg["an_hz"]
    ps = res.get("persample") or {}
    pruns = (ps.get("runs") or {}).get("xprof perf")
    if pruns and ps.get("hz") == ctx.cfg["an_hz"]:
        samples_round = statistics.median(r["samples"] for r in pruns) / ps["rounds"]
        cpu_round = max(cpu_round, statistics.median(r["cpu"] for r in pruns) / ps["rounds"])
    want = ctx.cfg["an_samples"] / samples_round
    budget = ctx.cfg["an_budget"] * (os.cpu_count() or 1) / cpu_round
    return max(1, int(min(want, budget)))


def phase_analysis(ctx, res):
    """Make a large profile with each tool, then time the analysis commands on it. xprof
    profiles with XPROF_MECH=perf: the timer mechanism cannot go above the tick rate."""
    rounds = analysis_rounds(ctx, res)
    log("analysis: profiling %d rounds per thread at %d Hz" % (rounds, ctx.cfg["an_hz"]))
    xout = ctx.path("xprof")
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=xout, XPROF_RUN="big", XPROF_QUIET="1",
               XPROF_HZ=str(ctx.cfg["an_hz"]), XPROF_MECH="perf")
    xrun = os.path.join(xout, "big")
    xsamples = 0
    if ctx.have_xprof:
        measure(wl_args(ctx, rounds=rounds), env)
        rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", xrun], ok=(0, 1)))
        xsamples = int(rep["run"][0]["samples"])
    pdata = ctx.path("perf-big.data")
    measure(["perf", "record", "-q", "-F", str(ctx.cfg["an_hz"]), "-g", "-o", pdata, "--"] +
            wl_args(ctx, fp=True, rounds=rounds))
    rows = []
    for name, tool, argv, out in analysis_cmds(ctx, xrun, pdata):
        if tool == "xprof" and not ctx.have_xprof:
            continue
        m = measure(argv, stdout=out or os.devnull)
        m.update(name=name, tool=tool)
        if out:
            with open(out) as f:
                m["samples_out"] = sum(int(line.rsplit(" ", 1)[1]) for line in f if line.strip())
        rows.append(m)
        log("analysis: %s %.1f s" % (name, m["wall"]))
    perf_samples = next(r["samples_out"] for r in rows if "samples_out" in r)
    res["analysis"] = dict(rounds=rounds, hz=ctx.cfg["an_hz"], xprof_samples=xsamples,
                           perf_samples=perf_samples, perf_bytes=os.path.getsize(pdata),
                           rows=rows)
    shutil.rmtree(xrun, ignore_errors=True)
    os.unlink(pdata)
    if ctx.have_xprof:
        res["analysis"]["synthetic"] = analysis_synthetic(ctx)


def analysis_synthetic(ctx):
    """bench/bigprofile writes big_samples samples; time report and folded on them."""
    out = ctx.path("synth")
    run = os.path.join(out, "big")
    os.makedirs(run, exist_ok=True)
    n = ctx.cfg["big_samples"]
    t0 = time.monotonic()
    made = run_text([ctx.bin("bigprofile"), "-n", str(n), "-o", run,
                     os.path.abspath(ctx.bin("workload"))])
    gen_s = time.monotonic() - t0
    size = sum(int(line.split("\t")[2]) for line in made.splitlines())
    rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", run], ok=(0, 1)))
    got = int(rep["run"][0]["samples"])
    if got != n:
        raise RuntimeError("bigprofile: %d samples written, analyzer read %d" % (n, got))
    rows = []
    for name, argv in (("xprof-analyze report", [ctx.analyze, "report", out]),
                       ("xprof-analyze folded", [ctx.analyze, "folded", out])):
        reps = [measure(argv) for _ in range(ctx.cfg["big_reps"])]
        for m in reps:
            if m["status"] not in (0, 1):
                raise RuntimeError("%s: exit status %d" % (name, m["status"]))
        rows.append(dict(name=name, walls=[m["wall"] for m in reps],
                         rss_kb=[m["rss_kb"] for m in reps]))
        log("analysis: %s on %d synthetic samples %.1f s" % (name, n, min(r["wall"]
                                                                           for r in reps)))
    shutil.rmtree(out, ignore_errors=True)
    return dict(samples=n, bytes=size, gen_s=gen_s, files=len(made.splitlines()), rows=rows)


# ---- python ----------------------------------------------------------------------------

def py_interpreters():
    """(label, python, prefix or None for Debian's, whose harness make builds)."""
    out = [("3.11 (Debian)", "/usr/bin/python3.11", None)]
    for v in ("3.9", "3.10", "3.11", "3.12", "3.13"):
        cands = sorted(d for d in (os.listdir(PYENV) if os.path.isdir(PYENV) else [])
                       if re.fullmatch(re.escape(v) + r"\.[0-9]+", d))
        if cands:
            pre = os.path.join(PYENV, cands[-1])
            out.append((cands[-1], os.path.join(pre, "bin", "python" + v), pre))
    return [i for i in out if os.path.exists(i[1])]


def py_harness(ctx, label, prefix):
    """bench/pywalk-bench for the interpreter at prefix (built here), or Debian's."""
    if prefix is None:
        return ctx.bin("pywalk-bench")
    v = re.match(r"3\.[0-9]+", label).group(0)
    exe = ctx.path("pywalk-bench-" + label)
    subprocess.run(["cc", "-std=gnu11", "-O2", "-g", "-D_GNU_SOURCE", "-Iinclude", "-Ipreload",
                    "-I%s/include/python%s" % (prefix, v), "-o", exe,
                    "bench/pywalk_bench.c", os.path.join(ctx.objdir, "libxprof-test.a"),
                    "-L%s/lib" % prefix, "-lpython" + v, "-Wl,-rpath,%s/lib" % prefix, "-ldl",
                    "-lpthread", "-lrt", "-lm"], cwd=ROOT, check=True)
    return exe


def py_profiled(ctx, python, walk, tag):
    """The Python backtest under xprof: sample records and their bytes, the python row."""
    out = ctx.path("xprof")
    run = "py%s-%d" % (re.sub(r"[^0-9A-Za-z.]+", "-", tag).strip("-"), walk)
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=out, XPROF_RUN=run, XPROF_QUIET="1",
               XPROF_PYTHON=str(walk))
    measure([python, "-B", PY_BACKTEST, "--workers", "2", "--assets", "8", "--bars", "1500"],
            env)
    rundir = os.path.join(out, run)
    try:
        files = [os.path.join(rundir, f) for f in os.listdir(rundir) if f.endswith(".xpf")]
        n = b = code = 0
        for line in run_text([ctx.bin("xpfstat")] + files, ok=(0, 1)).splitlines():
            f = line.split("\t")
            n, b, code = n + int(f[9]), b + int(f[10]), code + int(f[11])
        rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", rundir], ok=(0, 1)))
        py = (rep.get("python") or [{}])[0]
        return dict(samples=n, sample_bytes=b, code_bytes=code,
                    python_pct=float(py.get("python_pct", 0)),
                    eval_unnamed_pct=float(py.get("eval_unnamed_pct", 0)),
                    leaf_unnamed_pct=float(py.get("leaf_unnamed_pct", 0)),
                    unnamed_pct=float(py.get("unnamed_pct", 0)))
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


# ---- JIT runtimes ---------------------------------------------------------------------------

def jit_workloads(ctx):
    """(name, argv) of the JIT workloads whose runtime is installed; JitSplit compiled once."""
    loads, n = [], str(ctx.cfg["jit_rounds"])
    if shutil.which("node"):
        loads.append(("Node, 2 worker_threads", ["node", os.path.join(JIT_PROGS, "jitsplit.js"),
                                                 n]))
    if shutil.which("java") and shutil.which("javac"):
        classes = ctx.path("jit-classes")
        if not os.path.exists(os.path.join(classes, "JitSplit.class")):
            run_text(["javac", "-d", classes, os.path.join(JIT_PROGS, "JitSplit.java")])
        loads.append(("JVM, 2 threads", ["java", "-Xmx256m", "-cp", classes, "JitSplit", n]))
    return loads


def jit_read(ctx, rundir):
    """The unnamed CPU of a run: report's #unnamed rows, [jit] among them, the map kept."""
    rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", rundir], ok=(0, 1)))
    un = rep.get("unnamed", [])
    maps = [f for f in os.listdir(rundir) if f.endswith(".map")]
    for p in rep.get("process", []):	# the runtime leaves its map in /tmp: ours to remove
        try:
            os.unlink("/tmp/perf-%s.map" % p["pid"])
        except OSError:
            pass
    return dict(unnamed_pct=sum(float(r["unnamed_pct"]) for r in un),
                jit_pct=sum(float(r["unnamed_pct"]) for r in un if r["module"] == "[jit]"),
                sampled_cpu=int(rep["run"][0]["sampled_ns"]) / 1e9,
                mechanism=rep["run"][0]["mechanism"],
                map_bytes=sum(os.path.getsize(os.path.join(rundir, f)) for f in maps))


def jit_xprof(ctx, argv, i, jit):
    out = ctx.path("xprof")
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=out, XPROF_RUN="jit%d%d" % (jit, i),
               XPROF_QUIET="1")
    if jit:
        env["XPROF_JIT"] = "1"
    m = measure(argv, env, cwd=ctx.path("jit-cwd"))
    rundir = os.path.join(out, env["XPROF_RUN"])
    try:
        return m, jit_read(ctx, rundir)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def phase_python(ctx, res):
    rows = []
    if not ctx.have_xprof:
        return
    for label, python, prefix in py_interpreters():
        exe = py_harness(ctx, label, prefix)
        runs = [run_text([exe, str(PY_FRAMES), str(ctx.cfg["py_reps"])]).strip().split("\t")
                for _ in range(PY_HARNESS_RUNS)]
        # each figure the median of the runs (a shared machine's noise is one-sided)
        line = runs[0][:2] + [str(statistics.median(float(r[k]) for r in runs))
                              for k in range(2, len(runs[0]))]
        line[8] = str(int(float(line[8])))
        row = dict(label=label, version=line[0], frames=int(line[1]), walk_ns=float(line[2]),
                   unwind_ns=float(line[3]), rec_py_ns=float(line[4]),
                   rec_native_ns=float(line[5]), steady_bytes_py=float(line[6]),
                   steady_bytes_native=float(line[7]), native_frames=int(line[8]),
                   cold_walk_ns=float(line[9]))
        row["walked"] = py_profiled(ctx, python, 1, label)
        row["native_only"] = py_profiled(ctx, python, 0, label)
        rows.append(row)
        log("python: %s done" % label)
    res["python"] = dict(frames=PY_FRAMES, rows=rows)
JIT_RUNNERS = [("unprofiled", lambda c, argv, i: (measure(argv, cwd=c.path("jit-cwd")), None)),
               ("xprof", lambda c, argv, i: jit_xprof(c, argv, i, False)),
               ("xprof, XPROF_JIT=1", lambda c, argv, i: jit_xprof(c, argv, i, True))]


def phase_jit(ctx, res):
    """Each JIT workload unprofiled, under xprof, and under xprof asking for perf maps.

    The programs run in a scratch directory: Node's --perf-basic-prof makes V8 write its log
    files in the current one."""
    if not ctx.have_xprof:
        return
    os.makedirs(ctx.path("jit-cwd"), exist_ok=True)
    loads = jit_workloads(ctx)
    out = {name: {r: [] for r, _ in JIT_RUNNERS} for name, _ in loads}
    for i in range(ctx.cfg["jit_runs"]):
        for name, argv in loads:
            for rname, fn in JIT_RUNNERS:
                m, prof = fn(ctx, argv, i)
                if m["status"] != 0:
                    raise RuntimeError("%s, %s run %d: exit status %d"
                                       % (name, rname, i, m["status"]))
                m["profile"] = prof
                out[name][rname].append(m)
        log("jit: round %d/%d done" % (i + 1, ctx.cfg["jit_runs"]))
    res["jit"] = dict(order=[name for name, _ in loads], runs=out)
    shutil.rmtree(ctx.path("jit-cwd"), ignore_errors=True)


def offcpu_env(ctx, tag, offcpu):
    out = ctx.path("xprof")
    env = dict(LD_PRELOAD=ctx.libxprof, XPROF_OUT=out, XPROF_RUN=tag, XPROF_QUIET="1",
               XPROF_OFFCPU=str(offcpu))
    return env, os.path.join(out, tag)


def offcpu_calls(ctx):
    """bench/offcpu-bench: it runs itself without and with libxprof.so, alternating, and
    prints per operation 'offcpu OP PLAIN_NS XPROF_NS EXTRA_NS REPS' (medians)."""
    text = run_text([ctx.bin("offcpu-bench"), "--lib", ctx.libxprof,
                     "--calls", str(ctx.cfg["oc_iter"]), "--rounds", str(ctx.cfg["oc_runs"])])
    rows = []
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "offcpu" and len(f) == 6:
            rows.append(dict(op=f[1], plain=float(f[2]), xprof=float(f[3]), extra=float(f[4]),
                             reps=int(f[5])))
    if not rows:
        raise RuntimeError("offcpu-bench printed no 'offcpu' line")
    return rows


def offcpu_read(ctx, rundir):
    """What a profile holds: samples, off-CPU samples, run queue and blocked time (s), the
    #blocked rows, and the bytes its files really use (xpfstat)."""
    rep = parse_tsv(run_text([ctx.analyze, "report", "--tsv", rundir], ok=(0, 1)))
    run = rep["run"][0]
    files = [os.path.join(rundir, f) for f in os.listdir(rundir) if f.endswith(".xpf")]
    used = 0
    for line in run_text([ctx.bin("xpfstat")] + files, ok=(0, 1)).splitlines():
        f = line.split("\t")
        if len(f) > 1 and f[1].isdigit():
            used += int(f[1])
    return dict(samples=int(run["samples"]), offcpu_samples=int(run["offcpu_samples"]),
                runq=int(run["runq_ns"]) / 1e9, blocked=int(run["blocked_ns"]) / 1e9,
                bytes=used, mechanism=run["mechanism"],
                calls=[dict(call=b["call"], calls=int(b["calls"]), blocked=int(b["blocked"]),
                            blocked_ns=int(b["blocked_ns"])) for b in rep.get("blocked", [])])


def offcpu_par(ctx):
    """backtest-sim parallel: unprofiled, XPROF_OFFCPU=0, XPROF_OFFCPU=1 in each round, the
    order rotated from round to round so that no variant always runs first."""
    sim = os.path.join(ctx.objdir, "backtest-sim")
    variants = ("unprofiled", "XPROF_OFFCPU=0", "XPROF_OFFCPU=1")
    out = {}
    for w in ctx.cfg["oc_workers"]:
        argv = [sim, "parallel", "--workers", str(w)]
        runs = {v: [] for v in variants}
        for i in range(ctx.cfg["oc_par"]):
            for k in range(len(variants)):
                v = variants[(i + k) % len(variants)]
                if v == "unprofiled":
                    m = measure(argv)
                else:
                    env, rundir = offcpu_env(ctx, "par%d-%d-%s" % (w, i, v[-1]), v[-1])
                    m = measure(argv, env)
                    m["profile"] = offcpu_read(ctx, rundir)
                    shutil.rmtree(rundir, ignore_errors=True)
                if m["status"] != 0:
                    raise RuntimeError("parallel --workers %d, %s: exit %d" % (w, v, m["status"]))
                m["round"] = i
                runs[v].append(m)
        out[str(w)] = runs
    return out


def offcpu_blockrate(ctx):
    """bench/blockrate under xprof with off-CPU recording on and off: profile bytes per
    second of wall, and the blocks the reader really made (its voluntary switches)."""
    argv = [ctx.bin("blockrate"), "-r", str(ctx.cfg["br_rate"]), "-s", str(ctx.cfg["br_secs"])]
    out = {"1": [], "0": []}
    for i in range(ctx.cfg["br_runs"]):
        for oc in ("1", "0") if i % 2 == 0 else ("0", "1"):
            env, rundir = offcpu_env(ctx, "br%d-%s" % (i, oc), oc)
            line = run_text(["env"] + ["%s=%s" % kv for kv in env.items()] + argv)
            f = line.strip().split("\t")
            if f[0] != "blockrate" or len(f) < 6:
                raise RuntimeError("blockrate printed %r" % line)
            m = dict(rate=int(f[1]), reads=int(f[3]), wall=int(f[4]) / 1e9, nvcsw=int(f[5]),
                     profile=offcpu_read(ctx, rundir))
            shutil.rmtree(rundir, ignore_errors=True)
            out[oc].append(m)
    return out


def phase_offcpu(ctx, res):
    if not ctx.have_xprof:
        return
    oc = dict(calls=None)
    if os.access(ctx.bin("offcpu-bench"), os.X_OK):
        oc["calls"] = offcpu_calls(ctx)
    else:
        log("offcpu: %s missing, no per-call cost" % ctx.bin("offcpu-bench"))
    log("offcpu: calls done")
    oc["par"] = offcpu_par(ctx)
    log("offcpu: parallel scenario done")
    oc["blockrate"] = offcpu_blockrate(ctx)
    res["offcpu"] = oc


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True).stdout.strip()
        except OSError:
            return "?"
    return dict(kernel=os.uname().release,
                cpu=sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-"),
                cores=os.cpu_count(),
                paranoid=sh("cat /proc/sys/kernel/perf_event_paranoid"),
                hz_tick=sh("grep -m1 '^CONFIG_HZ=' /boot/config-$(uname -r) 2>/dev/null || "
                           "zcat /proc/config.gz 2>/dev/null | grep -m1 '^CONFIG_HZ='"),
                rss_by=("/usr/bin/time %M" if os.access(TIME, os.X_OK) else "wait4 ru_maxrss"),
                perf=sh("perf --version"),
                gperftools=sh("dpkg-query -W -f='${Version}' libgoogle-perftools4"),
                libunwind=sh("pkg-config --modversion libunwind"),
                date=time.strftime("%Y-%m-%d %H:%M %Z"),
                load_start=os.getloadavg()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objdir", default="build")
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    cfg = QUICK if args.quick else FULL
    ctx = Ctx(args, cfg)
    os.makedirs(ctx.path("xprof"), exist_ok=True)
    if not ctx.have_xprof:
        log("%s or %s missing: xprof rows stay empty" % (ctx.libxprof, ctx.analyze))
    truth = run_text([ctx.bin("workload"), "-t"])
    check = run_text([ctx.bin("workload"), "-c", "-n", str(cfg["rounds"])])
    res = dict(quick=args.quick, cfg=cfg, machine=machine(), truth=truth, check=check)
    for name, fn in (("runs", phase_runs), ("procs", phase_procs), ("floor", phase_floor),
                     ("persample", phase_persample), ("analysis", phase_analysis),
                     ("python", phase_python),
                     ("jit", phase_jit), ("offcpu", phase_offcpu)):
        t0 = time.monotonic()
        fn(ctx, res)
        log("%s: %.0f s" % (name, time.monotonic() - t0))
        res["machine"]["load_end"] = os.getloadavg()[0]
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
