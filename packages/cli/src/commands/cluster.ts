import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { displayPath } from '../cli-files.js';
import type { CliIo } from '../cli-io.js';
import type { ClusterPredictPayload } from '../cluster-handlers.js';
import { type Command, defineCommand } from '../command.js';
import {
  choiceValue,
  existingPath,
  type FlagSchema,
  integerValue,
  outputPath,
  switchFlag,
  valueFlag,
} from '../flags.js';
import { type LoadedDataset, loadDataset } from '../load-dataset.js';
import { createProgressBar } from '../progress-bar.js';
import { readRunConfig } from '../run-model.js';
import { UsageError } from '../usage-error.js';
import { runDirValue } from './train.js';
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
function shardableItems(loaded: LoadedDataset, io: CliIo, data: string) {
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
    const shownModel = displayPath(io.cwd, flags.model);
    const config = await readRunConfig(flags.model, shownModel);
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const items = shardableItems(loaded, io, flags.data).map(({ id, source }) => ({ id, source }));
    if (items.length === 0)
      throw new UsageError(`--data ${displayPath(io.cwd, flags.data)}: no images`, { hint: false });
    const { mergePredictions, shardItems } = await import('@topk/cluster');
    const shards = Math.min(flags.shards, items.length);
    const payload = { model: flags.model, tta: flags.tta } satisfies ClusterPredictPayload;
    const runId =
      flags.runId ??
      defaultRunId('predict', {
        model: flags.model,
        data: flags.data,
        root: flags.root,
        runDir: flags.runDir,
        shards,
        tta: flags.tta,
      });
    const runDir = flags.runDir ?? join(`${flags.out}.shards`, runId);
    const report = await coordinate(
      io,
      {
        redis: flags.redis,
        queue: flags.queue,
        runId,
        kind: 'predict',
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
      io.stderr.write('topk cluster predict: no shard completed; nothing written\n');
      return 1;
    }
    const merged = await mergePredictions(report, { out: flags.out });
    lines.push(
      `${merged.rows} rows × ${config.classes.length} classes${flags.tta ? ' (TTA: flips)' : ''}`,
      `written ${displayPath(io.cwd, flags.out)}`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return report.failed > 0 ? 1 : 0;
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

const SUBCOMMANDS: readonly Command[] = [clusterPredictCommand, clusterCacheCommand];

const CLUSTER_SUMMARY = 'run predict or cache as sharded jobs on topk worker processes (Redis)';

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
    ...SUBCOMMANDS.map((c) => `  ${c.name.slice('cluster '.length).padEnd(10)}${c.summary}`),
    '',
    'Examples:',
    '  topk cluster predict --redis redis://redis.internal:6379 --model /shared/runs/r18 --data /shared/data/test --shards 20 --out /shared/preds.csv',
    '  topk cluster cache --redis redis://redis.internal:6379 --data /shared/data/train --size 256 --shards 50 --out /shared/cache/train-256',
    '',
  ].join('\n');
}

/** `topk cluster`: the coordinator commands of `@topk/cluster` (`predict`, `cache`). */
export const clusterCommand: Command = {
  name: 'cluster',
  summary: CLUSTER_SUMMARY,
  help: clusterHelp,
  async execute(argv, context) {
    const [name, ...rest] = argv;
    if (name === undefined) throw new UsageError('a subcommand is required: predict or cache');
    if (name === '--help' || name === '-h' || name === 'help') {
      context.io.stdout.write(clusterHelp());
      return 0;
    }
    if (name.startsWith('-'))
      throw new UsageError(`unknown flag ${name}: give a subcommand first (predict or cache)`);
    const command = SUBCOMMANDS.find((c) => c.name === `cluster ${name}`);
    if (command === undefined)
      throw new UsageError(`unknown subcommand ${JSON.stringify(name)}: predict or cache`);
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
