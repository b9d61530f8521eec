#!/bin/bash
# SPDX-License-Identifier: MIT
# pprof output read by the real `go tool pprof` (Debian golang-go): two programs in one run
# (threads4: four named threads; analyzer_inline: an inlined function). `-top` must give the
# same top functions and shares as `report`; `-raw` must show the two sample types, labels
# pid, tid, command and thread matching the report's threads, CPU values adding up to the
# folded total, locations with file:line and an inlined frame, and mappings with build-ids.
# Where libxprof.so interposes blocking calls (threads4's main thread waits in pthread_join),
# -raw must also show the off-CPU sample types, their values adding up to the off-CPU folded
# total and the report's blocked samples, and "[blocked] pthread_join" as a function.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4" "$PROGS/analyzer_inline"
command -v go >/dev/null || fail "go not installed (scripts/install-deps installs golang-go)"
export HOME=$WORK GOTOOLCHAIN=local

prof p 30 "$PROGS/threads4" 0.3
expect_rc p 0
prof p 30 "$PROGS/analyzer_inline" 0.3
expect_rc p 0
A=$B/xprof-analyze
$A pprof "$OUT/p" -o "$WORK/p.pb.gz" 2>"$WORK/pprof.err" || fail "pprof: $(cat "$WORK/pprof.err")"
[ "$(head -c 2 "$WORK/p.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "not gzip"
go tool pprof -top "$WORK/p.pb.gz" >"$WORK/top.txt" 2>"$WORK/top.err" ||
	fail "go tool pprof -top: $(head -3 "$WORK/top.err")"
go tool pprof -raw "$WORK/p.pb.gz" >"$WORK/raw.txt" 2>"$WORK/raw.err" ||
	fail "go tool pprof -raw: $(head -3 "$WORK/raw.err")"
$A report --tsv "$OUT/p" >"$WORK/r.tsv" 2>/dev/null || fail "report failed"
$A folded --weight=cpu-ns "$OUT/p" >"$WORK/f.txt" 2>/dev/null || fail "folded failed"
$A folded --kind offcpu "$OUT/p" >"$WORK/off.txt" 2>/dev/null || fail "folded --kind offcpu failed"
OFFCPU=0
nm -D --defined-only "$B/libxprof.so" | grep -qw pthread_join && OFFCPU=1

msg=$(python3 - "$WORK" "$OFFCPU" <<'PY'
import re, sys
w, offcpu = sys.argv[1], sys.argv[2] == "1"
tsv = [l.rstrip("\n").split("\t") for l in open(w + "/r.tsv")]
def rows(kind):
    hdr = next(r for r in tsv if r[0] == "#" + kind)[1:]
    return [dict(zip(hdr, r[1:])) for r in tsv if r[0] == kind]
# -top: "flat flat% sum% cum cum% name", the same order and shares as report's self column.
top = []
for l in open(w + "/top.txt"):
    m = re.match(r"\s*\S+\s+([\d.]+)%\s+\S+%\s+\S+\s+[\d.]+%\s+(.+)$", l)
    if m:
        top.append((m.group(2).replace(" (inline)", ""), float(m.group(1))))
# Timer ticks weigh alike, so equal shares may come in either order: compare by name.
report = {}
for f in rows("function"):
    report[f["name"]] = report.get(f["name"], 0) + float(f["self_pct"])
for name, pct in top[:5]:
    if abs(pct - report.get(name, -100)) > 0.1:
        sys.exit("pprof -top %s %.2f%%, report %s%%" % (name, pct, report.get(name)))
if sorted(n for n, _ in top[:5]) != sorted(["worker_a", "worker_b", "worker_c", "worker_d", "hot_inlined"]):
    sys.exit("pprof -top's first five: %s" % [n for n, _ in top[:5]])
raw = open(w + "/raw.txt").read()
if "samples/count cpu/nanoseconds[dflt]" not in raw:
    sys.exit("sample types missing from -raw")
types4 = "samples/count cpu/nanoseconds[dflt] offcpu_samples/count offcpu/nanoseconds" in raw
if offcpu and not types4:
    sys.exit("libxprof.so interposes pthread_join, but -raw has no off-CPU sample types")
# Samples: "N NS [OFF_N OFF_NS]: loc ids" then label lines.
n = ns = off_n = off_ns = 0
tids, names, pids, comms = set(), set(), set(), set()
for m in re.finditer(r"^\s+(\d+)\s+(\d+)(?:\s+(\d+)\s+(\d+))?: [\d ]+\n((?:\s+\w+:\[.*\n)+)",
                     raw, re.M):
    n += int(m.group(1)); ns += int(m.group(2))
    off_n += int(m.group(3) or 0); off_ns += int(m.group(4) or 0)
    if int(m.group(1)) == 0 and int(m.group(3) or 0) == 0:
        sys.exit("a sample of neither kind")
    labels = dict(re.findall(r"(\w+):\[([^\]]*)\]", m.group(5)))
    for k in ("pid", "tid", "command", "thread"):
        if k not in labels:
            sys.exit("a sample without label %s: %s" % (k, m.group(3).strip()))
    tids.add(labels["tid"]); names.add(labels["thread"]); pids.add(labels["pid"]); comms.add(labels["command"])
folded = sum(int(l.rsplit(" ", 1)[1]) for l in open(w + "/f.txt"))
run = rows("run")[0]
if ns != folded or n != int(run["samples"]):
    sys.exit("-raw adds up to %d samples, %d ns; report %s samples, folded %d ns" % (n, ns, run["samples"], folded))
want = {t["tid"] for t in rows("thread") if int(t["samples"])}
may = want | {t["tid"] for t in rows("thread") if int(t["blocked_ns"])}
if not want <= tids <= may:
    sys.exit("tid labels %s, report's sampled threads %s" % (sorted(tids), sorted(want)))
if not {"worker_a", "worker_b", "worker_c", "worker_d"} <= names or comms != {"threads4", "analyzer_inline"}:
    sys.exit("thread/command labels: %s %s" % (sorted(names), sorted(comms)))
if pids != {p["pid"] for p in rows("process")}:
    sys.exit("pid labels %s" % sorted(pids))
# Locations: file:line, and hot_inlined with outer_fn as the next line of the same location.
if not re.search(r"worker_a \S*threads4\.c:\d+", raw):
    sys.exit("no file:line for worker_a")
if not re.search(r"hot_inlined \S*analyzer_inline\.c:\d+ s=0\n\s+outer_fn ", raw):
    sys.exit("no location with hot_inlined inlined into outer_fn")
if not re.search(r"^\d+: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 \S*/threads4 [0-9a-f]{40} \[FN\]", raw, re.M):
    sys.exit("no mapping of threads4 with a build-id")
if types4 or offcpu:
    off_folded = sum(int(l.rsplit(" ", 1)[1]) for l in open(w + "/off.txt"))
    if off_ns != off_folded or off_n != int(run["offcpu_samples"]) or not off_ns:
        sys.exit("-raw off-CPU: %d records, %d ns; report %s records, folded --kind offcpu %d ns"
                 % (off_n, off_ns, run["offcpu_samples"], off_folded))
    if not re.search(r"^\s+\d+: 0x0 \[blocked\] pthread_join :0 s=0$", raw, re.M):
        sys.exit("no location named [blocked] pthread_join")
PY
) || fail "$msg"
pass
