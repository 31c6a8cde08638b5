import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SGD, sgd } from './sgd.js';
import { expectInvalid, values } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

// The 2-parameter problem f(θ) = (θ0 − 3)² + 2·(θ1 + 1)², gradient [2(θ0 − 3), 4(θ1 + 1)].
const gradient = (theta: readonly number[]) => [2 * (theta[0]! - 3), 4 * (theta[1]! + 1)];

function run(options: ConstructorParameters<typeof SGD>[0], steps: number) {
  const theta = tf.variable(tf.tensor2d([[0.5, 0.25]]));
  const optimizer = sgd(options);
  const trace: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = tf.tensor2d([gradient(values(theta))]);
    optimizer.applyGradients([theta], [g]);
    g.dispose();
    trace.push(values(theta));
  }
  theta.dispose();
  optimizer.dispose();
  return trace;
}

describe('SGD', () => {
  it('matches PyTorch SGD with Nesterov momentum, computed by hand, over 5 steps', () => {
    const lr = 0.05;
    const mu = 0.9;
    const trace = run({ learningRate: lr, momentum: mu, nesterov: true }, 5);
    // torch.optim.SGD docs (dampening 0): b_1 = g_1, b_t = μ b_{t−1} + g_t; Nesterov g ← g + μ b; θ ← θ − γ g.
    let theta = [0.5, 0.25];
    let b: number[] | undefined;
    trace.forEach((got) => {
      const g = gradient(theta);
      b = b === undefined ? g : b.map((bi, i) => mu * bi + g[i]!);
      theta = theta.map((p, i) => p - lr * (g[i]! + mu * b![i]!));
      got.forEach((value, i) => {
        expect(value).toBeCloseTo(theta[i]!, 5);
      });
    });
    // Step 1 by hand: g = [−5, 5]; b = g; update g(1 + μ) = [−9.5, 9.5]; θ = [0.5 + 0.475, 0.25 − 0.475].
    expect(trace[0]![0]).toBeCloseTo(0.975, 6);
    expect(trace[0]![1]).toBeCloseTo(-0.225, 6);
  });

  it('matches plain momentum and vanilla SGD by hand', () => {
    const plain = run({ learningRate: 0.1 }, 1)[0]!;
    expect(plain[0]).toBeCloseTo(0.5 + 0.1 * 5, 6);
    expect(plain[1]).toBeCloseTo(0.25 - 0.1 * 5, 6);
    const momentum = run({ learningRate: 0.1, momentum: 0.5 }, 2);
    // Step 1: b = g1 = [−5, 5] → θ = [1, −0.25]. Step 2: g2 = [−4, 3]; b = 0.5·b + g2 = [−6.5, 5.5].
    expect(momentum[1]![0]).toBeCloseTo(1 + 0.65, 6);
    expect(momentum[1]![1]).toBeCloseTo(-0.25 - 0.55, 6);
  });

  it('adds coupled weight decay λθ to the gradient, or decays directly when decoupled', () => {
    const coupled = run({ learningRate: 0.1, weightDecay: 0.2 }, 1)[0]!;
    // g = [−5 + 0.2·0.5, 5 + 0.2·0.25]
    expect(coupled[0]).toBeCloseTo(0.5 - 0.1 * (-5 + 0.1), 6);
    expect(coupled[1]).toBeCloseTo(0.25 - 0.1 * (5 + 0.05), 6);
    const decoupled = run({ learningRate: 0.1, weightDecay: 0.2, decoupledWeightDecay: true }, 1)[0]!;
    expect(decoupled[0]).toBeCloseTo(0.5 * (1 - 0.02) + 0.5, 6);
  });

  it('skips weight decay on rank-1 variables and applies learning-rate multipliers', () => {
    const bias = tf.variable(tf.tensor1d([1]), true, 'sgd-bias');
    const kernel = tf.variable(tf.tensor2d([[1]]), true, 'sgd-kernel');
    const optimizer = sgd({
      learningRate: 1,
      weightDecay: 0.5,
      lrMultipliers: new Map([['sgd-kernel', 0.5]]),
    });
    const g = [tf.zeros([1]), tf.zeros([1, 1])];
    optimizer.applyGradients([bias, kernel], g);
    expect(values(bias)).toEqual([1]);
    expect(values(kernel)[0]).toBeCloseTo(1 - 0.5 * 0.5, 6);
    tf.dispose([bias, kernel, ...g]);
    optimizer.dispose();
  });

  it('round-trips its state and config', () => {
    const theta = tf.variable(tf.tensor2d([[1, 1]]));
    const optimizer = sgd({ learningRate: 0.1, momentum: 0.9 });
    const g = tf.tensor2d([[1, -1]]);
    optimizer.applyGradients([theta], [g]);
    const state = optimizer.getState();
    expect(Array.from(state.slots[theta.name]!.momentum!)).toEqual([1, -1]);
    const restored = SGD.fromConfig(optimizer.toConfig());
    const copy = tf.variable(theta.clone());
    // Buffers are matched by variable name: key the saved buffers by the copy's name.
    restored.setState({ step: 1, slots: { [copy.name]: state.slots[theta.name]! } });
    optimizer.applyGradients([theta], [g]);
    restored.applyGradients([copy], [g]);
    expect(values(copy)).toEqual(values(theta));
    expect(optimizer.toConfig()).toEqual({
      type: 'sgd',
      learningRate: 0.1,
      momentum: 0.9,
      nesterov: false,
      weightDecay: 0,
      decoupledWeightDecay: false,
    });
    tf.dispose([theta, copy, g]);
    optimizer.dispose();
    restored.dispose();
  });

  it('rejects bad options', () => {
    expectInvalid(() => sgd({ momentum: 1 }), 'SGD', 'momentum');
    expectInvalid(() => sgd({ nesterov: true }), 'SGD', 'momentum');
    expectInvalid(() => sgd({ nesterov: 'yes' as never }), 'SGD', 'nesterov');
    expectInvalid(() => sgd(null as never), 'SGD', 'options');
    expectInvalid(() => SGD.fromConfig({ type: 'adamW' } as never), 'SGD.fromConfig', 'config.type');
  });
});
