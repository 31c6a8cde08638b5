import type { BenchName, BenchResult, ParamCheck, Ratio, TorchNetFigures, TorchReference } from './types.js';

interface TorchCounterpart {
  readonly value: (torch: TorchReference) => number;
  /** From `../shared/reference/README.md`: train ≥ 1.0×, predict ≥ 1.5× PyTorch. */
  readonly goal?: number;
}

const NETS: Partial<Record<BenchName, 'cnn' | 'mnet'>> = { 'train-cnn': 'cnn', 'train-mnet': 'mnet' };

function net(torch: TorchReference, bench: BenchName): TorchNetFigures | undefined {
  const key = NETS[bench];
  return key === undefined ? undefined : torch[key];
}

/** The PyTorch figure each topk figure is compared with, by `bench/metric`. */
const COUNTERPARTS: Readonly<Record<string, TorchCounterpart>> = {
  'matmul/matmul': { value: (t) => t.matmul_gflops },
  'train-cnn/train': { value: (t) => t.cnn.imgPerSec, goal: 1 },
  'train-cnn/predict': { value: (t) => t.cnn.predictImgPerSec, goal: 1.5 },
  'train-mnet/train': { value: (t) => t.mnet.imgPerSec, goal: 1 },
  'train-mnet/predict': { value: (t) => t.mnet.predictImgPerSec, goal: 1.5 },
  // tfjs-layers' own model.predict, without topk's batch-norm folding: shown, no goal.
  'train-cnn/predict-layers': { value: (t) => t.cnn.predictImgPerSec },
  'train-mnet/predict-layers': { value: (t) => t.mnet.predictImgPerSec },
  // PIL + torchvision DataLoader with 1 and 2 workers (`pil_pipeline.py`); goal ≥ 2×.
  'decode/decodeResize_w1': { value: (t) => t.pil?.decodeResize_w1 ?? Number.NaN, goal: 2 },
  'decode/decodeResize_w2': { value: (t) => t.pil?.decodeResize_w2 ?? Number.NaN, goal: 2 },
  'decode/decodeAugment_w1': { value: (t) => t.pil?.decodeAugment_w1 ?? Number.NaN, goal: 2 },
  'decode/decodeAugment_w2': { value: (t) => t.pil?.decodeAugment_w2 ?? Number.NaN, goal: 2 },
};

/**
 * topk / PyTorch for every result that has a PyTorch counterpart (matmul GFLOP/s; train and predict img/s of
 * both nets), one entry per backend. Results without one, or against a zero or non-finite PyTorch figure,
 * are left out.
 */
export function computeRatios(results: readonly BenchResult[], torch: TorchReference): Ratio[] {
  const ratios: Ratio[] = [];
  for (const result of results) {
    const counterpart = COUNTERPARTS[`${result.bench}/${result.metric}`];
    if (counterpart === undefined) continue;
    const reference = counterpart.value(torch);
    if (!Number.isFinite(reference) || reference <= 0) continue;
    ratios.push({
      bench: result.bench,
      backend: result.backend,
      metric: result.metric,
      topk: result.value,
      torch: reference,
      ratio: result.value / reference,
      ...(counterpart.goal === undefined ? {} : { goal: counterpart.goal }),
    });
  }
  return ratios;
}

/** Compares trainable-parameter counts of topk's nets with the counts the PyTorch script printed. */
export function checkParams(
  counts: ReadonlyMap<BenchName, number>,
  torch: TorchReference | undefined,
): ParamCheck[] {
  return [...counts].map(([bench, topk]) => {
    const reference = torch === undefined ? undefined : net(torch, bench)?.params;
    return reference === undefined
      ? { bench, topk }
      : { bench, topk, torch: reference, match: topk === reference };
  });
}
