import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLr } from './find-lr.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('findLr', () => {
  it('sweeps exponentially from startLr to endLr and smooths with bias correction', async () => {
    const seen: number[] = [];
    const asked: number[] = [];
    const result = await findLr(
      (lr, index) => {
        seen.push(index);
        asked.push(lr);
        return [4, 2, 1, 8][index]!;
      },
      { startLr: 1e-3, endLr: 1, numSteps: 4, beta: 0.5, divergence: 4 },
    );
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(asked).toEqual(result.lrs);
    // lr_i = 1e-3 · 1000^(i/3): one decade per step.
    expect(result.lrs.map((lr) => Number(lr.toPrecision(12)))).toEqual([1e-3, 1e-2, 1e-1, 1]);
    expect(result.losses).toEqual([4, 2, 1, 8]);
    // avg: 2, 2, 1.5, 4.75; smoothed = avg / (1 − 0.5^(i+1)): 4, 2/0.75, 1.5/0.875, 4.75/0.9375.
    const expected = [4, 2.6666666666666665, 1.7142857142857142, 5.066666666666666];
    result.smoothedLosses.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 12);
    });
    expect(result.bestLoss).toBeCloseTo(1.7142857142857142, 12);
    // 5.07 < 4 · 1.71: not diverged.
    expect(result.stopReason).toBe('completed');
  });

  it('stops on divergence (the diverging point is recorded) and on a non-finite loss (not recorded)', async () => {
    const losses = [4, 2, 1, 8, 1];
    const diverged = await findLr((_, i) => losses[i]!, { numSteps: 5, beta: 0.5, divergence: 2 });
    // 5.07 > 2 · 1.71 at index 3.
    expect(diverged.stopReason).toBe('diverged');
    expect(diverged.losses).toEqual([4, 2, 1, 8]);
    const nan = await findLr(async (_, i) => (i === 2 ? Number.NaN : 1), { numSteps: 5 });
    expect(nan.stopReason).toBe('nonFinite');
    expect(nan.losses).toEqual([1, 1]);
    const all = await findLr((_, i) => losses[i]!, {
      numSteps: 5,
      beta: 0.5,
      divergence: 2,
      stopOnDivergence: false,
    });
    expect(all.losses).toEqual(losses);
  });

  it('suggests from the trimmed smoothed curve, or the whole curve when trimming leaves too little', async () => {
    const curve = (lr: number): number => 1 + (Math.log10(lr) + 2) ** 2; // lowest at lr = 1e-2
    const result = await findLr(curve, { startLr: 1e-5, endLr: 1e1, numSteps: 61, beta: 0 });
    // beta 0: no smoothing. Minimum of the curve at 1e-2 (index 30), minimum() suggests 1e-3.
    expect(result.suggestions.minimum?.index).toBe(30);
    expect(result.suggestions.minimum?.lr).toBeCloseTo(1e-3, 12);
    // Steepest descent against log lr is at the first point kept (index ⌊61/10⌋ = 6).
    expect(result.suggestions.steep?.index).toBe(6);
    const short = await findLr((_, i) => [3, 2, 1][i]!, { numSteps: 3, beta: 0 });
    expect(short.suggestions.minimum?.index).toBe(2);
    const single = await findLr(() => 1, { numSteps: 2, endLr: 1e-6, startLr: 1e-7, divergence: 1e-9 });
    expect(single.losses).toHaveLength(1);
    expect(single.suggestions).toEqual({ valley: null, steep: null, minimum: null });
  });

  it('finds a sensible rate for SGD on a real linear regression (tfjs, cpu)', async () => {
    // y = X·[2, −3] + 0.5 + 0.1·noise, 64 samples, fitted by full-batch SGD on mean squared error.
    const rng = new Rng('find-lr-linear-regression');
    const n = 64;
    const xs = Float32Array.from({ length: n * 2 }, () => rng.normal());
    const ys = Float32Array.from(
      { length: n },
      (_, i) => 2 * xs[2 * i]! - 3 * xs[2 * i + 1]! + 0.5 + 0.1 * rng.normal(),
    );

    // Gradient descent on this quadratic diverges above lr = 2 / λmax(H), H = (2/n)·AᵀA with A = [X, 1].
    const h = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (let i = 0; i < n; i++) {
      const a = [xs[2 * i]!, xs[2 * i + 1]!, 1];
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) h[r]![c]! += (2 / n) * a[r]! * a[c]!;
    }
    let v = [1, 1, 1];
    let lambda = 0;
    for (let k = 0; k < 200; k++) {
      const w = h.map((row) => row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]!);
      lambda = Math.hypot(...w);
      v = w.map((x) => x / lambda);
    }
    const critical = 2 / lambda;
    expect(critical).toBeGreaterThan(0.3);
    expect(critical).toBeLessThan(3);

    const before = tf.memory().numTensors;
    const x = tf.tensor2d(xs, [n, 2]);
    const y = tf.tensor2d(ys, [n, 1]);
    // tidy frees the zeros the variables were copied from; variables outlive it.
    const [weights, bias] = tf.tidy(() => [tf.variable(tf.zeros([2, 1])), tf.variable(tf.zeros([1]))]);
    const optimizer = tf.train.sgd(1e-7);
    const result = await findLr(
      (lr) => {
        optimizer.setLearningRate(lr);
        const loss = optimizer.minimize(
          () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, weights!), bias!), y))),
          true,
        );
        const value = loss!.dataSync()[0]!;
        loss!.dispose();
        return value;
      },
      { startLr: 1e-5, endLr: 10, numSteps: 100 },
    );
    optimizer.dispose();
    tf.dispose([x, y, weights, bias]);
    expect(tf.memory().numTensors).toBe(before);

    expect(result.stopReason).toBe('diverged');
    // The loss can only blow up once the rate is past the stability limit.
    expect(result.lrs.at(-1)!).toBeGreaterThan(critical);
    expect(result.lrs.at(-1)!).toBeLessThan(10);
    // Every suggestion is a stable rate, within three orders of magnitude of the limit.
    for (const name of ['valley', 'steep', 'minimum'] as const) {
      const suggestion = result.suggestions[name]!;
      expect(suggestion.lr, name).toBeLessThan(critical);
      expect(suggestion.lr, name).toBeGreaterThan(critical / 1000);
    }
    // The loss started near Var(y) ≈ 13 and the sweep drove it down to about the noise floor (0.1² = 0.01)
    // before the rate got too large.
    expect(result.losses[0]!).toBeGreaterThan(5);
    expect(Math.min(...result.losses)).toBeLessThan(0.05);
  });

  it('rejects bad arguments', async () => {
    const cases: [unknown, unknown, string][] = [
      [null, {}, 'step'],
      [() => 1, null, 'options'],
      [() => 1, { startLr: 0 }, 'options.startLr'],
      [() => 1, { startLr: 1, endLr: 1 }, 'options.endLr'],
      [() => 1, { numSteps: 1 }, 'options.numSteps'],
      [() => 1, { numSteps: 2.5 }, 'options.numSteps'],
      [() => 1, { beta: 1 }, 'options.beta'],
      [() => 1, { divergence: 0 }, 'options.divergence'],
      [() => 1, { stopOnDivergence: 'yes' }, 'options.stopOnDivergence'],
      [() => 1, { skipEnd: -1 }, 'options.skipEnd'],
      [() => '1', {}, 'step'],
    ];
    for (const [step, options, argument] of cases) {
      await expect(findLr(step as never, options as never), argument).rejects.toMatchObject({
        fn: 'findLr',
        argument,
      });
    }
  });
});
