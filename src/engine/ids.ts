// The production Ids: time-ordered random ids (ULID-like, Crockford base32) and random secrets.
import { randomBytes } from 'node:crypto';
import type { Clock } from './ports/clock.js';
import type { Ids } from './ports/ids.js';

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

export class RandomIds implements Ids {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  newId(prefix: string): string {
    // 48 bits of milliseconds (10 chars) + 50 random bits (10 chars).
    let time = this.#clock.now();
    let head = '';
    for (let i = 0; i < 10; i++) {
      head = BASE32[time % 32] + head;
      time = Math.floor(time / 32);
    }
    const random = randomBytes(7);
    let tail = '';
    let bits = 0;
    let acc = 0;
    for (const byte of random) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5 && tail.length < 10) {
        bits -= 5;
        tail += BASE32[(acc >> bits) & 31];
      }
      acc &= (1 << bits) - 1;
    }
    return `${prefix}_${head}${tail}`;
  }

  secret(bytes: number): string {
    return randomBytes(bytes).toString('base64url');
  }
}
