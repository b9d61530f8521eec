// SPDX-License-Identifier: MIT
//
// JitSplit [ROUNDS]: a JVM with two methods at a known split. Two threads each run ROUNDS
// rounds (default 8) of alpha twice and beta once, the same number of steps each time; the
// two methods do the same work per step (a xorshift on longs, other shift counts), so alpha
// gets 2/3 of the threads' CPU once the JIT has compiled them.
// JitSplit env: prints the environment as the JVM sees it, one NAME=VALUE per line, sorted.
//
// stdout: the threads and a checksum, identical from run to run.
import java.util.Map;
import java.util.TreeMap;

public class JitSplit {
	static final long STEPS = 15_000_000L;

	static long alpha(long x, long steps) {
		for (long i = 0; i < steps; i++) {
			x ^= x << 13;
			x ^= x >>> 7;
			x ^= x << 17;
		}
		return x;
	}

	static long beta(long x, long steps) {
		for (long i = 0; i < steps; i++) {
			x ^= x << 11;
			x ^= x >>> 9;
			x ^= x << 19;
		}
		return x;
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("env")) {
			for (Map.Entry<String, String> e : new TreeMap<>(System.getenv()).entrySet())
				System.out.println(e.getKey() + "=" + e.getValue());
			return;
		}
		int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
		long[] sums = new long[2];
		Thread[] ts = new Thread[2];
		for (int i = 0; i < 2; i++) {
			final int id = i;
			ts[i] = new Thread(() -> {
				long x = id + 1;
				for (int r = 0; r < rounds; r++) {
					x = alpha(x, STEPS);
					x = alpha(x, STEPS);
					x = beta(x, STEPS);
				}
				sums[id] = x;
			}, "split-" + i);
			ts[i].start();
		}
		long sum = 0;
		for (int i = 0; i < 2; i++) {
			ts[i].join();
			sum ^= sums[i];
		}
		System.out.println("threads 2 checksum " + Long.toHexString(sum));
	}
}
