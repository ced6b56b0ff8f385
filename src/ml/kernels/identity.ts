// Identity for wasm that shares the input's buffer, as tfjs's cpu and webgl backends do; wasm's own copies it.
import * as tf from '@tensorflow/tfjs';

// Identity is tf.clone, and the gradient tape clones every tensor it saves for the backward pass: with wasm's copying
// kernel each saved activation (and every conv filter) existed twice during the forward pass, and the filter copies
// (~100 MB on ResNet-50) lived until the end of the backward pass.
export const identityWasm: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    // Reference-counted like wasm's own Reshape: the buffer is freed when the last tensor on it is disposed.
    (backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
