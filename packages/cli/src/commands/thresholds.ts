import { alignLabels } from '../align-labels.js';
import { displayPath, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import { choiceValue, existingPath, outputPath, switchFlag, valueFlag } from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { readPredictionFile } from '../prediction-file.js';

/** `topk thresholds`: per-class decision thresholds that maximise F1 on validation predictions. */
export const thresholdsCommand = defineCommand({
  name: 'thresholds',
  summary: 'search per-class thresholds that maximise micro- or macro-F1 on validation predictions',
  description:
    'For multi-label models: a class is predicted when its probability is at least its threshold. The search starts from the best single threshold, then moves one class at a time to the candidate (0.01 to 0.99) that improves F1 most, until nothing changes. The file is read by topk predict --thresholds and topk evaluate --thresholds.',
  flags: {
    preds: valueFlag(existingPath('file'), {
      valueName: 'CSV',
      required: true,
      description: 'validation predictions (id,<class 1>,...)',
    }),
    labels: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description:
        'the true labels: a CSV id,labels (space-separated), id,label, or a folder of class folders',
    }),
    metric: valueFlag(choiceValue(['f1-micro', 'f1-macro'] as const), {
      valueName: 'M',
      default: 'f1-micro',
      description: 'F1 to maximise: f1-micro or f1-macro',
    }),
    atLeastOne: switchFlag(
      'search for, and save, the rule "a row with no class above threshold gets its most probable class"',
    ),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      required: true,
      description: 'the thresholds JSON to write',
    }),
    json: switchFlag('print scores and thresholds as JSON on stdout'),
  },
  examples: [
    'topk thresholds --preds valid-preds.csv --labels valid.csv --out thresholds.json',
    'topk thresholds --preds valid-preds.csv --labels valid.csv --metric f1-macro --at-least-one --out thresholds.json',
  ],
  async run(flags, { io }) {
    const { searchClassThresholds, thresholdsToJSON } = await import('@topk/thresholding');
    const table = await readPredictionFile('--preds', flags.preds, io.cwd);
    const loaded = await loadDataset(flags.labels, { flag: '--labels', cwd: io.cwd });
    const labels = alignLabels(table, loaded, { preds: '--preds', labels: '--labels' }, io.cwd);
    const average = flags.metric === 'f1-macro' ? 'macro' : 'micro';
    const result = searchClassThresholds(table, labels.targets, { average, atLeastOne: flags.atLeastOne });
    const saved = thresholdsToJSON(result.thresholds);
    await writeOutputFile(flags.out, `${JSON.stringify(saved, null, 2)}\n`);
    if (flags.json) {
      const json = {
        metric: flags.metric,
        rows: table.ids.length,
        score: result.score,
        globalThreshold: result.globalThreshold,
        globalScore: result.globalScore,
        rounds: result.rounds,
        atLeastOne: flags.atLeastOne,
        thresholds: Object.fromEntries(saved.classes.map((name, i) => [name, saved.thresholds[i]!])),
        out: displayPath(io.cwd, flags.out),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(5, ...saved.classes.map((c) => c.length));
    const lines = [
      `${flags.metric} on ${table.ids.length} rows × ${table.classes.length} classes: ${result.score.toFixed(4)} with per-class thresholds, ${result.globalScore.toFixed(4)} with the best global threshold ${result.globalThreshold} (${result.rounds} rounds${flags.atLeastOne ? ', at least one label per row' : ''})`,
      `${'class'.padEnd(width)}  threshold`,
      ...saved.classes.map((name, i) => `${name.padEnd(width)}  ${saved.thresholds[i]}`),
      `written ${displayPath(io.cwd, flags.out)}`,
    ];
    if (labels.unpredicted > 0) lines.push(`note: ${labels.unpredicted} labelled ids have no prediction`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
