// Entry of the checkpointer thread when Stepwise runs from its TypeScript source (vitest, tsx): a worker
// thread inherits neither vitest's transform nor, on Node 20, an `--import` flag, so it registers tsx's
// loader itself before importing the worker. From dist/, sqlite-checkpoint-worker.js is started directly.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-checkpoint-worker.ts');
