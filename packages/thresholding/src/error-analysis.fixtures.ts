import { createPredictionTable } from '@topk/core';

// A hand-made single-label table shared by the error-analysis tests (test-only module).
// Classes: buildings (0), forest (1), sea (2); each row's comment gives its label.
export const table = createPredictionTable(
  ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
  ['buildings', 'forest', 'sea'],
  [
    [0.95, 0.03, 0.02], // label sea: confident contradiction (suspect)
    [0.55, 0.4, 0.05], // label buildings: correct but ambiguous
    [0.2, 0.7, 0.1], // label forest: correct
    [0.9, 0.05, 0.05], // label forest: wrong at exactly 0.9 (not > 0.9, so not suspect)
    [0.3, 0.1, 0.6], // label sea: correct, top probability 0.6 (ambiguous, band inclusive)
    [0.6, 0.3, 0.1], // label sea: wrong
  ].flat(),
);
export const labels = [2, 0, 1, 1, 2, 2];
