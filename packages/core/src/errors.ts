/**
 * Base class of every error that topk throws on purpose. `code` is stable and machine-readable, so
 * callers can branch on it without parsing messages.
 */
export class TopkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A caller passed a value outside what a function accepts. The message names the function, the argument,
 * what was expected and what was received, e.g.
 * `Error in stratifiedSplit: validFraction must be in (0, 1), got 1.5`.
 */
export class InvalidArgumentError extends TopkError {
  readonly fn: string;
  readonly argument: string;

  constructor(fn: string, argument: string, expected: string, received: unknown) {
    super(
      'INVALID_ARGUMENT',
      `Error in ${fn}: ${argument} must be ${expected}, got ${describeValue(received)}`,
    );
    this.fn = fn;
    this.argument = argument;
  }
}

/** A backend could not be loaded, initialised or used for what was asked of it. */
export class BackendError extends TopkError {
  readonly backend: string;

  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super('BACKEND', message, options);
    this.backend = backend;
  }
}

/** Short, printable description of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'function') return 'a function';
  const rank = (value as { rank?: unknown }).rank;
  const shape = (value as { shape?: unknown }).shape;
  if (typeof rank === 'number' && Array.isArray(shape))
    return `a rank-${rank} tensor of shape [${shape.join(', ')}]`;
  return typeof value;
}
