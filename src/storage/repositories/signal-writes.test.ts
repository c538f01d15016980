// GroupWriter: concurrent calls share one write, each caller gets its own results, and a failing joined
// write is retried per caller so one bad request fails alone.
import { describe, expect, it } from 'vitest';
import { GroupWriter } from './signal-writes.js';

describe('GroupWriter', () => {
  it('joins calls that arrive together into one write and hands each caller its own results', async () => {
    const writes: number[][] = [];
    const writer = new GroupWriter(async (items: readonly number[]) => {
      writes.push([...items]);
      return items.map((n) => n * 10);
    }, 100);
    const results = await Promise.all([writer.write([1, 2]), writer.write([3]), writer.write([4, 5, 6])]);
    expect(results).toEqual([[10, 20], [30], [40, 50, 60]]);
    expect(writes).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('keeps a group at maxItems (a single larger call still goes alone)', async () => {
    const writes: number[][] = [];
    const writer = new GroupWriter(async (items: readonly number[]) => {
      writes.push([...items]);
      return [...items];
    }, 3);
    await Promise.all([
      writer.write([1, 2]),
      writer.write([3]),
      writer.write([4, 5, 6, 7]),
      writer.write([8]),
    ]);
    expect(writes).toEqual([[1, 2, 3], [4, 5, 6, 7], [8]]);
  });

  it('retries each caller alone when the joined write fails: only the bad one fails', async () => {
    const writes: number[][] = [];
    const writer = new GroupWriter(async (items: readonly number[]) => {
      writes.push([...items]);
      if (items.includes(13)) throw new Error('unlucky');
      return [...items];
    }, 100);
    const settled = await Promise.allSettled([writer.write([1]), writer.write([13]), writer.write([2])]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writes).toEqual([[1, 13, 2], [1], [13], [2]]);
  });

  it('writes calls made while a write runs in the next group', async () => {
    const writes: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writer = new GroupWriter(async (items: readonly number[]) => {
      writes.push([...items]);
      if (writes.length === 1) await gate;
      return [...items];
    }, 100);
    const first = writer.write([1]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [writer.write([2]), writer.write([3])];
    release();
    expect(await Promise.all([first, ...later])).toEqual([[1], [2], [3]]);
    expect(writes).toEqual([[1], [2, 3]]);
  });
});
