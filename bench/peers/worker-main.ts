// Entry of one worker child process: `tsx bench/peers/worker-main.ts '<WorkerArgs JSON>'`. Says
// `ready` once it takes work, and stops on an `exit` message (or is killed with SIGKILL by the harness).
import type { WorkerArgs } from './adapter.js';
import { runBullmqWorker } from './adapters/bullmq.js';
import { runGraphileWorker } from './adapters/graphile-worker.js';
import { runPgBossWorker } from './adapters/pg-boss.js';
import { runStepwiseWorker } from './adapters/stepwise-worker.js';

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;

function start(): Promise<() => Promise<void>> {
  switch (args.adapter) {
    case 'stepwise-sqlite':
    case 'stepwise-postgres':
      return runStepwiseWorker(args);
    case 'bullmq':
    case 'bullmq-tuned':
      return runBullmqWorker(args);
    case 'pg-boss':
    case 'pg-boss-tuned':
      return runPgBossWorker(args);
    case 'graphile-worker':
    case 'graphile-worker-tuned':
      return runGraphileWorker(args);
    default:
      return args.adapter satisfies never;
  }
}

const stop = await start();
process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') {
    void stop()
      .catch(console.error)
      .finally(() => process.exit(0));
  }
});
// An orphan (the harness died) stops at once.
process.on('disconnect', () => process.exit(1));
process.send?.({ type: 'ready' });
