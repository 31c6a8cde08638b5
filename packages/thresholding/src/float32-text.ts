// Shortest decimal text of float32 values (internal).

/**
 * The shortest decimal string that reads back (through `Math.fround`) as the same float32, e.g. `0.1` for
 * the float32 nearest 0.1 rather than its exact double `0.10000000149011612`. Nine significant digits
 * always suffice for float32.
 */
export function float32Text(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const target = Math.fround(value);
  const roundTrips = (digits: number) => Math.fround(Number(target.toPrecision(digits))) === target;
  // More digits never read back worse, so search the fewest (nine always work). Model outputs mostly need 8
  // or 9, so those are tried first; shorter values then binary search below 8.
  if (!roundTrips(8)) return String(Number(target.toPrecision(9)));
  if (!roundTrips(7)) return String(Number(target.toPrecision(8)));
  let lo = 1;
  let hi = 7;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (roundTrips(mid)) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(target.toPrecision(hi)));
}

/** {@link float32Text} as a number, for JSON and reports. */
export function float32Number(value: number): number {
  return Number(float32Text(value));
}
