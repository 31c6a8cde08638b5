import { defineConfig } from 'vite';

// The @topk packages resolve to their TypeScript sources (the `source` export condition), as in the
// repository's tests, so the page needs no package build first.
export default defineConfig({
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 6000 },
});
