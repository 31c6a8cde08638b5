import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { listTransforms, TRANSFORMS, transformFromConfig } from './registry.js';

describe('transformFromConfig', () => {
  it('builds every leaf transform from its name and options', () => {
    for (const name of listTransforms()) {
      const t = transformFromConfig({ name, options: TRANSFORMS[name].example });
      expect(t.name).toBe(name);
      expect(t.p).toBe(1);
    }
  });

  it('builds compositions, someOf with its n, and fills defaults', () => {
    const t = transformFromConfig({
      name: 'someOf',
      options: { n: 1, p: 0.5 },
      children: [
        { name: 'horizontalFlip', options: {} },
        { name: 'rotate', options: { limit: 5 } },
      ],
    });
    const config = t.toConfig();
    expect(config.options).toEqual({ n: 1, p: 0.5, stage: 'train' });
    expect(config.children?.[1]).toEqual({
      name: 'rotate',
      options: {
        limit: [-5, 5],
        interpolation: 'bilinear',
        fillMode: 'reflect',
        fillValue: 0,
        p: 0.5,
        stage: 'train',
      },
    });
  });

  it('suggests the nearest name for a typo and rejects malformed configs', () => {
    expect(() => transformFromConfig({ name: 'rotat' } as never)).toThrow(
      'Error in transformFromConfig: config.name must be the name of a transform or composition (did you mean "rotate"?), got "rotat"',
    );
    expect(() => transformFromConfig({ name: 'banana' } as never)).toThrow(/composition, got "banana"/);
    expect(() => transformFromConfig(null as never)).toThrow(InvalidArgumentError);
    expect(() => transformFromConfig({ name: 'compose', options: {} })).toThrow(
      'config.children must be an array of configs for compose',
    );
    expect(() => transformFromConfig({ name: 'rotate', options: {}, children: [] })).toThrow(
      'config.children must be absent',
    );
    expect(() => transformFromConfig({ name: 'rotate', options: { limt: 4 } })).toThrow(
      'Error in rotate: options must be an object with keys among',
    );
  });
});
