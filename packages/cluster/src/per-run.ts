/**
 * Keeps what a handler loads for a run (a model) while that run's shards come in, and disposes of it once
 * another run has started and no shard of the old one is running. A load that fails is forgotten, so
 * the next attempt loads again.
 */
export interface PerRun<T> {
  use<R>(runId: string, load: () => T | Promise<T>, work: (value: T) => Promise<R>): Promise<R>;
}

/** A {@link PerRun} cache whose evicted values go to `dispose`. */
export function perRun<T>(dispose: (value: T) => unknown): PerRun<T> {
  const entries = new Map<string, { value: Promise<T>; users: number }>();
  let latest: string | undefined;
  const evict = async () => {
    for (const [runId, entry] of entries) {
      if (runId === latest || entry.users > 0) continue;
      entries.delete(runId);
      const value = await entry.value.catch(() => undefined);
      if (value !== undefined) await dispose(value);
    }
  };
  return {
    async use(runId, load, work) {
      latest = runId;
      let entry = entries.get(runId);
      if (entry === undefined) {
        const created = { value: Promise.resolve().then(load), users: 0 };
        created.value.catch(() => {
          if (entries.get(runId) === created) entries.delete(runId);
        });
        entries.set(runId, created);
        entry = created;
      }
      entry.users++;
      try {
        return await work(await entry.value);
      } finally {
        entry.users--;
        await evict();
      }
    },
  };
}
