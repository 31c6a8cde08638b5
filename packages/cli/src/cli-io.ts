/** Where a command writes: `process.stdout` / `process.stderr`, or a capturing stream in tests. */
export interface CliStream {
  write(chunk: string): unknown;
  /** Whether the stream is a terminal: progress bars are drawn only then. */
  readonly isTTY?: boolean;
  /** Terminal width in characters, when known. */
  readonly columns?: number;
}

/**
 * The outside world of one CLI invocation. Commands never touch `process` directly, so tests run them
 * in-process with captured output, another working directory and another environment.
 */
export interface CliIo {
  /** Results: reports, tables, JSON with `--json`. */
  readonly stdout: CliStream;
  /** Errors, notes and progress bars. */
  readonly stderr: CliStream;
  /** Relative paths in flags are resolved against it. */
  readonly cwd: string;
  /** Environment variables (`TOPK_DEBUG=1` prints stacks of unexpected errors). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clock in milliseconds, for progress bars and timings. */
  readonly now: () => number;
}

/** The {@link CliIo} of this process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    now: () => performance.now(),
  };
}
