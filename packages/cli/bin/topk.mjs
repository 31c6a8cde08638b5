#!/usr/bin/env node
// The `topk` command. Runs the built CLI (dist/main.js) when the package has been built; otherwise (a
// fresh clone after `npm ci`, no build step) it runs the TypeScript sources through tsx, resolving the
// sibling @topk packages from their sources too. TOPK_CLI_SOURCE=1 forces the sources.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built) && process.env.TOPK_CLI_SOURCE !== '1') {
  await import(built.href);
} else {
  // `--conditions=source` cannot be added once the process runs; a resolve hook adds it instead, so
  // `@topk/*` imports resolve to their `src/index.ts` exactly as the tests and type checks do.
  register(new URL('./source-condition.mjs', import.meta.url));
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
