import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Identity for the wasm backend that shares the input's memory (one more reference) instead of copying
 * it, as the cpu backend does. tfjs clones every tensor it saves for the backward pass through Identity,
 * so on wasm each training step copied most activations once more. Tensor data is immutable (variables
 * take new data on assign), so sharing is safe.
 */
export function sharedIdentityKernel(): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { x } = inputs as { x: TensorInfo };
    (backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
