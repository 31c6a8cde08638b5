import { describe, expect, it } from 'vitest';
import { minimum, steep, valley } from './lr-suggestions.js';
import { expectInvalid } from './test-helpers.js';

// A typical range-test curve: flat, falling, a minimum at index 8, then blowing up. Learning rates are
// half-decades from 1e-6: lrs[i] = 10^(−6 + i/2).
const lrs = Array.from({ length: 12 }, (_, i) => 10 ** (-6 + i / 2));
const losses = [2.3, 2.31, 2.29, 2.2, 2.0, 1.6, 1.1, 0.8, 0.7, 0.9, 1.8, 4.0];

describe('LR suggestions (fastai rules, values worked by hand)', () => {
  it('valley: halfway along the longest decreasing run', () => {
    // The longest decreasing subsequence ends at index 8 (0.7) and has 8 points (2.30 or 2.31 down to 0.7);
    // fastai's start is 8 − 8 = 0, sections = 8/3, index = 0 + 2 + 1 = 3.
    const s = valley(lrs, losses);
    expect(s.index).toBe(3);
    expect(s.lr).toBeCloseTo(10 ** -4.5, 18);
    expect(s.pointLr).toBe(s.lr);
    expect(s.loss).toBe(2.2);
  });

  it('steep: the most negative slope against ln(lr)', () => {
    // Slopes (losses[i+1] − losses[i]) / (ln 10 / 2): the largest drop is 1.6 → 1.1 between 5 and 6.
    const s = steep(lrs, losses);
    expect(s.index).toBe(5);
    expect(s.lr).toBeCloseTo(10 ** -3.5, 18);
    expect(s.loss).toBe(1.6);
  });

  it('minimum: a tenth of the rate at the lowest loss', () => {
    const s = minimum(lrs, losses);
    expect(s.index).toBe(8);
    expect(s.pointLr).toBeCloseTo(1e-2, 18);
    expect(s.lr).toBeCloseTo(1e-3, 18);
    expect(s.loss).toBe(0.7);
  });

  it('valley clamps the index at 0 for a short curve', () => {
    // fastai would compute −1 + 0 + 0 and pick the last point through Python's negative indexing.
    expect(valley([1e-3, 1e-2], [1, 0.5]).index).toBe(0);
    expect(valley([1e-3], [1]).index).toBe(0);
  });

  it('rejects malformed curves', () => {
    expectInvalid(() => steep([1e-3], [1]), 'steep', 'lrs');
    expectInvalid(() => valley([1e-3, 0], [1, 1]), 'valley', 'lrs');
    expectInvalid(() => minimum([1e-3, 1e-2], [1]), 'minimum', 'losses');
    expectInvalid(() => minimum([1e-3, 1e-2], [1, Number.NaN]), 'minimum', 'losses');
  });
});
