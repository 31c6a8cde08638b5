import { TopkError } from '@topk/core';

/** Options of {@link UsageError}. */
export interface UsageErrorOptions {
  /**
   * Point at the command's `--help` after the message: true for flag mistakes, false when a flag is
   * fine but the file it names holds bad data.
   * @defaultValue true
   */
  readonly hint?: boolean;
  readonly cause?: unknown;
}

/**
 * Bad input from the user: an unknown or malformed flag, a missing or unreadable path, a file whose
 * contents do not fit (a CSV with wrong columns, predictions without labels). The CLI prints its message
 * on one line and exits with code 2.
 */
export class UsageError extends TopkError {
  /** Whether to point at `--help`. */
  readonly hint: boolean;

  /** @param message - one line naming the flag or path and what is wrong with it. */
  constructor(message: string, options: UsageErrorOptions = {}) {
    super('USAGE', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? true;
  }
}

/** Exit code of a {@link UsageError}. */
export const USAGE_EXIT_CODE = 2;
