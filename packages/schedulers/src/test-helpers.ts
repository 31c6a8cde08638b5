import { InvalidArgumentError } from '@topk/core';
import { expect } from 'vitest';

/** Runs `fn`, expects an InvalidArgumentError naming `name` and `argument`, and returns it. */
export function expectInvalid(fn: () => unknown, name: string, argument: string): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fn).toBe(name);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    return error as InvalidArgumentError;
  }
  throw new Error(`expected ${name} to throw for ${argument}`);
}
