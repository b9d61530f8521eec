# SPDX-License-Identifier: MIT
# collapse-perf.awk - fold the default `perf script` output into one line per distinct stack,
# root first, with its sample count: "comm;main;f;g 12". The same job as FlameGraph's
# stackcollapse-perf.pl, which Debian 12 does not package; this is the perf side of the
# analysis-speed comparison.
#	perf script -i perf.data | awk -f bench/collapse-perf.awk

# A sample header starts in column 1: "comm  pid  time: period event:".
/^[^ \t]/ { comm = $1; n = 0; next }

function emit(	i, s) {
	if (n) {
		s = comm
		for (i = n; i >= 1; i--)
			s = s ";" f[i]
		count[s]++
	}
	n = 0
}

# A blank line ends the sample: emit its frames root first.
/^[ \t]*$/ { emit(); next }

# A frame line: "addr sym+0xoff (dso)", leaf first.
{
	sym = $2
	sub(/\+0x[0-9a-f]+$/, "", sym)
	f[++n] = sym
}

END {
	emit()
	for (s in count)
		print s, count[s]
}
