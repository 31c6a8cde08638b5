import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BackendName } from '@topk/core';
import type { Bench, Measurement } from '../types.js';

/** How to run one package's own bench script and read its JSON. */
export interface ScriptBenchSpec {
  readonly name: Bench['name'];
  readonly description: string;
  /** The script, relative to the repository root. */
  readonly script: string;
  readonly args: (backend: BackendName) => readonly string[];
  readonly measurements: (json: unknown) => readonly Measurement[];
  readonly trains: boolean;
}

/**
 * A bench that runs a package's own bench script in a child process (`node --conditions=source --import
 * tsx`), so that the package stays the owner of what it measures, and reads the JSON it prints.
 */
export function scriptBench(repoRoot: string, spec: ScriptBenchSpec): Bench {
  return {
    name: spec.name,
    description: spec.description,
    trains: spec.trains,
    async run({ backend, log }) {
      const out = execFileSync(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', join(repoRoot, spec.script), ...spec.args(backend)],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 15 * 60_000,
          maxBuffer: 1 << 26,
        },
      );
      const start = out.indexOf('{');
      const json = JSON.parse(out.slice(start)) as unknown;
      const measurements = spec.measurements(json);
      for (const m of measurements) log(`${m.metric} ${m.value} ${m.unit}`);
      return { measurements, notes: [] };
    },
  };
}

/** `packages/augmentations/bench/augment.ts`: standard and heavy presets at 224x224, batch 32. */
export const augmentSpec: ScriptBenchSpec = {
  name: 'augment',
  description: 'augmentation presets light / standard / heavy on a batch of 32 at 224x224',
  script: 'packages/augmentations/bench/augment.ts',
  args: (backend) => ['--backend', backend, '--batch', '32', '--size', '224', '--iterations', '3'],
  measurements: (json) => {
    const { results } = json as { results: Record<string, { imagesPerSecond: number }> };
    return Object.entries(results).map(([preset, r]) => ({
      metric: preset,
      value: r.imagesPerSecond,
      unit: 'img/s',
      iterations: 3,
      seconds: (3 * 32) / r.imagesPerSecond,
    }));
  },
  trains: false,
};

/** `packages/training/bench/epoch.ts`: data + augmentation + Learner train step over an epoch. */
export const epochSpec: ScriptBenchSpec = {
  name: 'epoch',
  description:
    'end-to-end training epoch (data + augment + train step), simple CNN on the Fashion-MNIST subset',
  script: 'packages/training/bench/epoch.ts',
  args: (backend) => ['--backends', backend, ...(backend === 'cpu' ? ['--images', '256'] : [])],
  measurements: (json) =>
    (json as { results: { value: number; images: number; seconds: number }[] }).results.map((r) => ({
      metric: 'train-epoch',
      value: Number(r.value.toFixed(1)),
      unit: 'img/s',
      iterations: r.images,
      seconds: r.seconds,
    })),
  trains: true,
};

/**
 * `packages/cluster/bench/predict-workers.ts`: sharded predict images/s over Redis with 1 and 2 worker
 * processes, beside one process without a queue (needs redis-server).
 */
export const clusterSpec: ScriptBenchSpec = {
  name: 'cluster',
  description:
    'sharded predict over BullMQ + Redis: in-process vs 1 and 2 worker processes (needs redis-server)',
  script: 'packages/cluster/bench/predict-workers.ts',
  args: () => ['--images', '600', '--repeats', '2'],
  measurements: (json) =>
    (
      json as { results: { model: string; mode: string; workers: number; images: number; best: number }[] }
    ).results.map((r) => ({
      metric: `${r.model} ${r.mode === 'in-process' ? 'in-process' : `${r.workers} worker${r.workers === 1 ? '' : 's'}`}`,
      value: r.best,
      unit: 'img/s',
      iterations: r.images,
      seconds: r.images / r.best,
    })),
  trains: false,
};
