// The IMAP poller end to end on both dialects: real sends over loopback SMTP, then replies and bounces
// put in a mailbox of the IMAP4rev1 test server and fetched by imapflow. A reply ends the enrollment
// (exitOnReply), a DSN suppresses the address, a restart (a new poller on the same store) neither
// re-processes nor skips, a renumbered mailbox (new UIDVALIDITY) takes UNSEEN only, and a dropped
// connection or refused log-in is retried.
import { afterEach, expect, it } from 'vitest';
import { isSuppressed } from '../../engine/suppression.js';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { bounce, imapWorld, reply } from '../test-support/imap-world.js';
import { IMAP_POLLER_DEFAULTS, nextPollDelay, parseImapUrl } from './imap-poller.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const world = (t: Parameters<typeof imapWorld>[0]) => imapWorld(t, (step) => cleanup.push(step));

it('reads imap:// and imaps:// URLs (mailbox, default ports, escaped password)', () => {
  expect(parseImapUrl('imaps://me%40corp.example:p%2Fw@mail.corp.example/Replies')).toEqual({
    host: 'mail.corp.example',
    port: 993,
    secure: true,
    user: 'me@corp.example',
    password: 'p/w',
    mailbox: 'Replies',
    key: 'me@corp.example@mail.corp.example:993/Replies',
  });
  expect(parseImapUrl('imap://u:p@h').port).toBe(143);
  expect(parseImapUrl('imap://u:p@h').mailbox).toBe('INBOX');
  expect(() => parseImapUrl('https://u:p@h')).toThrow(/imap/);
  expect(() => parseImapUrl('imap://u@h:143/INBOX')).toThrow(/no password/);
  expect(() => parseImapUrl('imap://u:p@h:0/INBOX')).toThrow(/port 0/);
  expect(() => parseImapUrl('imaps://u:p@h:99999/INBOX')).toThrow(/between 1 and 65535/);
});

it('backs off after failed polls: base × 2^(n−1), capped', () => {
  const o = { ...IMAP_POLLER_DEFAULTS, intervalMs: 60_000, retryBaseMs: 5_000, retryMaxMs: 60_000 };
  expect([0, 1, 2, 3, 4, 5, 9].map((n) => nextPollDelay(o, n))).toEqual([
    60_000, 5_000, 10_000, 20_000, 40_000, 60_000, 60_000,
  ]);
});

forEachDialect('IMAP poller', (t) => {
  it('a reply in the mailbox ends the enrollment; a DSN suppresses the address; both marked \\Seen', async () => {
    const { engine, imap, leads, poller, status } = await world(t);
    // Old mail already read before the poller ever ran is not replayed.
    imap.deliver(reply('<unrelated@elsewhere.example>', 'old'), { flags: ['\\Seen'] });
    imap.deliver(reply(leads.ada.messageId, 'r1'));
    imap.deliver(bounce(leads.bob.messageId));
    const p = poller();
    const first = await p.pollOnce();
    expect(first).toMatchObject({ handled: 2, skipped: 0, resynced: true });
    expect(first.results.map((r) => [r.kind, r.matched, r.signals])).toEqual([
      ['reply', 'message', 1],
      ['bounce', 'message', 1],
    ]);
    expect(await status('ada')).toBe('disconnected:exit_on_reply');
    expect(await status('bob')).toBe('disconnected:bounced');
    expect(await isSuppressed(engine, 'bob@customer.example')).toBe(true);
    expect(imap.messages().map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen'], ['\\Seen']]);
    expect(imap.commands.some((c) => / UID STORE 2 \+FLAGS/i.test(c))).toBe(true);
    expect(await p.pollOnce()).toMatchObject({ handled: 0, resynced: false });
  });

  it('a restart neither re-processes nor skips: the cursor (UIDVALIDITY, last UID) is kept in the store', async () => {
    const { imap, leads, poller } = await world(t);
    imap.deliver(reply(leads.ada.messageId, 'r1'));
    const before = poller();
    expect((await before.pollOnce()).handled).toBe(1);
    await before.stop();
    // While stopped: one more message arrives, and someone reads it in their mail client.
    const late = imap.deliver(reply(leads.ada.messageId, 'r2'), { flags: ['\\Seen'] });
    const after = poller();
    const result = await after.pollOnce();
    expect(result).toMatchObject({ handled: 1, resynced: false });
    expect(imap.commands.filter((c) => /UID SEARCH UID 2:\*/i.test(c))).toHaveLength(1);
    expect(imap.commands.filter((c) => /UID FETCH 1 /i.test(c))).toHaveLength(1);
    expect(imap.commands.some((c) => new RegExp(`UID FETCH ${late} `, 'i').test(c))).toBe(true);
    expect((await after.pollOnce()).handled).toBe(0);
  });

  it('a new UIDVALIDITY (renumbered mailbox) resets the cursor and takes UNSEEN messages only', async () => {
    const { imap, leads, poller, status } = await world(t);
    imap.deliver(reply('<nothing@elsewhere.example>', 'x1'));
    const p = poller();
    expect((await p.pollOnce()).handled).toBe(1);
    imap.deliver(reply(leads.ada.messageId, 'r1'));
    imap.renumber();
    const result = await p.pollOnce();
    expect(result).toMatchObject({ handled: 1, resynced: true });
    expect(await status('ada')).toBe('disconnected:exit_on_reply');
  });

  it('a dropped connection and a refused log-in are retried by the running poller, with backoff', async () => {
    const { imap, leads, poller, status } = await world(t);
    const p = poller({ intervalMs: 20, retryBaseMs: 20, retryMaxMs: 40 });
    expect((await p.pollOnce()).handled).toBe(0);
    imap.dropConnections();
    imap.refuseLogins(true);
    imap.deliver(reply(leads.ada.messageId, 'r1'));
    p.start();
    await expect.poll(() => p.failures, { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(await status('ada')).toBe('active:');
    imap.refuseLogins(false);
    await expect
      .poll(() => status('ada'), { timeout: 5_000, interval: 20 })
      .toBe('disconnected:exit_on_reply');
    // The poll that handled it returns, and the run of failures is over.
    await expect.poll(() => p.failures, { timeout: 5_000, interval: 20 }).toBe(0);
    expect(imap.connections()).toBeGreaterThanOrEqual(3);
    await p.stop();
  });
});
