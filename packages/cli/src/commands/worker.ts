import { z } from 'zod';
import { createClusterHandlers } from '../cluster-handlers.js';
import { defineCommand } from '../command.js';
import { backendFlag, type FlagSchema, integerValue, valueFlag } from '../flags.js';
import { activateBackend } from '../run-model.js';

/** `--redis`: a `redis://` or `rediss://` URL. */
export function redisUrlValue(): FlagSchema<string, string> {
  const expected = 'a redis://[user[:password]@]host[:port][/db] or rediss:// URL';
  return () =>
    z.string().refine((s) => {
      try {
        const url = new URL(s);
        return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
      } catch {
        return false;
      }
    }, expected);
}

/** `--queue`: a BullMQ queue name. */
export function queueValue(): FlagSchema<string, string> {
  return () => z.string().regex(/^[A-Za-z0-9._-]+$/, 'a name of letters, digits, ".", "_" or "-"');
}

/** `topk worker`: take sharded jobs (predict, embed, cache, train-member) from a Redis queue until stopped. */
export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run a cluster worker: take predict, embed, cache and train-member shards from a Redis queue',
  description:
    'Starts a @topk/cluster worker (BullMQ) that connects out to Redis and runs the shards topk cluster enqueues: predict (loads the run directory named by the job, once per directory, and predicts with the code of topk predict), embed (the features topk embed computes, from the same run directory) and cache (decodes and resizes images into a cache). Inputs and outputs are paths on a filesystem every machine mounts at the same place. Prints one line per shard; stops on SIGINT or SIGTERM after the running shards finish (a second signal abandons them: they go back to the queue).',
  flags: {
    redis: valueFlag(redisUrlValue(), {
      valueName: 'URL',
      required: true,
      description: 'the Redis server, e.g. redis://redis.internal:6379',
    }),
    concurrency: valueFlag(integerValue({ min: 1, max: 64 }), {
      valueName: 'N',
      default: '1',
      description: 'shards run at once in this process',
    }),
    queue: valueFlag(queueValue(), {
      valueName: 'NAME',
      default: 'topk',
      description: 'the queue; topk cluster must use the same',
    }),
    batchSize: valueFlag(integerValue({ min: 1, max: 4096 }), {
      valueName: 'N',
      default: '64',
      description: 'images per model call in predict shards',
    }),
    backend: backendFlag(),
    stalledMs: valueFlag(integerValue({ min: 100, max: 3_600_000 }), {
      valueName: 'MS',
      default: '30000',
      description:
        "lock time of a running shard and interval of the check for dead workers' shards: a killed worker's shards go back to the queue within about twice this",
    }),
  },
  examples: ['topk worker --redis redis://redis.internal:6379 --concurrency 2'],
  async run(flags, { io }) {
    const cluster = await import('@topk/cluster');
    // 'train': the worker also trains ensemble members; a backend that can train also predicts.
    await activateBackend(flags.backend, 'train');
    const { handlers, dispose } = await createClusterHandlers({ batchSize: flags.batchSize });
    const worker = cluster.startWorker({
      redis: flags.redis,
      queue: flags.queue,
      concurrency: flags.concurrency,
      lockDuration: flags.stalledMs,
      stalledInterval: flags.stalledMs,
      handlers,
      onEvent(event) {
        if (event.type === 'completed')
          io.stdout.write(
            `${event.runId} ${event.kind} shard ${event.shard}: ${event.processed} items, ${event.quarantined} quarantined, ${event.seconds.toFixed(1)} s\n`,
          );
        else if (event.type === 'failed')
          io.stderr.write(
            `${event.runId} ${event.kind} shard ${event.shard} failed (attempt ${event.attempt}${event.final ? ', final' : ''}): ${event.reason}\n`,
          );
        else if (event.type === 'error') io.stderr.write(`worker: ${event.error.message}\n`);
      },
    });
    try {
      await worker.ready();
      const shown = cluster.describeRedisConnection(cluster.resolveRedisConnection(flags.redis, {}));
      io.stdout.write(`worker ${worker.name}: waiting for shards on queue ${worker.queue} at ${shown}\n`);
      let signals = 0;
      let stop = () => {};
      await new Promise<void>((resolve) => {
        stop = () => {
          signals++;
          if (signals === 1) resolve();
          else void worker.close({ force: true });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      io.stdout.write('stopping: waiting for the running shards\n');
      await worker.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      return 0;
    } finally {
      await worker.close();
      dispose();
    }
  },
});
