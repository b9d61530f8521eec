#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""xpq.py - query a profiled run for the integration tests.

    xpq.py show  RUN              the analyzer's tables, parsed (for debugging a test)
    xpq.py check RUN EXPR...      evaluate each Python EXPR; print the first false one and
                                  exit 1, else exit 0
    xpq.py eval  RUN EXPR         print the value of EXPR

RUN is a run directory OUT/ID (or OUT: the analyzer takes the latest run). The analyzer is
$XPROF_ANALYZE (default build/xprof-analyze); the direct file reader is $XPF_DUMP (default
build/tests/progs/xpf-dump), used for the H and HT tables.

Names an EXPR can use:
    run       the #run row (dict)            P, T, F, R, D   #process, #thread, #function,
    rc        the analyzer's exit status                     #region, #drop rows (dicts)
    PY        the #python rows (dicts): one per CPython version of the run
    re        Python's re module
    H         one dict per .xpf file read directly: file pid ppid gen flags mechanism hz
              max_depth signo end_state exit_status blocks_used header_ok
    HT        one dict per (file, tid) read directly: file tid samples cpu_ns dropped blocks
    procs(**kw), threads(**kw), funcs(**kw)   rows whose columns equal the given values
    self_pct(name)        sum of #function self_pct of the rows named `name`
    total_pct(name)       the same for total_pct (inclusive)
    share(name, pid=None) share (0..100) of the CPU weight whose leaf frame is `name`, from
                          `folded --weight=cpu-ns` (of one pid with pid=)
    on_stack(name, pid=None) share (0..100) of the CPU weight with `name` anywhere on the stack
    stacks(pid=None)      folded stacks as (frames root first, without comm; cpu-ns weight)
    by_tid(name=None)     {tid: cpu-ns weight} of the samples with `name` anywhere on the
                          stack (all samples with name=None), from `folded --pid --tid`
    frame_is(frame, name) a folded frame names function `name`
    fw(rows)              {function: weight} of the generated functions py:f_N (pyreuse.py)
                          in rows of stacks(), each stack counted once per function
    within(a, b, frac)    |a - b| <= frac * |b|
    min_rate              samples per CPU-second a thread gets at least: the requested hz with
                          the perf mechanism, 50 with the tick-bound CPU-clock timer (250 Hz
                          ticks, halved under load)
    perf                  the run used the perf mechanism
    root                  the #process row of the first process (its parent is not in the run)
    file_tids(pid, gen=0) the tids that have blocks in that image's file (read directly)
Numbers in the tables are ints or floats; everything else stays a string.
"""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def tool(env, default):
    return os.environ.get(env) or os.path.join(ROOT, default)


def num(s):
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    return s


def analyze(args):
    """Runs the analyzer; returns (exit status, stdout). Stderr is passed through."""
    cmd = [tool("XPROF_ANALYZE", "build/xprof-analyze")] + args
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.stderr.write("xpq: %s: %s\n" % (" ".join(cmd), e))
        return 127, ""
    return p.returncode, p.stdout.decode("utf-8", "replace")


def parse_tsv(text):
    """`#name col...` starts a table; a data row may repeat the table name first."""
    tables, cols, name = {}, None, None
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split("\t")
        if f[0].startswith("#"):
            name, cols = f[0][1:], f[1:]
            tables.setdefault(name, [])
            continue
        if cols is None:
            continue
        if len(f) == len(cols) + 1 and f[0] == name:
            f = f[1:]
        tables[name].append({c: num(v) for c, v in zip(cols, f)})
    return tables


def read_files(run):
    """Direct reading of the .xpf files of a run directory (or the files given)."""
    files = sorted(glob.glob(os.path.join(run, "*.xpf"))) if os.path.isdir(run) else [run]
    heads, tids = [], []
    if not files:
        return heads, tids
    cols = {"file": "file pid ppid gen flags mechanism hz max_depth signo end_state "
                    "exit_status blocks_used header_ok",
            "tid": "file tid samples cpu_ns dropped blocks"}
    p = subprocess.run([tool("XPF_DUMP", "build/tests/progs/xpf-dump")] + files,
                       stdout=subprocess.PIPE)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        row = {c: num(v) for c, v in zip(cols.get(f[0], "").split(), f[1:])}
        (heads if f[0] == "file" else tids).append(row)
    return heads, tids


class Folded:
    """`folded --weight=cpu-ns` stacks, parsed lazily (per pid when asked)."""

    def __init__(self, run):
        self.run, self.cache = run, {}

    def by_tid(self, name=None):
        if "tid" not in self.cache:
            rc, out = analyze(["folded", "--weight=cpu-ns", "--pid", "--tid", self.run])
            rows = []
            for line in out.splitlines():
                stack, _, w = line.rpartition(" ")
                frames = stack.split(";")
                tid = frames[1].rpartition("-")[2] if len(frames) > 1 else ""
                if re.fullmatch(r"[0-9]+", w) and re.fullmatch(r"[0-9]+", tid):
                    rows.append((int(tid), frames[2:], int(w)))
            self.cache["tid"] = rows
        out = {}
        for tid, frames, w in self.cache["tid"]:
            if name is None or any(frame_is(f, name) for f in frames):
                out[tid] = out.get(tid, 0) + w
        return out

    def stacks(self, pid):
        key = pid is not None
        if key not in self.cache:
            args = ["folded", "--weight=cpu-ns"] + (["--pid"] if key else []) + [self.run]
            rc, out = analyze(args)
            rows = []
            for line in out.splitlines():
                stack, _, w = line.rpartition(" ")
                if stack and re.fullmatch(r"[0-9]+", w):
                    rows.append((stack.split(";"), int(w)))
            self.cache[key] = rows
        rows = self.cache[key]
        if pid is not None:
            rows = [r for r in rows if r[0][0].endswith("-%d" % pid)]
        return rows


def frame_is(frame, name):
    """A folded frame may carry a module or offset after the function name."""
    return re.match(re.escape(name) + r"($|[^A-Za-z0-9_])", frame) is not None


def fn_weights(rows):
    out = {}
    for st, w in rows:
        for name in set(re.match(r"py:(f_[0-9]+) ", f).group(1) for f in st
                        if re.match(r"py:f_[0-9]+ ", f)):
            out[name] = out.get(name, 0) + w
    return out


def bindings(run):
    rc, out = analyze(["report", "--tsv", run])
    t = parse_tsv(out)
    heads, tids = read_files(run)
    folded = Folded(run)

    def rows(table):
        return lambda **kw: [r for r in t.get(table, [])
                             if all(r.get(k) == v for k, v in kw.items())]

    def share(name, pid=None, anywhere=False):
        st = folded.stacks(pid)
        total = sum(w for _, w in st)
        hit = sum(w for s, w in st if (any(frame_is(f, name) for f in s[1:]) if anywhere
                                       else frame_is(s[-1], name)))
        return 100.0 * hit / total if total else 0.0

    run = (t.get("run") or [{}])[0]
    perf = "perf" in str(run.get("mechanism", ""))
    procs_ = t.get("process", [])
    pids = set(p["pid"] for p in procs_)
    root = next((p for p in procs_ if p["ppid"] not in pids), {})

    def file_tids(pid, gen=0):
        files = set(h["file"] for h in heads if h["pid"] == pid and h["gen"] == gen)
        return set(x["tid"] for x in tids if x["file"] in files)

    return {
        "rc": rc, "run": run, "perf": perf, "root": root, "file_tids": file_tids,
        "min_rate": run.get("hz", 0) if perf else min(run.get("hz", 0), 50),
        "P": t.get("process", []), "T": t.get("thread", []), "F": t.get("function", []),
        "R": t.get("region", []), "D": t.get("drop", []), "H": heads, "HT": tids,
        "PY": t.get("python", []), "re": re,
        "procs": rows("process"), "threads": rows("thread"), "funcs": rows("function"),
        "self_pct": lambda name: sum(r["self_pct"] for r in t.get("function", [])
                                     if frame_is(str(r["name"]), name)),
        "total_pct": lambda name: sum(r["total_pct"] for r in t.get("function", [])
                                     if frame_is(str(r["name"]), name)),
        "share": share,
        "on_stack": lambda name, pid=None: share(name, pid, True),
        "stacks": lambda pid=None: [(st[1:], w) for st, w in folded.stacks(pid)],
        "by_tid": folded.by_tid,
        "frame_is": frame_is,
        "fw": fn_weights,
        "within": lambda a, b, frac: abs(a - b) <= frac * abs(b),
    }


def dump(b, out):
    out.write("analyzer exit %d\n" % b["rc"])
    out.write("run %s\n" % b["run"])
    for key in ("P", "T", "H", "HT", "D"):
        for r in b[key]:
            out.write("%s %s\n" % (key, r))
    for r in b["F"][:12]:
        out.write("F %s\n" % r)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("show", "check", "eval"):
        sys.stderr.write(__doc__)
        return 64
    b = bindings(argv[2])
    if argv[1] == "show":
        dump(b, sys.stdout)
        return 0
    for expr in argv[3:]:
        try:
            val = eval(expr, dict(b))  # the expressions come from the test scripts
        except Exception as e:  # a missing column or table is a failed check
            val, expr = False, "%s (%s: %s)" % (expr, type(e).__name__, e)
        if argv[1] == "eval":
            print(val)
            continue
        if not val:
            why = ""
            if b["rc"] < 0:
                why = " (the analyzer died of signal %d)" % -b["rc"]
            elif b["rc"] > 1:
                why = " (analyzer exit %d)" % b["rc"]
            print("check failed: %s%s" % (expr, why))
            dump(b, sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
