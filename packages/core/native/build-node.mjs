#!/usr/bin/env node
// Compiles topk's native kernels for Node (native/node/*.c) into native/build/topk_native.node.
//
// Runs on `npm install` / `npm ci` (the package's install script) and never fails the install: when the
// machine cannot build them (not x86-64, no C compiler, no Node-API headers, TOPK_NATIVE_BUILD=0), it
// says why and topk runs on tfjs-wasm's XNNPACK alone. `--strict` makes those cases fail instead.
// Needs a C compiler (`cc`, or $CC; Debian: apt-get install gcc) and the Node-API headers, which come from
// the `node-api-headers` npm package (or the headers next to the node binary).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const out = join(here, 'build', 'topk_native.node');

function skip(reason) {
  const message = `topk native kernels not built: ${reason}. topk will use tfjs-wasm's kernels only.`;
  if (strict) {
    console.error(`error: ${message}`);
    process.exit(1);
  }
  console.log(message);
  process.exit(0);
}

if (process.env.TOPK_NATIVE_BUILD === '0') skip('TOPK_NATIVE_BUILD=0');
if (process.arch !== 'x64') skip(`the kernels are x86-64 (AVX2) only, this is ${process.arch}`);
if (process.platform === 'win32') skip('building on Windows is not supported yet');

function headerDir() {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
    if (existsSync(join(dir, 'node_api.h'))) return dir;
  } catch {
    // fall through to the headers installed with node
  }
  const beside = join(dirname(process.execPath), '..', 'include', 'node');
  return existsSync(join(beside, 'node_api.h')) ? beside : undefined;
}

const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
} catch {
  skip(`no C compiler ('${cc}'; on Debian: apt-get install gcc)`);
}
const include = headerDir();
if (include === undefined) skip('no Node-API headers (npm install node-api-headers)');

const tmp = mkdtempSync(join(tmpdir(), 'topk-native-'));
try {
  const src = join(here, 'node');
  const common = ['-O3', '-fPIC', '-pthread', '-std=c11', '-Wall', '-Wextra', '-Werror', `-I${include}`];
  execFileSync(
    cc,
    [...common, '-mavx2', '-mfma', '-c', join(src, 'kernels-avx2.c'), '-o', join(tmp, 'k.o')],
    {
      stdio: 'inherit',
    },
  );
  execFileSync(
    cc,
    [...common, '-mavx2', '-mfma', '-c', join(src, 'parallel-kernels.c'), '-o', join(tmp, 'p.o')],
    {
      stdio: 'inherit',
    },
  );
  // The wasm SIMD kernels' own source, through a shim of the wasm_simd128.h intrinsics it uses.
  const shim = ['-Wno-attributes', `-I${join(src, 'shim')}`];
  execFileSync(
    cc,
    [...common, ...shim, '-mavx2', '-mfma', '-c', join(here, 'kernels.c'), '-o', join(tmp, 'w.o')],
    {
      stdio: 'inherit',
    },
  );
  execFileSync(cc, [...common, '-c', join(src, 'addon.c'), '-o', join(tmp, 'a.o')], { stdio: 'inherit' });
  const built = join(tmp, 'topk_native.node');
  const linkFlags = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  execFileSync(
    cc,
    [
      '-shared',
      '-pthread',
      ...linkFlags,
      join(tmp, 'a.o'),
      join(tmp, 'k.o'),
      join(tmp, 'p.o'),
      join(tmp, 'w.o'),
      '-o',
      built,
    ],
    {
      stdio: 'inherit',
    },
  );
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(built, out);
  console.log(`topk native kernels built: ${out}`);
} catch (error) {
  skip(`compiling failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
