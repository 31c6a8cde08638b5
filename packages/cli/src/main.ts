// The `topk` executable: bin/topk.mjs imports this file (built, or from source through tsx).
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// No top-level await: the CommonJS build cannot have it.
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
