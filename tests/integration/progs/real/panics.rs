// SPDX-License-Identifier: MIT
//! panics [THREADS]: a Rust program with threads and caught panics. THREADS threads (default
//! 4, named burner-0, burner-1, ...) each run 60 rounds; a round burns CPU in 16 recursive
//! frames of `descend` and then in `burn_and_panic`, which panics; `catch_unwind` in the
//! thread's loop catches it and the round is counted. Rust's runtime gives every thread an
//! alternate signal stack of about SIGSTKSZ for its stack-overflow handler.
//!
//! stdout: threads, rounds, panics caught and a checksum, identical from run to run.
//! stderr: "tid N" for each thread.
use std::panic;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

const ROUNDS: u64 = 60;
const DEPTH: u32 = 16;

static CAUGHT: AtomicU64 = AtomicU64::new(0);

extern "C" {
    fn gettid() -> i32;
}

/// A xorshift generator, `n` steps, inlined so that the CPU lands in the caller; the
/// volatile read keeps the loop from being folded away (and builds with rustc 1.63, Debian
/// 12's, which has no std::hint::black_box).
#[inline(always)]
fn spin(seed: u64, n: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..n {
        x = unsafe { std::ptr::read_volatile(&x) };
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Burns CPU, then panics with the value it computed: the panic payload carries the result.
#[no_mangle]
#[inline(never)]
pub fn burn_and_panic(seed: u64) -> ! {
    panic::panic_any(spin(seed, 2_500_000))
}

#[no_mangle]
#[inline(never)]
pub fn descend(depth: u32, seed: u64) -> u64 {
    let x = spin(seed, 30_000);
    if depth == 0 {
        burn_and_panic(x)
    } else {
        // The volatile read after the call keeps the recursion a recursion (LLVM turns an
        // accumulating tail call into a loop): 17 real frames on the stack.
        let r = descend(depth - 1, x);
        unsafe { std::ptr::read_volatile(&r) }.wrapping_add(1)
    }
}

#[no_mangle]
#[inline(never)]
pub fn catch_rounds(id: u64) -> u64 {
    let mut acc = id + 1;
    for _ in 0..ROUNDS {
        match panic::catch_unwind(|| descend(DEPTH, acc)) {
            Ok(v) => acc = v, // not reached: every round panics
            Err(payload) => {
                CAUGHT.fetch_add(1, Ordering::Relaxed);
                let v = *payload.downcast_ref::<u64>().expect("u64 payload");
                acc = acc.wrapping_mul(31).wrapping_add(v);
            }
        }
    }
    acc
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    // The panics are expected: no message for each of them on stderr.
    panic::set_hook(Box::new(|_| {}));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            thread::Builder::new()
                .name(format!("burner-{}", i))
                .spawn(move || {
                    eprintln!("tid {}", unsafe { gettid() });
                    catch_rounds(i)
                })
                .expect("spawn")
        })
        .collect();
    let mut sum = 0u64;
    for h in handles {
        sum ^= h.join().expect("join");
    }
    println!("threads {}", n);
    println!("rounds {}", n * ROUNDS);
    println!("panics caught {}", CAUGHT.load(Ordering::Relaxed));
    println!("checksum {:016x}", sum);
}
