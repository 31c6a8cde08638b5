import type { PredictionTable } from '@topk/core';
import { type AlignedLabels, alignLabels } from '../align-labels.js';
import { displayPath, rethrowAsUsage, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import {
  choiceValue,
  existingPath,
  integerValue,
  listFlag,
  numberValue,
  outputPath,
  switchFlag,
  valueFlag,
} from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { readPredictionFile } from '../prediction-file.js';
import {
  defaultScoreMetric,
  SCORE_METRICS,
  type ScoreMetric,
  scoreDirection,
  scorePredictions,
} from '../score-predictions.js';
import { UsageError } from '../usage-error.js';

const METHODS = ['mean', 'geometric', 'harmonic', 'rank', 'vote', 'max', 'pso'] as const;
const BASES = ['mean', 'geometric', 'harmonic', 'rank'] as const;
const LIBRARY_METHOD = {
  mean: 'mean',
  geometric: 'geometric-mean',
  harmonic: 'harmonic-mean',
  rank: 'rank-average',
} as const;

/** `topk ensemble`: combine the prediction CSVs of several models into one. */
export const ensembleCommand = defineCommand({
  name: 'ensemble',
  summary:
    'combine prediction CSVs of several models (mean, geometric, harmonic, rank, vote, max, PSO weights)',
  description:
    'Rows are matched by id and columns by class name; the output follows the first input. mean: weighted arithmetic mean; geometric: exp of the weighted mean log; harmonic: 1 / weighted mean of 1/p; rank: weighted mean rank of each row within its class column, divided by the row count; vote: one-hot majority (weighted with --weights), ties broken at random with --seed; max: largest probability. pso searches the weights of --base that optimise --metric on --labels (particle swarm, seeded), prints them and writes the weighted ensemble: reuse the weights on test predictions with --method mean --weights W...',
  flags: {
    method: valueFlag(choiceValue(METHODS), {
      valueName: 'M',
      default: 'mean',
      description: METHODS.join(', '),
    }),
    inputs: listFlag(existingPath('file'), {
      valueName: 'CSV',
      required: true,
      min: 2,
      description: 'prediction CSVs (id,<class 1>,...), one per model',
    }),
    labels: valueFlag(existingPath('any'), {
      valueName: 'D',
      description:
        'labels (class folders, or CSV id,label / id,labels): scores each input and the ensemble; required by pso',
    }),
    weights: listFlag(numberValue({ min: 0 }), {
      valueName: 'W',
      description: 'one non-negative weight per input, normalised to sum to 1 (default: equal)',
    }),
    metric: valueFlag(choiceValue(SCORE_METRICS), {
      valueName: 'M',
      description: `score with --labels and pso objective: ${SCORE_METRICS.join(', ')} (default: log-loss, f1-micro for multi-label)`,
    }),
    base: valueFlag(choiceValue(BASES), {
      valueName: 'M',
      default: 'mean',
      description: 'pso: the weighted combination searched',
    }),
    particles: valueFlag(integerValue({ min: 2, max: 1000 }), {
      valueName: 'N',
      default: '20',
      description: 'pso: swarm size',
    }),
    iterations: valueFlag(integerValue({ min: 0, max: 10_000 }), {
      valueName: 'N',
      default: '50',
      description: 'pso: swarm updates',
    }),
    seed: valueFlag(integerValue({ min: 0, max: 2 ** 32 - 1 }), {
      valueName: 'N',
      default: '0',
      description: 'vote tie-breaks and pso swarm',
    }),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      required: true,
      description: 'the combined prediction CSV',
    }),
    json: switchFlag('print the method, weights and scores as JSON on stdout'),
  },
  examples: [
    'topk ensemble --inputs resnet.csv densenet.csv xception.csv --out ens.csv',
    'topk ensemble --method vote --seed 7 --inputs a.csv b.csv c.csv --out vote.csv',
    'topk ensemble --method pso --metric f1-micro --labels valid.csv --inputs a.csv b.csv --out ens-valid.csv',
    'topk ensemble --method mean --weights 0.7 0.3 --inputs a-test.csv b-test.csv --out ens-test.csv',
  ],
  check(flags) {
    if (flags.weights !== undefined) {
      if (flags.method === 'pso')
        return '--weights cannot be combined with --method pso, which searches them';
      if (flags.method === 'max') return '--weights cannot be combined with --method max';
      if (flags.weights.length !== flags.inputs.length) {
        return `--weights needs one value per input (${flags.inputs.length}), got ${flags.weights.length}`;
      }
      if (!flags.weights.some((w) => w > 0)) return '--weights needs at least one positive value';
    }
    if (flags.method === 'pso' && flags.labels === undefined)
      return '--method pso needs --labels to score weights on';
    return undefined;
  },
  async run(flags, { io }) {
    const { Rng } = await import('@topk/core');
    const { combinePredictions, alignTables, particleSwarmWeights } = await import('@topk/ensembling');
    const { formatPredictionCsv } = await import('@topk/thresholding');
    const tables: PredictionTable[] = [];
    for (const path of flags.inputs) {
      tables.push(await readPredictionFile('--inputs', path, io.cwd, tables[0]?.classes));
    }
    const aligned = await rethrowAsUsage('--inputs', flags.inputs[0]!, io.cwd, () => alignTables(tables));
    let labels: AlignedLabels | undefined;
    if (flags.labels !== undefined) {
      const loaded = await loadDataset(flags.labels, { flag: '--labels', cwd: io.cwd });
      labels = alignLabels(aligned[0]!, loaded, { preds: '--inputs', labels: '--labels' }, io.cwd);
    }
    const metric: ScoreMetric | undefined = labels
      ? (flags.metric ?? defaultScoreMetric(labels.multiLabel))
      : undefined;
    if (labels?.multiLabel && metric === 'accuracy') {
      throw new UsageError('--metric accuracy needs single-label --labels; use f1-micro or f1-macro');
    }
    const score = (table: PredictionTable) => scorePredictions(metric!, table, labels!);

    let weights = flags.weights;
    let combined: PredictionTable;
    let search: { readonly evaluations: number; readonly score: number } | undefined;
    if (flags.method === 'pso') {
      const method = LIBRARY_METHOD[flags.base];
      const result = particleSwarmWeights(aligned, score, {
        rng: new Rng(flags.seed),
        method,
        direction: scoreDirection(metric!),
        particles: flags.particles,
        iterations: flags.iterations,
      });
      weights = result.weights;
      search = result;
      combined = combinePredictions(aligned, { method, weights });
    } else if (flags.method === 'vote') {
      combined = combinePredictions(aligned, {
        method: 'vote',
        rng: new Rng(flags.seed),
        ...(weights ? { weights } : {}),
      });
    } else if (flags.method === 'max') {
      combined = combinePredictions(aligned, { method: 'max' });
    } else {
      combined = combinePredictions(aligned, {
        method: LIBRARY_METHOD[flags.method],
        ...(weights ? { weights } : {}),
      });
    }
    await writeOutputFile(flags.out, formatPredictionCsv(combined));

    const inputScores = labels ? aligned.map(score) : undefined;
    const ensembleScore = labels ? score(combined) : undefined;
    const names = flags.inputs.map((path) => displayPath(io.cwd, path));
    const total = weights ? weights.reduce((a, b) => a + b, 0) : 0;
    const normalised = weights?.map((w) => w / total);
    if (flags.json) {
      const json = {
        method: flags.method,
        ...(flags.method === 'pso' ? { base: flags.base } : {}),
        inputs: names,
        weights: normalised ?? null,
        rows: combined.ids.length,
        classes: combined.classes.length,
        out: displayPath(io.cwd, flags.out),
        ...(labels
          ? {
              metric,
              scores: Object.fromEntries(names.map((name, i) => [name, inputScores![i]!])),
              ensembleScore,
              unpredictedLabels: labels.unpredicted,
            }
          : {}),
        ...(search ? { evaluations: search.evaluations } : {}),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(...names.map((n) => n.length), 8);
    const lines = [
      `${flags.method === 'pso' ? `pso (${flags.base})` : flags.method} ensemble of ${tables.length} inputs, ${combined.ids.length} rows × ${combined.classes.length} classes`,
    ];
    const header = ['input'.padEnd(width), 'weight'.padStart(8)];
    if (labels) header.push(metric!.padStart(10));
    lines.push(header.join('  '));
    names.forEach((name, i) => {
      const row = [
        name.padEnd(width),
        (normalised ? normalised[i]!.toFixed(4) : (1 / names.length).toFixed(4)).padStart(8),
      ];
      if (inputScores) row.push(inputScores[i]!.toFixed(4).padStart(10));
      lines.push(row.join('  '));
    });
    if (ensembleScore !== undefined)
      lines.push(`${'ensemble'.padEnd(width)}  ${''.padStart(8)}  ${ensembleScore.toFixed(4).padStart(10)}`);
    if (search) lines.push(`weights found in ${search.evaluations} evaluations (seed ${flags.seed})`);
    if (normalised && flags.method === 'pso') {
      lines.push(
        `apply to test predictions: --method ${flags.base} --weights ${normalised.map((w) => w.toFixed(6)).join(' ')}`,
      );
    }
    lines.push(`written ${displayPath(io.cwd, flags.out)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
