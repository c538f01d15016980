#!/usr/bin/env -S node --max-semi-space-size=64
// The `stepwise` command: runs the compiled CLI (built by `npm install` / `npm run build`).
// --max-semi-space-size=64: a bulk request (100,000-record connect, 1,000-signal batches) makes
// millions of short-lived objects; with V8's default 16 MiB young generation they were scavenged ~4×
// as often (100,000-record connect on the 1M-enrollment API world: 4.7–5.9 s → 3.3–4.8 s). Set on the
// command line because V8 ignores it once started; `npm start` passes it too.
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
