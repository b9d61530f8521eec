#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tables.py - turn bench.py's measurements into the eight tables and results/BENCH.md.

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
XPROF_PERF = "xprof perf"
PERF_FP = "perf -g (fp build)"
MIB = 1024.0
GIB_KB = 1024.0 * 1024.0
HANDLER_GOAL_NS = 2000
IMAGE_GOAL_MS = 0.2	# added CPU per process image, process-heavy workloads
LOOP_WALL_GOAL = 1.15	# shell loop wall × unprofiled
JIT_UNNAMED_GOAL = 5.0	# % of the sampled CPU left unnamed with XPROF_JIT=1
JIT_ON = "xprof, XPROF_JIT=1"
CALL_GOAL_NS = 30.0	# extra cost of an interposed call that does not block
OC_VARIANTS = ("XPROF_OFFCPU=0", "XPROF_OFFCPU=1")
# bench.py's persample runs: (high-rate run, 1 Hz run, label) for the start-up-free slope.
SLOPES = (("timer", "timer 1 Hz", "XPROF_MECH=timer"), ("xprof perf", "perf 1 Hz",
                                                        "XPROF_MECH=perf"))


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def span(xs, fmt="%.3f"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return (fmt + " [" + fmt + "–" + fmt + "]") % (statistics.median(xs), min(xs), max(xs))


def mech_mix(mechs):
    if len(set(mechs)) == 1:
        return mechs[0]
    order = sorted(set(mechs), key=lambda k: (-mechs.count(k), k))	# the majority first
    return ", ".join("%s %d/%d" % (k, mechs.count(k), len(mechs)) for k in order)


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
        self.xtools = [t for t in self.tools if t.startswith(XPROF)]
        m = res["machine"]
        self.tick = None
        self.tick_from = None
        if m.get("hz_tick", "").startswith("CONFIG_HZ="):
            self.tick, self.tick_from = float(m["hz_tick"].split("=")[1]), m["hz_tick"]
        elif res["floor"].get("tick"):
            self.tick = round(res["floor"]["tick"])
            self.tick_from = "measured %.1f Hz" % res["floor"]["tick"]

    def prof(self, tool):
        return [m["profile"] for m in self.runs[tool]]

    def ref_cpu(self, tool, m):
        """The kernel CPU a tool's samples are read against (see the notes)."""
        if tool.startswith(XPROF):
            return m["profile"]["own_cpu"]
        return self.base_cpu

    def mech(self, tool):
        """The mechanism(s) a tool's runs used: "perf-task-clock", or "timer-thread-cpu 5/7,
        perf-task-clock 2/7" when auto chose differently from run to run."""
        return mech_mix([m["profile"]["mechanism"] for m in self.runs[tool]])

    def req_hz(self, tool, m=None):
        """The rate a run can deliver: asked rate, bounded by the tick for CPU-clock timers."""
        if tool.startswith(XPROF):
            p = (m or self.runs[tool][0])["profile"]
            hz = float(p["hz"])
            if p["mechanism"].startswith("timer") and self.tick:
                hz = min(hz, self.tick)
            return hz
        return 1000.0 if tool.startswith("gperf") else 999.0

    def bytes_per_sample(self, tool):
        return med(m["profile"]["bytes"] / m["profile"]["samples"] if m["profile"]["samples"]
                   else None for m in self.runs[tool])

    def rss_added(self, tool):
        return (med(m["rss_kb"] for m in self.runs[tool]) - self.base_rss) / MIB

    def handler(self, tool, q):
        """Median over runs of the q quantile (p50_ns, p90_ns) and whether it is only a lower
        bound (it fell in the histogram's last, open-ended bucket)."""
        ps = [p for p in self.prof(tool) if p.get("handler", {}).get(q) is not None]
        if not ps:
            return None, False
        v = med(p["handler"][q] for p in ps)
        top = ps[0].get("hist_top")
        return v, top is not None and v >= top

    def slope(self, hi, lo):
        """Per-sample cost net of start-up: ΔCPU / Δsamples between two rates, per pair."""
        runs = (self.res.get("persample") or {}).get("runs") or {}
        return [(a["cpu"] - b["cpu"]) / (a["samples"] - b["samples"]) * 1e9
                for a, b in zip(runs.get(hi, []), runs.get(lo, []))
                if a["samples"] > b["samples"]]

    def persample(self, tool):
        ps = self.res.get("persample") or {}
        runs = (ps.get("runs") or {}).get(tool) or []
        return [(r["cpu"] - b) / r["samples"] * 1e9
                for r, b in zip(runs, ps.get("base_cpu", [])) if r["samples"]]

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
        mech = " (%s)" % d.mech(t) if t.startswith(XPROF) else ""
        rows.append([t + mech, span([m["wall"] / d.base_wall for m in ms]),
                     span([m["cpu"] / d.base_cpu for m in ms]),
                     fnum(d.bytes_per_sample(t), "%.0f"), fnum(d.rss_added(t), "%+.2f")])
    head = ["tool", "wall × unprofiled", "CPU × unprofiled", "bytes/sample",
            "peak RSS added per process (MiB)"]
    note = ("Unprofiled: wall %.3f s, CPU %.3f s (whole tree), peak RSS %.2f MiB (largest "
            "process, by %s); medians of %d runs." % (d.base_wall, d.base_cpu, d.base_rss / MIB,
                                                     d.res["machine"].get("rss_by", "wait4"),
                                                     len(d.base)))
    return table(head, rows) + "\n\n" + note


def truth_row(d, t):
    ms = d.runs[t]
    ps = d.prof(t)
    n = med(p["samples"] for p in ps)
    ref = med(d.ref_cpu(t, m) for m in ms)
    exp = med(d.ref_cpu(t, m) * d.req_hz(t, m) for m in ms)
    hz = sorted(set("%.0f" % d.req_hz(t, m) for m in ms))
    samples = "%d" % n
    if "readable" in ps[0]:
        samples = "%d taken, %d readable" % (n, med(p["readable"] for p in ps))
    sampled = med(p["sampled_cpu"] / d.ref_cpu(t, m) * 100 for m, p in zip(ms, ps))
    errs = [d.max_err(p) for p in ps]
    shares = [fnum(med(p["shares"][k] for p in ps), "%.1f") for k in LEAVES]
    thr = med(p["threads"] for p in ps)
    ok = med(p.get("stacks_ok") for p in ps)
    return [t, samples, " or ".join(hz), "%.0f" % exp, "%.1f %%" % (100.0 * n / exp),
            "%.0f" % (n / ref),
            fnum(sampled, "%.1f %%"),
            "%d/%d" % (med(p["processes"] for p in ps), d.truth["processes"]),
            "n/a" if thr is None else "%d/%d" % (thr, d.truth["threads"])] + shares + [
            "n/a" if med(errs) is None else "%.2f [%.2f]" % (med(errs), max(errs)),
            fnum(ok, "%.1f %%") + (" (+inlined)" if any(p.get("inlined") for p in ps)
                                   else "")]


def truth_table(d):
    head = ["tool", "samples", "achievable Hz", "expected", "captured", "achieved Hz",
            "sampled/kernel CPU",
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
    if fl.get("tick"):
        rows.append(["CPU-clock timer expirations per CPU-second, asked 10 kHz (the tick)",
                     "%.1f Hz" % fl["tick"], ""])
    ps = d.res.get("persample") or {}
    for t in d.xtools:
        mech = d.mech(t)
        for q, label in (("p50_ns", "median"), ("p90_ns", "p90")):
            v, low = d.handler(t, q)
            rows.append(["%s (%s): handler time per sample, %s, 30-deep stacks (#handler)"
                         % (t, mech, label), fnum(v, "≥ %.0f" if low else "%.0f"),
                         fnum(v / floor32 if v is not None else None, "%.2f")])
        per = d.persample(t)
        if per:
            pm = mech_mix([r.get("mechanism", "?") for r in ps["runs"][t]])
            rows.append(["%s (%s): per sample at XPROF_HZ=%d (ΔCPU / samples taken, %d pairs)"
                         % (t, pm, ps["hz"], len(per)), span(per, "%.0f"),
                         "%.2f" % (med(per) / floor32)])
    for hi, lo, what in SLOPES:
        sl = d.slope(hi, lo)
        if sl:
            rows.append(["%s: per sample net of start-up, (CPU at %d Hz − CPU at 1 Hz) / "
                         "Δsamples, %d pairs" % (what, ps["hz"], len(sl)), span(sl, "%.0f"),
                         "%.2f" % (med(sl) / floor32)])
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
    sy = an.get("synthetic")
    if sy:
        for r in sy["rows"]:
            w = med(r["walls"])
            rss = max(r["rss_kb"])
            rate = sy["samples"] / w
            rows.append([r["name"] + " (synthetic)", sy["samples"],
                         "%.2f [%.2f–%.2f]" % (w, min(r["walls"]), max(r["walls"])),
                         "%.0f" % rate, "%.0f" % (rss / MIB),
                         fnum(rate / ref_rate if ref_rate else None, "%.1f"),
                         fnum(rss / ref["rss_kb"] if ref else None, "%.2f")])
    note = ("Profiles: the workload at %d Hz over %d rounds per thread, xprof with "
            "XPROF_MECH=perf (the timer cannot exceed the tick); perf recorded the "
            "frame-pointer build with -g (%.0f MiB perf.data)."
            % (an["hz"], an["rounds"], an["perf_bytes"] / MIB / MIB))
    if sy:
        note += (" Synthetic: bench/bigprofile wrote %d samples (%d processes × 2 threads, "
                 "4096 distinct 30-frame stacks inside build/bench/workload's text, with its "
                 "build-id; %.0f MiB, %.1f bytes/sample, made in %.1f s); wall is the median "
                 "[min–max] of %d runs, peak RSS the largest."
                 % (sy["samples"], sy["files"], sy["bytes"] / MIB / MIB,
                    sy["bytes"] / sy["samples"], sy["gen_s"], len(sy["rows"][0]["walls"])))
    return table(head, rows) + "\n\n" + note


def procs_stats(pr, load):
    """Per tool of one process-heavy workload: wall and CPU ratios (per run, against the median
    unprofiled run), images seen, added CPU per image (ms) and sampled/kernel CPU (%)."""
    runs = pr["runs"][load]
    bw = med(m["wall"] for m in runs[BASE])
    bc = med(m["cpu"] for m in runs[BASE])
    xs = runs.get(XPROF) or []
    images = med(m["profile"]["processes"] for m in xs) if xs else None
    out = {}
    for tool, ms in runs.items():
        if tool == BASE:
            continue
        added = med(m["cpu"] for m in ms) - bc
        out[tool] = dict(wall=[m["wall"] / bw for m in ms], cpu=[m["cpu"] / bc for m in ms],
                         seen=med(m["profile"]["processes"] for m in ms),
                         per_image=added / images * 1e3 if images else None,
                         sampled=med(m["profile"]["sampled_cpu"] / m["cpu"] * 100 for m in ms))
    return bw, bc, images, out


def procs_table(d):
    pr = d.res.get("procs")
    if not pr:
        return "Not measured (bench.json has no process-heavy phase)."
    rows, notes = [], []
    for load in pr["order"]:
        bw, bc, images, st = procs_stats(pr, load)
        notes.append("%s: unprofiled wall %.3f s, CPU %.3f s; %s process images (xprof's "
                     "count)" % (load, bw, bc, fnum(images, "%.0f")))
        for tool, x in st.items():
            if tool == XPROF:
                tool += " (%s)" % mech_mix([m["profile"]["mechanism"]
                                            for m in pr["runs"][load][XPROF]])
            rows.append([load, tool, span(x["wall"]), span(x["cpu"]), fnum(x["seen"], "%.0f"),
                         fnum(x["per_image"], "%.2f"), fnum(x["sampled"], "%.1f %%")])
    head = ["workload", "tool", "wall × unprofiled", "CPU × unprofiled",
            "processes seen", "added CPU per image (ms)", "sampled / tree CPU"]
    note = ("Rounds interleaved (unprofiled, xprof, perf -g, for each workload in turn, the order "
            "rotated from round to round), %d "
            "runs each; CPU is the whole tree's (wait4), perf record's own process included. "
            "Added CPU per image = (median CPU − median unprofiled CPU) / the process images "
            "xprof's analyzer counts (one per exec: a fork+exec child is one image, its "
            "pre-exec fork image another when it runs code first, as bash's children do); "
            "perf -g's row divides by the same count; for make it also holds the sampling "
            "cost of cc1's CPU-bound seconds. perf's count is the pids with at least one "
            "sample. " % pr_runs(pr)
            + "; ".join(notes) + ".")
    return table(head, rows) + "\n\n" + note


def pr_runs(pr):
    return max(len(ms) for runs in pr["runs"].values() for ms in runs.values())


def procs_goals(d):
    pr = d.res.get("procs")
    if not pr or not any(XPROF in pr["runs"][load] for load in pr["order"]):
        return []
    out = ["- **process-heavy workloads (xprof, default mechanism)**"]
    for load in pr["order"]:
        bw, bc, images, st = procs_stats(pr, load)
        x, p = st.get(XPROF), st.get("perf -g")
        if not x:
            continue
        if x["per_image"] is not None and x["per_image"] < 0:
            out.append("- not judged: %s: added CPU per process image: the unprofiled runs' "
                       "median CPU exceeded xprof's (%.2f ms per image), run-to-run noise larger "
                       "than the cost in this run." % (load, x["per_image"]))
        else:
            out.append(goal("%s: added CPU per process image ≤ %.1f ms" % (load, IMAGE_GOAL_MS),
                        x["per_image"] is not None and x["per_image"] <= IMAGE_GOAL_MS,
                        "%s ms over %s images (perf -g %s ms)" % (
                            fnum(x["per_image"], "%.2f"), fnum(images, "%.0f"),
                            fnum(p["per_image"] if p else None, "%.2f"))))
        if load.startswith("shell loop"):
            w = med(x["wall"])
            out.append(goal("%s: wall ≤ ×%.2f" % (load, LOOP_WALL_GOAL), w <= LOOP_WALL_GOAL,
                            "×%.3f (perf -g ×%s)" % (w, fnum(med(p["wall"]) if p else None,
                                                             "%.3f"))))
    return out


def jit_table(d):
    jt = d.res.get("jit")
    if not jt:
        return "Not measured (bench.json has no JIT phase, or no runtime was installed)."
    rows, notes = [], []
    for load in jt["order"]:
        runs = jt["runs"][load]
        bw = med(m["wall"] for m in runs[BASE])
        bc = med(m["cpu"] for m in runs[BASE])
        notes.append("%s: unprofiled wall %.3f s, CPU %.3f s" % (load, bw, bc))
        for tool, ms in runs.items():
            if tool == BASE:
                continue
            pr = [m["profile"] for m in ms]
            rows.append([load, tool + " (%s)" % mech_mix([p["mechanism"] for p in pr]),
                         span([m["wall"] / bw for m in ms]), span([m["cpu"] / bc for m in ms]),
                         span([p["unnamed_pct"] for p in pr], "%.1f"),
                         span([p["jit_pct"] for p in pr], "%.1f"),
                         fnum(med(p["map_bytes"] / 1024.0 for p in pr), "%.0f")])
    head = ["workload", "tool", "wall × unprofiled", "CPU × unprofiled", "unnamed CPU %",
            "of it [jit] %", "perf map kept (KiB)"]
    note = ("Rounds interleaved (unprofiled, xprof, xprof with XPROF_JIT=1, for each workload "
            "in turn), %d runs each. Unnamed CPU: the share of the sampled CPU whose innermost "
            "frame has no name (the sum of report's #unnamed table); [jit]: the part of it in "
            "the runtime's JIT regions. XPROF_JIT=1 adds --perf-basic-prof to NODE_OPTIONS "
            "and -XX:+DumpPerfMapAtExit to JAVA_TOOL_OPTIONS; the CPU column holds what that "
            "costs the runtime (writing its map) and xprof's copy of the map at exit. "
            % max(len(ms) for r in jt["runs"].values() for ms in r.values())
            + "; ".join(notes) + ".")
    return table(head, rows) + "\n\n" + note


def jit_goals(d):
    jt = d.res.get("jit")
    if not jt:
        return []
    out = ["- **JIT runtimes (xprof with XPROF_JIT=1)**"]
    for load in jt["order"]:
        ms = jt["runs"][load].get(JIT_ON) or []
        un = med(m["profile"]["unnamed_pct"] for m in ms)
        off = med(m["profile"]["unnamed_pct"] for m in jt["runs"][load].get(XPROF) or [])
        out.append(goal("%s: unnamed CPU ≤ %.0f %%" % (load, JIT_UNNAMED_GOAL),
                        un is not None and un <= JIT_UNNAMED_GOAL,
                        "%s %% (without XPROF_JIT %s %%)" % (fnum(un), fnum(off))))
    return out


def oc_call_costs(oc):
    """offcpu-bench's rows: {operation: row}."""
    return {r["op"]: r for r in (oc or {}).get("calls") or []}


def oc_round_ratios(runs, variant, key):
    """Per round: variant's key (wall or cpu) over the same round's unprofiled run."""
    base = {m["round"]: m[key] for m in runs[BASE]}
    return [m[key] / base[m["round"]] for m in runs[variant] if base.get(m["round"])]


def offcpu_table(d):
    oc = d.res.get("offcpu")
    if not oc:
        return "Not measured (bench.json has no off-CPU phase)."
    parts = ["**(a) Extra cost of an interposed call that does not block**", ""]
    costs = oc_call_costs(oc)
    if costs:
        rows = [[op, "%.1f" % r["plain"], "%.1f" % r["xprof"], "%.1f" % r["extra"], r["reps"]]
                for op, r in costs.items()]
        parts += [table(["operation", "unprofiled (ns/call)", "under xprof (ns/call)",
                         "extra (ns/call)", "repetitions each"], rows), "",
                  "bench/offcpu-bench --rounds %d --calls %d: the program runs itself "
                  "alternately without and with libxprof.so (off-CPU recording on) and times "
                  "each operation over that many calls per repetition; medians over the "
                  "repetitions. The operations return at once: read of 1 byte from /dev/zero, "
                  "write of 1 byte to /dev/null, poll of a pipe with data (timeout 0), an "
                  "uncontended pthread_mutex_lock + unlock. Extra may come out slightly "
                  "negative: noise." % (d.res["cfg"]["oc_runs"], d.res["cfg"]["oc_iter"])]
    parts += ["", "**(b) The whole feature on backtest-sim's parallel scenario**", ""]
    rows = []
    for w, runs in sorted(oc["par"].items(), key=lambda kv: int(kv[0])):
        for v in OC_VARIANTS:
            pr = [m["profile"] for m in runs[v]]
            rows.append(["%s workers" % w, v + " (%s)" % mech_mix([p["mechanism"] for p in pr]),
                         fnum(med(m["wall"] for m in runs[BASE]), "%.3f"),
                         span(oc_round_ratios(runs, v, "wall")),
                         span(oc_round_ratios(runs, v, "cpu")),
                         fnum(med(p["samples"] for p in pr), "%.0f"),
                         fnum(med(p["offcpu_samples"] for p in pr), "%.0f"),
                         fnum(med(p["runq"] for p in pr), "%.3f"),
                         fnum(med(p["blocked"] for p in pr), "%.3f")])
    nrounds = max(len(r[BASE]) for r in oc["par"].values())
    parts += [table(["scenario", "xprof", "unprofiled wall (s)", "wall × unprofiled",
                     "CPU × unprofiled", "samples", "off-CPU samples", "run queue (s)",
                     "blocked (s)"], rows), "",
              "`backtest-sim parallel --workers W`, %d rounds; each round runs the three "
              "variants (unprofiled, xprof with XPROF_OFFCPU=0, with XPROF_OFFCPU=1) in an "
              "order rotated from round to round; ratios are per round against that round's "
              "unprofiled run, median [min–max]. Run queue and blocked are the profile's "
              "(report --tsv run row): with XPROF_OFFCPU=0 no call is interposed, so blocked "
              "stays 0." % nrounds]
    parts += ["", "**(c) File size for a thread that blocks very often**", ""]
    rows = []
    for v in ("0", "1"):
        ms = oc["blockrate"][v]
        rb = [sum(c["blocked"] for c in m["profile"]["calls"] if c["call"] == "read") / m["wall"]
              for m in ms]
        rows.append(["XPROF_OFFCPU=%s" % v, "%d" % ms[0]["rate"],
                     span([m["nvcsw"] / m["wall"] for m in ms], "%.0f"),
                     span(rb, "%.0f") if v == "1" else "not recorded",
                     span([m["profile"]["offcpu_samples"] / m["wall"] for m in ms], "%.0f"),
                     span([m["profile"]["bytes"] / m["wall"] for m in ms], "%.0f"),
                     span([m["profile"]["bytes"] / m["wall"] / MIB for m in ms], "%.1f")])
    parts += [table(["xprof", "asked blocks/s", "reader's voluntary switches/s",
                     "blocked reads/s (xprof's count)", "off-CPU records/s", "profile bytes/s",
                     "KiB/s"], rows), "",
              "bench/blockrate -r %d -s %g: a pacer thread writes a byte to a pipe every "
              "1/rate s, the reader blocks in read() whenever it has caught up; %d runs each "
              "way, interleaved. Bytes are what the profile's files really use (xpfstat). "
              "The reader's voluntary context switches (getrusage) count the blocks it really "
              "made: a wake-up slower than the pace leaves bytes waiting in the pipe and the "
              "next read returns at once."
              % (oc["blockrate"]["1"][0]["rate"], d.res["cfg"]["br_secs"],
                 len(oc["blockrate"]["1"]))]
    return "\n".join(parts)


def offcpu_goals(d):
    costs = oc_call_costs(d.res.get("offcpu"))
    if not costs:
        return []
    worst = max(costs.values(), key=lambda r: r["extra"])
    return ["- **Off-CPU recording**", goal(
        "non-blocking interposed call ≤ %.0f ns extra (every operation, median)" % CALL_GOAL_NS,
        worst["extra"] <= CALL_GOAL_NS, "worst %s %.1f ns; %s" % (
            worst["op"], worst["extra"], ", ".join("%s %.1f" % (k, r["extra"])
                                                   for k, r in costs.items())))]


def goals(d):
    out = []
    if XPROF not in d.runs:
        return ["- xprof was not built: no goal can be judged."]
    peers = {t: (med(m["wall"] / d.base_wall for m in d.runs[t]),
                 med(m["cpu"] / d.base_cpu for m in d.runs[t]))
             for t in d.tools if t not in d.xtools}
    floor32 = d.res["floor"]["unwind32"]
    for x in d.xtools:
        tag = "%s (%s)" % (x, d.mech(x))
        out.append("- **%s**" % tag)
        xw = med(m["wall"] / d.base_wall for m in d.runs[x])
        xc = med(m["cpu"] / d.base_cpu for m in d.runs[x])
        below = [t for t, (w, c) in peers.items() if xw >= w or xc >= c]
        out.append(goal("overhead below every peer's (wall and CPU medians)", not below,
                        "wall ×%.3f, CPU ×%.3f%s" % (xw, xc, "; not below: " +
                                                     ", ".join(below) if below else "")))
        out.append(goal("wall overhead ≤ 1 %", xw <= 1.01,
                        "median %+.1f %% (CPU %+.1f %%)" % ((xw - 1) * 100, (xc - 1) * 100)))
        ratio = [m["profile"]["sampled_cpu"] / m["profile"]["own_cpu"] * 100
                 for m in d.runs[x]]
        out.append(goal("sampled CPU ≥ 99 % of kernel CPU", min(ratio) >= 99.0,
                        "median %.1f %%, worst %.1f %%" % (med(ratio), min(ratio))))
        errs = [e for e in (d.max_err(p) for p in d.prof(x)) if e is not None]
        worst = max(errs) if errs else None
        out.append(goal("largest share error ≤ 2 points", worst is not None and worst <= 2.0,
                        "worst run %s points" % fnum(worst, "%.2f")))
        v, low = d.handler(x, "p50_ns")
        if v is not None:
            out.append(goal("median handler time ≤ %d ns at depth 32" % HANDLER_GOAL_NS,
                            v <= HANDLER_GOAL_NS and not low,
                            "%s%.0f ns (p90 %s ns)" % ("≥ " if low else "", v,
                                                      fnum(d.handler(x, "p90_ns")[0], "%.0f"))))
        per = d.persample(x)
        if per:
            p = med(per)
            pm = mech_mix([r.get("mechanism", "?") for r in d.res["persample"]["runs"][x]])
            sl = [d.slope(hi, lo) for hi, lo, what in SLOPES
                  if what.endswith("timer" if pm.startswith("timer") else "perf")]
            net = ("; net of start-up %.0f ns = %.2f×" % (med(sl[0]), med(sl[0]) / floor32)
                   if sl and sl[0] else "")
            out.append(goal("per-sample cost within 2× the floor", p <= 2 * floor32,
                            "%.0f ns = %.2f× the %.0f ns floor (ΔCPU / samples at %d Hz asked, "
                            "%s)%s" % (p, p / floor32, floor32, d.res["persample"]["hz"], pm,
                                       net)))
        bx = d.bytes_per_sample(x)
        if PERF_FP in d.runs and bx is not None:
            bp = d.bytes_per_sample(PERF_FP)
            out.append(goal("bytes/sample below perf -g's", bx < bp,
                            "%.0f vs %.0f bytes/sample" % (bx, bp)))
    out += procs_goals(d)
    out += python_goals(d)
    out += jit_goals(d)
    out += offcpu_goals(d)
    out.append("- **analysis**")
    an = d.res["analysis"]
    rate = {r["name"]: (an["xprof_samples"] if r["tool"] == "xprof" else an["perf_samples"])
            / r["wall"] for r in an["rows"]}
    x, p = rate.get("xprof-analyze folded"), rate.get("perf script + collapse-perf.awk")
    if x and p:
        out.append(goal("analysis ≥ 10× faster than perf script + collapse", x >= 10 * p,
                        "xprof-analyze folded %.1f× faster" % (x / p)))
    sy = an.get("synthetic")
    if sy:
        for r in sy["rows"]:
            rt = sy["samples"] / med(r["walls"])
            rss = max(r["rss_kb"])
            out.append(goal("%s on %d samples: ≥ 1,000,000 samples/s and peak RSS ≤ 1 GiB"
                            % (r["name"], sy["samples"]), rt >= 1e6 and rss <= GIB_KB,
                            "%.0f samples/s, %.0f MiB" % (rt, rss / MIB)))
    return out


PY_WALK_GOAL_NS = 1000	# the Python walk and its frames in the record, over the native unwind


def py_rows(d):
    return (d.res.get("python") or {}).get("rows", [])


def py_added(r):
    """What a sample costs more with its Python frames: the walk, and the record's extra."""
    return r["walk_ns"] + r["rec_py_ns"] - r["rec_native_ns"]


def py_bytes(p):
    return p["sample_bytes"] / p["samples"] if p["samples"] else None


def python_table(d):
    rows = []
    for r in py_rows(d):
        w, n = r["walked"], r["native_only"]
        rows.append([r["label"], r["frames"], r["native_frames"], "%.0f" % r["walk_ns"],
                     "%.0f" % r["cold_walk_ns"],
                     "%.0f" % (r["rec_py_ns"] - r["rec_native_ns"]), "%.0f" % py_added(r),
                     "%.0f" % r["unwind_ns"], fnum(py_bytes(w)), fnum(py_bytes(n)),
                     "%.2f" % (w["code_bytes"] / w["samples"]) if w["samples"] else "n/a",
                     "%.1f" % w["python_pct"], "%.1f" % w["eval_unnamed_pct"],
                     "%.1f" % w["leaf_unnamed_pct"]])
    if not rows:
        return "No CPython interpreter was found: no Python figures."
    head = ["CPython", "Python frames", "native frames", "walk ns", "walk ns cold", "record +ns",
            "added ns", "native unwind ns", "bytes/sample", "bytes/sample native-only",
            "PY_CODE bytes/sample", "CPU named %", "Python unnamed %", "leaf unnamed %"]
    return "\n".join([
        "bench/pywalk-bench inside each interpreter, %d Python frames deep (<module> and a "
        "recursion), each the median of 5 runs of the mean per call over %d calls: the walk "
        "(thread state, frame chain, code objects already described), the same walk from "
        "emptied caches (after reading 64 MiB; in the handler the running thread's innermost "
        "frames are in the cache, so a sample's walk lies between the two), what the Python "
        "frames add to the sample "
        "record, their sum (the cost over a native-only sample), and libunwind's native "
        "unwind at the same point for scale. Then target-sim/py/backtest.py (2 workers) under "
        "xprof, with the walk and with XPROF_PYTHON=0: bytes per sample record (tag, length "
        "and payload), the code descriptions' bytes spread over the samples (once per code object; "
        "a fork child keeps its parent's: most are the start-up's, large in a run this "
        "short), and the CPU "
        "share with Python names, with the innermost interpreter frame unnamed, and with a "
        "leaf without symbol." % (d.res["python"]["frames"], d.res["cfg"]["py_reps"]), "",
        table(head, rows)])


def python_goals(d):
    out = []
    for r in py_rows(d):
        a = py_added(r)
        out.append(goal("CPython %s: Python walk at %d frames ≤ %d ns over the native unwind"
                        % (r["label"], r["frames"], PY_WALK_GOAL_NS), a <= PY_WALK_GOAL_NS,
                        "%.0f ns (walk %.0f + record %.0f, warm caches; the walk from emptied "
                        "caches %.0f ns)" % (a, r["walk_ns"], r["rec_py_ns"] - r["rec_native_ns"],
                                             r["cold_walk_ns"])))
    return (["- **python**"] + out) if out else []


def goal(what, ok, detail):
    return "- %s %s: %s." % ("met:" if ok else "**MISSED**:", what, detail)


def machine(d):
    m = d.res["machine"]
    mech = "n/a"
    if XPROF in d.runs:
        pr = [p["probe_ns"] / 1e3 for p in d.prof(XPROF) if p["probe_ns"]]
        hz = float(d.runs[XPROF][0]["profile"]["hz"])
        mech = ("default (XPROF_MECH=auto) at %.0f Hz picked %s; probed perf-event sample cost "
                "(file header probe_sample_ns) %s; auto takes the timer above %.1f µs (1 %% "
                "at %.0f Hz), so the choice is made anew in each run" % (
                    hz, d.mech(XPROF),
                    span(pr, "%.1f") + " µs over the runs" if pr else "not measured",
                    1e4 / hz, hz))
    return "\n".join([
        "- date: %s; mode: %s (%d runs per tool, interleaved)" % (
            m["date"], "quick" if d.res["quick"] else "full", d.res["cfg"]["runs"]),
        "- kernel %s, %s, %d cores, perf_event_paranoid=%s%s" % (
            m["kernel"], m["cpu"], m["cores"], m["paranoid"],
            ", " + m["hz_tick"] if m["hz_tick"] else ""),
        "- 1-minute load average %.1f at the start, %.1f at the end (other work on the "
        "machine shows up as wall-time noise)" % (m["load_start"], m.get("load_end", 0)),
        "- xprof: %s; kernel tick for CPU-clock timers: %s" % (
            mech, d.tick_from or "unknown"),
        "- %s; gperftools %s; libunwind %s" % (m["perf"], m["gperftools"], m["libunwind"])])


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
- Two xprof rows: "xprof" is the default (XPROF_MECH=auto: it measures one perf-event sample
  at start and takes the CPU-clock timer when perf would cost more than 1 % at the asked
  rate), "xprof perf" forces the perf task-clock event (XPROF_MECH=perf). Both run in the
  same interleaved rounds as the other tools.
- CPU covers the whole process tree (wait4), profiler processes included (perf record). Peak
  RSS is the largest single process of the tree, not a sum, taken by /usr/bin/time around
  the command (the tool's variables passed through env(1), so time itself is not profiled);
  "added per process" is that minus the unprofiled run's, i.e. what the profiler adds to a
  process (for perf, the perf record process itself).
- "achievable Hz" is what the mechanism can deliver: the asked rate for perf events, at most
  the kernel tick (CONFIG_HZ, or bench/floor's measured tick when the kernel config is not
  readable) for CPU-clock timers. "expected" = kernel CPU × achievable Hz. Kernel CPU for xprof is its own record of the
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
  noise; the XPROF_HZ=10000 rows (each mechanism against unprofiled runs interleaved with
  it) are the ones the goal is judged on. The timer mechanism still takes at most the tick
  rate there, so its extra CPU is a few milliseconds per run and its figure is the noisiest.
  ΔCPU / samples also carries each run's start-up cost (auto's perf probe, ≈ 10 ms of CPU,
  output files, libunwind's first walks); the "net of start-up" rows take it out with runs
  of the same mechanism at 1 Hz in the same pairs.
  The floor is measured at depth 32 because the workload's stacks are about 33 frames deep.
- Handler time is libxprof.so's own measurement inside its signal handler per sample taken
  (unwinding included), from the `#handler` row of `xprof-analyze report --tsv`: a histogram
  in 100 ns buckets whose last bucket holds everything above it, so a quantile that lands
  there is shown as "≥" (a lower bound). It excludes the kernel's signal delivery, which the
  floor includes; per-sample ΔCPU includes both, and for perf events the event's own cost.
"""


def render(d):
    parts = ["# xprof benchmark", "", machine(d), "",
             "## Table 1 — cost", "", cost_table(d), "",
             "## Table 2 — truth", "", truth_table(d), "",
             "## Table 3 — per-sample floor", "", floor_table(d), "",
             "## Table 4 — analysis of a large profile", "", analysis_table(d), "",
             "## Table 5 — process-heavy workloads", "", procs_table(d), "",
             "## Table 6 — Python frames", "", python_table(d), "",
             "## Table 7 — JIT runtimes", "", jit_table(d), "",
             "## Table 8 — off-CPU", "", offcpu_table(d), "",
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
