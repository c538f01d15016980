// CPU seconds and peak RSS of processes from /proc (Linux): the worker children and the database
// server processes doing a run's work.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime in seconds; 0 for a process that is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Peak resident set (VmHWM) in bytes; 0 for a process that is gone. */
export function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** CPU used by `pids` since `before` was taken (processes that appeared meanwhile count in full). */
export function cpuSince(before: Map<number, number>, pids: readonly number[]): number {
  let total = 0;
  for (const pid of new Set([...before.keys(), ...pids]))
    total += Math.max(0, cpuSeconds(pid) - (before.get(pid) ?? 0));
  return total;
}

export function cpuSnapshot(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}
