import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { ApiToken, Mailbox } from '../api/types.js';
import { formFromMailbox } from '../settings/mailbox-form.js';
import {
  describeToken,
  mailboxSummary,
  myMailboxBody,
  myMailboxForm,
  newMyMailboxForm,
  passwordProblems,
  problemsByField,
  sortTokens,
  timeOffProblemsOf,
} from './account-form.js';

const stored: Mailbox = {
  id: 'mbx_1',
  userId: 'usr_sue',
  name: 'Sue’s mailbox',
  host: 'smtp.example.com',
  port: 587,
  secure: false,
  username: 'sue',
  hasPassword: true,
  fromAddress: 'sue@example.com',
  fromName: 'Sue Seller',
  dailyCap: 300,
  minSpacingSeconds: 30,
  imap: { host: 'imap.example.com', port: 993, secure: true, mailbox: 'INBOX', username: 'sue' },
  sentLast24h: 2,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe('problemsByField', () => {
  const error = new ApiError(400, 'bad_request', 'The calendar is not valid.', 'Bad request', [
    { code: 'invalid_timezone', path: '/timezone', message: '"Mars/Base" is not an IANA time zone.' },
    { code: 'bad_shape', path: '/fromAddress', message: 'must match format "email"' },
    { code: 'invalid_time_off', path: '/timeOff/1', message: 'A time off needs a start before its end.' },
    { code: 'conflict', message: 'Something else' },
  ]);

  it('puts each problem beside the field its path names, and keeps the others apart', () => {
    const { byField, rest } = problemsByField(error, ['timezone', 'fromAddress'] as const);
    expect(byField).toEqual({
      timezone: '"Mars/Base" is not an IANA time zone.',
      fromAddress: 'Must match format "email".',
    });
    expect(rest).toEqual(['A time off needs a start before its end.', 'Something else.']);
  });

  it('joins two problems of one field, and reads nothing from other errors', () => {
    const two = new ApiError(400, 'bad_request', 'x', 'x', [
      { code: 'a', path: '/workingHours/mon/0', message: 'Starts after it ends.' },
      { code: 'b', path: '/workingHours/tue/1', message: 'Overlaps.' },
    ]);
    expect(problemsByField(two, ['workingHours'] as const).byField.workingHours).toBe(
      'Starts after it ends. Overlaps.',
    );
    expect(problemsByField(new Error('offline'), ['name'] as const)).toEqual({ byField: {}, rest: [] });
  });

  it('gives the time-off editor its rows’ problems by index', () => {
    expect(timeOffProblemsOf(error)).toEqual([
      { index: 1, message: 'A time off needs a start before its end.' },
    ]);
  });
});

describe('myMailboxBody (PUT /api/users/me/mailbox)', () => {
  it('starts a new mailbox from the user’s name and address', () => {
    expect(newMyMailboxForm({ name: 'Sue Seller', email: 'sue@example.com' })).toMatchObject({
      name: 'Sue Seller’s mailbox',
      fromName: 'Sue Seller',
      fromAddress: 'sue@example.com',
      port: '587',
    });
  });

  it('sends every setting but no owner, and the password only when typed', () => {
    const form = { ...newMyMailboxForm({ name: 'Sue', email: 'sue@example.com' }), host: 'smtp.example.com' };
    const answer = myMailboxBody(form, null);
    expect(answer).toEqual({
      ok: true,
      body: {
        name: 'Sue’s mailbox',
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        username: null,
        fromAddress: 'sue@example.com',
        fromName: 'Sue',
        dailyCap: 400,
        minSpacingSeconds: 20,
      },
    });
    const typed = myMailboxBody({ ...form, username: 'sue', password: 'secret' }, null);
    expect(typed.ok && typed.body.password).toBe('secret');
  });

  it('keeps the stored password and IMAP URL of an existing mailbox unless replaced or cleared', () => {
    const kept = myMailboxBody(formFromMailbox(stored), stored);
    expect(kept.ok).toBe(true);
    if (!kept.ok) return;
    expect(kept.body).not.toHaveProperty('password');
    expect(kept.body).not.toHaveProperty('imapUrl');
    expect(kept.body).toMatchObject({ dailyCap: 300, minSpacingSeconds: 30, username: 'sue' });
    const cleared = myMailboxBody({ ...formFromMailbox(stored), clearImap: true }, stored);
    expect(cleared.ok && cleared.body.imapUrl).toBeNull();
    const replaced = myMailboxBody(
      { ...formFromMailbox(stored), imapUrl: 'imaps://sue:pw@imap.example.com/INBOX' },
      stored,
    );
    expect(replaced.ok && replaced.body.imapUrl).toBe('imaps://sue:pw@imap.example.com/INBOX');
  });

  it('sends a non-administrator’s mailbox from their own address, even one stored otherwise', () => {
    const sue = { name: 'Sue', email: 'sue.new@example.com', role: 'salesperson' as const };
    expect(myMailboxForm(sue, null).fromAddress).toBe('sue.new@example.com');
    expect(myMailboxForm(sue, { ...stored, fromAddress: 'ceo@example.com' })).toEqual({
      ...formFromMailbox(stored),
      fromAddress: 'sue.new@example.com',
    });
    const admin = { ...sue, role: 'admin' as const };
    expect(myMailboxForm(admin, { ...stored, fromAddress: 'sales@example.com' }).fromAddress).toBe(
      'sales@example.com',
    );
  });

  it('names the fields to fix', () => {
    const answer = myMailboxBody(
      { ...formFromMailbox(stored), host: '', port: '99999', username: '', password: 'x' },
      stored,
    );
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(Object.keys(answer.errors).sort()).toEqual(['host', 'port', 'username']);
  });
});

describe('mailboxSummary', () => {
  it('says whether the installation default sends when the user has no mailbox', () => {
    expect(mailboxSummary('default')).toMatch(/installation’s default mailbox sends your emails/);
    expect(mailboxSummary('none')).toMatch(/wait in the outbox/);
    expect(mailboxSummary('own')).toMatch(/your own mailbox/);
  });
});

describe('API tokens', () => {
  const token = (id: string, createdAt: string, revokedAt: string | null = null): ApiToken => ({
    id,
    name: id,
    createdAt,
    lastUsedAt: null,
    revokedAt,
  });

  it('lists active tokens first, newest first, then the revoked ones', () => {
    const sorted = sortTokens([
      token('old', '2026-01-01T00:00:00Z'),
      token('revoked', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'),
      token('new', '2026-02-01T00:00:00Z'),
    ]);
    expect(sorted.map((t) => t.id)).toEqual(['new', 'old', 'revoked']);
  });

  it('says when a token was created, last used and revoked', () => {
    const day = (iso: string) => iso.slice(0, 10);
    expect(describeToken(token('a', '2026-01-01T00:00:00Z'), day)).toBe('Created 2026-01-01 · never used');
    expect(
      describeToken(
        { ...token('b', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'), lastUsedAt: '2026-01-02T00:00:00Z' },
        day,
      ),
    ).toBe('Created 2026-01-01 · last used 2026-01-02 · revoked 2026-01-03');
  });
});

describe('password change', () => {
  it('needs the current password, a new one of at least 10 characters, typed twice alike', () => {
    expect(passwordProblems('', 'short', 'short')).toEqual({
      current: 'Type your current password.',
      next: 'At least 10 characters.',
    });
    expect(passwordProblems('old one', 'a long new one', 'a long new 0ne')).toEqual({
      again: 'The two new passwords differ.',
    });
    expect(passwordProblems('old one', 'a long new one', 'a long new one')).toEqual({});
  });
});
