import { describe, expect, it } from 'vitest';
import { didYouMean } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the closest candidate within a third of its length', () => {
    expect(didYouMean('evalute', ['check-data', 'evaluate', 'ensemble'])).toBe(' (did you mean evaluate?)');
    expect(didYouMean('--methd', ['--method', '--inputs'])).toBe(' (did you mean --method?)');
  });

  it('suggests a candidate the name is a prefix of', () => {
    expect(didYouMean('thresh', ['thresholds', 'retrieve'])).toBe(' (did you mean thresholds?)');
  });

  it('stays silent when nothing is close', () => {
    expect(didYouMean('train', ['check-data', 'evaluate'])).toBe('');
    expect(didYouMean('x', [])).toBe('');
  });
});
