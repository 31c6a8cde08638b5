import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { parseCsv, recordsToCsv } from './csv.js';
import { labels, table } from './error-analysis.fixtures.js';
import { errorReport } from './error-report.js';
import { ambiguousPredictions, suspectLabels } from './suspect-labels.js';

describe('errorReport and exports', () => {
  it('bundles the lists as plain JSON', () => {
    const report = errorReport(table, labels, { topLosses: { k: 2 } });
    expect(report.topLosses).toHaveLength(2);
    expect(report.mostConfused).toHaveLength(2);
    expect(report.suspectLabels).toHaveLength(1);
    expect(report.ambiguous).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('exports each list as CSV with a header', () => {
    const csv = recordsToCsv(suspectLabels(table, labels));
    expect(csv).toBe('row,id,label,predicted,probability,labelProbability\n0,r0,sea,buildings,0.95,0.02\n');
    const ambiguous = parseCsv(
      recordsToCsv(ambiguousPredictions(createPredictionTable(['a'], ['only'], [0.55]))),
    );
    expect(ambiguous).toEqual([
      ['row', 'id', 'predicted', 'probability', 'runnerUp', 'runnerUpProbability'],
      ['0', 'a', 'only', '0.55', '', ''],
    ]);
  });
});
