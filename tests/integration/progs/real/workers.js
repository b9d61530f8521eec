// SPDX-License-Identifier: MIT
//
// workers.js [WORKERS]: Node with worker_threads. The main thread starts WORKERS workers
// (default 3); each runs a fixed amount of integer work in burnInWorker (a xorshift
// generator on 32-bit integers, so the JIT compiles it) and posts its result back. The main
// thread waits idle.
//
// stdout: the workers and a checksum, identical from run to run.
// stderr: "tid N" for each worker's OS thread (from /proc/thread-self).
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const fs = require('fs');

const STEPS = 250e6;

function burnInWorker(seed, steps) {
	let x = seed | 1;
	for (let i = 0; i < steps; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
	}
	return x >>> 0;
}

if (isMainThread) {
	const n = Number(process.argv[2] || 3);
	let done = 0;
	let sum = 0;
	for (let i = 0; i < n; i++) {
		const w = new Worker(__filename, { workerData: i + 1 });
		w.on('message', (m) => {
			process.stderr.write('tid ' + m.tid + '\n');
			sum = (sum ^ m.x) >>> 0;
		});
		w.on('error', (e) => {
			console.error(e);
			process.exitCode = 1;
		});
		w.on('exit', () => {
			if (++done === n) {
				console.log('workers ' + n);
				console.log('checksum ' + sum.toString(16).padStart(8, '0'));
			}
		});
	}
} else {
	const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
	parentPort.postMessage({ tid: Number(tid), x: burnInWorker(workerData, STEPS) });
}
