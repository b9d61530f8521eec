# SPDX-License-Identifier: MIT
"""backtest.py [--workers N] [--assets N] [--bars N] [--fast A,B,...] [--slow A,B,...]
[--stops A,B,...]: backtest-sim's parallel coordinator, in Python.

The coordinator makes a deterministic price series per asset (a seeded random walk), then
maps one task per point of a grid over the strategy's parameters (fast and slow moving
average windows, stop-loss) over a multiprocessing.Pool of worker processes (fork), as the C
`backtest-sim parallel` does with its own pool. A task backtests every asset with its
parameters: run_backtest -> compute_signals (moving averages through the builtin sum, native
code) -> simulate_trades -> sharpe. The coordinator keeps the best point.

stdout: the grid size, the best parameters and objective, and `checksum: N`, identical from
run to run (the same for any number of workers).
"""
import argparse
import math
import multiprocessing as mp
import random

PRICES = None  # per worker: the coordinator's series, inherited through fork


def make_prices(assets, bars):
    out = []
    for a in range(assets):
        rng = random.Random(1000 + a)
        p, series = 100.0, []
        for _ in range(bars):
            p *= 1.0 + rng.gauss(0.0002, 0.01)
            series.append(p)
        out.append(series)
    return out


def moving_average(xs, n):
    out = [0.0] * len(xs)
    for i in range(n - 1, len(xs)):
        out[i] = sum(xs[i - n + 1:i + 1]) / n
    return out


def compute_signals(prices, fast, slow):
    f, s = moving_average(prices, fast), moving_average(prices, slow)
    return [1 if i >= slow and f[i] > s[i] else 0 for i in range(len(prices))]


def simulate_trades(prices, signals, stop):
    returns, entry = [], None
    for i in range(1, len(prices)):
        held = signals[i - 1]
        r = prices[i] / prices[i - 1] - 1.0 if held else 0.0
        if held and entry is None:
            entry = prices[i - 1]
        if entry is not None and prices[i] < entry * (1.0 - stop):
            r, entry = -stop / 10.0, None
        if not held:
            entry = None
        returns.append(r)
    return returns


def sharpe(returns):
    n = len(returns)
    mean = sum(returns) / n
    var = sum((r - mean) ** 2 for r in returns) / n
    return mean / math.sqrt(var) * math.sqrt(252) if var > 0 else 0.0


def run_backtest(params):
    fast, slow, stop = params
    total = 0.0
    for prices in PRICES:
        total += sharpe(simulate_trades(prices, compute_signals(prices, fast, slow), stop))
    return params, total / len(PRICES)


def ints(s):
    return [int(x) for x in s.split(",")]


def floats(s):
    return [float(x) for x in s.split(",")]


def main():
    global PRICES
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--assets", type=int, default=16)
    ap.add_argument("--bars", type=int, default=3000)
    ap.add_argument("--fast", type=ints, default=[5, 10, 20])
    ap.add_argument("--slow", type=ints, default=[50, 100])
    ap.add_argument("--stops", type=floats, default=[0.02, 0.05])
    a = ap.parse_args()
    PRICES = make_prices(a.assets, a.bars)
    grid = [(f, s, t) for f in a.fast for s in a.slow for t in a.stops if f < s]
    with mp.get_context("fork").Pool(a.workers) as pool:
        results = pool.map(run_backtest, grid, chunksize=1)
    best = max(results, key=lambda r: r[1])
    print("grid points: %d" % len(grid))
    print("best: fast %d slow %d stop %.2f objective %.6f" % (best[0] + (best[1],)))
    print("checksum: %d" % (sum(int(abs(r[1]) * 1e6) for r in results) % 1000000007))


if __name__ == "__main__":
    main()
