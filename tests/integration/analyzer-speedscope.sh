#!/bin/bash
# SPDX-License-Identifier: MIT
# speedscope output: valid against the file-format schema that ships with speedscope (npm),
# one sampled profile per sampled thread with weights adding up to the folded CPU total;
# then loaded by speedscope itself in headless Chromium, whose sandwich view must list the
# hottest function with the CPU time `report` gives it.
. "$(dirname "$0")/common.bash"
. "$HERE/browser.bash"
need "$PROGS/threads4" "$PROGS/analyzer_shares"
SS=$(npm root -g 2>/dev/null)/speedscope/dist/release
[ -f "$SS/file-format-schema.json" ] && [ -f "$SS/index.html" ] ||
	fail "speedscope not installed (scripts/install-deps: npm install -g speedscope)"
# Debian's python3-jsonschema, whichever python3 comes first in PATH.
PY=python3
python3 -c 'import jsonschema' 2>/dev/null || PY=/usr/bin/python3
A=$B/xprof-analyze

prof t 30 "$PROGS/threads4" 0.3
expect_rc t 0
$A speedscope "$OUT/t" -o "$WORK/t.json" 2>"$WORK/t.err" || fail "speedscope: $(cat "$WORK/t.err")"
$A report --tsv "$OUT/t" >"$WORK/t.tsv" 2>/dev/null || fail "report failed"
$A folded --weight=cpu-ns "$OUT/t" >"$WORK/t.folded" 2>/dev/null || fail "folded failed"
msg=$($PY - "$WORK" "$SS/file-format-schema.json" <<'PY'
import json, sys
import jsonschema
w, schema = sys.argv[1], json.load(open(sys.argv[2]))
d = json.load(open(w + "/t.json"))
try:
    jsonschema.validate(d, schema)
except jsonschema.ValidationError as e:
    sys.exit("not valid against speedscope's schema: %s" % e.message)
tsv = [l.rstrip("\n").split("\t") for l in open(w + "/t.tsv")]
hdr = next(r for r in tsv if r[0] == "#thread")[1:]
threads = [dict(zip(hdr, r[1:])) for r in tsv if r[0] == "thread"]
sampled = {t["tid"]: int(t["sampled_ns"]) for t in threads if int(t["samples"])}
profs = d["profiles"]
if len(profs) != len(sampled):
    sys.exit("%d profiles for %d sampled threads" % (len(profs), len(sampled)))
nframes = len(d["shared"]["frames"])
for p in profs:
    tid = p["name"].rsplit(" ", 1)[1]
    if p["type"] != "sampled" or p["unit"] != "nanoseconds" or len(p["samples"]) != len(p["weights"]):
        sys.exit("profile %s: not a sampled profile in ns with a weight per sample" % p["name"])
    if sum(p["weights"]) != sampled.get(tid) or p["endValue"] != sum(p["weights"]):
        sys.exit("profile %s weighs %d ns, the report's thread %s" % (p["name"], sum(p["weights"]), sampled.get(tid)))
    if any(i >= nframes for s in p["samples"] for i in s):
        sys.exit("profile %s names a frame that is not there" % p["name"])
folded = sum(int(l.rsplit(" ", 1)[1]) for l in open(w + "/t.folded"))
if sum(sum(p["weights"]) for p in profs) != folded:
    sys.exit("weights add up to %d ns, folded stacks to %d" % (sum(sum(p["weights"]) for p in profs), folded))
names = {p["name"].split(" / ")[1].split(" ")[0] for p in profs}
if not {"worker_a", "worker_b", "worker_c", "worker_d"} <= names:
    sys.exit("thread profiles: %s" % sorted(names))
PY
) || fail "$msg"

# In speedscope itself: the sandwich view of the profile it opens (the busiest thread).
prof s 30 "$PROGS/analyzer_shares" 0.5
expect_rc s 0
mkdir -p "$WORK/www"
cp -r "$SS" "$WORK/www/speedscope"
$A speedscope "$OUT/s" -o "$WORK/www/s.json" 2>/dev/null || fail "speedscope (s) failed"
big=$($A report --tsv "$OUT/s" | awk -F'\t' '$1 == "function" && $2 == "burn_big" { print $5 }')
[ -n "$big" ] || fail "report has no burn_big"
serve "$WORK/www"
dom "$URL/speedscope/index.html#profileURL=$URL/s.json&view=sandwich" "$WORK/s.dom" 10000
grep -q "<title>s - speedscope</title>" "$WORK/s.dom" ||
	fail "speedscope did not load the profile: $(grep -o '<title>[^<]*' "$WORK/s.dom")"
msg=$(python3 - "$WORK/s.dom" "$big" <<'PY'
import re, sys
dom, want_ns = open(sys.argv[1]).read(), int(sys.argv[2])
for row in dom.split("<tr")[1:]:
    if ">burn_big</td>" in row:
        vals = re.findall(r">([\d.]+)(ns|µs|ms|s) \(", row)
        if not vals:
            sys.exit("burn_big's row has no times: %s" % row[:300])
        scale = {"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}
        total = float(vals[0][0]) * scale[vals[0][1]]
        if abs(total - want_ns) > 0.01e6:
            sys.exit("speedscope shows burn_big %.0f ns total, report %d" % (total, want_ns))
        sys.exit(0)
sys.exit("burn_big is not in speedscope's sandwich view")
PY
) || fail "$msg"
pass
