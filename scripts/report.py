#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py - build results/REPORT.md from the runs scripts/make-report.sh just made.

Inputs, all in --runs: manifest.tsv (name, kind, x, checksum, pairs, arguments: one line per
scenario), pairs.tsv (name, pair, profiled first 0/1, unprofiled wall ns, profiled wall ns,
samples: one line per pair of runs), NAME-pN.tsv and NAME-pN.out (`xprof-analyze report
--tsv` and the program's stdout of profiled run N), NAME.all.tsv (report --tsv of all the
scenario's profiled runs together), NAME.offcpu-pid.folded (their off-CPU stacks, process
frames first) and, for MPI, NAME-pN.cpu-pid.folded. Every number in the report comes from
these files; a value that cannot be found is an error (exit 1), never a placeholder.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys


class ReportError(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise ReportError(msg)


def parse_tsv(path):
    """{kind: [row dict]} from `report --tsv`: each kind's rows follow its '#kind' header."""
    heads, rows = {}, {}
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line:
                continue
            fields = line.split('\t')
            if fields[0].startswith('#'):
                heads[fields[0][1:]] = fields
                continue
            kind = fields[0]
            need(kind in heads, f'{path}:{ln}: row kind {kind!r} before its header')
            need(len(fields) == len(heads[kind]),
                 f'{path}:{ln}: {len(fields)} fields, header has {len(heads[kind])}')
            rows.setdefault(kind, []).append(dict(zip(heads[kind], fields)))
    for kind in ('run', 'process', 'function'):
        need(rows.get(kind), f'{path}: no {kind} rows')
    return rows


def num(row, key, path):
    need(key in row, f'{path}: column {key} missing')
    try:
        return float(row[key])
    except ValueError:
        raise ReportError(f'{path}: {key}={row[key]!r} is not a number')


def median(xs):
    """The middle value (the mean of the two middle ones for an even count)."""
    xs = sorted(xs)
    need(xs, 'median of no values')
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def read_pairs(path):
    """{scenario: [pair dict]} from pairs.tsv."""
    out = {}
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.rstrip('\n').split('\t')
            need(len(fields) == 6, f'{path}:{ln}: {len(fields)} fields, want 6')
            name, pair, first, plain, prof, samples = fields
            need(int(plain) > 0 and int(prof) > 0, f'{path}:{ln}: a wall time is not > 0')
            out.setdefault(name, []).append(dict(pair=int(pair), profiled_first=first == '1',
                                                 plain=int(plain) / 1e9, prof=int(prof) / 1e9,
                                                 samples=int(samples)))
    return out


def representative(pairs):
    """The pair whose profiled run has the median wall time (the lower one of an even
    count): the scenario tables show a typical run, not the luckiest or the unluckiest."""
    need(pairs, 'no pairs')
    by_wall = sorted(pairs, key=lambda p: p['prof'])
    return by_wall[(len(by_wall) - 1) // 2]


def pair_stats(pairs):
    """Per-pair ratios profiled / unprofiled: their median and range, the medians of each
    side, samples over all profiled runs and the fewest of one run."""
    ratios = [p['prof'] / p['plain'] for p in pairs]
    return dict(n=len(pairs), ratio=median(ratios), lo=min(ratios), hi=max(ratios),
                plain=median(p['plain'] for p in pairs), prof=median(p['prof'] for p in pairs),
                samples=sum(p['samples'] for p in pairs),
                fewest=min(p['samples'] for p in pairs))


class Run:
    def __init__(self, runs, fields, pairs):
        self.name, self.kind, x, self.checksum, npairs, self.args = fields
        self.x = int(x)
        need(len(pairs) == int(npairs), f'{self.name}: {len(pairs)} pairs, manifest says '
             f'{npairs}')
        self.pairs = pairs
        self.stats = pair_stats(pairs)
        rep = representative(pairs)
        self.pair = rep['pair']
        self.wall = rep['prof']
        self.plain = rep['plain']
        base = os.path.join(runs, f'{self.name}-p{self.pair}')
        self.runs = runs
        self.tsv = base + '.tsv'
        self.rows = parse_tsv(self.tsv)
        self.all_tsv = os.path.join(runs, self.name + '.all.tsv')
        self.all = parse_tsv(self.all_tsv)
        with open(base + '.out') as f:
            self.out = f.read()
        run = self.rows['run'][0]
        self.cpu = num(run, 'cpu_ns', self.tsv) / 1e9
        self.sampled = num(run, 'sampled_ns', self.tsv) / 1e9
        self.samples = int(num(run, 'samples', self.tsv))
        self.dropped = int(num(run, 'dropped', self.tsv))
        self.runq = num(run, 'runq_ns', self.tsv) / 1e9
        self.blocked = num(run, 'blocked_ns', self.tsv) / 1e9
        arun = self.all['run'][0]
        self.all_samples = int(num(arun, 'samples', self.all_tsv))
        self.all_sampled = num(arun, 'sampled_ns', self.all_tsv) / 1e9
        self.all_dropped = int(num(arun, 'dropped', self.all_tsv))
        self.offcpu_samples = int(num(arun, 'offcpu_samples', self.all_tsv))
        need(self.all_samples == self.stats['samples'],
             f'{self.all_tsv}: {self.all_samples} samples, its runs {self.stats["samples"]}')
        self.mechanism = run.get('mechanism', '')
        self.hz = run.get('hz', '')
        self.procs = self.rows['process']
        self.pids = {p['pid'] for p in self.procs}
        need(self.cpu > 0 and self.samples > 0, f'{self.tsv}: no CPU time or no samples')

    def region(self, name):
        for r in self.rows.get('region', []):
            if r['name'] == name:
                return r
        raise ReportError(f'{self.tsv}: no region {name!r}')

    def region_ms(self, name, key='mean_ns'):
        return num(self.region(name), key, self.tsv) / 1e6

    def out_value(self, label):
        m = re.search(r'^' + re.escape(label) + r':\s*(.+)$', self.out, re.M)
        need(m, f'{self.name}: no "{label}:" line in its output')
        return m.group(1).strip()

    def tasks(self):
        return int(self.out_value('tasks'))

    def roots(self):
        """Processes whose parent is outside the run: the program started by the script."""
        return [p for p in self.procs if p['ppid'] not in self.pids]

    def cpu_of(self, procs):
        return sum(num(p, 'cpu_ns', self.tsv) for p in procs) / 1e9

    def threads(self):
        return self.rows.get('thread', [])

    def blocked_calls(self):
        return self.rows.get('blocked', [])

    def startup_ms(self):
        """xprof's own start-up CPU in the representative run: before the first sample and
        setting up, summed over its processes (the report --tsv run row)."""
        run = self.rows['run'][0]
        return (num(run, 'presample_ns', self.tsv) + num(run, 'setup_ns', self.tsv)) / 1e6

    def functions(self):
        """Function shares over all the scenario's profiled runs."""
        return self.all['function']

    def func_pct(self, name, key):
        for f in self.functions():
            if f['name'] == name:
                return num(f, key, self.all_tsv)
        return 0.0	# not in any sampled stack: no time measured in it

    def top(self, n=1):
        return self.functions()[:n]


def waits(run, threads):
    """Sums over the given thread rows of run: cpu, runq, blocked, unseen, wall (s), and
    blocked s and calls per call name from the #blocked table (exact per-thread totals)."""
    keys = {(t['pid'], t['gen'], t['tid']) for t in threads}
    out = {k: sum(num(t, k + '_ns', run.tsv) for t in threads) / 1e9
           for k in ('cpu', 'runq', 'blocked', 'unseen', 'wall')}
    calls = {}
    for b in run.blocked_calls():
        if (b['pid'], b['gen'], b['tid']) in keys:
            c = calls.setdefault(b['call'], dict(s=0.0, calls=0, blocked=0))
            c['s'] += num(b, 'blocked_ns', run.tsv) / 1e9
            c['calls'] += int(num(b, 'calls', run.tsv))
            c['blocked'] += int(num(b, 'blocked', run.tsv))
    out['calls'] = calls
    out['n'] = len(threads)
    return out


def pool_roles(r):
    """(coordinator thread rows, worker thread rows): the coordinator is the main thread of
    the root process, every other thread of the run a worker (fork pool: the children's
    threads; thread pool: the root's other threads)."""
    root = r.roots()
    need(len(root) == 1, f'{r.name}: {len(root)} root processes')
    pid = root[0]['pid']
    ths = r.threads()
    main = [t for t in ths if t['pid'] == pid and t['tid'] == pid]
    need(len(main) == 1, f'{r.name}: no main thread row for pid {pid}')
    workers = [t for t in ths if t is not main[0]]
    need(workers, f'{r.name}: no worker thread')
    return main, workers


def top_calls(ws, share=0.05):
    """Call names of a role whose blocked time is at least share of its blocked time in one
    of the runs (ws: that role's waits() per run), most blocked first."""
    tot = {}
    for w in ws:
        for c, v in w['calls'].items():
            if w['blocked'] > 0 and v['s'] >= share * w['blocked']:
                tot[c] = tot.get(c, 0.0) + v['s']
    return sorted(tot, key=lambda c: -tot[c])


def read_folded(path):
    """[(frames, weight)] of a folded-stacks file ('a;b;c WEIGHT' lines)."""
    out = []
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line:
                continue
            stack, _, w = line.rpartition(' ')
            need(stack and w.isdigit(), f'{path}:{ln}: not a folded line')
            out.append((stack.split(';'), int(w)))
    return out


def leaf_path(frames, n=4):
    """The last n frames of a stack, the blocked call and its callers, innermost last."""
    return ' ← '.join(reversed(frames[-n:]))


def f3(v):
    return f'{v:.3f}'


def f1(v):
    return f'{v:.1f}'


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join('---' for _ in head) + '|']
    for r in rows:
        need(len(r) == len(head), f'table row {r} does not fit {head}')
        for c in r:
            need(str(c).strip() not in ('', 'nan', 'inf', 'TBD'), f'bad table cell in {r}')
        out.append('| ' + ' | '.join(str(c) for c in r) + ' |')
    return '\n'.join(out) + '\n'


def top_functions_table(runs, label, n=6):
    """Union of each run's top-n self functions; cells are self % in every run."""
    names = []
    for r in runs:
        for f in r.top(n):
            if f['name'] not in names:
                names.append(f['name'])
    modules = {f['name']: f.get('module', '') for r in runs for f in r.functions()}
    rows = []
    for name in names:
        rows.append([f'`{name}`', os.path.basename(modules.get(name, '')) or '?'] +
                    [f1(r.func_pct(name, 'self_pct')) for r in runs])
    return table(['Function', 'Module'] + [f'{label(r)} self %' for r in runs], rows)


def describe_top(r):
    f = r.top(1)[0]
    return f'`{f["name"]}` ({f1(float(f["self_pct"]))}% of samples, self)'


def section_batch(runs):
    rows = []
    for r in runs:
        rows.append([r.x, f3(r.wall), f3(r.cpu), f3(r.sampled), f3(r.region_ms('init')),
                     f3(r.region_ms('backtest')), f3(r.region_ms('load', 'total_ns')),
                     len(r.pids)])
    small, big = runs[0], runs[-1]
    bt = int(big.region('init')['count'])
    init_share = big.region_ms('init', 'total_ns') / (big.wall * 1e3) * 100
    txt = ['## Scenario 1: Batch initialisation\n',
           f'Bundles of {", ".join(str(r.x) for r in runs)} assets, {bt} backtests each. '
           'Avg Init Time is the mean of the "init" region (align every series on the '
           'calendar, compute indicators) per backtest; the CPU columns cover the whole '
           'process tree, exact from the kernel and from samples.\n',
           table(['Assets', 'Total Time (s)', 'CPU Time (s) exact', 'CPU Time (s) sampled',
                  'Avg Init Time (ms)', 'Avg Backtest Time (ms)', 'Bundle Load (ms)',
                  'Processes'], rows),
           f'\nInit time grows from {f3(small.region_ms("init"))} ms at {small.x} assets to '
           f'{f3(big.region_ms("init"))} ms at {big.x} assets '
           f'({big.region_ms("init") / small.region_ms("init"):.1f}x for '
           f'{big.x / small.x:.0f}x the assets); at {big.x} assets the init regions take '
           f'{f1(init_share)}% of the wall time. The top self function is '
           f'{describe_top(small)} at {small.x} assets and {describe_top(big)} at '
           f'{big.x} assets.\n\n',
           top_functions_table(runs, lambda r: f'{r.x} assets')]
    return '\n'.join(txt)


def pool_stats(r):
    """Coordinator = the main thread of the root process (same for fork and thread pools)."""
    root = r.roots()
    need(len(root) == 1, f'{r.name}: {len(root)} root processes')
    pid = root[0]['pid']
    main = [t for t in r.rows.get('thread', []) if t['pid'] == pid and t['tid'] == pid]
    need(len(main) == 1, f'{r.name}: no main thread row for pid {pid}')
    coord = num(main[0], 'cpu_ns', r.tsv) / 1e9
    tasks = r.tasks()
    task = r.region('task')
    need(int(task['count']) == tasks, f'{r.name}: {task["count"]} task regions, {tasks} tasks')
    task_cpu = num(task, 'cpu_ns', r.tsv) / 1e9
    return {'coord': coord, 'tasks': tasks, 'task_cpu': task_cpu,
            'task_mean': num(task, 'mean_ns', r.tsv) / 1e6}


def role_waits(r):
    coord, workers = pool_roles(r)
    return waits(r, coord), waits(r, workers)


def waits_table(runs, label):
    """Per run: wall, then each role's CPU, run queue, blocked (with the calls that explain
    it, from the #blocked table) and unseen time, in s."""
    ws = [role_waits(r) for r in runs]
    ccalls = top_calls([c for c, _ in ws])
    wcalls = top_calls([w for _, w in ws])
    head = [label, 'Wall (s)', 'Workers CPU (s)', 'Workers run queue (s)',
            'Workers blocked (s)'] + [f'Workers in {c} (s)' for c in wcalls] + \
        ['Workers unseen (s)', 'Coordinator CPU (s)', 'Coordinator run queue (s)',
         'Coordinator blocked (s)'] + [f'Coordinator in {c} (s)' for c in ccalls]
    rows = []
    for r, (c, w) in zip(runs, ws):
        rows.append([r.x, f3(r.wall), f3(w['cpu']), f3(w['runq']), f3(w['blocked'])] +
                    [f3(w['calls'].get(k, {}).get('s', 0.0)) for k in wcalls] +
                    [f3(w['unseen']), f3(c['cpu']), f3(c['runq']), f3(c['blocked'])] +
                    [f3(c['calls'].get(k, {}).get('s', 0.0)) for k in ccalls])
    return table(head, rows)


def call_list(w, n=3):
    """'read 0.123 s (456 calls, 400 blocked), poll ...' for the n most blocked calls that
    blocked at all, or what the calls were when none did."""
    cs = sorted(((c, v) for c, v in w['calls'].items() if v['blocked']),
                key=lambda kv: -kv[1]['s'])[:n]
    if not cs:
        return 'none of their ' + ', '.join(f'{v["calls"]} `{c}`'
                                            for c, v in w['calls'].items()) + ' calls blocked'
    return ', '.join(f'`{c}` {f3(v["s"])} s ({v["calls"]} calls, {v["blocked"]} blocked)'
                     for c, v in cs)


def explain_pool(runs, threads):
    """Why more workers are slower (or not) on this machine, from the measured waits."""
    ncpu = os.cpu_count()
    a, b = runs[0], runs[-1]
    best = max(runs, key=lambda r: pool_stats(r)['tasks'] / r.wall)
    (ca, wa), (cb, wb), (_, wbest) = role_waits(a), role_waits(b), role_waits(best)
    sb = pool_stats(b)
    unit = 'threads' if threads else 'workers'
    txt = [f'Where the time goes, from the threads\' own figures (CPU from the kernel, run '
           f'queue from /proc/thread-self/schedstat, blocked time from the calls xprof '
           f'interposes, unseen = lifetime − CPU − run queue − blocked). At {a.x} {unit} the '
           f'{unit} wait {f3(wa["runq"])} s in the run queue and are blocked {f3(wa["blocked"])} '
           f's; at {b.x} {unit} they wait {f3(wb["runq"])} s in the run queue — on average '
           f'{wb["runq"] / b.wall:.1f} {unit} ready to run with no CPU free, over a '
           f'{f3(b.wall)} s run on {ncpu} CPUs; other programs on the machine count too '
           f'(load average {load_start()} at the start of the report) — and are blocked '
           f'{f3(wb["blocked"])} s: {call_list(wb)}.']
    if cb['calls']:
        txt.append(f' The coordinator is blocked {f3(cb["blocked"])} s at {b.x} {unit}: '
                   f'{call_list(cb)}, against {f3(ca["blocked"])} s at {a.x}.')
    per_task = wb['runq'] / sb['tasks'] * 1e3
    txt.append(f' Per task that is {per_task:.1f} ms of run queue at {b.x} {unit}, beside the '
               f'{f3(sb["task_mean"] - sb["task_cpu"] / sb["tasks"] * 1e3)} ms by which a task\'s '
               f'wall time exceeds its CPU.')
    if b is not best and b.wall > best.wall:
        dwall = b.wall - best.wall
        dcpu = b.cpu - best.cpu
        txt.append(
            f' {b.x} {unit} take {f3(b.wall)} s against {f3(best.wall)} s at {best.x}: '
            f'{f3(dwall)} s more. The run uses {util(b)}% of the {ncpu} CPUs over its wall '
            f'time at {b.x} {unit} ({util(best)}% at {best.x}); '
            + (f'waiting for a CPU is where the {unit} spend most of what they do not '
               f'compute ({f3(wb["runq"])} s of run queue against {f3(wb["blocked"])} s '
               f'blocked and {f3(wb["unseen"])} s unseen; {f3(wbest["runq"])} s of run queue '
               f'at {best.x}), ' if wb['runq'] > wb['blocked'] + wb['unseen'] else
               f'the {unit} are blocked {f3(wb["blocked"])} s and wait {f3(wb["runq"])} s in '
               f'the run queue, ') +
            f'and the run needs {f3(dcpu)} s more CPU ({f3(b.cpu)} s against {f3(best.cpu)} s'
            f'{"" if threads else "; per-worker start-up: each loads the bundle"}), which on {ncpu} CPUs is {f3(dcpu / ncpu)} '
            f's of wall time against the {f3(dwall)} s lost. More {unit} than CPUs add work '
            f'and queueing, not throughput.')
    else:
        txt.append(f' {b.x} {unit} are not slower than fewer here: the best throughput is at '
                   f'{best.x}.')
    return ''.join(txt) + '\n\n'


def section_parallel(runs, threads):
    rows = []
    for r in runs:
        s = pool_stats(r)
        _, w = role_waits(r)
        rows.append([r.x, f3(r.wall), f3(r.cpu), f3(r.sampled), f3(w['runq']), f3(w['blocked']),
                     f1(s['tasks'] / r.wall), len(r.pids), len(r.threads()),
                     f1(s['coord'] / r.cpu * 100), f3(s['task_mean']),
                     f3(s['task_cpu'] / s['tasks'] * 1e3), f3(r.cpu / s['tasks'] * 1e3)])
    a, b = runs[0], runs[-1]
    sa, sb = pool_stats(a), pool_stats(b)
    best = max(runs, key=lambda r: pool_stats(r)['tasks'] / r.wall)
    outside_a = (a.cpu - sa['task_cpu'] - sa['coord'])
    outside_b = (b.cpu - sb['task_cpu'] - sb['coord'])
    ncpu = os.cpu_count()
    kind = 'threads' if threads else 'worker processes'
    head = ['Workers', 'Total Time (s)', 'CPU Time (s) exact', 'CPU Time (s) sampled',
            'Run queue (s)', 'Blocked (s)', 'Throughput (tasks/s)', 'Processes', 'Threads',
            'Coordinator CPU %', 'Task wall (ms)', 'Task CPU (ms)', 'CPU per task (ms)']
    title = ('## Scenario 2b: Thread pool' if threads else
             '## Scenario 2: Parallel coordinator (fork pool)')
    txt = [title + '\n',
           f'{sa["tasks"]} tasks over {", ".join(str(r.x) for r in runs)} {kind} on '
           f'{ncpu} CPUs. Throughput is tasks / wall; task wall and CPU are the means of the '
           '"task" region in the workers; CPU per task divides the whole tree\'s CPU. Run queue '
           'and Blocked sum the workers\' threads: time ready to run but waiting for a CPU, and '
           'time blocked in a call (the coordinator\'s own are in the second table).\n',
           table(head, rows), '\n', waits_table(runs, 'Workers'), '\n', explain_pool(runs, threads)]
    if threads:
        txt.append(f'With threads the bundle is loaded once and results are not serialised: '
                   f'CPU per task is {f3(a.cpu / sa["tasks"] * 1e3)} ms at {a.x} threads and '
                   f'{f3(b.cpu / sb["tasks"] * 1e3)} ms at {b.x}, and the main thread '
                   f'(load, then join) uses {f1(sb["coord"] / b.cpu * 100)}% of the CPU at '
                   f'{b.x} threads; best throughput '
                   f'{f1(pool_stats(best)["tasks"] / best.wall)} tasks/s at {best.x} threads. '
                   f'Top self function at {b.x} threads: {describe_top(b)}.\n\n')
    else:
        txt.append(
            f'Best throughput is {f1(pool_stats(best)["tasks"] / best.wall)} tasks/s at '
            f'{best.x} workers. From {a.x} to {b.x} workers the CPU per task goes from '
            f'{f3(a.cpu / sa["tasks"] * 1e3)} to {f3(b.cpu / sb["tasks"] * 1e3)} ms: CPU '
            f'spent in workers outside tasks (startup bundle load, IPC) goes from '
            f'{f3(outside_a)} s to {f3(outside_b)} s, and a task\'s wall time from '
            f'{f3(sa["task_mean"])} to {f3(sb["task_mean"])} ms while its CPU goes from '
            f'{f3(sa["task_cpu"] / sa["tasks"] * 1e3)} to '
            f'{f3(sb["task_cpu"] / sb["tasks"] * 1e3)} ms. The coordinator '
            f'(writes the bundle, encodes tasks, decodes results) uses '
            f'{f1(sa["coord"] / a.cpu * 100)}% of the CPU at {a.x} workers and '
            f'{f1(sb["coord"] / b.cpu * 100)}% at {b.x}. Loader share (`data_load_bundle`, '
            f'inclusive, all profiled runs): {f1(a.func_pct("data_load_bundle", "total_pct"))}% '
            f'at {a.x} workers, {f1(b.func_pct("data_load_bundle", "total_pct"))}% at {b.x}.\n\n')
    txt.append(top_functions_table([a, b] if b is not a else [a],
                                   lambda r: f'{r.x} {"threads" if threads else "workers"}'))
    return '\n'.join(txt)


def section_search(grid, bohb):
    rows = []
    for label, r in (('GridSearch', grid), ('BOHB', bohb)):
        budget = re.match(r'([0-9.]+)', r.out_value('budget')).group(1)
        rows.append([label, r.out_value('best objective'), r.out_value('evaluations'), budget,
                     f3(r.wall), f3(r.cpu), f3(r.sampled), f3(r.region_ms('evaluate'))])
    g_obj, b_obj = float(rows[0][1]), float(rows[1][1])
    txt = ['## Scenario 3: GridSearch vs BOHB\n',
           'Both search the same 4-parameter space (fast/slow window, RSI threshold, '
           'stop-loss) over the same bundle. GridSearch runs every lattice point at full '
           'length; BOHB runs Hyperband brackets whose budgets are fractions of the history, '
           'proposing configurations from a TPE-style density model. Budget is in full-length '
           'evaluations.\n',
           table(['Optimiser', 'Best objective', 'Evaluations', 'Budget (full evals)',
                  'Total Time (s)', 'CPU Time (s) exact', 'CPU Time (s) sampled',
                  'Mean evaluation (ms)'], rows),
           f'\nBOHB reaches a best objective of {b_obj:.4f} against {g_obj:.4f} for the grid '
           f'with {float(rows[1][3]) / float(rows[0][3]) * 100:.1f}% of the grid\'s budget, '
           f'in {bohb.wall / grid.wall * 100:.1f}% of its wall time '
           f'(BOHB searches the continuous space, the grid only its lattice). Top self '
           f'function: {describe_top(grid)} for the grid, {describe_top(bohb)} for BOHB.\n\n',
           top_functions_table([grid, bohb], lambda r: 'grid' if r is grid else 'BOHB')]
    return '\n'.join(txt)


LOADAVG = {}


def load_start():
    return LOADAVG.get('start', '?')


def util(r):
    return f1(r.cpu / (r.wall * os.cpu_count()) * 100)


def py_functions(r):
    """The run's Python functions (py:NAME (FILE:LINE)) by inclusive CPU."""
    fs = [f for f in r.functions() if f['name'].startswith('py:')]
    fs.sort(key=lambda f: -num(f, 'total_pct', r.tsv))
    return fs


def section_python(runs):
    rows = []
    for r in runs:
        py = r.rows.get('python') or []
        need(py and py[0]['walked'] == 'python', f'{r.name}: no interpreter walked in {r.tsv}')
        p = py[0]
        rows.append([r.x, f3(r.wall), f3(r.cpu), f3(r.sampled), len(r.pids), p['version'],
                     f1(num(p, 'python_pct', r.tsv)), f1(num(p, 'eval_unnamed_pct', r.tsv)),
                     f1(num(p, 'leaf_unnamed_pct', r.tsv)), int(num(p, 'partial', r.tsv))])
    head = ['Workers', 'Total Time (s)', 'CPU Time (s) exact', 'CPU Time (s) sampled',
            'Processes', 'CPython', 'CPU with Python names %', 'Python code unnamed %',
            'Leaf without symbol %', 'Partial samples']
    last = runs[-1]
    fs = [f for f in py_functions(last) if f['module'] == 'backtest.py']
    need(any(f['name'].startswith('py:run_backtest') for f in fs) and
         any(f['name'].startswith('py:compute_signals') for f in fs),
         f'{last.name}: run_backtest and compute_signals are not among its Python functions')
    frows = [[f'`{f["name"]}`', f1(num(f, 'self_pct', last.tsv)),
              f1(num(f, 'total_pct', last.tsv))] for f in fs[:12]]
    best = last.out_value('best')
    return '\n'.join([
        '## Scenario 5: Python backtest (multiprocessing.Pool)\n',
        f'`target-sim/py/backtest.py`, the parallel coordinator in Python: a fork '
        f'`multiprocessing.Pool` maps one task per point of a grid over fast/slow moving-average '
        f'windows and a stop-loss ({last.out_value("grid points")} points), each backtesting '
        f'every asset (`run_backtest` -> `compute_signals` -> `simulate_trades` -> `sharpe`). '
        f'Nothing in the program knows of xprof: the interpreter\'s own frames are read from '
        f'its memory at each sample and put in place of `_PyEval_EvalFrameDefault`, so the '
        f'function table names Python functions as `py:NAME (FILE:LINE)` (LINE: the first '
        f'line). "Python code unnamed" is the CPU whose innermost interpreter frame stayed an '
        f'evaluation frame; "leaf without symbol" the CPU whose leaf frame has no name (Debian '
        f'strips `/usr/bin/python3.11` to its exported symbols: without the detached symbols '
        f'of python3.11-dbg, which scripts/install-deps installs and the analyzer finds by '
        f'build-id, its static functions show as `python3.11+0xOFFSET`). Best point: {best}.\n',
        table(head, rows), '\n',
        f'The functions of `backtest.py` at {last.x} workers, by inclusive CPU (% of all '
        f'samples; the rest is the interpreter\'s start-up and multiprocessing):\n',
        table(['Function', 'Self %', 'Total %'], frows), '\n'])


def rank_roles(r):
    """{pid: role} of an MPI run from its CPU and off-CPU stacks (NAME-pN.cpu-pid.folded,
    NAME-pN.offcpu-pid.folded, process frames 'comm-PID' first): 'rank 0' runs run_rank0 or
    mpi_coordinate, a worker rank run_worker or mpi_serve; any other process is the launcher
    or the MPI runtime."""
    roles = {}
    for kind in ('cpu', 'offcpu'):
        path = os.path.join(r.runs, f'{r.name}-p{r.pair}.{kind}-pid.folded')
        for frames, _ in read_folded(path):
            pid = frames[0].rpartition('-')[2]
            if 'run_rank0' in frames or 'mpi_coordinate' in frames:
                roles[pid] = 'rank 0'
            elif ('run_worker' in frames or 'mpi_serve' in frames) and \
                    roles.get(pid) != 'rank 0':
                roles[pid] = 'worker rank'
    for p in r.procs:
        roles.setdefault(p['pid'], f'`{p["comm"]}`')
    need(list(roles.values()).count('rank 0') == 1, f'{r.name}-p{r.pair}: no single rank 0')
    return roles


def offcpu_by_pid(r):
    """{pid: [(frames, ns)]} of the main threads' off-CPU stacks in the representative run
    (NAME-pN.offcpu-pid.folded: process frame comm-PID, thread frame name-TID), heaviest
    first; the rank's own waits, apart from its runtime threads'."""
    path = os.path.join(r.runs, f'{r.name}-p{r.pair}.offcpu-pid.folded')
    out = {}
    for frames, w in read_folded(path):
        pid, tid = frames[0].rpartition('-')[2], frames[1].rpartition('-')[2]
        if pid == tid:
            out.setdefault(pid, []).append((frames[2:], w))
    for v in out.values():
        v.sort(key=lambda fw: -fw[1])
    return out


def calls_text(w, n=3):
    """'nanosleep 0.123 s / 456, poll ...': a role's n most blocked calls, or 'none'."""
    cs = sorted(w['calls'].items(), key=lambda kv: -kv[1]['s'])[:n]
    return ', '.join(f'{c} {f3(v["s"])} s / {v["calls"]}' for c, v in cs) or 'none'


def mpi_waits(m):
    """Rows of the MPI wait table (one per process image that ran: ranks first), the text on
    the top off-CPU stacks of each rank, and the ranks' main-thread and other-thread waits."""
    roles = rank_roles(m)
    stacks = offcpu_by_pid(m)
    ths = m.threads()
    order = sorted(m.procs, key=lambda p: ({'rank 0': 0, 'worker rank': 1}.get(
        roles[p['pid']], 2), int(p['pid']), p['gen']))
    rows, notes, mains, others = [], [], [], []
    for p in order:
        mine = [t for t in ths if (t['pid'], t['gen']) == (p['pid'], p['gen'])]
        w = waits(m, mine)
        if w['cpu'] < 1e-3 and w['blocked'] == 0:
            continue	# an image that only exec'd
        rank = 'backtest-sim-mp' in p['comm'] and roles[p['pid']] in ('rank 0', 'worker rank')
        main = waits(m, [t for t in mine if t['tid'] == p['pid']])
        rest = waits(m, [t for t in mine if t['tid'] != p['pid']])
        if rank:
            mains.append(main)
            others.append(rest)
        role = roles[p['pid']] if rank else f'`{p["comm"]}`'
        rows.append([f'{role} (pid {p["pid"]})', w['n'], f3(w['cpu']), f3(w['runq']),
                     f3(w['blocked']), calls_text(main), calls_text(rest, 2), f3(w['unseen'])])
        top = stacks.get(p['pid'], [])[:3]
        if top and rank:
            tot = sum(x[1] for x in stacks[p['pid']])
            notes.append(f'- {role} (pid {p["pid"]}): ' + '; '.join(
                f'`{leaf_path(fr)}` {f1(ns / tot * 100)}%' for fr, ns in top))
    return rows, notes, mains, others


def recv_wait(m):
    """Off-CPU ns of the ranks' stacks under mpi_recv_msg (waiting for a message), by leaf."""
    out = {}
    for pid, sts in offcpu_by_pid(m).items():
        for frames, ns in sts:
            if 'mpi_recv_msg' in frames:
                leaf = frames[-1].replace('[blocked] ', '')
                out[leaf] = out.get(leaf, 0) + ns
    return out


def sum_calls(ws):
    tot = {}
    for w in ws:
        for c, v in w['calls'].items():
            tot[c] = tot.get(c, 0.0) + v['s']
    return sorted(tot.items(), key=lambda kv: -kv[1])


def section_mpi(mpis, forks):
    by_w = {r.x: r for r in forks}
    rows = []
    for m in mpis:
        w = m.x - 1
        need(w in by_w, f'{m.name}: no fork-pool run with {w} workers to compare with')
        f = by_w[w]
        task = m.region('task')
        need(int(task['count']) == m.tasks(), f'{m.name}: task regions != tasks')
        need(m.checksum == f.checksum, f'{m.name}: checksum differs from {f.name}')
        for label, r in ((f'MPI, {m.x} ranks', m), (f'fork pool, {w} workers', f)):
            rows.append([label, w, len(r.pids), f3(r.wall), f3(r.cpu), f3(r.sampled),
                         f3(r.runq), f3(r.blocked), f1(r.tasks() / r.wall),
                         f3(r.region_ms('task')), r.checksum])
    m, f = mpis[-1], by_w[mpis[-1].x - 1]
    launch = [p for p in m.procs if 'backtest-sim-mp' not in p['comm']]
    wrows, notes, mains, others = mpi_waits(m)
    need(mains, f'{m.name}: no rank image')
    main_calls, other_calls = sum_calls(mains), sum_calls(others)
    need(main_calls, f'{m.name}: the ranks\' main threads blocked in no interposed call')
    recv = recv_wait(m)
    recv_tot = sum(recv.values()) / 1e9
    recv_leaf = max(recv, key=recv.get) if recv else None
    unseen = sum(w['unseen'] for w in mains + others)
    fork_w = waits(f, f.threads())
    txt = ['## Scenario 4: MPI ranks vs fork pool\n',
           'The same tasks spread over MPI ranks (`mpirun`, rank 0 coordinates) and over the '
           'fork pool with the same number of workers; identical checksums show identical '
           'results. Processes are every process image xprof saw, launcher included; Run queue '
           'and Blocked sum every thread of the run.\n',
           table(['Variant', 'Workers', 'Processes', 'Total Time (s)', 'CPU Time (s) exact',
                  'CPU Time (s) sampled', 'Run queue (s)', 'Blocked (s)',
                  'Throughput (tasks/s)', 'Task wall (ms)', 'Checksum'], rows),
           f'\nWith {m.x - 1} workers MPI takes {f3(m.wall)} s against {f3(f.wall)} s for the '
           f'fork pool and {f3(m.cpu)} s of CPU against {f3(f.cpu)} s; the launcher and '
           f'MPI runtime processes outside the ranks account for '
           f'{f3(m.cpu_of(launch))} s. Its processes use {util(m)}% of the CPUs over the wall '
           f'time against {util(f)}% for the fork pool.\n',
           f'Where the processes of the {m.x}-rank run wait, per process image that ran '
           f'(blocked: the interposed calls, seconds / calls, of the main thread and of the '
           f'other threads — Open MPI\'s progress and PMIx threads; unseen: lifetime − CPU − '
           f'run queue − blocked, waits in calls xprof does not interpose):\n',
           table(['Process', 'Threads', 'CPU (s)', 'Run queue (s)', 'Blocked (s)',
                  'Main thread blocked in', 'Other threads blocked in', 'Unseen (s)'], wrows),
           f'\nThe ranks\' main threads are blocked {f3(sum(w["blocked"] for w in mains))} s: '
           + ', '.join(f'`{c}` {f3(v)} s' for c, v in main_calls[:3]) +
           (f'. Waiting for messages (stacks under `mpi_recv_msg`) takes {f3(recv_tot)} s, '
            f'most of it as `{recv_leaf}`: ranks poll with MPI_Iprobe and sleep 200 us between '
            f'probes (blocking receives would spin), so that waiting shows as sleeps, and every '
            f'hand-off costs a wake-up' if recv else
            '. No off-CPU stack of theirs is under `mpi_recv_msg`') +
           f'. Their other threads wait for the whole run by design (' +
           ', '.join(f'`{c}` {f3(v)} s' for c, v in other_calls[:2]) +
           f'); the fork pool\'s threads are blocked {f3(fork_w["blocked"])} s in all, '
           f'{call_list(fork_w, 2)}. Unseen time of the ranks: {f3(unseen)} s' +
           (': next to nothing waits outside the interposed calls.' if unseen < 0.05 * max(
               sum(w['wall'] for w in mains + others), 1e-9) else
            ': waiting outside the interposed libc calls (raw system calls of the MPI '
            'runtime, page faults).') +
           ' Top off-CPU stacks of each rank\'s main thread (share of its blocked time, '
           'blocked call first):\n',
           '\n'.join(notes) + '\n',
           f'\nTop self function: {describe_top(m)}.\n\n',
           top_functions_table([m, f], lambda r: 'MPI' if r is m else 'fork')]
    return '\n'.join(txt)


def section_overhead(runs, min_samples):
    rows = []
    for r in runs:
        st = r.stats
        rows.append([r.name, st['n'], f3(st['plain']), f3(st['prof']), f'{st["ratio"]:.3f}',
                     f'{st["lo"]:.3f} – {st["hi"]:.3f}', st['samples'], st['fewest'],
                     f'{r.startup_ms():.1f}', f1(r.startup_ms() / 1e3 / st['plain'] * 100),
                     r.all_dropped])
    ratios = [r.stats['ratio'] for r in runs]
    med = median(ratios)
    low = min(runs, key=lambda r: r.stats['samples'])
    goal = 'met' if med <= 1.03 else 'not met'
    samples_ok = low.stats['samples'] >= min_samples
    mech = ', '.join(sorted({r.mechanism for r in runs}))
    return '\n'.join([
        '## Profiler overhead\n',
        f'Each scenario ran as pairs: once unprofiled, once under libxprof.so (same arguments, '
        f'same checksum), the order alternating from pair to pair; pairs repeat until the '
        f'scenario has at least {min(r.stats["n"] for r in runs)} pairs and its profiled runs '
        f'{min_samples} samples together. Ratio is the median of the per-pair ratios '
        f'(profiled / unprofiled wall time), beside their range; the wall times are the '
        f'medians of each side. Start-up is xprof\'s own CPU before the first sample and '
        f'for setting up (mechanism {mech}, output files), summed over the processes of the '
        f'median run, and its share of the unprofiled wall time. Off-CPU recording is on. The '
        f'1-minute load average was {LOADAVG.get("start", "?")} at the start and '
        f'{LOADAVG.get("end", "?")} at the end on {os.cpu_count()} CPUs: other work on the '
        f'machine spreads the single pairs far more than xprof costs.\n',
        table(['Scenario', 'Pairs', 'Unprofiled (s)', 'Profiled (s)', 'Ratio', 'Pair ratios',
               'Samples', 'Fewest in a run', 'Start-up (ms)', 'Start-up %', 'Dropped'], rows),
        f'\nMedian over the scenarios of their ratios: ×{med:.3f} (goal ≤ ×1.03: {goal}); '
        f'scenario ratios range ×{min(ratios):.3f} – ×{max(ratios):.3f}, single pairs '
        f'×{min(r.stats["lo"] for r in runs):.3f} – ×{max(r.stats["hi"] for r in runs):.3f}. '
        f'Fewest samples in a scenario: {low.stats["samples"]} ({low.name}; goal ≥ '
        f'{min_samples}: {"met" if samples_ok else "not met"}).\n'])


def read_first(path, pattern):
    with open(path) as f:
        for line in f:
            m = re.match(pattern, line)
            if m:
                return m.group(1).strip()
    raise ReportError(f'{path}: no line matching {pattern}')


def section_machine(runs, runs_dir):
    mem = int(read_first('/proc/meminfo', r'MemTotal:\s+(\d+)')) / 1024 / 1024
    mech = sorted({r.mechanism for r in runs})
    hz = sorted({r.hz for r in runs})
    rate = sum(r.all_samples for r in runs) / max(sum(r.all_sampled for r in runs), 1e-9)
    rows = [['Kernel', platform.release()], ['CPUs (nproc)', os.cpu_count()],
            ['CPU model', read_first('/proc/cpuinfo', r'model name\s*:\s*(.+)')],
            ['Memory', f'{mem:.1f} GiB'],
            ['perf_event_paranoid', read_first('/proc/sys/kernel/perf_event_paranoid', r'(.+)')],
            ['Load average at start (1, 5, 15 min)',
             ' '.join(read_first(os.path.join(runs_dir, 'loadavg'), r'(.+)').split()[:3])],
            ['Load average at the end (1, 5, 15 min)',
             ' '.join(read_first(os.path.join(runs_dir, 'loadavg.end'), r'(.+)').split()[:3])],
            ['Sampling mechanism', ', '.join(mech)],
            ['Sampling rate asked (Hz)', ', '.join(hz)],
            ['Sampling rate achieved (samples per sampled CPU-second)',
             f'{rate:.0f}'],
            ['Compiler', subprocess.run(['cc', '--version'], capture_output=True,
                                        text=True).stdout.splitlines()[0]]]
    return '\n'.join(['## Machine\n', table(['Item', 'Value'], rows)])


def flame_row(r):
    prog = 'target-sim/py/backtest.py' if r.kind == 'python' else 'backtest-sim'
    return [r.name, f'`{prog} {r.args}`',
            f'[{r.name}.svg](flame_graphs/{r.name}.svg) ([folded](flame_graphs/{r.name}.folded))',
            f'[{r.name}.offcpu.svg](flame_graphs/{r.name}.offcpu.svg) '
            f'([folded](flame_graphs/{r.name}.offcpu.folded))', r.all_samples, r.offcpu_samples]


def section_flames(runs):
    out = ['## Flame graphs\n',
           'In `flame_graphs/`, each with its folded stacks beside it, all the scenario\'s '
           'profiled runs together: the CPU graph (samples) and the off-CPU graph (blocked '
           'time in ns; each leaf `[blocked] CALL` is the blocking call, under the stack that '
           'made it).\n',
           table(['Scenario', 'Command', 'CPU', 'Off-CPU', 'Samples', 'Off-CPU samples'],
                 [flame_row(r) for r in runs])]
    return '\n'.join(out)


def build(args):
    runs = []
    pairs = read_pairs(os.path.join(args.runs, 'pairs.tsv'))
    with open(os.path.join(args.runs, 'manifest.tsv')) as f:
        for line in f:
            if line.strip():
                fields = line.rstrip('\n').split('\t')
                need(len(fields) == 6, f'manifest.tsv: {len(fields)} fields, want 6')
                need(fields[0] in pairs, f'{fields[0]}: no pairs in pairs.tsv')
                runs.append(Run(args.runs, fields, pairs[fields[0]]))
    LOADAVG['start'] = read_first(os.path.join(args.runs, 'loadavg'), r'(\S+)')
    LOADAVG['end'] = read_first(os.path.join(args.runs, 'loadavg.end'), r'(\S+)')
    kinds = {k: [r for r in runs if r.kind == k] for k in
             ('batch', 'parallel', 'threads', 'grid', 'bohb', 'mpi', 'python')}
    for k, v in kinds.items():
        need(v, f'no {k} scenario in the manifest')
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    parts = ['# backtest-sim profiling report\n',
             f'**Generated**: {now} by `scripts/make-report.sh`'
             f'{" --quick" if args.quick else ""} in {args.elapsed_ns / 1e9:.0f} s; '
             f'{len(runs)} scenarios, {sum(r.stats["n"] for r in runs)} pairs of runs '
             '(unprofiled, then profiled with xprof, `LD_PRELOAD=libxprof.so`, or the other way '
             'round). The scenario tables show the profiled run of median wall time of each '
             'scenario: Total Time is its wall time; CPU Time covers every process of the run: '
             'exact from the kernel, and sampled (the sum of the samples\' CPU-time weights: '
             'each sample weighs the thread\'s CPU time since its previous sample); Run queue '
             'is time ready to run but waiting for a CPU (the kernel\'s schedstat), Blocked the '
             'time in blocking calls (xprof interposes them). Function shares and flame graphs '
             'take all the profiled runs of a scenario together. Sampling uses xprof\'s default '
             f'mechanism, `XPROF_MECH=auto`: it measures one perf-event sample at start and '
             'takes the CPU-clock timer when perf would cost more than 1 % at the asked rate '
             f'({", ".join(sorted({r.mechanism for r in runs}))} here), with off-CPU recording '
             'on (the default).\n',
             section_batch(kinds['batch']), section_parallel(kinds['parallel'], False),
             section_parallel(kinds['threads'], True),
             section_search(kinds['grid'][0], kinds['bohb'][0]),
             section_mpi(kinds['mpi'], kinds['parallel']), section_python(kinds['python']),
             section_overhead(runs, args.min_samples),
             section_machine(runs, args.runs), section_flames(runs)]
    return '\n'.join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--elapsed-ns', type=int, required=True)
    ap.add_argument('--min-samples', type=int, default=200)
    ap.add_argument('--quick', action='store_true')
    args = ap.parse_args()
    try:
        text = build(args)
    except (ReportError, OSError, KeyError, ValueError, IndexError) as e:
        print(f'report.py: {e}', file=sys.stderr)
        return 1
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, 'REPORT.md')
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
