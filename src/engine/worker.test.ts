// Workers: two Worker instances on separate PostgreSQL pools share 2,000 enrollments, and every
// transition is recorded exactly once (history rows keyed by (enrollment, seq), counters, and the
// workers' own tallies agree). On SQLite one worker drains the same work (one writer).
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import { Worker } from './scheduler.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
} from './test-support/engine-world.js';
import { countOf } from './test-support/raw-db.js';

const DEF = definition(
  [
    { id: 'w1', type: 'wait', duration: 'PT1H', next: 'w2' },
    { id: 'w2', type: 'wait', duration: 'PT1H', next: 'u1' },
    { id: 'u1', type: 'update_field', field: 'stage', value: 'warm', next: 'w3' },
    { id: 'w3', type: 'wait', duration: 'PT1H', next: 't1' },
    { id: 't1', type: 'task', name: 'Call' },
  ],
  { workingHours: 'none' },
);

forEachDialect('engine workers', (t) => {
  it('workers share the due work; every transition happens exactly once', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const sequenceId = await activeSequence(deps.store, owner.id, DEF);
    const recordIds = await someRecords(deps.store, owner.id, 2_000);
    await connectRecords(deps, { sequenceId, recordIds, actor: { id: owner.id, role: 'admin' } });

    const errors: unknown[] = [];
    const count = t.dialect === 'postgres' ? 2 : 1;
    const workers: Worker[] = [];
    for (let i = 0; i < count; i++) {
      // Each worker on its own pool (PostgreSQL) — as separate processes would be — sharing the clock.
      const store = t.dialect === 'postgres' ? await t.open({ maxConnections: 3 }) : deps.store;
      workers.push(
        new Worker(
          { ...deps, store },
          { batchSize: 100, leaseOwner: `w${i}`, onError: (error) => errors.push(error), maxIdleMs: 50 },
        ),
      );
    }
    for (const worker of workers) worker.start();
    try {
      for (let hour = 1; hour <= 3; hour++) {
        deps.clock.advance(HOUR);
        // Idle twice after the clock moved: a full pass of each worker saw the new time and found nothing.
        for (let round = 0; round < 2; round++) {
          const idle = workers.map((worker) => worker.whenIdle());
          for (const worker of workers) worker.nudge();
          await Promise.all(idle);
        }
        const next = await deps.store.engine.nextDueAt();
        expect(next === null || next > deps.clock.now()).toBe(true);
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    expect(errors).toEqual([]);
    const processed = workers.map((worker) => worker.processed);
    expect(processed.reduce((a, b) => a + b, 0)).toBe(6_000);
    if (count > 1) for (const n of processed) expect(n).toBeGreaterThan(0);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM enrollment_steps')).toBe(10_000);
    expect(
      await countOf(t, `SELECT COUNT(*) AS n FROM enrollment_steps WHERE step_id = 't1' AND state = 'open'`),
    ).toBe(2_000);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE lease_owner IS NOT NULL`)).toBe(0);
    const stats = await statsOf(deps.store, sequenceId);
    for (const step of ['w1', 'w2', 'u1', 'w3']) {
      expect(stats[`${step}/reached`]).toBe(2_000);
      expect(stats[`${step}/completed`]).toBe(2_000);
    }
    expect(stats['t1/reached']).toBe(2_000);
  });
});
