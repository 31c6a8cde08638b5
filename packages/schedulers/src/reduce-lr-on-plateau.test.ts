import { describe, expect, it } from 'vitest';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { expectInvalid } from './test-helpers.js';

describe('ReduceLROnPlateau', () => {
  it('reduces once the bad observations exceed patience (traced by hand from PyTorch rules)', () => {
    const plateau = new ReduceLROnPlateau({ lr: 1, patience: 2, factor: 0.5 });
    // 1: best 1. 0.9: best 0.9. Then 0.95 three times: bad 1, 2, 3 > 2 → lr 0.5, bad 0.
    const lrs = [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95].map((m) => plateau.observe(m));
    expect(lrs).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
    expect(plateau.lr).toBe(0.25);
    expect(plateau.best).toBe(0.9);
  });

  it('does not count bad observations during cooldown', () => {
    const plateau = new ReduceLROnPlateau({ lr: 1, patience: 1, factor: 0.5, cooldown: 2 });
    // 1: best. 2: bad 1. 2: bad 2 > 1 → 0.5, cooldown 2. Next two: cooldown 2→1→0, bad reset each time.
    // Then bad 1, bad 2 → 0.25.
    const lrs = [1, 2, 2, 2, 2, 2, 2].map((m) => plateau.observe(m));
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it("needs a relative improvement beyond threshold in 'rel' mode, an absolute one in 'abs' mode", () => {
    const rel = new ReduceLROnPlateau({ lr: 1, patience: 0, threshold: 0.1 });
    rel.observe(1);
    // 0.95 is not below 1 · (1 − 0.1) = 0.9: bad 1 > 0 → reduce.
    expect(rel.observe(0.95)).toBeCloseTo(0.1, 15);
    expect(rel.best).toBe(1);
    expect(rel.observe(0.89)).toBeCloseTo(0.1, 15);
    expect(rel.best).toBe(0.89);

    const abs = new ReduceLROnPlateau({ lr: 1, patience: 0, threshold: 0.05, thresholdMode: 'abs' });
    abs.observe(10);
    // 9.96 is not below 10 − 0.05.
    expect(abs.observe(9.96)).toBeCloseTo(0.1, 15);
    abs.observe(9.9);
    expect(abs.best).toBe(9.9);
  });

  it("treats larger as better in 'max' mode", () => {
    const plateau = new ReduceLROnPlateau({ lr: 1, mode: 'max', patience: 0, factor: 0.5 });
    expect(plateau.observe(0.5)).toBe(1);
    expect(plateau.observe(0.7)).toBe(1);
    expect(plateau.observe(0.6)).toBe(0.5);
    expect(plateau.best).toBe(0.7);
  });

  it('stops at minLr and skips reductions smaller than eps; NaN counts as no improvement', () => {
    const plateau = new ReduceLROnPlateau({ lr: 1, patience: 0, factor: 0.1, minLr: 0.05 });
    plateau.observe(1);
    expect(plateau.observe(Number.NaN)).toBeCloseTo(0.1, 15);
    expect(plateau.observe(2)).toBe(0.05);
    expect(plateau.observe(2)).toBe(0.05);
    const tiny = new ReduceLROnPlateau({ lr: 1e-9, patience: 0, factor: 0.5 });
    tiny.observe(1);
    // 1e-9 − 5e-10 is below the default eps 1e-8: no change.
    expect(tiny.observe(1)).toBe(1e-9);
  });

  it('saves and restores its config and state as JSON', () => {
    const plateau = new ReduceLROnPlateau({ lr: 1, patience: 2, factor: 0.5, cooldown: 1 });
    expect(plateau.best).toBeNull();
    expect(JSON.parse(JSON.stringify(plateau.getState()))).toEqual({
      lr: 1,
      best: null,
      badObservations: 0,
      cooldownLeft: 0,
      observations: 0,
    });
    const metrics = [1, 0.9, 0.95, 0.95, 0.95, 0.96, 0.97, 0.98, 0.99];
    for (const m of metrics.slice(0, 5)) plateau.observe(m);
    const saved = JSON.parse(JSON.stringify({ config: plateau.toConfig(), state: plateau.getState() }));
    expect(saved.state).toEqual({ lr: 0.5, best: 0.9, badObservations: 0, cooldownLeft: 1, observations: 5 });
    const restored = ReduceLROnPlateau.fromConfig(saved.config);
    restored.setState(saved.state);
    for (const m of metrics.slice(5)) expect(restored.observe(m)).toBe(plateau.observe(m));
    expect(restored.getState()).toEqual(plateau.getState());
    expect(plateau.toConfig()).toEqual({
      type: 'reduceLROnPlateau',
      lr: 1,
      mode: 'min',
      factor: 0.5,
      patience: 2,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 1,
      minLr: 0,
      eps: 1e-8,
    });
  });

  it('rejects bad options, metrics and states', () => {
    const fn = 'ReduceLROnPlateau';
    expectInvalid(() => new ReduceLROnPlateau({ lr: -1 }), fn, 'lr');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, factor: 1 }), fn, 'factor');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, factor: 0 }), fn, 'factor');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, patience: 1.5 }), fn, 'patience');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, mode: 'up' as never }), fn, 'mode');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, thresholdMode: 'x' as never }), fn, 'thresholdMode');
    expectInvalid(() => new ReduceLROnPlateau({ lr: 1, cooldown: -1 }), fn, 'cooldown');
    const plateau = new ReduceLROnPlateau({ lr: 1 });
    expectInvalid(() => plateau.observe('0.5' as never), 'ReduceLROnPlateau.observe', 'metric');
    const state = { lr: 1, best: null, badObservations: 0, cooldownLeft: 0, observations: 3 };
    expectInvalid(() => plateau.setState(state), 'ReduceLROnPlateau.setState', 'state.best');
    expectInvalid(() => plateau.setState({ ...state, lr: -1 }), 'ReduceLROnPlateau.setState', 'state.lr');
    expectInvalid(
      () => ReduceLROnPlateau.fromConfig({ type: 'sgdr' } as never),
      'ReduceLROnPlateau.fromConfig',
      'config.type',
    );
  });
});
