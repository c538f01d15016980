// Every mailbox row's IMAP URL polled, on both dialects, against the IMAP4rev1 test server: replies in two
// mailboxes' folders (different users, different folders, the same UIDVALIDITY) are both handled, each
// mailbox keeping its own cursor; a mailbox removed, re-pointed or added while polling runs is picked up at
// the next reading of the rows; STEPWISE_IMAP_URL is polled beside them with the cursor it always had.
import { afterEach, expect, it } from 'vitest';
import { aUser, T0 } from '../../engine/test-support/engine-world.js';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { encryptMailboxPassword } from '../mailbox-password.js';
import { imapWorld, reply, SECRET } from '../test-support/imap-world.js';
import { MailboxImapPolling } from './mailbox-imap-polling.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function world(t: Parameters<typeof imapWorld>[0]) {
  const w = await imapWorld(t, (step) => cleanup.push(step));
  const { engine, imap } = w;
  const base = `127.0.0.1:${imap.port}`;
  const urls = {
    inbox: `imap://poller:${encodeURIComponent('p@ss word')}@${base}/INBOX`,
    replies: `imap://replies:r3plies@${base}/Replies`,
    other: `imap://replies:r3plies@${base}/Other`,
  };
  let n = 0;
  /** A mailbox row (a user's own, so there may be several) with `imapUrl` encrypted under `secret`. */
  const addMailbox = async (imapUrl: string | null, secret = SECRET) => {
    const owner = await aUser(engine.store, 'salesperson');
    const mailbox = await engine.store.mailboxes.create({
      id: `mbx_${++n}`,
      userId: owner.id,
      host: 'smtp.example.com',
      port: 587,
      name: `Mailbox ${n}`,
      imapUrlEncrypted: imapUrl === null ? null : encryptMailboxPassword(secret, imapUrl),
      createdAt: T0,
    });
    return mailbox.id;
  };
  const polling = (envUrl: string | null = null) => {
    const p = new MailboxImapPolling(engine, {
      secret: SECRET,
      envUrl,
      intervalMs: 20,
      poller: { timeoutMs: 2_000 },
    });
    cleanup.push(() => p.stop());
    return p;
  };
  const cursor = (key: string) => engine.store.settings.get(`imap.cursor:${key}`);
  /** UID SEARCHes (one per poll of any mailbox) since command `from`. */
  const pollsSince = (from: number) =>
    imap.commands.slice(from).filter((c) => / UID SEARCH /i.test(c)).length;
  /** Polls of the remaining mailboxes go on until at least `n` more happened (a removed one had its turns). */
  const morePolls = async (n: number) => {
    const from = imap.commands.length;
    await expect.poll(() => pollsSince(from), { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(n);
  };
  return { ...w, base, urls, addMailbox, polling, cursor, morePolls };
}

forEachDialect('IMAP polling of every mailbox', (t) => {
  it('handles replies in two mailboxes’ folders, each with its own cursor; a removed one stops being polled', async () => {
    const { engine, imap, leads, status, base, urls, addMailbox, polling, cursor, morePolls } =
      await world(t);
    const inbox = await addMailbox(urls.inbox);
    const replies = await addMailbox(urls.replies);
    await addMailbox(null);
    // Encrypted under another secret (STEPWISE_SECRET changed since): not polled, the others still are.
    await addMailbox(urls.other, 'a-secret-this-installation-no-longer-has');
    imap.deliver(reply(leads.ada.messageId, 'r1'));
    imap.deliver(reply(leads.bob.messageId, 'r2'), { mailbox: 'Replies' });

    const p = polling();
    p.start();
    await expect.poll(() => p.polled, { timeout: 5_000, interval: 20 }).toEqual([inbox, replies]);
    await expect
      .poll(() => status('ada'), { timeout: 5_000, interval: 20 })
      .toBe('disconnected:exit_on_reply');
    await expect
      .poll(() => status('bob'), { timeout: 5_000, interval: 20 })
      .toBe('disconnected:exit_on_reply');
    // Both folders hold UID 1 under the same UIDVALIDITY: one shared cursor would have skipped a reply.
    await expect
      .poll(() => cursor(`${inbox}/poller@${base}/INBOX`), { timeout: 5_000, interval: 20 })
      .toEqual({ uidValidity: '1700000000', lastUid: 1 });
    await expect
      .poll(() => cursor(`${replies}/replies@${base}/Replies`), { timeout: 5_000, interval: 20 })
      .toEqual({ uidValidity: '1700000000', lastUid: 1 });

    await engine.store.mailboxes.delete(replies);
    await expect.poll(() => p.polled, { timeout: 5_000, interval: 20 }).toEqual([inbox]);
    imap.deliver(reply(leads.bob.messageId, 'r3'), { mailbox: 'Replies' });
    imap.deliver(reply(leads.ada.messageId, 'r4'));
    // The remaining mailbox goes on polling (its new message is read) …
    await expect
      .poll(() => imap.messages().map((m) => m.flags), { timeout: 5_000, interval: 20 })
      .toEqual([['\\Seen'], ['\\Seen']]);
    await morePolls(5);
    // … and the removed one's folder is not read again: its new message stays unread.
    expect(imap.messages('Replies').map((m) => m.flags)).toEqual([['\\Seen'], []]);
  });

  it('a mailbox added or re-pointed while polling runs is picked up without a restart', async () => {
    const { engine, imap, leads, status, urls, addMailbox, polling, morePolls } = await world(t);
    const p = polling();
    p.start();
    await expect.poll(() => p.polled, { timeout: 5_000, interval: 20 }).toEqual([]);
    const id = await addMailbox(urls.replies);
    imap.deliver(reply(leads.ada.messageId, 'r1'), { mailbox: 'Replies' });
    await expect
      .poll(() => status('ada'), { timeout: 5_000, interval: 20 })
      .toBe('disconnected:exit_on_reply');

    imap.deliver(reply(leads.bob.messageId, 'r2'), { mailbox: 'Other' });
    await engine.store.mailboxes.update(
      id,
      { imapUrlEncrypted: encryptMailboxPassword(SECRET, urls.other) },
      T0 + 1,
    );
    await expect
      .poll(() => status('bob'), { timeout: 5_000, interval: 20 })
      .toBe('disconnected:exit_on_reply');
    // The old folder is no longer read.
    imap.deliver(reply(leads.bob.messageId, 'r3'), { mailbox: 'Replies' });
    await morePolls(5);
    expect(imap.messages('Replies').map((m) => m.flags)).toEqual([['\\Seen'], []]);
  });

  it('polls STEPWISE_IMAP_URL beside the rows, with the cursor it always had', async () => {
    const { engine, status, base, urls, addMailbox, polling } = await world(t);
    const id = await addMailbox(urls.replies);
    const w = polling(urls.inbox);
    w.start();
    await expect.poll(() => w.polled, { timeout: 5_000, interval: 20 }).toEqual(['env', id].sort());
    await expect
      .poll(() => engine.store.settings.get(`imap.cursor:poller@${base}/INBOX`), {
        timeout: 5_000,
        interval: 20,
      })
      .toMatchObject({ uidValidity: '1700000000' });
    expect(await status('ada')).toBe('active:');
    await w.stop();
    expect(w.polled).toEqual([]);
  });
});
