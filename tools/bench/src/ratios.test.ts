import { describe, expect, it } from 'vitest';
import { checkParams, computeRatios } from './ratios.js';
import { averageTorch, parseTorchOutput } from './torch.js';
import type { BenchResult, TorchReference } from './types.js';

// A real line printed by ../shared/reference/torch_train_step.py on this machine.
const TORCH_LINE =
  '{"torch": "1.13.0a0", "threads": 2, "mkldnn": true, "matmul_gflops": 5.57, "cnn": {"imgPerSec": 346.0, "secPerStep": 0.185, "params": 183242, "predictImgPerSec": 392.4}, "mnet": {"imgPerSec": 343.8, "secPerStep": 0.186, "params": 126154, "predictImgPerSec": 736.0}}';

const result = (
  bench: BenchResult['bench'],
  backend: BenchResult['backend'],
  metric: string,
  value: number,
): BenchResult => ({
  bench,
  backend,
  metric,
  value,
  unit: metric === 'matmul' ? 'GFLOP/s' : 'img/s',
  iterations: 1,
  seconds: 1,
});

describe('parseTorchOutput', () => {
  it('reads the last JSON line, ignoring warnings printed before it', () => {
    const torch = parseTorchOutput(`UserWarning: something\n${TORCH_LINE}\n`);
    expect(torch.matmul_gflops).toBe(5.57);
    expect(torch.cnn.params).toBe(183242);
    expect(torch.mnet.predictImgPerSec).toBe(736);
  });

  it('throws naming what is missing or absent', () => {
    expect(() => parseTorchOutput('Traceback ...')).toThrow('Error in parseTorchOutput: no JSON line');
    expect(() => parseTorchOutput('{"matmul_gflops": 1, "cnn": {}}')).toThrow(
      'expected matmul_gflops, cnn and mnet',
    );
  });
});

describe('computeRatios', () => {
  const torch: TorchReference = parseTorchOutput(TORCH_LINE);

  it('divides topk by torch per backend, with the goals of shared/reference/README.md', () => {
    const ratios = computeRatios(
      [
        result('matmul', 'wasm', 'matmul', 22.28),
        result('matmul', 'cpu', 'matmul', 0.557),
        result('train-cnn', 'wasm', 'train', 173),
        result('train-cnn', 'wasm', 'predict', 784.8),
        result('train-mnet', 'wasm', 'train', 687.6),
        result('train-mnet', 'cpu', 'predict', 73.6),
      ],
      torch,
    );
    expect(ratios.map((r) => [r.bench, r.backend, r.metric, r.torch, r.goal])).toEqual([
      ['matmul', 'wasm', 'matmul', 5.57, undefined],
      ['matmul', 'cpu', 'matmul', 5.57, undefined],
      ['train-cnn', 'wasm', 'train', 346, 1],
      ['train-cnn', 'wasm', 'predict', 392.4, 1.5],
      ['train-mnet', 'wasm', 'train', 343.8, 1],
      ['train-mnet', 'cpu', 'predict', 736, 1.5],
    ]);
    const values = ratios.map((r) => r.ratio);
    [4, 0.1, 0.5, 2, 2, 0.1].forEach((want, i) => {
      expect(values[i]).toBeCloseTo(want, 10);
    });
  });

  it('leaves out figures PyTorch has no counterpart for, or a zero one', () => {
    expect(computeRatios([result('matmul', 'wasm', 'load', 1)], torch)).toEqual([]);
    expect(computeRatios([result('matmul', 'wasm', 'matmul', 1)], { ...torch, matmul_gflops: 0 })).toEqual(
      [],
    );
  });
});

describe('checkParams', () => {
  it('compares with the counts PyTorch printed, or reports topk alone', () => {
    const torch = parseTorchOutput(TORCH_LINE);
    const counts = new Map([
      ['train-cnn', 183242],
      ['train-mnet', 126155],
    ] as const);
    expect(checkParams(counts, torch)).toEqual([
      { bench: 'train-cnn', topk: 183242, torch: 183242, match: true },
      { bench: 'train-mnet', topk: 126155, torch: 126154, match: false },
    ]);
    expect(checkParams(counts, undefined)).toEqual([
      { bench: 'train-cnn', topk: 183242 },
      { bench: 'train-mnet', topk: 126155 },
    ]);
  });
});

describe('averageTorch', () => {
  it('averages every figure of the runs', () => {
    const run = (k: number) => ({
      torch: '1.13',
      threads: 2,
      mkldnn: true,
      matmul_gflops: 4 * k,
      cnn: { imgPerSec: 100 * k, secPerStep: 0.5 * k, params: 183242, predictImgPerSec: 200 * k },
      mnet: { imgPerSec: 10 * k, secPerStep: 6 * k, params: 126154, predictImgPerSec: 20 * k },
    });
    const mean = averageTorch([run(1), run(2)]);
    expect(mean.matmul_gflops).toBe(6);
    expect(mean.cnn).toEqual({ imgPerSec: 150, secPerStep: 0.75, params: 183242, predictImgPerSec: 300 });
    expect(mean.mnet.imgPerSec).toBe(15);
    expect(() => averageTorch([])).toThrow(/at least one run/);
  });
});
