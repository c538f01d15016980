// The fixture corpus of inbound messages with their expected classes: the accuracy test reads it,
// and the classification benchmark (`npm run bench:mail`) replays it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyInbound, type InboundClassification, type InboundKind } from './classify.js';

export interface ExpectedClassification {
  kind: InboundKind;
  hard?: boolean;
  status?: string;
  recipient?: string;
  originalMessageId?: string;
  replyText?: string;
}

export interface CorpusMessage {
  file: string;
  raw: Buffer;
  expected: ExpectedClassification;
}

export const INBOUND_CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'inbound');

/** Every `*.eml` of the corpus with its entry in `expected.json`; a message without one is an error. */
export function loadInboundCorpus(dir: string = INBOUND_CORPUS_DIR): CorpusMessage[] {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
    string,
    ExpectedClassification
  >;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.eml'))
    .sort()
    .map((file) => {
      const entry = expected[file];
      if (entry === undefined) throw new Error(`${file} has no entry in expected.json`);
      return { file, raw: readFileSync(join(dir, file)), expected: entry };
    });
}

/** What of `expected` the classification gets wrong, as readable lines; empty when it matches. */
export function mismatches(expected: ExpectedClassification, actual: InboundClassification): string[] {
  const found: string[] = [];
  if (actual.kind !== expected.kind)
    found.push(`kind ${actual.kind} (${actual.reason}), expected ${expected.kind}`);
  if (actual.kind === 'bounce') {
    const { bounce } = actual;
    if (expected.hard !== undefined && bounce.hard !== expected.hard)
      found.push(`hard ${bounce.hard}, expected ${expected.hard}`);
    for (const key of ['status', 'recipient', 'originalMessageId'] as const) {
      if (expected[key] !== undefined && bounce[key] !== expected[key]) {
        found.push(`${key} ${String(bounce[key])}, expected ${expected[key]}`);
      }
    }
  }
  if (
    actual.kind === 'reply' &&
    expected.replyText !== undefined &&
    actual.replyText !== expected.replyText
  ) {
    found.push(
      `replyText ${JSON.stringify(actual.replyText)}, expected ${JSON.stringify(expected.replyText)}`,
    );
  }
  return found;
}

/** Classifies the whole corpus once, in order; the benchmark times this. */
export async function classifyCorpus(corpus: readonly CorpusMessage[]): Promise<InboundClassification[]> {
  const results: InboundClassification[] = [];
  for (const message of corpus) results.push(await classifyInbound(message.raw));
  return results;
}
