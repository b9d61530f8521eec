// SPDX-License-Identifier: MIT
//
// JThreads [THREADS]: a JVM program with CPU work in several Java threads. THREADS threads
// (default 3, named burner-0, burner-1, ...) each run a fixed amount of integer work, so the
// JIT compiles it while they run; every 64th step reads a field through a reference that is
// null, so compiled code takes the JVM's implicit null check (a SIGSEGV the JVM handles
// itself) and the NullPointerException is caught and counted. The JVM also uses SIGSEGV for
// safepoint polls and runs GC and compiler threads of its own.
//
// stdout: the threads, NullPointerExceptions caught and a checksum, identical from run to
// run. stderr: "tid N" for each burner's OS thread (from /proc/thread-self).
import java.nio.file.Files;
import java.nio.file.Paths;

public class JThreads {
	static final class Box {
		long v;

		Box(long v) {
			this.v = v;
		}
	}

	static long burn(int id, long steps, long[] npes) {
		Box box = new Box(id + 1);
		long x = id + 1;
		for (long i = 0; i < steps; i++) {
			x ^= x << 13;
			x ^= x >>> 7;
			x ^= x << 17;
			Box b = (i & 63) == 63 ? null : box;
			try {
				x += b.v;
			} catch (NullPointerException e) {
				npes[0]++;
			}
		}
		return x;
	}

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 3;
		long steps = 300_000_000L;
		long[] sums = new long[n];
		long[][] npes = new long[n][1];
		Thread[] ts = new Thread[n];
		for (int i = 0; i < n; i++) {
			final int id = i;
			ts[i] = new Thread(() -> {
				try {
					String self = Files.readSymbolicLink(Paths.get("/proc/thread-self"))
							.toString();
					System.err.println("tid " + self.substring(self.lastIndexOf('/') + 1));
				} catch (java.io.IOException e) {
					System.err.println("tid ? " + e);
				}
				sums[id] = burn(id, steps, npes[id]);
			}, "burner-" + i);
			ts[i].start();
		}
		long sum = 0, caught = 0;
		for (int i = 0; i < n; i++) {
			ts[i].join();
			sum ^= sums[i];
			caught += npes[i][0];
		}
		System.out.println("threads " + n);
		System.out.println("npe caught " + caught);
		System.out.printf("checksum %016x%n", sum);
	}
}
