import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { displayPath, writeOutputFile } from '../cli-files.js';
import type { CliIo } from '../cli-io.js';
import type {
  ClusterEmbedPayload,
  ClusterPredictPayload,
  ClusterTrainMemberPayload,
} from '../cluster-handlers.js';
import { type Command, defineCommand } from '../command.js';
import {
  choiceValue,
  existingPath,
  type FlagSchema,
  integerValue,
  numberValue,
  outputPath,
  switchFlag,
  valueFlag,
} from '../flags.js';
import { type LoadedDataset, loadDataset } from '../load-dataset.js';
import { createProgressBar } from '../progress-bar.js';
import { activateBackend, loadRunModel, predictDataset, readRunConfig } from '../run-model.js';
import { UsageError } from '../usage-error.js';
import { runDirValue, trainingFlags } from './train.js';
import { queueValue, redisUrlValue } from './worker.js';

/** `--run-id`: letters, digits, `.`, `_`, `-`. */
function runIdValue(): FlagSchema<string, string> {
  return () => z.string().regex(/^[A-Za-z0-9._-]+$/, 'a name of letters, digits, ".", "_" or "-"');
}

const sharedFlags = {
  redis: valueFlag(redisUrlValue(), {
    valueName: 'URL',
    required: true,
    description: 'the Redis server the workers listen to',
  }),
  data: valueFlag(existingPath('any'), {
    valueName: 'D',
    required: true,
    description: 'the images: a folder of class folders or a CSV (paths every worker can read)',
  }),
  root: valueFlag(existingPath('directory'), {
    valueName: 'DIR',
    description: "CSV only: the folder image paths are relative to (default: the CSV's folder)",
  }),
  shards: valueFlag(integerValue({ min: 1, max: 1_000_000 }), {
    valueName: 'N',
    required: true,
    description: 'jobs to split the images into (contiguous blocks; at most one per image)',
  }),
  queue: valueFlag(queueValue(), {
    valueName: 'NAME',
    default: 'topk',
    description: 'the queue the workers take jobs from',
  }),
  runId: valueFlag(runIdValue(), {
    valueName: 'ID',
    description:
      'names the run; the same id resumes it (default: derived from the flags, so rerunning the command resumes)',
  }),
  attempts: valueFlag(integerValue({ min: 1, max: 100 }), {
    valueName: 'N',
    default: '3',
    description: 'tries per shard before it fails for good',
  }),
} as const;

/** The dataset's items as shard items; a usage error when they are not image files. */
function shardableItems(loaded: Pick<LoadedDataset, 'dataset'>, io: CliIo, data: string) {
  return loaded.dataset.items.map((item) => {
    if (typeof item.source !== 'string') {
      throw new UsageError(
        `--data ${displayPath(io.cwd, data)}: workers read image files, and this dataset's images are not files (an IDX file); use a folder of class folders or a CSV`,
        { hint: false },
      );
    }
    return {
      id: item.id,
      source: item.source,
      ...(item.label !== undefined ? { label: item.label } : {}),
      ...(item.labels !== undefined ? { labels: item.labels } : {}),
    };
  });
}

function defaultRunId(kind: string, values: unknown): string {
  return `${kind}-${createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 16)}`;
}

/** Runs the coordinator with a progress bar on a terminal; the report. */
async function coordinate(
  io: CliIo,
  options: Parameters<typeof import('@topk/cluster').runShardedJob>[0],
  total: number,
) {
  const { runShardedJob } = await import('@topk/cluster');
  const bar = createProgressBar(io.stderr, { label: `${options.kind} shards`, total, now: io.now });
  const { InvalidArgumentError } = await import('@topk/core');
  let report: Awaited<ReturnType<typeof runShardedJob>>;
  try {
    report = await runShardedJob({
      ...options,
      progressBar: false,
      onProgress: (progress) => bar.update(progress.items.done),
    });
  } catch (error) {
    // A run folder holding another run, or a listing the coordinator refuses: the user's to fix.
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message, { hint: false });
    throw error;
  }
  bar.finish();
  return report;
}

function summary(
  report: Awaited<ReturnType<typeof import('@topk/cluster').runShardedJob>>,
  io: CliIo,
): string[] {
  const lines = [
    `${report.completed} of ${report.shards.length} shards completed (${report.resumed} resumed), ${report.processed} images, ${report.quarantined.length} quarantined, ${report.seconds.toFixed(1)} s`,
  ];
  for (const item of report.quarantined.slice(0, 5))
    lines.push(`quarantined ${item.id}: ${item.code} (${item.reason})`);
  if (report.quarantined.length > 5) lines.push(`... and ${report.quarantined.length - 5} more quarantined`);
  for (const failure of report.failures)
    io.stderr.write(`shard ${failure.shard} (${failure.items} images) failed: ${failure.reason}\n`);
  return lines;
}

/** The flags `cluster predict` and `cluster embed` share for their run. */
interface ModelShardFlags {
  readonly redis: string;
  readonly queue: string;
  readonly attempts: number;
  readonly shards: number;
  readonly data: string;
  readonly root?: string | undefined;
  readonly runId?: string | undefined;
  readonly runDir?: string | undefined;
  readonly model: string;
  readonly out: string;
}

/**
 * Lists --data, shards it into contiguous blocks, runs one `kind` job per block (resuming a run with the
 * same id), prints the summary and, when a shard completed, merges the outputs with `merge`, which
 * returns the line describing what it wrote. Exit code 1 when nothing completed or a shard failed.
 */
async function runModelShards(
  io: CliIo,
  flags: ModelShardFlags,
  kind: 'predict' | 'embed',
  payload: Readonly<Record<string, string | boolean>>,
  runIdFields: Record<string, unknown>,
  merge: (report: Awaited<ReturnType<typeof import('@topk/cluster').runShardedJob>>) => Promise<string>,
): Promise<number> {
  const loaded = await loadDataset(flags.data, {
    cwd: io.cwd,
    ...(flags.root !== undefined ? { root: flags.root } : {}),
  });
  const items = shardableItems(loaded, io, flags.data).map(({ id, source }) => ({ id, source }));
  if (items.length === 0)
    throw new UsageError(`--data ${displayPath(io.cwd, flags.data)}: no images`, { hint: false });
  const { shardItems } = await import('@topk/cluster');
  const shards = Math.min(flags.shards, items.length);
  const runId =
    flags.runId ??
    defaultRunId(kind, {
      model: flags.model,
      data: flags.data,
      root: flags.root,
      runDir: flags.runDir,
      shards,
      ...runIdFields,
    });
  const runDir = flags.runDir ?? join(`${flags.out}.shards`, runId);
  const report = await coordinate(
    io,
    {
      redis: flags.redis,
      queue: flags.queue,
      runId,
      kind,
      shards: shardItems(items, { shards }),
      payload,
      outDir: runDir,
      attempts: flags.attempts,
    },
    items.length,
  );
  const lines = summary(report, io);
  if (report.completed === 0) {
    io.stdout.write(`${lines.join('\n')}\n`);
    io.stderr.write(`topk cluster ${kind}: no shard completed; nothing written\n`);
    return 1;
  }
  lines.push(await merge(report), `written ${displayPath(io.cwd, flags.out)}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return report.failed > 0 ? 1 : 0;
}

/** `topk cluster predict`: sharded `topk predict` over the workers. */
export const clusterPredictCommand = defineCommand({
  name: 'cluster predict',
  summary: 'predict a dataset on the cluster workers; write the merged prediction CSV',
  description:
    'Splits the images of --data into --shards contiguous blocks, enqueues one predict job per block on Redis (topk worker runs them: it loads RUN_DIR and predicts as topk predict does), reports progress, and merges the shard outputs into one prediction CSV in the order of --data: the file topk predict writes. Shard listings and outputs go to --run-dir, which every machine must see at the same path. Rerunning the same command resumes the run. Exit code 1 when a shard failed for good (the CSV then lacks its images).',
  flags: {
    ...sharedFlags,
    model: valueFlag(existingPath('directory'), {
      valueName: 'RUN_DIR',
      required: true,
      description: 'a run directory written by topk train (on the shared filesystem)',
    }),
    tta: switchFlag('test-time augmentation: average the image and its left-right mirror'),
    runDir: valueFlag(runDirValue(), {
      valueName: 'DIR',
      description: 'the run folder for shard listings and outputs (default: FILE.shards/RUN_ID beside --out)',
    }),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      required: true,
      description: 'the merged prediction CSV',
    }),
  },
  examples: [
    'topk cluster predict --redis redis://redis.internal:6379 --model /shared/runs/r18 --data /shared/data/test --shards 20 --tta --out /shared/preds.csv',
  ],
  async run(flags, { io }) {
    const config = await readRunConfig(flags.model, displayPath(io.cwd, flags.model));
    const { mergePredictions } = await import('@topk/cluster');
    const payload = { model: flags.model, tta: flags.tta } satisfies ClusterPredictPayload;
    return runModelShards(io, flags, 'predict', payload, { tta: flags.tta }, async (report) => {
      const merged = await mergePredictions(report, { out: flags.out });
      return `${merged.rows} rows × ${config.classes.length} classes${flags.tta ? ' (TTA: flips)' : ''}`;
    });
  },
});

/** `topk cluster embed`: sharded `topk embed` over the workers. */
export const clusterEmbedCommand = defineCommand({
  name: 'cluster embed',
  summary: 'embed a dataset on the cluster workers; write the merged embeddings file',
  description:
    "Splits the images of --data into --shards contiguous blocks, enqueues one embed job per block on Redis (topk worker runs them: it loads RUN_DIR, resizes and normalises the images as topk embed does and takes the pooled features or, with --layer embedding, the head's embedding layer), reports progress, and merges the shard outputs into one embeddings file in the order of --data: the file topk embed writes, which topk retrieve reads. Shard listings and outputs go to --run-dir, which every machine must see at the same path. Rerunning the same command resumes the run. Exit code 1 when a shard failed for good (the file then lacks its images).",
  flags: {
    ...sharedFlags,
    model: valueFlag(existingPath('directory'), {
      valueName: 'RUN_DIR',
      required: true,
      description: 'a run directory written by topk train (on the shared filesystem)',
    }),
    layer: valueFlag(choiceValue(['pooled', 'embedding'] as const), {
      valueName: 'L',
      default: 'pooled',
      description: "pooled (the head's pooled backbone features) or embedding (the head's embedding layer)",
    }),
    runDir: valueFlag(runDirValue(), {
      valueName: 'DIR',
      description: 'the run folder for shard listings and outputs (default: FILE.shards/RUN_ID beside --out)',
    }),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      required: true,
      description: 'the merged embeddings file',
    }),
  },
  examples: [
    'topk cluster embed --redis redis://redis.internal:6379 --model /shared/runs/r18 --data /shared/data/train --shards 20 --out /shared/train.bin',
  ],
  async run(flags, { io }) {
    const shownModel = displayPath(io.cwd, flags.model);
    const config = await readRunConfig(flags.model, shownModel);
    if (flags.layer === 'embedding' && typeof config.head.embeddingSize !== 'number') {
      throw new UsageError(`--layer embedding: the head of ${shownModel} has no embedding layer`, {
        hint: false,
      });
    }
    const { mergeEmbeddings } = await import('@topk/cluster');
    const payload = { model: flags.model, layer: flags.layer } satisfies ClusterEmbedPayload;
    return runModelShards(io, flags, 'embed', payload, { layer: flags.layer }, async (report) => {
      const merged = await mergeEmbeddings(report, { out: flags.out });
      return `${merged.rows} rows × ${merged.dim} (${flags.layer === 'pooled' ? 'pooled features' : 'head embedding'})`;
    });
  },
});

/** `topk cluster cache`: decode and resize a dataset once, on the workers, into an image cache. */
export const clusterCacheCommand = defineCommand({
  name: 'cluster cache',
  summary: 'resize a dataset once into an image cache on the cluster workers',
  description:
    'Splits the images of --data into --shards blocks; each worker decodes and resizes its block (squish to PX × PX) into a cache folder (JPEG at --quality, or raw bytes), with bad images quarantined. The shard caches are then indexed as one cache in CACHE (items.jsonl, quarantine.jsonl, cache.json pointing into the shard folders; no image is copied), which openCache of @topk/data-pipeline reads. Exit code 1 when a shard failed for good.',
  flags: {
    ...sharedFlags,
    size: valueFlag(integerValue({ min: 1, max: 8192 }), {
      valueName: 'PX',
      required: true,
      description: 'the side the images are resized to (squish)',
    }),
    format: valueFlag(choiceValue(['jpeg', 'raw'] as const), {
      valueName: 'F',
      default: 'jpeg',
      description: 'jpeg, or raw bytes (bigger, no re-encoding loss)',
    }),
    quality: valueFlag(integerValue({ min: 1, max: 100 }), {
      valueName: 'Q',
      default: '85',
      description: 'JPEG quality',
    }),
    out: valueFlag(runDirValue(), {
      valueName: 'CACHE',
      required: true,
      description: 'the cache folder (also the run folder: on the shared filesystem)',
    }),
  },
  examples: [
    'topk cluster cache --redis redis://redis.internal:6379 --data /shared/data/train --size 256 --shards 50 --out /shared/cache/train-256',
  ],
  async run(flags, { io }) {
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const items = shardableItems(loaded, io, flags.data);
    if (items.length === 0)
      throw new UsageError(`--data ${displayPath(io.cwd, flags.data)}: no images`, { hint: false });
    const { mergeCaches, shardItems } = await import('@topk/cluster');
    const shards = Math.min(flags.shards, items.length);
    const payload = {
      resize: { size: [flags.size, flags.size] as [number, number] },
      format: flags.format,
      quality: flags.quality,
      channels: 3 as const,
      classes: loaded.dataset.vocabulary?.names ?? null,
      multiLabel: loaded.dataset.multiLabel,
    };
    const report = await coordinate(
      io,
      {
        redis: flags.redis,
        queue: flags.queue,
        runId:
          flags.runId ??
          defaultRunId('cache', { data: flags.data, root: flags.root, out: flags.out, shards, payload }),
        kind: 'cache',
        shards: shardItems(items, { shards }),
        payload,
        outDir: flags.out,
        attempts: flags.attempts,
      },
      items.length,
    );
    const lines = summary(report, io);
    if (report.completed === 0) {
      io.stdout.write(`${lines.join('\n')}\n`);
      io.stderr.write('topk cluster cache: no shard completed; no cache written\n');
      return 1;
    }
    const cache = await mergeCaches(report, { dir: flags.out });
    lines.push(
      `${cache.items.length} images cached at ${flags.size}×${flags.size} (${flags.format})`,
      `written ${displayPath(io.cwd, flags.out)}`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return report.failed > 0 ? 1 : 0;
  },
});

/** Accuracy of the arg-max class of each row of `probs` (`n × c`) against `labels`. */
function argmaxAccuracy(probs: Float32Array, classes: number, labels: readonly number[]): number {
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    if (best === label) correct++;
  });
  return labels.length === 0 ? Number.NaN : correct / labels.length;
}

const { data: _data, shards: _shards, ...coordinatorFlags } = sharedFlags;

/** `topk cluster train-ensemble`: K members trained on shards by the workers, combined and evaluated. */
export const clusterTrainEnsembleCommand = defineCommand({
  name: 'cluster train-ensemble',
  summary: 'train an ensemble of members on shards of a dataset on the cluster workers',
  description:
    "Holds out a stratified --val-split of --data (seeded by --seed), splits the rest into --members shards (--shard-by random, or class: every shard gets its share of every class) and enqueues one train-member job per shard: a worker trains the member as topk train does (with its own seed, memberSeed of the run's seed) into OUT/member-<k>. The coordinator then predicts the validation images with every member, averages the probabilities (combinePredictions of @topk/ensembling, mean) and writes OUT/ensemble-valid.csv and OUT/report.json (each member's validation accuracy, their mean, and the ensemble's). Shard listings go to OUT/shards. Rerunning the same command resumes the run. Exit code 1 when a member failed for good.",
  flags: {
    ...coordinatorFlags,
    data: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description:
        'labelled images: a folder of class folders or an id,label CSV (paths every worker can read)',
    }),
    members: valueFlag(integerValue({ min: 1, max: 10_000 }), {
      valueName: 'K',
      required: true,
      description: 'ensemble members, one shard of the training images each',
    }),
    shardBy: valueFlag(choiceValue(['random', 'class'] as const), {
      valueName: 'S',
      default: 'class',
      description: 'random shards, or class: stratified, every shard holds its share of every class',
    }),
    valSplit: valueFlag(numberValue({ min: 0.01, max: 0.9 }), {
      valueName: 'F',
      default: '0.2',
      description: 'fraction of --data held out (stratified) to evaluate the members and the ensemble',
    }),
    ...trainingFlags,
    out: valueFlag(runDirValue(), {
      valueName: 'DIR',
      required: true,
      description: 'the ensemble folder (on the shared filesystem)',
    }),
  },
  examples: [
    'topk cluster train-ensemble --redis redis://redis.internal:6379 --data /shared/data/train --members 8 --shard-by class --backbone resnet18 --size 128 --epochs 10 --out /shared/ensembles/r18x8',
  ],
  async run(flags, { io }) {
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const vocabulary = loaded.dataset.vocabulary;
    const shownData = displayPath(io.cwd, flags.data);
    if (!vocabulary || vocabulary.size < 2 || loaded.dataset.multiLabel) {
      throw new UsageError(
        `--data ${shownData}: train-ensemble needs single-label images of at least 2 classes`,
        { hint: false },
      );
    }
    if (flags.loss === 'bce') throw new UsageError('--loss bce needs multi-label data; use ce or focal');
    const { getBackboneInfo } = await import('@topk/backbones');
    try {
      getBackboneInfo(flags.backbone);
    } catch (error) {
      throw new UsageError(`--backbone ${flags.backbone}: ${(error as Error).message}`);
    }
    const { Rng, createPredictionTable } = await import('@topk/core');
    const pipeline = await import('@topk/data-pipeline');
    const rng = new Rng(flags.seed);
    const split = pipeline.stratifiedSplit(loaded.dataset, {
      validFraction: flags.valSplit,
      rng: rng.split('split'),
    });
    const items = shardableItems({ dataset: split.train }, io, flags.data);
    shardableItems({ dataset: split.valid }, io, flags.data);
    if (items.length < flags.members || split.valid.items.length === 0) {
      throw new UsageError(
        `--data ${shownData}: ${items.length} training and ${split.valid.items.length} validation images are too few for ${flags.members} members`,
        { hint: false },
      );
    }
    const { collectMembers, shardItems } = await import('@topk/cluster');
    const payload: ClusterTrainMemberPayload = {
      out: flags.out,
      classes: vocabulary.names,
      channels: 3,
      backbone: flags.backbone,
      size: flags.size,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      lr: flags.lr,
      schedule: flags.schedule,
      optimizer: flags.optimizer,
      augment: flags.augment,
      mixup: flags.mixup,
      cutmix: flags.cutmix,
      loss: flags.loss ?? 'ce',
      seed: flags.seed,
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    };
    const runId =
      flags.runId ??
      defaultRunId('train-ensemble', {
        data: flags.data,
        root: flags.root,
        members: flags.members,
        shardBy: flags.shardBy,
        valSplit: flags.valSplit,
        payload,
      });
    const report = await coordinate(
      io,
      {
        redis: flags.redis,
        queue: flags.queue,
        runId,
        kind: 'train-member',
        shards: shardItems(items, { shards: flags.members, by: flags.shardBy, rng: rng.split('shards') }),
        payload: payload as never,
        outDir: join(flags.out, 'shards'),
        attempts: flags.attempts,
      },
      items.length,
    );
    const lines = summary(report, io).map((line) => line.replace(' images,', ' training images,'));
    const members = collectMembers(report);
    if (members.length === 0) {
      io.stdout.write(`${lines.join('\n')}\n`);
      io.stderr.write('topk cluster train-ensemble: no member trained; nothing evaluated\n');
      return 1;
    }
    await activateBackend(flags.backend, 'predict');
    const labels = split.valid.items.map((item) => item.label ?? -1);
    const classes = vocabulary.names;
    const tables = [];
    const memberReports = [];
    for (const member of members) {
      const dir = join(flags.out, `member-${member.member}`);
      const config = await readRunConfig(dir, dir);
      const classifier = await loadRunModel(dir, dir);
      try {
        const { ids, values } = await predictDataset(classifier, config, split.valid, {
          batchSize: flags.batchSize,
          ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        });
        tables.push(createPredictionTable(ids, classes, values));
        const accuracy = argmaxAccuracy(values, classes.length, labels);
        memberReports.push({ member: member.member, dir, items: member.items, info: member.info, accuracy });
        lines.push(
          `member ${member.member}: ${member.items} images, validation accuracy ${accuracy.toFixed(4)}`,
        );
      } finally {
        classifier.model.dispose();
      }
    }
    const { combinePredictions } = await import('@topk/ensembling');
    const { formatPredictionCsv } = await import('@topk/thresholding');
    const ensemble = combinePredictions(tables, { method: 'mean' });
    const ensembleAccuracy = argmaxAccuracy(ensemble.probs, classes.length, labels);
    const meanMemberAccuracy = memberReports.reduce((sum, m) => sum + m.accuracy, 0) / memberReports.length;
    await writeOutputFile(join(flags.out, 'ensemble-valid.csv'), formatPredictionCsv(ensemble));
    await writeOutputFile(
      join(flags.out, 'report.json'),
      `${JSON.stringify(
        {
          members: memberReports,
          failures: report.failures,
          validation: { images: labels.length, fraction: flags.valSplit },
          meanMemberAccuracy,
          ensembleAccuracy,
          method: 'mean',
          shardBy: flags.shardBy,
          seed: flags.seed,
        },
        null,
        2,
      )}\n`,
    );
    lines.push(
      `mean member accuracy ${meanMemberAccuracy.toFixed(4)}, ensemble (mean of ${memberReports.length}) ${ensembleAccuracy.toFixed(4)} on ${labels.length} validation images`,
      `written ${displayPath(io.cwd, join(flags.out, 'report.json'))}`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return report.failed > 0 ? 1 : 0;
  },
});

const SUBCOMMANDS: readonly Command[] = [
  clusterPredictCommand,
  clusterEmbedCommand,
  clusterCacheCommand,
  clusterTrainEnsembleCommand,
];

const CLUSTER_SUMMARY =
  'run predict, embed, cache or train-ensemble as sharded jobs on topk worker processes (Redis)';

function clusterHelp(): string {
  return [
    `topk cluster: ${CLUSTER_SUMMARY}`,
    '',
    'Usage: topk cluster <subcommand> [options]',
    '',
    'Sharded work over topk worker processes that share a Redis queue and a filesystem; start the workers',
    "with 'topk worker --redis URL'. Run 'topk cluster <subcommand> --help' for the options of each.",
    '',
    'Subcommands:',
    ...SUBCOMMANDS.map((c) => `  ${c.name.slice('cluster '.length).padEnd(16)}${c.summary}`),
    '',
    'Examples:',
    '  topk cluster predict --redis redis://redis.internal:6379 --model /shared/runs/r18 --data /shared/data/test --shards 20 --out /shared/preds.csv',
    '  topk cluster embed --redis redis://redis.internal:6379 --model /shared/runs/r18 --data /shared/data/train --shards 20 --out /shared/train.bin',
    '  topk cluster cache --redis redis://redis.internal:6379 --data /shared/data/train --size 256 --shards 50 --out /shared/cache/train-256',
    '  topk cluster train-ensemble --redis redis://redis.internal:6379 --data /shared/data/train --members 8 --backbone resnet18 --size 128 --epochs 10 --out /shared/ensembles/r18x8',
    '',
  ].join('\n');
}

/** `topk cluster`: the coordinator commands of `@topk/cluster` (`predict`, `embed`, `cache`, `train-ensemble`). */
export const clusterCommand: Command = {
  name: 'cluster',
  summary: CLUSTER_SUMMARY,
  help: clusterHelp,
  async execute(argv, context) {
    const [name, ...rest] = argv;
    if (name === undefined)
      throw new UsageError('a subcommand is required: predict, embed, cache or train-ensemble');
    if (name === '--help' || name === '-h' || name === 'help') {
      context.io.stdout.write(clusterHelp());
      return 0;
    }
    if (name.startsWith('-'))
      throw new UsageError(
        `unknown flag ${name}: give a subcommand first (predict, embed, cache or train-ensemble)`,
      );
    const command = SUBCOMMANDS.find((c) => c.name === `cluster ${name}`);
    if (command === undefined)
      throw new UsageError(
        `unknown subcommand ${JSON.stringify(name)}: predict, embed, cache or train-ensemble`,
      );
    try {
      return await command.execute(rest, context);
    } catch (error) {
      if (error instanceof UsageError) {
        throw new UsageError(`${error.message}${error.hint ? ` (see 'topk ${command.name} --help')` : ''}`, {
          hint: false,
          cause: error,
        });
      }
      throw error;
    }
  },
};
