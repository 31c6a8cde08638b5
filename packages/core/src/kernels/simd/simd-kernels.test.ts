import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNELS_SOURCE_SHA256, KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './kernels-wasm.generated.js';

const source = fileURLToPath(new URL('../../../native/kernels.c', import.meta.url));

describe('SIMD kernel binaries', () => {
  it('were built from the committed kernels.c (run packages/core/native/build.sh after editing it)', () => {
    expect(createHash('sha256').update(readFileSync(source)).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });

  it.each([
    ['plain', KERNELS_WASM_PLAIN],
    ['shared', KERNELS_WASM_SHARED],
  ])('%s variant imports only a memory and owns no data', (_, base64) => {
    const bytes = Buffer.from(base64, 'base64');
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'topk_sum_rows',
        'topk_max_pool_grad',
        'topk_avg_pool_grad',
        'topk_depthwise_filter_grad',
      ]),
    );
    // Section id 11 is the data section: the kernels write only where they are told to.
    let offset = 8;
    const ids: number[] = [];
    while (offset < bytes.length) {
      ids.push(bytes[offset]!);
      let size = 0;
      let shift = 0;
      let byte: number;
      offset++;
      do {
        byte = bytes[offset++]!;
        size |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      offset += size;
    }
    expect(ids).not.toContain(11);
  });
});
