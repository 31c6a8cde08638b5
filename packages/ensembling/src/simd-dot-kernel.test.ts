import { describe, expect, it } from 'vitest';
import {
  instantiateSimdKernel,
  simdKernelBytes,
  simdSupported,
  TILE_COLS,
  TILE_ROWS,
} from './simd-dot-kernel.js';

describe('simd dot kernel', () => {
  it('assembles a valid WebAssembly module', () => {
    const bytes = simdKernelBytes();
    expect([...bytes.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    // Node 20 has WebAssembly SIMD, so there the module must validate.
    if (typeof process !== 'undefined') expect(simdSupported()).toBe(true);
  });

  it('computes a 4 × 2 tile of dot products (hand-checked against a scalar loop)', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const tile = instantiateSimdKernel(memory);
    if (tile === null) return;
    const dim = 12;
    const f = new Float32Array(memory.buffer);
    const rows = TILE_ROWS + TILE_COLS;
    for (let k = 0; k < rows * dim; k++) f[k] = ((k * 7) % 11) - 5;
    const out = rows * dim; // floats
    const outStride = 3; // floats, wider than the tile to check the stride
    tile(0, TILE_ROWS * dim * 4, dim * 4, dim * 4, out * 4, outStride * 4);
    for (let i = 0; i < TILE_ROWS; i++) {
      for (let j = 0; j < TILE_COLS; j++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += f[i * dim + d]! * f[(TILE_ROWS + j) * dim + d]!;
        expect(f[out + i * outStride + j]).toBe(dot);
      }
      expect(f[out + i * outStride + 2]).toBe(0);
    }
  });
});
