# SPDX-License-Identifier: MIT
# jit.bash - sourced by the JIT tests (preload-jit.sh, analyzer-jitbad.sh, real-jit-*.sh)
# after common.bash: the CPU shares of JIT functions and their names in every output. Not a
# test itself (run.sh runs *.sh only).
#
#	leaf_share RUN RE [PID]	the share (0..100, two decimals) of the run's CPU weight
#				whose innermost frame matches the Python regex RE (searched
#				anywhere in the frame), of process PID if given
#	split_ok RUN WANT RE_A RE_B [PID [MIN]]
#				FAIL unless A / (A + B) is within 3 points of WANT %, and
#				A + B hold at least MIN % (default 80) of the CPU (of process
#				PID if not empty); prints the shares
#	named_everywhere RUN WORD...
#				FAIL unless every WORD names a function of module [jit] in
#				report's table, a leaf frame in folded, a frame of the SVG flame
#				graph, a frame of speedscope's JSON, and a line of go tool
#				pprof -top
#	unnamed_pct RUN		the share of the sampled CPU that stayed unnamed (the sum of
#				report's #unnamed table)
#	tmp_maps_rm FILE...	removes the /tmp/perf-PID.map of every "pid PID" line in FILEs
#	run_pids RUN		writes "pid PID" lines for the run's processes to $WORK/RUN.pids

JIT_A=$B/xprof-analyze

# jit_out RUN KIND: the analyzer's output of one kind for the run, made once (symbolising a
# runtime's binary takes seconds): tsv, cpu (folded by pid with CPU weights), folded, svg,
# json (speedscope), pb (pprof). Warnings go to $WORK/RUN.an.err. Sets JIT_F to its path.
jit_out()
{
	local run=$1 kind=$2 f=$WORK/$1.out-$2

	if [ ! -e "$f" ]; then
		case $kind in
		tsv) "$JIT_A" report --tsv "$OUT/$run" >"$f" ;;
		cpu) "$JIT_A" folded --pid --weight=cpu-ns "$OUT/$run" >"$f" ;;
		folded) "$JIT_A" folded "$OUT/$run" >"$f" ;;
		svg) "$JIT_A" flamegraph "$OUT/$run" -o "$f" ;;
		json) "$JIT_A" speedscope "$OUT/$run" -o "$f" ;;
		pb) "$JIT_A" pprof "$OUT/$run" -o "$f" ;;
		esac 2>>"$WORK/$run.an.err" || fail "$run: xprof-analyze ($kind) exited $?"
	fi
	JIT_F=$f
}

leaf_share()
{
	local run=$1 re=$2 pid=${3:-}

	jit_out "$run" cpu
	python3 -c '
import re, sys
rx, pid = re.compile(sys.argv[1]), sys.argv[2]
tot = hit = 0
for line in sys.stdin:
    stack, _, w = line.rstrip("\n").rpartition(" ")
    frames = stack.split(";")
    if pid and not frames[0].endswith("-" + pid):
        continue
    tot += int(w)
    if rx.search(frames[-1]):
        hit += int(w)
print("%.2f" % (100.0 * hit / tot if tot else 0))' "$re" "$pid" <"$JIT_F"
}

split_ok()
{
	local run=$1 want=$2 min=${6:-80} a b

	jit_out "$run" cpu	# here, not in the $(...) below, so that a failure is seen

	a=$(leaf_share "$run" "$3" "${5:-}")
	b=$(leaf_share "$run" "$4" "${5:-}")
	echo "  $NAME: $run: $3 $a %, $4 $b % of the CPU; split $(awk "BEGIN{printf \"%.1f\", ($a + $b > 0) ? 100 * $a / ($a + $b) : 0}") %, by construction $want %"
	awk "BEGIN{exit !($a + $b >= $min)}" || fail "$run: $3 and $4 hold only $a + $b % of the CPU"
	awk "BEGIN{d = 100 * $a / ($a + $b) - $want; exit !(d <= 3 && d >= -3)}" ||
		fail "$run: split $a : $b, not $want % within 3 points"
}

named_everywhere()
{
	local run=$1 w tsv folded svg json pb

	shift
	jit_out "$run" tsv && tsv=$JIT_F
	jit_out "$run" folded && folded=$JIT_F
	jit_out "$run" svg && svg=$JIT_F
	jit_out "$run" json && json=$JIT_F
	jit_out "$run" pb && pb=$JIT_F
	HOME=$WORK GOTOOLCHAIN=local go tool pprof -top "$pb" >"$WORK/$run.top" \
		2>"$WORK/$run.top.err" || fail "$run: go tool pprof -top: $(head -2 "$WORK/$run.top.err")"
	for w in "$@"; do
		grep -q "^function	[^	]*$w[^	]*	\[jit\]	" "$tsv" ||
			fail "$run: report has no [jit] function named like $w"
		grep -q ";[^;]*$w[^;]* [0-9]*$" "$folded" || fail "$run: no folded stack ends in $w"
		grep -q "$w" "$svg" || fail "$run: the flame graph does not show $w"
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not any(sys.argv[2] in f["name"] for f in d["shared"]["frames"]))' \
			"$json" "$w" || fail "$run: no speedscope frame named like $w"
		grep -q "$w" "$WORK/$run.top" || fail "$run: go tool pprof -top does not list $w"
	done
}

unnamed_pct()
{
	jit_out "$1" tsv
	awk -F'\t' '$1 == "unnamed" { s += $4 } END { printf "%.2f\n", s }' "$JIT_F"
}

run_pids()
{
	python3 "$XPQ" eval "$OUT/$1" "'\n'.join('pid %d' % p['pid'] for p in P)" \
		>"$WORK/$1.pids" 2>/dev/null
}

tmp_maps_rm()
{
	local p

	for p in $(sed -n 's/^pid \([0-9]*\).*/\1/p' "$@" 2>/dev/null); do
		rm -f "/tmp/perf-$p.map"
	done
}
