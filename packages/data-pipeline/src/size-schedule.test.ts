import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { sizeForEpoch } from './size-schedule.js';

describe('sizeForEpoch', () => {
  const schedule = [
    { epoch: 0, size: 64 },
    { epoch: 5, size: [96, 128] as [number, number] },
    { epoch: 10, size: 224 },
  ];

  it('takes the last step at or before the epoch', () => {
    expect([0, 4, 5, 9, 10, 100].map((e) => sizeForEpoch(schedule, e))).toEqual([
      [64, 64],
      [64, 64],
      [96, 128],
      [96, 128],
      [224, 224],
      [224, 224],
    ]);
  });

  it('needs steps from epoch 0 in increasing order', () => {
    expect(() => sizeForEpoch([{ epoch: 1, size: 64 }], 0)).toThrow(InvalidArgumentError);
    expect(() =>
      sizeForEpoch(
        [
          { epoch: 0, size: 64 },
          { epoch: 0, size: 96 },
        ],
        0,
      ),
    ).toThrow(InvalidArgumentError);
    expect(() => sizeForEpoch([{ epoch: 0, size: 0 }], 0)).toThrow(InvalidArgumentError);
    expect(() => sizeForEpoch([], 0)).toThrow(InvalidArgumentError);
    expect(() => sizeForEpoch(schedule, -1)).toThrow(InvalidArgumentError);
  });
});
