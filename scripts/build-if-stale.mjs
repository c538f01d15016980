// `npm start` builds only what changed since the last build: the server (src/ → dist/) and the web
// app (web/ → web/dist/). A fresh clone was already built by `npm install` (the `prepare` script).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSource(dir, skip) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path, skip) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

const targets = [
  {
    name: 'server',
    script: 'build:server',
    output: 'dist/cli/main.js',
    sources: () =>
      Math.max(
        newestSource('src', (p) => p.endsWith('.test.ts')),
        // build:server compiles with tsconfig.build.json, which extends tsconfig.json.
        statSync('tsconfig.json').mtimeMs,
        statSync('tsconfig.build.json').mtimeMs,
      ),
  },
  {
    name: 'web app',
    script: 'build:web',
    output: 'web/dist/index.html',
    sources: () =>
      Math.max(
        newestSource('web', (p) => p === join('web', 'dist') || p.endsWith('.test.ts')),
        newestSource('src/domain', (p) => p.endsWith('.test.ts')),
      ),
  },
];

for (const target of targets) {
  if (target.sources() <= builtAt(target.output)) continue;
  console.log(`Building the ${target.name} (sources changed since the last build)…`);
  execSync(`npm run --silent ${target.script}`, { stdio: 'inherit' });
}
