// `npm run bench:mail` (tsx bench/mail/run.ts): messages/s through the outbox to a local smtp-server
// (daily cap and spacing off), and classification throughput of the inbound corpus. Prints a table
// and one JSON line. Options: --messages N (default 2000), --rounds N (corpus passes, default 50),
// --concurrency N (messages in flight, default the sender's), --batch-size N (rows per claim and per
// engine commit, default the sender's), DATABASE_URL=postgres://… to run the outbox half on
// PostgreSQL (default: a temporary SQLite file).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SystemClock } from '../../src/engine/clock.js';
import { connectRecords } from '../../src/engine/connect.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../src/engine/deps.js';
import { RandomIds } from '../../src/engine/ids.js';
import { type MailSenderDeps, SENDER_DEFAULTS, sendDueEmails } from '../../src/engine/outbox-sender.js';
import { runDue } from '../../src/engine/scheduler.js';
import { isSuppressed } from '../../src/engine/suppression.js';
import { activeSequence, definition } from '../../src/engine/test-support/engine-world.js';
import { classifyCorpus, loadInboundCorpus } from '../../src/mail/inbound/corpus.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { accountFromSmtpUrl } from '../../src/mail/smtp-url.js';
import { startSmtpSink } from '../../src/mail/test-support/smtp-sink.js';
import { openStore } from '../../src/storage/open-store.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: String(SENDER_DEFAULTS.concurrency) },
    'batch-size': { type: 'string', default: String(SENDER_DEFAULTS.batchSize) },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npm run bench:mail -- [--messages 2000] [--rounds 50] [--concurrency N] [--batch-size N]\n' +
      '  outbox → local smtp-server (cap and spacing off), then inbound classification of the corpus.\n' +
      '  DATABASE_URL=postgres://… runs the outbox half on PostgreSQL (default: a temporary SQLite file).',
  );
  process.exit(0);
}
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const BATCH_SIZE = Number(values['batch-size']);

async function outboxThroughput() {
  const url =
    process.env.DATABASE_URL ?? join(mkdtempSync(join(tmpdir(), 'stepwise-bench-mail-')), 'bench.db');
  const store = await openStore(url);
  const clock = new SystemClock();
  const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
  const owner = await store.users.create({
    id: deps.ids.newId('usr'),
    email: 'owner@stepwise.example',
    name: 'Owner',
    role: 'admin',
    createdAt: clock.now(),
  });
  await store.emailTemplates.create({
    id: 'tpl_bench',
    name: 'Bench',
    subject: 'Hello {{ record.name }}',
    body: 'Hi {{ record.name }},\n\nhttps://example.org/a and https://example.org/b\n\n{{ sender.name }}',
    createdAt: clock.now(),
  });
  const sequenceId = await activeSequence(
    store,
    owner.id,
    definition(
      [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_bench', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
      { workingHours: 'none' },
    ),
  );
  const rows = Array.from({ length: MESSAGES }, (_, i) => ({
    id: deps.ids.newId('rec'),
    type: 'lead' as const,
    name: `Lead ${i}`,
    email: `lead.${i}@customer.example`,
    ownerId: owner.id,
  }));
  await store.records.upsertMany(rows, clock.now());
  for (let i = 0; i < rows.length; i += 1000) {
    await connectRecords(deps, {
      sequenceId,
      recordIds: rows.slice(i, i + 1000).map((r) => r.id),
      actor: { id: owner.id, role: 'admin' },
    });
  }
  await runDue(deps, { batchSize: 500, leaseOwner: 'bench' });
  const sink = await startSmtpSink();
  const mailer = new SmtpMailer({
    publicUrl: 'https://sw.example',
    secret: 'bench-secret-of-at-least-32-characters',
    maxConnections: CONCURRENCY,
  });
  const senderDeps: MailSenderDeps = {
    ...deps,
    mailer,
    fallbackAccount: accountFromSmtpUrl(`smtp://127.0.0.1:${sink.port}?dailyCap=off&minSpacingMs=0`),
    defaultFrom: null,
    isSuppressed: (email) => isSuppressed(deps, email),
  };
  const started = performance.now();
  const result = await sendDueEmails(senderDeps, { batchSize: BATCH_SIZE, concurrency: CONCURRENCY });
  const seconds = (performance.now() - started) / 1000;
  await mailer.close();
  await sink.close();
  await store.close();
  if (result.sent !== MESSAGES || sink.accepted.length !== MESSAGES)
    throw new Error(`sent ${result.sent}, received ${sink.accepted.length}, expected ${MESSAGES}`);
  return {
    dialect: store.dialect,
    messages: MESSAGES,
    concurrency: CONCURRENCY,
    batchSize: BATCH_SIZE,
    seconds,
    perSecond: MESSAGES / seconds,
  };
}

async function classificationThroughput() {
  const corpus = loadInboundCorpus();
  await classifyCorpus(corpus); // warm-up
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) await classifyCorpus(corpus);
  const seconds = (performance.now() - started) / 1000;
  const messages = corpus.length * ROUNDS;
  return { corpus: corpus.length, rounds: ROUNDS, messages, seconds, perSecond: messages / seconds };
}

const outbox = await outboxThroughput();
const classify = await classificationThroughput();
console.log('| measure | count | seconds | per second |');
console.log('|---|---:|---:|---:|');
console.log(
  `| outbox → SMTP (${outbox.dialect}, cap off, ${outbox.concurrency} in flight, batch ${outbox.batchSize}) | ${outbox.messages} | ${outbox.seconds.toFixed(2)} | ${outbox.perSecond.toFixed(0)} |`,
);
console.log(
  `| inbound classification (${classify.corpus} messages × ${classify.rounds}) | ${classify.messages} | ${classify.seconds.toFixed(2)} | ${classify.perSecond.toFixed(0)} |`,
);
console.log(JSON.stringify({ bench: 'mail', outbox, classify }));
