import type { Worker } from 'node:worker_threads';
import { InvalidArgumentError, TopkError } from '@topk/core';
import { isNode } from './read-source.js';
import { type DecodeTask, postableTask, type TaskOutcome } from './run-task.js';
import type { SharpFailOn } from './sharp-decoder.js';

/** Options of {@link createDecodePool}. */
export interface DecodePoolOptions {
  /**
   * Worker threads.
   * @defaultValue {@link defaultWorkerCount} of this machine's cores
   */
  readonly workers?: number;
  /**
   * Tasks in flight per worker. sharp does its work on libuv's thread pool (4 threads by default, shared
   * by every thread of the process), so one worker needs several images in flight to keep it busy.
   * @defaultValue 4
   */
  readonly tasksPerWorker?: number;
  /** sharp's `failOn` in the workers; see {@link SharpDecoderOptions}. @defaultValue 'warning' */
  readonly failOn?: SharpFailOn;
}

/**
 * Worker threads that decode with sharp, shared by batch streams, {@link checkDataset} and
 * {@link writeCache}. Idle workers do not keep the process alive; `close()` ends them.
 *
 * What the threads buy: sharp already decodes off the JavaScript thread (on libuv's pool), but reading
 * the result, normalising it to float32 and the per-image bookkeeping are JavaScript work; in workers it
 * leaves the main thread free for the training step.
 */
export interface DecodePool {
  /** Number of worker threads. */
  readonly size: number;
  /** Runs a task on the next free worker (first come, first served); never rejects for bad images. */
  run(task: DecodeTask): Promise<TaskOutcome>;
  /** Ends the workers; tasks still queued are quarantined with reason "pool closed". */
  close(): Promise<void>;
}

/**
 * Worker threads for a machine with `cores` cores: one core stays with the training loop, and more than
 * 4 rarely pays, as sharp's own work also runs on libuv's 4 threads.
 *
 * @param cores - `os.availableParallelism()`.
 */
export function defaultWorkerCount(cores: number): number {
  if (!Number.isInteger(cores) || cores < 1) {
    throw new InvalidArgumentError('defaultWorkerCount', 'cores', 'a positive integer', cores);
  }
  return Math.max(1, Math.min(4, cores - 1));
}

/** {@link defaultWorkerCount} for this machine (Node only). */
export async function machineWorkerCount(): Promise<number> {
  const { availableParallelism } = await import('node:os');
  return defaultWorkerCount(availableParallelism());
}

interface Pending {
  readonly task: DecodeTask;
  readonly resolve: (outcome: TaskOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Map<number, Pending>;
  dead: boolean;
}

async function spawnWorker(failOn: SharpFailOn): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  const here = import.meta.url;
  const workerData = { failOn };
  if (here.endsWith('.ts')) {
    // Running from TypeScript sources (tests, benches under tsx): a worker does not inherit the tsx
    // loader, so it registers it before importing the worker module.
    const { createRequire } = await import('node:module');
    const { pathToFileURL } = await import('node:url');
    const tsxApi = pathToFileURL(
      createRequire(here)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const entry = new URL('./decode-worker.ts', here).href;
    const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=source'] });
  }
  const file = here.endsWith('.cjs') ? './decode-worker.cjs' : './decode-worker.js';
  return new Worker(new URL(file, here), { workerData });
}

function waitReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { ready?: boolean; error?: string }) => {
      if (message.ready === undefined) return;
      cleanup();
      if (message.ready) resolve();
      else reject(new TopkError('WORKER_START', `decode worker could not start: ${message.error}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(
        new TopkError('WORKER_START', `decode worker could not start: ${error.message}`, { cause: error }),
      );
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new TopkError('WORKER_START', `decode worker exited with code ${code} while starting`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

class WorkerPool implements DecodePool {
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #tasksPerWorker: number;
  readonly #failOn: SharpFailOn;
  #nextId = 0;
  #closed = false;

  constructor(size: number, tasksPerWorker: number, failOn: SharpFailOn) {
    this.size = size;
    this.#tasksPerWorker = tasksPerWorker;
    this.#failOn = failOn;
  }

  async start(): Promise<void> {
    const workers = await Promise.all(Array.from({ length: this.size }, () => spawnWorker(this.#failOn)));
    try {
      await Promise.all(workers.map(waitReady));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    for (const worker of workers) this.#attach({ worker, inFlight: new Map(), dead: false });
  }

  #attach(slot: Slot): void {
    const { worker } = slot;
    worker.on('message', (message: { id?: number; outcome?: TaskOutcome }) => {
      if (message.id === undefined || message.outcome === undefined) return;
      const pending = slot.inFlight.get(message.id);
      if (pending === undefined) return;
      slot.inFlight.delete(message.id);
      pending.resolve(message.outcome);
      this.#pump();
    });
    const fail = (reason: string) => {
      if (this.#closed || slot.dead) return;
      slot.dead = true;
      // A crash takes the worker's tasks with it: quarantine them rather than stop the pipeline.
      for (const pending of slot.inFlight.values()) {
        pending.resolve({ ok: false, code: 'decode-error', reason: `decode worker crashed: ${reason}` });
      }
      slot.inFlight.clear();
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      void worker.terminate();
      this.#respawn();
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    worker.unref();
    this.#slots.push(slot);
    this.#pump();
  }

  #respawn(): void {
    spawnWorker(this.#failOn)
      .then(async (worker) => {
        await waitReady(worker);
        if (this.#closed) await worker.terminate();
        else this.#attach({ worker, inFlight: new Map(), dead: false });
      })
      .catch((error: unknown) => {
        if (this.#slots.length > 0) return;
        // No worker left and none can start: fail what waits instead of hanging.
        for (const pending of this.#queue.splice(0)) pending.reject(error);
      });
  }

  run(task: DecodeTask): Promise<TaskOutcome> {
    if (this.#closed)
      return Promise.reject(new TopkError('POOL_CLOSED', 'Error in DecodePool.run: the pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ task: postableTask(task), resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of this.#slots) {
        if (slot.inFlight.size < this.#tasksPerWorker && (!best || slot.inFlight.size < best.inFlight.size)) {
          best = slot;
        }
      }
      if (best === undefined) break;
      const pending = this.#queue.shift()!;
      const id = this.#nextId++;
      best.inFlight.set(id, pending);
      best.worker.ref();
      best.worker.postMessage({ id, task: pending.task });
    }
    // Idle workers must not keep the process alive if the user forgets close().
    for (const slot of this.#slots) if (slot.inFlight.size === 0) slot.worker.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) {
      pending.resolve({
        ok: false,
        code: 'decode-error',
        reason: 'pool closed before the image was decoded',
      });
    }
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      for (const pending of slot.inFlight.values()) {
        pending.resolve({
          ok: false,
          code: 'decode-error',
          reason: 'pool closed before the image was decoded',
        });
      }
      slot.inFlight.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}

/**
 * Starts `workers` decode threads (Node only) and resolves once each has loaded sharp.
 *
 * @example
 * ```ts
 * const pool = await createDecodePool({ workers: 2 });
 * const train = createBatchStream(split.train, { batchSize: 64, resize, pool });
 * const valid = createBatchStream(split.valid, { batchSize: 64, resize, pool });
 * // ...
 * await pool.close();
 * ```
 */
export async function createDecodePool(options: DecodePoolOptions = {}): Promise<DecodePool> {
  const fn = 'createDecodePool';
  const {
    workers = isNode() ? await machineWorkerCount() : 1,
    tasksPerWorker = 4,
    failOn = 'warning',
  } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new InvalidArgumentError(fn, 'options.workers', 'an integer in [1, 256]', workers);
  }
  if (!Number.isInteger(tasksPerWorker) || tasksPerWorker < 1) {
    throw new InvalidArgumentError(fn, 'options.tasksPerWorker', 'a positive integer', tasksPerWorker);
  }
  if (!['none', 'truncated', 'error', 'warning'].includes(failOn)) {
    throw new InvalidArgumentError(fn, 'options.failOn', 'one of none, truncated, error, warning', failOn);
  }
  if (!isNode()) {
    throw new TopkError(
      'UNSUPPORTED',
      `Error in ${fn}: worker threads need Node; use workers: 0 in a browser`,
    );
  }
  const pool = new WorkerPool(workers, tasksPerWorker, failOn);
  await pool.start();
  return pool;
}
