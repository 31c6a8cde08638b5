import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackbone, createClassifier } from '@topk/backbones';
import {
  createPredictionTable,
  formatBackendSelection,
  type PredictionTable,
  type SelectBackendOptions,
  selectBackend,
} from '@topk/core';
import { combinePredictions } from '@topk/ensembling';
import { adamW, arrayBatches, type Callback, Learner, softmaxCrossEntropy } from '@topk/training';
import { CLASSES, type FashionMnist, IMAGE_SIDE } from './data.js';
import { augmentedBatches } from './images.js';
import { accuracy, predictWithTta } from './predict.js';
import { type MemberSpec, memberSchedule, TTA_POLICY, trainingTransform } from './recipe.js';

/** Options of {@link runRecipe}. */
export interface RunRecipeOptions {
  readonly data: FashionMnist;
  readonly members: readonly MemberSpec[];
  /** Epochs of every member. @defaultValue each member's `epochs` */
  readonly epochs?: number;
  /** Model input side. @defaultValue 28 */
  readonly size?: number;
  /** @defaultValue 64 */
  readonly batchSize?: number;
  /** Added to every member's seed. @defaultValue 0 */
  readonly seed?: number;
  /** Folder for `metrics.json` and `predictions.json`; nothing is written when undefined. */
  readonly out?: string;
  /** @defaultValue `TOPK_BACKEND`, else `'auto'` */
  readonly backend?: SelectBackendOptions['backend'];
  /** @defaultValue `console.log` */
  readonly log?: (line: string) => void;
}

/** Test accuracy and cost of one member. */
export interface MemberResult {
  readonly name: string;
  readonly backbone: string;
  readonly params: number;
  readonly epochs: number;
  readonly schedule: MemberSpec['schedule'];
  readonly mixupAlpha: number;
  /** Mean training loss of the last epoch (against mixed targets when mixup is on). */
  readonly trainLoss: number;
  readonly accuracy: number;
  readonly ttaAccuracy: number;
  /** Training seconds. */
  readonly trainSeconds: number;
  /** Seconds predicting the test set with and without TTA. */
  readonly predictSeconds: number;
}

/** What {@link runRecipe} measured, and the probability tables behind it. */
export interface RecipeResult {
  readonly backend: string;
  readonly trainImages: number;
  readonly testImages: number;
  readonly size: number;
  readonly members: readonly MemberResult[];
  /** Test accuracy of the mean of the members' TTA probabilities. */
  readonly ensembleAccuracy: number;
  /** Test accuracy of their geometric mean, for comparison. */
  readonly geometricAccuracy: number;
  /** Every member's TTA probabilities on the test set. */
  readonly memberTables: readonly PredictionTable[];
  /** The mean ensemble's probabilities on the test set. */
  readonly ensembleTable: PredictionTable;
  readonly seconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * One line per epoch (loss, training accuracy against the mixed targets' top class, images/s), and one
 * every 250 batches so that a long epoch shows it is moving.
 */
function epochLog(name: string, log: (line: string) => void): Callback {
  let started = performance.now();
  return {
    name: 'epochLog',
    onEpochBegin() {
      started = performance.now();
    },
    onBatchEnd({ epoch, batch, batchesPerEpoch }) {
      if (batch % 250 !== 0 || batch === batchesPerEpoch) return;
      const seconds = (performance.now() - started) / 1000;
      log(`  ${name} epoch ${epoch + 1}: batch ${batch}/${batchesPerEpoch ?? '?'}, ${seconds.toFixed(0)} s`);
    },
    onEpochEnd({ epoch, epochs, logs }) {
      const ips = logs.imagesPerSecond === undefined ? '' : `, ${Math.round(logs.imagesPerSecond)} images/s`;
      log(
        `  ${name} epoch ${epoch + 1}/${epochs}: loss ${Number(logs.loss).toFixed(4)}, train accuracy ${pct(Number(logs.accuracy))}${ips}`,
      );
    },
  };
}

/** A results table: member, parameters, epochs, accuracy, accuracy with TTA, time; then the ensembles. */
export function formatResults(
  result: Pick<RecipeResult, 'members' | 'ensembleAccuracy' | 'geometricAccuracy'>,
): string {
  const rows = [
    ['member', 'backbone', 'params', 'epochs', 'acc', 'acc+TTA', 'train s', 'predict s'],
    ...result.members.map((m) => [
      m.name,
      m.backbone,
      String(m.params),
      String(m.epochs),
      pct(m.accuracy),
      pct(m.ttaAccuracy),
      m.trainSeconds.toFixed(1),
      m.predictSeconds.toFixed(1),
    ]),
    ['ensemble (mean of TTA)', '', '', '', '', pct(result.ensembleAccuracy), '', ''],
    ['ensemble (geometric)', '', '', '', '', pct(result.geometricAccuracy), '', ''],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    )
    .join('\n');
}

/**
 * The competition recipe: trains every member with the `Learner` (seeded; AdamW, augmentation, mixup,
 * one-cycle or SGDR), predicts the test set with and without flip TTA, averages the members' TTA
 * probabilities, prints a table and writes `metrics.json` and `predictions.json` to `out`.
 */
export async function runRecipe(options: RunRecipeOptions): Promise<RecipeResult> {
  const {
    data,
    members,
    epochs,
    size = 28,
    batchSize = 64,
    seed = 0,
    out,
    backend,
    log = console.log,
  } = options;
  const start = performance.now();
  const selection = await selectBackend(backend === undefined ? {} : { backend });
  log(formatBackendSelection(selection).split('\n')[0]!);
  log(`Fashion-MNIST: ${data.train.count} training / ${data.test.count} test images, input ${size}x${size}`);
  const ids = Array.from({ length: data.test.count }, (_, i) => `test-${i}`);
  const results: MemberResult[] = [];
  const tables: PredictionTable[] = [];
  for (const spec of members) {
    const memberEpochs = epochs ?? spec.epochs;
    const memberSeed = spec.seed + seed;
    const backbone = createBackbone(spec.backbone, {
      ...spec.backboneOptions,
      inputSize: size,
      inputChannels: 1,
      seed: memberSeed,
    });
    const classifier = createClassifier(backbone, {
      numClasses: CLASSES.length,
      pool: spec.pool,
      logits: true,
      seed: memberSeed,
    });
    const train = augmentedBatches(
      arrayBatches(data.train.images, data.train.labels, [IMAGE_SIDE, IMAGE_SIDE, 1], {
        batchSize,
        shuffle: true,
        seed: memberSeed,
      }),
      {
        transform: trainingTransform(spec.augment),
        mixupAlpha: spec.mixupAlpha,
        numClasses: CLASSES.length,
        size,
      },
    );
    const learner = new Learner({
      model: classifier.model,
      train,
      loss: softmaxCrossEntropy(),
      task: 'single-label',
      optimizer: adamW({ weightDecay: 1e-2 }),
      seed: memberSeed,
      callbacks: [epochLog(spec.name, log)],
    });
    const params = classifier.model.countParams();
    log(
      `${spec.name}: ${spec.backbone} ${JSON.stringify(spec.backboneOptions)}, ${params} parameters, ${memberEpochs} epochs of ${spec.schedule} at ${spec.maxLr}, mixup α ${spec.mixupAlpha}, ${spec.augment}`,
    );
    try {
      const t0 = performance.now();
      const { history } = await learner.fit(memberEpochs, {
        schedule: memberSchedule(spec, memberEpochs * train.batchesPerEpoch),
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const probs = await predictWithTta(classifier.model, data.test, { policy: TTA_POLICY, size });
      const predictSeconds = (performance.now() - t1) / 1000;
      const result: MemberResult = {
        name: spec.name,
        backbone: spec.backbone,
        params,
        epochs: memberEpochs,
        schedule: spec.schedule,
        mixupAlpha: spec.mixupAlpha,
        trainLoss: Number(history.at(-1)?.loss),
        accuracy: accuracy(probs.plain, data.test.labels, CLASSES.length),
        ttaAccuracy: accuracy(probs.tta, data.test.labels, CLASSES.length),
        trainSeconds,
        predictSeconds,
      };
      results.push(result);
      tables.push(createPredictionTable(ids, CLASSES, probs.tta));
      log(
        `${spec.name}: test accuracy ${pct(result.accuracy)}, with TTA ${pct(result.ttaAccuracy)} (${trainSeconds.toFixed(1)} s training, ${predictSeconds.toFixed(1)} s predicting)`,
      );
    } finally {
      learner.optimizer.dispose();
      classifier.model.dispose();
    }
  }
  const ensembleTable = combinePredictions(tables, { method: 'mean' });
  const geometricTable = combinePredictions(tables, { method: 'geometric-mean' });
  const result: RecipeResult = {
    backend: selection.backend,
    trainImages: data.train.count,
    testImages: data.test.count,
    size,
    members: results,
    ensembleAccuracy: accuracy(ensembleTable.probs, data.test.labels, CLASSES.length),
    geometricAccuracy: accuracy(geometricTable.probs, data.test.labels, CLASSES.length),
    memberTables: tables,
    ensembleTable,
    seconds: (performance.now() - start) / 1000,
  };
  log('');
  log(formatResults(result));
  log(
    `ensemble of ${results.length}: test accuracy ${pct(result.ensembleAccuracy)}; ${(result.seconds / 60).toFixed(1)} min in all`,
  );
  if (out !== undefined) await writeOutputs(out, result, data);
  return result;
}

const round = (probs: Float32Array) => Array.from(probs, (p) => Math.round(p * 1e5) / 1e5);

async function writeOutputs(out: string, result: RecipeResult, data: FashionMnist): Promise<void> {
  await mkdir(out, { recursive: true });
  const { memberTables, ensembleTable, ...metrics } = result;
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  const c = CLASSES.length;
  const rows = (probs: Float32Array) =>
    Array.from({ length: probs.length / c }, (_, i) => round(probs.subarray(i * c, (i + 1) * c)));
  const predictions = {
    classes: CLASSES,
    labels: Array.from(data.test.labels),
    ensemble: rows(ensembleTable.probs),
    members: Object.fromEntries(result.members.map((m, i) => [m.name, rows(memberTables[i]!.probs)])),
  };
  await writeFile(join(out, 'predictions.json'), `${JSON.stringify(predictions)}\n`);
}
