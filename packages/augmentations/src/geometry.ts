/**
 * 3x3 homogeneous matrices in pixel coordinates (pixel centres at integers, x to the right, y down),
 * row-major: `[a, b, c, d, e, f, g, h, i]` maps `(x, y)` to `((ax + by + c) / w, (dx + ey + f) / w)` with
 * `w = gx + hy + i`. Computed in float64 in JavaScript; only the final matrices reach tensors.
 */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
    }
  }
  return out as unknown as Matrix3;
}

/** Product of all matrices, left to right. */
export function chain(...matrices: Matrix3[]): Matrix3 {
  return matrices.reduce((acc, m) => multiply(acc, m), IDENTITY);
}

export function invert(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0 || !Number.isFinite(det)) throw new Error('singular transform matrix');
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

export function translation(tx: number, ty: number): Matrix3 {
  return [1, 0, tx, 0, 1, ty, 0, 0, 1];
}

export function scaling(sx: number, sy: number): Matrix3 {
  return [sx, 0, 0, 0, sy, 0, 0, 0, 1];
}

/**
 * Rotation by `degrees` counter-clockwise as seen on screen (y down), OpenCV's `getRotationMatrix2D`
 * convention: `x' = cos·x + sin·y`, `y' = −sin·x + cos·y`.
 */
export function rotation(degrees: number): Matrix3 {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  return [cos, sin, 0, -sin, cos, 0, 0, 0, 1];
}

/** Shear: `x' = x + tan(shearX)·y`, `y' = tan(shearY)·x + y`, angles in degrees. */
export function shearing(shearXDegrees: number, shearYDegrees: number): Matrix3 {
  const sx = Math.tan((shearXDegrees * Math.PI) / 180);
  const sy = Math.tan((shearYDegrees * Math.PI) / 180);
  return [1, sx, 0, sy, 1, 0, 0, 0, 1];
}

/** Applies `m` to a point. */
export function applyToPoint(m: Matrix3, x: number, y: number): [number, number] {
  const w = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

/** `m` conjugated to act about the image centre: `T(c) · m · T(−c)`. */
export function aboutCentre(m: Matrix3, height: number, width: number): Matrix3 {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return chain(translation(cx, cy), m, translation(-cx, -cy));
}

/**
 * The homography mapping each `from[k]` to `to[k]` (four point pairs, no three collinear), by Gaussian
 * elimination with partial pivoting on the usual 8x8 system with `i = 1`.
 */
export function homography(
  from: readonly (readonly [number, number])[],
  to: readonly (readonly [number, number])[],
): Matrix3 {
  const rows: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const [x, y] = from[k]!;
    const [u, v] = to[k]!;
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    if (Math.abs(rows[pivot]![col]!) < 1e-12) throw new Error('degenerate homography points');
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const p = rows[col]!;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const row = rows[r]!;
      const factor = row[col]! / p[col]!;
      if (factor === 0) continue;
      for (let c = col; c < 9; c++) row[c] = row[c]! - factor * p[c]!;
    }
  }
  const h = rows.map((row, r) => row[8]! / row[r]!);
  return [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
}

/**
 * Maps pixel coordinates to fastai's normalised coordinates (`align_corners=True`: −1 and 1 at the
 * centres of the first and last pixels). A one-pixel side uses half a pixel so the map stays invertible.
 */
export function pixelToNormalised(height: number, width: number): Matrix3 {
  const cx = Math.max((width - 1) / 2, 0.5);
  const cy = Math.max((height - 1) / 2, 0.5);
  return [1 / cx, 0, -1, 0, 1 / cy, -1, 0, 0, 1];
}
