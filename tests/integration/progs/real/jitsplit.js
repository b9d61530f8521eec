// SPDX-License-Identifier: MIT
//
// jitsplit.js [ROUNDS]: Node with worker_threads and two JavaScript functions at a known
// split. Two workers each run ROUNDS rounds (default 8) of alphaWork twice and betaWork
// once, the same number of steps each time; the two functions do the same work per step (a
// xorshift on 32-bit integers, other shift counts), so alphaWork gets 2/3 of the workers'
// CPU. The main thread waits idle.
// jitsplit.js env: prints the environment as Node sees it, one NAME=VALUE per line, sorted.
//
// stdout: the workers and a checksum, identical from run to run.
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const STEPS = 15e6;

function alphaWork(x, steps) {
	for (let i = 0; i < steps; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
	}
	return x;
}

function betaWork(x, steps) {
	for (let i = 0; i < steps; i++) {
		x ^= x << 11;
		x ^= x >>> 19;
		x ^= x << 7;
	}
	return x;
}

if (process.argv[2] === 'env') {
	for (const k of Object.keys(process.env).sort())
		console.log(k + '=' + process.env[k]);
} else if (isMainThread) {
	const rounds = Number(process.argv[2] || 8);
	let done = 0;
	let sum = 0;
	for (let i = 0; i < 2; i++) {
		const w = new Worker(__filename, { workerData: { seed: i + 1, rounds } });
		w.on('message', (x) => {
			sum = (sum ^ x) >>> 0;
		});
		w.on('error', (e) => {
			console.error(e);
			process.exitCode = 1;
		});
		w.on('exit', () => {
			if (++done === 2)
				console.log('workers 2 checksum ' + sum.toString(16).padStart(8, '0'));
		});
	}
} else {
	let x = workerData.seed | 1;
	for (let r = 0; r < workerData.rounds; r++) {
		x = alphaWork(x, STEPS);
		x = alphaWork(x, STEPS);
		x = betaWork(x, STEPS);
	}
	parentPort.postMessage(x >>> 0);
}
