import { describe, expect, it } from 'vitest';
import {
  aboutCentre,
  applyToPoint,
  chain,
  homography,
  IDENTITY,
  invert,
  multiply,
  pixelToNormalised,
  rotation,
  shearing,
  translation,
} from './geometry.js';

function expectMatrixClose(actual: readonly number[], expected: readonly number[]): void {
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, 12);
  });
}

describe('geometry', () => {
  it('rotates counter-clockwise on screen (y down), as OpenCV getRotationMatrix2D', () => {
    // Screen counter-clockwise by 90°: right (1, 0) goes up to (0, −1); down (0, 1) goes right to (1, 0).
    const [x1, y1] = applyToPoint(rotation(90), 1, 0);
    expect(x1).toBeCloseTo(0, 12);
    expect(y1).toBeCloseTo(-1, 12);
    const [x2, y2] = applyToPoint(rotation(90), 0, 1);
    expect(x2).toBeCloseTo(1, 12);
    expect(y2).toBeCloseTo(0, 12);
  });

  it('inverts, multiplies and chains 3x3 matrices', () => {
    const m = chain(translation(3, -2), rotation(30), shearing(10, -5));
    expectMatrixClose(multiply(m, invert(m)), IDENTITY);
    expectMatrixClose(chain(), IDENTITY);
    expect(() => invert([1, 2, 3, 2, 4, 6, 0, 0, 1])).toThrow('singular');
  });

  it('conjugates about the centre of the pixel grid', () => {
    // A 5x5 image rotated about (2, 2): the centre stays, (4, 2) goes to (2, 0).
    const m = aboutCentre(rotation(90), 5, 5);
    const [cx, cy] = applyToPoint(m, 2, 2);
    expect([cx, cy].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([2, 2]);
    const [x, y] = applyToPoint(m, 4, 2);
    expect(x).toBeCloseTo(2, 12);
    expect(y).toBeCloseTo(0, 12);
  });

  it('solves the homography through four point pairs', () => {
    const from: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    const to: [number, number][] = [
      [1, 2],
      [9, 1],
      [11, 12],
      [-1, 8],
    ];
    const h = homography(from, to);
    from.forEach(([x, y], k) => {
      const [u, v] = applyToPoint(h, x, y);
      expect(u).toBeCloseTo(to[k]![0], 9);
      expect(v).toBeCloseTo(to[k]![1], 9);
    });
    expect(() =>
      homography(from, [
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ).toThrow('degenerate');
  });

  it("maps pixel centres to fastai's normalised coordinates (align_corners=True)", () => {
    const m = pixelToNormalised(5, 9);
    expect(applyToPoint(m, 0, 0)).toEqual([-1, -1]);
    expect(applyToPoint(m, 8, 4)).toEqual([1, 1]);
    expect(applyToPoint(m, 4, 2)).toEqual([0, 0]);
  });
});
