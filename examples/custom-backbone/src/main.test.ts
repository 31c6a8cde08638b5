import { listBackbones } from '@topk/backbones';
import { describe, expect, it } from 'vitest';
import { BACKBONE_NAME, main } from './main.js';

describe('examples/custom-backbone', () => {
  it('registers fmnist-vgg, trains it on 640 images of the subset and unregisters it', async () => {
    const lines: string[] = [];
    const result = await main({
      epochs: 2,
      trainLimit: 640,
      testLimit: 250,
      width: 16,
      log: (l) => lines.push(l),
    });
    expect(result.layerGroups).toEqual(['stem', 'stage1', 'stage2', 'head']);
    expect(result.trainImages).toBe(640);
    expect(result.testImages).toBe(250);
    // 10 balanced classes: chance is 10 % (binomial sd 1.9 % on 250 images); this run gets 41.6 %.
    expect(result.testAccuracy).toBeGreaterThan(0.25);
    expect(lines.at(-1)).toMatch(/^test accuracy \d+\.\d % \(250 images\)/);
    expect(listBackbones()).not.toContain(BACKBONE_NAME);
  });
});
