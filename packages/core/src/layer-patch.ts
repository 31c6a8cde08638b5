import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** A tfjs-layers layer's `call`. */
export type LayerCall<L> = (
  this: L,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>,
) => Tensor | Tensor[];

type Prototype<L> = { call: LayerCall<L>; [key: symbol]: LayerCall<L> | undefined };

function prototypeOf<L>(className: string): Prototype<L> | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  return entry === undefined ? undefined : (entry[0] as unknown as { prototype: Prototype<L> }).prototype;
}

/**
 * Routes a tfjs-layers layer class's `call` through `fast`, which returns the output or undefined to let
 * the layer's own `call` run. The class is found in tfjs's serialization registry, so nothing is
 * imported from tfjs-layers and no layer is instantiated. Idempotent; false when the class is not
 * registered (tfjs-layers not loaded).
 */
export function patchLayerCall<L>(
  className: string,
  fast: (
    layer: L,
    inputs: Tensor | Tensor[],
    kwargs: Record<string, unknown> | undefined,
  ) => Tensor | undefined,
): boolean {
  const prototype = prototypeOf<L>(className);
  if (prototype === undefined) return false;
  const key = Symbol.for(`topk.stock.${className}.call`);
  if (prototype[key] !== undefined) return true;
  const stock = prototype.call;
  prototype[key] = stock;
  prototype.call = function call(this: L, inputs, kwargs) {
    return fast(this, inputs, kwargs) ?? stock.call(this, inputs, kwargs);
  };
  return true;
}

/** Puts a class's own `call` back after {@link patchLayerCall} (tests compare the two). */
export function unpatchLayerCall(className: string): void {
  const prototype = prototypeOf<unknown>(className);
  const key = Symbol.for(`topk.stock.${className}.call`);
  const stock = prototype?.[key];
  if (prototype === undefined || stock === undefined) return;
  prototype.call = stock;
  delete prototype[key];
}

/** The single input tensor of a layer call, or undefined. */
export function singleInput(inputs: Tensor | Tensor[]): Tensor | undefined {
  const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  return input instanceof tf.Tensor ? input : undefined;
}
