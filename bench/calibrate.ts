// How fast this machine is, measured the same way in every run, so that figures from different sessions'
// machines can be compared: the same commit has given a 100,000-record connect in 1.95 s on one machine
// and 2.49 s on another, and 47,000 signals/s on one and 25,000 on another. Two probes, best of 3 each:
// - cpuLoopMs: a dependent integer loop of 5 × 10⁷ steps in V8 (pure CPU: clock and steal);
// - memNsPerRead: a pointer chase through a random cycle over 64 MiB (past the caches: each read waits
//   for memory, as a b-tree descent into a cold page does; the signal and connect figures are made of those).
// Single-threaded; 3–5 s in all on the 2-core machine (most of it building the cycle).

export interface Calibration {
  cpuLoopMs: number;
  memNsPerRead: number;
}

function cpuLoop(): number {
  const start = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x * 31 + i) | 0;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (x === 0.5) console.log(x); // keeps the loop from being optimised away
  return ms;
}

function memoryChase(): number {
  const n = 16 * 1024 * 1024; // 16 Mi entries × 4 bytes
  const next = new Uint32Array(n);
  // Sattolo's algorithm: one cycle through every entry, in random order (a fixed seed: the same cycle).
  for (let i = 0; i < n; i++) next[i] = i;
  let seed = 0x2545f491;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i;
    const t = next[i] as number;
    next[i] = next[j] as number;
    next[j] = t;
  }
  const reads = 2_000_000;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    let at = round;
    const start = process.hrtime.bigint();
    for (let k = 0; k < reads; k++) at = next[at] as number;
    const ns = Number(process.hrtime.bigint() - start) / reads;
    if (at === -1) console.log(at);
    best = Math.min(best, ns);
  }
  return best;
}

export function calibrate(): Calibration {
  const cpuLoopMs = Math.min(cpuLoop(), cpuLoop(), cpuLoop());
  return { cpuLoopMs: Math.round(cpuLoopMs), memNsPerRead: Math.round(memoryChase() * 10) / 10 };
}
