import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, TopkError } from '@topk/core';
import type { QuarantinedItem } from '@topk/data-pipeline';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { moveIntoPlace, temporaryPath, writeFileAtomic } from './atomic-file.js';
import { type RedisOption, resolveRedisConnection } from './redis-connection.js';
import {
  checkQueueName,
  type JsonValue,
  readShardItems,
  SHARD_ITEMS,
  SHARD_RESULT,
  type ShardItem,
  type ShardJobData,
  type ShardResultFile,
} from './run-layout.js';

/** One shard as a job handler sees it: its items, the run's payload, and ways to report and write. */
export interface ShardJob<P = JsonValue> {
  readonly runId: string;
  readonly kind: string;
  /** This shard's index, from 0, and the number of shards of the run. */
  readonly shard: number;
  readonly shards: number;
  readonly items: readonly ShardItem[];
  /** The run's payload, as the coordinator passed it. */
  readonly payload: P;
  /** The shard's folder on the shared filesystem. */
  readonly dir: string;
  /** 1 on the first try; higher when the job is retried (after a failure or a stalled worker). */
  readonly attempt: number;
  /** Reports how many of the shard's items are done (throttled before it reaches Redis). */
  progress(done: number): void;
  /** Sets one item aside with its reason (a bad image): the shard goes on, the run's report lists it. */
  quarantine(item: QuarantinedItem): void;
  /** Writes an output file of the shard atomically (temporary name, then rename) and records it. */
  writeFile(name: string, data: string | Uint8Array): Promise<string>;
  /** A temporary path in the shard folder for an output built in several steps (a folder). */
  temporaryPath(name: string): string;
  /** Renames what was built at `temporary` to its final `name` in the shard folder and records it. */
  commit(temporary: string, name: string): Promise<string>;
}

/** What a handler may return: a small JSON summary kept in the shard's result and the run report. */
export interface ShardOutcome {
  readonly info?: JsonValue;
}

/**
 * Runs one shard of one kind of job. Throw {@link ShardInputError} for input that no retry can fix (the
 * job fails at once); any other error is retried up to the run's `attempts`.
 */
// biome-ignore lint/suspicious/noExplicitAny: handlers narrow the payload they accept.
export type JobHandler<P = any> = (job: ShardJob<P>) => Promise<ShardOutcome | undefined>;

/**
 * The shard's input is unusable (an invalid payload, a model file that does not parse): the job fails
 * without retries and the reason goes into the run's report.
 */
export class ShardInputError extends TopkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SHARD_INPUT', message, options);
  }
}

/** What a worker tells {@link StartWorkerOptions.onEvent} about. */
export type WorkerEvent =
  | {
      readonly type: 'started';
      readonly runId: string;
      readonly kind: string;
      readonly shard: number;
      readonly attempt: number;
      readonly items: number;
    }
  | {
      readonly type: 'completed';
      readonly runId: string;
      readonly kind: string;
      readonly shard: number;
      readonly processed: number;
      readonly quarantined: number;
      readonly seconds: number;
    }
  | {
      readonly type: 'failed';
      readonly runId: string;
      readonly kind: string;
      readonly shard: number;
      readonly attempt: number;
      readonly reason: string;
      /** No retry is left: the shard is failed for good. */
      readonly final: boolean;
    }
  | { readonly type: 'stalled'; readonly jobId: string }
  | { readonly type: 'error'; readonly error: Error };

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** Redis URL or options. @defaultValue `REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: RedisOption | undefined;
  /** The kinds of jobs this worker runs, by name (`predict`, `cache`, `embed`, `train-member`, …). */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Jobs run at once in this process. @defaultValue 1 */
  readonly concurrency?: number;
  /** The queue to take jobs from; coordinators and workers must agree. @defaultValue 'topk' */
  readonly queue?: string;
  /** BullMQ key prefix in Redis. @defaultValue 'bull' */
  readonly prefix?: string;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the worker lives): a
   * worker that dies loses its jobs to the others this long after its last renewal.
   * @defaultValue 30_000
   */
  readonly lockDuration?: number;
  /** How often this worker looks for jobs whose worker died. @defaultValue 30_000 */
  readonly stalledInterval?: number;
  /** Times a job may be taken back from a dead worker before it fails. @defaultValue 2 */
  readonly maxStalledCount?: number;
  /** Least time between two progress updates of a job. @defaultValue 250 */
  readonly progressIntervalMs?: number;
  /** Shown on jobs it processes (BullMQ's `processedBy`) and in run reports. @defaultValue `host:pid` */
  readonly name?: string;
  /** Called on job starts, completions, failures, stalled jobs and connection errors. */
  readonly onEvent?: (event: WorkerEvent) => void;
}

/** A running worker. */
export interface ClusterWorker {
  readonly name: string;
  readonly queue: string;
  /** Resolves once the worker is connected and waiting for jobs. */
  ready(): Promise<void>;
  /**
   * Stops taking jobs and waits for the running ones to finish (`force`: abandon them at once; they go
   * back to the queue when their locks expire).
   */
  close(options?: { readonly force?: boolean }): Promise<void>;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkPositiveInteger(fn: string, argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new InvalidArgumentError(fn, argument, 'a positive integer', value);
  }
  return value as number;
}

function checkJobData(data: unknown): ShardJobData {
  const d = data as Partial<ShardJobData> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    d.version !== 1 ||
    typeof d.runId !== 'string' ||
    typeof d.kind !== 'string' ||
    !Number.isSafeInteger(d.shard) ||
    !Number.isSafeInteger(d.shards) ||
    typeof d.dir !== 'string'
  ) {
    throw new UnrecoverableError(
      `job data is not a topk shard (version 1): ${JSON.stringify(data)?.slice(0, 200)}`,
    );
  }
  return d as ShardJobData;
}

/**
 * Starts a worker: it takes shard jobs from the queue, runs the handler registered for each job's kind,
 * reports progress, writes outputs atomically into the run folder (which must be on a filesystem every
 * worker and the coordinator see at the same path) and finishes each shard with its `result.json`. A
 * worker only connects out to Redis; it listens on no port. A worker killed mid-job loses nothing: its
 * lock expires and another worker's stalled-job check puts the job back in the queue.
 *
 * This is what `topk worker --redis URL --concurrency N` runs.
 */
export function startWorker(options: StartWorkerOptions): ClusterWorker {
  const fn = 'startWorker';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      fn,
      'options',
      'an object { handlers, redis?, concurrency?, ... }',
      options,
    );
  }
  const {
    redis,
    handlers,
    concurrency = 1,
    queue = 'topk',
    prefix = 'bull',
    lockDuration = 30_000,
    stalledInterval = 30_000,
    maxStalledCount = 2,
    progressIntervalMs = 250,
    name = `${hostname()}:${process.pid}`,
    onEvent,
  } = options;
  if (typeof handlers !== 'object' || handlers === null || Object.keys(handlers).length === 0) {
    throw new InvalidArgumentError(
      fn,
      'options.handlers',
      'an object mapping job kinds to handlers',
      handlers,
    );
  }
  for (const [kind, handler] of Object.entries(handlers)) {
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError(fn, `options.handlers[${JSON.stringify(kind)}]`, 'a function', handler);
    }
  }
  checkPositiveInteger(fn, 'options.concurrency', concurrency);
  checkQueueName(fn, 'options.queue', queue);
  checkPositiveInteger(fn, 'options.lockDuration', lockDuration);
  checkPositiveInteger(fn, 'options.stalledInterval', stalledInterval);
  checkPositiveInteger(fn, 'options.maxStalledCount', maxStalledCount);
  if (!Number.isFinite(progressIntervalMs) || progressIntervalMs < 0) {
    throw new InvalidArgumentError(fn, 'options.progressIntervalMs', 'a number >= 0', progressIntervalMs);
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(fn, 'options.name', 'a non-empty string', name);
  }
  const connection = resolveRedisConnection(redis);
  const emit = (event: WorkerEvent) => {
    try {
      onEvent?.(event);
    } catch {
      // A listener's bug must not fail the job.
    }
  };

  const processShard = async (job: Job<ShardJobData>): Promise<JsonValue> => {
    const data = checkJobData(job.data);
    const handler = handlers[data.kind];
    if (handler === undefined) {
      // Retryable: another worker of a mixed pool may know this kind.
      throw new Error(
        `worker ${name} has no handler for jobs of kind "${data.kind}" (it runs ${Object.keys(handlers).join(', ')})`,
      );
    }
    const started = performance.now();
    const attempt = Math.max(1, job.attemptsStarted);
    let items: ShardItem[];
    try {
      items = await readShardItems(data.dir);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') {
        // Retryable: this machine may not see the shared folder, another may.
        throw new Error(
          `worker ${name} cannot read ${join(data.dir, SHARD_ITEMS)}: is the run folder on a filesystem shared by all workers?`,
        );
      }
      throw new UnrecoverableError(
        `shard listing ${join(data.dir, SHARD_ITEMS)} is unusable: ${String(error)}`,
      );
    }
    emit({
      type: 'started',
      runId: data.runId,
      kind: data.kind,
      shard: data.shard,
      attempt,
      items: items.length,
    });

    const quarantined: QuarantinedItem[] = [];
    const files = new Set<string>();
    let done = 0;
    let lastSent = Number.NEGATIVE_INFINITY;
    let sending: Promise<void> = Promise.resolve();
    const send = () => {
      lastSent = performance.now();
      const progress = { done, total: items.length, quarantined: quarantined.length };
      // Progress is advisory: a failed update (a lost lock) must not fail the shard.
      sending = sending.then(() => job.updateProgress(progress).catch(() => undefined));
    };
    const checkName = (what: string, fileName: string) => {
      if (
        typeof fileName !== 'string' ||
        !FILE_NAME.test(fileName) ||
        fileName === SHARD_ITEMS ||
        fileName === SHARD_RESULT
      ) {
        throw new InvalidArgumentError(
          `ShardJob.${what}`,
          'name',
          'a plain file name (letters, digits, ".", "_", "-"), not items.json or result.json',
          fileName,
        );
      }
    };
    const context: ShardJob = {
      runId: data.runId,
      kind: data.kind,
      shard: data.shard,
      shards: data.shards,
      items,
      payload: data.payload,
      dir: data.dir,
      attempt,
      progress(count) {
        done = count;
        if (performance.now() - lastSent >= progressIntervalMs) send();
      },
      quarantine(item) {
        quarantined.push(item);
      },
      async writeFile(fileName, contents) {
        checkName('writeFile', fileName);
        const path = join(data.dir, fileName);
        await writeFileAtomic(path, contents);
        files.add(fileName);
        return path;
      },
      temporaryPath(fileName) {
        checkName('temporaryPath', fileName);
        return temporaryPath(join(data.dir, fileName));
      },
      async commit(temporary, fileName) {
        checkName('commit', fileName);
        const path = join(data.dir, fileName);
        await moveIntoPlace(temporary, path);
        files.add(fileName);
        return path;
      },
    };
    let outcome: ShardOutcome | undefined;
    try {
      outcome = await handler(context);
    } catch (error) {
      if (error instanceof ShardInputError || (error as { code?: unknown }).code === 'SHARD_INPUT') {
        throw new UnrecoverableError((error as Error).message);
      }
      throw error;
    }
    done = items.length;
    send();
    await sending;
    const seconds = (performance.now() - started) / 1000;
    const result: ShardResultFile = {
      format: 'topk-cluster-shard',
      version: 1,
      runId: data.runId,
      kind: data.kind,
      shard: data.shard,
      items: items.length,
      processed: items.length - new Set(quarantined.map((q) => q.id)).size,
      quarantined,
      files: [...files],
      info: outcome?.info ?? null,
      worker: name,
      attempt,
      seconds,
    };
    await writeFileAtomic(join(data.dir, SHARD_RESULT), `${JSON.stringify(result)}\n`);
    emit({
      type: 'completed',
      runId: data.runId,
      kind: data.kind,
      shard: data.shard,
      processed: result.processed,
      quarantined: quarantined.length,
      seconds,
    });
    return { processed: result.processed, quarantined: quarantined.length, worker: name };
  };

  const worker = new Worker<ShardJobData, JsonValue>(queue, processShard, {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    name,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const data = job.data as Partial<ShardJobData>;
    emit({
      type: 'failed',
      runId: String(data.runId),
      kind: job.name,
      shard: Number(data.shard),
      attempt: Math.max(1, job.attemptsStarted),
      reason: error.message,
      final: error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1),
    });
  });
  worker.on('stalled', (jobId) => emit({ type: 'stalled', jobId }));
  worker.on('error', (error) => emit({ type: 'error', error }));
  return {
    name,
    queue,
    async ready() {
      await worker.waitUntilReady();
    },
    async close(closeOptions = {}) {
      await worker.close(closeOptions.force === true);
    },
  };
}
