// Guards design.md §2: arrows point inward. domain imports nothing of ours outside domain;
// engine imports only domain (and itself); nothing but the CLI wires storage, mail and api together; and no
// shipped file imports itself through others (an import cycle).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Tests and their support files may use test libraries; the rules are about shipped code. */
function isTestOnly(file: string): boolean {
  return file.endsWith('.test.ts') || file.includes('/test-support/');
}

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The part (top folder under src/) that each relative import of a file lands in. */
function importedParts(file: string): { part: string; specifier: string }[] {
  const text = readFileSync(file, 'utf8');
  const found: { part: string; specifier: string }[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (!specifier?.startsWith('.')) continue;
    const target = relative(SRC, resolve(dirname(file), specifier));
    found.push({ part: target.split('/')[0] ?? '', specifier });
  }
  return found;
}

/** The shipped source files each shipped source file imports, by path (`./x.js` names `./x.ts`). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (!specifier?.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
      if (known.has(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** One cycle per back edge of a depth-first walk: none exactly when the graph has no cycle. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  engine: ['engine', 'domain'],
  storage: ['storage', 'engine', 'domain'],
  mail: ['mail', 'engine', 'domain'],
  api: ['api', 'engine', 'domain', 'mail', 'config.js'],
};

/** Node built-ins and pure libraries the domain may use; anything else (fs, net, a database driver) is I/O. */
const DOMAIN_PACKAGES = new Set(['luxon']);

describe('architecture', () => {
  for (const [part, allowed] of Object.entries(ALLOWED)) {
    it(`${part}/ imports only ${allowed.join(', ')}`, () => {
      const offenders: string[] = [];
      for (const file of sourceFiles(join(SRC, part))) {
        if (isTestOnly(file)) continue;
        for (const { part: target, specifier } of importedParts(file)) {
          if (!allowed.includes(target)) offenders.push(`${relative(SRC, file)} imports ${specifier}`);
        }
      }
      expect(offenders).toEqual([]);
    });
  }

  // Type-only imports count too: a cycle of them is one `import type` edit away from a module that reads
  // another before it has run.
  it('no import cycles among the shipped files', () => {
    const files = sourceFiles(SRC).filter((file) => !isTestOnly(file));
    const cycles = importCycles(importGraph(files)).map((cycle) =>
      cycle.map((file) => relative(SRC, file)).join(' -> '),
    );
    expect(cycles).toEqual([]);
  });

  it('domain/ uses no I/O package and no clock', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(SRC, 'domain'))) {
      if (isTestOnly(file)) continue;
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2] ?? '';
        if (specifier.startsWith('.')) continue;
        if (!DOMAIN_PACKAGES.has(specifier)) offenders.push(`${relative(SRC, file)} imports ${specifier}`);
      }
      if (/Date\.now\(|new Date\(\)|Math\.random\(/.test(text))
        offenders.push(`${relative(SRC, file)} reads the clock or randomness`);
    }
    expect(offenders).toEqual([]);
  });
});
