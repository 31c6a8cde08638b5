import { backbonesBench } from './benches/backbones.js';
import { decodeBench } from './benches/decode.js';
import { kernelsBench } from './benches/kernels.js';
import { matmulBench } from './benches/matmul.js';
import { augmentSpec, clusterSpec, epochSpec, scriptBench } from './benches/script-bench.js';
import { soakBench } from './benches/soak.js';
import { tablesBench } from './benches/tables.js';
import { trainCnnBench } from './benches/train-cnn.js';
import { trainMnetBench } from './benches/train-mnet.js';
import { REPO_ROOT } from './repo-root.js';
import type { Bench, BenchName } from './types.js';

/** Every bench by name; the typed map makes a name without a bench (or the reverse) a type error. */
export const BENCHES: Readonly<Record<BenchName, Bench>> = {
  matmul: matmulBench,
  'train-cnn': trainCnnBench,
  'train-mnet': trainMnetBench,
  decode: decodeBench(REPO_ROOT),
  augment: scriptBench(REPO_ROOT, augmentSpec),
  epoch: scriptBench(REPO_ROOT, epochSpec),
  backbones: backbonesBench,
  tables: tablesBench,
  cluster: { ...scriptBench(REPO_ROOT, clusterSpec), firstBackendOnly: true },
  soak: soakBench,
  kernels: kernelsBench,
};
