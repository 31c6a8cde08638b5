import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway Redis for tests and benchmarks. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Starts `redis-server` (the Debian package) on a free port of the loopback interface, without
 * persistence, in a temporary folder; resolves once it accepts connections.
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'topk-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const ready = await new Promise<boolean>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start in 10 s:\n${output}`)),
        10_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolveReady(true);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run redis-server (apt-get install redis-server): ${error.message}`));
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolveReady(false);
      });
    });
    if (!ready) {
      // Another process took the port between the probe and the start: try another.
      if (attempt < 3 && output.includes('Address already in use')) continue;
      throw new Error(`redis-server exited:\n${output}`);
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
