import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { labels, table } from './error-analysis.fixtures.js';
import { ambiguousPredictions, suspectLabels } from './suspect-labels.js';

describe('suspectLabels', () => {
  it('lists rows predicted as another class with p > 0.9', () => {
    expect(suspectLabels(table, labels)).toEqual([
      { row: 0, id: 'r0', label: 'sea', predicted: 'buildings', probability: 0.95, labelProbability: 0.02 },
    ]);
    // Lowering the bar picks up r3 (0.9) and r5 (0.6), most confident first.
    expect(suspectLabels(table, labels, { minProbability: 0.5 }).map((s) => s.id)).toEqual([
      'r0',
      'r3',
      'r5',
    ]);
  });
});

describe('ambiguousPredictions', () => {
  it('lists rows whose top probability is within [0.5, 0.6]', () => {
    expect(ambiguousPredictions(table)).toEqual([
      {
        row: 1,
        id: 'r1',
        predicted: 'buildings',
        probability: 0.55,
        runnerUp: 'forest',
        runnerUpProbability: 0.4,
      },
      {
        row: 4,
        id: 'r4',
        predicted: 'sea',
        probability: 0.6,
        runnerUp: 'buildings',
        runnerUpProbability: 0.3,
      },
      {
        row: 5,
        id: 'r5',
        predicted: 'buildings',
        probability: 0.6,
        runnerUp: 'forest',
        runnerUpProbability: 0.3,
      },
    ]);
    expect(ambiguousPredictions(table, { low: 0.9, high: 1 }).map((a) => a.id)).toEqual(['r0', 'r3']);
  });

  it('has no runner-up with a single class', () => {
    const single = createPredictionTable(['a'], ['only'], [0.55]);
    expect(ambiguousPredictions(single)[0]).toMatchObject({ runnerUp: null, runnerUpProbability: null });
  });

  it('rejects an inverted band', () => {
    expect(() => ambiguousPredictions(table, { low: 0.7, high: 0.6 })).toThrow(
      'Error in ambiguousPredictions: options.high must be at least options.low (0.7), got 0.6',
    );
  });
});
