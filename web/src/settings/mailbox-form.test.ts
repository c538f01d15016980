import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../api/types.js';
import { formFromMailbox, imapLabel, mailboxBody, NEW_MAILBOX, secureForPort } from './mailbox-form.js';

const stored: Mailbox = {
  id: 'mbx_1',
  userId: null,
  name: 'Sales',
  host: 'smtp.example.com',
  port: 587,
  secure: false,
  username: 'sales',
  hasPassword: true,
  fromAddress: 'sales@example.com',
  fromName: 'Sales team',
  dailyCap: 400,
  minSpacingSeconds: 20,
  imap: { host: 'imap.example.com', port: 993, secure: true, mailbox: 'INBOX', username: 'sales' },
  sentLast24h: 12,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe('mailbox form', () => {
  it('builds a full body for a new mailbox, with the password only when typed', () => {
    const form = {
      ...NEW_MAILBOX,
      name: ' Outbound ',
      host: 'smtp.example.com',
      fromAddress: 'sam@example.com',
      username: 'sam',
    };
    expect(mailboxBody(form)).toEqual({
      ok: true,
      body: {
        name: 'Outbound',
        userId: null,
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        username: 'sam',
        fromAddress: 'sam@example.com',
        fromName: null,
        dailyCap: 400,
        minSpacingSeconds: 20,
        password: null,
      },
    });
    expect(mailboxBody({ ...form, password: 's3cret' })).toMatchObject({
      ok: true,
      body: { password: 's3cret' },
    });
  });

  it('never shows the stored password and sends only what changed on edit', () => {
    const form = formFromMailbox(stored);
    expect(form.password).toBe('');
    expect(mailboxBody(form, stored)).toEqual({ ok: true, body: {} });
    expect(mailboxBody({ ...form, dailyCap: '150', password: 'new-one' }, stored)).toEqual({
      ok: true,
      body: { dailyCap: 150, password: 'new-one' },
    });
    expect(mailboxBody({ ...form, fromName: '' }, stored)).toEqual({ ok: true, body: { fromName: null } });
  });

  it('sends the IMAP URL only when typed, null when it is to be cleared, and never shows the stored one', () => {
    const form = formFromMailbox(stored);
    expect(form.imapUrl).toBe('');
    expect(stored.imap && imapLabel(stored.imap)).toBe('imap.example.com:993/INBOX (sales)');
    const url = 'imaps://sales:pw@imap2.example.com/Replies';
    expect(mailboxBody({ ...form, imapUrl: ` ${url} ` }, stored)).toEqual({
      ok: true,
      body: { imapUrl: url },
    });
    expect(mailboxBody({ ...form, clearImap: true }, stored)).toEqual({ ok: true, body: { imapUrl: null } });
    // Nothing stored: nothing to clear; a new mailbox without one sends none.
    expect(mailboxBody({ ...form, clearImap: true }, { ...stored, imap: null })).toEqual({
      ok: true,
      body: {},
    });
    const fresh = { ...NEW_MAILBOX, name: 'N', host: 'smtp.example.com', fromAddress: 'n@example.com' };
    expect(mailboxBody(fresh)).toMatchObject({ ok: true });
    expect(mailboxBody(fresh)).not.toHaveProperty('body.imapUrl');
    expect(mailboxBody({ ...fresh, imapUrl: url })).toMatchObject({ ok: true, body: { imapUrl: url } });
    for (const bad of ['imap.example.com', 'https://u:p@imap.example.com', 'imaps://imap.example.com/INBOX'])
      expect(mailboxBody({ ...fresh, imapUrl: bad })).toMatchObject({
        ok: false,
        errors: { imapUrl: expect.any(String) },
      });
  });

  it('reports every bad field at once', () => {
    const answer = mailboxBody({
      ...NEW_MAILBOX,
      port: '70000',
      dailyCap: '0',
      minSpacingSeconds: '-1',
      fromAddress: 'nope',
      password: 'x',
    });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(Object.keys(answer.errors).sort()).toEqual(
      ['dailyCap', 'fromAddress', 'host', 'minSpacingSeconds', 'name', 'port', 'username'].sort(),
    );
  });

  it('suggests TLS from well-known ports', () => {
    expect(secureForPort('465')).toBe(true);
    expect(secureForPort('587')).toBe(false);
    expect(secureForPort('2465')).toBeUndefined();
  });
});
