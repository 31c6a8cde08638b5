import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, adamW } from './adam-w.js';
import { expectInvalid, values } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

// The 2-parameter problem f(θ) = (θ0 − 3)² + 2·(θ1 + 1)², gradient [2(θ0 − 3), 4(θ1 + 1)].
const gradient = (theta: readonly number[]) => [2 * (theta[0]! - 3), 4 * (theta[1]! + 1)];

describe('AdamW', () => {
  it('matches PyTorch AdamW’s documented update, computed by hand, over 5 steps', () => {
    const lr = 0.1;
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    const weightDecay = 0.01;
    // A [1, 2] kernel (rank 2), so weight decay applies.
    const theta = tf.variable(tf.tensor2d([[0.5, 0.25]]));
    const optimizer = adamW({ learningRate: lr, weightDecay, beta1, beta2, epsilon: eps });
    // torch.optim.AdamW docs: θ ← θ − γλθ; m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²;
    // m̂ = m / (1 − β1^t); v̂ = v / (1 − β2^t); θ ← θ − γ m̂ / (√v̂ + ε).
    let want = [0.5, 0.25];
    let m = [0, 0];
    let v = [0, 0];
    for (let t = 1; t <= 5; t++) {
      const current = values(theta);
      const g = gradient(current);
      const gTensor = tf.tensor2d([g]);
      optimizer.applyGradients([theta], [gTensor]);
      gTensor.dispose();
      const gRef = gradient(want);
      want = want.map((p) => p * (1 - lr * weightDecay));
      m = m.map((mi, i) => beta1 * mi + (1 - beta1) * gRef[i]!);
      v = v.map((vi, i) => beta2 * vi + (1 - beta2) * gRef[i]! ** 2);
      want = want.map((p, i) => {
        const mHat = m[i]! / (1 - beta1 ** t);
        const vHat = v[i]! / (1 - beta2 ** t);
        return p - (lr * mHat) / (Math.sqrt(vHat) + eps);
      });
      values(theta).forEach((got, i) => {
        expect(got).toBeCloseTo(want[i]!, 5);
      });
    }
    expect(optimizer.step).toBe(5);
    optimizer.dispose();
    theta.dispose();
  });

  it('takes a first step of lr·sign(g) after decaying by (1 − lr·λ) (m̂/√v̂ = g/|g| at t = 1)', () => {
    const theta = tf.variable(tf.tensor2d([[0.5, 0.25]]));
    const optimizer = adamW({ learningRate: 0.1, weightDecay: 0.01 });
    const g = tf.tensor2d([[-5, 5]]);
    optimizer.applyGradients([theta], [g]);
    const [a, b] = values(theta);
    expect(a).toBeCloseTo(0.5 * 0.999 + 0.1, 6);
    expect(b).toBeCloseTo(0.25 * 0.999 - 0.1, 6);
    tf.dispose([theta, g]);
    optimizer.dispose();
  });

  it('decays kernels but not rank-1 variables (biases, batch-norm γ/β) by default', () => {
    const kernel = tf.variable(tf.tensor2d([[2, -4]]));
    const bias = tf.variable(tf.tensor1d([2, -4]));
    const optimizer = adamW({ learningRate: 0.5, weightDecay: 0.1 });
    const zeros = [tf.zerosLike(kernel), tf.zerosLike(bias)];
    // With g = 0 the Adam part is 0 / (0 + ε) = 0: only the decoupled decay moves the weights.
    optimizer.applyGradients([kernel, bias], zeros);
    expect(values(kernel)).toEqual([2 * 0.95, -4 * 0.95].map(Math.fround));
    expect(values(bias)).toEqual([2, -4]);
    tf.dispose([kernel, bias, ...zeros]);
    optimizer.dispose();
  });

  it('takes a custom decay filter', () => {
    const bias = tf.variable(tf.tensor1d([2]));
    const optimizer = adamW({ learningRate: 0.5, weightDecay: 0.1, excludeFromWeightDecay: () => false });
    const g = tf.zerosLike(bias);
    optimizer.applyGradients([bias], [g]);
    expect(values(bias)[0]).toBeCloseTo(1.9, 6);
    tf.dispose([bias, g]);
    optimizer.dispose();
  });

  it('scales the learning rate per variable (decay included, as PyTorch param groups)', () => {
    const a = tf.variable(tf.tensor2d([[1]]), true, 'adamw-mult-a');
    const b = tf.variable(tf.tensor2d([[1]]), true, 'adamw-mult-b');
    const optimizer = adamW({
      learningRate: 0.1,
      weightDecay: 0.5,
      lrMultipliers: new Map([['adamw-mult-b', 0.1]]),
    });
    const g = [tf.tensor2d([[1]]), tf.tensor2d([[1]])];
    optimizer.applyGradients([a, b], g);
    // Step 1: θ·(1 − lr·λ) − lr·sign(g).
    expect(values(a)[0]).toBeCloseTo(1 * (1 - 0.1 * 0.5) - 0.1, 6);
    expect(values(b)[0]).toBeCloseTo(1 * (1 - 0.01 * 0.5) - 0.01, 6);
    tf.dispose([a, b, ...g]);
    optimizer.dispose();
  });

  it('round-trips its state: a restored optimizer continues bit for bit', () => {
    const make = () => tf.variable(tf.tensor2d([[0.5, 0.25]]));
    const first = make();
    const optimizer = adamW({ learningRate: 0.05 });
    const steps = [
      [1, -2],
      [0.5, 3],
      [-1, 1],
    ].map((g) => tf.tensor2d([g]));
    optimizer.applyGradients([first], [steps[0]!]);
    optimizer.applyGradients([first], [steps[1]!]);
    const state = optimizer.getState();
    expect(state.step).toBe(2);
    expect(Object.keys(state.slots[first.name]!).sort()).toEqual(['m', 't', 'v']);
    const second = tf.variable(first.clone());
    // A fresh optimizer restored from the state, applied to a variable of the same name.
    const restored = new AdamW({ learningRate: 0.05 });
    restored.setState({ step: state.step, slots: { [second.name]: state.slots[first.name]! } });
    optimizer.applyGradients([first], [steps[2]!]);
    restored.applyGradients([second], [steps[2]!]);
    expect(values(second)).toEqual(values(first));
    expect(restored.step).toBe(3);
    tf.dispose([first, second, ...steps]);
    optimizer.dispose();
    restored.dispose();
  });

  it('creates its buffers once and then leaks nothing per step', () => {
    const theta = tf.variable(tf.tensor2d([[1, 2]]));
    const g = tf.tensor2d([[0.1, 0.2]]);
    const optimizer = adamW();
    optimizer.applyGradients([theta], [g]);
    expectNoLeaksSync(() => optimizer.applyGradients([theta], [g]));
    const before = tf.memory().numTensors;
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    tf.dispose([theta, g]);
  });

  it('round-trips its config', () => {
    const config = adamW({ learningRate: 3e-4, weightDecay: 1e-3, beta2: 0.99 }).toConfig();
    expect(config).toEqual({
      type: 'adamW',
      learningRate: 3e-4,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-8,
      weightDecay: 1e-3,
    });
    expect(AdamW.fromConfig(config).toConfig()).toEqual(config);
  });

  it('rejects bad options, gradients and states', () => {
    expectInvalid(() => adamW({ beta1: 1 }), 'AdamW', 'beta1');
    expectInvalid(() => adamW({ learningRate: -1 }), 'AdamW', 'learningRate');
    expectInvalid(() => adamW({ weightDecay: Number.NaN }), 'AdamW', 'weightDecay');
    expectInvalid(() => adamW({ epsilon: 0 }), 'AdamW', 'epsilon');
    expectInvalid(() => adamW({ lrMultipliers: { a: 1 } as never }), 'AdamW', 'lrMultipliers');
    expectInvalid(() => AdamW.fromConfig({ type: 'sgd' } as never), 'AdamW.fromConfig', 'config.type');
    const theta = tf.variable(tf.tensor2d([[1, 2]]));
    const wrong = tf.tensor1d([1, 2]);
    const optimizer = adamW();
    expectInvalid(() => optimizer.applyGradients([theta], [wrong]), 'AdamW.applyGradients', 'gradients[0]');
    expectInvalid(() => optimizer.applyGradients([theta], []), 'AdamW.applyGradients', 'gradients');
    expectInvalid(() => optimizer.setState({ step: -1, slots: {} }), 'AdamW.setState', 'state.step');
    optimizer.setState({
      step: 0,
      slots: { [theta.name]: { m: new Float32Array(3), v: new Float32Array(2) } },
    });
    const g = tf.zerosLike(theta);
    expectInvalid(
      () => optimizer.applyGradients([theta], [g]),
      'AdamW.setState',
      `state.slots[${JSON.stringify(theta.name)}].m`,
    );
    optimizer.dispose();
    tf.dispose([theta, wrong, g]);
  });
});
