import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '@topk/core';
import type { QuarantinedItem } from '@topk/data-pipeline';
import { type Job, Queue } from 'bullmq';
import { isTemporaryName, writeFileAtomic } from './atomic-file.js';
import { type RedisOption, resolveRedisConnection } from './redis-connection.js';
import {
  checkQueueName,
  checkRunId,
  type JsonValue,
  RUN_MANIFEST,
  RUN_REPORT,
  type RunManifest,
  readShardResult,
  SHARD_ITEMS,
  type ShardItem,
  type ShardItemInput,
  type ShardJobData,
  type ShardResultFile,
  shardDir,
  shardJobId,
} from './run-layout.js';
import { type ActiveShard, createProgressBar, type ProgressBar, type RunProgress } from './run-progress.js';

/** Options of {@link runShardedJob}. */
export interface RunShardedJobOptions {
  /** Redis URL or options. @defaultValue `REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: RedisOption | undefined;
  /**
   * Names the run: its jobs are `<runId>.shard-NNNNN`, and running the coordinator again with the same
   * id resumes the run. Letters, digits, `.`, `_`, `-`.
   */
  readonly runId: string;
  /** The kind of job, i.e. which worker handler runs the shards (`predict`, `cache`, …). */
  readonly kind: string;
  /** The shards, e.g. from {@link shardItems}; items need unique ids across shards and path sources. */
  readonly shards: readonly (readonly ShardItemInput[])[];
  /** JSON given to every shard's handler (model path, resize, classes, …). @defaultValue {} */
  readonly payload?: JsonValue;
  /** The run folder, on a filesystem every worker sees at the same path. */
  readonly outDir: string;
  /** The queue workers listen on. @defaultValue 'topk' */
  readonly queue?: string;
  /** BullMQ key prefix in Redis. @defaultValue 'bull' */
  readonly prefix?: string;
  /** Tries per shard before it is failed for good (a stalled worker does not use one up). @defaultValue 3 */
  readonly attempts?: number;
  /** Delay before the first retry, doubled for each further one. @defaultValue 1000 */
  readonly backoffMs?: number;
  /** On resume, run shards that failed in an earlier life of the run again. @defaultValue false */
  readonly retryFailed?: boolean;
  /** Time between two looks at the jobs. @defaultValue 500 */
  readonly pollMs?: number;
  /** Called after each look at the jobs. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Draw a progress bar on stderr. @defaultValue whether stderr is a terminal */
  readonly progressBar?: boolean;
  /** Stops waiting (the jobs go on in the queue; run again with the same id to pick them up). */
  readonly signal?: AbortSignal;
}

/** How one shard of a run ended. */
export interface ShardReport {
  readonly shard: number;
  /** The shard's folder (its outputs are `files` inside it). */
  readonly dir: string;
  readonly state: 'completed' | 'failed';
  readonly items: number;
  /** Items in the outputs: listed minus quarantined; 0 for a failed shard. */
  readonly processed: number;
  readonly quarantined: number;
  readonly files: readonly string[];
  /** The handler's summary. */
  readonly info: JsonValue;
  /** The worker that completed it. */
  readonly worker: string | undefined;
  /** Times the job was started (1 when nothing went wrong). */
  readonly attempts: number;
  /** Times it was taken back from a dead worker. */
  readonly stalled: number;
  readonly seconds: number | undefined;
  /** Why it failed. */
  readonly reason: string | undefined;
  /** It had already finished when this coordinator started (a resumed run). */
  readonly resumed: boolean;
}

/** What {@link runShardedJob} did; also written to `report.json` in the run folder. */
export interface ShardedRunReport {
  readonly format: 'topk-cluster-report';
  readonly version: 1;
  readonly runId: string;
  readonly kind: string;
  readonly queue: string;
  readonly outDir: string;
  readonly shards: readonly ShardReport[];
  readonly completed: number;
  readonly failed: number;
  readonly items: number;
  readonly processed: number;
  /** Every item set aside, with its reason. */
  readonly quarantined: readonly QuarantinedItem[];
  /** Shards that failed for good, with their reasons. */
  readonly failures: readonly { readonly shard: number; readonly items: number; readonly reason: string }[];
  readonly retried: number;
  readonly stalled: number;
  /** Shards found finished when this coordinator started. */
  readonly resumed: number;
  readonly seconds: number;
  /** Items of shards completed during this coordinator's life, per second. */
  readonly itemsPerSecond: number;
}

interface ShardState {
  readonly shard: number;
  readonly dir: string;
  readonly items: number;
  result?: ShardResultFile | undefined;
  reason?: string | undefined;
  attempts: number;
  stalled: number;
  resumed: boolean;
  active?: ActiveShard | undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checkShards(fn: string, shards: unknown): ShardItem[][] {
  if (!Array.isArray(shards) || shards.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'options.shards',
      'a non-empty array of shards (arrays of items)',
      shards,
    );
  }
  const seen = new Map<string, string>();
  return shards.map((shard: unknown, s) => {
    if (!Array.isArray(shard) || shard.length === 0) {
      throw new InvalidArgumentError(fn, `options.shards[${s}]`, 'a non-empty array of items', shard);
    }
    return shard.map((item: unknown, i) => {
      const where = `options.shards[${s}][${i}]`;
      const { id, source } = (item ?? {}) as Partial<ShardItemInput>;
      if (typeof item !== 'object' || item === null || typeof id !== 'string' || id.length === 0) {
        throw new InvalidArgumentError(fn, `${where}.id`, 'a non-empty string', id);
      }
      const previous = seen.get(id);
      if (previous !== undefined) {
        throw new InvalidArgumentError(
          fn,
          `${where}.id`,
          `unique across shards (it repeats ${previous})`,
          id,
        );
      }
      seen.set(id, where);
      if (source !== undefined && typeof source !== 'string') {
        throw new InvalidArgumentError(
          fn,
          `${where}.source`,
          'a file path (workers read images from the shared filesystem)',
          source,
        );
      }
      // Workers run elsewhere, in other folders: pin relative paths to the coordinator's folder.
      return source !== undefined && !isAbsolute(source)
        ? { ...(item as ShardItem), source: resolve(source) }
        : (item as ShardItem);
    });
  });
}

function describeJob(job: Job): string {
  return job.processedBy !== undefined ? `worker ${job.processedBy}` : 'a worker';
}

/**
 * Runs a job sharded over workers: writes each shard's listing into the run folder, enqueues one BullMQ
 * job per shard (kind = the job name), waits while workers ({@link startWorker}) run them, reporting
 * progress for the whole run (and drawing a progress bar on a terminal), and returns a report of every
 * shard: completed with its outputs, or failed with its reason after its attempts. Items a handler
 * quarantined are listed with their reasons. The run still completes when shards fail; merge what
 * completed with {@link mergePredictions}, {@link mergeEmbeddings}, {@link mergeCaches} or
 * {@link collectMembers}, and look at `failures`.
 *
 * Started again with the same run id (after a crash, or a Ctrl-C), the coordinator resumes: shards with
 * a result in the run folder are done, jobs still in Redis are waited for, and only missing ones are
 * enqueued. Starting a different job under a used run id is refused.
 *
 * This is what `topk cluster predict|cache|embed|train-ensemble` run.
 */
export async function runShardedJob(options: RunShardedJobOptions): Promise<ShardedRunReport> {
  const fn = 'runShardedJob';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', 'an object { runId, kind, shards, outDir, ... }', options);
  }
  const {
    redis,
    runId,
    kind,
    payload = {},
    queue: queueName = 'topk',
    prefix = 'bull',
    attempts = 3,
    backoffMs = 1000,
    retryFailed = false,
    pollMs = 500,
    onProgress,
    progressBar = process.stderr.isTTY === true,
    signal,
  } = options;
  checkRunId(fn, 'options.runId', runId);
  if (typeof kind !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(kind)) {
    throw new InvalidArgumentError(fn, 'options.kind', 'a job kind such as "predict"', kind);
  }
  checkQueueName(fn, 'options.queue', queueName);
  if (typeof options.outDir !== 'string' || options.outDir.length === 0) {
    throw new InvalidArgumentError(fn, 'options.outDir', 'a folder path', options.outDir);
  }
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new InvalidArgumentError(fn, 'options.attempts', 'a positive integer', attempts);
  }
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw new InvalidArgumentError(fn, 'options.backoffMs', 'a number >= 0', backoffMs);
  }
  if (!Number.isFinite(pollMs) || pollMs < 10)
    throw new InvalidArgumentError(fn, 'options.pollMs', 'a number >= 10', pollMs);
  let payloadText: string | undefined;
  try {
    payloadText = JSON.stringify(payload);
  } catch {
    payloadText = undefined;
  }
  if (payloadText === undefined)
    throw new InvalidArgumentError(fn, 'options.payload', 'a JSON value', payload);
  const payloadJson = JSON.parse(payloadText) as JsonValue;
  const shards = checkShards(fn, options.shards);
  const outDir = resolve(options.outDir);
  signal?.throwIfAborted();

  const { mkdir, readFile, readdir, rm } = await import('node:fs/promises');
  await mkdir(outDir, { recursive: true });
  const manifest: RunManifest = {
    format: 'topk-cluster-run',
    version: 1,
    runId,
    kind,
    queue: queueName,
    shardSizes: shards.map((shard) => shard.length),
    itemsHash: sha256(JSON.stringify(shards)),
    payloadHash: sha256(payloadText),
  };
  const manifestPath = join(outDir, RUN_MANIFEST);
  let previous: RunManifest | undefined;
  try {
    previous = JSON.parse(await readFile(manifestPath, 'utf8')) as RunManifest;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  if (previous !== undefined) {
    const differences: string[] = [];
    if (previous.runId !== runId) differences.push(`run id ${JSON.stringify(previous.runId)}`);
    if (previous.kind !== kind) differences.push(`kind ${JSON.stringify(previous.kind)}`);
    if (previous.queue !== queueName) differences.push(`queue ${JSON.stringify(previous.queue)}`);
    if (JSON.stringify(previous.shardSizes) !== JSON.stringify(manifest.shardSizes)) {
      differences.push(`${previous.shardSizes?.length} shards of other sizes`);
    } else if (previous.itemsHash !== manifest.itemsHash) differences.push('other items in its shards');
    if (previous.payloadHash !== manifest.payloadHash) differences.push('another payload');
    if (differences.length > 0) {
      throw new InvalidArgumentError(
        fn,
        'options.runId',
        `a new run id or another outDir (${outDir} holds a run started with ${differences.join(', ')})`,
        runId,
      );
    }
  } else {
    await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const states: ShardState[] = [];
  for (let s = 0; s < shards.length; s++) {
    const dir = shardDir(outDir, s);
    await mkdir(dir, { recursive: true });
    const itemsPath = join(dir, SHARD_ITEMS);
    const exists = await readFile(itemsPath, 'utf8').then(
      () => true,
      () => false,
    );
    if (!exists) await writeFileAtomic(itemsPath, JSON.stringify(shards[s]));
    states.push({ shard: s, dir, items: shards[s]!.length, attempts: 0, stalled: 0, resumed: false });
  }

  const connection = resolveRedisConnection(redis);
  const queue = new Queue<ShardJobData, JsonValue>(queueName, { connection, prefix });
  let connectionError: Error | undefined;
  queue.on('error', (error) => {
    connectionError = error;
  });
  const bar: ProgressBar | undefined = progressBar ? createProgressBar(process.stderr) : undefined;
  const started = performance.now();
  const samples: { readonly t: number; readonly done: number }[] = [];
  let lastProgress: RunProgress | undefined;
  const jobOptions = (s: number) => ({
    jobId: shardJobId(runId, s),
    attempts,
    backoff: { type: 'exponential' as const, delay: backoffMs },
  });
  const jobData = (s: number): ShardJobData => ({
    version: 1,
    runId,
    kind,
    shard: s,
    shards: shards.length,
    dir: states[s]!.dir,
    payload: payloadJson,
  });
  const finishFromResult = (state: ShardState, result: ShardResultFile) => {
    state.result = result;
    state.attempts = Math.max(state.attempts, result.attempt);
    state.active = undefined;
  };

  try {
    // Resume: results in the run folder first, then what Redis still holds, then enqueue the rest.
    const toAdd: number[] = [];
    for (const state of states) {
      const result = await readShardResult(state.dir, runId);
      if (result !== undefined) {
        finishFromResult(state, result);
        state.resumed = true;
        continue;
      }
      const job = await queue.getJob(shardJobId(runId, state.shard));
      if (job === undefined) {
        toAdd.push(state.shard);
        continue;
      }
      if (job.data?.dir !== state.dir) {
        throw new InvalidArgumentError(
          fn,
          'options.runId',
          `a run id not used by another run (queue ${queueName} holds its jobs for ${String(job.data?.dir)})`,
          runId,
        );
      }
      const jobState = await job.getState();
      if (jobState === 'failed') {
        if (retryFailed) await job.retry('failed');
        else {
          state.reason = job.failedReason;
          state.attempts = job.attemptsStarted;
          state.stalled = job.stalledCounter;
          state.resumed = true;
        }
      } else if (jobState === 'completed') {
        // Done by a worker, yet no result here: the folder was cleared since. Run it again.
        await job.remove();
        toAdd.push(state.shard);
      }
    }
    if (toAdd.length > 0) {
      await queue.addBulk(toAdd.map((s) => ({ name: kind, data: jobData(s), opts: jobOptions(s) })));
    }

    const totalItems = states.reduce((sum, state) => sum + state.items, 0);
    const isOpen = (state: ShardState) => state.result === undefined && state.reason === undefined;
    for (;;) {
      signal?.throwIfAborted();
      const open = states.filter(isOpen);
      // State first, then the job: a job read after its state is at least as fresh (a failed job's
      // reason is written with its move to the failed set).
      const jobStates = await Promise.all(
        open.map((state) => queue.getJobState(shardJobId(runId, state.shard))),
      );
      const jobs = await Promise.all(open.map((state) => queue.getJob(shardJobId(runId, state.shard))));
      for (let k = 0; k < open.length; k++) {
        const state = open[k]!;
        const job = jobs[k];
        const jobState = jobStates[k]!;
        if (job === undefined || jobState === 'unknown') {
          // Removed from Redis behind our back (a flushed or cleaned queue): trust the folder, else enqueue.
          const result = await readShardResult(state.dir, runId);
          if (result !== undefined) finishFromResult(state, result);
          else await queue.add(kind, jobData(state.shard), jobOptions(state.shard));
          continue;
        }
        state.attempts = job.attemptsStarted;
        state.stalled = job.stalledCounter;
        if (jobState === 'completed') {
          const result = await readShardResult(state.dir, runId);
          if (result !== undefined) finishFromResult(state, result);
          else {
            state.reason = `completed by ${describeJob(job)}, but its result.json is not in ${state.dir} here: is the run folder on a filesystem shared by the workers and the coordinator?`;
          }
          state.active = undefined;
        } else if (jobState === 'failed') {
          state.reason = job.failedReason || 'failed without a reason';
          state.active = undefined;
        } else if (jobState === 'active') {
          const progress = job.progress as { done?: unknown; total?: unknown } | number;
          const done = typeof progress === 'object' && typeof progress.done === 'number' ? progress.done : 0;
          state.active = {
            shard: state.shard,
            worker: job.processedBy,
            done: Math.min(done, state.items),
            total: state.items,
            attempt: Math.max(1, job.attemptsStarted),
          };
        } else state.active = undefined;
      }

      const now = performance.now();
      let done = 0;
      let failedItems = 0;
      let quarantined = 0;
      let newlyDone = 0;
      for (const state of states) {
        if (state.result !== undefined) {
          done += state.items;
          quarantined += state.result.quarantined.length;
          if (!state.resumed) newlyDone += state.items;
        } else if (state.reason !== undefined) failedItems += state.items;
        else if (state.active !== undefined) {
          done += state.active.done;
          newlyDone += state.active.done;
        }
      }
      samples.push({ t: now, done: newlyDone });
      while (samples.length > 2 && now - samples[1]!.t >= 10_000) samples.shift();
      const first = samples[0]!;
      const rate = now > first.t ? ((newlyDone - first.done) * 1000) / (now - first.t) : 0;
      const remaining = totalItems - done - failedItems;
      const active = states.flatMap((state) =>
        state.active !== undefined && isOpen(state) ? [state.active] : [],
      );
      const progress: RunProgress = {
        runId,
        kind,
        shards: {
          total: states.length,
          completed: states.filter((state) => state.result !== undefined).length,
          failed: states.filter((state) => state.reason !== undefined).length,
          active: active.length,
          waiting: states.filter((state) => isOpen(state) && state.active === undefined).length,
        },
        items: { total: totalItems, done, failed: failedItems, quarantined },
        itemsPerSecond: rate,
        etaSeconds: remaining === 0 ? 0 : rate > 0 ? remaining / rate : undefined,
        retried: states.reduce((sum, state) => sum + Math.max(0, state.attempts - 1), 0),
        stalled: states.reduce((sum, state) => sum + state.stalled, 0),
        elapsedSeconds: (now - started) / 1000,
        active,
      };
      lastProgress = progress;
      onProgress?.(progress);
      bar?.update(progress);
      if (!states.some(isOpen)) break;
      await sleep(pollMs, undefined, signal ? { signal } : {});
    }
  } catch (error) {
    if (connectionError !== undefined && !(error instanceof InvalidArgumentError) && !signal?.aborted) {
      throw new Error(
        `${fn}: Redis at ${connection.host}:${connection.port} failed: ${connectionError.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    bar?.finish(lastProgress);
    await queue.close();
  }

  // Leftovers of attempts that died mid-write: every completed shard has its outputs in place now.
  for (const state of states) {
    if (state.result === undefined) continue;
    for (const name of await readdir(state.dir)) {
      if (isTemporaryName(name)) await rm(join(state.dir, name), { recursive: true, force: true });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const shardReports: ShardReport[] = states.map((state) => ({
    shard: state.shard,
    dir: state.dir,
    state: state.result !== undefined ? 'completed' : 'failed',
    items: state.items,
    processed: state.result?.processed ?? 0,
    quarantined: state.result?.quarantined.length ?? 0,
    files: state.result?.files ?? [],
    info: state.result?.info ?? null,
    worker: state.result?.worker,
    attempts: state.attempts,
    stalled: state.stalled,
    seconds: state.result?.seconds,
    reason: state.result !== undefined ? undefined : state.reason,
    resumed: state.resumed,
  }));
  const completedNow = states.filter((state) => state.result !== undefined && !state.resumed);
  const report: ShardedRunReport = {
    format: 'topk-cluster-report',
    version: 1,
    runId,
    kind,
    queue: queueName,
    outDir,
    shards: shardReports,
    completed: shardReports.filter((shard) => shard.state === 'completed').length,
    failed: shardReports.filter((shard) => shard.state === 'failed').length,
    items: shardReports.reduce((sum, shard) => sum + shard.items, 0),
    processed: shardReports.reduce((sum, shard) => sum + shard.processed, 0),
    quarantined: states.flatMap((state) => state.result?.quarantined ?? []),
    failures: shardReports
      .filter((shard) => shard.state === 'failed')
      .map((shard) => ({ shard: shard.shard, items: shard.items, reason: shard.reason ?? '' })),
    retried: shardReports.reduce((sum, shard) => sum + Math.max(0, shard.attempts - 1), 0),
    stalled: shardReports.reduce((sum, shard) => sum + shard.stalled, 0),
    resumed: shardReports.filter((shard) => shard.resumed).length,
    seconds,
    itemsPerSecond: seconds > 0 ? completedNow.reduce((sum, state) => sum + state.items, 0) / seconds : 0,
  };
  await writeFileAtomic(join(outDir, RUN_REPORT), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
