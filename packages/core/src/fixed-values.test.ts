import { describe, expect, it } from 'vitest';
import { fixedValues } from './fixed-values.js';

describe('fixedValues', () => {
  it('follows the LCG s ← 1664525·s + 1013904223 (mod 2³²), scaled into [low, high)', () => {
    // From seed 0 the states are 1013904223 and 1196435762 (worked by hand: 1664525·1013904223 + 1013904223 mod 2³²).
    const [a, b] = fixedValues(2, 0, 0, 1);
    expect(a).toBeCloseTo(1013904223 / 2 ** 32, 7);
    expect(b).toBeCloseTo(1196435762 / 2 ** 32, 7);
    const scaled = fixedValues(1000, 3, -2, 6);
    expect(Math.min(...scaled)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...scaled)).toBeLessThan(6);
    expect(fixedValues(5, 9)).toEqual(fixedValues(5, 9));
    expect(fixedValues(5, 9)).not.toEqual(fixedValues(5, 10));
  });
});
