# SPDX-License-Identifier: MIT
# offcpu.bash - sourced by offcpu-*.sh after common.bash: the off-CPU records of a run, read
# raw with bench/xpfstat --offcpu (see its top comment for the lines). Not a test itself.
#
#	off_stat RUN		xpfstat --offcpu of $OUT/RUN into $WORK/RUN.off
#	off_call RUN CALL COL	column COL of the `call` line of call number CALL (enum
#				xpf_call): records weight_ns calls blocked blocked_ns; 0 if none
#	off_total RUN COL	column COL of the `offcpu` line: records one_call partial bytes
#				sched_records calls_records
#	near A B FRAC		A within FRAC (0.1: 10 %) of B (integers or decimals)
# Call numbers used here (include/xprof-format.h, enum xpf_call).
XPF_CALL_READ=1
XPF_CALL_WRITE=5
XPF_CALL_NANOSLEEP=31
XPF_CALL_MUTEX_LOCK=35
XPF_CALL_COND_WAIT=37
XPF_CALL_JOIN=39
XPF_CALL_SEM_WAIT=40
XPSTAT=$B/bench/xpfstat
need "$XPSTAT"

off_stat()
{
	"$XPSTAT" --offcpu "$OUT/$1"/*.xpf >"$WORK/$1.off" 2>"$WORK/$1.offerr" ||
		fail "$1: xpfstat --offcpu failed: $(head -c 300 "$WORK/$1.offerr")"
}

off_call()
{
	awk -F'\t' -v c="$2" -v col="$3" '
		BEGIN { n["records"] = 4; n["weight_ns"] = 5; n["calls"] = 6; n["blocked"] = 7
			n["blocked_ns"] = 8 }
		$1 == "call" && $3 == c { s += $(n[col]) } END { print s + 0 }' "$WORK/$1.off"
}

off_total()
{
	awk -F'\t' -v col="$2" '
		BEGIN { n["records"] = 3; n["one_call"] = 4; n["partial"] = 5; n["bytes"] = 6
			n["sched_records"] = 7; n["calls_records"] = 8 }
		$1 == "offcpu" { s += $(n[col]) } END { print s + 0 }' "$WORK/$1.off"
}

near()
{
	awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { d = a - b; if (d < 0) d = -d
		exit !(d <= f * (b < 0 ? -b : b)) }'
}
