import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { summarize } from '../domain/summary.js';
import { SEQUENCE_TEMPLATES } from '../domain/templates/index.js';
import { openStore } from '../storage/open-store.js';
import { buildProgram, run } from './main.js';

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  return {
    out,
    err,
    run: (...args: string[]) =>
      run(['node', 'stepwise', ...args], { output, env: { LOG_LEVEL: 'silent', ...env } }),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function freshDatabase(): string {
  return join(mkdtempSync(join(tmpdir(), 'stepwise-cli-')), 'stepwise.db');
}

describe('stepwise CLI', () => {
  it('lists the six templates with the seed numbers', async () => {
    const c = cli();
    expect(await c.run('templates', 'list')).toBe(0);
    const table = c.out.join('\n');
    for (const [key, steps, days] of [
      ['follow-up-no-show', 7, 5],
      ['high-volume-outbound', 7, 9],
      ['invite-to-event', 6, 5],
      ['product-demo-meeting', 9, 5],
      ['account-renewal', 13, 50],
      ['webinar-follow-up', 10, 7],
    ] as const) {
      expect(table).toMatch(new RegExp(`^${key}\\s.*\\s${steps}\\s+${days}$`, 'm'));
    }
    const json = cli();
    expect(await json.run('templates', 'list', '--json')).toBe(0);
    const rows = JSON.parse(json.out.join('\n')) as { key: string; stepCount: number }[];
    expect(rows.map((row) => row.stepCount)).toEqual(
      SEQUENCE_TEMPLATES.map((t) => summarize(t.definition).stepCount),
    );
  });

  it('adds a user, refuses a duplicate, and creates a token for it', async () => {
    const env = { DATABASE_URL: freshDatabase() };
    const add = cli(env);
    const args = [
      'users',
      'add',
      '--email',
      'Ada@Example.com',
      '--name',
      'Ada',
      '--role',
      'sequence_manager',
    ];
    expect(await add.run(...args)).toBe(0);
    expect(add.out.join('\n')).toMatch(/Created sequence_manager Ada@Example.com/);
    expect(add.out.join('\n')).toMatch(/Password \(shown once\): \S{12,}/);

    const again = cli(env);
    expect(await again.run(...args)).toBe(1);
    expect(again.err.join('\n')).toMatch(/already exists/);

    const token = cli(env);
    expect(await token.run('tokens', 'create', '--email', 'ada@example.com')).toBe(0);
    expect(token.out[0]).toMatch(/^sw_[A-Za-z0-9_-]{40,}$/);

    const store = await openStore(env.DATABASE_URL);
    const user = await store.users.getByEmail('ada@example.com');
    expect(user?.role).toBe('sequence_manager');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await store.apiTokens.listForUser(user?.id ?? '')).toHaveLength(1);
    await store.close();
  });

  it("lists a user's tokens without the secrets and revokes one, audited", async () => {
    const env = { DATABASE_URL: freshDatabase() };
    const add = ['users', 'add', '--name', 'Bo', '--role', 'salesperson', '--email', 'bo@example.com'];
    expect(await cli(env).run(...add)).toBe(0);
    const secrets: string[] = [];
    for (const name of ['zapier', 'crm']) {
      const create = cli(env);
      expect(await create.run('tokens', 'create', '--email', 'bo@example.com', '--name', name)).toBe(0);
      secrets.push(create.out[0] ?? '');
    }

    const list = cli(env);
    expect(await list.run('tokens', 'list', '--email', 'BO@example.com')).toBe(0);
    expect(list.out[0]).toMatch(/^ID\s+NAME\s+CREATED\s+LAST USED\s+REVOKED$/);
    expect(list.out).toHaveLength(3);
    // Two tokens made in the same millisecond are listed in id order: find the row by name.
    const row = list.out.find((line) => /\szapier\s/.test(line)) ?? '';
    expect(row).toMatch(/^tok_\S+\s+zapier\s+\d{4}-\d\d-\d\dT\S+Z\s+-\s+-$/);
    for (const secret of secrets) expect(list.out.join('\n')).not.toContain(secret);
    const id = row.split(/\s+/)[0] ?? '';

    const revoke = cli(env);
    expect(await revoke.run('tokens', 'revoke', '--email', 'bo@example.com', '--id', id)).toBe(0);
    expect(revoke.out[0]).toBe(`Revoked token ${id} (zapier) of bo@example.com.`);
    const again = cli(env);
    expect(await again.run('tokens', 'revoke', '--email', 'bo@example.com', '--id', id)).toBe(0);
    expect(again.out[0]).toMatch(/already revoked/);

    const after = cli(env);
    expect(await after.run('tokens', 'list', '--email', 'bo@example.com')).toBe(0);
    expect(after.out.find((line) => line.startsWith(id))).toMatch(/\s\d{4}-\d\d-\d\dT\S+Z$/);
    expect(after.out.find((line) => /\scrm\s/.test(line))).toMatch(/\s-$/);

    const store = await openStore(env.DATABASE_URL);
    const user = await store.users.getByEmail('bo@example.com');
    const stored = await store.apiTokens.listForUser(user?.id ?? '');
    expect(stored.filter((token) => token.revokedAt !== null).map((token) => token.id)).toEqual([id]);
    const audit = await store.audit.list({ subject: { type: 'api_token', id } });
    expect(audit.items).toMatchObject([{ actorId: null, action: 'api_token.revoked' }]);
    await store.close();

    const wrongUser = cli(env);
    expect(await cli(env).run(...add.slice(0, -1), 'cy@example.com')).toBe(0);
    expect(await wrongUser.run('tokens', 'revoke', '--email', 'cy@example.com', '--id', id)).toBe(1);
    expect(wrongUser.err.join('\n')).toMatch(/has no token with id/);
    const noUser = cli(env);
    expect(await noUser.run('tokens', 'list', '--email', 'ghost@example.com')).toBe(1);
    expect(noUser.err.join('\n')).toMatch(/No user with email ghost@example.com/);
    const noId = cli(env);
    expect(await noId.run('tokens', 'revoke', '--email', 'bo@example.com')).not.toBe(0);
    expect(noId.err.join('\n')).toMatch(/required option '--id <id>'/);
  });

  it('rejects bad arguments with a clear message and a non-zero exit', async () => {
    const env = { DATABASE_URL: freshDatabase() };
    const badRole = cli(env);
    expect(await badRole.run('users', 'add', '--email', 'a@b.co', '--name', 'A', '--role', 'king')).not.toBe(
      0,
    );
    expect(badRole.err.join('\n')).toMatch(/must be one of admin, sequence_manager/);

    const badEmail = cli(env);
    expect(await badEmail.run('users', 'add', '--email', 'nope', '--name', 'A', '--role', 'admin')).not.toBe(
      0,
    );
    expect(badEmail.err.join('\n')).toMatch(/not an email address/);

    const missing = cli(env);
    expect(await missing.run('users', 'add', '--name', 'A')).not.toBe(0);
    expect(missing.err.join('\n')).toMatch(/required option '--email <email>'/);

    const unknown = cli(env);
    expect(await unknown.run('launch-rockets')).not.toBe(0);
    expect(unknown.err.join('\n')).toMatch(/unknown command/);

    const noUser = cli(env);
    expect(await noUser.run('tokens', 'create', '--email', 'ghost@example.com')).toBe(1);
    expect(noUser.err.join('\n')).toMatch(/No active user/);

    const badConfig = cli({ DATABASE_URL: freshDatabase(), PORT: 'eighty' });
    expect(await badConfig.run('migrate')).toBe(1);
    expect(badConfig.err.join('\n')).toMatch(/PORT must be a whole number/);

    const blankName = cli(env);
    expect(await blankName.run('users', 'add', '--email', 'a@b.co', '--name', '   ', '--role', 'admin')).toBe(
      1,
    );
    expect(blankName.err.join('\n')).toMatch(/must not be empty/);

    for (const [option, value, message] of [
      ['--max-bytes', '-5', /--max-bytes <n>' argument '-5' is invalid\. must be a whole number of bytes/],
      ['--max-bytes', '1.5', /argument '1\.5' is invalid/],
      ['--port', '70000', /--port <port>' argument '70000' is invalid\. must be a port number/],
    ] as const) {
      const inbound = cli(env);
      expect(await inbound.run('inbound', option, value)).not.toBe(0);
      expect(inbound.err.join('\n')).toMatch(message);
    }
  });

  it("says which database failed and the setting that names it, then the driver's message", async () => {
    const down = cli({ DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/stepwise' });
    expect(await down.run('users', 'list')).toBe(1);
    expect(down.err).toEqual([
      'stepwise: Cannot open the database postgres://postgres:***@127.0.0.1:1/stepwise (DATABASE_URL): The database failed: connect ECONNREFUSED 127.0.0.1:1',
    ]);
    // A SQLite file in a folder that does not exist, or that is a folder: the driver names neither.
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
    for (const [databaseUrl, reason] of [
      [`sqlite:${join(dir, 'missing', 'stepwise.db')}`, 'because the directory does not exist'],
      [dir, 'unable to open database file'],
    ] as const) {
      for (const command of [
        ['migrate'],
        ['users', 'list'],
        ['serve', '--port', '0', '--no-worker'],
        ['worker'],
        ['inbound', '--port', '0'],
      ]) {
        const c = cli({ DATABASE_URL: databaseUrl });
        expect(await c.run(...command)).toBe(1);
        expect(c.err.join('\n')).toMatch(
          new RegExp(
            `^stepwise: Cannot open the database ${escapeRegExp(databaseUrl.replace(/^sqlite:/, ''))} \\(DATABASE_URL\\): .*${reason}$`,
          ),
        );
      }
    }
    const mysql = cli({ DATABASE_URL: 'mysql://root@127.0.0.1/crm' });
    expect(await mysql.run('users', 'list')).toBe(1);
    expect(mysql.err.join('\n')).toMatch(/DATABASE_URL must be postgres:\/\/… for PostgreSQL/);
  });

  it('names --host and --port when `inbound` cannot listen, with the reason, and exits', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const c = cli({ DATABASE_URL: freshDatabase() });
      expect(await c.run('inbound', '--port', String(port), '--host', '127.0.0.1')).toBe(1);
      expect(c.err).toEqual([
        `stepwise: Cannot listen for SMTP on 127.0.0.1:${port} (--host, --port): listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      ]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints where `migrate` put the database: the SQLite file by its absolute path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
    const c = cli({ DATABASE_URL: `sqlite:${join(dir, 'stepwise.db')}` });
    expect(await c.run('migrate')).toBe(0);
    expect(c.out.at(-1)).toBe(`Database is up to date: ${join(dir, 'stepwise.db')} (sqlite).`);
  });

  it('has --help on every command', async () => {
    // Walks the real command tree, so a new command cannot be added without help.
    const paths: string[][] = [[]];
    const walk = (command: Command, path: string[]) => {
      for (const sub of command.commands) {
        paths.push([...path, sub.name()]);
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(buildProgram({ output: { out() {}, err() {} }, env: {} }), []);
    expect(paths.length).toBeGreaterThan(8);
    for (const args of paths) {
      const c = cli();
      expect(await c.run(...args, '--help')).toBe(0);
      expect(c.out.join('\n')).toMatch(/Usage: stepwise/);
    }
  });

  it('migrates an empty database', async () => {
    const c = cli({ DATABASE_URL: freshDatabase() });
    expect(await c.run('migrate')).toBe(0);
    expect(c.out.join('\n')).toMatch(/up to date.*sqlite/);
    expect(c.err).toEqual([]);
  });

  it('says which STEPWISE_ variables it ignores, and goes on', async () => {
    const c = cli({ DATABASE_URL: freshDatabase(), STEPWISE_SMTP: 'smtp://mail.example.com' });
    expect(await c.run('migrate')).toBe(0);
    expect(c.err).toEqual([
      'stepwise: ignoring STEPWISE_SMTP: not a setting (see "Configuration" in README.md)',
    ]);
    expect(c.out.at(-1)).toMatch(/^Database is up to date/);
  });

  it('seeds the demo once: users, 200 records, the six templates as inactive sequences', async () => {
    const env = { DATABASE_URL: freshDatabase() };
    const c = cli(env);
    expect(await c.run('seed-demo')).toBe(0);
    expect(c.out[0]).toBe('Added 5 users, 200 records and 6 sequences.');
    expect(c.out.at(-1)).toMatch(/^No administrator yet: add one with `stepwise users add/);
    const again = cli(env);
    expect(await again.run('seed-demo')).toBe(0);
    expect(again.out[0]).toMatch(/already there/);

    const store = await openStore(env.DATABASE_URL);
    let records = 0;
    let cursor: string | null = null;
    do {
      const page = await store.records.list({ limit: 500, cursor });
      records += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(records).toBe(200);
    const sequences = await store.sequences.list({ limit: 50 });
    expect(sequences.items.map((s) => s.name).sort()).toEqual(SEQUENCE_TEMPLATES.map((t) => t.name).sort());
    expect(sequences.items.every((s) => s.status === 'inactive')).toBe(true);
    for (const sequence of sequences.items) {
      const version = await store.sequences.getVersion(sequence.id, sequence.draftVersion);
      for (const step of version?.definition.steps ?? []) {
        if (step.type !== 'email' && step.type !== 'automated_email') continue;
        // Built-in references were replaced by real email templates.
        expect(step.templateId).toMatch(/^tpl_/);
        expect(await store.emailTemplates.get(step.templateId ?? '')).not.toBeNull();
      }
    }
    await store.close();
  });
});
