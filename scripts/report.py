#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py - build results/REPORT.md from the runs scripts/make-report.sh just made.

Inputs, all in --runs: manifest.tsv (name, kind, x, profiled wall ns, unprofiled wall ns,
checksum, arguments, one line per scenario), NAME.tsv (`xprof-analyze report --tsv`) and
NAME.out (the program's stdout). Every number in the report comes from these files; a value
that cannot be found is an error (exit 1), never a placeholder.
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


class Run:
    def __init__(self, runs, fields):
        self.name, self.kind, x, prof, plain, self.checksum, self.args = fields
        self.x = int(x)
        self.wall = int(prof) / 1e9
        self.plain = int(plain) / 1e9
        self.tsv = os.path.join(runs, self.name + '.tsv')
        self.rows = parse_tsv(self.tsv)
        with open(os.path.join(runs, self.name + '.out')) as f:
            self.out = f.read()
        run = self.rows['run'][0]
        self.cpu = num(run, 'cpu_ns', self.tsv) / 1e9
        self.sampled = num(run, 'sampled_ns', self.tsv) / 1e9
        self.samples = int(num(run, 'samples', self.tsv))
        self.dropped = int(num(run, 'dropped', self.tsv))
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

    def functions(self):
        return self.rows['function']

    def func_pct(self, name, key):
        for f in self.functions():
            if f['name'] == name:
                return num(f, key, self.tsv)
        return 0.0	# not in any sampled stack: no time measured in it

    def top(self, n=1):
        return self.functions()[:n]


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


def section_parallel(runs, threads):
    rows = []
    for r in runs:
        s = pool_stats(r)
        rows.append([r.x, f3(r.wall), f3(r.cpu), f3(r.sampled), f1(s['tasks'] / r.wall),
                     len(r.pids), len(r.rows.get('thread', [])), f1(s['coord'] / r.cpu * 100),
                     f3(s['task_mean']), f3(s['task_cpu'] / s['tasks'] * 1e3),
                     f3(r.cpu / s['tasks'] * 1e3)])
    a, b = runs[0], runs[-1]
    sa, sb = pool_stats(a), pool_stats(b)
    best = max(runs, key=lambda r: pool_stats(r)['tasks'] / r.wall)
    outside_a = (a.cpu - sa['task_cpu'] - sa['coord'])
    outside_b = (b.cpu - sb['task_cpu'] - sb['coord'])
    ncpu = os.cpu_count()
    kind = 'threads' if threads else 'worker processes'
    head = ['Workers', 'Total Time (s)', 'CPU Time (s) exact', 'CPU Time (s) sampled',
            'Throughput (tasks/s)', 'Processes', 'Threads', 'Coordinator CPU %',
            'Task wall (ms)', 'Task CPU (ms)', 'CPU per task (ms)']
    title = ('## Scenario 2b: Thread pool' if threads else
             '## Scenario 2: Parallel coordinator (fork pool)')
    txt = [title + '\n',
           f'{sa["tasks"]} tasks over {", ".join(str(r.x) for r in runs)} {kind} on '
           f'{ncpu} CPUs. Throughput is tasks / wall; task wall and CPU are the means of the '
           '"task" region in the workers; CPU per task divides the whole tree\'s CPU.\n',
           table(head, rows), '\n']
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
            f'{best.x} workers. From {a.x} to {b.x} workers the CPU per task rises from '
            f'{f3(a.cpu / sa["tasks"] * 1e3)} to {f3(b.cpu / sb["tasks"] * 1e3)} ms: CPU '
            f'spent in workers outside tasks (startup bundle load, IPC) goes from '
            f'{f3(outside_a)} s to {f3(outside_b)} s, and a task\'s wall time rises from '
            f'{f3(sa["task_mean"])} to {f3(sb["task_mean"])} ms while its CPU goes from '
            f'{f3(sa["task_cpu"] / sa["tasks"] * 1e3)} to '
            f'{f3(sb["task_cpu"] / sb["tasks"] * 1e3)} ms: the difference is time a task '
            f'waits for a CPU once workers outnumber the {ncpu} CPUs. The coordinator '
            f'(writes the bundle, encodes tasks, decodes results) uses '
            f'{f1(sa["coord"] / a.cpu * 100)}% of the CPU at {a.x} workers and '
            f'{f1(sb["coord"] / b.cpu * 100)}% at {b.x}. Loader share (`data_load_bundle`, '
            f'inclusive): {f1(a.func_pct("data_load_bundle", "total_pct"))}% at {a.x} '
            f'workers, {f1(b.func_pct("data_load_bundle", "total_pct"))}% at {b.x}.\n\n')
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
        f'strips `/usr/bin/python3.11` to its exported symbols, so its static functions show '
        f'as `python3.11+0xOFFSET`). Best point: {best}.\n',
        table(head, rows), '\n',
        f'The functions of `backtest.py` at {last.x} workers, by inclusive CPU (% of all '
        f'samples; the rest is the interpreter\'s start-up and multiprocessing):\n',
        table(['Function', 'Self %', 'Total %'], frows), '\n'])


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
                         f1(r.tasks() / r.wall), f3(r.region_ms('task')), r.checksum])
    m, f = mpis[-1], by_w[mpis[-1].x - 1]
    launch = [p for p in m.procs if 'backtest-sim-mp' not in p['comm']]
    txt = ['## Scenario 4: MPI ranks vs fork pool\n',
           'The same tasks spread over MPI ranks (`mpirun`, rank 0 coordinates) and over the '
           'fork pool with the same number of workers; identical checksums show identical '
           'results. Processes are every process image xprof saw, launcher included.\n',
           table(['Variant', 'Workers', 'Processes', 'Total Time (s)', 'CPU Time (s) exact',
                  'CPU Time (s) sampled', 'Throughput (tasks/s)', 'Task wall (ms)',
                  'Checksum'], rows),
           f'\nWith {m.x - 1} workers MPI takes {f3(m.wall)} s against {f3(f.wall)} s for the '
           f'fork pool and {f3(m.cpu)} s of CPU against {f3(f.cpu)} s; the launcher and '
           f'MPI runtime processes outside the ranks account for '
           f'{f3(m.cpu_of(launch))} s. Its processes use {util(m)}% of the CPUs over the wall '
           f'time against {util(f)}% for the fork pool: ranks wait for messages with '
           f'MPI_Iprobe and 200 us sleeps (blocking receives would spin), so every hand-off '
           f'costs a wake-up, which grows with the load on the machine, while the fork pool '
           f'wakes on poll(). Top self function: {describe_top(m)}.\n\n',
           top_functions_table([m, f], lambda r: 'MPI' if r is m else 'fork')]
    return '\n'.join(txt)


def section_overhead(runs):
    rows = []
    for r in runs:
        rows.append([r.name, f3(r.plain), f3(r.wall), f'{r.wall / r.plain:.3f}', r.samples,
                     r.dropped])
    ratios = sorted(r.wall / r.plain for r in runs)
    return '\n'.join(['## Profiler overhead\n',
                      'Each scenario ran once without and once with libxprof.so (same '
                      'arguments, same checksum). Single runs on a shared machine: small '
                      'ratios are within timing noise.\n',
                      table(['Scenario', 'Unprofiled (s)', 'Profiled (s)', 'Ratio',
                             'Samples', 'Dropped'], rows),
                      f'\nMedian ratio {ratios[len(ratios) // 2]:.3f}, '
                      f'range {ratios[0]:.3f} - {ratios[-1]:.3f}.\n'])


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
    rows = [['Kernel', platform.release()], ['CPUs (nproc)', os.cpu_count()],
            ['CPU model', read_first('/proc/cpuinfo', r'model name\s*:\s*(.+)')],
            ['Memory', f'{mem:.1f} GiB'],
            ['perf_event_paranoid', read_first('/proc/sys/kernel/perf_event_paranoid', r'(.+)')],
            ['Load average at start (1, 5, 15 min)',
             ' '.join(read_first(os.path.join(runs_dir, 'loadavg'), r'(.+)').split()[:3])],
            ['Sampling mechanism', ', '.join(mech)],
            ['Sampling rate asked (Hz)', ', '.join(hz)],
            ['Sampling rate achieved (samples per sampled CPU-second)',
             f'{sum(r.samples for r in runs) / max(sum(r.sampled for r in runs), 1e-9):.0f}'],
            ['Compiler', subprocess.run(['cc', '--version'], capture_output=True,
                                        text=True).stdout.splitlines()[0]]]
    return '\n'.join(['## Machine\n', table(['Item', 'Value'], rows)])


def section_flames(runs):
    out = ['## Flame graphs\n', 'In `flame_graphs/`, each with its folded stacks beside it:\n']
    for r in runs:
        prog = 'target-sim/py/backtest.py' if r.kind == 'python' else 'backtest-sim'
        out.append(f'- `{r.name}.svg` (`{r.name}.folded`): `{prog} {r.args}`')
    return '\n'.join(out) + '\n'


def build(args):
    runs = []
    with open(os.path.join(args.runs, 'manifest.tsv')) as f:
        for line in f:
            if line.strip():
                runs.append(Run(args.runs, line.rstrip('\n').split('\t')))
    kinds = {k: [r for r in runs if r.kind == k] for k in
             ('batch', 'parallel', 'threads', 'grid', 'bohb', 'mpi', 'python')}
    for k, v in kinds.items():
        need(v, f'no {k} scenario in the manifest')
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    parts = ['# backtest-sim profiling report\n',
             f'**Generated**: {now} by `scripts/make-report.sh`'
             f'{" --quick" if args.quick else ""} in {args.elapsed_ns / 1e9:.0f} s; '
             f'{len(runs)} scenarios, each profiled with xprof (`LD_PRELOAD=libxprof.so`) '
             'and run once unprofiled. Total Time is the wall time of the profiled run; CPU '
             'Time covers every process of the run: exact from the kernel, and sampled (the '
             'sum of the samples\' CPU-time weights: each sample weighs the thread\'s CPU '
             'time since its previous sample). The scenarios last 0.1 to 2 s, so they are '
             'sampled with the perf task-clock event at 999 Hz (`XPROF_MECH=perf`), four times '
             'the samples of the tick-bound CPU-clock timer that xprof\'s default takes on '
             'machines where a perf sample is dear (this one: see the overhead table).\n',
             section_batch(kinds['batch']), section_parallel(kinds['parallel'], False),
             section_parallel(kinds['threads'], True),
             section_search(kinds['grid'][0], kinds['bohb'][0]),
             section_mpi(kinds['mpi'], kinds['parallel']), section_python(kinds['python']),
             section_overhead(runs),
             section_machine(runs, args.runs), section_flames(runs)]
    return '\n'.join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--elapsed-ns', type=int, required=True)
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
