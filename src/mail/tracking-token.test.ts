import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signClickToken, signOpenToken, verifyToken } from './tracking-token.js';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);

describe('tracking tokens', () => {
  it('round-trips an open token', () => {
    const token = signOpenToken(KEY, { messageId: 'obx_01' });
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(verifyToken(KEY, token)).toEqual({ kind: 'open', messageId: 'obx_01' });
  });

  it('round-trips a click token with its link and index', () => {
    const url = 'https://example.com/pricing?plan=pro&ref=ü#top';
    const token = signClickToken(KEY, { messageId: 'obx_01', url, linkIndex: 3 });
    expect(verifyToken(KEY, token)).toEqual({ kind: 'click', messageId: 'obx_01', linkIndex: 3, url });
  });

  it('refuses a token signed with another key', () => {
    expect(verifyToken(KEY, signOpenToken(OTHER_KEY, { messageId: 'obx_01' }))).toBeNull();
  });

  it('refuses a short key as a configuration bug', () => {
    expect(() => signOpenToken('short', { messageId: 'm' })).toThrow(/at least 16 bytes/);
  });

  it('refuses any single altered character', () => {
    const token = signClickToken(KEY, { messageId: 'obx_01', url: 'https://example.com/' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let index = 0; index < token.length; index += 1) {
      for (const char of alphabet) {
        if (char === token[index]) continue;
        const altered = token.slice(0, index) + char + token.slice(index + 1);
        expect(verifyToken(KEY, altered), `${index}:${char}`).toBeNull();
      }
    }
  });

  it('refuses a payload swapped from another valid token', () => {
    const open = signOpenToken(KEY, { messageId: 'obx_01' });
    const click = signClickToken(KEY, { messageId: 'obx_02', url: 'https://example.com/' });
    const [openBody] = open.split('.');
    const [, clickMac] = click.split('.');
    expect(verifyToken(KEY, `${openBody}.${clickMac}`)).toBeNull();
  });

  it('refuses validly signed payloads of the wrong shape', async () => {
    const { createHmac } = await import('node:crypto');
    const forge = (json: string) => {
      const body = Buffer.from(json).toString('base64url');
      const mac = createHmac('sha256', KEY).update('stepwise.tracking.v1.').update(body).digest('base64url');
      return `${body}.${mac}`;
    };
    expect(verifyToken(KEY, forge('{"k":"o","m":"x"}'))).toEqual({ kind: 'open', messageId: 'x' });
    for (const json of [
      '{"k":"x","m":"x"}',
      '{"k":"c","m":"x"}',
      '[1]',
      'null',
      'not json',
      '{"k":"o","m":""}',
    ]) {
      expect(verifyToken(KEY, forge(json)), json).toBeNull();
    }
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (garbage) => {
        expect(verifyToken(KEY, garbage)).toBeNull();
      }),
      { seed: 42, numRuns: 2000 },
    );
    expect(verifyToken(KEY, 'a'.repeat(100_000))).toBeNull();
    expect(verifyToken(KEY, '.')).toBeNull();
    expect(verifyToken(KEY, undefined as unknown as string)).toBeNull();
  });

  it('round-trips any message id and url', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.webUrl(), fc.nat(), (messageId, url, linkIndex) => {
        expect(verifyToken(KEY, signClickToken(KEY, { messageId, url, linkIndex }))).toEqual({
          kind: 'click',
          messageId,
          linkIndex,
          url,
        });
      }),
    );
  });
});
