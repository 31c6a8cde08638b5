import { InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from './image-decode-error.js';
import { planResize, type ResizeMode, resolveResizeOptions } from './resize-plan.js';

const NO_PAD = { top: 0, right: 0, bottom: 0, left: 0 };

function expectInvalid(fn: () => unknown, argument: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    return;
  }
  throw new Error(`expected a throw for ${argument}`);
}

function expectQuarantine(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).quarantineCode).toBe(code);
    return;
  }
  throw new Error(`expected ImageDecodeError ${code}`);
}

describe('planResize', () => {
  it('squish keeps the whole image and stretches it to the size', () => {
    expect(planResize({ size: [30, 40] }, 100, 50)).toEqual({
      crop: { left: 0, top: 0, width: 100, height: 50 },
      resize: { width: 40, height: 30 },
      pad: NO_PAD,
      output: { width: 40, height: 30 },
    });
  });

  it('center-crop takes the largest centred region of the target aspect ratio', () => {
    // 100 × 50 to a square: a 50 × 50 region, (100 - 50) / 2 = 25 off the left.
    expect(planResize({ size: 10, mode: 'center-crop' }, 100, 50).crop).toEqual({
      left: 25,
      top: 0,
      width: 50,
      height: 50,
    });
    // 40 × 101 to a square: 40 × 40, floor((101 - 40) / 2) = 30 off the top (the odd pixel goes to the bottom).
    expect(planResize({ size: 10, mode: 'center-crop' }, 40, 101).crop).toEqual({
      left: 0,
      top: 30,
      width: 40,
      height: 40,
    });
    // 100 × 100 to 20 (h) × 40 (w): aspect 2, so 100 × 50, 25 off the top.
    expect(planResize({ size: [20, 40], mode: 'center-crop' }, 100, 100).crop).toEqual({
      left: 0,
      top: 25,
      width: 100,
      height: 50,
    });
  });

  it('center-crop applies cropFraction to each side (timm crop_pct)', () => {
    // 0.875 × 64 = 56; floor((64 - 56) / 2) = 4.
    expect(planResize({ size: 224, mode: 'center-crop', cropFraction: 0.875 }, 64, 64).crop).toEqual({
      left: 4,
      top: 4,
      width: 56,
      height: 56,
    });
  });

  it('random-crop draws the offset uniformly with the given Rng', () => {
    const plan = planResize({ size: 10, mode: 'random-crop' }, 100, 50, { rng: new Rng(7) });
    // Same region size as the centre crop; offsets are the two draws rng.int(0, 51) and rng.int(0, 1).
    const reference = new Rng(7);
    expect(plan.crop).toEqual({
      left: reference.int(0, 51),
      top: reference.int(0, 1),
      width: 50,
      height: 50,
    });
    const lefts = new Set<number>();
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++)
      lefts.add(planResize({ size: 10, mode: 'random-crop' }, 100, 50, { rng }).crop.left);
    expect(Math.min(...lefts)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lefts)).toBeLessThanOrEqual(50);
    expect(lefts.size).toBeGreaterThan(30);
  });

  it('pad fits the image inside and centres it, white by default', () => {
    // 100 × 50 into 40 × 40: factor 0.4, 40 × 20, 10 rows above and below.
    expect(planResize({ size: 40, mode: 'pad' }, 100, 50)).toEqual({
      crop: { left: 0, top: 0, width: 100, height: 50 },
      resize: { width: 40, height: 20 },
      pad: { top: 10, right: 0, bottom: 10, left: 0 },
      output: { width: 40, height: 40 },
    });
    // 30 × 100 into 20 × 20: factor 0.2, 6 × 20, 7 left and 7 right.
    expect(planResize({ size: 20, mode: 'pad' }, 30, 100).pad).toEqual({
      top: 0,
      right: 7,
      bottom: 0,
      left: 7,
    });
    // 10 × 3 into 9 × 9: factor 0.9, 9 × round(2.7) = 3, 6 rows: 3 above and 3 below.
    expect(planResize({ size: 9, mode: 'pad' }, 10, 3).pad).toEqual({ top: 3, right: 0, bottom: 3, left: 0 });
    // An odd leftover goes to the bottom: 10 × 4 into 10 × 7 leaves 3 rows, 1 above and 2 below.
    expect(planResize({ size: [7, 10], mode: 'pad' }, 10, 4).pad).toEqual({
      top: 1,
      right: 0,
      bottom: 2,
      left: 0,
    });
    expect(resolveResizeOptions('t', { size: 4, mode: 'pad' }).fill).toEqual([255, 255, 255]);
  });

  it('applies fixed crop margins first (T-shirt write-up: 400 off the top, 100 off the bottom, 50 off each side)', () => {
    const plan = planResize(
      { size: 224, margins: { top: 400, bottom: 100, left: 50, right: 50 } },
      1000,
      800,
    );
    expect(plan.crop).toEqual({ left: 50, top: 400, width: 900, height: 300 });
    // The centre crop works inside the margins: a 300 × 300 region, (900 - 300) / 2 = 300 further right.
    expect(
      planResize(
        { size: 224, mode: 'center-crop', margins: { top: 400, bottom: 100, left: 50, right: 50 } },
        1000,
        800,
      ).crop,
    ).toEqual({ left: 350, top: 400, width: 300, height: 300 });
    expectQuarantine(
      () => planResize({ size: 8, margins: { top: 400, bottom: 100 } }, 1000, 450),
      'too-small',
    );
  });

  it('crops to the item box, grown to whole pixels and clipped to the image and margins', () => {
    expect(
      planResize({ size: 8 }, 100, 80, { box: { left: 10.5, top: 20.2, width: 30, height: 40.1 } }).crop,
    ).toEqual({
      left: 10,
      top: 20,
      width: 31, // ceil(40.5) - 10
      height: 41, // ceil(60.3) - 20
    });
    expect(
      planResize({ size: 8 }, 100, 80, { box: { left: -5, top: 70, width: 20, height: 50 } }).crop,
    ).toEqual({
      left: 0,
      top: 70,
      width: 15,
      height: 10,
    });
    expect(
      planResize({ size: 8, margins: { left: 10 } }, 100, 80, {
        box: { left: 0, top: 0, width: 20, height: 20 },
      }).crop,
    ).toEqual({ left: 10, top: 0, width: 10, height: 20 });
    expect(
      planResize({ size: 8, useBox: false }, 100, 80, { box: { left: 0, top: 0, width: 20, height: 20 } })
        .crop,
    ).toEqual({ left: 0, top: 0, width: 100, height: 80 });
    expectQuarantine(
      () => planResize({ size: 8 }, 100, 80, { box: { left: 200, top: 0, width: 20, height: 20 } }),
      'invalid-box',
    );
  });

  it('random-resized-crop follows torchvision: a fitting draw, else a centre crop clamped to the ratio', () => {
    // Area fraction 0.5 of 20 × 10 = 100 at ratio 1: a 10 × 10 crop, always fits.
    const rng = new Rng(3);
    const plan = planResize(
      { size: 4, mode: 'random-resized-crop', scale: [0.5, 0.5], ratio: [1, 1] },
      20,
      10,
      { rng },
    );
    expect(plan.crop.width).toBe(10);
    expect(plan.crop.height).toBe(10);
    expect(plan.crop.top).toBe(0);
    expect(plan.crop.left).toBeGreaterThanOrEqual(0);
    expect(plan.crop.left).toBeLessThanOrEqual(10);
    expect(plan.resize).toEqual({ width: 4, height: 4 });
    // Area 200 at ratio 1 needs 14 × 14, taller than 10: all 10 attempts fail, and the fallback clamps
    // the 2:1 image to ratio 1 → 10 × 10, centred: (20 - 10) / 2 = 5.
    expect(
      planResize({ size: 4, mode: 'random-resized-crop', scale: [1, 1], ratio: [1, 1] }, 20, 10, {
        rng: new Rng(0),
      }).crop,
    ).toEqual({ left: 5, top: 0, width: 10, height: 10 });
    // Default scale and ratio: always inside the image, area within [0.08, 1] of it (up to rounding).
    const many = new Rng(11);
    for (let i = 0; i < 100; i++) {
      const { crop } = planResize({ size: 8, mode: 'random-resized-crop' }, 120, 90, { rng: many });
      expect(crop.left + crop.width).toBeLessThanOrEqual(120);
      expect(crop.top + crop.height).toBeLessThanOrEqual(90);
      expect(crop.width * crop.height).toBeGreaterThan(0.07 * 120 * 90);
    }
  });

  it('is the same for the same seed', () => {
    const modes: ResizeMode[] = ['squish', 'center-crop', 'random-crop', 'pad', 'random-resized-crop'];
    for (const mode of modes) {
      const a = planResize({ size: [24, 32], mode }, 77, 51, { rng: new Rng(5) });
      const b = planResize({ size: [24, 32], mode }, 77, 51, { rng: new Rng(5) });
      expect(a).toEqual(b);
      // Every mode produces exactly the requested size.
      expect(a.output).toEqual({ width: 32, height: 24 });
      expect(a.resize.width + a.pad.left + a.pad.right).toBe(32);
      expect(a.resize.height + a.pad.top + a.pad.bottom).toBe(24);
    }
  });

  it('rejects bad options', () => {
    expectInvalid(() => planResize({ size: 0 }, 10, 10), 'options.size');
    expectInvalid(
      () => planResize({ size: [10, 2.5] as unknown as [number, number] }, 10, 10),
      'options.size',
    );
    expectInvalid(() => planResize({ size: 10, mode: 'stretch' as ResizeMode }, 10, 10), 'options.mode');
    expectInvalid(() => planResize({ size: 10, margins: { top: -1 } }, 10, 10), 'options.margins.top');
    expectInvalid(() => planResize({ size: 10, fill: 256 }, 10, 10), 'options.fill');
    expectInvalid(() => planResize({ size: 10, padMode: 'reflect' as 'mirror' }, 10, 10), 'options.padMode');
    expectInvalid(() => planResize({ size: 10, cropFraction: 0 }, 10, 10), 'options.cropFraction');
    expectInvalid(() => planResize({ size: 10, scale: [0.5, 0.2] }, 10, 10), 'options.scale');
    expectInvalid(() => planResize({ size: 10, ratio: [0, 1] }, 10, 10), 'options.ratio');
    expectInvalid(() => planResize({ size: 10, kernel: 'box' as 'linear' }, 10, 10), 'options.kernel');
    expectInvalid(() => planResize({ size: 10, useBox: 1 as unknown as boolean }, 10, 10), 'options.useBox');
    expectInvalid(() => planResize({ size: 10, mode: 'random-crop' }, 10, 10), 'context.rng');
    expectInvalid(() => planResize({ size: 10 }, 0, 10), 'width');
    expectInvalid(() => planResize({ size: 10 }, 10, 1.5), 'height');
    expectInvalid(() => resolveResizeOptions('f', null as unknown as { size: number }), 'options.resize');
  });
});
