import { InvalidArgumentError, Rng } from '@topk/core';

/**
 * How {@link shardItems} deals items to shards:
 * - `index`: contiguous blocks of the listing, so concatenating the shards gives the listing back
 *   (prediction, embedding, caching: merged outputs come out in input order);
 * - `random`: a seeded random partition (ensemble members on random subsets);
 * - `class`: stratified, every class spread over all shards in proportion (ensemble members that each
 *   see every class; single-label items only).
 */
export type ShardBy = 'index' | 'random' | 'class';

/** The ways {@link shardItems} can deal items. */
export const SHARD_BY: readonly ShardBy[] = Object.freeze(['index', 'random', 'class']);

/** Options of {@link shardItems}. */
export interface ShardItemsOptions {
  /** Number of shards, from 1 to the number of items. */
  readonly shards: number;
  /** @defaultValue 'index' */
  readonly by?: ShardBy;
  /**
   * Randomness: required for `random`; for `class` it shuffles each class before dealing (without it,
   * each class is dealt in listed order).
   */
  readonly rng?: Rng;
}

/** What {@link shardItems} needs of an item: a unique id, and a class index to shard by class. */
export interface ShardableItem {
  readonly id: string;
  readonly label?: number;
}

/**
 * Splits a dataset listing into shards, deterministically: the same listing and options (and seed) give
 * the same shards on every machine, which is what lets a restarted coordinator find its run again. Every
 * item lands in exactly one shard; shard sizes differ by at most one; inside a shard items keep their
 * listed order. With `by: 'class'` each class's items are dealt round-robin, so each shard holds the floor
 * or the ceiling of `count / shards` items of every class (the Cdiscount write-up's "subsets that each
 * contain all the classes").
 *
 * @param items - the listing; ids must be unique.
 * @returns one array of items per shard.
 */
export function shardItems<T extends ShardableItem>(items: readonly T[], options: ShardItemsOptions): T[][] {
  const fn = 'shardItems';
  if (!Array.isArray(items) || items.length === 0) {
    throw new InvalidArgumentError(fn, 'items', 'a non-empty array of items with ids', items);
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', 'an object { shards, by?, rng? }', options);
  }
  const { shards, by = 'index', rng } = options;
  const n = items.length;
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > n) {
    throw new InvalidArgumentError(
      fn,
      'options.shards',
      `an integer in [1, ${n}] (the number of items)`,
      shards,
    );
  }
  if (!SHARD_BY.includes(by)) throw new InvalidArgumentError(fn, 'options.by', SHARD_BY.join(', '), by);
  if (rng !== undefined && !(rng instanceof Rng))
    throw new InvalidArgumentError(fn, 'options.rng', 'an Rng', rng);
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const id = (item as Partial<ShardableItem> | null)?.id;
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError(fn, `items[${i}].id`, 'a non-empty string', id);
    }
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new InvalidArgumentError(fn, `items[${i}].id`, `unique (it repeats items[${previous}])`, id);
    }
    seen.set(id, i);
  });

  let order: number[];
  if (by === 'index') {
    return Array.from({ length: shards }, (_, s) =>
      items.slice(Math.floor((s * n) / shards), Math.floor(((s + 1) * n) / shards)),
    );
  }
  if (by === 'random') {
    if (rng === undefined) throw new InvalidArgumentError(fn, 'options.rng', "an Rng for by: 'random'", rng);
    order = rng.permutation(n);
  } else {
    const byClass = new Map<number, number[]>();
    items.forEach((item, i) => {
      const { label } = item;
      if (!Number.isSafeInteger(label) || (label as number) < 0) {
        throw new InvalidArgumentError(
          fn,
          `items[${i}].label`,
          "a class index (shard by 'class' needs single-label items)",
          label,
        );
      }
      const members = byClass.get(label as number);
      if (members) members.push(i);
      else byClass.set(label as number, [i]);
    });
    order = [];
    for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = byClass.get(label)!;
      if (rng !== undefined) rng.split(`class-${label}`).shuffle(members);
      order.push(...members);
    }
  }
  // Dealing the whole order round-robin keeps every shard within one item of the others and, for
  // classes laid out one after the other, every class within one item per shard.
  const dealt: number[][] = Array.from({ length: shards }, () => []);
  order.forEach((index, k) => {
    dealt[k % shards]!.push(index);
  });
  return dealt.map((indices) => indices.sort((a, b) => a - b).map((i) => items[i]!));
}
