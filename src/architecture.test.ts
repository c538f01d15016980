// Guards design.md §2: arrows point inward. domain imports nothing of ours outside domain;
// engine imports only domain (and itself); nothing but the CLI wires storage, mail and api together.
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
