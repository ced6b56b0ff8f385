// Calls an already-registered wasm kernel directly, so new kernels can be composed from existing ones without the op layer.
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
// Kernel functions receive the backend untyped ({}); it is the wasm KernelBackend.
type Backend = object;

/** Runs kernel `name` of the wasm backend; the caller owns (and must release) the returned tensor info. */
export function callWasm(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: backend as tf.KernelBackend }) as TensorInfo;
}

/** Releases intermediates produced by callWasm. */
export function release(backend: Backend, ...infos: TensorInfo[]): void {
  for (const info of infos) (backend as tf.KernelBackend).disposeData(info.dataId);
}
