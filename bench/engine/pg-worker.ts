// One burn-down worker process for the PostgreSQL figure: opens the store on the bench schema, then on
// each `run` message ticks everything due at that instant (runDue) and reports what it moved and its
// peak RSS. The parent starts the clock only after every worker said `ready` (start-up subtracted).
import { ManualClock } from '../../src/engine/clock.js';
import { runDue } from '../../src/engine/scheduler.js';
import { openStore } from '../../src/storage/open-store.js';
import { benchDeps, T0 } from './world.js';

interface RunMessage {
  type: 'run' | 'exit';
  now: number;
  batchSize: number;
}

const [url, schema, name] = process.argv.slice(2) as [string, string, string];
const store = await openStore(url, { schema, maxConnections: 2, migrate: false });
const clock = new ManualClock(T0);
const deps = benchDeps(store, clock);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

process.on('message', (message: RunMessage) => {
  if (message.type === 'exit') {
    clearInterval(sampler);
    void store.close().then(() => process.exit(0));
    return;
  }
  void (async () => {
    if (message.now > clock.now()) clock.set(message.now);
    const processed = await runDue(deps, {
      now: message.now,
      batchSize: message.batchSize,
      leaseOwner: name,
    });
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.send?.({ type: 'done', processed, peakRss });
  })().catch((error: unknown) => {
    process.send?.({ type: 'error', message: String(error instanceof Error ? error.stack : error) });
  });
});
process.send?.({ type: 'ready' });
