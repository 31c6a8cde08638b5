/**
 * Scales uint8 pixels to [0, 1] and standardises them with a backbone's data config (one channel), as
 * the pretraining did.
 */
export function normalise(pixels: Uint8Array, mean: number, std: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i]! / 255 - mean) / std;
  return out;
}
