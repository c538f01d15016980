// The contract of /work/shared/api.md as an outside client sees it: a real `stepwise serve` child process
// (the built CLI, a temporary SQLite file, the manual test clock, a real SMTP listener on loopback), talked
// to with `fetch` only. The sections follow api.md in order; each assertion is a line of that page.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressesOf, type StepwiseStack, startStepwiseStack } from '../../e2e/support/stepwise-stack.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Small, so that reaching it takes a few activations (api.md "Configuration"). */
const MAX_ACTIVE = 5;
const PASSWORD = 'contract test password, long enough';

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON the test inspects field by field.
type Json = any;

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  body: Json;
}

let stack: StepwiseStack;
let dataDir = '';
let databaseUrl = '';
let base: string;

async function send(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let parsed: Json = null;
  if (/json/.test(type) && text !== '') parsed = JSON.parse(text);
  return { status: response.status, type, headers: response.headers, text, body: parsed };
}

/** A request that must succeed with `status`; its JSON body. */
async function ok(
  status: number,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  const answer = await send(token, method, path, body);
  if (answer.status !== status)
    throw new Error(`${method} ${path}: expected ${status}, got ${answer.status}: ${answer.text}`);
  return answer.body;
}

/** api.md "Errors": every error is application/problem+json with type, title, status and code. */
function expectProblem(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  expect(typeof answer.body.type).toBe('string');
  expect(typeof answer.body.title).toBe('string');
  expect(answer.body.status).toBe(status);
  expect(answer.body.code).toBe(code);
  if (status === 400 || status === 422) {
    expect(Array.isArray(answer.body.errors)).toBe(true);
    expect(answer.body.errors.length).toBeGreaterThan(0);
    for (const error of answer.body.errors) expect(typeof error.code).toBe('string');
  }
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Who is signed in, set up in order.
const tokens: Record<'admin' | 'manager' | 'salesManager' | 'seller' | 'seller2', string> = {
  admin: '',
  manager: '',
  salesManager: '',
  seller: '',
  seller2: '',
};
const ids: Record<string, string> = {};
let cookie = '';
let apiToken = '';
let openUrl = '';
let clickUrl = '';

async function moveClock(
  move: { advance: string } | { set: string },
): Promise<{ now: string; processed: number }> {
  return ok(200, tokens.admin, 'POST', '/api/clock', move);
}

async function enrollment(id: string): Promise<Json> {
  return ok(200, tokens.admin, 'GET', `/api/enrollments/${id}`);
}

/** The enrollment step row of `stepId` that is open (or waiting) now. */
async function currentRow(enrollmentId: string, stepId: string): Promise<Json> {
  const detail = await enrollment(enrollmentId);
  const rows = detail.history.filter((h: Json) => h.stepId === stepId);
  const row = rows[rows.length - 1];
  if (row === undefined) throw new Error(`no ${stepId} in ${JSON.stringify(detail.history)}`);
  return row;
}

function mailTo(address: string): (mail: ParsedMail) => boolean {
  return (mail) => addressesOf(mail).includes(address);
}

describe('api.md, as an outside client sees it (a real `stepwise serve`)', () => {
  beforeAll(async () => {
    // The child runs the built CLI, as `npm start` would: bring dist/ up to date first.
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    dataDir = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
    databaseUrl = `sqlite:${join(dataDir, 'stepwise.db')}`;
    stack = await startStepwiseStack({
      logFile: join(dataDir, 'serve.log'),
      env: {
        DATABASE_URL: databaseUrl,
        STEPWISE_MAX_ACTIVE_SEQUENCES: String(MAX_ACTIVE),
        LOG_LEVEL: 'warn',
      },
    });
    base = stack.baseUrl;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  describe('Authentication and set-up', () => {
    it('POST /api/auth/login {email, password} → 200 {token, user} and a session cookie', async () => {
      const answer = await send(null, 'POST', '/api/auth/login', {
        email: stack.admin.email,
        password: stack.admin.password,
      });
      expect(answer.status).toBe(200);
      expect(typeof answer.body.token).toBe('string');
      expect(answer.body.user).toMatchObject({ email: stack.admin.email, role: 'admin' });
      expect(typeof answer.body.user.id).toBe('string');
      const setCookie = answer.headers.get('set-cookie') ?? '';
      expect(setCookie).not.toBe('');
      cookie = setCookie.split(';')[0] ?? '';
      tokens.admin = answer.body.token;
      ids.admin = answer.body.user.id;
    });

    it('every other route takes Authorization: Bearer <token> or the cookie', async () => {
      expect((await send(tokens.admin, 'GET', '/api/users/me')).body.id).toBe(ids.admin);
      const byCookie = await send(null, 'GET', '/api/users/me', undefined, { headers: { cookie } });
      expect(byCookie.status).toBe(200);
      expect(byCookie.body.id).toBe(ids.admin);
    });

    it('on the first start with an empty database and no STEPWISE_ADMIN_*, prints a one-time set-up link', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'stepwise-contract-setup-'));
      const child = spawn(process.execPath, ['bin/stepwise.js', 'serve', '--no-worker', '--port', '0'], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? tmpdir(),
          DATABASE_URL: join(dir, 'stepwise.db'),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const link = await new Promise<string>((resolve, reject) => {
          let printed = '';
          child.stdout?.on('data', (chunk: Buffer) => {
            printed += chunk.toString();
            const found = /(http:\/\/[^\s"]+\/setup\?token=[\w-]+)/.exec(printed)?.[1];
            if (found !== undefined) resolve(found);
          });
          child.once('exit', (code) =>
            reject(new Error(`serve exited (${code}) without a link:\n${printed}`)),
          );
        });
        const origin = new URL(link).origin;
        const token = new URL(link).searchParams.get('token') ?? '';
        expect((await fetch(`${origin}/api/setup?token=${token}`)).status).toBe(200);
        const body = { token, email: 'first@example.com', name: 'First Admin', password: PASSWORD };
        const created = await fetch(`${origin}/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(created.status).toBe(201);
        const answer = (await created.json()) as Json;
        expect(answer.user).toMatchObject({ email: 'first@example.com', role: 'admin' });
        expect(created.headers.get('set-cookie') ?? '').toContain('stepwise_session=');
        const me = await fetch(`${origin}/api/users/me`, {
          headers: { authorization: `Bearer ${answer.token}` },
        });
        expect(me.status).toBe(200);
        const again = await fetch(`${origin}/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(again.status).toBe(404);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await once(child, 'exit');
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('`stepwise tokens create --email E` prints a long-lived API token for that user', async () => {
      const printed = execFileSync(
        process.execPath,
        ['bin/stepwise.js', 'tokens', 'create', '--email', stack.admin.email],
        {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
        },
      ).toString();
      apiToken =
        printed
          .trim()
          .split(/\s+/)
          .find((word) => word.length >= 20) ?? '';
      expect(apiToken).not.toBe('');
      expect((await send(apiToken, 'GET', '/api/users/me')).body.id).toBe(ids.admin);
    });

    it('401 unauthenticated for no or bad credentials', async () => {
      expectProblem(await send(null, 'GET', '/api/records'), 401, 'unauthenticated');
      expectProblem(await send('not-a-token', 'GET', '/api/records'), 401, 'unauthenticated');
      expectProblem(
        await send(null, 'POST', '/api/auth/login', { email: stack.admin.email, password: 'wrong password' }),
        401,
        'unauthenticated',
      );
    });
  });

  describe('Users — admin only, except GET /api/users/me', () => {
    it('POST /api/users → 201 user, timezone UTC and Monday–Friday 08:00–17:00 by default', async () => {
      const user = await ok(201, tokens.admin, 'POST', '/api/users', {
        email: 'seller@contract.test',
        name: 'Sam Seller',
        role: 'salesperson',
        password: PASSWORD,
      });
      expect(user).toMatchObject({ email: 'seller@contract.test', name: 'Sam Seller', role: 'salesperson' });
      expect(user.timezone).toBe('UTC');
      const weekday = [['08:00', '17:00']];
      expect(user.workingHours).toEqual({
        mon: weekday,
        tue: weekday,
        wed: weekday,
        thu: weekday,
        fri: weekday,
        sat: [],
        sun: [],
      });
      ids.seller = user.id;
      for (const [key, email, role] of [
        ['manager', 'manager@contract.test', 'sequence_manager'],
        ['salesManager', 'sales.manager@contract.test', 'sales_manager'],
        ['seller2', 'seller2@contract.test', 'salesperson'],
      ] as const) {
        const created = await ok(201, tokens.admin, 'POST', '/api/users', {
          email,
          name: key,
          role,
          password: PASSWORD,
          timezone: 'Europe/Paris',
          workingHours: {
            mon: [
              ['09:00', '12:00'],
              ['13:00', '24:00'],
            ],
            tue: [['00:00', '24:00']],
            wed: [['00:00', '24:00']],
            thu: [['00:00', '24:00']],
            fri: [['00:00', '24:00']],
            sat: [],
            sun: [],
          },
          timeOff: [{ start: '2040-01-01T00:00:00.000Z', end: '2040-01-02T00:00:00.000Z' }],
        });
        expect(created.timezone).toBe('Europe/Paris');
        expect(created.timeOff).toEqual([
          { start: '2040-01-01T00:00:00.000Z', end: '2040-01-02T00:00:00.000Z' },
        ]);
        expect(created.workingHours.mon).toEqual([
          ['09:00', '12:00'],
          ['13:00', '24:00'],
        ]);
        ids[key] = created.id;
      }
      for (const [key, email] of [
        ['seller', 'seller@contract.test'],
        ['manager', 'manager@contract.test'],
        ['salesManager', 'sales.manager@contract.test'],
        ['seller2', 'seller2@contract.test'],
      ] as const) {
        tokens[key] = (await ok(200, null, 'POST', '/api/auth/login', { email, password: PASSWORD })).token;
      }
    });

    it('GET /api/users and PATCH /api/users/{id} are admin only; /api/users/me is for everyone', async () => {
      const list = await ok(200, tokens.admin, 'GET', '/api/users');
      const users = Array.isArray(list) ? list : list.items;
      expect(users.map((u: Json) => u.email)).toEqual(
        expect.arrayContaining(['seller@contract.test', 'manager@contract.test']),
      );
      expectProblem(await send(tokens.seller, 'GET', '/api/users'), 403, 'forbidden');
      expectProblem(
        await send(tokens.manager, 'POST', '/api/users', {
          email: 'x@contract.test',
          name: 'X',
          role: 'salesperson',
        }),
        403,
        'forbidden',
      );
      expectProblem(
        await send(tokens.seller, 'PATCH', `/api/users/${ids.seller}`, { name: 'Me' }),
        403,
        'forbidden',
      );
      expect((await ok(200, tokens.seller, 'GET', '/api/users/me')).id).toBe(ids.seller);
      const patched = await ok(200, tokens.admin, 'PATCH', `/api/users/${ids.seller2}`, {
        name: 'Second Seller',
        timezone: 'UTC',
      });
      expect(patched).toMatchObject({ id: ids.seller2, name: 'Second Seller', timezone: 'UTC' });
    });
  });

  describe('Errors', () => {
    it('400 bad_request: a body that is not JSON, or not of the documented shape (errors says where)', async () => {
      expectProblem(
        await send(tokens.admin, 'POST', '/api/records', undefined, { raw: '{"type": "lead", "name": ' }),
        400,
        'bad_request',
      );
      const missing = await send(tokens.admin, 'POST', '/api/records', { type: 'lead' });
      expectProblem(missing, 400, 'bad_request');
      const unknown = await send(tokens.admin, 'POST', '/api/records', {
        type: 'lead',
        name: 'Unknown field',
        colour: 'blue',
      });
      expectProblem(unknown, 400, 'bad_request');
      const badType = await send(tokens.admin, 'POST', '/api/records', { type: 'planet', name: 'Mars' });
      expectProblem(badType, 400, 'bad_request');
    });

    it('404 not_found for no such thing, also for a route that does not exist', async () => {
      expectProblem(await send(tokens.admin, 'GET', '/api/records/rec_nope'), 404, 'not_found');
      expectProblem(await send(tokens.admin, 'GET', '/api/sequences/seq_nope'), 404, 'not_found');
      expectProblem(await send(tokens.admin, 'GET', '/api/enrollments/enr_nope'), 404, 'not_found');
      expectProblem(await send(tokens.admin, 'GET', '/api/no-such-route'), 404, 'not_found');
    });

    it('403 forbidden when the role does not allow it', async () => {
      expectProblem(
        await send(tokens.seller, 'POST', '/api/sequences', { name: 'Mine', entityType: 'lead' }),
        403,
        'forbidden',
      );
    });
  });

  describe('Records', () => {
    it('POST /api/records → 201 record; ownerId defaults to the caller', async () => {
      const record = await ok(201, tokens.seller, 'POST', '/api/records', {
        type: 'lead',
        name: 'Lena Lead',
        email: 'lena@prospect.test',
        phone: '+1 555 0100',
        linkedinUrl: 'https://www.linkedin.com/in/lena',
        company: 'Prospect Inc',
        timezone: 'America/New_York',
        externalId: 'crm-lena',
        fields: { title: 'CTO', status: 'new' },
      });
      expect(record).toMatchObject({
        type: 'lead',
        name: 'Lena Lead',
        email: 'lena@prospect.test',
        phone: '+1 555 0100',
        linkedinUrl: 'https://www.linkedin.com/in/lena',
        company: 'Prospect Inc',
        timezone: 'America/New_York',
        ownerId: ids.seller,
        externalId: 'crm-lena',
        fields: { title: 'CTO', status: 'new' },
      });
      ids.lena = record.id;
      for (const type of ['contact', 'account', 'opportunity']) {
        const other = await ok(201, tokens.manager, 'POST', '/api/records', {
          type,
          name: `A ${type}`,
          ownerId: ids.seller2,
        });
        expect(other).toMatchObject({ type, ownerId: ids.seller2 });
        ids[type] = other.id;
      }
    });

    it("404 for a seller asking for another seller's record", async () => {
      expectProblem(await send(tokens.seller, 'GET', `/api/records/${ids.contact}`), 404, 'not_found');
      const patch = await send(tokens.seller, 'PATCH', `/api/records/${ids.contact}`, { name: 'Mine now' });
      expect([403, 404]).toContain(patch.status);
      expectProblem(patch, patch.status, patch.status === 403 ? 'forbidden' : 'not_found');
    });

    it('POST /api/records/bulk upserts by externalId: {created, updated, errors: [{index, code, message}]}', async () => {
      const first = await ok(200, tokens.manager, 'POST', '/api/records/bulk', {
        records: [
          {
            type: 'lead',
            name: 'Bulk One',
            externalId: 'bulk-1',
            email: 'one@prospect.test',
            ownerId: ids.seller,
          },
          {
            type: 'lead',
            name: 'Bulk Two',
            externalId: 'bulk-2',
            email: 'two@prospect.test',
            ownerId: ids.seller,
          },
        ],
      });
      expect(first).toMatchObject({ created: 2, updated: 0, errors: [] });
      const second = await ok(200, tokens.manager, 'POST', '/api/records/bulk', {
        records: [
          {
            type: 'lead',
            name: 'Bulk One, renamed',
            externalId: 'bulk-1',
            email: 'one@prospect.test',
            ownerId: ids.seller,
          },
          { type: 'lead', name: 'Bulk Bad Zone', externalId: 'bulk-3', timezone: 'Mars/Olympus' },
          {
            type: 'lead',
            name: 'Bulk Three',
            externalId: 'bulk-4',
            email: 'three@prospect.test',
            ownerId: ids.seller,
          },
        ],
      });
      expect(second.created).toBe(1);
      expect(second.updated).toBe(1);
      expect(second.errors).toHaveLength(1);
      expect(second.errors[0]).toMatchObject({ index: 1 });
      expect(typeof second.errors[0].code).toBe('string');
      expect(typeof second.errors[0].message).toBe('string');
      // A row that is not a record is its own error, not a 400 for the batch.
      const third = await ok(200, tokens.manager, 'POST', '/api/records/bulk', {
        records: [
          { type: 'lead', externalId: 'bulk-5' },
          { type: 'lead', name: 'Bulk Four', externalId: 'bulk-6', ownerId: ids.seller },
          { type: 'planet', name: 'Mars', externalId: 'bulk-7' },
        ],
      });
      expect(third.created).toBe(1);
      expect(third.updated).toBe(0);
      expect(third.errors.map((e: Json) => e.index)).toEqual([0, 2]);
      expectProblem(
        await send(tokens.manager, 'POST', '/api/records/bulk', { rows: [] }),
        400,
        'bad_request',
      );
    });

    it('POST /api/records/import?type=lead with a CSV body (text/csv) → same answer as bulk', async () => {
      const csv =
        'name,email,externalId,title\nCsv One,csv1@prospect.test,csv-1,VP\nCsv Two,csv2@prospect.test,csv-2,\n';
      const answer = await send(tokens.manager, 'POST', '/api/records/import?type=lead', undefined, {
        raw: csv,
        contentType: 'text/csv',
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toMatchObject({ created: 2, updated: 0, errors: [] });
      const again = await send(tokens.manager, 'POST', '/api/records/import?type=lead', undefined, {
        raw: 'name,externalId\nCsv One again,csv-1\n',
        contentType: 'text/csv',
      });
      expect(again.body).toMatchObject({ created: 0, updated: 1, errors: [] });
      const bad = await send(tokens.manager, 'POST', '/api/records/import?type=lead', undefined, {
        raw: 'name,externalId,timezone\nCsv Three,csv-3,Mars/Olympus\nCsv Four,csv-4,Europe/Berlin\n',
        contentType: 'text/csv',
      });
      expect(bad.body).toMatchObject({ created: 1, updated: 0 });
      expect(bad.body.errors).toEqual([expect.objectContaining({ index: 0, code: expect.any(String) })]);
    });

    it('GET /api/records?type=&ownerId=&q=&limit=&cursor= → {items, nextCursor}', async () => {
      const leads = await ok(200, tokens.manager, 'GET', '/api/records?type=lead&limit=200');
      expect(Object.keys(leads).sort()).toEqual(expect.arrayContaining(['items', 'nextCursor']));
      expect(leads.items.every((r: Json) => r.type === 'lead')).toBe(true);
      expect(leads.items.map((r: Json) => r.name)).toEqual(
        expect.arrayContaining(['Lena Lead', 'Bulk One, renamed', 'Csv One again']),
      );
      const bySeller2 = await ok(200, tokens.manager, 'GET', `/api/records?ownerId=${ids.seller2}`);
      expect(bySeller2.items.map((r: Json) => r.id).sort()).toEqual(
        [ids.contact, ids.account, ids.opportunity].sort(),
      );
      const q = await ok(200, tokens.manager, 'GET', '/api/records?q=Lena');
      expect(q.items.map((r: Json) => r.id)).toEqual([ids.lena]);
      // A seller sees only their own.
      const mine = await ok(200, tokens.seller, 'GET', '/api/records?limit=200');
      expect(mine.items.every((r: Json) => r.ownerId === ids.seller)).toBe(true);
      // Paging with limit and cursor walks every lead exactly once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = await ok(
          200,
          tokens.manager,
          'GET',
          `/api/records?type=lead&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((r: Json) => r.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen.sort()).toEqual(leads.items.map((r: Json) => r.id).sort());
    });

    it('GET | PATCH | DELETE /api/records/{id}; up-next is [] when not in a sequence', async () => {
      expect((await ok(200, tokens.seller, 'GET', `/api/records/${ids.lena}`)).name).toBe('Lena Lead');
      const patched = await ok(200, tokens.seller, 'PATCH', `/api/records/${ids.lena}`, {
        company: 'Prospect Corp',
      });
      expect(patched).toMatchObject({ id: ids.lena, company: 'Prospect Corp', name: 'Lena Lead' });
      expect(await ok(200, tokens.seller, 'GET', `/api/records/${ids.lena}/up-next`)).toEqual([]);
      const doomed = await ok(201, tokens.seller, 'POST', '/api/records', { type: 'lead', name: 'Doomed' });
      expect((await send(tokens.seller, 'DELETE', `/api/records/${doomed.id}`)).status).toBe(204);
      expectProblem(await send(tokens.seller, 'GET', `/api/records/${doomed.id}`), 404, 'not_found');
    });
  });

  describe('Email templates', () => {
    it('POST /api/email-templates {name, subject, body, entityType?} → 201; GET, PUT, DELETE', async () => {
      const template = await ok(201, tokens.manager, 'POST', '/api/email-templates', {
        name: 'Intro',
        subject: 'Hello {{ record.name }}',
        body: '<p>Hi {{ record.fields.title | default: "there" }}, this is {{ sender.name }}. <a href="https://stepwise.test/demo">Book a demo</a></p>',
        entityType: 'lead',
      });
      expect(template).toMatchObject({ name: 'Intro', subject: 'Hello {{ record.name }}' });
      ids.template = template.id;
      const list = await ok(200, tokens.manager, 'GET', '/api/email-templates');
      const items = Array.isArray(list) ? list : list.items;
      expect(items.map((t: Json) => t.id)).toContain(ids.template);
      expect((await ok(200, tokens.seller, 'GET', `/api/email-templates/${ids.template}`)).name).toBe(
        'Intro',
      );
      const spare = await ok(201, tokens.manager, 'POST', '/api/email-templates', {
        name: 'Spare',
        subject: 'Spare',
        body: 'Spare',
      });
      const put = await ok(200, tokens.manager, 'PUT', `/api/email-templates/${spare.id}`, {
        name: 'Spare, edited',
        subject: 'Spare',
        body: 'Spare',
      });
      expect(put.name).toBe('Spare, edited');
      expect((await send(tokens.manager, 'DELETE', `/api/email-templates/${spare.id}`)).status).toBe(204);
      expectProblem(await send(tokens.manager, 'GET', `/api/email-templates/${spare.id}`), 404, 'not_found');
    });

    it('POST /api/email-templates/{id}/preview {recordId} → {subject, html, text} with merge fields', async () => {
      const preview = await ok(200, tokens.seller, 'POST', `/api/email-templates/${ids.template}/preview`, {
        recordId: ids.lena,
      });
      expect(preview.subject).toBe('Hello Lena Lead');
      expect(preview.html).toContain('Hi CTO, this is Sam Seller.');
      expect(typeof preview.text).toBe('string');
      expect(preview.text).toContain('Hi CTO');
    });
  });

  describe('Sequences', () => {
    it('POST /api/sequences → 201 {id, status: "inactive", version: 1, ...}; GET shape with summary', async () => {
      // Start on a Monday 09:00 UTC, inside every default working week.
      const { now } = await ok(200, tokens.admin, 'GET', '/api/clock');
      const monday = new Date(Date.parse(now) + 2 * 86_400_000);
      while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);
      monday.setUTCHours(9, 0, 0, 0);
      await moveClock({ set: monday.toISOString() });

      const created = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Main',
        description: 'The contract sequence',
        entityType: 'lead',
        tags: ['contract'],
        definition: mainDefinition(ids.template ?? ''),
      });
      expect(created).toMatchObject({ status: 'inactive', version: 1, name: 'Main', entityType: 'lead' });
      expect(typeof created.id).toBe('string');
      ids.main = created.id;
      const got = await ok(200, tokens.seller, 'GET', `/api/sequences/${ids.main}`);
      for (const key of [
        'id',
        'name',
        'description',
        'entityType',
        'status',
        'version',
        'ownerId',
        'definition',
        'summary',
        'enrolledCount',
      ])
        expect(got).toHaveProperty(key);
      expect(got).toMatchObject({
        id: ids.main,
        description: 'The contract sequence',
        ownerId: ids.manager,
        enrolledCount: 0,
        definition: { start: 'e1' },
      });
      // e1, p1, m1, u1, t1; the longest path waits P1D (c1) + P1D (w1).
      expect(got.summary).toEqual({ stepCount: 5, durationDays: 2 });
      // Without a definition.
      const empty = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Empty',
        entityType: 'contact',
      });
      expect(empty).toMatchObject({ status: 'inactive', version: 1 });
      ids.empty = empty.id;
    });

    it('PUT /api/sequences/{id} → 200 while inactive', async () => {
      const put = await ok(200, tokens.manager, 'PUT', `/api/sequences/${ids.main}`, {
        name: 'Main sequence',
        description: 'Edited',
      });
      expect(put).toMatchObject({ name: 'Main sequence', description: 'Edited', status: 'inactive' });
    });

    it('activate: 422 validation_failed with one error per broken rule (wait_at_end)', async () => {
      const bad = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Ends with a wait',
        entityType: 'lead',
        definition: {
          start: 't1',
          steps: [
            { id: 't1', type: 'task', name: 'Do it', next: 'w2' },
            { id: 'w2', type: 'wait', duration: 'P2D' },
          ],
        },
      });
      ids.bad = bad.id;
      const answer = await send(tokens.manager, 'POST', `/api/sequences/${bad.id}/activate`, {});
      expectProblem(answer, 422, 'validation_failed');
      expect(answer.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 'wait_at_end', stepId: 'w2' })]),
      );
      for (const error of answer.body.errors) {
        expect(typeof error.message).toBe('string');
        expect(typeof error.path).toBe('string');
      }
    });

    it('POST /api/sequences/{id}/activate {versionDescription?} → 200; PUT is then 409 sequence_active', async () => {
      const active = await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.main}/activate`, {
        versionDescription: 'First version',
      });
      expect(active).toMatchObject({ status: 'active', version: 1 });
      expectProblem(
        await send(tokens.manager, 'PUT', `/api/sequences/${ids.main}`, { name: 'Nope' }),
        409,
        'sequence_active',
      );
      // Revising an inactive sequence is not possible.
      expectProblem(
        await send(tokens.manager, 'POST', `/api/sequences/${ids.empty}/revise`),
        409,
        'sequence_not_active',
      );
    });

    it('GET /api/sequences?status=&q=&tag= → {items}', async () => {
      const active = await ok(200, tokens.seller, 'GET', '/api/sequences?status=active');
      expect(active.items.map((q: Json) => q.id)).toEqual([ids.main]);
      const inactive = await ok(200, tokens.seller, 'GET', '/api/sequences?status=inactive');
      expect(inactive.items.map((q: Json) => q.id).sort()).toEqual([ids.empty, ids.bad].sort());
      const q = await ok(200, tokens.seller, 'GET', '/api/sequences?q=Main');
      expect(q.items.map((x: Json) => x.id)).toEqual([ids.main]);
      const tag = await ok(200, tokens.seller, 'GET', '/api/sequences?tag=contract');
      expect(tag.items.map((x: Json) => x.id)).toEqual([ids.main]);
      expect((await ok(200, tokens.seller, 'GET', '/api/sequences?status=revision')).items).toEqual([]);
    });
  });

  describe('Sequence templates (the built-in gallery)', () => {
    it('GET /api/sequence-templates → the six keys; POST /{key}/use {name?} → 201 inactive', async () => {
      const gallery = await ok(200, tokens.manager, 'GET', '/api/sequence-templates');
      expect(gallery.map((t: Json) => t.key).sort()).toEqual(
        [
          'follow-up-no-show',
          'high-volume-outbound',
          'invite-to-event',
          'product-demo-meeting',
          'account-renewal',
          'webinar-follow-up',
        ].sort(),
      );
      for (const template of gallery) {
        expect(Object.keys(template).sort()).toEqual(
          expect.arrayContaining(['key', 'name', 'entityType', 'description', 'stepCount', 'durationDays']),
        );
        expect(typeof template.stepCount).toBe('number');
        expect(typeof template.durationDays).toBe('number');
      }
      const used = await ok(201, tokens.manager, 'POST', '/api/sequence-templates/product-demo-meeting/use', {
        name: 'Demo follow-up',
      });
      expect(used).toMatchObject({ status: 'inactive', version: 1, name: 'Demo follow-up' });
      expect(Array.isArray(used.definition.steps)).toBe(true);
      const unnamed = await ok(
        201,
        tokens.manager,
        'POST',
        '/api/sequence-templates/account-renewal/use',
        {},
      );
      expect(unnamed.status).toBe('inactive');
      expect(typeof unnamed.name).toBe('string');
      const bare = await ok(201, tokens.manager, 'POST', '/api/sequence-templates/webinar-follow-up/use');
      expect(bare.status).toBe('inactive');
      for (const id of [used.id, unnamed.id, bare.id])
        expect((await send(tokens.manager, 'DELETE', `/api/sequences/${id}`)).status).toBe(204);
    });
  });

  describe('Enrollments and the work list, driven by the test clock', () => {
    it('POST /api/sequences/{id}/enrollments {recordIds} → 200 {enrolled, rejected} with the documented codes', async () => {
      const find = async (q: string) =>
        (await ok(200, tokens.manager, 'GET', `/api/records?q=${encodeURIComponent(q)}`)).items[0]
          .id as string;
      ids.two = await find('Bulk Two');
      ids.three = await find('Bulk Three');
      ids.sig = (
        await ok(201, tokens.manager, 'POST', '/api/records', {
          type: 'lead',
          name: 'Signal Lead',
          email: 'signal@prospect.test',
        })
      ).id;
      const answer = await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.main}/enrollments`, {
        recordIds: [ids.lena, ids.two, ids.three, ids.sig, ids.contact, 'rec_nope'],
      });
      expect(answer.enrolled.map((e: Json) => e.recordId)).toEqual([ids.lena, ids.two, ids.three, ids.sig]);
      for (const e of answer.enrolled) {
        expect(typeof e.enrollmentId).toBe('string');
        ids[`enr:${e.recordId}`] = e.enrollmentId;
      }
      expect(answer.rejected).toEqual(
        expect.arrayContaining([
          { recordId: ids.contact, code: 'entity_mismatch', message: expect.any(String) },
          { recordId: 'rec_nope', code: 'not_found', message: expect.any(String) },
        ]),
      );
      expect(answer.rejected).toHaveLength(2);
      const again = await ok(200, tokens.seller, 'POST', `/api/sequences/${ids.main}/enrollments`, {
        recordIds: [ids.lena],
      });
      expect(again).toMatchObject({
        enrolled: [],
        rejected: [{ recordId: ids.lena, code: 'already_enrolled' }],
      });
      // A seller may not connect a record they do not own.
      const foreign = await ok(201, tokens.manager, 'POST', '/api/records', {
        type: 'lead',
        name: 'Not yours',
      });
      const refused = await ok(200, tokens.seller, 'POST', `/api/sequences/${ids.main}/enrollments`, {
        recordIds: [foreign.id],
      });
      expect(refused.enrolled).toEqual([]);
      expect(['forbidden', 'not_found']).toContain(refused.rejected[0]?.code);
      const inactive = await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.bad}/enrollments`, {
        recordIds: [foreign.id],
      });
      expect(inactive.rejected).toEqual([
        { recordId: foreign.id, code: 'sequence_not_active', message: expect.any(String) },
      ]);
    });

    it('GET /api/enrollments/{id} → the documented shape; GET /api/sequences/{id}/enrollments lists them', async () => {
      const detail = await enrollment(ids[`enr:${ids.lena}`] ?? '');
      for (const key of [
        'id',
        'sequenceId',
        'sequenceVersion',
        'recordId',
        'ownerId',
        'status',
        'endReason',
        'currentStepId',
        'dueAt',
        'history',
      ])
        expect(detail).toHaveProperty(key);
      expect(detail).toMatchObject({
        sequenceId: ids.main,
        sequenceVersion: 1,
        recordId: ids.lena,
        ownerId: ids.seller,
        status: 'active',
        endReason: null,
        currentStepId: 'e1',
      });
      if (detail.dueAt !== null) expect(detail.dueAt).toMatch(ISO_UTC);
      for (const entry of detail.history) {
        for (const key of ['id', 'stepId', 'type', 'state', 'dueAt', 'completedAt', 'outcome'])
          expect(entry).toHaveProperty(key);
        expect(['waiting', 'open', 'completed', 'skipped', 'cancelled', 'failed']).toContain(entry.state);
      }
      const list = await ok(
        200,
        tokens.manager,
        'GET',
        `/api/sequences/${ids.main}/enrollments?status=active&limit=2`,
      );
      expect(list.items).toHaveLength(2);
      expect(typeof list.nextCursor).toBe('string');
      const rest = await ok(
        200,
        tokens.manager,
        'GET',
        `/api/sequences/${ids.main}/enrollments?status=active&cursor=${encodeURIComponent(list.nextCursor)}`,
      );
      expect(rest.items).toHaveLength(2);
      expect(rest.nextCursor).toBeNull();
      expect(list.items[0]).toMatchObject({ enrollmentId: expect.any(String), recordId: expect.any(String) });
      // A seller sees only their own records (three of the four).
      const sellers = await ok(200, tokens.seller, 'GET', `/api/sequences/${ids.main}/enrollments`);
      expect(sellers.items).toHaveLength(3);
      // Extras (README): `q` finds a record by name or email, `sort` orders them; a cursor keeps to its q and sort.
      const found = await ok(
        200,
        tokens.manager,
        'GET',
        `/api/sequences/${ids.main}/enrollments?q=LENA%40prospect&sort=name&limit=1`,
      );
      expect(found.items.map((e: Json) => e.recordId)).toEqual([ids.lena]);
      expect(found.nextCursor).toBeNull();
      const byName = await ok(200, tokens.manager, 'GET', `/api/sequences/${ids.main}/enrollments?sort=name`);
      const recordNames = byName.items.map((e: Json) => e.record.name);
      expect(recordNames).toEqual([...recordNames].sort());
      expectProblem(
        await send(tokens.manager, 'GET', `/api/sequences/${ids.main}/enrollments?sort=due`),
        400,
        'bad_request',
      );
      expectProblem(
        await send(
          tokens.manager,
          'GET',
          `/api/sequences/${ids.main}/enrollments?status=active&q=Bulk&cursor=${encodeURIComponent(list.nextCursor)}`,
        ),
        400,
        'bad_request',
      );
      // up-next lists the record's current step.
      const upNext = await ok(200, tokens.seller, 'GET', `/api/records/${ids.lena}/up-next`);
      expect(upNext.map((item: Json) => item.step.id)).toEqual(['e1']);
    });

    it('automated emails go out when due, from the owner, with tracking links on STEPWISE_PUBLIC_URL', async () => {
      const moved = await moveClock({ advance: 'PT1M' });
      expect(moved.now).toMatch(ISO_UTC);
      expect(Number.isInteger(moved.processed)).toBe(true);
      const [mail] = await stack.waitForMail(mailTo('lena@prospect.test'), 1);
      await stack.waitForMail((m) => addressesOf(m).some((a) => a.endsWith('@prospect.test')), 4);
      expect(mail?.subject).toBe('Hello Lena Lead');
      // STEPWISE_MAIL_FROM is not set: the owner's email.
      expect(mail?.from?.value[0]?.address).toBe('seller@contract.test');
      const html = String(mail?.html ?? '');
      const open = html.match(/https?:\/\/[^"'\s]+\/t\/o\/[^"'\s]+/)?.[0];
      const click = html.match(/https?:\/\/[^"'\s]+\/t\/c\/[^"'\s]+/)?.[0];
      expect(open?.startsWith(`${base}/t/o/`)).toBe(true);
      expect(click?.startsWith(`${base}/t/c/`)).toBe(true);
      openUrl = (open ?? '').replaceAll('&amp;', '&');
      clickUrl = (click ?? '').replaceAll('&amp;', '&');
      const detail = await enrollment(ids[`enr:${ids.lena}`] ?? '');
      expect(detail.currentStepId).toBe('c1');
      expect(detail.history.find((h: Json) => h.stepId === 'e1')).toMatchObject({ state: 'completed' });
    });

    it('GET /t/o/{token} and /t/c/{token} record opens and clicks; a forged or altered token records nothing', async () => {
      await moveClock({ advance: 'PT10M' }); // well after the send: a person, not a scanner
      const forgedOpen = openUrl.slice(0, -3) + (openUrl.endsWith('AAA') ? 'BBB' : 'AAA');
      const forgedClick = clickUrl.slice(0, -3) + (clickUrl.endsWith('AAA') ? 'BBB' : 'AAA');
      const pixel = await fetch(forgedOpen);
      expect(pixel.status).toBe(200);
      expect((await fetch(forgedClick, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${base}/t/o/forged`)).status).toBe(200);
      let stats = await ok(200, tokens.manager, 'GET', `/api/sequences/${ids.main}/stats`);
      expect(stats.steps.find((s: Json) => s.stepId === 'e1')).toMatchObject({ opened: 0, clicked: 0 });

      const real = await fetch(openUrl);
      expect(real.status).toBe(200);
      expect(real.headers.get('content-type')).toMatch(/^image\/gif/);
      const redirect = await fetch(clickUrl, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe('https://stepwise.test/demo');
      stats = await ok(200, tokens.manager, 'GET', `/api/sequences/${ids.main}/stats`);
      expect(stats.steps.find((s: Json) => s.stepId === 'e1')).toMatchObject({
        emailsSent: 4,
        opened: 1,
        clicked: 1,
      });
    });

    it('POST /api/signals → {accepted, duplicates, unknown}; an id makes a repeat a no-op', async () => {
      const batch = {
        signals: [
          { id: 'contract-open-1', type: 'email_opened', recordId: ids.sig, at: '2020-01-01T00:00:00.000Z' },
        ],
      };
      const first = await ok(200, tokens.manager, 'POST', '/api/signals', batch);
      expect(first).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
      expect(await ok(200, tokens.manager, 'POST', '/api/signals', batch)).toEqual({
        accepted: 0,
        duplicates: 1,
        unknown: 0,
      });
      const unknown = await ok(200, tokens.manager, 'POST', '/api/signals', {
        signals: [{ type: 'email_opened', recordId: 'rec_nope' }],
      });
      expect(unknown).toEqual({ accepted: 0, duplicates: 0, unknown: 1 });
      expectProblem(
        await send(tokens.manager, 'POST', '/api/signals', {
          signals: [{ type: 'email_kissed', recordId: ids.sig }],
        }),
        400,
        'bad_request',
      );
      for (const type of [
        'email_opened',
        'email_clicked',
        'email_replied',
        'email_bounced',
        'email_unsubscribed',
        'linkedin_connection_accepted',
      ]) {
        const answer = await ok(200, tokens.manager, 'POST', '/api/signals', {
          signals: [{ type, recordId: 'rec_nope', messageId: '<nobody@nowhere.test>', data: { any: 1 } }],
        });
        expect(answer.unknown).toBe(1);
      }
    });

    it('a satisfied signal condition takes `yes` when its `within` has passed; otherwise `no`', async () => {
      await moveClock({ advance: 'P1D' });
      expect((await enrollment(ids[`enr:${ids.lena}`] ?? '')).currentStepId).toBe('p1');
      expect((await enrollment(ids[`enr:${ids.sig}`] ?? '')).currentStepId).toBe('p1');
      expect((await enrollment(ids[`enr:${ids.two}`] ?? '')).currentStepId).toBe('w1');
      expect((await enrollment(ids[`enr:${ids.three}`] ?? '')).currentStepId).toBe('w1');
    });

    it('GET /api/worklist?when= → {items: [{id, enrollmentId, record, sequence, step, dueAt, state}]}', async () => {
      const today = await ok(200, tokens.seller, 'GET', '/api/worklist?when=today');
      const item = today.items.find((i: Json) => i.enrollmentId === ids[`enr:${ids.lena}`]);
      expect(item).toEqual({
        id: expect.any(String),
        enrollmentId: ids[`enr:${ids.lena}`],
        // Beyond api.md (README "Work list"): how to reach the record, for the call, email and LinkedIn steps.
        record: {
          id: ids.lena,
          name: 'Lena Lead',
          type: 'lead',
          email: 'lena@prospect.test',
          phone: '+1 555 0100',
          linkedinUrl: 'https://www.linkedin.com/in/lena',
        },
        sequence: { id: ids.main, name: 'Main sequence' },
        step: { id: 'p1', type: 'phone_call', name: 'Call to book', description: null, templateId: null },
        dueAt: expect.stringMatching(ISO_UTC),
        state: 'open',
        // Beyond api.md (README "Work list"): when a seller last snoozed the step.
        snoozedAt: null,
        // Beyond api.md (README "Work list"): a record's up-next marks a paused enrollment's step.
        enrollmentStatus: 'active',
      });
      // Sellers see their own records only; the manager's record is not in the seller's list.
      const all = await ok(200, tokens.seller, 'GET', '/api/worklist?when=all');
      expect(all.items.every((i: Json) => i.record.id !== ids.sig)).toBe(true);
      expect(all.items.map((i: Json) => i.record.id)).toContain(ids.lena);
      // Managers may pass ownerId.
      const managed = await ok(
        200,
        tokens.salesManager,
        'GET',
        `/api/worklist?ownerId=${ids.seller}&when=all`,
      );
      expect(managed.items.map((i: Json) => i.record.id)).toContain(ids.lena);
      for (const when of ['overdue', 'upcoming']) {
        const page = await ok(200, tokens.seller, 'GET', `/api/worklist?when=${when}&limit=10`);
        expect(Array.isArray(page.items)).toBe(true);
      }
      expectProblem(await send(tokens.seller, 'GET', '/api/worklist?when=someday'), 400, 'bad_request');
      ids.lenaCall = item.id;
    });

    it('complete {outcome} → 200 the enrollment after the step; a skipped call takes `no`', async () => {
      const after = await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${ids.lenaCall}/complete`, {
        outcome: 'answered',
        notes: 'Booked a demo',
      });
      expect(after.id).toBe(ids[`enr:${ids.lena}`]);
      expect(after.currentStepId).toBe('m1');
      expect(after.history.find((h: Json) => h.stepId === 'p1')).toMatchObject({
        state: 'completed',
        outcome: 'answered',
        completedAt: expect.stringMatching(ISO_UTC),
      });
      expectProblem(
        await send(tokens.seller, 'POST', `/api/enrollment-steps/${ids.lenaCall}/complete`, {
          outcome: 'maybe',
        }),
        400,
        'bad_request',
      );
      const sigCall = await currentRow(ids[`enr:${ids.sig}`] ?? '', 'p1');
      // Another seller's step is not theirs to work.
      expect([403, 404]).toContain(
        (await send(tokens.seller2, 'POST', `/api/enrollment-steps/${sigCall.id}/skip`)).status,
      );
      const skipped = await ok(200, tokens.manager, 'POST', `/api/enrollment-steps/${sigCall.id}/skip`);
      expect(skipped.currentStepId).toBe('t1');
      expect(skipped.history.find((h: Json) => h.stepId === 'p1')).toMatchObject({ state: 'skipped' });
    });

    it("send {subject?, body?} → 200: a manual email step sent from the seller's mailbox", async () => {
      const row = await currentRow(ids[`enr:${ids.lena}`] ?? '', 'm1');
      const sent = await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${row.id}/send`, {
        subject: 'The deck',
        body: '<p>Here is the deck.</p>',
      });
      expect(sent.currentStepId).toBe('w2');
      await moveClock({ advance: 'PT1M' });
      const mails = await stack.waitForMail((m) => m.subject === 'The deck', 1);
      expect(addressesOf(mails[0] as ParsedMail)).toEqual(['lena@prospect.test']);
    });

    it('skip-wait → 200 (a wait ends now); update_field sets the record field; the enrollment completes', async () => {
      const wait = await currentRow(ids[`enr:${ids.lena}`] ?? '', 'w2');
      const after = await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${wait.id}/skip-wait`);
      expect(after.history.find((h: Json) => h.stepId === 'w2')?.state).toMatch(/completed|skipped/);
      const done = await enrollment(ids[`enr:${ids.lena}`] ?? '');
      expect(done).toMatchObject({ status: 'completed', endReason: 'completed' });
      const record = await ok(200, tokens.seller, 'GET', `/api/records/${ids.lena}`);
      expect(record.fields.status).toBe('qualified');
      expect(await ok(200, tokens.seller, 'GET', `/api/records/${ids.lena}/up-next`)).toEqual([]);
    });

    it('snooze {until} → 200; skip → 200; pause and resume', async () => {
      const wait = await currentRow(ids[`enr:${ids.two}`] ?? '', 'w1');
      expect(wait.state).toBe('waiting');
      const afterWait = await ok(
        200,
        tokens.seller,
        'POST',
        `/api/enrollment-steps/${wait.id}/skip-wait`,
        {},
      );
      expect(afterWait.currentStepId).toBe('t1');
      const task = await currentRow(ids[`enr:${ids.two}`] ?? '', 't1');
      const { now } = await ok(200, tokens.seller, 'GET', '/api/clock');
      const until = new Date(Date.parse(now) + 86_400_000).toISOString();
      await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${task.id}/snooze`, { until });
      const upcoming = await ok(200, tokens.seller, 'GET', '/api/worklist?when=upcoming');
      expect(upcoming.items.find((i: Json) => i.id === task.id)).toMatchObject({
        dueAt: until,
        state: 'waiting',
      });
      await moveClock({ advance: 'P1D' });
      const skipped = await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${task.id}/skip`);
      expect(skipped).toMatchObject({ status: 'completed', endReason: 'completed' });
      // The Signal Lead's task opened yesterday: overdue for its owner, not due today.
      const overdue = await ok(200, tokens.manager, 'GET', '/api/worklist?when=overdue');
      expect(overdue.items.find((i: Json) => i.record.id === ids.sig)).toMatchObject({
        step: { id: 't1', type: 'task' },
        state: 'open',
      });
      const today = await ok(200, tokens.manager, 'GET', '/api/worklist?when=today');
      expect(today.items.find((i: Json) => i.record.id === ids.sig)).toBeUndefined();

      const three = ids[`enr:${ids.three}`] ?? '';
      await ok(200, tokens.seller, 'POST', `/api/enrollments/${three}/pause`);
      expect((await enrollment(three)).status).toBe('paused');
      // Up next still shows its step, marked paused (the work list leaves it out).
      const upNext = await ok(200, tokens.seller, 'GET', `/api/records/${ids.three}/up-next`);
      expect(upNext).not.toEqual([]);
      for (const item of upNext)
        expect(item).toMatchObject({ enrollmentId: three, enrollmentStatus: 'paused' });
      await ok(200, tokens.seller, 'POST', `/api/enrollments/${three}/resume`);
      expect((await enrollment(three)).status).toBe('active');
    });

    it('POST /api/sequences/{id}/enrollments/disconnect {recordIds} → {disconnected, notEnrolled}', async () => {
      const answer = await ok(
        200,
        tokens.seller,
        'POST',
        `/api/sequences/${ids.main}/enrollments/disconnect`,
        {
          recordIds: [ids.three, ids.lena, 'rec_nope'],
        },
      );
      expect(answer).toEqual({ disconnected: [ids.three], notEnrolled: [ids.lena, 'rec_nope'] });
      expect(await enrollment(ids[`enr:${ids.three}`] ?? '')).toMatchObject({
        status: 'disconnected',
        endReason: 'user_disconnected',
      });
    });
  });

  describe('Exit on reply: signals and inbound email', () => {
    it('an email_replied signal or an inbound reply (message/rfc822) ends the enrollment exit_on_reply', async () => {
      const sequence = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Reply stops it',
        entityType: 'lead',
        definition: {
          start: 'e1',
          options: { exitOnReply: true },
          steps: [
            { id: 'e1', type: 'automated_email', templateId: ids.template, next: 'w1' },
            { id: 'w1', type: 'wait', duration: 'P2D', next: 't1' },
            { id: 't1', type: 'task', name: 'Follow up' },
          ],
        },
      });
      ids.reply = sequence.id;
      await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.reply}/activate`);
      const records: string[] = [];
      for (const name of ['Reply Lead', 'Inbound Lead', 'Deactivated Lead', 'Bounce Lead']) {
        const email = `${name.split(' ')[0]?.toLowerCase()}@prospect.test`;
        records.push(
          (await ok(201, tokens.seller, 'POST', '/api/records', { type: 'lead', name, email })).id,
        );
      }
      const [replyLead, inboundLead, deactivatedLead, bounceLead] = records as [
        string,
        string,
        string,
        string,
      ];
      ids.deactivatedLead = deactivatedLead;
      const connect = await ok(200, tokens.seller, 'POST', `/api/sequences/${ids.reply}/enrollments`, {
        recordIds: records,
      });
      expect(connect.rejected).toEqual([]);
      const enrollmentOf = new Map<string, string>(
        connect.enrolled.map((e: Json) => [e.recordId, e.enrollmentId]),
      );
      ids.deactivatedEnrollment = enrollmentOf.get(deactivatedLead) ?? '';
      await moveClock({ advance: 'PT1M' });
      const [sent] = await stack.waitForMail(mailTo('inbound@prospect.test'), 1);
      await stack.waitForMail(mailTo('reply@prospect.test'), 1);

      const signal = await ok(200, tokens.manager, 'POST', '/api/signals', {
        signals: [{ id: 'contract-reply-1', type: 'email_replied', recordId: replyLead }],
      });
      expect(signal).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
      await moveClock({ advance: 'PT1M' });
      const replied = await enrollment(enrollmentOf.get(replyLead) ?? '');
      expect(['completed', 'disconnected']).toContain(replied.status);
      expect(replied.endReason).toBe('exit_on_reply');

      const raw = [
        'From: Inbound Lead <inbound@prospect.test>',
        'To: Sam Seller <seller@contract.test>',
        `Subject: Re: ${sent?.subject ?? ''}`,
        'Message-ID: <contract-reply-2@prospect.test>',
        `In-Reply-To: ${sent?.messageId ?? ''}`,
        `References: ${sent?.messageId ?? ''}`,
        'Date: Mon, 7 Dec 2026 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Sounds good, let us talk on Thursday.',
        '',
      ].join('\r\n');
      const inbound = await send(tokens.admin, 'POST', '/api/inbound-email', undefined, {
        raw,
        contentType: 'message/rfc822',
      });
      expect(inbound.status, inbound.text).toBe(200);
      expect(inbound.body.kind).toBe('reply');
      await moveClock({ advance: 'PT1M' });
      const ended = await enrollment(enrollmentOf.get(inboundLead) ?? '');
      expect(ended.status === 'completed' || ended.status === 'disconnected').toBe(true);
      expect(ended.endReason).toBe('exit_on_reply');
      // An out-of-office answer is an auto-reply: it does not end the enrollment.
      const [toDeactivated] = await stack.waitForMail(mailTo('deactivated@prospect.test'), 1);
      const autoReply = await send(tokens.admin, 'POST', '/api/inbound-email', undefined, {
        contentType: 'message/rfc822',
        raw: [
          'From: Deactivated Lead <deactivated@prospect.test>',
          'To: seller@contract.test',
          'Subject: Automatic reply: out of office',
          'Auto-Submitted: auto-replied',
          'Message-ID: <contract-auto-1@prospect.test>',
          `In-Reply-To: ${toDeactivated?.messageId ?? ''}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'I am out of the office until Monday.',
          '',
        ].join('\r\n'),
      });
      expect(autoReply.status, autoReply.text).toBe(200);
      expect(autoReply.body.kind).toBe('auto_reply');
      expect((await enrollment(enrollmentOf.get(deactivatedLead) ?? '')).status).toBe('active');
      // A bounce (a delivery status notification) ends it `bounced`.
      const [toBounce] = await stack.waitForMail(mailTo('bounce@prospect.test'), 1);
      const bounce = await send(tokens.admin, 'POST', '/api/inbound-email', undefined, {
        contentType: 'message/rfc822',
        raw: [
          'From: Mail Delivery System <MAILER-DAEMON@mx.prospect.test>',
          'To: seller@contract.test',
          'Subject: Undelivered Mail Returned to Sender',
          'Message-ID: <contract-dsn-1@mx.prospect.test>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
          '',
          '--dsn',
          'Content-Type: text/plain',
          '',
          'Your message could not be delivered.',
          '--dsn',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.prospect.test',
          '',
          'Final-Recipient: rfc822; bounce@prospect.test',
          'Action: failed',
          'Status: 5.1.1',
          '',
          '--dsn',
          'Content-Type: message/rfc822',
          '',
          `Message-ID: ${toBounce?.messageId ?? ''}`,
          'From: seller@contract.test',
          'To: bounce@prospect.test',
          `Subject: ${toBounce?.subject ?? ''}`,
          '',
          'Hello',
          '--dsn--',
          '',
        ].join('\r\n'),
      });
      expect(bounce.status, bounce.text).toBe(200);
      expect(bounce.body.kind).toBe('bounce');
      await moveClock({ advance: 'PT1M' });
      expect((await enrollment(enrollmentOf.get(bounceLead) ?? '')).endReason).toBe('bounced');
      const stats = await ok(200, tokens.manager, 'GET', `/api/sequences/${ids.reply}/stats`);
      expect(stats.steps.find((s: Json) => s.stepId === 'e1')).toMatchObject({
        emailsSent: 4,
        replied: 2,
        bounced: 1,
      });
      expect(stats.endReasons).toMatchObject({ exit_on_reply: 2, bounced: 1 });
    });
  });

  describe('moveOnSignal and advance_to_sequence', () => {
    it('"moveOnSignal": true takes `yes` as soon as the signal arrives; an advance ends advanced_to_other_sequence', async () => {
      const target = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Target',
        entityType: 'lead',
        definition: { start: 't1', steps: [{ id: 't1', type: 'task', name: 'Target task' }] },
      });
      await ok(200, tokens.manager, 'POST', `/api/sequences/${target.id}/activate`);
      const advancer = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'Advancer',
        entityType: 'lead',
        definition: {
          start: 'e1',
          steps: [
            { id: 'e1', type: 'automated_email', templateId: ids.template, next: 'c1' },
            {
              id: 'c1',
              type: 'condition',
              if: { signal: 'email_opened', step: 'e1' },
              within: 'P2D',
              moveOnSignal: true,
              yes: 't1',
              no: 't2',
            },
            { id: 't1', type: 'task', name: 'Qualify', next: 'a1' },
            { id: 'a1', type: 'advance_to_sequence', sequenceId: target.id },
            { id: 't2', type: 'task', name: 'Never opened' },
          ],
        },
      });
      await ok(200, tokens.manager, 'POST', `/api/sequences/${advancer.id}/activate`);
      const lead = await ok(201, tokens.seller, 'POST', '/api/records', {
        type: 'lead',
        name: 'Advance Lead',
        email: 'advance@prospect.test',
      });
      const connected = await ok(200, tokens.seller, 'POST', `/api/sequences/${advancer.id}/enrollments`, {
        recordIds: [lead.id],
      });
      const enrollmentId = connected.enrolled[0].enrollmentId;
      await moveClock({ advance: 'PT1M' });
      await stack.waitForMail(mailTo('advance@prospect.test'), 1);
      await ok(200, tokens.manager, 'POST', '/api/signals', {
        signals: [{ id: 'contract-advance-open', type: 'email_opened', recordId: lead.id }],
      });
      await moveClock({ advance: 'PT1M' });
      const task = await currentRow(enrollmentId, 't1');
      expect(task.state).toBe('open');
      const after = await ok(200, tokens.seller, 'POST', `/api/enrollment-steps/${task.id}/complete`, {});
      expect(after.endReason).toBe('advanced_to_other_sequence');
      await moveClock({ advance: 'PT1M' });
      const upNext = await ok(200, tokens.seller, 'GET', `/api/records/${lead.id}/up-next`);
      expect(upNext.map((item: Json) => [item.sequence.id, item.step.id])).toEqual([[target.id, 't1']]);
      for (const id of [advancer.id, target.id])
        await ok(200, tokens.manager, 'POST', `/api/sequences/${id}/deactivate`);
    });
  });

  describe('Sequence versions, revise, deactivate, clone, delete, stats', () => {
    it('revise → 200 status revision; PUT edits the new version; activate publishes it; versions list', async () => {
      // A record connected to version 1 that stays on it.
      ids.early = (
        await ok(201, tokens.seller, 'POST', '/api/records', {
          type: 'lead',
          name: 'Early',
          email: 'early@prospect.test',
        })
      ).id;
      const early = await ok(200, tokens.seller, 'POST', `/api/sequences/${ids.main}/enrollments`, {
        recordIds: [ids.early],
      });
      ids.earlyEnrollment = early.enrolled[0].enrollmentId;
      // A client that sends an empty JSON body with its content type is understood too.
      const revised = await send(tokens.manager, 'POST', `/api/sequences/${ids.main}/revise`, undefined, {
        raw: '',
        contentType: 'application/json',
      });
      expect(revised.status, revised.text).toBe(200);
      expect(revised.body).toMatchObject({ status: 'revision', version: 2 });
      const definition = mainDefinition(ids.template ?? '') as { steps: { id: string; name?: string }[] };
      const task = definition.steps.find((step) => step.id === 't1');
      if (task !== undefined) task.name = 'Research the account, again';
      const edited = await ok(200, tokens.manager, 'PUT', `/api/sequences/${ids.main}`, { definition });
      expect(edited).toMatchObject({ status: 'revision', version: 2 });
      // The running version is untouched while in revision.
      expect((await enrollment(ids.earlyEnrollment ?? '')).sequenceVersion).toBe(1);
      const published = await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.main}/activate`, {
        versionDescription: 'Better research',
      });
      expect(published).toMatchObject({ status: 'active', version: 2 });
      const late = (
        await ok(201, tokens.seller, 'POST', '/api/records', {
          type: 'lead',
          name: 'Late',
          email: 'late@prospect.test',
        })
      ).id;
      const lateAnswer = await ok(200, tokens.seller, 'POST', `/api/sequences/${ids.main}/enrollments`, {
        recordIds: [late],
      });
      ids.lateEnrollment = lateAnswer.enrolled[0].enrollmentId;
      expect((await enrollment(ids.lateEnrollment ?? '')).sequenceVersion).toBe(2);
      expect((await enrollment(ids.earlyEnrollment ?? '')).sequenceVersion).toBe(1);
      const versions = await ok(200, tokens.seller, 'GET', `/api/sequences/${ids.main}/versions`);
      expect(versions.map((v: Json) => v.version)).toEqual([1, 2]);
      expect(versions[0]).toMatchObject({
        description: 'First version',
        activatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(versions[1]).toMatchObject({
        description: 'Better research',
        activatedAt: expect.stringMatching(ISO_UTC),
      });
      for (const v of versions) expect(typeof v.enrolledCount).toBe('number');
      expect(versions[1].enrolledCount).toBe(1);
    });

    it('GET /api/sequences/{id}/stats → {enrolled, active, paused, completed, disconnected, endReasons, steps}', async () => {
      const stats = await ok(200, tokens.manager, 'GET', `/api/sequences/${ids.main}/stats`);
      expect(stats).toMatchObject({
        enrolled: 6,
        active: 3, // Signal Lead (t1), Early and Late
        paused: 0,
        completed: 2,
        disconnected: 1,
        endReasons: { completed: 2, user_disconnected: 1 },
      });
      for (const step of stats.steps) {
        for (const key of [
          'stepId',
          'reached',
          'completed',
          'skipped',
          'emailsSent',
          'opened',
          'clicked',
          'replied',
          'bounced',
          'outcomes',
        ])
          expect(step).toHaveProperty(key);
      }
      expect(stats.steps.find((s: Json) => s.stepId === 'p1')).toMatchObject({
        reached: 2,
        completed: 1,
        skipped: 1,
        outcomes: { answered: 1 },
      });
    });

    it('POST /api/sequences/{id}/clone {name?} → 201 a new inactive sequence', async () => {
      const clone = await ok(201, tokens.manager, 'POST', `/api/sequences/${ids.main}/clone`, {
        name: 'Main, copy',
      });
      expect(clone).toMatchObject({ status: 'inactive', version: 1, name: 'Main, copy', entityType: 'lead' });
      expect(clone.id).not.toBe(ids.main);
      expect(clone.definition.steps.find((s: Json) => s.id === 't1').name).toBe(
        'Research the account, again',
      );
      const unnamed = await ok(201, tokens.manager, 'POST', `/api/sequences/${ids.main}/clone`);
      expect(unnamed.status).toBe('inactive');
      ids.clone = clone.id;
      ids.clone2 = unnamed.id;
    });

    it('deactivate → 200; its running enrollments end disconnected with reason sequence_deactivated', async () => {
      const answer = await ok(200, tokens.manager, 'POST', `/api/sequences/${ids.reply}/deactivate`);
      expect(answer.status).toBe('inactive');
      expect(await enrollment(ids.deactivatedEnrollment ?? '')).toMatchObject({
        status: 'disconnected',
        endReason: 'sequence_deactivated',
      });
    });

    it('DELETE /api/records/{id} ends its running enrollment with reason record_deleted', async () => {
      expect((await send(tokens.manager, 'DELETE', `/api/records/${ids.sig}`)).status).toBe(204);
      expect(await enrollment(ids[`enr:${ids.sig}`] ?? '')).toMatchObject({
        status: 'disconnected',
        endReason: 'record_deleted',
      });
    });

    it('DELETE /api/sequences/{id} → 204; its running enrollments end disconnected with reason sequence_deleted', async () => {
      expect((await send(tokens.manager, 'DELETE', `/api/sequences/${ids.main}`)).status).toBe(204);
      for (const id of [ids.earlyEnrollment, ids.lateEnrollment])
        expect(await enrollment(id ?? '')).toMatchObject({
          status: 'disconnected',
          endReason: 'sequence_deleted',
        });
      expectProblem(await send(tokens.manager, 'GET', `/api/sequences/${ids.main}`), 404, 'not_found');
    });

    it('409 active_limit_reached past STEPWISE_MAX_ACTIVE_SEQUENCES', async () => {
      const activated: string[] = [];
      for (let i = 0; i < MAX_ACTIVE; i++) {
        const sequence = await ok(201, tokens.manager, 'POST', '/api/sequences', {
          name: `Filler ${i}`,
          entityType: 'account',
          definition: { start: 't1', steps: [{ id: 't1', type: 'task', name: 'Call the account' }] },
        });
        activated.push(sequence.id);
        const answer = await send(tokens.manager, 'POST', `/api/sequences/${sequence.id}/activate`);
        if (i < MAX_ACTIVE) expect(answer.status, answer.text).toBe(200);
      }
      const over = await ok(201, tokens.manager, 'POST', '/api/sequences', {
        name: 'One too many',
        entityType: 'account',
        definition: { start: 't1', steps: [{ id: 't1', type: 'task', name: 'Call the account' }] },
      });
      expectProblem(
        await send(tokens.manager, 'POST', `/api/sequences/${over.id}/activate`),
        409,
        'active_limit_reached',
      );
      for (const id of activated) await ok(200, tokens.manager, 'POST', `/api/sequences/${id}/deactivate`);
    });
  });

  describe('Test clock', () => {
    it('GET /api/clock → {now}; POST {advance} or {set} → {now, processed}', async () => {
      const { now } = await ok(200, tokens.seller, 'GET', '/api/clock');
      expect(now).toMatch(ISO_UTC);
      const advanced = await moveClock({ advance: 'P1DT12H' });
      expect(advanced.now).toBe(new Date(Date.parse(now) + 36 * 3_600_000).toISOString());
      expect(Number.isInteger(advanced.processed)).toBe(true);
      const target = new Date(Date.parse(advanced.now) + 3_600_000);
      const set = await moveClock({ set: target.toISOString().replace('.000Z', 'Z') });
      expect(set.now).toBe(target.toISOString());
      expect((await ok(200, tokens.seller, 'GET', '/api/clock')).now).toBe(target.toISOString());
      expectProblem(
        await send(tokens.admin, 'POST', '/api/clock', { advance: 'tomorrow' }),
        400,
        'bad_request',
      );
      // A tester signs in once and drives weeks of test time with the same token or cookie.
      await moveClock({ advance: 'P30D' });
      expect((await ok(200, tokens.seller, 'GET', '/api/users/me')).id).toBe(ids.seller);
      const byCookie = await send(null, 'GET', '/api/users/me', undefined, { headers: { cookie } });
      expect(byCookie.status).toBe(200);
    });
  });

  describe('Operations and configuration', () => {
    it('GET /healthz, /readyz, /metrics (Prometheus text)', async () => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await metrics.text()).toMatch(/^# (HELP|TYPE) /m);
    });

    it('GET /api/openapi.json is the OpenAPI 3.1 document; /api/docs the browsable reference', async () => {
      const doc = await ok(200, null, 'GET', '/api/openapi.json');
      expect(doc.openapi).toBe('3.1.0');
      for (const path of ['/api/records', '/api/sequences/{id}/activate', '/api/worklist', '/api/signals'])
        expect(doc.paths).toHaveProperty([path]);
      const docs = await fetch(`${base}/api/docs`);
      expect(docs.status).toBe(200);
    });

    it('429 rate_limited after too many logins', async () => {
      let last: Answer | null = null;
      for (let i = 0; i < 12; i++)
        last = await send(null, 'POST', '/api/auth/login', {
          email: 'nobody@contract.test',
          password: 'guess',
        });
      expectProblem(last as Answer, 429, 'rate_limited');
    });
  });
});

/** api.md's "Definition format", with every kind of step the flow above walks. */
function mainDefinition(templateId: string): unknown {
  return {
    start: 'e1',
    options: { exitOnReply: false, workingHours: 'owner', skipNonWorkingDays: false },
    steps: [
      { id: 'e1', type: 'automated_email', name: 'Introduce yourself', templateId, next: 'c1' },
      {
        id: 'c1',
        type: 'condition',
        if: { signal: 'email_opened', step: 'e1' },
        within: 'P1D',
        yes: 'p1',
        no: 'w1',
      },
      { id: 'p1', type: 'phone_call', name: 'Call to book', next: 'c2' },
      { id: 'c2', type: 'condition', if: { step: 'p1', outcome: ['answered'] }, yes: 'm1', no: 't1' },
      { id: 'm1', type: 'email', name: 'Send the deck', templateId, next: 'w2' },
      { id: 'w2', type: 'wait', duration: 'PT4H', next: 'u1' },
      { id: 'u1', type: 'update_field', field: 'status', value: 'qualified' },
      { id: 'w1', type: 'wait', duration: 'P1D', next: 't1' },
      { id: 't1', type: 'task', name: 'Research the account' },
    ],
  };
}
