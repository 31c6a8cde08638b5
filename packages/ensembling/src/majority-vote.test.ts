import { createPredictionTable, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { majorityVote } from './majority-vote.js';

const classes = ['a', 'b', 'c'];
const voter = (winners: number[]) =>
  createPredictionTable(
    winners.map((_, i) => `r${i}`),
    classes,
    winners.flatMap((w) => classes.map((_, j) => (j === w ? 0.8 : 0.1))),
  );

describe('majorityVote', () => {
  it('counts votes, reports ties and picks the majority', () => {
    const result = majorityVote([voter([0, 1, 2]), voter([0, 2, 1]), voter([1, 2, 0])], { rng: new Rng(0) });
    expect(result.winners[0]).toBe(0);
    expect(result.winners[1]).toBe(2);
    expect(result.tiedRows).toBe(1); // row 2: one vote each
    expect([...result.votes.subarray(0, 3)].map((v) => v * 3)).toEqual(
      [2, 1, 0].map((v) => expect.closeTo(v, 12)),
    );
    expect(result.ids).toEqual(['r0', 'r1', 'r2']);
  });

  it('weights votes', () => {
    // One model with weight 3 outvotes two with weight 1.
    const result = majorityVote([voter([0]), voter([1]), voter([1])], {
      rng: new Rng(0),
      weights: [3, 1, 1],
    });
    expect(result.winners[0]).toBe(0);
    expect(result.votes[0]).toBeCloseTo(0.6, 12);
    expect(result.tiedRows).toBe(0);
  });

  it('breaks a weighted tie at random', () => {
    const tables = [voter([0]), voter([1]), voter([1])];
    const winners = new Set<number>();
    for (let seed = 0; seed < 40; seed++)
      winners.add(majorityVote(tables, { rng: new Rng(seed), weights: [2, 1, 1] }).winners[0]!);
    expect([...winners].sort()).toEqual([0, 1]);
  });

  it('breaks three-way ties uniformly under a fixed seed (chi-square test)', () => {
    // 3 000 rows where the three models each vote for a different class: every row is a three-way tie.
    const n = 3000;
    const rows = Array.from({ length: n }, () => 0);
    const tables = [0, 1, 2].map((k) => voter(rows.map(() => k)));
    const result = majorityVote(tables, { rng: new Rng(7) });
    expect(result.tiedRows).toBe(n);
    const counts = [0, 0, 0];
    for (const w of result.winners) counts[w]! += 1;
    // Pearson's statistic against 1 000 each; with 2 degrees of freedom P(χ² > 13.82) = 0.001.
    const chi2 = counts.reduce((s, c) => s + (c - n / 3) ** 2 / (n / 3), 0);
    expect(chi2).toBeLessThan(13.82);
    // Same seed, same winners.
    expect([...majorityVote(tables, { rng: new Rng(7) }).winners]).toEqual([...result.winners]);
  });

  it('needs an Rng', () => {
    expect(() => majorityVote([voter([0])], {} as never)).toThrow(
      'Error in majorityVote: options.rng must be an Rng',
    );
  });
});
