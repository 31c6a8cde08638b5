/**
 * `@topk/core/testing`: helpers for tests of tfjs code, kept out of the main entry so that production
 * bundles do not carry them.
 *
 * @packageDocumentation
 */
export type { CheckGradientOptions, GradientCheckResult, GradientMismatchDetails } from './check-gradient.js';
export { checkGradient, GradientMismatchError } from './check-gradient.js';
export type { ExpectNoLeaksOptions, TensorLeakDetails } from './expect-no-leaks.js';
export { expectNoLeaks, expectNoLeaksSync, TensorLeakError } from './expect-no-leaks.js';
export { fixedValues } from './fixed-values.js';
