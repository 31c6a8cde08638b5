import { Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { float32Number, float32Text } from './float32-text.js';

describe('float32Text', () => {
  it('writes the shortest decimal that reads back as the same float32', () => {
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(0.95))).toBe('0.95');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334'); // float32 1/3 = 0.3333333432674408
    expect(float32Text(0)).toBe('0');
    expect(float32Text(1)).toBe('1');
    expect(float32Text(Math.fround(1e-30))).toBe('1e-30');
    expect(float32Number(Math.fround(0.02))).toBe(0.02);
  });

  it('round-trips random float32 values with at most 9 significant digits', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround(rng.next() * 10 ** rng.int(-8, 1));
      const text = float32Text(v);
      expect(Math.fround(Number(text))).toBe(v);
      expect(text.replace(/^0\.0*|\.|e.*$/g, '').length).toBeLessThanOrEqual(9);
    }
  });
});
