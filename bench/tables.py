#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tables.py - turn bench.py's measurements into the four tables and results/BENCH.md.

    tables.py BENCH.json OUT.md

Prints the tables (markdown) to stdout and writes them, with the machine, the goals and
whether each was met, to OUT.md. Every figure comes from BENCH.json; nothing is assumed
except the goals themselves. Ratios are per run against the median unprofiled run, shown as
median [min-max] over the runs.
"""
import json
import statistics
import sys

LEAVES = ("leaf_a", "leaf_b", "leaf_c")
BASE = "unprofiled"
XPROF = "xprof"
MIB = 1024.0


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def span(xs, fmt="%.3f"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return (fmt + " [" + fmt + "–" + fmt + "]") % (statistics.median(xs), min(xs), max(xs))


def fnum(x, fmt="%.1f"):
    return "n/a" if x is None else fmt % x


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Data:
    def __init__(self, res):
        self.res = res
        self.runs = res["runs"]
        self.base = self.runs[BASE]
        self.base_wall = med(m["wall"] for m in self.base)
        self.base_cpu = med(m["cpu"] for m in self.base)
        self.base_rss = med(m["rss_kb"] for m in self.base)
        self.truth = {}
        for line in res["truth"].splitlines():
            f = line.split("\t")
            if f[0] == "truth":
                self.truth[f[1]] = float(f[2])
            elif f[0] in ("processes", "threads"):
                self.truth[f[0]] = int(f[1])
        self.tools = [t for t in self.runs if t != BASE]

    def prof(self, tool):
        return [m["profile"] for m in self.runs[tool]]

    def ref_cpu(self, tool, m):
        """The kernel CPU a tool's samples are read against (see the notes)."""
        if tool == XPROF:
            return m["profile"]["own_cpu"]
        return self.base_cpu

    def req_hz(self, tool):
        if tool == XPROF:
            return float(self.runs[tool][0]["profile"]["hz"])
        return 1000.0 if tool.startswith("gperf") else 999.0

    def max_err(self, p):
        errs = [abs(p["shares"][k] - self.truth[k]) for k in LEAVES
                if p["shares"].get(k) is not None]
        return max(errs) if len(errs) == len(LEAVES) else None

    def per_sample_ns(self, tool):
        cpu = med(m["cpu"] for m in self.runs[tool])
        n = med(m["profile"]["samples"] for m in self.runs[tool])
        return (cpu - self.base_cpu) / n * 1e9 if n else None


def cost_table(d):
    rows = []
    for t in d.tools:
        ms = d.runs[t]
        bps = [m["profile"]["bytes"] / m["profile"]["samples"] if m["profile"]["samples"]
               else None for m in ms]
        rows.append([t, span([m["wall"] / d.base_wall for m in ms]),
                     span([m["cpu"] / d.base_cpu for m in ms]),
                     fnum(med(bps), "%.0f"),
                     fnum((med(m["rss_kb"] for m in ms) - d.base_rss) / MIB, "%+.1f")])
    head = ["tool", "wall × unprofiled", "CPU × unprofiled", "bytes/sample",
            "peak RSS added (MiB)"]
    note = ("Unprofiled: wall %.3f s, CPU %.3f s (whole tree), peak RSS %.1f MiB; medians of "
            "%d runs." % (d.base_wall, d.base_cpu, d.base_rss / MIB, len(d.base)))
    return table(head, rows) + "\n\n" + note


def truth_row(d, t):
    ms = d.runs[t]
    ps = d.prof(t)
    n = med(p["samples"] for p in ps)
    ref = med(d.ref_cpu(t, m) for m in ms)
    exp = ref * d.req_hz(t)
    samples = "%d" % n
    if "readable" in ps[0]:
        samples = "%d taken, %d readable" % (n, med(p["readable"] for p in ps))
    sampled = med(p["sampled_cpu"] / d.ref_cpu(t, m) * 100 for m, p in zip(ms, ps))
    errs = [d.max_err(p) for p in ps]
    shares = [fnum(med(p["shares"][k] for p in ps), "%.1f") for k in LEAVES]
    thr = med(p["threads"] for p in ps)
    ok = med(p.get("stacks_ok") for p in ps)
    return [t, samples, "%.0f" % exp, "%.1f %%" % (100.0 * n / exp), "%.0f" % (n / ref),
            fnum(sampled, "%.1f %%"),
            "%d/%d" % (med(p["processes"] for p in ps), d.truth["processes"]),
            "n/a" if thr is None else "%d/%d" % (thr, d.truth["threads"])] + shares + [
            "n/a" if med(errs) is None else "%.2f [%.2f]" % (med(errs), max(errs)),
            fnum(ok, "%.1f %%") + (" (+inlined)" if any(p.get("inlined") for p in ps)
                                   else "")]


def truth_table(d):
    head = ["tool", "samples", "expected", "captured", "achieved Hz", "sampled/kernel CPU",
            "processes", "threads"] + ["%s (%.0f %%)" % (k, d.truth[k]) for k in LEAVES] + [
            "max error pts: median [worst]", "exact stacks"]
    return table(head, [truth_row(d, t) for t in d.tools])


def floor_table(d):
    fl = d.res["floor"]
    floor32 = fl["unwind32"]
    rows = [["empty signal delivery (tgkill to self, empty SA_SIGINFO handler)",
             "%.0f" % fl["signal"], ""],
            ["signal + unw_backtrace, depth 32 (floor)", "%.0f" % floor32, "1.00"],
            ["signal + unw_backtrace, depth 128", "%.0f" % fl["unwind128"],
             "%.2f" % (fl["unwind128"] / floor32)]]
    ps = d.res.get("persample") or {}
    if ps.get("runs"):
        per = [(r["cpu"] - b) / r["samples"] * 1e9
               for r, b in zip(ps["runs"], ps["base_cpu"]) if r["samples"]]
        rows.append(["xprof per sample, XPROF_HZ=%d (ΔCPU / samples, %d pairs)"
                     % (ps["hz"], len(per)), span(per, "%.0f"),
                     "%.2f" % (med(per) / floor32)])
    for t in d.tools:
        ns = d.per_sample_ns(t)
        rows.append(["%s per sample at its default rate (ΔCPU / samples)" % t,
                     fnum(ns, "%.0f"), fnum(ns / floor32 if ns is not None else None, "%.2f")])
    return table(["what", "ns", "× floor"], rows)


def analysis_table(d):
    an = d.res["analysis"]
    rows_in = an["rows"]
    ref = next((r for r in rows_in if r["name"].startswith("perf script")), None)
    ref_rate = an["perf_samples"] / ref["wall"] if ref else None
    rows = []
    for r in rows_in:
        n = an["xprof_samples"] if r["tool"] == "xprof" else an["perf_samples"]
        rate = n / r["wall"]
        rows.append([r["name"], n, "%.2f" % r["wall"], "%.0f" % rate,
                     "%.0f" % (r["rss_kb"] / MIB),
                     fnum(rate / ref_rate if ref_rate else None, "%.1f"),
                     fnum(r["rss_kb"] / ref["rss_kb"] if ref else None, "%.2f")])
    head = ["command", "samples", "wall s", "samples/s", "peak RSS MiB",
            "speed × perf script + collapse", "RSS × perf script + collapse"]
    note = ("Profiles: the workload at %d Hz over %d rounds per thread; perf recorded the "
            "frame-pointer build with -g (%.0f MiB perf.data)."
            % (an["hz"], an["rounds"], an["perf_bytes"] / MIB / MIB))
    return table(head, rows) + "\n\n" + note


def goals(d):
    out = []
    if XPROF not in d.runs:
        return ["- xprof was not built: no goal can be judged."]
    xw = med(m["wall"] / d.base_wall for m in d.runs[XPROF])
    xc = med(m["cpu"] / d.base_cpu for m in d.runs[XPROF])
    peers = {t: (med(m["wall"] / d.base_wall for m in d.runs[t]),
                 med(m["cpu"] / d.base_cpu for m in d.runs[t])) for t in d.tools if t != XPROF}
    below = [t for t, (w, c) in peers.items() if xw >= w or xc >= c]
    out.append(goal("overhead below every peer's (wall and CPU medians)", not below,
                    "xprof wall ×%.3f, CPU ×%.3f%s" % (xw, xc, "; not below: " +
                                                       ", ".join(below) if below else "")))
    out.append(goal("wall overhead ≤ 1 %", xw <= 1.01, "median %+.1f %%" % ((xw - 1) * 100)))
    ratio = [m["profile"]["sampled_cpu"] / m["profile"]["own_cpu"] * 100
             for m in d.runs[XPROF]]
    out.append(goal("sampled CPU ≥ 99 % of kernel CPU", min(ratio) >= 99.0,
                    "median %.1f %%, worst %.1f %%" % (med(ratio), min(ratio))))
    errs = [d.max_err(p) for p in d.prof(XPROF)]
    worst = max(e for e in errs if e is not None) if any(e is not None for e in errs) else None
    out.append(goal("largest share error ≤ 2 points", worst is not None and worst <= 2.0,
                    "worst run %s points" % fnum(worst, "%.2f")))
    ps = d.res.get("persample") or {}
    if ps.get("runs"):
        per = med((r["cpu"] - b) / r["samples"] * 1e9
                  for r, b in zip(ps["runs"], ps["base_cpu"]) if r["samples"])
        f = d.res["floor"]["unwind32"]
        out.append(goal("per-sample cost within 2× the floor", per <= 2 * f,
                        "%.0f ns = %.2f× the %.0f ns floor" % (per, per / f, f)))
    an = d.res["analysis"]
    rate = {r["name"]: (an["xprof_samples"] if r["tool"] == "xprof" else an["perf_samples"])
            / r["wall"] for r in an["rows"]}
    x, p = rate.get("xprof-analyze folded"), rate.get("perf script + collapse-perf.awk")
    if x and p:
        out.append(goal("analysis ≥ 10× faster than perf script + collapse", x >= 10 * p,
                        "xprof-analyze folded %.1f× faster" % (x / p)))
    return out


def goal(what, ok, detail):
    return "- %s %s: %s." % ("met:" if ok else "**MISSED**:", what, detail)


def machine(d):
    m = d.res["machine"]
    mech = "n/a"
    if XPROF in d.runs:
        mech = d.runs[XPROF][0]["profile"]["mechanism"]
    return "\n".join([
        "- date: %s; mode: %s (%d runs per tool, interleaved)" % (
            m["date"], "quick" if d.res["quick"] else "full", d.res["cfg"]["runs"]),
        "- kernel %s, %s, %d cores, perf_event_paranoid=%s%s" % (
            m["kernel"], m["cpu"], m["cores"], m["paranoid"],
            ", " + m["hz_tick"] if m["hz_tick"] else ""),
        "- 1-minute load average %.1f at the start, %.1f at the end (other work on the "
        "machine shows up as wall-time noise)" % (m["load_start"], m.get("load_end", 0)),
        "- xprof mechanism (#run row): %s; %s; gperftools %s; libunwind %s" % (
            mech, m["perf"], m["gperftools"], m["libunwind"])])


def truth_check(d):
    rows = {}
    for line in d.res["check"].splitlines():
        f = line.split("\t")
        if f[0] == "measured":
            rows.setdefault(f[1], []).append(float(f[2]))
    return ", ".join("%s %s" % (k, span(v, "%.2f")) for k, v in rows.items())


NOTES = """\
Notes on reading the tables:
- Workload: bench/workload.c, 3 processes (a parent and 2 fork children) × 2 threads; each
  thread calls leaf_a/leaf_b/leaf_c with 5/3/2 units of one spin loop 30 logical frames
  below worker_main (20 recursive frames, 3 inlined functions). Truth check: the same program
  timing each leaf with the thread CPU clock, per process: {check} (%).
- CPU and peak RSS cover the whole process tree (wait4), profiler processes included (perf
  record). Peak RSS is the largest single process of the tree, not a sum.
- "expected" = kernel CPU × requested rate. Kernel CPU for xprof is its own record of the
  profiled processes' CPU clocks (handler time included, as in the samples' weights); for the
  others it is the unprofiled run's CPU. perf and gperftools samples are weighted by their
  period (perf: cpu-clock ns; gperftools: 1 ms nominal per sample).
- gperftools samples with setitimer(ITIMER_PROF) or, with CPUPROFILE_PER_THREAD_TIMERS, a
  timer_create timer on each registered thread's CPU clock; both expire on the scheduler tick,
  so they cannot exceed CONFIG_HZ (250/s) per CPU. Per-thread timers cover only threads that
  call ProfilerRegisterThread(): the library registers the main thread itself, so an
  unmodified program is sampled on its main thread only. Timers are not inherited by fork, so
  children take no samples. "taken" sums the interrupts each process reports at exit; 
  "readable" is what google-pprof reads from the file: the children inherit the open profile
  file and write their own end-of-profile trailer into it when they exit(), before the
  parent's samples, so pprof reads the profile of a forking program as empty
  (gperftools 2.10 has no CPUPROFILE_USE_PID). Its bytes/sample is file size / samples taken.
  The "children _exit" row runs the workload with -q (children skip exit-time flushing), the
  one way to get gperftools' parent profile back; it then covers 1 process of 3. Its stacks
  are not scored: the raw profile holds complete 30-frame stacks, but google-pprof
  --collapsed prints them without the descend/stage frames.
- perf -g runs the frame-pointer build. gcc 12 keeps frameless leaf functions frameless even
  with -mno-omit-leaf-frame-pointer, so frame-pointer unwinding skips the caller of an
  interrupted leaf (stage_six): "exact stacks" counts leaf samples whose chain below
  worker_main is exactly the workload's (inlined frames may be shown or not).
- Per-sample cost "ΔCPU / samples" is measured from outside: tree CPU minus the unprofiled
  median, over samples taken. At the default rate the difference is small against run-to-run
  noise; the high-rate xprof row is the one the goal is judged on. The floor is measured at
  depth 32 because the workload's stacks are about 33 frames deep.
"""


def render(d):
    parts = ["# xprof benchmark", "", machine(d), "",
             "## Table 1 — cost", "", cost_table(d), "",
             "## Table 2 — truth", "", truth_table(d), "",
             "## Table 3 — per-sample floor", "", floor_table(d), "",
             "## Table 4 — analysis of a large profile", "", analysis_table(d), "",
             "## Goals", "", "\n".join(goals(d)), "",
             NOTES.replace("{check}", truth_check(d))]
    return "\n".join(parts)


def main():
    with open(sys.argv[1]) as f:
        d = Data(json.load(f))
    text = render(d)
    print(text)
    with open(sys.argv[2], "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
