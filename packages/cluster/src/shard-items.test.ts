import { Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { SHARD_BY, shardItems } from './shard-items.js';

const listing = (n: number, classes = 3) =>
  Array.from({ length: n }, (_, i) => ({ id: `x${i}`, label: i % classes }));
const ids = (shards: { id: string }[][]) => shards.map((shard) => shard.map((item) => item.id));

describe('shardItems', () => {
  it("by 'index' cuts contiguous blocks of floor/ceil n/N items that concatenate back to the listing", () => {
    const items = listing(10);
    const shards = shardItems(items, { shards: 3 });
    // Block s is [floor(s n / N), floor((s + 1) n / N)): [0, 3), [3, 6), [6, 10).
    expect(ids(shards)).toEqual([
      ['x0', 'x1', 'x2'],
      ['x3', 'x4', 'x5'],
      ['x6', 'x7', 'x8', 'x9'],
    ]);
    expect(shards.flat()).toEqual(items);
    expect(ids(shardItems(items, { shards: 1 }))).toEqual([items.map((item) => item.id)]);
    expect(shardItems(items, { shards: 10 }).every((shard) => shard.length === 1)).toBe(true);
  });

  it("by 'random' is a partition fixed by the seed, sizes within one, listed order inside shards", () => {
    const items = listing(101);
    const a = shardItems(items, { shards: 4, by: 'random', rng: new Rng(7) });
    const b = shardItems(items, { shards: 4, by: 'random', rng: new Rng(7) });
    const c = shardItems(items, { shards: 4, by: 'random', rng: new Rng(8) });
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).not.toEqual(ids(c));
    expect(
      a
        .flat()
        .map((item) => item.id)
        .sort(),
    ).toEqual(items.map((item) => item.id).sort());
    const sizes = a.map((shard) => shard.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const shard of a) {
      const positions = shard.map((item) => Number(item.id.slice(1)));
      expect(positions).toEqual([...positions].sort((p, q) => p - q));
    }
  });

  it("by 'class' gives every shard the floor or ceiling of each class's count / N", () => {
    // 3 classes of 40, 33 and 7 items (80 in all) over 4 shards: quotas 10, 8.25 and 1.75.
    const items = [
      ...Array.from({ length: 40 }, (_, i) => ({ id: `a${i}`, label: 0 })),
      ...Array.from({ length: 33 }, (_, i) => ({ id: `b${i}`, label: 1 })),
      ...Array.from({ length: 7 }, (_, i) => ({ id: `c${i}`, label: 2 })),
    ];
    for (const rng of [undefined, new Rng(3)]) {
      const shards = shardItems(items, { shards: 4, by: 'class', ...(rng ? { rng } : {}) });
      expect(shards.map((shard) => shard.length)).toEqual([20, 20, 20, 20]);
      for (const [label, count] of [
        [0, 40],
        [1, 33],
        [2, 7],
      ] as const) {
        for (const shard of shards) {
          const inShard = shard.filter((item) => item.label === label).length;
          expect(inShard === Math.floor(count / 4) || inShard === Math.ceil(count / 4)).toBe(true);
        }
      }
      expect(new Set(shards.flat().map((item) => item.id)).size).toBe(80);
    }
    // Without an rng each class is dealt in listed order: a0 → shard 0, a1 → shard 1, ...
    const plain = shardItems(items, { shards: 4, by: 'class' });
    expect(plain[0]!.slice(0, 3).map((item) => item.id)).toEqual(['a0', 'a4', 'a8']);
  });

  it('rejects bad listings and options', () => {
    expect(SHARD_BY).toEqual(['index', 'random', 'class']);
    expect(() => shardItems([], { shards: 1 })).toThrow(
      'Error in shardItems: items must be a non-empty array of items with ids, got array of length 0',
    );
    expect(() => shardItems(listing(3), { shards: 4 })).toThrow(
      'options.shards must be an integer in [1, 3] (the number of items), got 4',
    );
    expect(() => shardItems(listing(3), { shards: 0 })).toThrow('options.shards must be');
    expect(() => shardItems(listing(3), { shards: 1, by: 'hash' as never })).toThrow(
      'options.by must be index, random, class, got "hash"',
    );
    expect(() => shardItems(listing(3), { shards: 2, by: 'random' })).toThrow(
      "options.rng must be an Rng for by: 'random', got undefined",
    );
    expect(() => shardItems([{ id: 'a' }, { id: 'a' }], { shards: 1 })).toThrow(
      'items[1].id must be unique (it repeats items[0]), got "a"',
    );
    expect(() => shardItems([{ id: '' }], { shards: 1 })).toThrow('items[0].id must be a non-empty string');
    expect(() => shardItems([{ id: 'a' }, { id: 'b', label: 1 }], { shards: 1, by: 'class' })).toThrow(
      "items[0].label must be a class index (shard by 'class' needs single-label items), got undefined",
    );
    expect(() => shardItems(listing(3), { shards: 1, rng: {} as never })).toThrow(
      'options.rng must be an Rng',
    );
  });
});
