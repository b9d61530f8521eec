#!/bin/bash
# SPDX-License-Identifier: MIT
# timeline output (Chrome trace-event JSON, as Perfetto's UI opens it): parsed, it must have
# a named process track per pid and a named thread track per thread of the report, a
# "process" slice per pid around an "image" slice per exec generation (the exec'd pid has
# two, gen 0 ending in exec, gen 1 after it), with start and duration matching the report's
# wall time, and nothing but well-formed events. Then the file is opened by a real reader of
# the trace-event format in headless Chromium: speedscope's Chrome-trace importer (Perfetto
# itself is neither a Debian nor an npm package), which must name a track per thread.
. "$(dirname "$0")/common.bash"
need "$PROGS/fork" "$PROGS/exec_env" "$PROGS/envdump" "$PROGS/threads4"
cd "$PROGS" || fail "cd $PROGS"

prof t 30 ./fork work
expect_rc t 0
prof t 30 ./exec_env execve ./envdump
expect_rc t 0
prof t 30 ./threads4 0.2
expect_rc t 0
A=$B/xprof-analyze
$A timeline "$OUT/t" -o "$WORK/t.json" 2>"$WORK/t.err" || fail "timeline: $(cat "$WORK/t.err")"
$A report --tsv "$OUT/t" >"$WORK/t.tsv" 2>/dev/null || fail "report failed"
msg=$(python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
try:
    d = json.load(open(w + "/t.json"))
except ValueError as e:
    sys.exit("not JSON: %s" % e)
tsv = [l.rstrip("\n").split("\t") for l in open(w + "/t.tsv")]
def rows(kind):
    hdr = next(r for r in tsv if r[0] == "#" + kind)[1:]
    return [dict(zip(hdr, r[1:])) for r in tsv if r[0] == kind]
ev = d["traceEvents"]
for e in ev:
    if e.get("ph") not in ("M", "X", "i", "C") or not isinstance(e.get("pid"), int) or \
       not isinstance(e.get("tid"), int) or not isinstance(e.get("name"), str):
        sys.exit("malformed event %s" % e)
    if e["ph"] != "M" and (not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0):
        sys.exit("event without a time: %s" % e)
    if e["ph"] == "X" and e.get("dur", -1) < 0:
        sys.exit("slice without a duration: %s" % e)
names = {e["pid"]: e["args"]["name"] for e in ev if e["name"] == "process_name"}
tnames = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["name"] == "thread_name"}
procs, threads = rows("process"), rows("thread")
for p in procs:
    pid = int(p["pid"])
    if names.get(pid, "").split(" (pid")[0] == "" or "(pid %d)" % pid not in names[pid]:
        sys.exit("no process track named for pid %d: %s" % (pid, names.get(pid)))
for t in threads:
    key = (int(t["pid"]), int(t["tid"]))
    if key not in tnames:
        sys.exit("no thread track for %s" % (key,))
for n in ("worker_a", "worker_b", "worker_c", "worker_d"):
    if n not in tnames.values():
        sys.exit("thread %s has no named track" % n)
images = [e for e in ev if e.get("cat") == "image"]
slices = {e["pid"]: e for e in ev if e.get("cat") == "process"}
for p in procs:
    pid, gen = int(p["pid"]), int(p["gen"])
    im = [e for e in images if e["pid"] == pid and e["args"]["gen"] == gen]
    if len(im) != 1:
        sys.exit("pid %d gen %d: %d image slices" % (pid, gen, len(im)))
    im = im[0]
    if abs(im["dur"] * 1e3 - int(p["wall_ns"])) > 2e3 or im["args"]["end"].split(" ")[0] != p["end"]:
        sys.exit("pid %d gen %d: image %s vs report wall %s end %s" % (pid, gen, im, p["wall_ns"], p["end"]))
    s = slices.get(pid)
    if not s or s["ts"] > im["ts"] + 1e-3 or s["ts"] + s["dur"] < im["ts"] + im["dur"] - 1e-3:
        sys.exit("pid %d: image not inside its process slice" % pid)
execd = [int(p["pid"]) for p in procs if p["gen"] == "1"]
if len(execd) != 1:
    sys.exit("want one exec'd pid in the report, got %s" % execd)
gens = sorted((e["args"]["gen"], e["args"]["end"]) for e in images if e["pid"] == execd[0])
if gens[0] != (0, "exec") or gens[1][0] != 1:
    sys.exit("exec generations of pid %d: %s" % (execd[0], gens))
PY
) || fail "$msg"
# In a real reader of the format: speedscope imports trace-event JSON, a profile per track.
SS=$(npm root -g 2>/dev/null)/speedscope/dist/release
[ -f "$SS/index.html" ] || fail "speedscope not installed (scripts/install-deps)"
. "$HERE/browser.bash"
mkdir -p "$WORK/www"
cp -r "$SS" "$WORK/www/speedscope"
cp "$WORK/t.json" "$WORK/www/t.json"
serve "$WORK/www"
dom "$URL/speedscope/index.html#profileURL=$URL/t.json" "$WORK/t.dom" 10000
grep -q "<title>t.json - speedscope</title>" "$WORK/t.dom" ||
	fail "speedscope did not load the timeline: $(grep -o '<title>[^<]*' "$WORK/t.dom")"
for n in worker_a worker_b worker_c worker_d; do
	grep -q "$n (tid [0-9]*)" "$WORK/t.dom" || fail "speedscope shows no track for thread $n"
done
pass
