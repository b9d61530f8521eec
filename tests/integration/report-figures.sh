#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# report-figures.sh BUILD_DIR - the figures scripts/report.py computes, on made-up inputs
# whose answers are known: medians, the representative pair, per-pair overhead ratios, the
# workers' and coordinator's run-queue and blocked sums with their calls, the overhead goal's
# verdict. Needs no profile: report.py's functions are called directly.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/report-figures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A fork pool run: coordinator 100 (poll, waitpid), workers 101 and 102 (read).
cat >"$tmp/pool.tsv" <<'EOF'
#run	run_id	samples	sampled_ns	cpu_ns	dropped	mechanism	hz	presample_ns	setup_ns	runq_ns	blocked_ns	offcpu_samples
run	r	300	3000000000	3100000000	0	timer-thread-cpu	999	2000000	1000000	700000000	900000000	40
#process	pid	ppid	gen	comm	cpu_ns
process	100	1	0	sim	100000000
process	101	100	0	sim	1500000000
process	102	100	0	sim	1500000000
#thread	pid	gen	tid	name	cpu_ns	wall_ns	runq_ns	blocked_ns	unseen_ns
thread	100	0	100	sim	100000000	2000000000	10000000	1800000000	90000000
thread	101	0	101	sim	1500000000	2000000000	300000000	150000000	50000000
thread	102	0	102	sim	1500000000	2000000000	400000000	100000000	0
#blocked	pid	gen	tid	name	call	calls	blocked	blocked_ns
blocked	100	0	100	sim	poll	50	48	1700000000
blocked	100	0	100	sim	waitpid	2	2	100000000
blocked	101	0	101	sim	read	30	25	150000000
blocked	102	0	102	sim	read	20	18	90000000
blocked	102	0	102	sim	write	20	1	10000000
#function	name	module	self_pct
function	f	sim	100
EOF

python3 - "$top/scripts" "$tmp" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import report as R

fails = 0


def check(what, got, want, tol=1e-9):
    global fails
    ok = abs(got - want) <= tol if isinstance(want, float) else got == want
    print(('PASS ' if ok else 'FAIL ') + what + ('' if ok else f': got {got!r}, want {want!r}'))
    fails += not ok


check('median odd', R.median([3, 1, 2]), 2)
check('median even', R.median([4, 1, 3, 2]), 2.5)
pairs = [dict(pair=1, profiled_first=False, plain=1.00, prof=1.02, samples=70),
         dict(pair=2, profiled_first=True, plain=1.10, prof=1.10, samples=60),
         dict(pair=3, profiled_first=False, plain=0.90, prof=1.08, samples=80)]
check('representative: median profiled wall', R.representative(pairs)['pair'], 3)
check('representative of two: the lower', R.representative(pairs[:2])['pair'], 1)
st = R.pair_stats(pairs)
check('pair ratio median', st['ratio'], 1.02)
check('pair ratio low', st['lo'], 1.0)
check('pair ratio high', st['hi'], 1.2)
check('samples over the runs', st['samples'], 210)
check('fewest samples', st['fewest'], 60)
check('unprofiled median', st['plain'], 1.0)


class FakeRun(R.Run):
    def __init__(self, path):	# only what waits() and pool_roles() read
        self.name, self.tsv = 'pool', path
        self.rows = R.parse_tsv(path)
        self.procs = self.rows['process']
        self.pids = {p['pid'] for p in self.procs}


r = FakeRun(sys.argv[2] + '/pool.tsv')
coord, workers = R.role_waits(r)
check('workers run queue', workers['runq'], 0.7)
check('workers blocked', workers['blocked'], 0.25)
check('workers unseen', workers['unseen'], 0.05)
check('workers in read (both threads)', workers['calls']['read']['s'], 0.24)
check('workers read calls', workers['calls']['read']['calls'], 50)
check('workers blocked reads', workers['calls']['read']['blocked'], 43)
check('coordinator in poll', coord['calls']['poll']['s'], 1.7)
check('coordinator threads', coord['n'], 1)
check('worker threads', workers['n'], 2)
check('calls that explain: read above 5 %, write below', R.top_calls([workers]), ['read'])
check('coordinator calls, most blocked first', R.top_calls([coord]), ['poll', 'waitpid'])
check('startup ms from the run row', R.Run.startup_ms(r), 3.0)
check('leaf path', R.leaf_path(['main', 'a', 'b', '[blocked] read'], 3),
      '[blocked] read ← b ← a')


class O:	# what section_overhead reads of a scenario
    def __init__(self, name, ratio, samples):
        self.name, self.mechanism, self.all_dropped = name, 'timer-thread-cpu', 0
        self.stats = dict(n=7, plain=1.0, prof=ratio, ratio=ratio, lo=ratio, hi=ratio,
                          samples=samples, fewest=samples // 7)
        self.rows = {'run': [dict(presample_ns='1000000', setup_ns='0')]}
        self.tsv = 'x'

    startup_ms = R.Run.startup_ms


text = R.section_overhead([O('a', 1.01, 300), O('b', 1.02, 210), O('c', 1.20, 250)], 200)
check('overhead median and verdict', '×1.020 (goal ≤ ×1.03: met)' in text, True)
check('overhead samples verdict', 'Fewest samples in a scenario: 210 (b; goal ≥ 200: met)'
      in text, True)
text = R.section_overhead([O('a', 1.04, 300), O('b', 1.05, 150)], 200)
check('overhead goal missed', '×1.045 (goal ≤ ×1.03: not met)' in text, True)
check('samples goal missed', 'goal ≥ 200: not met' in text, True)
sys.exit(1 if fails else 0)
EOF
