import { defineConfig } from 'tsup';

export default defineConfig({
  // The decode worker is its own entry: worker threads load it by file, next to the main bundle.
  entry: ['src/index.ts', 'src/decode-worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // import.meta.url locates the worker file; the shim provides it in the CommonJS build.
  shims: true,
});
